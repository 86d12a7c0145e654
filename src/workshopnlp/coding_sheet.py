"""Coding sheets: an XLSX a researcher codes in Excel, and reading filled sheets back.

A sheet holds one row per statement with the model's suggestion and empty coder columns with
drop-down lists of code ids (Excel data validation). Filled sheets are stored as raw input in
``data/raw/<workshop>/kodning/`` and read back by :func:`read_coding_sheets`; human codes override
the model's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .codebook import Codebook
from .errors import InputError

SHEET = "Kodning"
CODES_SHEET = "Koder"
INFO_SHEET = "Vejledning"
COLUMNS = ["statement_id", "kilde", "kontekst", "persona", "tekst", "forslag_fokusomraade", "forslag_princip",
           "forklaring", "fokusomraade", "princip", "koder", "kommentar"]
HUMAN_COLUMNS = {"fokusomraade": "focus_area", "princip": "principle"}
WIDTHS = {"statement_id": 15, "kilde": 22, "kontekst": 28, "persona": 14, "tekst": 70, "forslag_fokusomraade": 18,
          "forslag_princip": 20, "forklaring": 60, "fokusomraade": 22, "princip": 24, "koder": 10, "kommentar": 30}


def write_coding_sheet(statements: pd.DataFrame, codes: pd.DataFrame | None, codebook: Codebook, path: Path,
                       workshop_id: str) -> None:
    """Write an XLSX coding sheet for ``statements`` (with the model's suggestions if ``codes`` is given)."""
    from .coding import contexts_of

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
    ws.append(COLUMNS)
    for row in frame.itertuples(index=False):
        ws.append([row.statement_id, f"{row.source_file}, {row.locator}", row.context, row.persona, row.text,
                   row.focus_area or "", row.principle or "", row.explanation or "", "", "", "", ""])
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    coder_fill = PatternFill("solid", fgColor="FFF2CC")
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = Font(bold=True), header_fill
        ws.column_dimensions[cell.column_letter].width = WIDTHS[col]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col in ("fokusomraade", "princip", "koder"):
            row[COLUMNS.index(col)].fill = coder_fill
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
        letter = ws.cell(row=1, column=COLUMNS.index(col) + 1).column_letter
        dv.add(f"{letter}2:{letter}{max(last, 2)}")
        ws.add_data_validation(dv)
    info = wb.create_sheet(INFO_SHEET)
    for line in (f"Kodeark for workshop {workshop_id} – kodebog {codebook.codebook_id} version {codebook.version}",
                 "Udfyld de gule kolonner: fokusomraade og princip (vælg fra listen) og dine initialer i 'koder'.",
                 "Kod udsagnets primære betydning, ikke de ord der bruges. 'ingen' når ingen kode passer.",
                 "'kontekst' er afsnittet eller spørgsmålet, udsagnet blev sagt eller skrevet til.",
                 "Forslagene er maskinens; de er kun et udgangspunkt. Lad feltet stå tomt, hvis du ikke koder udsagnet.",
                 "Gem filen i data/raw/<workshop>/kodning/ og kør: workshopnlp coding-sheet import --workshop <id>"):
        info.append([line])
    info.column_dimensions["A"].width = 110
    wb.properties.title = f"workshopnlp kodeark {workshop_id}"
    wb.properties.creator = "workshopnlp"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def read_coding_sheets(paths: Iterable[Path], codebook: Codebook, statement_ids: set[str] | None = None,
                       workshop_id: str = "") -> pd.DataFrame:
    """Read filled sheets into ``statement_id, coder, focus_area, principle, sheet`` rows.

    Raises :class:`InputError` for unknown codes, unknown statement ids, a missing coder name, or a
    statement coded twice by the same coder with different codes.
    """
    focus = set(codebook.dimension("focus_area").code_ids)
    principles = set(codebook.dimension("principle").code_ids)
    rows = []
    paths = sorted(Path(p) for p in paths)
    if not paths:
        raise InputError("ingen kodeark at læse", fix="angiv mindst én udfyldt .xlsx-fil")
    for path in paths:
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise InputError(f"kodearket kan ikke læses ({type(exc).__name__})", file=path,
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
        for r, values_row in enumerate(values[1:], start=2):
            def cell(name):
                v = values_row[col[name]] if col[name] < len(values_row) else None
                return "" if v is None else str(v).strip()
            sid, f, p, coder = cell("statement_id"), cell("fokusomraade"), cell("princip"), cell("koder")
            if not sid or (not f and not p):
                continue
            where = f"ark '{SHEET}', række {r}"
            if statement_ids is not None and sid not in statement_ids:
                raise InputError(f"udsagnet '{sid}' findes ikke i workshoppen {workshop_id}", file=path,
                                 location=where, fix="brug et kodeark eksporteret fra samme workshop, eller kør "
                                                     "ingest igen hvis rå-filerne er ændret")
            if f and f not in focus:
                raise InputError(f"ukendt fokusområde '{f}'", file=path, location=f"{where}, kolonne fokusomraade",
                                 fix=f"brug en af {', '.join(sorted(focus))}")
            if p and p not in principles:
                raise InputError(f"ukendt princip '{p}'", file=path, location=f"{where}, kolonne princip",
                                 fix=f"brug en af {', '.join(sorted(principles))}")
            if not coder:
                raise InputError("kodernavnet mangler", file=path, location=f"{where}, kolonne koder",
                                 fix="skriv dine initialer i kolonnen 'koder' ud for hvert udsagn du koder")
            rows.append({"statement_id": sid, "coder": coder, "focus_area": f or None, "principle": p or None,
                         "sheet": path.name})
    frame = pd.DataFrame(rows, columns=["statement_id", "coder", "focus_area", "principle", "sheet"])
    clash = frame.groupby(["statement_id", "coder"]).agg(n=("focus_area", "size"),
                                                         f=("focus_area", "nunique"), p=("principle", "nunique"))
    bad = clash[(clash["f"] > 1) | (clash["p"] > 1)]
    if len(bad):
        sid, coder = bad.index[0]
        raise InputError(f"koderen '{coder}' har givet udsagnet '{sid}' forskellige koder i flere ark",
                         file=", ".join(p.name for p in paths), fix="ret eller fjern det ene ark")
    return frame.drop_duplicates(["statement_id", "coder"]).sort_values(["statement_id", "coder"]).reset_index(drop=True)
