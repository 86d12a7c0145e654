"""Blind samples, review sheets and how a reviewer's codes enter the reference (small hand-made tables)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from workshopnlp.codebook import load_codebook
from workshopnlp.coding import reference_codes, workshop_agreement
from workshopnlp.coding_sheet import (CODEBOOK_SHEET, CODEBOOK_SHEET_WIDTHS, REVIEW_COLUMN, SHEET,
                                      disputed_statements, open_disputes, read_coding_sheets, sample_per_persona,
                                      sheets_in, write_coding_sheet)
from workshopnlp.errors import InputError
from workshopnlp.reporting import disputes_text


def _statements(per_persona: dict[str, int]) -> pd.DataFrame:
    rows = []
    for persona, n in per_persona.items():
        rows += [{"statement_id": f"{persona}-{i:02d}", "persona": persona, "text": f"udsagn {i} fra {persona}",
                  "source_file": "noter.docx", "locator": f"afsnit {i}", "section": "Runde 2: Tillid",
                  "question": ""} for i in range(n)]
    return pd.DataFrame(rows)


def _codes(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(("statement_id", "coder", "focus_area", "principle", "decides"), r))
                         for r in rows])


def test_sample_per_persona_caps_each_persona_and_is_repeatable():
    st = _statements({"leder": 30, "raadgiver": 12, "sikret_ledig": 3})
    first = sample_per_persona(st, 10, seed=7)
    assert first["persona"].value_counts().to_dict() == {"leder": 10, "raadgiver": 10, "sikret_ledig": 3}
    assert first["statement_id"].tolist() == sample_per_persona(st, 10, seed=7)["statement_id"].tolist()
    assert set(first["statement_id"]) != set(sample_per_persona(st, 10, seed=8)["statement_id"])
    assert list(first.index) == sorted(first.index)  # the statement table's order, not the draw's
    with pytest.raises(InputError, match="mindst 1"):
        sample_per_persona(st, 0, seed=7)


def test_disputed_statements_are_those_the_blind_coders_disagree_on():
    human = _codes(("s1", "A", "tillid", "ingen", False), ("s1", "B", "tillid", "ingen", False),
                   ("s2", "A", "tillid", "ingen", False), ("s2", "B", "ingen", "ansvarlighed", False),
                   ("s3", "A", "formaal", "ingen", False), ("s3", "B", "formaal", "ingen", False),
                   ("s3", "R", "ingen", "ingen", True))  # a reviewer's code is not a disagreement
    assert disputed_statements(human) == {"s2": "A: tillid / ingen · B: ingen / ansvarlighed"}


def test_open_disputes_leave_out_what_a_review_has_settled():
    human = _codes(("s1", "A", "tillid", "ingen", False), ("s1", "B", "ingen", "ingen", False),
                   ("s2", "A", "tillid", "ingen", False), ("s2", "B", "ingen", "ansvarlighed", False),
                   ("s2", "R", None, "ansvarlighed", True))  # settled, even if only on one dimension
    assert set(disputed_statements(human)) == {"s1", "s2"}
    assert open_disputes(human) == {"s1": "A: tillid / ingen · B: ingen / ingen"}
    assert "1 af dem er afgjort" in disputes_text(human)


def test_a_reviewers_code_decides_the_reference_over_the_majority():
    human = _codes(("s1", "A", "ingen", "ansvarlighed", False), ("s1", "B", "ingen", "ansvarlighed", False),
                   ("s1", "C", "tillid", "ingen", False), ("s1", "R", "tillid", None, True),
                   ("s2", "A", "tillid", "ingen", False), ("s2", "B", "ingen", "ingen", False),
                   ("s2", "C", "ingen", "ingen", False))
    ref = reference_codes(human).set_index("statement_id")
    # s1: the reviewer chose the minority's focus area and left the principle to the majority
    assert ref.loc["s1", "focus_area"] == "tillid" and ref.loc["s1", "principle"] == "ansvarlighed"
    assert ref.loc["s1", "n_coders"] == 3
    assert ref.loc["s2", "focus_area"] == "ingen"  # not reviewed: the majority
    without_review = reference_codes(human[~human["decides"]]).set_index("statement_id")
    assert without_review.loc["s1", "focus_area"] == "ingen"


def test_agreement_compares_blind_coders_only():
    codebook = load_codebook()
    human = _codes(*[(f"s{i}", "A", "tillid", "ingen", False) for i in range(6)],
                   *[(f"s{i}", "B", "tillid" if i % 2 else "formaal", "ingen", False) for i in range(6)],
                   *[(f"s{i}", "R", "tillid", "ingen", True) for i in range(6)])
    codes = pd.DataFrame({"statement_id": [f"s{i}" for i in range(6)], "model_focus_area": "tillid",
                          "model_principle": "ingen"})
    pairs = set(workshop_agreement(codes, human, codebook, 0.667)["par"])
    assert any("A" in p and "B" in p for p in pairs)
    assert not any("R" in p.replace("model", "") for p in pairs), pairs


def test_review_sheet_round_trip_marks_codes_as_deciding(tmp_path):
    codebook = load_codebook()
    st = _statements({"leder": 3})
    earlier = {"leder-01": "A: tillid / ingen · B: ingen / ansvarlighed"}
    review, plain = tmp_path / "gennemgang.xlsx", tmp_path / "kodeark.xlsx"
    write_coding_sheet(st[st["statement_id"] == "leder-01"], None, codebook, review, "ws", earlier_codes=earlier)
    write_coding_sheet(st, None, codebook, plain, "ws")
    for path in (review, plain):
        wb = load_workbook(path)
        ws = wb[SHEET]
        header = [c.value for c in ws[1]]
        assert (REVIEW_COLUMN in header) == (path == review)
        if path == review:
            assert ws.cell(row=2, column=header.index(REVIEW_COLUMN) + 1).value == earlier["leder-01"]
            info = " ".join(str(r[0].value) for r in wb["Vejledning"].iter_rows())
            assert "afgør" in info and "blinde kodere" in info
        for row in ws.iter_rows(min_row=2):
            if row[header.index("statement_id")].value == "leder-01":
                row[header.index("fokusomraade")].value = "tillid" if path == review else "ingen"
                row[header.index("princip")].value = "ansvarlighed"
                row[header.index("koder")].value = "A"  # A codes blind, then reviews: two codes, no clash
        wb.save(path)
    human = read_coding_sheets([review, plain], codebook, set(st["statement_id"]), "ws")
    assert human[["coder", "focus_area", "decides"]].values.tolist() == [["A", "ingen", False], ["A", "tillid", True]]
    assert reference_codes(human).set_index("statement_id").loc["leder-01", "focus_area"] == "tillid"


def test_a_coder_with_only_the_sheet_has_the_codebook(tmp_path):
    """The blind coders coded «from the codebook and the seed»; a sheet sent by e-mail must carry both: every
    code with the seed's definition, what belongs and what does not, examples, and the codebook's rules."""
    codebook = load_codebook()
    path = tmp_path / "kodeark.xlsx"
    write_coding_sheet(_statements({"leder": 2, "sikret_ledig": 2}), None, codebook, path, "ws")
    wb = load_workbook(path)
    rows = list(wb[CODEBOOK_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == list(CODEBOOK_SHEET_WIDTHS)
    by_id = {(r[0], r[1]): dict(zip(rows[0], r)) for r in rows[1:]}
    assert len(by_id) == len(rows) - 1 == sum(len(d.codes) for d in codebook.dimensions)
    for dim in codebook.dimensions:
        for code in dim.codes:
            row = by_id[(dim.label, code.id)]
            assert row["label"] == code.label and row["definition"] == code.definition
            belongs, does_not = row["hører med"] or "", row["hører ikke med"] or ""
            assert belongs.count("• ") == len(code.include) and does_not.count("• ") == len(code.exclude)
            assert not re.search(r"→ [a-z_]+", does_not), does_not  # arrows name labels, not ids
            if code.dilemma:
                assert code.dilemma in row["dilemma og spørgsmål"] and code.question in row["dilemma og spørgsmål"]
            assert row["eksempler"].count("• ") == 4
            assert all(label in row["eksempler"] for label in ("Rådgiver", "Leder", "Sikret ledig",
                                                                 "Borger i ressourceforløb"))
    assert "→ «Teknologisk forståelse»" in by_id[("Fokusområde", "formaal")]["hører ikke med"]
    info = [r[0] for r in wb["Vejledning"].iter_rows(values_only=True)]
    assert all(f"• {' '.join(n.split())}" in info for n in codebook.notes)
    assert any(CODEBOOK_SHEET in line for line in info)
    # the sheet still reads back: only the Kodning tab is read
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("fokusomraade") + 1).value = "Formål"
    ws.cell(row=2, column=header.index("koder") + 1).value = "A"
    wb.save(path)
    ids = {"leder-00", "leder-01", "sikret_ledig-00", "sikret_ledig-01"}
    human = read_coding_sheets([path], codebook, ids, "ws")
    assert human[["statement_id", "focus_area"]].values.tolist() == [["leder-00", "formaal"]]


def test_report_says_how_many_disputes_are_open_and_how_to_settle_them():
    human = _codes(("s1", "A", "tillid", "ingen", False), ("s1", "B", "ingen", "ingen", False),
                   ("s2", "A", "formaal", "ingen", False), ("s2", "B", "formaal", "ansvarlighed", False),
                   ("s3", "A", "formaal", "ingen", False), ("s3", "B", "formaal", "ingen", False))
    text = disputes_text(human)
    assert "uenige om 2 udsagn" in text and "ingen af dem er afgjort endnu" in text and "gennemgangsark" in text
    assert "workshopnlp" not in text and "--" not in text and "README" not in text  # a reader's page: no commands
    # two coders who disagree have no majority: the page says whose code counts meanwhile (reference_codes)
    assert "Ved 2 af de uafgjorte udsagn er der intet flertal" in text and "først i alfabetet" in text
    three = pd.concat([human, _codes(("s1", "C", "tillid", "ingen", False), ("s2", "C", "formaal", "ingen", False))])
    assert "intet flertal" not in disputes_text(three)  # 2 against 1 on every dimension: a majority
    split = pd.concat([human, _codes(("s1", "C", "formaal", "ingen", False), ("s2", "C", "formaal", "ingen", False))])
    assert "Ved 1 af de uafgjorte udsagn er der intet flertal" in disputes_text(split)  # s1: tillid, ingen, formaal
    settled = pd.concat([human, _codes(("s1", "R", "tillid", None, True), ("s2", "R", None, "ingen", True))])
    text = disputes_text(settled)
    assert "uenige om 2 udsagn" in text and "2 af dem er afgjort" in text and "--review" not in text
    assert disputes_text(human[human["statement_id"] == "s3"]).startswith("De menneskelige kodere er enige")
    assert disputes_text(None).startswith("*Der er ingen uenigheder at afgøre, for ingen har kodet")


def test_lock_files_of_open_sheets_are_not_read_as_sheets(tmp_path):
    # Excel leaves "~$name.xlsx" beside a sheet that is open; it is not a workbook openpyxl can read.
    write_coding_sheet(_statements({"leder": 2}), None, load_codebook(), tmp_path / "kodeark_A.xlsx", "ws")
    (tmp_path / "~$kodeark_A.xlsx").write_bytes(b"\x00lock")
    assert [p.name for p in sheets_in(tmp_path)] == ["kodeark_A.xlsx"]
    assert sheets_in(tmp_path / "findes_ikke") == []
