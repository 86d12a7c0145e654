"""Read raw workshop files into uniform blocks and tables. Raw files are only ever opened for reading.

Notes (``.txt``, ``.md``, ``.docx``) become a list of :class:`Block` (heading or statement line);
survey exports (``.csv``, ``.xlsx``) become a :class:`pandas.DataFrame` of strings.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError

NOTE_EXTENSIONS = (".txt", ".md", ".docx")
TABLE_EXTENSIONS = (".csv", ".tsv", ".xlsx")
SUPPORTED_EXTENSIONS = NOTE_EXTENSIONS + TABLE_EXTENSIONS
CSV_DELIMITERS = ",;\t"
_BULLET = re.compile(r"^\s*(?:[-*+•–·▪]|\d{1,2}[.)])\s+")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)([^*_].*?)(?:\*\*|__)\s*:?\s*$")
_FINAL_PUNCT = ".!?:;,…\"”)"
TXT_HEADING_MAX_WORDS = 8
ROW_COLUMN = "__row__"


@dataclass(frozen=True)
class Block:
    """One line of notes: a heading (with level) or a statement line."""

    kind: str          # "heading" | "line"
    text: str
    level: int = 0     # heading level, 1 = top
    line_no: int = 0   # 1-based line (txt/md) or paragraph number (docx)
    context: str = ""  # a Word table's label for this cell: "Fokusområde: Formål" (row), or its column's header


def check_file_basics(path: Path, max_bytes: int) -> bytes:
    """Read the file's bytes once, refusing empty, huge and binary files with a clear message."""
    size = path.stat().st_size
    if size == 0:
        raise InputError("filen er tom", file=path,
                         fix="gem indholdet igen; hører filen ikke til workshoppen, så flyt den ud af workshop-mappen "
                             "(flyt, ikke slet: den kan være den eneste kopi)")
    if size > max_bytes:
        raise InputError(f"filen er {size / 1e6:.1f} MB, mere end grænsen på {max_bytes / 1e6:.0f} MB",
                         file=path, fix="del filen op eller hæv ingest.max_file_bytes i parametrene")
    return path.read_bytes()


def decode_text(data: bytes, path: Path) -> tuple[str, str]:
    """Decode Danish text bytes; returns ``(text, encoding)``.

    Accepts UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode-tekst") and
    Windows-1252 (Danish Office). Anything else is refused with the first bad byte's offset.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data[:8192]:
            raise InputError("filen ligner en binær fil (den indeholder NUL-bytes), ikke tekst", file=path,
                             fix="eksportér den som .txt, .csv (UTF-8) eller .docx/.xlsx")
        candidates = ["utf-8", "cp1252"]
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    start = first_error.start
    raise InputError(
        f"teksten kan ikke afkodes som UTF-8 eller Windows-1252 (første ulæselige byte 0x{data[start]:02x} "
        f"ved byte {start})", file=path, location=f"byte {start}",
        fix="åbn filen og gem den igen som UTF-8 (i Excel: 'CSV UTF-8')")


# ---------------------------------------------------------------- notes

#: A numbered heading of minutes («1. Velkomst og formål»): a number, then a capitalised title.
_NUMBERED_TITLE = re.compile(r"^\s*\d{1,2}[.)]\s+[A-ZÆØÅ]")
#: Words of a file's first line that make it its title even without a blank line after it.
_TITLE_WORDS = re.compile(r"\b(gruppe\w*|referat\w*|noter|workshop\w*|møde\w*|opsamling\w*|transskription\w*)\b", re.I)


def _words(line: str) -> int:
    """Words of a line, not counting dashes and other lone punctuation («Process Mining – første halvår»: 4)."""
    return sum(1 for w in line.split() if re.search(r"\w", w))


def _is_txt_heading(line: str, prev_blank: bool, next_blank: bool, next_line: str = "", first: bool = False) -> bool:
    """A standalone short line without final punctuation and with blank lines around it; also one directly
    followed by bullets («Hvem må se» over «- leder ok …»), a numbered title followed by a paragraph
    («1. Velkomst» in minutes; a run of numbered lines is a list), and a file's first line that names a group or
    the kind of notes («GRUPPE 4 - forsikrede ledige» over «noter: Camilla»)."""
    stripped = line.strip()
    if not stripped or stripped[-1] in _FINAL_PUNCT or _words(stripped) > TXT_HEADING_MAX_WORDS:
        return False
    numbered = bool(_NUMBERED_TITLE.match(line))
    if _BULLET.match(line) and not numbered:
        return False
    if re.match(r"^[^:]{1,40}:\s+\S", stripped):  # speaker line
        return False
    if numbered:
        return prev_blank and bool(next_line) and not _BULLET.match(next_line)
    if first and _TITLE_WORDS.search(stripped):
        return True
    return prev_blank and (next_blank or bool(_BULLET.match(next_line)))


def parse_text_notes(text: str, markdown: bool) -> list[Block]:
    """Split notes into headings and statement lines (one statement per non-empty line).

    Markdown headings are ``#`` lines or lines that are bold only; in plain text a heading is a
    standalone line of at most eight words with no final punctuation, with blank lines around it (see
    :func:`_is_txt_heading` for the other cases: over bullets, numbered titles, a file's first line).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    first = next((i for i, raw in enumerate(lines) if raw.strip()), -1)
    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if not line.strip():
            continue
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        next_line = next((raw for raw in lines[i + 1:] if raw.strip()), "")
        if markdown:
            m = _MD_HEADING.match(line)
            if m:
                blocks.append(Block("heading", m.group(2).strip(), len(m.group(1)), i + 1))
                continue
            m = _BOLD_LINE.match(line)
            if m and len(m.group(1).split()) <= TXT_HEADING_MAX_WORDS:
                blocks.append(Block("heading", m.group(1).strip(), 2, i + 1))
                continue
            if re.match(r"^\s*([-*_])\s*(\1\s*){2,}$", line) or line.strip().startswith(("<!--", "|---")):
                continue  # rules and comments
        elif _is_txt_heading(line, prev_blank, next_blank, next_line, first=i == first):
            blocks.append(Block("heading", line.strip(), 1, i + 1))
            continue
        body = _BULLET.sub("", line, count=1).strip()
        if markdown:
            body = re.sub(r"(\*\*|__)(.+?)\1", r"\2", body)
        blocks.append(Block("line", body, 0, i + 1))
    return blocks


#: The first bytes of an OLE compound file: how Office stores a password-protected .docx/.xlsx, and the old
#: .doc/.xls formats.
OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


def _refuse_protected_or_old(path: Path, program: str, suffix: str) -> None:
    """Refuse an Office file stored as an OLE compound file with what to do: saving it again as it is keeps the
    password (the message said only «not a zip package; save it as .docx»)."""
    with open(path, "rb") as handle:
        if handle.read(len(OLE_SIGNATURE)) != OLE_SIGNATURE:
            return
    raise InputError(f"filen er beskyttet med en adgangskode (krypteret) eller gemt i det gamle {program}-format "
                     f"(.{'doc' if program == 'Word' else 'xls'}) med endelsen {suffix}", file=path,
                     fix=f"åbn den i {program}; har den en adgangskode, så fjern den (Filer → Oplysninger → Beskyt → "
                         f"Krypter med adgangskode: slet koden), og gem den som {suffix}")


def read_docx_notes(path: Path) -> list[Block]:
    """Paragraphs and tables of a Word file, in document order; Heading/Title/Overskrift styles are headings.
    A table is read as post-its or minutes in a grid (:func:`_table_blocks`): its header and its row labels
    are the context of the cells they label, not statements."""
    if not zipfile.is_zipfile(path):
        _refuse_protected_or_old(path, "Word", ".docx")
        raise InputError("filen har endelsen .docx men er ikke et Word-dokument (ikke en zip-pakke)", file=path,
                         fix="åbn den i Word og gem som .docx, eller gem den som .txt")
    import docx  # python-docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many types for corrupt packages
        raise InputError("Word-filen kan ikke læses: den er en zip-pakke, men ikke et helt Word-dokument "
                         "(beskadiget, eller en anden filtype med endelsen .docx)", file=path,
                         fix="åbn den i Word og gem den igen som .docx") from exc
    blocks: list[Block] = []
    n = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            table_blocks, n = _table_blocks(item, n)
            blocks.extend(table_blocks)
            continue
        n += 1
        text = item.text.strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        m = re.match(r"^(Heading|Overskrift)\s*(\d)", style, re.I)
        if m:
            blocks.append(Block("heading", text, int(m.group(2)), n))
        elif style.lower() in ("title", "titel"):
            blocks.append(Block("heading", text, 1, n))
        else:
            blocks.append(Block("line", _BULLET.sub("", text, count=1).strip(), 0, n))
    return blocks


#: A table cell that labels others (a header, a category in the first column) is short and not a sentence.
TABLE_LABEL_MAX_CHARS = 40
TABLE_LABEL_MAX_WORDS = 5
#: Between a row's label and a column's header in a cell's context («Persona: Rådgiver > Formål»): the same
#: joiner as between the headings of a statement's section.
CONTEXT_JOINER = " > "


#: A question in a table's first column («Hvad har I mærket?» beside the post-its that answer it) labels its row
#: like a short label does; two workshop writers' tables had their questions read as citizens' statements.
TABLE_QUESTION_MAX_WORDS = 20


def _is_table_label(text: str) -> bool:
    text = text.strip()
    return bool(text) and len(text) <= TABLE_LABEL_MAX_CHARS and len(text.split()) <= TABLE_LABEL_MAX_WORDS \
        and not re.search(r"[.!?]$", text)


def _is_row_label(text: str) -> bool:
    """A first-column cell that labels its row: a short label, or a question."""
    text = text.strip()
    return _is_table_label(text) or (text.endswith("?") and len(text.split()) <= TABLE_QUESTION_MAX_WORDS)


def _table_blocks(table, n: int) -> tuple[list[Block], int]:
    """A Word table's statements, numbered on from paragraph ``n``; returns ``(blocks, last number)``.

    - A first row of short labels above longer cells is a header («Fokusområde | Post-it»): not statements.
    - A first column of short labels or questions beside longer cells («Formål | Vi skal kunne forklare …»,
      «Hvad har I mærket? | …») labels its row: the label is the context of the row's text, with the header's first cell in front, «Fokusområde:
      Formål»; a label that names a persona («Rådgiver») gives the row's statements that persona, and a label
      with nothing beside it is skipped. With two or more text columns under headers («Persona | Formål |
      Tillid»), the column's header follows the row's label, «Persona: Rådgiver > Formål»: both say what the
      cell is about – unless the headers are numbered copies of one («Post-it 1 | Post-it 2»).
    - Otherwise a cell's context is its column's header, if any («Tillid» above a column of post-its).
    - A grid of short cells only (post-its without a header) is read cell by cell: nothing is taken for a label.
    Merged cells, which python-docx repeats across columns and rows, are read once; each paragraph of a cell is
    one line."""
    seen: set[int] = set()
    rows = []
    for row in table.rows:
        cells = []
        for j, cell in enumerate(row.cells):
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append((j, cell))
        if cells:
            rows.append(cells)
    text = {id(cell._tc): cell.text.strip() for row in rows for _, cell in row}
    header: dict[int, str] = {}
    first = [text[id(cell._tc)] for _, cell in rows[0]] if rows else []
    if len(rows) >= 2 and any(first) and all(_is_table_label(t) for t in first if t) \
            and any(t and not _is_table_label(t) for row in rows[1:] for t in (text[id(c._tc)] for _, c in row)):
        header = {j: text[id(cell._tc)] for j, cell in rows[0]}
        n += sum(len(cell.paragraphs) for _, cell in rows[0])
        rows = rows[1:]
    first_column = [text[id(row[0][1]._tc)] for row in rows if row[0][0] == 0]
    rest = [text[id(cell._tc)] for row in rows for j, cell in row if j > 0]
    labelled = bool(first_column) and any(rest) and all(not t or _is_row_label(t) for t in first_column) \
        and any(t and not _is_row_label(t) for t in rest)
    text_columns_with_header = {j for j, head in header.items() if j > 0 and head}
    # Numbered copies of one header («Post-it 1 | Post-it 2») say nothing about what a cell is about.
    says_what = len({re.sub(r"[\W\d_]+", " ", header[j]).strip().lower() for j in text_columns_with_header}) >= 2
    blocks = []
    for row in rows:
        label = text[id(row[0][1]._tc)] if labelled and row[0][0] == 0 else ""
        cells = row[1:] if labelled and row[0][0] == 0 else row
        if labelled and row[0][0] == 0:
            n += len(row[0][1].paragraphs)
            head = header.get(0, "")
            row_context = f"{head}: {label}" if head and label else label
        for j, cell in cells:
            context = row_context if labelled and row[0][0] == 0 else header.get(j, "")
            if labelled and row[0][0] == 0 and says_what and j in text_columns_with_header:
                context = f"{row_context}{CONTEXT_JOINER}{header[j]}" if row_context else header[j]
            for par in cell.paragraphs:
                n += 1
                line = par.text.strip()
                if line:
                    blocks.append(Block("line", _BULLET.sub("", line, count=1).strip(), 0, n, context))
    return blocks, n


def read_notes(path: Path, max_bytes: int) -> list[Block]:
    ext = path.suffix.lower()
    data = check_file_basics(path, max_bytes)
    if ext == ".docx":
        blocks = read_docx_notes(path)
    else:
        text, _ = decode_text(data, path)
        blocks = parse_text_notes(text, markdown=ext == ".md")
    if not any(b.kind == "line" for b in blocks):
        raise InputError("filen indeholder ingen udsagn (kun overskrifter eller tomme linjer)", file=path,
                         fix="tjek at det er den rigtige fil; hører den ikke til workshoppen, så flyt den ud af "
                             f"{path.parent}")
    return blocks


# ---------------------------------------------------------------- tables

def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        # The delimiter found on most of the first lines, then most often in the first: a title line over the
        # header («Evaluering januar 2023») has none, and read by its count alone every row became one answer.
        lines = [line for line in text.splitlines() if line.strip()][:20]
        header = lines[0] if lines else ""
        score = {d: (sum(d in line for line in lines), header.count(d)) for d in CSV_DELIMITERS}
        best = max(CSV_DELIMITERS, key=lambda d: score[d])  # ties: the order of CSV_DELIMITERS
        return best if score[best][0] else ","


def read_csv_table(path: Path, max_bytes: int, delimiter: str | None = None) -> pd.DataFrame:
    data = check_file_basics(path, max_bytes)
    text, _ = decode_text(data, path)
    if not text.strip():
        raise InputError("filen indeholder kun tomme tegn", file=path,
                         fix="eksportér besvarelserne igen; hører filen ikke til workshoppen, så flyt den ud af "
                             "workshop-mappen")
    sep = delimiter or ("\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text))
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))  # long answers are checked later, with row/column
    # Blank lines count as rows (Excel shows them, and a row number must point at the answer), except those
    # before the header, which is the first line with content.
    lines = text.splitlines(keepends=True)
    leading = next(i for i, line in enumerate(lines) if line.strip())
    text = "".join(lines[leading:])
    _refuse_overlong_rows(text, sep, path, leading)
    try:
        with warnings.catch_warnings():  # only empty fields beyond the header are left (_refuse_overlong_rows)
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[],
                                skip_blank_lines=False, engine="python", index_col=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        row = _quote_error_row(text, sep)
        if row is not None:
            row += leading
            raise InputError(f"CSV-filen kan ikke læses fra række {row}: et anførselstegn (\") åbner et felt, der ikke "
                             "lukkes, eller står midt i et felt", file=path, location=f"række {row}",
                             fix="ret anførselstegnene i rækken (et felt i anførselstegn slutter med \" lige før "
                                 f"skilletegnet {sep!r}; et \" inde i teksten skrives \"\"), eller gem filen igen "
                                 "som CSV fra Excel, der sætter dem selv") from None
        raise InputError(f"CSV-filen kan ikke læses med skilletegnet {sep!r}: {exc}", file=path,
                         fix="tjek at alle rækker har lige mange kolonner, eller angiv delimiter i workshop.yaml")
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    return _clean_table(frame, path, header_row=leading + 1, raw_header=header)


def _quote_error_row(text: str, sep: str) -> int | None:
    """The line (1 = the first of ``text``) where the row starts on which a strict CSV reading fails (a quote
    left open runs to the end of the file: the row it opened in is the one to mend), or ``None``."""
    reader = csv.reader(io.StringIO(text), delimiter=sep, strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error:
        return start
    return None


def _column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> «A», 26 -> «AA»."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _refuse_overlong_rows(text: str, sep: str, path: Path, leading: int) -> None:
    """Refuse a row with more filled fields than the header, naming its row as Excel shows it. pandas would
    read such a first row's extra fields as an index and shift the answers out of their columns without a word
    (an unquoted «;» inside an answer lost both of a file's good answers), and name a later one in English.
    Empty fields beyond the header (a separator at the end of each line, as some exports write) lose nothing
    and pass; the table is then read with ``index_col=False``."""
    try:
        records = csv.reader(io.StringIO(text), delimiter=sep)
        header = next(records, [])
        for i, record in enumerate(records, start=1):
            if any(field.strip() for field in record[len(header):]):  # empty extra fields: a trailing «;»
                row = leading + 1 + i
                if sum(bool(h.strip()) for h in header) <= 1:  # «Evaluering januar 2023» over the real header
                    raise HeaderError(
                        f"første række med indhold (række {leading + 1}) har kun ét felt, men række {row} har "
                        f"{len(record)}: står kolonneoverskrifterne længere nede, fx under en titel?", file=path,
                        location=f"række {leading + 1}",
                        fix="slet rækkerne over kolonneoverskrifterne, så de står i første række")
                raise InputError(
                    f"række {row} har {len(record)} felter, men overskriftsrækken har {len(header)}: svaret er "
                    f"sandsynligvis delt af skilletegnet {sep!r} inde i teksten", file=path, location=f"række {row}",
                    fix=f"sæt tekst, der indeholder {sep!r}, i anførselstegn (\"…\") – Excel gør det selv, når "
                        "filen gemmes som CSV – eller angiv delimiter i workshop.yaml, hvis skilletegnet er et andet")
    except csv.Error:
        return  # pandas names what it cannot read (below)


def read_xlsx_sheets(path: Path, max_bytes: int, in_workshop: bool = False) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook, cleaned (:func:`_clean_table`); a workbook whose sheets all lack answers is
    refused (:func:`empty_sheet_error`; ``in_workshop``: the file is a source in a workshop's raw folder)."""
    check_file_basics(path, max_bytes)
    if not zipfile.is_zipfile(path):
        _refuse_protected_or_old(path, "Excel", ".xlsx")
        raise InputError("filen har endelsen .xlsx men er ikke en Excel-projektmappe", file=path,
                         fix="åbn den i Excel og gem som .xlsx (Excel-projektmappe)")
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl", keep_default_na=False,
                               na_values=[])
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        raise InputError("Excel-filen kan ikke læses: den er en zip-pakke, men ikke en hel Excel-projektmappe "
                         "(beskadiget, eller en anden filtype med endelsen .xlsx)", file=path,
                         fix="åbn den i Excel og gem den igen som .xlsx") from exc
    # The header rows as written: pandas renames a second «Spørgsmål» to «Spørgsmål.1» before _clean_table sees it.
    # A sheet whose header repeats a name is refused only if it is the sheet read (Sheets.checked): a «Labels»
    # sheet beside the answers may repeat what it likes.
    headers = pd.read_excel(path, sheet_name=None, header=None, nrows=1, dtype=str, engine="openpyxl")
    tables = Sheets()
    for name, frame in sheets.items():
        try:
            tables[name] = _clean_table(frame, path, raw_header=_row_values(headers.get(name)), sheet=name)
        except HeaderError as exc:
            tables[name] = _clean_table(frame, path, sheet=name, check_header=False)
            tables.header_errors[name] = exc
    if tables and all(frame.empty for frame in tables.values()):
        # Said here, not as "no sheet has a column of free-text answers": there are no answers to look for.
        raise empty_sheet_error(tables, path, in_workshop)
    return tables


def empty_table_fix(path: Path, in_workshop: bool, table: str = "tabellen") -> str:
    """The fix for a table (a CSV file or a workbook's sheet) without a row of answers, the same for both.
    Nothing under ``data/raw`` is changed by the tool, so the fix is the user's: fill the table in or export it
    again – or, for a file that does not belong to the workshop, move it out of the workshop's folder, so that
    ingest no longer reads it (moved, not deleted: it may be the only copy). ``table`` names it as the message
    does ("tabellen", "arket")."""
    fill = (f"udfyld {table} (kolonneoverskrifterne i første række og en række pr. besvarelse under dem) "
            "eller eksportér besvarelserne igen")
    return f"{fill}; hører filen ikke til workshoppen, så flyt den ud af {path.parent}" if in_workshop else fill


def empty_sheet_error(sheets: dict[str, pd.DataFrame], path: Path, in_workshop: bool) -> InputError:
    """A workbook sheet (or all of them: ``sheets``, cleaned) without a row of answers: what it lacks – the
    header row too, or only the answers under it – and :func:`empty_table_fix`."""
    quoted = ", ".join(f"'{name}'" for name in sheets)
    if len(sheets) > 1:
        what = f"alle arkene ({quoted}) er tomme (ingen rækker med svar)"
    elif any(c != ROW_COLUMN for c in next(iter(sheets.values())).columns):
        what = f"arket {quoted} er tomt (kun overskriftsrækken, ingen rækker med svar under den)"
    else:
        what = f"arket {quoted} er tomt (hverken kolonneoverskrifter eller rækker med svar)"
    return InputError(what, file=path, location=f"ark {quoted}", fix=empty_table_fix(path, in_workshop, "arket"))


class HeaderError(InputError):
    """A table's header row names a column twice, or is not the header row (:func:`_clean_table`)."""


class Sheets(dict):
    """A workbook's cleaned sheets by name (:func:`read_xlsx_sheets`), with the :class:`HeaderError` of each sheet
    whose header row cannot be read as it stands; :meth:`checked` gives a sheet to read, or raises that error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.header_errors: dict[str, HeaderError] = {}

    def checked(self, name: str) -> pd.DataFrame:
        if name in self.header_errors:
            raise self.header_errors[name]
        return self[name]


def _row_values(frame: pd.DataFrame | None) -> list[str] | None:
    """The first row of a sheet read without a header, as text (empty cells ``""``); ``None`` for no sheet."""
    if frame is None:
        return None
    return ["" if pd.isna(v) else str(v) for v in frame.iloc[0]] if len(frame) else []


def _clean_table(frame: pd.DataFrame, path: Path, header_row: int = 1, raw_header: list[str] | None = None,
                 sheet: str | None = None, check_header: bool = True) -> pd.DataFrame:
    """``frame`` as text, stripped, without empty rows and unnamed empty columns, with each row's spreadsheet row
    number in ``ROW_COLUMN``. With ``check_header`` a :class:`HeaderError` refuses a column name written twice in
    ``raw_header`` (the header row as written; pandas has renamed the second copy «X.1» by then: the second
    column's answers would be read under a name nobody wrote, or the first one's alone) and a header row of
    fewer named cells than half the columns with content (a title above the real header)."""
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    written = [str(c).strip() for c in (raw_header if raw_header is not None else frame.columns)]
    dupes = sorted({c for c in written if c and written.count(c) > 1}) if check_header else []
    if dupes:
        columns = "; ".join(f"«{c}» (kolonne {', '.join(_column_letter(i) for i, w in enumerate(written) if w == c)})"
                            for c in dupes)
        raise HeaderError(f"samme kolonneoverskrift står flere gange i overskriftsrækken: {columns}", file=path,
                         location=(f"ark '{sheet}', " if sheet else "") + f"række {header_row}",
                         fix="giv hver kolonne et entydigt navn i overskriftsrækken (fx «… (1)» og «… (2)»), "
                             "eller slet den kolonne, der er en kopi")
    frame = frame.fillna("").astype(str)
    frame = frame.apply(lambda col: col.str.strip())
    named = [c for c in written if c and not c.lower().startswith("unnamed:")]
    filled = [c for c in frame.columns if (frame[c] != "").any()]
    if check_header and len(filled) >= 2 and len(named) * 2 < len(filled):
        # A title in A1 over the real header: the header was read as an answer and every column as «Unnamed».
        raise HeaderError(f"overskriftsrækken har kun {len(named)} udfyldt(e) celle(r) "
                          f"({', '.join(repr(c) for c in named) or 'ingen'}), men tabellen har {len(filled)} kolonner "
                          "med indhold: står kolonneoverskrifterne længere nede, fx under en titel eller en tom række?",
                          file=path, location=(f"ark '{sheet}', " if sheet else "") + f"række {header_row}",
                          fix="slet rækkerne over kolonneoverskrifterne, så de står i første række, og skriv en "
                              "overskrift over hver kolonne med indhold")
    frame = frame.loc[:, [c for c in frame.columns if not c.lower().startswith("unnamed:")
                          or (frame[c] != "").any()]]
    # The spreadsheet row a person sees (the header is row ``header_row``, normally 1; blank lines of a CSV
    # count, as in Excel), kept for error messages and locators.
    frame.insert(0, ROW_COLUMN, [str(i + header_row + 1) for i in range(len(frame))])
    frame = frame.loc[~(frame.drop(columns=ROW_COLUMN) == "").all(axis=1)]
    return frame.reset_index(drop=True)
