"""Turn the hand-coded gold CSVs into coding sheets under data/raw/<workshop>/kodning/.

Provenance of the gold set (see data/raw/README.md):
- coder "A": the codes the sample data's author assigned while writing each statement
  (author_codes_<workshop>.csv);
- coder "B": an independent second coder who coded the same statements blind, from the codebook
  and the seed only (coder_b_<workshop>.csv);
- coder "C": an independent third coder, equally blind (no other coder's codes, no model output), who
  read each statement with its section and question, in document order (coder_c_<workshop>.csv; its
  `note` column – where C hesitated between two codes – goes into the sheet's `kommentar`).
The reference is the majority of the three; a three-way split goes to A.
Both are matched to statement ids by file and order, and the match is checked text by text.
Run after `workshopnlp ingest` of both sample workshops:  .venv/bin/python tests/gold/make_coding_sheets.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from workshopnlp.codebook import load_codebook
from workshopnlp.coding_sheet import COLUMNS, SHEET, write_coding_sheet
from workshopnlp.pseudonymise import Pseudonymiser

REPO = Path(__file__).resolve().parents[2]
WORKSHOPS = ("2022-10-28-dataetik", "2023-01-19-fokusomraader")
CODERS = {"A": "author_codes_{ws}.csv", "B": "coder_b_{ws}.csv", "C": "coder_c_{ws}.csv"}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def main() -> int:
    codebook = load_codebook()
    pseudo = Pseudonymiser()
    for ws in WORKSHOPS:
        st = pd.read_parquet(REPO / "data" / "processed" / ws / "statements.parquet")
        for coder, pattern in CODERS.items():
            gold = pd.read_csv(REPO / "tests" / "gold" / pattern.format(ws=ws), keep_default_na=False)
            gold = gold[gold["text"].str.strip() != ""].reset_index(drop=True)
            ids = []
            for file, group in gold.groupby("source_file", sort=False):
                rows = st[st["source_file"] == file].reset_index(drop=True)
                if len(rows) != len(group):
                    raise SystemExit(f"{ws}/{file}: {len(group)} gold rows but {len(rows)} statements")
                for (_, g), (_, s) in zip(group.iterrows(), rows.iterrows()):
                    gold_text = pseudo.pseudonymise(g["text"])[0]
                    if _norm(s["text"]) not in _norm(gold_text) and _norm(gold_text) not in _norm(
                            (s["speaker"] + " " + s["text"])):
                        raise SystemExit(f"{ws}/{file}: gold text {g['text']!r} does not match {s['text']!r}")
                    ids.append((g.name, s["statement_id"]))
            gold["statement_id"] = pd.Series(dict(ids))
            out = REPO / "data" / "raw" / ws / "kodning" / f"kodeark_{coder}.xlsx"
            subset = st.set_index("statement_id").loc[gold["statement_id"]].reset_index()
            write_coding_sheet(subset, None, codebook, out, ws)
            wb = load_workbook(out)
            sheet = wb[SHEET]
            codes = gold.set_index("statement_id")
            for row in sheet.iter_rows(min_row=2):
                sid = row[COLUMNS.index("statement_id")].value
                row[COLUMNS.index("fokusomraade")].value = codes.loc[sid, "focus_area"]
                row[COLUMNS.index("princip")].value = codes.loc[sid, "principle"]
                row[COLUMNS.index("koder")].value = coder
                if "note" in codes.columns and str(codes.loc[sid, "note"]).strip():
                    row[COLUMNS.index("kommentar")].value = str(codes.loc[sid, "note"]).strip()
            wb.save(out)
            print(f"{out.relative_to(REPO)}: {len(gold)} statements coded by {coder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
