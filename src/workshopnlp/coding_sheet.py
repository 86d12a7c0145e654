"""Coding sheets: an XLSX a researcher codes in Excel, and reading filled sheets back.

A sheet holds one row per statement with the model's suggestion and empty coder columns with
drop-down lists of code ids (Excel data validation). Filled sheets are stored as raw input in
``data/raw/<workshop>/kodning/`` and read back by :func:`read_coding_sheets`; human codes override
the model's.

Three kinds of sheet, all read back the same way:

- a *coding sheet* of all statements (with the model's suggestions, or ``blind`` without them);
- a *sample* of ``n`` statements per persona (:func:`sample_per_persona`), for staff who code a gold
  set that can measure every persona: blind, because a suggestion anchors the coder;
- a *review sheet* of the statements the coders disagree on (:func:`disputed_statements`), which shows
  every earlier coder's codes in the column ``tidligere_koder``. A reviewer who has seen the others'
  codes is not an independent coder: codes from a review sheet *decide* the reference where given
  (``decides`` = True, see :func:`workshopnlp.coding.reference_codes`) and are left out of the
  agreement figures, which compare blind coders only.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .codebook import Codebook, code_ids_as_labels, example_origin_da, examples_across_personas
from .config import LOCK_FILE_PREFIX
from .errors import InputError
from .provenance import atomic_file, make_xlsx_reproducible
from .readers import CSV_DELIMITERS, check_file_basics, decode_text

SHEET = "Kodning"
CODES_SHEET = "Koder"
INFO_SHEET = "Vejledning"
#: What a coder codes by, beside the sheet: each code's definition, what belongs and what does not, examples.
CODEBOOK_SHEET = "Kodebog"
CODEBOOK_SHEET_WIDTHS = {"dimension": 16, "kode": 24, "label": 24, "definition": 60, "dilemma og spørgsmål": 40,
                         "hører med": 70, "hører ikke med": 70, "eksempler": 60}
CODEBOOK_SHEET_EXAMPLES = 4  # one per persona
COLUMNS = ["statement_id", "kilde", "kontekst", "persona", "tekst", "forslag_fokusomraade", "forslag_princip",
           "forklaring", "fokusomraade", "princip", "koder", "kommentar"]
HUMAN_COLUMNS = {"fokusomraade": "focus_area", "princip": "principle"}
REVIEW_COLUMN = "tidligere_koder"  # present only in a review sheet; its codes decide (see module docstring)
HUMAN_CODE_COLUMNS = ["statement_id", "coder", "focus_area", "principle", "sheet", "decides"]
WIDTHS = {"statement_id": 15, "kilde": 22, "kontekst": 28, "persona": 14, "tekst": 70, "forslag_fokusomraade": 18,
          "forslag_princip": 20, "forklaring": 60, REVIEW_COLUMN: 40, "fokusomraade": 22, "princip": 24, "koder": 10,
          "kommentar": 30}


def sample_per_persona(statements: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` statements drawn at random from every persona (all of a persona's if it has fewer), in the
    statement table's order; the same ``seed`` draws the same sample."""
    if n < 1:
        raise InputError(f"--per-persona skal være mindst 1 (fik {n})", fix="fx --per-persona 100")
    parts = [group.sample(n=min(n, len(group)), random_state=seed)
             for _, group in statements.groupby("persona", sort=True)]
    picked = pd.concat(parts).index if parts else statements.index[:0]
    return statements.loc[statements.index.isin(picked)]


def sheets_in(folder: Path) -> list[Path]:
    """The coding sheets in ``folder`` (sorted), without the lock file Excel leaves beside an open sheet."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith((LOCK_FILE_PREFIX, ".")):
            _refuse_other_spreadsheet(path)
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith(LOCK_FILE_PREFIX))


#: Spreadsheet formats a filled coding sheet may be saved as by mistake: refused, not passed over.
OTHER_SPREADSHEETS = (".csv", ".tsv", ".xls", ".xlsm", ".ods", ".numbers")


def _refuse_other_spreadsheet(path: Path) -> None:
    """A coding sheet saved as CSV (or .xls, .ods …) was passed over without a word, and its codes with it."""
    if path.suffix.lower() in OTHER_SPREADSHEETS:
        raise InputError(f"kodeark skal være Excel-projektmapper (.xlsx); denne fil er {path.suffix.lower()}, "
                         "og dens koder ville ikke blive læst", file=path,
                         fix="åbn filen i Excel og gem den som .xlsx (Excel-projektmappe) i samme mappe; "
                             "er den ikke et kodeark, så flyt den ud af mappen")


def is_review(human: pd.DataFrame) -> pd.Series:
    """True for the rows of ``human`` that come from a review sheet (``decides``; False if the column is absent)."""
    return human["decides"].astype(bool) if "decides" in human else pd.Series(False, index=human.index)


def blind_codes(human: pd.DataFrame) -> pd.DataFrame:
    """The codes of blind coders only (not from a review sheet): agreement compares people who did not
    see each other's codes."""
    return human[~is_review(human)]


def disputed_statements(human: pd.DataFrame) -> dict[str, str]:
    """Statements on which the blind coders disagree on either dimension -> every coder's codes, e.g.
    ``"A: tillid / ingen · B: ingen / ansvarlighed"`` (codes of earlier reviews are not counted)."""
    out = {}
    for sid, group in blind_codes(human).sort_values("coder").groupby("statement_id", sort=True):
        if any(group[dim].dropna().nunique() > 1 for dim in HUMAN_COLUMNS.values()):
            out[str(sid)] = " · ".join(f"{r.coder}: {r.focus_area or '–'} / {r.principle or '–'}"
                                       for r in group.itertuples())
    return out


def open_disputes(human: pd.DataFrame) -> dict[str, str]:
    """:func:`disputed_statements` that no review sheet has settled yet: what ``--review`` exports, so a
    second review round does not ask again about statements a reviewer has already decided."""
    reviewed = set(human.loc[is_review(human), "statement_id"].astype(str))
    return {sid: codes for sid, codes in disputed_statements(human).items() if sid not in reviewed}


def codebook_sheet_rows(codebook: Codebook) -> list[list[str]]:
    """The coding sheet's Kodebog tab, one row per code of both dimensions (columns ``CODEBOOK_SHEET_WIDTHS``):
    the id to write, the label, the seed's definition, a focus area's dilemma and question, what belongs and
    what does not (one «• » line each; arrows to other codes name their labels) and an example of each
    persona. A coder who has only the sheet can code by the codebook – what the project's blind coders had."""
    def lines(items) -> str:
        return "\n".join(f"• {item}" for item in items)

    rows = []
    for dim in codebook.dimensions:
        for code in dim.codes:
            seed = " ".join(part for part in (f"Dilemma: {code.dilemma}" if code.dilemma else "",
                                              f"Spørgsmål: {code.question}" if code.question else "") if part)
            examples = [f"»{e.text}«" + (f" ({origin})" if (origin := example_origin_da(e)) else "")
                        for e in examples_across_personas(code, CODEBOOK_SHEET_EXAMPLES)]
            rows.append([dim.label, code.id, code.label, code.definition, seed,
                         lines(code_ids_as_labels(t, codebook, dim.id) for t in code.include),
                         lines(code_ids_as_labels(t, codebook, dim.id) for t in code.exclude), lines(examples)])
    return rows


def add_codebook_sheet(wb: Workbook, codebook: Codebook) -> None:
    """Add the tab :data:`CODEBOOK_SHEET` (:func:`codebook_sheet_rows`) to ``wb``: header in bold and in view,
    the texts wrapped."""
    book = wb.create_sheet(CODEBOOK_SHEET)
    book.append(list(CODEBOOK_SHEET_WIDTHS))
    for row in codebook_sheet_rows(codebook):
        book.append(row)
    for i, width in enumerate(CODEBOOK_SHEET_WIDTHS.values(), start=1):
        head = book.cell(row=1, column=i)
        head.font, head.fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
        book.column_dimensions[head.column_letter].width = width
    for row in book.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.freeze_panes = "D2"


def write_coding_sheet(statements: pd.DataFrame, codes: pd.DataFrame | None, codebook: Codebook, path: Path,
                       workshop_id: str, earlier_codes: dict[str, str] | None = None) -> None:
    """Write an XLSX coding sheet for ``statements`` (with the model's suggestions if ``codes`` is given).

    ``earlier_codes`` (statement id -> the earlier coders' codes, see :func:`disputed_statements`) makes
    it a review sheet: the column ``tidligere_koder`` shows them, and the reviewer's codes decide.
    """
    from .coding import contexts_of

    columns = list(COLUMNS)
    if earlier_codes is not None:
        columns.insert(columns.index("fokusomraade"), REVIEW_COLUMN)

    frame = statements[["statement_id", "source_file", "locator", "persona", "text"]].copy()
    frame["context"] = contexts_of(statements)
    if codes is not None:
        frame = frame.merge(codes[["statement_id", "focus_area", "principle", "explanation"]], on="statement_id",
                            how="left")
    else:
        frame[["focus_area", "principle", "explanation"]] = ""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(columns)
    for row in frame.itertuples(index=False):
        values = {"statement_id": row.statement_id, "kilde": f"{row.source_file}, {row.locator}",
                  "kontekst": row.context, "persona": row.persona, "tekst": row.text,
                  "forslag_fokusomraade": row.focus_area or "", "forslag_princip": row.principle or "",
                  "forklaring": row.explanation or "",
                  REVIEW_COLUMN: (earlier_codes or {}).get(row.statement_id, "")}
        ws.append([values.get(c, "") for c in columns])
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    coder_fill = PatternFill("solid", fgColor="FFF2CC")
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = Font(bold=True), header_fill
        ws.column_dimensions[cell.column_letter].width = WIDTHS[col]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col in ("fokusomraade", "princip", "koder"):
            row[columns.index(col)].fill = coder_fill
    ws.freeze_panes = "B2"
    lists = wb.create_sheet(CODES_SHEET)
    focus = list(codebook.dimension("focus_area").code_ids)
    principles = list(codebook.dimension("principle").code_ids)
    lists.append(["fokusomraade", "label", "princip", "label"])
    f_labels, p_labels = codebook.dimension("focus_area").labels(), codebook.dimension("principle").labels()
    for i in range(max(len(focus), len(principles))):
        lists.append([focus[i] if i < len(focus) else None, f_labels.get(focus[i]) if i < len(focus) else None,
                      principles[i] if i < len(principles) else None,
                      p_labels.get(principles[i]) if i < len(principles) else None])
    last = len(frame) + 1
    for col, source in (("fokusomraade", f"{CODES_SHEET}!$A$2:$A${len(focus) + 1}"),
                        ("princip", f"{CODES_SHEET}!$C$2:$C${len(principles) + 1}")):
        dv = DataValidation(type="list", formula1=f"={source}", allow_blank=True, showErrorMessage=True,
                            errorTitle="Ukendt kode", error="Vælg en kode fra listen (se arket Koder).")
        letter = ws.cell(row=1, column=columns.index(col) + 1).column_letter
        dv.add(f"{letter}2:{letter}{max(last, 2)}")
        ws.add_data_validation(dv)
    add_codebook_sheet(wb, codebook)
    info = wb.create_sheet(INFO_SHEET)
    for line in (f"Kodeark for workshop {workshop_id} – kodebog {codebook.codebook_id} version {codebook.version}",
                 "Udfyld de gule kolonner: fokusomraade og princip (vælg fra listen) og dine initialer i 'koder'.",
                 "Kod udsagnets primære betydning, ikke de ord der bruges. 'ingen' når ingen kode passer.",
                 "'kontekst' er afsnittet eller spørgsmålet, udsagnet blev sagt eller skrevet til.",
                 f"Arket '{CODEBOOK_SHEET}' har hver kodes definition, hvad der hører med og ikke med, og eksempler.",
                 ("Forslagene er maskinens; de er kun et udgangspunkt." if codes is not None else
                  "Arket er blindt: det viser ikke maskinens forslag, så de ikke påvirker din kodning.")
                 + " Lad feltet stå tomt, hvis du ikke koder udsagnet.",
                 "Gem filen i data/raw/<workshop>/kodning/ og kør: workshopnlp coding-sheet import --workshop <id>"):
        info.append([line])
    if codebook.notes:
        info.append(["Kodebogens regler:"])
        for note in codebook.notes:
            info.append([f"• {' '.join(note.split())}"])
    if earlier_codes is not None:
        for line in ("Dette er et gennemgangsark: udsagnene er dem, de tidligere kodere var uenige om, og "
                     "'tidligere_koder' viser deres koder (koder: fokusområde / princip).",
                     "Din kode afgør udsagnet: den går forud for flertallet af de tidligere kodere. Fordi du har set "
                     "deres koder, tæller den ikke med i enighedstallene, som kun sammenligner blinde kodere."):
            info.append([line])
    info.column_dimensions["A"].width = 110
    wb.properties.title = f"workshopnlp kodeark {workshop_id}"
    wb.properties.creator = "workshopnlp"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as tmp:
        wb.save(tmp)
        make_xlsx_reproducible(tmp)


# How many of a sheet's problems one error message lists (the count says how many there are in all).
PROBLEMS_LISTED = 15


def coded_rows(path: Path) -> int | None:
    """How many rows of the coding sheet ``path`` a coder has filled in (a code or a coder's name), or
    None if ``path`` is not a coding sheet (not an XLSX with the sheet and columns
    :func:`write_coding_sheet` makes). Export asks before it writes over a file."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        return None
    try:
        if SHEET not in wb.sheetnames:
            return None
        rows = wb[SHEET].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        if not {"fokusomraade", "princip", "koder"} <= set(header):
            return None
        at = [header.index(c) for c in ("fokusomraade", "princip", "koder")]
        return sum(any(i < len(row) and row[i] is not None and str(row[i]).strip() for i in at) for row in rows)
    finally:
        wb.close()


def code_spellings(codebook: Codebook, dim: str) -> dict[str, str]:
    """What a coder may write for each code of ``dim``, case-folded -> code id: the id (``formaal``) or the
    Danish label the sheet's Koder tab shows beside it (``Formål``), in any case."""
    spellings = {}
    for code in codebook.dimension(dim).codes:
        spellings[code.id.casefold()] = code.id
        spellings[code.label.casefold()] = code.id
    return spellings


def _sheet_problems(path: Path, problems: list[tuple[int, str, str]], codebook: Codebook) -> InputError:
    """One error for all of a sheet's problems: each with its row and column, and the fixes that apply."""
    listed = "; ".join(f"række {r}, kolonne {c}: {what}" for r, c, what in problems[:PROBLEMS_LISTED])
    more = f"; og {len(problems) - PROBLEMS_LISTED} mere" if len(problems) > PROBLEMS_LISTED else ""
    columns = {c for _, c, _ in problems}
    fixes = []
    if "fokusomraade" in columns:
        fixes.append(f"fokusområder: {', '.join(codebook.dimension('focus_area').code_ids)}")
    if "princip" in columns:
        fixes.append(f"principper: {', '.join(codebook.dimension('principle').code_ids)}")
    fix = ("brug en kode fra fanen Koder (id eller navn) – " + "; ".join(fixes)) if fixes else ""
    if "koder" in columns:
        fix += ("; " if fix else "") + "skriv dine initialer i kolonnen 'koder' ud for hvert udsagn du koder"
    if "statement_id" in columns:
        fix += (("; " if fix else "") + "brug et kodeark eksporteret fra samme workshop, eller kør ingest igen "
                "hvis rå-filerne er ændret")
    return InputError(f"{len(problems)} fejl i kodearket: {listed}{more}", file=path,
                      location=f"ark '{SHEET}'", fix=fix)


def read_coding_sheets(paths: Iterable[Path], codebook: Codebook, statement_ids: set[str] | None = None,
                       workshop_id: str = "") -> pd.DataFrame:
    """Read filled sheets into ``statement_id, coder, focus_area, principle, sheet, decides`` rows
    (``decides``: the code comes from a review sheet, see the module docstring).

    A code may be written as its id or its Danish label, in any case (:func:`code_spellings`). Raises
    :class:`InputError` for unknown codes, unknown statement ids and missing coder names – every such problem
    of a sheet in one message, with row and column – and for a statement coded twice by the same coder with
    different codes.
    """
    accepted = {dim: code_spellings(codebook, dim) for dim in ("focus_area", "principle")}
    rows = []
    paths = sorted(Path(p) for p in paths)
    if not paths:
        raise InputError("ingen kodeark at læse", fix="angiv mindst én udfyldt .xlsx-fil")
    for path in paths:
        if not path.is_file():
            raise InputError("kodearket findes ikke", file=path, fix="tjek stien og filnavnet")
        _refuse_other_spreadsheet(path)
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise InputError("kodearket kan ikke læses som Excel-projektmappe (beskadiget, eller en anden filtype)",
                             file=path,
                             fix="gem det igen som .xlsx fra Excel") from exc
        if SHEET not in wb.sheetnames:
            raise InputError(f"arket '{SHEET}' mangler (fandt: {', '.join(wb.sheetnames)})", file=path,
                             fix="brug et kodeark lavet med 'workshopnlp coding-sheet export'")
        values = list(wb[SHEET].iter_rows(values_only=True))
        wb.close()
        header = [str(h).strip() if h is not None else "" for h in values[0]] if values else []
        missing = [c for c in ("statement_id", "fokusomraade", "princip", "koder") if c not in header]
        if missing:
            raise InputError(f"kolonnerne mangler: {', '.join(missing)}", file=path, location=f"ark '{SHEET}', række 1",
                             fix="slet ikke kolonner i kodearket; eksportér et nyt hvis nødvendigt")
        col = {name: header.index(name) for name in header if name}
        decides = REVIEW_COLUMN in col
        problems: list[tuple[int, str, str]] = []  # (row, column, what): all of a sheet's, reported at once
        for r, values_row in enumerate(values[1:], start=2):
            def cell(name):
                v = values_row[col[name]] if col[name] < len(values_row) else None
                return "" if v is None else str(v).strip()
            sid, f, p, coder = cell("statement_id"), cell("fokusomraade"), cell("princip"), cell("koder")
            if not f and not p:
                continue
            if not sid:
                problems.append((r, "statement_id", "rækken er kodet, men udsagnets id mangler"))
                continue
            if statement_ids is not None and sid not in statement_ids:
                problems.append((r, "statement_id", f"udsagnet '{sid}' findes ikke i workshoppen {workshop_id}"))
                continue
            f_id, p_id = accepted["focus_area"].get(f.casefold()), accepted["principle"].get(p.casefold())
            if f and f_id is None:
                problems.append((r, "fokusomraade", f"ukendt fokusområde '{f}'"))
            if p and p_id is None:
                problems.append((r, "princip", f"ukendt princip '{p}'"))
            if not coder:
                problems.append((r, "koder", "kodernavnet mangler"))
            rows.append({"statement_id": sid, "coder": coder, "focus_area": f_id, "principle": p_id,
                         "sheet": path.name, "decides": decides, "sheet_row": r})
        if problems:
            raise _sheet_problems(path, problems, codebook)
    frame = pd.DataFrame(rows, columns=[*HUMAN_CODE_COLUMNS, "sheet_row"]).astype({"decides": bool})
    frame["coder"] = same_coder_names(frame["coder"])
    # A coder may code a statement blind and later review it (a review sheet); those are two codes.
    keys = ["statement_id", "coder", "decides"]
    clash = frame.groupby(keys).agg(f=("focus_area", "nunique"), p=("principle", "nunique"))
    bad = clash[(clash["f"] > 1) | (clash["p"] > 1)]
    if len(bad):
        raise _clash_error(frame, bad)
    return frame.drop(columns="sheet_row").drop_duplicates(keys).sort_values(keys).reset_index(drop=True)


def same_coder_names(coders: pd.Series) -> pd.Series:
    """One spelling per coder: names that differ only in case or in spaces around and between words ("AB",
    "ab", " AB ") are one person, written as first met (sheets in name order, rows in order)."""
    tidy = coders.astype(str).map(lambda c: " ".join(c.split()))
    first: dict[str, str] = {}
    for name in tidy:
        first.setdefault(name.casefold(), name)
    return tidy.map(lambda c: first[c.casefold()])


def _clash_error(frame: pd.DataFrame, bad: pd.DataFrame) -> InputError:
    """A coder who gave one statement different codes: the first such statement with every sheet and row
    that codes it, and how many more there are."""
    sid, coder, decides = bad.index[0]
    rows = frame[(frame["statement_id"] == sid) & (frame["coder"] == coder) & (frame["decides"] == decides)]
    where = "; ".join(f"{r.sheet} række {r.sheet_row}: {r.focus_area or '–'} / {r.principle or '–'}"
                      for r in rows.itertuples())
    more = f" (og {len(bad) - 1} udsagn mere)" if len(bad) > 1 else ""
    return InputError(f"koderen '{coder}' har givet udsagnet '{sid}' forskellige koder{more}: {where}",
                      file=", ".join(sorted(set(rows["sheet"]))),
                      fix="ret koden i det ene ark, eller fjern det ark der er en gammel udgave af det andet")


TEXT_HASH_CHARS = 12  # hex digits of a text's SHA-256 kept beside a code, to notice the text changing
MAX_CODE_TABLE_BYTES = 50_000_000  # a code table is ids and codes: larger is not one


def text_hash(text: str) -> str:
    """The first :data:`TEXT_HASH_CHARS` hex digits of the SHA-256 of ``text`` (UTF-8)."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:TEXT_HASH_CHARS]


def read_code_tables(paths: Iterable[Path], codebook: Codebook, table: pd.DataFrame, id_column: str = "id",
                     text_column: str = "text", complete: bool = True) -> pd.DataFrame:
    """Human codes of the rows of a table outside any workshop: one CSV per coder with the columns ``id``,
    ``focus_area`` and ``principle`` (a code id or its Danish label, any case, as in sheets), optionally
    ``koder`` (the coder; otherwise the file name, without a ``coder_`` prefix), ``text_sha256`` (see
    :func:`text_hash`: checked where given, so codes of a text that has since changed are refused) and
    ``kommentar``. Returns ``id, coder, focus_area, principle``.

    ``complete`` (a gold set such as tests/gold/real_prose): every row of ``table`` coded on both dimensions,
    with ``text_sha256``. Otherwise (``code INPUT --human-codes``) a sample will do: rows and cells left blank
    are not coded. Raises :class:`InputError` naming file, row and column for an unknown code, an id not in
    ``table`` or coded twice by one coder, a changed text, or a missing column.
    """
    paths = sorted(Path(p) for p in paths)
    if not paths:
        raise InputError("ingen kodetabeller at læse", fix="angiv mindst én CSV-fil med id, focus_area og principle")
    accepted = {dim: code_spellings(codebook, dim) for dim in ("focus_area", "principle")}
    hashes = dict(zip(table[id_column].astype(str), (text_hash(str(t)) for t in table[text_column])))
    required = ["id", "focus_area", "principle"] + (["text_sha256"] if complete else [])
    frames = []
    for path in paths:
        if not path.is_file():
            raise InputError("kodetabellen findes ikke", file=path, fix="tjek stien og filnavnet")
        # Excel's Danish CSV is semicolon-separated and Windows-1252: both are read, as for workshop tables
        text, _ = decode_text(check_file_basics(path, MAX_CODE_TABLE_BYTES), path)
        header = text.splitlines()[0] if text.strip() else ""
        sep = max(CSV_DELIMITERS, key=header.count)
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep) if any(c.strip() for c in row)]
        if not rows:
            raise InputError("kodetabellen er tom", file=path, fix=f"skriv overskriften {','.join(required)}")
        ragged = [r for r, row in enumerate(rows[1:], start=2) if len(row) != len(rows[0])]
        if ragged:
            raise InputError(f"række {ragged[0]} har {len(rows[ragged[0] - 1])} felter, men overskriften har "
                             f"{len(rows[0])}", file=path,
                             fix="sæt anførselstegn om felter, der indeholder komma (fx en kommentar)")
        codes = pd.DataFrame(rows[1:], columns=[c.strip() for c in rows[0]], dtype=str)
        missing = [c for c in required if c not in codes.columns]
        if missing:
            raise InputError(f"kolonnerne mangler: {', '.join(missing)}", file=path, location="række 1",
                             fix=f"kolonnerne skal være {', '.join(required)} (og evt. koder, kommentar)")
        codes["id"] = codes["id"].str.strip()
        coder = codes["koder"].str.strip() if "koder" in codes else pd.Series(path.stem.removeprefix("coder_"),
                                                                               index=codes.index)
        problems = [f"række {r}, kolonne koder: kodernavnet mangler" for r in coder.index[coder == ""] + 2]
        out = {"focus_area": [], "principle": []}
        for r, row in enumerate(codes.itertuples(index=False), start=2):
            if row.id not in hashes:
                problems.append(f"række {r}, kolonne id: '{row.id}' findes ikke i tabellen")
            elif "text_sha256" in codes and row.text_sha256.strip() and row.text_sha256.strip() != hashes[row.id]:
                problems.append(f"række {r}, kolonne text_sha256: teksten bag '{row.id}' er ændret siden kodningen")
            for dim in out:
                value = getattr(row, dim).strip()
                code = accepted[dim].get(value.casefold())
                if code is None and (value or complete):
                    problems.append(f"række {r}, kolonne {dim}: " + (f"ukendt kode '{value}'" if value else "koden mangler"))
                out[dim].append(code)
        frame = pd.DataFrame({"id": codes["id"], "coder": coder, **out})
        frame = frame[frame["focus_area"].notna() | frame["principle"].notna()].astype(object)
        frame = frame.where(frame.notna(), None).reset_index(drop=True)
        twice = frame.loc[frame.duplicated(["id", "coder"]), "id"].unique().tolist()
        problems += [f"'{i}' er kodet to gange af samme koder" for i in twice]
        uncoded = sorted(set(hashes) - set(frame["id"])) if complete else []
        problems += [f"{len(uncoded)} rækker i tabellen er ikke kodet (fx '{uncoded[0]}')"] if uncoded else []
        if problems:
            listed = "; ".join(problems[:PROBLEMS_LISTED])
            more = f"; og {len(problems) - PROBLEMS_LISTED} mere" if len(problems) > PROBLEMS_LISTED else ""
            raise InputError(f"{len(problems)} fejl i kodetabellen: {listed}{more}", file=path,
                             fix="brug id'er fra tabellen og koder fra kodebogen: fokusområder "
                                 f"{', '.join(codebook.dimension('focus_area').code_ids)}; principper "
                                 f"{', '.join(codebook.dimension('principle').code_ids)} – højst én kode pr. række "
                                 "og koder; er teksten ændret, så kod rækken igen og opdatér text_sha256")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
