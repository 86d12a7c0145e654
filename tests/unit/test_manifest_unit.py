"""workshop.yaml and the workshop folder: what is refused, with file, line and fix, and what is accepted."""

from __future__ import annotations

import pytest

from workshopnlp.errors import InputError
from workshopnlp.manifest import list_source_files, load_manifest, persona_of_label

SOURCES = "workshop_id: ws\nsources:\n"


def _manifest(tmp_path, text: str | bytes):
    path = tmp_path / "workshop.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def _refused(tmp_path, text: str | bytes) -> InputError:
    path = _manifest(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_manifest(path, "ws")
    err = info.value
    assert err.file == str(path) and err.fix
    return err


def test_a_key_written_twice_is_refused_with_its_line(tmp_path):
    err = _refused(tmp_path, SOURCES + "  - file: noter.txt\n    persona: leder\n    persona: raadgiver\n")
    assert "persona" in err.message and "to gange" in err.message and "linje 4" in err.message
    assert err.location.startswith("linje 5,")
    assert "'- file: …'" in err.fix


def test_a_top_level_key_written_twice_is_refused(tmp_path):
    err = _refused(tmp_path, "title: A\ntitle: B\n")
    assert "'title'" in err.message and err.location.startswith("linje 2,")


def test_a_file_listed_twice_is_refused_naming_both_entries(tmp_path):
    err = _refused(tmp_path, SOURCES + "  - file: noter.txt\n    kind: gruppe\n  - file: plenum.md\n"
                                       "  - file: noter.txt\n    persona: leder\n")
    assert "noter.txt" in err.message and "to gange" in err.message
    assert "sources[1], linje 3" in err.message and "sources[3], linje 6" in err.message
    assert err.location == "sources[3], linje 6"


def test_windows_1252_manifest_is_read_like_notes(tmp_path):
    text = SOURCES.replace("sources:\n", "title: Opfølgning på dataetik\nmunicipalities: [Sønderborg]\n")
    manifest = load_manifest(_manifest(tmp_path, text.encode("cp1252")), "ws")
    assert manifest.title == "Opfølgning på dataetik" and manifest.municipalities == ["Sønderborg"]


def test_utf8_with_bom_manifest_is_read(tmp_path):
    manifest = load_manifest(_manifest(tmp_path, "\ufefftitle: Før\n".encode("utf-8")), "ws")
    assert manifest.title == "Før"


def test_undecodable_manifest_says_save_as_utf8(tmp_path):
    err = _refused(tmp_path, b"title: \x81\x8d\x90\n")
    assert "UTF-8" in err.fix and "workshop.yaml" in err.fix


def test_a_tab_is_refused_with_line_and_fix_in_danish(tmp_path):
    err = _refused(tmp_path, SOURCES + "  - file: noter.txt\n\tkind: gruppe\n")
    assert "tabulator" in err.message and err.location.startswith("linje 4,")
    assert err.fix == "brug mellemrum i stedet for tabulator"


def test_other_yaml_syntax_errors_are_danish_with_the_line(tmp_path):
    err = _refused(tmp_path, 'title: "Uafsluttet\nsources: []\n')
    assert err.message.startswith("workshop.yaml er ikke gyldig YAML: et anførselstegn lukkes aldrig (PyYAML:")
    assert "linje 1" in err.location
    assert "anførselstegn" in err.fix


@pytest.mark.parametrize("label, persona", [
    ("Borger i ressourceforløb", "borger_i_ressourceforloeb"), ("Leder", "leder"), ("Sikret ledig", "sikret_ledig"),
    ("Rådgiver", "raadgiver"), ("sikrede ledige", "sikret_ledig"), ("LEDER", "leder"), ("Ukendt", "ukendt"),
    ("borger_i_ressourceforloeb", "borger_i_ressourceforloeb"), ("sikret_ledig", "sikret_ledig"),
])
def test_persona_given_as_a_danish_label_is_stored_as_its_id(tmp_path, label, persona):
    manifest = load_manifest(_manifest(tmp_path, SOURCES + f"  - file: noter.txt\n    persona: {label}\n"), "ws")
    assert manifest.sources[0].persona == persona


def test_persona_that_names_no_persona_is_refused_with_ids_and_labels(tmp_path):
    err = _refused(tmp_path, SOURCES + "  - file: noter.txt\n    persona: chef\n")
    assert "ukendt persona 'chef'" in err.message and err.location == "sources[1], linje 3"
    for allowed in ("raadgiver", "borger_i_ressourceforloeb", "Borger i ressourceforløb", "Sikret ledig"):
        assert allowed in err.fix


def test_persona_that_names_two_personas_is_refused(tmp_path):
    err = _refused(tmp_path, SOURCES + "  - file: noter.txt\n    persona: leder eller rådgiver\n")
    assert "flere personaer (Rådgiver, Leder)" in err.message  # the labels a reader knows, not the ids
    assert persona_of_label("leder eller rådgiver") is None


def test_system_and_lock_files_are_not_sources(tmp_path):
    for name in ("Thumbs.db", "desktop.ini", ".DS_Store", "._noter.txt", ".~lock.svar.xlsx#", "~$svar.xlsx",
                 "noter.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in list_source_files(tmp_path)] == ["noter.txt"]


def test_every_unsupported_file_is_named_at_once(tmp_path):
    for name in ("referat.pdf", "slides.pptx", "noter.txt", "UDEN_ENDELSE"):
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(InputError) as info:
        list_source_files(tmp_path)
    err = info.value
    assert err.file == str(tmp_path)
    assert err.message.startswith("3 filer har en ukendt filtype")
    for shown in ("referat.pdf ('.pdf')", "slides.pptx ('.pptx')", "UDEN_ENDELSE ('(ingen endelse)')"):
        assert shown in err.message
    assert "noter.txt" not in err.message


def test_a_date_is_year_month_day_and_the_folders_day(tmp_path):
    """A tester's «date: 15.03.2023» was accepted and ignored (the reports take the folder's date); so would
    a date left over from the previous workshop's workshop.yaml be."""
    path = _manifest(tmp_path, "workshop_id: 2023-03-15-panel\ndate: 2023-03-15\n")
    assert load_manifest(path, "2023-03-15-panel").date == "2023-03-15"
    assert load_manifest(_manifest(tmp_path, "date: '2023-03-15'\n"), "2023-03-15-panel").date == "2023-03-15"
    assert load_manifest(_manifest(tmp_path, "title: Uden dato\n"), "2023-03-15-panel").date == ""
    for text, words in (("date: 15.03.2023\n", "år-måned-dag"), ("date: 20230315\n", "år-måned-dag"),
                        ("date: '2023-W11-3'\n", "år-måned-dag"),
                        ("date: 2022-10-28\n", "mappenavnets dato 2023-03-15")):
        with pytest.raises(InputError) as info:
            load_manifest(_manifest(tmp_path, text), "2023-03-15-panel")
        assert words in info.value.message and info.value.location == "date" and info.value.fix


def test_a_danish_microsoft_forms_export_loses_its_mail_and_name_columns_unread(tmp_path):
    """A workshop writer's Forms export had «Mail» beside «Navn»: the e-mail addresses became statements
    («[EMAIL]», coded and counted, one a duplicate of another) and «anonymous» one more. Both columns are
    dropped unread, the free-text questions are the text – also one that only mentions a telephone."""
    import pandas as pd

    from workshopnlp.manifest import infer_column_roles

    frame = pd.DataFrame({
        "Id": ["1", "2", "3"], "Starttidspunkt": ["01-06-2023 10:00"] * 3,
        "Fuldførelsestidspunkt": ["01-06-2023 10:05"] * 3,
        "Mail": ["anonymous", "hanne.jensen@kolding.dk", "peter.larsen@vejle.dk"],
        "Navn": ["", "Hanne Jensen", "Peter Larsen"],
        "Hvad skal data bruges til?": ["Til at finde flaskehalse i sagerne.", "Bedre planlægning af samtaler.",
                                       "Det ved jeg ikke rigtig."],
        "Telefonisk kontakt – hvad virker?": ["Når rådgiveren ringer tilbage samme dag.", "SMS før mødet.",
                                              "Ring på 12 34 56 78 efter kl. 10, ikke før."],
        "Hvad er din e-mail?": ["hanne@example.dk", "", "Peter Larsen"]})
    roles, _ = infer_column_roles(frame, {}, tmp_path / "forms.csv")
    assert sorted(roles["drop"]) == ["Hvad er din e-mail?", "Mail", "Navn"]
    # a question that mentions a telephone is answered in sentences: kept (and pseudonymised like every text)
    assert roles["text"] == ["Hvad skal data bruges til?", "Telefonisk kontakt – hvad virker?"]


def test_a_date_with_day_and_month_swapped_is_refused_in_danish_not_a_traceback(tmp_path):
    err = _refused(tmp_path, "title: Opfølgning\ndate: 2023-15-03\n")
    assert "år-måned-dag" in err.message and err.location == "linje 2" and "2023-03-15" in err.fix


@pytest.mark.parametrize("value, copied", [('"47 navne (udeladt her af hensyn til privatlivet)"', True),
                                           ("Karina Holm, Jens Hansen", False)])
def test_participants_as_one_text_is_refused_not_read_letter_by_letter(tmp_path, value, copied):
    err = _refused(tmp_path, f"participants: {value}\n")
    assert "skal være en liste af navne" in err.message and ("manifest.inferred.yaml" in err.message) == copied
    assert "- Karina Holm" in err.fix


def test_participants_as_a_list_are_read(tmp_path):
    manifest = load_manifest(_manifest(tmp_path, "participants:\n  - Karina Holm\n  - Jens Hansen\n"), "ws")
    assert manifest.participants == ["Karina Holm", "Jens Hansen"]


def test_a_copy_of_the_inferred_manifest_is_a_valid_manifest_and_names_nobody(tmp_path):
    from workshopnlp.manifest import write_manifest

    given = load_manifest(_manifest(tmp_path, "title: Opfølgning\nparticipants: [Karina Holm, Jens Hansen]\n"), "ws")
    write_manifest(given, tmp_path / "manifest.inferred.yaml")
    text = (tmp_path / "manifest.inferred.yaml").read_text(encoding="utf-8")
    assert "Karina" not in text and "# participants: 2 navne" in text
    copy = load_manifest(_manifest(tmp_path, text), "ws")       # README step 3: copy it to workshop.yaml
    assert copy.title == "Opfølgning" and copy.participants == []


@pytest.mark.parametrize("typo, meant", [("raadgiverr", "raadgiver"), ("sikret_ledg", "sikret_ledig"),
                                         ("Lederr", "Leder")])
def test_a_misspelt_persona_id_is_refused_with_the_id_it_was_near(tmp_path, typo, meant):
    """«raadgiverr» holds the noun «rådgiver», which a speaker label may inflect or compound; in a manifest it is
    a typo of an id and must not pass quietly as that id (nor as the label's persona)."""
    err = _refused(tmp_path, SOURCES + f"  - file: noter.txt\n    persona: {typo}\n")
    assert f"ukendt persona '{typo}'" in err.message and f"mente du '{meant}'?" in err.fix
    assert persona_of_label(typo) is None


@pytest.mark.parametrize("label, persona", [("Rådgiverne", "raadgiver"), ("Dagpengemodtagere", "sikret_ledig"),
                                            ("Teamledere", "leder"), ("Borger i ressourceforlob",
                                                                      "borger_i_ressourceforloeb")])
def test_inflected_nouns_and_other_words_for_a_persona_still_name_it(label, persona):
    assert persona_of_label(label) == persona
