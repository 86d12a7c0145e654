"""Reading notes and tables: headings, speakers, bullets, encodings, delimiters."""

import csv
import io
from pathlib import Path

import pytest

from workshopnlp.errors import InputError
from workshopnlp.personas import normalise_persona
from workshopnlp.readers import decode_text, parse_text_notes, read_csv_table, sniff_delimiter

TXT = """Gruppe 3 – sikrede ledige

Borger: Jeg vil vide hvem der ser mine oplysninger.
- kort punkt om samtykke
Vi mangler en forklaring

Praktisk

Pause kl. 10.15.
"""


def _notes_table(text: str, file: str = "noter.txt", kind: str = "gruppe", markdown: bool = False):
    """The statement table ingest builds from one notes file's ``text`` (no manifest): (table, redaction log, raw
    statements)."""
    from workshopnlp.config import load_params
    from workshopnlp.ingest import build_statement_table, statements_from_blocks
    from workshopnlp.manifest import Manifest, SourceSpec

    raw = statements_from_blocks(parse_text_notes(text, markdown=markdown), SourceSpec(file=file, kind=kind), [])
    return (*build_statement_table(Manifest(workshop_id="ws"), raw, load_params(), Path(".")), raw)


def test_plain_text_headings_need_blank_lines_and_no_final_punctuation():
    blocks = parse_text_notes(TXT, markdown=False)
    headings = [b.text for b in blocks if b.kind == "heading"]
    lines = [b.text for b in blocks if b.kind == "line"]
    assert headings == ["Gruppe 3 – sikrede ledige", "Praktisk"]
    # "Vi mangler en forklaring" has no final punctuation but is not surrounded by blank lines.
    assert lines == ["Borger: Jeg vil vide hvem der ser mine oplysninger.", "kort punkt om samtykke",
                     "Vi mangler en forklaring", "Pause kl. 10.15."]


def test_markdown_headings_bullets_and_bold():
    md = "# Gruppe 2 – ledere\n\n## Runde 1\n- **vigtigt** med klart formål\n* andet punkt\n\n---\n**Opsamling**\ntekst her."
    blocks = parse_text_notes(md, markdown=True)
    assert [(b.kind, b.text, b.level) for b in blocks] == [
        ("heading", "Gruppe 2 – ledere", 1), ("heading", "Runde 1", 2), ("line", "vigtigt med klart formål", 0),
        ("line", "andet punkt", 0), ("heading", "Opsamling", 2), ("line", "tekst her.", 0)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_danish_text_decodes_in_office_encodings(encoding):
    text = "Borgerne skal kunne få indsigt i sagsbehandlingen – også på Sønderborg Kommunes jobcenter æøå ÆØÅ"
    decoded, _ = decode_text(text.encode(encoding), Path("x.csv"))
    assert decoded.lstrip("\ufeff") == text


def test_undecodable_bytes_name_the_offset():
    with pytest.raises(InputError) as err:
        decode_text("svar: ".encode() + b"\x81\x8d\x8f\x90", Path("svar.csv"))
    assert "byte 6" in err.value.describe() and "svar.csv" in err.value.describe()


def test_binary_file_is_refused():
    with pytest.raises(InputError, match="binær"):
        decode_text(b"PK\x03\x04\x00\x00binary", Path("x.txt"))


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_delimiters_are_sniffed(tmp_path, sep):
    rows = [["Svar-ID", "Rolle", "Hvad er vigtigst?"], ["1", "Leder", "At formålet er klart, også for borgerne"],
            ["2", "Rådgiver", "tillid; og tid til samtalen"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    content = buffer.getvalue()
    path = tmp_path / "svar.csv"
    path.write_text(content, encoding="cp1252")
    frame = read_csv_table(path, 10_000_000)
    assert list(frame.columns) == ["__row__", "Svar-ID", "Rolle", "Hvad er vigtigst?"]
    assert frame.loc[1, "Hvad er vigtigst?"] == "tillid; og tid til samtalen"
    assert sniff_delimiter(content) == sep


@pytest.mark.parametrize("label, persona", [
    ("Rådgiver", "raadgiver"), ("rådgiver i jobcenter", "raadgiver"), ("Sagsbehandler", "raadgiver"),
    ("Leder", "leder"), ("Gruppe 2 – ledere", "leder"), ("Sikret ledig", "sikret_ledig"),
    ("Ledig (a-kasse)", "sikret_ledig"), ("Gruppe 3 – sikrede ledige", "sikret_ledig"),
    ("Borger i ressourceforløb", "borger_i_ressourceforloeb"), ("ressourceforløb", "borger_i_ressourceforloeb"),
    ("Privatperson", None), ("Facilitator", None), ("Runde 1: Formål", None)])
def test_persona_labels(label, persona):
    assert normalise_persona(label) == persona


def test_non_answers_are_empty_content_but_answers_that_start_like_them_are_not():
    import pandas as pd

    from workshopnlp.config import load_params
    from workshopnlp.ingest import empty_content_mask

    texts = pd.Series(["ved ik", "Kan ikke svare på det.", "Jeg har ikke nogen mening om det", "pas",
                       "Ingen kommentarer!",
                       "Jeg har ikke nogen mening om AI, men formålet skal være klart for borgeren",
                       "ved ikke om jeg stoler på det, hvis ingen forklarer hvad data bruges til",
                       "pas på med at love for meget"])
    mask = empty_content_mask(texts, load_params()["ingest"]).tolist()
    assert mask == [True, True, True, True, True, False, False, False]
    # a bare yes is as empty as a bare no (September's «Ja.» was coded where «Nej» was not); a yes with a reason is not
    yes_no = pd.Series(["Ja.", "ja", "Nej", "Ja tak", "Ja, hvis mentorerne lærer at sige det ordentligt.",
                        "Nej, ikke før jeg ved, hvem der har haft mine data."])
    assert empty_content_mask(yes_no, load_params()["ingest"]).tolist() == [True, True, True, True, False, False]


def test_a_line_that_is_only_a_transcribers_aside_is_empty_content_but_a_sentence_with_one_is_not():
    """«(latter)» in a transcript and «(kaffe slut på 2. sal)» in notes are nobody's statement; a sentence
    with an aside in it («… [uhørligt] … to timer om ugen») still is."""
    import pandas as pd

    from workshopnlp.config import load_params
    from workshopnlp.ingest import empty_content_mask

    texts = pd.Series(["(latter)", " [uhørligt] ", "(kaffe slut på 2. sal – hent på 1.)",
                       "Vi har fået frigjort tid. [uhørligt] … måske to timer om ugen.",
                       "(vigtigt) borgeren skal spørges først", "(a) og (b) er begge gode"])
    mask = empty_content_mask(texts, load_params()["ingest"]).tolist()
    assert mask == [True, True, True, False, False, False]


def test_a_consultation_export_is_its_own_kind_with_the_personas_its_role_column_names():
    """A consultation portal's export is «Høringssvar», not «Spørgeskema» (the people answered a public
    consultation, not the workshop's questions), and its «Udtaler sig som» column gives the personas it
    names although most of its answers ("Privatperson", "Organisation") name none."""
    import pandas as pd

    from workshopnlp.manifest import infer_column_roles, infer_table_kind

    roles = ["Privatperson", "Organisation", "Leder", "Borger i ressourceforløb", "Medarbejder"] * 4
    frame = pd.DataFrame({"Høringssvar ID": [f"HS-{i}" for i in range(20)], "Udtaler sig som": roles,
                          "Resume": [f"Et høringssvar om formålet med projektet, nummer {i}." for i in range(20)]})
    path = Path("export.xlsx")
    assert infer_table_kind(path, frame) == "hoering"
    assert infer_table_kind(Path("hoeringsportal.csv"), frame[["Resume"]]) == "hoering"
    assert infer_table_kind(Path("spoergeskema.csv"), frame[["Udtaler sig som", "Resume"]]) == "survey"
    found, _ = infer_column_roles(frame, {}, path)
    assert found["persona"] == "Udtaler sig som" and found["text"] == ["Resume"]
    assert [normalise_persona(r) for r in roles[:5]] == [None, None, "leder", "borger_i_ressourceforloeb", None]
    # ... in a small file too (the labels are few and short, however few the rows)
    assert infer_column_roles(frame.head(6), {}, path)[0]["persona"] == "Udtaler sig som"
    # a survey question that mentions a consultation does not make the survey one
    assert infer_table_kind(path, pd.DataFrame(columns=["Hvad synes du om høringsprocessen?"])) == "survey"
    # a role-like header over free text, or over answers of which one mentions a persona, is no role column
    for answers in ([f"Jeg er en borger med mange års erfaring, svar {i}" for i in range(20)],
                    [f"Som leder synes jeg, at vi skal fortælle borgerne mere om formålet ({i})" for i in range(20)],
                    ["Som leder vil jeg gerne vide, hvem der har adgang til data"] + ["Ingen kommentarer"] * 19,
                    ["Vi ledige vil høres"] + ["Ingen kommentarer"] * 19):
        frame["Udtaler sig som"] = answers
        assert "persona" not in infer_column_roles(frame, {}, path)[0], answers[0]


def test_a_tables_subject_column_is_the_answers_context_not_a_statement(tmp_path):
    """A consultation portal's «Emne» («Dashboards og data») is what the writer titled the answer: it is the
    answer's context (role ``subject``, the statement's section), not passed over and not a statement. A column
    headed «Emne» that people answered in sentences is free text; a subject named in workshop.yaml must exist."""
    import pandas as pd

    from workshopnlp.errors import InputError
    from workshopnlp.manifest import infer_column_roles

    subjects = ["Dashboards og data", "Information til borgerne", "Andet", "Fortsættelse af projektet"] * 3
    frame = pd.DataFrame({"Svar-ID": [f"HS-{i}" for i in range(12)], "Emne": subjects,
                          "Høringssvar": [f"Vi har brug for at vide, hvad data bruges til, svar nummer {i}."
                                          for i in range(12)]})
    path = tmp_path / "høring.csv"
    roles, inferred = infer_column_roles(frame, {}, path)
    assert roles["subject"] == "Emne" and roles["text"] == ["Høringssvar"] and "subject" in inferred
    assert infer_column_roles(frame.rename(columns={"Emne": "Vedrørende"}), {}, path)[0]["subject"] == "Vedrørende"
    # answered in sentences, «Emne» is a question people wrote about: kept as text
    frame["Emne"] = [f"Jeg vil gerne skrive om det, der fylder mest for mig i hverdagen i jobcentret, punkt {i}: "
                     "hvem der ser mine data, og hvorfor de gemmes så længe" for i in range(12)]
    roles, _ = infer_column_roles(frame, {}, path)
    assert "subject" not in roles and "Emne" in roles["text"]
    with pytest.raises(InputError, match="'Tema' \\(subject\\) findes ikke"):
        infer_column_roles(frame, {"subject": "Tema"}, path)
    # a manifest's subject is used as given, and its column is not read as text
    roles, inferred = infer_column_roles(frame, {"subject": "Emne"}, path)
    assert roles["subject"] == "Emne" and roles["text"] == ["Høringssvar"] and "subject" not in inferred


@pytest.mark.parametrize("label, speaker", [
    ("Rådgiver", True), ("Borger fra Kolding", True), ("Leder Kolding", True), ("Facilitator", True),
    ("Mentor", True), ("Virksomhedskonsulent", True), ("En borger", True), ("Sikret ledig", True), ("MH", True),
    ("Risiko", False), ("Udbud", False), ("KPI", False), ("KPI’er", False), ("Bias-test", False),
    ("Til stede", False), ("Kontakt i projektsekr.", False), ("Pas på med at forsimple", False),
    ("Borgerinddragelse", False), ("Ledighed", False), ("Et eksempel", False), ("Andre kommuner", False),
    ("Dagpengesystemet", False), ("OK", False), ("DPIA", False), ("Bjarke", True), ("Presse/SoMe", True),
    # topic words of the protected list and compounds of two common words (found by workshop writers)
    ("Process Mining", False), ("Jobnet", False), ("Datakvalitet", False), ("Ressourceforløb", False),
    # ... but a place says where the speaker is from, and a compound-like name in the name lists is a name
    ("Kolding", True), ("Liselotte", True), ("Lindholm", True),
])
def test_a_label_before_a_colon_is_a_speaker_only_when_it_names_who_speaks(label, speaker):
    """«KPI: ikke kun sagsbehandlingstid» is about KPIs: the topic must stay in the text, and nobody is
    numbered «Deltager 3» for it. A role, a persona or initials name a speaker."""
    from workshopnlp.ingest import is_speaker_label

    assert is_speaker_label(label) is speaker


def test_a_personal_name_before_a_colon_is_a_speaker_even_one_the_name_lists_lack():
    """Privacy first: «Bjarke: …» stays a speaker («Deltager N»), although no name list knows Bjarke – only a
    label of common Danish words is taken for a topic and kept in the text."""
    from workshopnlp.ingest import build_statement_table, is_speaker_label
    from workshopnlp.manifest import Manifest
    from workshopnlp.pseudonymise import Pseudonymiser

    _, redactions = Pseudonymiser().pseudonymise("Mette Hansen", label=True)
    assert is_speaker_label("Mette Hansen", redactions)
    for name in ("Bjarke", "Thorbjørn", "Malik", "Bjarke fra Vejle", "Halfdan Ravn"):
        assert is_speaker_label(name), name
    from workshopnlp.config import load_params
    from workshopnlp.ingest import RawStatement

    raw = [RawStatement("noter.txt", "gruppe", 1, "linje 1", "vi skal have mere åbenhed", speaker_label="Bjarke"),
           RawStatement("noter.txt", "gruppe", 2, "linje 2", "formålet glider", speaker_label="Risiko")]
    table, _ = build_statement_table(Manifest(workshop_id="ws"), raw, load_params(), Path("."))
    assert table["speaker"].tolist() == ["Deltager 1", ""]
    assert table["text"].tolist() == ["vi skal have mere åbenhed", "Risiko: formålet glider"]
    assert "Bjarke" not in table.to_csv()


def test_the_metadata_lines_of_minutes_are_kept_whole_but_have_no_content():
    """«Referent: Søren Dalsgaard, projektsekretariatet.» named the note-taker as the speaker «Referent» and was
    coded, counted and clustered like a statement (8 such lines in the five illustrative workshops; the coders
    gave them «ingen»). A metadata line keeps its label in the text, has no speaker and no content to code;
    people who attended still speak («Deltagerne: …», «En deltager: …»), and a topic label stays content."""
    from workshopnlp.config import load_params
    from workshopnlp.ingest import build_statement_table, is_metadata_label
    from workshopnlp.manifest import Manifest

    labels = load_params()["ingest"]["metadata_labels"]
    assert is_metadata_label("Til  Stede", labels) and is_metadata_label("referent", labels)
    assert not is_metadata_label("Deltagerne", labels) and not is_metadata_label("Tid", labels)
    assert not is_metadata_label("", labels)
    text = ("# Referat – plenum\n\nReferent: Søren Dalsgaard, projektsekretariatet.\n\n"
            "Til stede: seks rådgivere fra Kolding og Vejle.\n\n"
            "Deltagere: 5 ledere fra Syddjurs og Randers.\n\n"
            "Deltagerne: vi vil gerne vide, hvad data bruges til.\n\n"
            "Risiko: formålet glider over tid.\n")
    table, log, raw = _notes_table(text, "plenum_referat.md", "plenum", markdown=True)
    assert table["text"].tolist() == ["Referent: [NAVN], projektsekretariatet.",
                                      "Til stede: seks rådgivere fra Kolding og Vejle.",
                                      "Deltagere: 5 ledere fra Syddjurs og Randers.",
                                      "vi vil gerne vide, hvad data bruges til.",
                                      "Risiko: formålet glider over tid."]
    assert table["is_empty_content"].tolist() == [True, True, True, False, False]
    assert table["speaker"].tolist() == ["", "", "", "Deltagerne", ""]
    assert int(log.loc[log["kind"] == "navn", "count"].sum()) == 1
    # the id hashes the text after the label, as before: coding sheets of earlier runs still match
    before = [st.text for st in raw]
    assert before[0] == "Søren Dalsgaard, projektsekretariatet."
    # a survey answer that opens like a metadata line is an answer
    from workshopnlp.ingest import RawStatement

    answer = [RawStatement("svar.csv", "survey", 1, "række 2", "Dagsorden: for lang, for lidt tid til os",
                           respondent="7", question="Har du andre kommentarer?")]
    table, _ = build_statement_table(Manifest(workshop_id="ws"), answer, load_params(), Path("."))
    assert table["is_empty_content"].tolist() == [False]


def test_the_facilitators_lines_are_kept_and_listed_but_not_a_participants_statements():
    """«Ordstyrer: Skal vi tage hændelsen i maj?», «Facilitator: Vi holder fem minutters pause»: the session's
    leader asks, announces and thanks. Such lines were coded, counted and clustered as participants'
    statements (September's ordstyrer gave page 02 an example; October's facilitator made half of a theme).
    They are kept with their speaker and flagged ``is_facilitator`` (no content to code); a turn running on from
    the facilitator's line is the facilitator's too; a line that narrates what the facilitator did is the
    minutes' own, and a participant who names the facilitator still speaks."""
    from workshopnlp.ingest import STATEMENT_COLUMNS, facilitator_mask

    text = ("Plenum\n\n"
            "[10:31] Ordstyrer: Tak for kaffen. Skal vi tage hændelsen i maj?\n"
            "Hvem vil begynde?\n"
            "[10:32] Rådgiver: Vi skal kunne forklare borgeren, hvad modellen bruger.\n"
            "[10:33] Facilitator: Vi holder fem minutters pause.\n"
            "[10:40] Borger: Facilitatoren spurgte om tillid, og jeg stoler ikke på systemet.\n"
            "Facilitator præsenterede kort piloten: en model foreslår, hvem der får en mentor.\n")
    table, _, _ = _notes_table(text, "plenum.txt", "plenum")
    assert "is_facilitator" in STATEMENT_COLUMNS
    by_text = table.set_index("text")
    leader = ["Tak for kaffen. Skal vi tage hændelsen i maj?", "Hvem vil begynde?", "Vi holder fem minutters pause."]
    assert sorted(table.loc[table["is_facilitator"], "text"]) == sorted(leader)
    assert by_text.loc[leader, "is_empty_content"].all(), "not coded or counted"
    assert by_text.loc[leader[0], "speaker"] == "Ordstyrer" and by_text.loc[leader[2], "speaker"] == "Facilitator"
    others = table[~table["is_facilitator"]]
    assert len(others) == 3 and not others["is_empty_content"].any()
    # what the facilitator asked is the context of the answers after it, as a survey's question is; a line that
    # asks nothing («Vi holder fem minutters pause.») ends it, and so does a heading
    assert by_text.loc["Vi skal kunne forklare borgeren, hvad modellen bruger.", "section"] == \
        "Plenum > Tak for kaffen. Skal vi tage hændelsen i maj? Hvem vil begynde?"
    assert by_text.loc[leader, "section"].eq("Plenum").all()
    assert by_text.loc["Facilitatoren spurgte om tillid, og jeg stoler ikke på systemet.", "section"] == "Plenum"
    from workshopnlp.coding import contexts_of
    from workshopnlp.ingest import leader_question

    assert contexts_of(table)[table["text"].tolist().index("Vi skal kunne forklare borgeren, hvad modellen bruger.")] \
        == "Tak for kaffen. Skal vi tage hændelsen i maj? Hvem vil begynde?"
    assert leader_question("Tak.  Skal vi tage\nhændelsen i maj?") == "Tak. Skal vi tage hændelsen i maj?"
    assert leader_question("Vi holder fem minutters pause.") == ""
    asked = ("Gruppe 2\n\nFacilitator: Hvad betyder tillid for jer?\n\nLeder: At vi kan forklare det.\n\n"
             "Runde 2\n\nLeder: Formålet skal være klart.\n")
    assert _notes_table(asked)[0]["section"].tolist() == ["Gruppe 2", "Gruppe 2 > Hvad betyder tillid for jer?", "Runde 2"]
    assert facilitator_mask(table).tolist() == table["is_facilitator"].tolist()
    # a label that only starts like the facilitator's is someone else's point; the plural is the leaders'
    notes = ("Gruppe 1 – rådgivere\n\nFacilitatorens opsamling: vi skal kunne forklare modellen.\n"
             "Tovholderne: tak for i dag.\n")
    table = _notes_table(notes)[0]
    assert table["is_facilitator"].tolist() == [False, True], table[["text", "is_facilitator"]]
    assert not facilitator_mask(table.drop(columns="is_facilitator")).any(), "a table from before the column"


@pytest.mark.parametrize("iso, text, names", [
    ("2022-10-28", "Workshoppen blev afholdt den 28. oktober 2022 kl. 9.00–11.00", True),
    ("2023-09-20", "20/9-23, Sønderborg. Noter fra de 4 borde", True),
    ("2023-05-24", "Onsdag den 24. maj 2023, kl. 9.30–15.00, Kolding Jobcenter.", True),
    ("2023-03-15", "Referat – borgerpanel om data og AI, 15. marts 2023", True),
    ("2023-03-05", "Noter 05.03.23", True), ("2023-03-05", "5/3", True), ("2023-03-05", "2023-03-05", True),
    ("2022-10-28", "28. okt. i Vejle", True), ("2022-10-28", "28-10-2022", True),
    ("2023-03-15", "15. maj 2023", False), ("2023-03-15", "115. marts", False), ("2023-03-15", "5. marts", False),
    ("2023-03-15", "15/30 sager", False), ("2023-03-15", "15 martsmøder", False), ("2022-10-28", "28.10.2021", False),
    ("2023-06-14", "Formålet skal kunne stå på 14 sider", False), ("2022-10-28", "28.10-2022", False),
])
def test_the_workshops_day_is_found_as_notes_write_it(iso, text, names):
    from workshopnlp.ingest import date_pattern

    assert bool(date_pattern(iso).search(text)) == names


def test_a_notes_files_opening_line_naming_the_workshops_day_is_its_header_without_content():
    """«Onsdag den 24. maj 2023, kl. 9.30–15.00, Kolding Jobcenter. Deltagere …» and «20/9-23, Sønderborg. Noter
    fra de 4 borde …» opened six of the seven workshops' notes and were coded, counted and clustered as
    statements (every coder gave them «ingen»). The first line with content of a notes file that names the
    workshop's own day, or only names who took the notes («noter: [NAVN] (Vejle JC)», which counted as something
    the insured unemployed said), is its header: kept whole, without content. A later line, a line somebody
    says, a line naming another day and a survey answer naming the day are content."""
    from workshopnlp.config import load_params
    from workshopnlp.ingest import RawStatement, build_statement_table, statements_from_blocks
    from workshopnlp.manifest import Manifest, SourceSpec

    def table(text, file="gruppe1.md", workshop="2023-05-24-temadag", date=""):
        raw = statements_from_blocks(parse_text_notes(text, markdown=True), SourceSpec(file=file, kind="gruppe"), [])
        return build_statement_table(Manifest(workshop_id=workshop, date=date), raw, load_params(), Path("."))[0]

    header = "Onsdag den 24. maj 2023, kl. 9.30–15.00, Kolding Jobcenter. Deltagere fra Kolding og Randers."
    later = "Vi aftalte den 24. maj, at borgerne skal kunne se, hvad data bruges til."
    notes = table(f"# Gruppe 1\n\nDato: 24/5-23\n\n{header}\n\n{later}\n")
    assert notes["text"].tolist() == ["Dato: 24/5-23", header, later]
    assert notes["is_empty_content"].tolist() == [True, True, False]
    assert notes["lemmas"].iloc[1]  # kept whole and analysed, only not coded or counted
    # the manifest's date is the day (an id without one), and a line naming another day is content
    assert table(f"{header}\n\n{later}\n", workshop="temadag", date="2023-05-24")["is_empty_content"].tolist() \
        == [True, False]
    assert not table(f"{header}\n\n{later}\n", workshop="2023-05-25-temadag")["is_empty_content"].any()
    assert not table(f"{header}\n\n{later}\n", workshop="temadag")["is_empty_content"].any()
    # a by-line in a group's notes names who took them: not something the group said
    by_line = table("# Gruppe 4 - forsikrede ledige\n\nnoter: Camilla Holm (Vejle JC)\n\n"
                    "Noter: Camilla Holm sagde, at formålet skal være klart\n")
    assert by_line["text"].tolist() == ["noter: [NAVN] (Vejle JC)", "Noter: [NAVN] sagde, at formålet skal være klart"]
    assert by_line["is_empty_content"].tolist() == [True, False]
    assert table("Noter v. Camilla Holm, jobcenter Syddjurs – rettelser til ch@syddjurs.dk\n\n"
                 f"{later}\n", workshop="temadag")["is_empty_content"].tolist() == [True, False]
    for content in ("Noter: Camilla Holm sagde, at formålet skal være klart", "noter: vi skal huske borgerne",
                    "Noter fra de 4 borde om formålet", "Noter ved mødet: borgerne vil vide mere"):
        assert not table(f"{content}\n", workshop="temadag")["is_empty_content"].any(), content
    # a speaker's line is said by somebody, however it opens
    assert table(f"Leder: {header}\n\n{later}\n")["is_empty_content"].tolist() == [False, False]
    answer = [RawStatement("svar.csv", "survey", 1, "række 2", header, respondent="7", question="Hvornår?")]
    built = build_statement_table(Manifest(workshop_id="2023-05-24-temadag"), answer, load_params(), Path("."))[0]
    assert built["is_empty_content"].tolist() == [False]


def _post_it_document(path: Path) -> Path:
    """Group notes as people type post-its into Word: a heading, a sentence, a table with a header row and a
    label column, a table of columns under category headers, and a closing paragraph after the tables."""
    import docx

    document = docx.Document()
    document.add_heading("Gruppe 1 – rådgivere", level=1)
    document.add_paragraph("Post-its fra væggen er skrevet ind i tabellen herunder.")
    table = document.add_table(rows=4, cols=2)
    for row, (label, text) in zip(table.rows, [("Fokusområde", "Post-it"),
                                               ("Formål", "Vi skal kunne forklare formålet på under et minut."),
                                               ("Tillid", "Borgeren skal altid kunne tale med et menneske."),
                                               ("Leder", "Hvem har ansvaret, når modellen tager fejl?")]):
        row.cells[0].text, row.cells[1].text = label, text
    columns = document.add_table(rows=2, cols=2)
    columns.rows[0].cells[0].text, columns.rows[0].cells[1].text = "Tillid", "Teknologisk forståelse"
    columns.rows[1].cells[0].text = "Vi skal vide, hvad systemet ser på."
    columns.rows[1].cells[1].text = "Rådgiverne skal på kursus, før systemet tages i brug."
    document.add_paragraph("Tak for i dag.")
    document.save(str(path))
    return path


def test_a_word_table_of_post_its_gives_statements_with_their_labels_as_context(tmp_path):
    """A tester's post-it table became five statements «Fokusområde», «Post-it», «Formål», … each coded and
    counted. A header row and a label column are the context of the cells they label, not statements, and
    the tables are read where they stand in the document."""
    from workshopnlp.readers import read_docx_notes

    blocks = read_docx_notes(_post_it_document(tmp_path / "gruppe.docx"))
    lines = [(b.text, b.context) for b in blocks if b.kind == "line"]
    assert lines == [
        ("Post-its fra væggen er skrevet ind i tabellen herunder.", ""),
        ("Vi skal kunne forklare formålet på under et minut.", "Fokusområde: Formål"),
        ("Borgeren skal altid kunne tale med et menneske.", "Fokusområde: Tillid"),
        ("Hvem har ansvaret, når modellen tager fejl?", "Fokusområde: Leder"),
        ("Vi skal vide, hvad systemet ser på.", "Tillid"),
        ("Rådgiverne skal på kursus, før systemet tages i brug.", "Teknologisk forståelse"),
        ("Tak for i dag.", ""),
    ]
    assert len({b.line_no for b in blocks}) == len(blocks), "each paragraph keeps its own number"


def test_a_table_row_label_is_the_statements_section_and_may_name_its_persona(tmp_path):
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec
    from workshopnlp.readers import read_docx_notes

    blocks = read_docx_notes(_post_it_document(tmp_path / "gruppe.docx"))
    statements = statements_from_blocks(blocks, SourceSpec(file="gruppe.docx", kind="gruppe"), [])
    by_text = {st.text: st for st in statements}
    formaal = by_text["Vi skal kunne forklare formålet på under et minut."]
    assert formaal.section == "Gruppe 1 – rådgivere > Fokusområde: Formål" and formaal.persona == "raadgiver"
    assert by_text["Hvem har ansvaret, når modellen tager fejl?"].persona == "leder"  # the row names its speaker
    assert by_text["Tak for i dag."].section == "Gruppe 1 – rådgivere"


def test_a_labelled_word_table_with_several_text_columns_keeps_each_column_s_header(tmp_path):
    """A workshop writer's table had a persona in each row and a focus area over each column of post-its;
    the cells' context kept the persona and lost the focus area. Both are kept now, and the persona still
    comes from the row's label, not from the column's header."""
    import docx

    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec
    from workshopnlp.readers import read_docx_notes

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip([*table.rows[0].cells, *table.rows[1].cells, *table.rows[2].cells],
                          ["Persona", "Formål", "Tillid",
                           "Rådgiver", "Hvad skal modellen bruges til i samtalen?", "Borgeren skal kunne se sine data.",
                           "Leder", "Vi skal måle, om sagerne går hurtigere.", ""]):
        cell.text = text
    document.save(str(tmp_path / "vaeg.docx"))
    blocks = read_docx_notes(tmp_path / "vaeg.docx")
    assert [(b.text, b.context) for b in blocks if b.kind == "line"] == [
        ("Hvad skal modellen bruges til i samtalen?", "Persona: Rådgiver > Formål"),
        ("Borgeren skal kunne se sine data.", "Persona: Rådgiver > Tillid"),
        ("Vi skal måle, om sagerne går hurtigere.", "Persona: Leder > Formål")]
    numbered = docx.Document()
    table = numbered.add_table(rows=2, cols=3)
    for cell, text in zip([*table.rows[0].cells, *table.rows[1].cells],
                          ["Persona", "Post-it 1", "Post-it 2", "Borger", "Jeg vil vide, hvem der ser mine data.",
                           "Hvad bruger I modellen til?"]):
        cell.text = text
    numbered.save(str(tmp_path / "postits.docx"))
    assert {b.context for b in read_docx_notes(tmp_path / "postits.docx")} == {"Persona: Borger"}
    statements = statements_from_blocks(blocks, SourceSpec(file="vaeg.docx", kind="gruppe"), [])
    assert [(st.persona, st.section) for st in statements] == [
        ("raadgiver", "Persona: Rådgiver > Formål"), ("raadgiver", "Persona: Rådgiver > Tillid"),
        ("leder", "Persona: Leder > Formål")]


def test_odd_word_tables_lose_no_post_it(tmp_path):
    """A grid of short post-its has no header or label column to find: every cell is a statement. A single
    column under a header is read under it; a label with nothing beside it is skipped; a cell merged over two
    rows is read once."""
    import docx

    from workshopnlp.readers import read_docx_notes

    document = docx.Document()
    grid = document.add_table(rows=2, cols=3)
    for cell, text in zip([*grid.rows[0].cells, *grid.rows[1].cells],
                          ["Mere åbenhed", "Tillid til data", "Borgeren i centrum", "Klare regler", "", "Ærlighed"]):
        cell.text = text
    column = document.add_table(rows=3, cols=1)
    for cell, text in zip([r.cells[0] for r in column.rows],
                          ["Post-its", "Vi skal vide, hvem der ser data.", "Forklar beslutningen for borgeren."]):
        cell.text = text
    labels = document.add_table(rows=3, cols=2)
    labels.rows[0].cells[0].text, labels.rows[0].cells[1].text = "Formål", "Formålet skal stå klart fra start."
    labels.rows[1].cells[0].text = "Tillid"  # nothing beside it
    merged = labels.cell(1, 1).merge(labels.cell(2, 1))
    merged.text = "Et svar, der fylder to rækker i tabellen."
    labels.rows[2].cells[0].text = "Forståelse"
    document.save(str(tmp_path / "noter.docx"))
    lines = [(b.text, b.context) for b in read_docx_notes(tmp_path / "noter.docx") if b.kind == "line"]
    assert lines == [("Mere åbenhed", ""), ("Tillid til data", ""), ("Borgeren i centrum", ""),
                     ("Klare regler", ""), ("Ærlighed", ""),
                     ("Vi skal vide, hvem der ser data.", "Post-its"), ("Forklar beslutningen for borgeren.", "Post-its"),
                     ("Formålet skal stå klart fra start.", "Formål"),
                     ("Et svar, der fylder to rækker i tabellen.", "Tillid")]


def test_a_name_in_a_heading_or_a_table_label_is_pseudonymised_in_the_section():
    from workshopnlp.config import load_params
    from workshopnlp.ingest import RawStatement, build_statement_table
    from workshopnlp.manifest import Manifest

    raw = [RawStatement("noter.docx", "gruppe", 1, "afsnit 2", "Vi skal kunne forklare formålet.",
                        section="Referat ved Mette Hansen > Navn: Lone Hansen")]
    table, log = build_statement_table(Manifest(workshop_id="ws"), raw, load_params(), Path("."))
    assert table["section"].tolist() == ["Referat ved [NAVN] > Navn: [NAVN]"]
    assert int(log["count"].sum()) == 2


def test_a_plain_text_file_that_opens_with_a_group_keeps_its_persona_under_sub_headings():
    """Plain text has no heading levels: every heading used to replace the one before, so the first
    sub-heading («Formål og gevinster») dropped the group heading the file opens with, and with it the persona
    and the group's name in `section` (found by a helper writing a workshop without a manifest). The opening
    group heading now heads the whole file, until a later heading names another group."""
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec

    text = ("Gruppe 3 - ledere\n\nFormål og gevinster\n\nVi skal kunne sige, hvad det skal bruges til.\n\n"
            "Tillid\n\nÉn dårlig sag i avisen, og så er tilliden væk.\n\n"
            "Gruppe 4 - borgere i ressourceforløb\n\nRunde 1\n\nJeg vil vide, hvem der læser min sag.\n")
    blocks = parse_text_notes(text, markdown=False)
    statements = statements_from_blocks(blocks, SourceSpec(file="gruppe3_ledere.txt", kind="gruppe"), [])
    got = [(st.persona, st.section) for st in statements]
    assert got == [("leder", "Gruppe 3 - ledere > Formål og gevinster"),
                   ("leder", "Gruppe 3 - ledere > Tillid"),
                   ("borger_i_ressourceforloeb", "Gruppe 4 - borgere i ressourceforløb > Runde 1")]
    # A title that names no group is replaced as before (plenary notes: the topics are not the title's).
    plenum = parse_text_notes("Workshop 19. januar\n\nFormål\n\nEt udsagn.\n\nTillid\n\nEt andet udsagn.\n",
                              markdown=False)
    sections = [st.section for st in statements_from_blocks(plenum, SourceSpec(file="p.txt", kind="plenum"), [])]
    assert sections == ["Formål", "Tillid"]


def test_plain_text_headings_over_bullets_numbered_titles_and_a_files_first_line():
    """Found by two workshop writers: hurried notes put bullets right under a heading («Hvem må se»), minutes
    number their points («1. Velkomst og formål»), and a file opens with its group («GRUPPE 4 - forsikrede
    ledige») directly over «noter: …». Each became a statement, and the sections below stayed the first one."""
    text = ("GRUPPE 4 - forsikrede ledige\nnoter: Camilla\n\nSamtykke\n\n- man klikker bare ok\n\n"
            "Hvem må se\n- leder ok, ministeriet kun tal\n\n"
            "Evalueringsworkshop om Process Mining i jobcentrene – første halvår\n\n"
            "1. Velkomst og formål\n\nProjektlederen bød velkommen.\n\n"
            "1. formålet skal være klart\n2. borgeren skal kunne sige nej\n")
    blocks = parse_text_notes(text, markdown=False)
    assert [b.text for b in blocks if b.kind == "heading"] == [
        "GRUPPE 4 - forsikrede ledige", "Samtykke", "Hvem må se",
        "Evalueringsworkshop om Process Mining i jobcentrene – første halvår", "1. Velkomst og formål"]
    # a numbered list stays statements; a short line inside a paragraph is no heading
    assert [b.text for b in blocks if b.kind == "line"] == [
        "noter: Camilla", "man klikker bare ok", "leder ok, ministeriet kun tal", "Projektlederen bød velkommen.",
        "formålet skal være klart", "borgeren skal kunne sige nej"]
    # a first line that names no group or kind of notes is still a statement
    assert parse_text_notes("vigtigt m. klart formål\nog tid til borgeren\n", markdown=False)[0].kind == "line"


def test_a_topic_heading_gives_no_persona_and_a_manifest_persona_yields_only_to_a_group_heading():
    """«Mentorpiloten» made 12 managers' statements the advisers' (the heading named «mentor»); «Mentor» in the
    unemployed's own notes (persona from the manifest) did the same; «Jobkonsulent i a-kasse» was taken for an
    unemployed person; a Word file's Heading 1 «Fælles øvelse» stayed inside the Heading 1 group before it."""
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec
    from workshopnlp.readers import Block

    text = "# Gruppe 2 – ledere\n\n## Mentorpiloten\n\n- modellen må ikke bestemme\n"
    got = statements_from_blocks(parse_text_notes(text, markdown=True), SourceSpec(file="g.md", kind="gruppe"), [])
    assert [(st.persona, st.section) for st in got] == [("leder", "Gruppe 2 – ledere > Mentorpiloten")]
    text = "Samtykke\n\n- vil gerne spørges\n\nMentor\n- hvis en computer siger det, føler jeg mig stemplet\n"
    got = statements_from_blocks(parse_text_notes(text, markdown=False),
                                 SourceSpec(file="g4.txt", kind="gruppe", persona="sikret_ledig"), [])
    assert [(st.persona, st.section) for st in got] == [("sikret_ledig", "Samtykke"), ("sikret_ledig", "Mentor")]
    assert normalise_persona("Jobkonsulent i a-kasse") == "raadgiver"
    assert normalise_persona("Ledig (a-kasse)") == "sikret_ledig"
    blocks = [Block("heading", "Gruppe 3 – borgere i ressourceforløb", 1, 1), Block("heading", "Samtykke", 2, 2),
              Block("line", "Jeg vil spørges først.", 0, 3), Block("heading", "Fælles øvelse", 1, 4),
              Block("line", "Hver gruppe skrev post-its.", 0, 5)]
    got = statements_from_blocks(blocks, SourceSpec(file="g.docx", kind="gruppe"), [])
    assert [(st.persona, st.section) for st in got] == [
        ("borger_i_ressourceforloeb", "Gruppe 3 – borgere i ressourceforløb > Samtykke"), ("ukendt", "Fælles øvelse")]


def test_a_transcripts_times_are_not_text_and_do_not_hide_the_speaker():
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec

    text = ("[10:33] Rådgiver (Kolding): Dashboardet viste det, vi vidste.\n"
            "(00:12:31) Leder: Vi skal turde sige det.\n00:12:40 Borger i ressourceforløb: Jeg har mærket det.\n"
            "10.30 kaffe og kage\n")
    got = statements_from_blocks(parse_text_notes(text, markdown=False), SourceSpec(file="t.txt", kind="plenum"), [])
    assert [(st.persona, st.text) for st in got] == [
        ("raadgiver", "Dashboardet viste det, vi vidste."), ("leder", "Vi skal turde sige det."),
        ("borger_i_ressourceforloeb", "Jeg har mærket det."), ("ukendt", "10.30 kaffe og kage")]


def test_a_timed_turn_that_runs_on_to_the_next_line_keeps_its_speaker():
    """A transcript turn continued on the next line without a time is the same speaker's; not after a blank
    line, a heading, an aside or a line without a time before it (notes: the next line is anyone's)."""
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec

    text = ("[10:48] Leder (Kolding): Vi skal have en bedre plan.\nOg det skal være en person, der ringer.\n"
            "Og ikke kun et brev.\n[10:49] (latter)\nEn linje efter latteren.\n\n"
            "[10:50] Rådgiver: Enig.\n\nEfter en tom linje.\nLeder: Uden tid.\nNæste linje i noter.\n")
    got = statements_from_blocks(parse_text_notes(text, markdown=False), SourceSpec(file="t.txt", kind="plenum"),
                                 ["Kolding"])
    assert [(st.persona, st.municipality, st.text) for st in got] == [
        ("leder", "Kolding", "Vi skal have en bedre plan."), ("leder", "Kolding", "Og det skal være en person, der ringer."),
        ("leder", "Kolding", "Og ikke kun et brev."), ("ukendt", "", "(latter)"), ("ukendt", "", "En linje efter latteren."),
        ("raadgiver", "", "Enig."), ("ukendt", "", "Efter en tom linje."), ("leder", "", "Uden tid."),
        ("ukendt", "", "Næste linje i noter.")]


def test_only_a_transcript_has_a_preamble_before_its_first_timed_turn():
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec

    def preamble(text):
        got = statements_from_blocks(parse_text_notes(text, markdown=False), SourceSpec(file="t.txt", kind="plenum"), [])
        return [st.preamble for st in got]

    transcript = ("Plenum: et halvt år med Process Mining i jobcentrene\nLydfil: plenum.m4a\n\n"
                  "[10:31] Ordstyrer: Velkommen.\n[10:33] Leder: Vi så ventetiderne.\nOg de var lange.\n")
    assert preamble(transcript) == [True, True, False, False, False]
    # minutes with one timed item: what comes before it was said, not a preamble
    minutes = ("Borgerne vil vide, hvad data bruges til.\nLederne vil måle gennemløbstider.\n"
               "(14.30) Afrunding: næste møde i januar.\nTak for i dag.\nReferatet sendes ud.\n")
    assert preamble(minutes) == [False] * 5


def test_minutes_metadata_after_a_count_or_without_a_speaker_label():
    from workshopnlp.config import load_params
    from workshopnlp.ingest import is_metadata_label

    labels = load_params()["ingest"]["metadata_labels"]
    assert is_metadata_label("", labels, "5 deltagere: 2 Randers, 2 Vejle")
    assert is_metadata_label("", labels, "Lydfil: plenum_del1.m4a (40 min.)")
    assert is_metadata_label("Bordformand", labels, "Lise Thorsen, Randers. 5 rådgivere.")
    assert not is_metadata_label("", labels, "Note: formålet skal kunne siges i én sætning")
    assert not is_metadata_label("Ordstyrer", labels, "Sidste runde. Skal projektet fortsætte?")


def _question_table_document(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Gruppe 3 – borgere i ressourceforløb", level=1)
    table = document.add_table(rows=3, cols=2)
    rows = [("Spørgsmål", "Det sagde gruppen"),
            ("Hvad tænker I om, at en model foreslår, hvem der skal have en mentor?",
             "Det er lidt uhyggeligt, men hvis flere får hjælp, er det ok."),
            ("Hvem må se resultaterne?", "Kun dem der arbejder med min sag.")]
    for row, (a, b) in zip(table.rows, rows):
        row.cells[0].text, row.cells[1].text = a, b
    document.save(str(path))
    return path


def test_a_question_in_a_word_tables_first_column_is_the_context_of_its_answers(tmp_path):
    """Two writers' post-it tables had the facilitator's questions in the first column: each question became a
    citizen's statement, and the answers lost the question they answer («mentor» in it even made them the
    advisers')."""
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec
    from workshopnlp.readers import read_docx_notes

    blocks = read_docx_notes(_question_table_document(tmp_path / "g3.docx"))
    got = statements_from_blocks(blocks, SourceSpec(file="g3.docx", kind="gruppe"), [])
    assert [(st.persona, st.text, st.section.split(" > ")[-1]) for st in got] == [
        ("borger_i_ressourceforloeb", "Det er lidt uhyggeligt, men hvis flere får hjælp, er det ok.",
         "Spørgsmål: Hvad tænker I om, at en model foreslår, hvem der skal have en mentor?"),
        ("borger_i_ressourceforloeb", "Kun dem der arbejder med min sag.", "Spørgsmål: Hvem må se resultaterne?")]


def test_surveyxact_variables_get_their_labels_a_role_column_is_found_by_its_answers_and_choices_are_no_text(
        tmp_path):
    """A SurveyXact export headed «s_1 … s_5» with a «Labels» sheet, whose role question («Hvad deltog du som
    i dag?») names no role: every answer was «ukendt» and its question «s_3». A Forms multiple-choice column
    («Samtykke;Mentorpiloten;») gave statements. The manifest ingest infers can be copied back as it is."""
    import openpyxl

    from workshopnlp.config import load_params
    from workshopnlp.ingest import ingest

    book = openpyxl.Workbook()
    data = book.active
    data.title = "Dataset"
    roles = ["Rådgiver/sagsbehandler", "Leder", "Ledig på dagpenge (forsikret)", "Borger i ressourceforløb"] * 3
    data.append(["respondentid", "s_1", "s_2", "s_3", "s_4"])
    for i, role in enumerate(roles):
        data.append([str(1000 + i), ["Kolding", "Vejle", "Sønderborg"][i % 3], role,
                     f"Det vigtigste var samtalen om data, svar nummer {i}", ["Samtykke;", "Samtykke;Mentorpiloten;",
                                                                              "Mentorpiloten;"][i % 3]])
    labels = book.create_sheet("Labels")
    labels.append(["Variable", "Label"])
    for var, label in [("respondentid", "Respondent-ID"), ("s_1", "Hvilken kommune kommer du fra?"),
                       ("s_2", "Hvad deltog du som i dag?"), ("s_3", "Hvad er det vigtigste, du tager med?"),
                       ("s_4", "Hvilke emner vil du arbejde videre med?")]:
        labels.append([var, label])
    ws = tmp_path / "raw" / "2023-09-20-evaluering"
    ws.mkdir(parents=True)
    book.save(ws / "surveyxact.xlsx")
    st = ingest("2023-09-20-evaluering", tmp_path, load_params()).statements
    assert st["persona"].value_counts().to_dict() == {p: 3 for p in ("raadgiver", "leder", "sikret_ledig",
                                                                        "borger_i_ressourceforloeb")}
    assert set(st["question"]) == {"Hvad er det vigtigste, du tager med?"}
    assert set(st["municipality"]) == {"Kolding", "Vejle", "Sønderborg"}
    inferred = (tmp_path / "processed" / "2023-09-20-evaluering" / "manifest.inferred.yaml").read_text("utf-8")
    assert "date: '2023-09-20'" in inferred  # from the folder's name: a copy needs no date written in
    (ws / "workshop.yaml").write_text(inferred.replace("title: ''", "title: Evaluering"), encoding="utf-8")
    again = ingest("2023-09-20-evaluering", tmp_path, load_params()).statements
    assert again[["statement_id", "persona", "question"]].equals(st[["statement_id", "persona", "question"]])


def test_a_sentence_that_narrates_before_a_colon_is_no_speaker_label():
    """«Facilitator præsenterede kort piloten: en model foreslår …» became the speaker «Facilitator præsenterede
    kort piloten» and lost the start of the sentence."""
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec

    text = ("Facilitator præsenterede kort piloten: en model foreslår, hvem der tilbydes mentor.\n"
            "Til stede: seks rådgivere.\nRådgiver fra Vejle: vi skal kunne sige nej.\n")
    got = statements_from_blocks(parse_text_notes(text, markdown=False), SourceSpec(file="r.txt", kind="plenum"), [])
    assert [(st.speaker_label, st.text) for st in got] == [
        ("", "Facilitator præsenterede kort piloten: en model foreslår, hvem der tilbydes mentor."),
        ("Til stede", "seks rådgivere."), ("Rådgiver fra Vejle", "vi skal kunne sige nej.")]


def test_a_mixed_group_gives_no_persona_and_a_citizen_speaker_is_never_the_advisers():
    """January's plenary notes have «Gruppe 1 – rådgivere og borgere»: the heading made every line under it the
    advisers', also «Borger: jeg vil ikke have at svaret bliver at maskinen har sagt det.», which the pages then
    quoted as «Rådgiver». A heading that names several kinds of participant gives no persona; a speaker «Borger»
    is a citizen of either kind: the citizens' group's persona under a citizens' heading, else unknown."""
    from workshopnlp.ingest import statements_from_blocks
    from workshopnlp.manifest import SourceSpec

    text = ("Gruppe 1 – rådgivere og borgere\n\n"
            "Rådgiver fra Sønderborg: vi skal have rådgiverne med fra starten.\n"
            "Borgerne skal inddrages allerede når vi designer.\n"
            "Borger: jeg vil ikke have at svaret bliver at maskinen har sagt det.\n\n"
            "Gruppe 2 – ledere\n\nBorger: (læst op fra et brev) giv os svar på skrift.\n"
            "Leder: vi skal på kursus først.\n\n"
            "Gruppe 3 – sikrede ledige\n\nBorger: hvis jeg ved hvad I bruger data til, er jeg ikke nervøs.\n")
    got = statements_from_blocks(parse_text_notes(text, markdown=False), SourceSpec(file="p.txt", kind="plenum"), [])
    assert [(st.persona, st.persona_source) for st in got] == [
        ("raadgiver", "speaker"), ("ukendt", "none"), ("ukendt", "speaker"),
        ("ukendt", "speaker"), ("leder", "speaker"),
        ("sikret_ledig", "heading")]
    # a file the manifest gives to the unemployed keeps «Borger:» theirs
    got = statements_from_blocks(parse_text_notes("Borger: jeg vil spørges først.\n", markdown=False),
                                 SourceSpec(file="g.txt", kind="gruppe", persona="sikret_ledig"), [])
    assert [st.persona for st in got] == ["sikret_ledig"]
