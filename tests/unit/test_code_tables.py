"""Human codes of a table outside any workshop (read_code_tables): the real-prose gold's loader."""

from __future__ import annotations

import pandas as pd
import pytest

from workshopnlp.codebook import load_codebook
from workshopnlp.coding_sheet import read_code_tables, text_hash
from workshopnlp.errors import InputError

TABLE = pd.DataFrame({"id": ["r1", "r2"], "text": ["Formålet skal være klart.", "Borgeren skal kunne se sine data."]})


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def _write(path, rows):
    pd.DataFrame(rows, columns=["id", "text_sha256", "focus_area", "principle", "kommentar"]).to_csv(path, index=False)
    return path


def _good_rows():
    return [["r1", text_hash(TABLE.text[0]), "formaal", "ingen", ""],
            ["r2", text_hash(TABLE.text[1]), "Tillid", " Individuel datakontrol ", "tøvede"]]


def test_reads_ids_and_labels_as_code_ids_per_coder(tmp_path, codebook):
    a = _write(tmp_path / "coder_D.csv", _good_rows())
    b = _write(tmp_path / "coder_E.csv", [r[:2] + ["ingen", "gennemskuelighed", ""] for r in _good_rows()])
    codes = read_code_tables([b, a], codebook, TABLE)
    assert codes["coder"].tolist() == ["D", "D", "E", "E"]
    assert codes.loc[codes.coder == "D", ["focus_area", "principle"]].values.tolist() == [
        ["formaal", "ingen"], ["tillid", "individuel_datakontrol"]]


@pytest.mark.parametrize("change, expected", [
    (lambda rows: rows[1].__setitem__(3, "privatliv"), "række 3, kolonne principle: ukendt kode 'privatliv'"),
    (lambda rows: rows[0].__setitem__(1, text_hash("en anden tekst")), "teksten bag 'r1' er ændret"),
    (lambda rows: rows.pop(), "1 rækker i tabellen er ikke kodet (fx 'r2')"),
    (lambda rows: rows.append(list(rows[0])), "'r1' er kodet to gange"),
    (lambda rows: rows.append(["r9", "0" * 12, "ingen", "ingen", ""]), "'r9' findes ikke i tabellen"),
])
def test_refuses_bad_code_tables_naming_file_row_and_fix(tmp_path, codebook, change, expected):
    rows = _good_rows()
    change(rows)
    path = _write(tmp_path / "coder_D.csv", rows)
    with pytest.raises(InputError) as err:
        read_code_tables([path], codebook, TABLE)
    assert expected in err.value.message
    assert err.value.file == str(path) and err.value.fix


def test_refuses_a_table_without_the_hash_column(tmp_path, codebook):
    path = tmp_path / "coder_D.csv"
    pd.DataFrame({"id": ["r1"], "focus_area": ["formaal"], "principle": ["ingen"]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="text_sha256"):
        read_code_tables([path], codebook, TABLE)


def test_refuses_an_unquoted_comma_as_unreadable_csv(tmp_path, codebook):
    path = tmp_path / "coder_D.csv"
    path.write_text("id,text_sha256,focus_area,principle,kommentar\n"
                    f"r1,{text_hash(TABLE.text[0])},formaal,ingen,tøvede: ingen, ikke data, slet ikke\n", encoding="utf-8")
    with pytest.raises(InputError, match="række 2 har 7 felter, men overskriften har 5") as err:
        read_code_tables([path], codebook, TABLE)
    assert "anførselstegn" in err.value.fix


def test_a_sample_may_leave_rows_and_cells_blank_and_name_its_coders(tmp_path, codebook):
    """code INPUT --human-codes: people code a sample, maybe on one dimension only, in one file for several
    coders (column koder); text_sha256 is optional there and checked where given."""
    path = tmp_path / "mine_koder.csv"
    pd.DataFrame({"id": ["r1", "r2", "r2"], "koder": ["AB", "AB", "CD"], "focus_area": ["formaal", "", "tillid"],
                  "principle": ["", "ansvarlighed", "Ansvarlighed"]}).to_csv(path, index=False)
    table = pd.concat([TABLE, pd.DataFrame({"id": ["r3"], "text": ["Ikke kodet."]})], ignore_index=True)
    codes = read_code_tables([path], codebook, table, complete=False)
    assert codes.to_dict("records") == [
        {"id": "r1", "coder": "AB", "focus_area": "formaal", "principle": None},
        {"id": "r2", "coder": "AB", "focus_area": None, "principle": "ansvarlighed"},
        {"id": "r2", "coder": "CD", "focus_area": "tillid", "principle": "ansvarlighed"}]
    with pytest.raises(InputError, match="koden mangler"):  # a gold set codes every cell
        _write(tmp_path / "coder_D.csv", [r[:2] + ["", "ingen", ""] for r in _good_rows()])
        read_code_tables([tmp_path / "coder_D.csv"], codebook, TABLE)


def test_reads_excel_s_danish_csv_and_refuses_a_row_without_its_coder(tmp_path, codebook):
    """Excel's Danish 'CSV (semikolonsepareret)' is Windows-1252 with semicolons; a koder column, when given,
    names the coder of every row."""
    path = tmp_path / "koder.csv"
    path.write_bytes("id;koder;focus_area;principle\nr1;AB;Formål;Ligeværdighed\n".encode("cp1252"))
    codes = read_code_tables([path], codebook, TABLE, complete=False)
    assert codes.to_dict("records") == [{"id": "r1", "coder": "AB", "focus_area": "formaal",
                                         "principle": "ligevaerdighed"}]
    path.write_text("id,koder,focus_area,principle\nr1,,formaal,ingen\n", encoding="utf-8")
    with pytest.raises(InputError, match="række 2, kolonne koder: kodernavnet mangler"):
        read_code_tables([path], codebook, TABLE, complete=False)


def test_a_code_without_a_majority_says_whose_code_counts():
    """«princip «Bæredygtighed»: 1 af 3 kodere» read as if one coder had outvoted two; where the three gave three
    codes, the code is the one of the coder who sorts first (coding.reference_codes), and the reason says so."""
    from workshopnlp.codebook import load_codebook
    from workshopnlp.coding import NO_MAJORITY_DA, human_code_reason, reference_codes

    human = pd.DataFrame({"statement_id": ["s1"] * 3 + ["s2"] * 3, "coder": ["A", "B", "C"] * 2,
                          "focus_area": ["formaal", "formaal", "tillid", "tillid", "tillid", "tillid"],
                          "principle": ["baeredygtighed", "ingen", "ansvarlighed", "ingen", "ingen", "ansvarlighed"]})
    reasons = human_code_reason(human, reference_codes(human), load_codebook())
    assert "princip «Bæredygtighed»: 1 af 3 kodere" + NO_MAJORITY_DA in reasons["s1"]
    assert "fokusområde «Formål»: 2 af 3 kodere;" in reasons["s1"]  # a majority: nothing added
    assert NO_MAJORITY_DA not in reasons["s2"] and "2 af 3 kodere" in reasons["s2"]
