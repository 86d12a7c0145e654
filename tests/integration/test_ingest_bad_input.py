"""Every kind of bad input: clear message naming the file (and place), non-zero exit, nothing damaged."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pandas as pd
import pytest

from conftest import OCTOBER, copy_raw
from workshopnlp.cli import main

pytestmark = pytest.mark.integration

GOOD_CSV = "Svar-ID;Rolle;Hvad er vigtigst for dig?\n1;Leder;At formålet med algoritmen er klart for alle\n"


def _hashes(root):
    return {p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture
def workshop(tmp_path):
    """A small valid workshop that has been ingested once; tests then break it."""
    ws = tmp_path / "raw" / "ws"
    ws.mkdir(parents=True)
    (ws / "svar.csv").write_text(GOOD_CSV, encoding="utf-8")
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(tmp_path)]) == 0
    return tmp_path


def _fails(data_dir, capsys, *expected):
    processed = data_dir / "processed" / "ws"
    raw_before = _hashes(data_dir / "raw")
    before = _hashes(processed) if processed.exists() else {}
    code = main(["ingest", "--workshop", "ws", "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert "Sådan retter du det:" in err
    for text in expected:
        assert text in err, err
    assert _hashes(data_dir / "raw") == raw_before
    if before:
        assert _hashes(processed) == before  # the previous output is intact
    return err


def test_missing_workshop_folder_lists_the_known_ones(workshop, capsys):
    code = main(["ingest", "--workshop", "findes-ikke", "--data-dir", str(workshop)])
    err = capsys.readouterr().err
    assert code != 0 and "findes ikke" in err and "ws" in err


def test_empty_folder(tmp_path, capsys):
    (tmp_path / "raw" / "ws").mkdir(parents=True)
    _fails(tmp_path, capsys, "ingen filer")


def test_empty_file(workshop, capsys):
    (workshop / "raw" / "ws" / "tom.txt").write_bytes(b"")
    _fails(workshop, capsys, "tom.txt", "tom")


def test_binary_file(workshop, capsys):
    (workshop / "raw" / "ws" / "noter.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _fails(workshop, capsys, "noter.txt", "binær")


def test_unknown_extension(workshop, capsys):
    (workshop / "raw" / "ws" / "referat.pdf").write_bytes(b"%PDF-1.4")
    _fails(workshop, capsys, "referat.pdf", ".pdf")


def test_csv_without_free_text_column(workshop, capsys):
    (workshop / "raw" / "ws" / "koder.csv").write_text("id;kommune;alder\n1;Vejle;34\n2;Kolding;51\n", encoding="utf-8")
    _fails(workshop, capsys, "koder.csv", "fritekst", "kolonner")


def test_xlsx_without_usable_sheet(workshop, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Tal"
    wb.active.append(["id", "score"])
    wb.active.append([1, 4])
    wb.save(workshop / "raw" / "ws" / "tal.xlsx")
    _fails(workshop, capsys, "tal.xlsx", "Tal")


def test_fake_xlsx(workshop, capsys):
    (workshop / "raw" / "ws" / "svar.xlsx").write_text("not a workbook", encoding="utf-8")
    _fails(workshop, capsys, "svar.xlsx", "Excel")


def test_manifest_names_missing_file(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text("sources:\n  - file: borte.docx\n", encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "borte.docx")


def test_manifest_names_missing_column(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(
        "sources:\n  - file: svar.csv\n    columns:\n      text: [Kommentar]\n", encoding="utf-8")
    _fails(workshop, capsys, "svar.csv", "Kommentar")


def test_manifest_with_unknown_key(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text("titel: Forkert nøgle\n", encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "titel")


def test_manifest_with_a_misspelt_key_names_its_line_and_the_key_meant(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(
        "title: Test\ndate: 2023-03-15\nmunicipalites: [Vejle]\nsources:\n  - file: svar.csv\n    persnoa: leder\n",
        encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml (linje 3)", "ukendte nøgler: municipalites",
           "mente du 'municipalities' i stedet for 'municipalites'?")
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(
        "title: Test\nsources:\n  - file: svar.csv\n    persnoa: leder\n", encoding="utf-8")
    _fails(workshop, capsys, "linje 3", "persnoa", "mente du 'persona' i stedet for 'persnoa'?")


def test_undecodable_bytes(workshop, capsys):
    (workshop / "raw" / "ws" / "svar.csv").write_bytes(GOOD_CSV.encode("utf-8") + b"2;Leder;\x81\x8d\x90\n")
    _fails(workshop, capsys, "svar.csv", "byte")


def test_five_megabyte_answer(workshop, capsys):
    huge = "tillid " * (5 * 1024 * 1024 // 7)
    (workshop / "raw" / "ws" / "svar.csv").write_text(GOOD_CSV + f"2;Leder;{huge}\n", encoding="utf-8")
    _fails(workshop, capsys, "svar.csv", "række 3", "Hvad er vigtigst for dig?")


NOTES = "Vi skal vide, hvad algoritmen bruges til.\n"


def test_manifest_key_written_twice(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(
        "sources:\n  - file: svar.csv\n    persona: leder\n    persona: raadgiver\n", encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "linje 4", "nøglen 'persona' står to gange", "første gang i linje 3")


def test_manifest_lists_a_file_twice(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(
        "sources:\n  - file: svar.csv\n    kind: survey\n  - file: svar.csv\n    kind: hoering\n", encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "svar.csv står to gange", "sources[1], linje 2", "sources[2], linje 4")


def test_manifest_saved_as_windows_1252_is_read(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_bytes(
        "title: Opfølgning på dataetik\nmunicipalities: [Sønderborg]\n".encode("cp1252"))
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(workshop)]) == 0
    inferred = (workshop / "processed" / "ws" / "manifest.inferred.yaml").read_text(encoding="utf-8")
    assert "title: Opfølgning på dataetik" in inferred and "Sønderborg" in inferred


def test_manifest_with_a_tab(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text("sources:\n  - file: svar.csv\n\tkind: survey\n",
                                                           encoding="utf-8")
    err = _fails(workshop, capsys, "workshop.yaml", "linje 3", "tabulator",
                 "Sådan retter du det: brug mellemrum i stedet for tabulator")
    assert "found character" in err  # PyYAML's own words follow as detail


def test_manifest_yaml_syntax_error_in_danish(workshop, capsys):
    (workshop / "raw" / "ws" / "workshop.yaml").write_text('title: "Uafsluttet\nsources: []\n', encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "linje", "er ikke gyldig YAML")


def test_manifest_persona_as_danish_label_is_accepted(workshop):
    import pandas as pd

    raw = workshop / "raw" / "ws"
    (raw / "noter.txt").write_text(NOTES, encoding="utf-8")
    (raw / "workshop.yaml").write_text("sources:\n  - file: noter.txt\n    persona: Borger i ressourceforløb\n",
                                       encoding="utf-8")
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(workshop)]) == 0
    statements = pd.read_parquet(workshop / "processed" / "ws" / "statements.parquet")
    note = statements[statements["source_file"] == "noter.txt"].iloc[0]
    assert (note["persona"], note["persona_source"]) == ("borger_i_ressourceforloeb", "manifest")
    assert "persona: borger_i_ressourceforloeb" in (workshop / "processed" / "ws" / "manifest.inferred.yaml"
                                                     ).read_text(encoding="utf-8")


def test_manifest_persona_that_names_none(workshop, capsys):
    raw = workshop / "raw" / "ws"
    (raw / "noter.txt").write_text(NOTES, encoding="utf-8")
    (raw / "workshop.yaml").write_text("sources:\n  - file: noter.txt\n    persona: chef\n", encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "ukendt persona 'chef'", "sources[1], linje 2", "sikret_ledig",
           "Borger i ressourceforløb")


def test_system_files_in_the_folder_are_ignored(workshop):
    raw = workshop / "raw" / "ws"
    for name in ("Thumbs.db", "desktop.ini", "._svar.csv", ".~lock.svar.csv#", ".DS_Store", "~$svar.xlsx"):
        (raw / name).write_bytes(b"\x00\x01 not a source")
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(workshop)]) == 0


def test_several_unknown_extensions_named_at_once(workshop, capsys):
    (workshop / "raw" / "ws" / "referat.pdf").write_bytes(b"%PDF-1.4")
    (workshop / "raw" / "ws" / "slides.pptx").write_bytes(b"PK\x03\x04")
    _fails(workshop, capsys, "2 filer", "referat.pdf ('.pdf')", "slides.pptx ('.pptx')")


def test_xlsx_with_empty_dataset_sheet(workshop, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Dataset"
    wb.active.append(["respondent_id", "Hvad er vigtigst for dig?"])
    wb.save(workshop / "raw" / "ws" / "surveyxact.xlsx")
    err = _fails(workshop, capsys, "surveyxact.xlsx", "arket 'Dataset' er tomt (kun overskriftsrækken",
                 "udfyld arket", "eksportér besvarelserne igen")
    assert "fritekst" not in err and "fjern" not in err


def test_xlsx_with_empty_dataset_sheet_beside_a_labels_sheet(workshop, capsys):
    """An export without answers must not be read from its «Labels» sheet (question texts as statements)."""
    wb = openpyxl.Workbook()
    wb.active.title = "Dataset"
    wb.active.append(["respondent_id", "Hvad er vigtigst for dig?"])
    labels = wb.create_sheet("Labels")  # SurveyXact's sheet of question texts: not answers
    labels.append(["Variabel", "Spørgsmålstekst"])
    labels.append(["s_1", "Hvad er det vigtigste formål med at bruge kunstig intelligens i jobcentret?"])
    labels.append(["s_2", "Hvad skal der til, for at du har tillid til, at kommunen bruger data til dit bedste?"])
    wb.save(workshop / "raw" / "ws" / "surveyxact.xlsx")
    _fails(workshop, capsys, "surveyxact.xlsx", "arket 'Dataset' er tomt")


def _fix(err):
    return next(line for line in err.splitlines() if line.startswith("Sådan retter du det:"))


def test_csv_with_only_a_header(workshop, capsys):
    (workshop / "raw" / "ws" / "tom.csv").write_text("Svar-ID;Rolle;Hvad er vigtigst for dig?\n\n", encoding="utf-8")
    err = _fails(workshop, capsys, "tom.csv", "tabellen er tom (kun overskriftsrækken", "udfyld tabellen",
                 f"flyt den ud af {workshop / 'raw' / 'ws'}")
    assert "fjern" not in err


def test_xlsx_without_header_or_rows_is_explained_as_an_empty_csv_is(workshop, capsys):
    """An empty workbook in a workshop folder: the file, the sheet, what it lacks (no header, no rows) and the
    fix – fill it in, or move it out of data/raw/<workshop>/ – as for a CSV with only its header; never
    "remove the file" (raw files are the user's, the tool never changes them)."""
    openpyxl.Workbook().save(workshop / "raw" / "ws" / "tom.xlsx")
    err = _fails(workshop, capsys, "tom.xlsx", "(ark 'Sheet')", "arket 'Sheet' er tomt (hverken kolonneoverskrifter",
                 "udfyld arket (kolonneoverskrifterne i første række", f"flyt den ud af {workshop / 'raw' / 'ws'}")
    assert "fjern" not in err
    (workshop / "raw" / "ws" / "tom.xlsx").unlink()
    (workshop / "raw" / "ws" / "tom.csv").write_text("Svar-ID;Rolle;Hvad er vigtigst for dig?\n", encoding="utf-8")
    assert _fix(_fails(workshop, capsys, "tom.csv")) == _fix(err).replace("udfyld arket", "udfyld tabellen")


@pytest.mark.parametrize("bad_row", [1, 3])
def test_csv_row_split_by_its_separator_is_refused_with_its_row(workshop, capsys, bad_row):
    """An unquoted «;» inside an answer gives the row more fields than the header. In the first answer row
    pandas used to read the extra fields as an index and shift every answer out of its column (rc 0: the
    file's good answers were lost and a fragment became a statement); further down it said so in English."""
    rows = ["2;Rådgiver;Borgeren skal kunne se sine data", "3;Leder;Formålet skal være klart",
            "4;Borger;Jeg vil vide hvem der ser mine oplysninger"]
    rows.insert(bad_row - 1, "1;Rådgiver;Vi skal kunne forklare; modellen; for borgeren")
    (workshop / "raw" / "ws" / "skaev.csv").write_text(
        "Svar-ID;Rolle;Hvad er vigtigst for dig?\n" + "\n".join(rows) + "\n", encoding="utf-8")
    err = _fails(workshop, capsys, "skaev.csv", f"række {bad_row + 1} har 5 felter, men overskriftsrækken har 3",
                 "anførselstegn")
    assert "Expected" not in err


def test_csv_with_a_separator_at_the_end_of_each_row_is_read_in_its_columns(workshop, capsys):
    """Empty fields beyond the header lose nothing: the answers stay in their columns."""
    (workshop / "raw" / "ws" / "svar.csv").write_text(
        "Svar-ID;Rolle;Hvad er vigtigst for dig?\n1;Leder;At formålet med algoritmen er klart for alle;\n"
        "2;Borger;At jeg kan tale med et menneske;\n", encoding="utf-8")
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(workshop)]) == 0
    import pandas as pd
    statements = pd.read_parquet(workshop / "processed" / "ws" / "statements.parquet")
    assert statements["text"].tolist() == ["At formålet med algoritmen er klart for alle",
                                           "At jeg kan tale med et menneske"]
    assert statements["persona"].iloc[0] == "leder"  # the role column was read as the role
    assert set(statements["question"]) == {"Hvad er vigtigst for dig?"}


def test_csv_whose_answers_are_all_blank_is_refused_as_a_notes_file_without_statements_is(workshop, capsys):
    (workshop / "raw" / "ws" / "tomme_svar.csv").write_text(
        "Svar-ID;Rolle;Hvad er vigtigst for dig?\n1;Leder;   \n2;Borger;\t\n3;Rådgiver; \n", encoding="utf-8")
    _fails(workshop, capsys, "tomme_svar.csv", "ingen udfyldte svar i fritekst-kolonnen 'Hvad er vigtigst for dig?'",
           "sources -> columns -> text", f"flyt den ud af {workshop / 'raw' / 'ws'}")


@pytest.mark.parametrize("suffix, what", [(".docx", "ikke et helt Word-dokument"),
                                          (".xlsx", "ikke en hel Excel-projektmappe")])
def test_zip_that_is_not_an_office_file_is_explained_in_danish(workshop, capsys, suffix, what):
    """A zip archive of something else renamed to .docx/.xlsx: the message says what is wrong in words a reader
    knows, not the name of the Python exception the library raised (it said «(KeyError)»)."""
    import zipfile
    with zipfile.ZipFile(workshop / "raw" / "ws" / f"arkiv{suffix}", "w") as z:
        z.writestr("noter.txt", "Dette er ikke et Office-dokument")
    err = _fails(workshop, capsys, f"arkiv{suffix}", what, "gem den igen")
    assert "Error" not in err and "(Key" not in err


@pytest.mark.parametrize("name, content", [("tom.csv", b""), ("blank.csv", b"  \n\t\n"), ("noter.txt", b"# Overskrift\n\n")])
def test_empty_files_are_never_to_be_removed_but_moved_out(workshop, capsys, name, content):
    """Whatever makes a file empty, the advice is to export it again or move it out of the workshop folder:
    nothing under data/raw is the tool's to change, and a user told to delete a file may lose the only copy."""
    (workshop / "raw" / "ws" / name).write_bytes(content)
    err = _fails(workshop, capsys, name, "flyt den ud af")
    assert "fjern" not in err and "slet den" not in err


@pytest.mark.parametrize("command", [["ingest"], ["coding-sheet", "export"], ["run"]])
@pytest.mark.parametrize("given", ["../raw/ws", "ABS", "..", "_cache"])
def test_a_workshop_id_that_is_a_path_is_refused_before_anything_is_read_or_written(workshop, capsys, command, given):
    """«--workshop ../raw/ws» (or an absolute path) made ingest write its statement table into the raw folder
    itself, and the next ordinary run then refused the folder's «unknown» files."""
    given = str(workshop / "raw" / "ws") if given == "ABS" else given
    raw_before, processed_before = _hashes(workshop / "raw"), _hashes(workshop / "processed")
    code = main([*command, "--workshop", given, "--data-dir", str(workshop)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    assert "(--workshop)" in err and "ikke et mappenavn" in err and "Sådan retter du det: skriv kun mappens navn" in err
    assert _hashes(workshop / "raw") == raw_before and _hashes(workshop / "processed") == processed_before
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(workshop)]) == 0  # the plain id still works


def test_compare_names_the_option_of_a_workshop_id_that_is_a_path(workshop, capsys):
    assert main(["compare", "--workshops", "ws", "../ws", "--data-dir", str(workshop)]) == 2
    assert "(--workshops)" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["", "# kilderne kommer senere\n", "\n\n"])
def test_an_empty_manifest_is_refused_not_read_as_no_manifest(workshop, capsys, content):
    """A workshop.yaml emptied by a failed copy was read as if there were none: its participants' names would
    no longer be replaced, without a word."""
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(content, encoding="utf-8")
    _fails(workshop, capsys, "workshop.yaml", "er tom", "eller slet filen")


def test_a_csv_whose_header_names_a_question_twice_is_refused_with_its_columns(workshop, capsys):
    """pandas renamed the second copy «… .1»: its answers were read under a question nobody asked."""
    (workshop / "raw" / "ws" / "svar.csv").write_text(
        "Svar-ID;Hvad er vigtigst for dig?;Hvad er vigtigst for dig?\n1;At formålet er klart;At jeg bliver hørt\n",
        encoding="utf-8")
    _fails(workshop, capsys, "svar.csv", "(række 1)", "«Hvad er vigtigst for dig?» (kolonne B, C)")


def test_a_workbook_header_naming_a_column_twice_is_refused_only_on_the_sheet_that_is_read(workshop, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "Dataset"
    wb.active.append(["respondent_id", "Hvad er vigtigst for dig?"])
    wb.active.append([1, "At formålet med algoritmen er klart for alle"])
    labels = wb.create_sheet("Labels")  # a sheet beside the answers may repeat a name: it is not read
    labels.append(["Variabel", "Tekst", "Tekst"])
    labels.append(["s_1", "Hvad er vigtigst for dig?", ""])
    notes = wb.create_sheet("Noter")  # nor need a sheet not read have its header in row 1
    notes.append(["Eksporteret fra SurveyXact"])
    notes.append(["Spørgsmål", "Type", "Obligatorisk"])
    notes.append(["Hvad er vigtigst for dig?", "Fritekst", "Nej"])
    path = workshop / "raw" / "ws" / "surveyxact.xlsx"
    wb.save(path)
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(workshop)]) == 0
    wb["Dataset"]["C1"] = "Hvad er vigtigst for dig?"
    wb["Dataset"]["C2"] = "At jeg bliver hørt"
    wb.save(path)
    _fails(workshop, capsys, "surveyxact.xlsx", "(ark 'Dataset', række 1)", "(kolonne B, C)")


def test_a_workbook_with_answers_on_two_sheets_is_refused_unless_one_is_named(workshop, capsys):
    """Only the first sheet with answers was read: a sheet per municipality lost all but Vejle's answers."""
    wb = openpyxl.Workbook()
    wb.active.title = "Vejle"
    for ws, answer in ((wb.active, "At formålet med algoritmen er klart for alle"),
                       (wb.create_sheet("Kolding"), "At jeg kan se, hvem der har kigget i mine data")):
        ws.append(["Svar-ID", "Hvad er vigtigst for dig?"])
        ws.append([1, answer])
    wb.save(workshop / "raw" / "ws" / "kommuner.xlsx")
    _fails(workshop, capsys, "kommuner.xlsx", "2 ark har fritekst-svar: 'Vejle', 'Kolding'", "saml dem i ét ark",
           "'sheet'")
    (workshop / "raw" / "ws" / "workshop.yaml").write_text(
        "sources:\n  - file: kommuner.xlsx\n    sheet: Kolding\n", encoding="utf-8")
    assert main(["ingest", "--workshop", "ws", "--data-dir", str(workshop)]) == 0
    texts = pd.read_parquet(workshop / "processed" / "ws" / "statements.parquet")["text"].tolist()
    assert "At jeg kan se, hvem der har kigget i mine data" in texts
    assert "At formålet med algoritmen er klart for alle" in texts  # from svar.csv, the folder's other file
    assert texts.count("At formålet med algoritmen er klart for alle") == 1  # not from the sheet not named


def test_a_title_above_the_header_is_named_not_read_as_an_answer(workshop, capsys):
    """A title in A1 and the header in row 3: the header was ingested as a statement and every answer's question
    became «Unnamed: 3», without a word."""
    wb = openpyxl.Workbook()
    wb.active.title = "Svar"
    wb.active.append(["Evaluering af workshoppen, januar 2023"])
    wb.active.append([])
    wb.active.append(["Svar-ID", "Rolle", "Hvad er vigtigst for dig?"])
    wb.active.append([1, "Leder", "At formålet med algoritmen er klart for alle"])
    wb.active.append([2, "Rådgiver", "At vi kan forklare borgeren, hvad systemet gør"])
    wb.save(workshop / "raw" / "ws" / "evaluering.xlsx")
    _fails(workshop, capsys, "evaluering.xlsx", "(ark 'Svar', række 1)", "under en titel",
           "slet rækkerne over kolonneoverskrifterne")


def test_a_title_line_above_a_csv_header_is_named(workshop, capsys):
    (workshop / "raw" / "ws" / "svar.csv").write_text(
        "Evaluering januar 2023\n" + GOOD_CSV, encoding="utf-8")
    _fails(workshop, capsys, "svar.csv", "(række 1)", "under en titel", "slet rækkerne over kolonneoverskrifterne")


@pytest.mark.parametrize("row, line", [(3, '2;"At jeg bliver hørt\n'), (2, '1;"At formålet" er klart\n')])
def test_a_csv_quote_left_open_names_the_row_it_opens_in(workshop, capsys, row, line):
    """pandas' English «';' expected after '"'» named neither the row nor the quote."""
    rows = ["Svar-ID;Hvad er vigtigst for dig?\n", "1;At formålet er klart\n", "2;At jeg bliver hørt\n",
            "3;Ingen kommentarer\n", "4;Tak for i dag\n"]
    rows[row - 1] = line
    (workshop / "raw" / "ws" / "svar.csv").write_text("".join(rows), encoding="utf-8")
    _fails(workshop, capsys, "svar.csv", f"(række {row})", "anførselstegn", 'skrives ""')


@pytest.mark.parametrize("name, program", [("noter.docx", "Word"), ("svar.xlsx", "Excel")])
def test_a_password_protected_office_file_says_to_remove_the_password(workshop, capsys, name, program):
    """Office stores an encrypted .docx/.xlsx as an OLE compound file; «save it again as .docx» keeps it encrypted."""
    (workshop / "raw" / "ws" / name).write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(range(256)) * 8)
    _fails(workshop, capsys, name, "adgangskode", f"åbn den i {program}", "slet koden")
