"""Sentences of the reader pages, built from small tables."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
from bs4 import BeautifulSoup

from workshopnlp.codebook import DIMENSIONS, code_ids_as_labels, examples_across_personas, load_codebook
from workshopnlp.personas import PERSONA_LABELS_DA, UNKNOWN_PERSONA
from workshopnlp.reporting import CODEBOOK_EXAMPLES_SHOWN, codebook_html, codebook_intro, themes_note


def test_unstable_themes_are_named_one_by_one():
    """A tester read «Ustabile temaer …: algoritme, rådgiver, fin, data, kommune, bruge.» as six words; it was
    two themes. Each is now named with its id and its words in quotes."""
    themes = pd.DataFrame({"theme_id": ["T01", "T02", "T03", "T_ovrigt"],
                           "label": ["algoritme, rådgiver, fin", "data, kommune, bruge", "tillid, data", "Øvrigt"],
                           "stable": [False, False, True, None], "is_outlier_group": [False, False, False, True],
                           "share": [0.2, 0.2, 0.5, 0.1]})
    text = themes_note(SimpleNamespace(themes=themes, themes_missing_reason=""))
    assert "**3 temaer**" in text and "10 %" in text
    assert "T01 «algoritme, rådgiver, fin»; T02 «data, kommune, bruge»." in text and "T03" not in text


def test_notebooks_run_side_by_side_one_per_core_unless_told_otherwise(monkeypatch):
    import pytest

    from workshopnlp.config import load_params
    from workshopnlp.errors import WorkshopError
    from workshopnlp.report import notebook_workers

    params = load_params()
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert params["report"]["notebook_workers"] == 0 and notebook_workers(params, 6) == 4
    assert notebook_workers(params, 2) == 2  # never more kernels than notebooks
    params["report"]["notebook_workers"] = 1
    assert notebook_workers(params, 6) == 1
    params["report"]["notebook_workers"] = -1
    with pytest.raises(WorkshopError, match="notebook_workers"):
        notebook_workers(params, 6)


# ---------------------------------------------------------------- the codebook on the reader page

CODE_IDS_NOT_WORDS = re.compile(
    r"\b(formaal|teknologisk_forstaaelse|mennesket_i_centrum|individuel_datakontrol|ligevaerdighed|baeredygtighed)\b")


def test_arrows_to_other_codes_read_as_their_labels():
    cb = load_codebook()
    assert code_ids_as_labels("Hvordan modellen virker → teknologisk_forstaaelse.", cb, "focus_area") == \
        "Hvordan modellen virker → «Teknologisk forståelse»."
    # «ingen» is the dimension's own: no focus area on one, no principle on the other
    assert code_ids_as_labels("Logistik → ingen.", cb, "focus_area") == "Logistik → «Intet fokusområde»."
    assert code_ids_as_labels("Logistik → ingen.", cb, "principle") == "Logistik → «Intet princip»."
    assert code_ids_as_labels("Stikord → ansvarlighed hhv. ligevaerdighed.", cb, "principle") == \
        "Stikord → «Ansvarlighed» hhv. «Ligeværdighed»."
    # a code of the other dimension, words that are no code, and a code's name used as a word stay readable
    assert code_ids_as_labels("Tryghed → tillid", cb, "principle") == "Tryghed → «Tillid»"
    assert code_ids_as_labels("Noget → andet.", cb, "focus_area") == "Noget → andet."
    assert code_ids_as_labels("typisk ansvarlighed og ingen arrow", cb, "principle") == \
        "typisk ansvarlighed og ingen arrow"


def test_the_codebook_as_a_reader_sees_it():
    cb = load_codebook()
    for dim in DIMENSIONS:
        codes = cb.dimension(dim).codes
        counts = {c.id: i + 1 for i, c in enumerate(codes)}
        soup = BeautifulSoup(codebook_html(cb, dim, counts), "html.parser")
        blocks = soup.find_all("details")
        assert [b["id"] for b in blocks] == [f"kode-{dim}-{c.id}" for c in codes]
        for block, code in zip(blocks, codes):
            text = " ".join(block.get_text(" ").split())
            assert block.summary.get_text() == f"{code.label} – {counts[code.id]} udsagn i denne workshop"
            assert code.definition in text
            if code.dilemma:
                assert code.dilemma in text and code.question in text
            lists = {p.get_text(): p.find_next_sibling("ul").find_all("li") for p in block.find_all("p")
                     if p.find_next_sibling("ul") is not None and p.get_text().endswith(":")}
            assert len(lists["Hører med:"]) == len(code.include)
            assert len(lists["Hører ikke med:"]) == len(code.exclude)
            assert not CODE_IDS_NOT_WORDS.search(text), (code.id, text)
            shown = examples_across_personas(code, CODEBOOK_EXAMPLES_SHOWN)
            assert all(f"»{' '.join(e.text.split())}«" in text for e in shown)
            # one example of each persona before a second of any
            assert {e.persona for e in shown} == {e.persona for e in code.examples} - {UNKNOWN_PERSONA}
            assert all(PERSONA_LABELS_DA[e.persona] in text for e in shown)
            for counter in code.counter_examples[:3]:
                target = cb.dimension(dim).code(counter.code).label
                assert f"»{' '.join(counter.text.split())}« → «{target}»" in text
    # without counts the label stands alone
    assert BeautifulSoup(codebook_html(cb, "focus_area"), "html.parser").summary.get_text() == "Formål"


def test_codebook_text_is_escaped_and_every_rule_quoted():
    cb = load_codebook()
    dim = cb.dimension("focus_area")
    odd = replace(dim.codes[0], definition="Formål <script>alert(1)</script> & mere", label="Formål <b>")
    cb_odd = replace(cb, dimensions=(replace(dim, codes=(odd, *dim.codes[1:])), cb.dimension("principle")))
    page = codebook_html(cb_odd, "focus_area")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; mere" in page
    assert "Formål &lt;b&gt;" in page
    intro = codebook_intro(cb)
    assert cb.version in intro and cb.title in intro
    assert [line[2:] for line in intro.splitlines() if line.startswith("- ")] == \
        [" ".join(n.split()) for n in cb.notes]
    total = sum(len(c.examples) + len(c.counter_examples) for d in cb.dimensions for c in d.codes)
    assert f"kodebogens {total} eksempler" in intro


def test_the_first_workshop_says_where_its_development_is_shown_in_words_that_stay_true(tmp_path):
    """A first workshop's comparison page is not made again when a later workshop is run, so without a later
    one it must not promise «when the next one is run» as if none could exist yet; with one it names it."""
    from workshopnlp.reporting import comparison_note

    alone = comparison_note({"2022-10-28-dataetik": None}, "2022-10-28-dataetik", tmp_path)
    assert "ingen tidligere kodet workshop" in alone and "rapporterne for de senere workshops, når de er kørt" in alone
    later = tmp_path / "processed" / "2023-01-19-fokusomraader"
    later.mkdir(parents=True)
    for name in ("statements.parquet", "codes.parquet"):
        pd.DataFrame({"statement_id": ["s1"]}).to_parquet(later / name)
    named = comparison_note({"2022-10-28-dataetik": None}, "2022-10-28-dataetik", tmp_path)
    assert "står i rapporten for 19. januar 2023" in named


def test_a_quote_names_a_persona_only_where_no_table_has_its_statement_in_a_small_cell():
    """Pages 02 and 03 list every statement with its codes, theme and context, so a quote «– Leder» of a statement
    whose persona has 2 statements on its principle, or in plenum, gave that small cell away (an audit matched
    quotes on pages 03 and 06 to a plenary cell of 2 on page 01). A quote names the persona only where every
    table of persona has at least min_cell_count statements in the statement's cell; the persona figures hide
    by rows and columns (a lone hidden cell in a column was «the code's total minus the rest»)."""
    from workshopnlp.figures import people_cells_hidden, persona_code_counts, quotable_statements

    cb = load_codebook()
    rows = ([("raadgiver", "tillid", "ingen", "survey")] * 9 + [("leder", "tillid", "ingen", "survey")] * 2
            + [("sikret_ledig", "tillid", "ingen", "survey")] * 6 + [("raadgiver", "formaal", "ingen", "survey")] * 7
            + [("leder", "formaal", "ansvarlighed", "survey")] * 3 + [("leder", "formaal", "ingen", "survey")] * 6
            + [("sikret_ledig", "formaal", "ingen", "plenum")] * 2 + [("sikret_ledig", "formaal", "ingen", "survey")] * 3
            + [("raadgiver", "formaal", "ansvarlighed", "survey")] * 6
            + [("sikret_ledig", "formaal", "ansvarlighed", "survey")] * 2)
    ids = [f"s{i:02d}" for i in range(len(rows))]
    statements = pd.DataFrame({"statement_id": ids, "persona": [r[0] for r in rows], "text": ids,
                               "source_kind": [r[3] for r in rows], "is_empty_content": False, "is_duplicate": False})
    codes = pd.DataFrame({"statement_id": ids, "focus_area": [r[1] for r in rows], "principle": [r[2] for r in rows]})
    mask = people_cells_hidden(persona_code_counts(statements, codes, cb, "focus_area"), 5)
    assert mask.at["leder", "tillid"] and not mask.at["raadgiver", "formaal"]
    # no row or column keeps a lone hidden cell, which its total would give away
    assert all(int(mask.loc[r].sum()) != 1 for r in mask.index) and all(int(mask[c].sum()) != 1 for c in mask.columns)

    named = quotable_statements(statements, codes, cb, 5)
    from workshopnlp.figures import persona_source_counts

    hidden = {"focus": mask, "principle": people_cells_hidden(persona_code_counts(statements, codes, cb, "principle"), 5),
              "kind": people_cells_hidden(persona_source_counts(statements), 5)}
    for sid, (persona, focus, principle, kind) in zip(ids, rows):
        cells = [sum(1 for r in rows if r[0] == persona and r[1] == focus),
                 sum(1 for r in rows if r[0] == persona and r[2] == principle),
                 sum(1 for r in rows if r[0] == persona and r[3] == kind)]
        shown = not (hidden["focus"].at[persona, focus] or hidden["principle"].at[persona, principle]
                     or hidden["kind"].at[PERSONA_LABELS_DA[persona], {"survey": "Spørgeskema", "plenum": "Plenum"}[kind]])
        assert (sid in named) == (all(n >= 5 for n in cells) and shown), (sid, persona, focus, principle, kind, cells)
    # a cell of 6 hidden beside the managers' 2 on «tillid» is not quoted from either: a quote there told which of
    # the two hidden cells was the large one (an audit worked a hidden cell of 1 out that way)
    assert mask.at["sikret_ledig", "tillid"] and not any(
        sid in named for sid, r in zip(ids, rows) if r[:2] == ("sikret_ledig", "tillid"))
    # the three managers' statements on «ansvarlighed»: a shown focus-area cell, a small principle cell
    assert not any(sid in named for sid, r in zip(ids, rows) if r[:3] == ("leder", "formaal", "ansvarlighed"))
    # the unemployed's two plenary remarks: shown focus-area and principle cells, a small source cell
    assert not any(sid in named for sid, r in zip(ids, rows) if r[3] == "plenum")
    assert any(sid in named for sid, r in zip(ids, rows) if r[0] == "raadgiver")
    # with themes: a persona with 2 statements in a theme is not named there
    # (T02's small cells are guarded by T03's, so that T01's stay shown)
    themes = pd.DataFrame({"theme_id": ["T01", "T02", "T03"], "n_raadgiver": [20, 2, 5], "n_leder": [11, 3, 5],
                           "n_sikret_ledig": [11, 0, 0], "n_borger_i_ressourceforloeb": [0, 0, 0], "n_ukendt": [0, 0, 0]})
    theme_of = ["T02" if r[0] == "raadgiver" and r[1] == "formaal" and r[2] == "ansvarlighed" and i % 3 == 0 else "T01"
                for i, r in enumerate(rows)]
    assignments = pd.DataFrame({"statement_id": ids, "theme_id": theme_of})
    with_themes = quotable_statements(statements, codes, cb, 5, themes, assignments)
    assert with_themes == {sid for sid, t in zip(ids, theme_of) if sid in named and t == "T01"} != named


def test_a_page_without_themes_says_why_in_a_readers_words():
    """Where the themes step had not run, the reader page said «(kør workshopnlp themes)» and that «temaer
    kræver flere udsagn» – a command the project group cannot use, and a reason that was not the reason."""
    from workshopnlp.reporting import THEMES_NOT_FOUND_YET_DA

    not_yet = themes_note(SimpleNamespace(themes=None, themes_missing_reason=THEMES_NOT_FOUND_YET_DA))
    assert "workshopnlp" not in not_yet and "kør " not in not_yet and "kræver flere udsagn" not in not_yet
    assert "Temaerne er ikke fundet endnu" in not_yet
    too_few = themes_note(SimpleNamespace(themes=None, themes_missing_reason="for få udsagn (12)"))
    assert "For få udsagn (12). Kodningen ovenfor gælder stadig; temaer kræver flere udsagn." in too_few


def test_the_lines_left_out_are_described_by_what_this_workshop_left_out():
    """«16 linjer uden indhold (… referatets praktiske oplysninger som «Referent: …»)» was printed for January,
    whose 16 empty lines were all survey answers. The page now quotes the commonest of the workshop's own."""
    from workshopnlp.reporting import EMPTY_EXAMPLE_CHARS, _empty_examples_text

    st = pd.DataFrame({"text": ["-", "-", "ved ikke", "Ingen kommentarer", "ved ikke", "-", "Referent: [NAVN] " * 5,
                                "Et udsagn med indhold"],
                       "is_empty_content": [True] * 7 + [False]})
    text = _empty_examples_text(st)
    assert text.startswith(" (fx «-», «ved ikke» og ") and "Et udsagn" not in text
    assert "«Ingen kommentarer»" in text  # a tie of one each is settled by the text, the same in every run
    long = _empty_examples_text(st.assign(text=["Referent: [NAVN] " * 5] * 8))
    assert long.endswith("…»)") and len(long) < EMPTY_EXAMPLE_CHARS + 12
    assert _empty_examples_text(st.assign(is_empty_content=False)) == ""


def test_the_facilitators_lines_are_told_apart_from_lines_without_content():
    """The facilitator's lines (``is_facilitator``) have no content to code, but «-» and «Vi holder fem minutters
    pause» are not the same kind of left-out line: page 01 gives their number with an example of their own and
    counts neither in the other; the sources table keeps them out of «Uden indhold» and gives no count per file."""
    from types import SimpleNamespace

    from workshopnlp.reporting import _empty_examples_text, _facilitator_text, sources_table

    st = pd.DataFrame({"statement_id": list("abcde"), "source_file": ["gruppe.txt"] * 4 + ["svar.csv"],
                       "source_kind": ["gruppe"] * 4 + ["survey"],
                       "text": ["Vi holder fem minutters pause, der står frugt på bordet ved døren.", "Tak for i dag.",
                                "-", "Vi skal kende formålet.", "ved ikke"],
                       "is_empty_content": [True, True, True, False, True],
                       "is_facilitator": [True, True, False, False, False], "is_duplicate": False})
    leader = _facilitator_text(st)
    assert leader.startswith(", 2 linjer fra facilitator eller ordstyrer (fx «Vi holder fem minutters") \
        and leader.endswith("som ikke er deltagernes udsagn,") and "…»" in leader
    assert _facilitator_text(st.assign(is_facilitator=[False, True, False, False, False])).startswith(", 1 linje fra")
    assert _facilitator_text(st.drop(columns="is_facilitator")) == _facilitator_text(st.assign(is_facilitator=False)) == ""
    assert "pause" not in _empty_examples_text(st) and "«-»" in _empty_examples_text(st)
    table = sources_table(SimpleNamespace(statements=st))
    assert table["Uden indhold"].to_dict() == {"gruppe.txt": 1, "svar.csv": 1}
    assert table["Udsagn"].to_dict() == {"gruppe.txt": 4, "svar.csv": 1}
    assert list(table.columns) == ["Type", "Udsagn", "Uden indhold", "Dubletter"]


def test_a_statement_written_over_two_lines_reads_as_one_line_in_the_tables():
    """pandas prints a line break inside a cell as «\\n»: January's «… sammenhængende forløb\\npå tværs af
    afdelinger» was on pages 02 and 03 with a backslash in it."""
    from workshopnlp.reporting import _fold_outs, table_html

    frame = pd.DataFrame({"Tema": ["T01", "T01"], "Udsagn": ["sammenhængende forløb\npå tværs", "én linje"],
                          "Antal": [3, 4]})
    for page in (table_html(frame), _fold_outs(frame, "Tema", "Tema", ["Udsagn", "Antal"])):
        assert "sammenhængende forløb på tværs" in page and "\\n" not in page
    assert frame.at[0, "Udsagn"] == "sammenhængende forløb\npå tværs"  # the table itself is not changed


def test_a_statement_placed_after_the_grouping_is_not_said_to_be_most_like_its_theme_when_it_is_not():
    """«Lå først uden for alle temaer og er lagt i det tema, det ligner mest. Grupperet med T12's udsagn …, selv om
    det som helhed ligger lidt nærmere T11» said both at once (January, «jeg stoler på min rådgiver …»)."""
    from workshopnlp.reporting import theme_reason_da

    names = {"T11": "T11 «computer, mining»", "T12": "T12 «svar, sagsforløb»"}
    placed = theme_reason_da("T12", "T11", "T11", True, [], names)
    assert "ligner mest" not in placed and "lagt sammen med T12's udsagn" in placed
    assert "nærmere T11 «computer, mining»" in placed
    own = theme_reason_da("T12", "T12", "T11", True, ["svar"], names)
    assert own.startswith("Lå først uden for alle temaer") and "Ligner T12's udsagn mere end noget andet temas" in own
    assert "næstnærmest: T11" in own and own.endswith("Temaets nøgleord i udsagnet: svar.")
    grouped = theme_reason_da("T12", "T11", "T11", False, [], names)
    assert grouped.startswith("Grupperet med T12's udsagn") and "Lå først" not in grouped


def test_page_01s_table_of_who_spoke_does_not_hide_persona_cells_to_guard_an_unknown_cell():
    """October's «Hvem talte?»: the one survey answer of «Ukendt» is "<5". Its row and column are «Ukendt» and the
    survey, and a reader can work «Ukendt» out from the other pages anyway (every plenary line is «Ukendt»), so
    hiding three personas' cells to guard it protected nothing and cost the reader 93 statements' worth of table."""
    from workshopnlp.reporting import persona_table

    october = {"borger_i_ressourceforloeb": (27, 0, 45), "leder": (33, 0, 27), "raadgiver": (32, 0, 45),
               "sikret_ledig": (27, 0, 58), UNKNOWN_PERSONA: (8, 37, 1)}
    kinds = ("gruppe", "plenum", "survey")
    rows = [(p, k) for p, ns in october.items() for k, n in zip(kinds, ns) for _ in range(n)]
    statements = pd.DataFrame({"statement_id": [f"s{i}" for i in range(len(rows))],
                               "persona": [p for p, _ in rows], "source_kind": [k for _, k in rows]})
    table = persona_table(SimpleNamespace(statements=statements, params={"figures": {"min_cell_count": 5}}))
    words = table.map(lambda v: isinstance(v, str))
    assert words.to_numpy().sum() == 1 and table.at[PERSONA_LABELS_DA[UNKNOWN_PERSONA], "Spørgeskema"] == "<5"
    assert table.at["Leder", "Spørgeskema"] == 27 and table.at["Leder", "Gruppedrøftelse"] == 33
    # a small persona cell beside it still gets a second persona cell hidden in its column, never «Ukendt» alone
    statements.loc[statements.index[(statements["persona"] == "leder") & (statements["source_kind"] == "survey")][3:],
                   "persona"] = UNKNOWN_PERSONA
    table = persona_table(SimpleNamespace(statements=statements, params={"figures": {"min_cell_count": 5}}))
    survey = table["Spørgeskema"].drop(PERSONA_LABELS_DA[UNKNOWN_PERSONA])
    assert table.at["Leder", "Spørgeskema"] == "<5" and int(survey.map(lambda v: isinstance(v, str)).sum()) == 2


def test_page_03_names_the_kinds_of_source_the_workshop_had():
    """Page 03 said «plenum, gruppedrøftelser, spørgeskemasvar og eventuelle høringssvar» also for January, which
    had no group notes. It names the workshop's own kinds of source; a kind with only empty answers is none."""
    from workshopnlp.reporting import who_and_where_text

    statements = pd.DataFrame({"source_kind": ["plenum", "survey", "hoering", "gruppe"],
                               "is_empty_content": [False, False, False, True], "is_duplicate": False})
    text = who_and_where_text(SimpleNamespace(statements=statements))
    assert text.endswith("noter fra plenum, spørgeskemasvar og høringssvar.") and "grupper" not in text
    with_groups = who_and_where_text(SimpleNamespace(statements=statements.assign(is_empty_content=False)))
    assert "noter fra grupper" in with_groups


def test_the_example_of_a_context_is_the_workshops_own_and_names_no_persona():
    """Page 01 gave «Runde 2: Tillid» as the example of a round a statement is read with, also on January's
    pages, which have no such round. It is now the workshop's commonest context, never a heading that names the
    persona of everyone under it."""
    from workshopnlp.reporting import _context_example

    statements = pd.DataFrame({
        "section": ["Gruppe 2 – ledere"] * 5 + ["Gruppe 2 – ledere > Runde 1: Formål"] * 3 + [""] * 4,
        "question": [""] * 8 + ["Hvem skal inddrages, og hvor tidligt?"] * 2 + [""] * 2,
        "is_empty_content": [False] * 11 + [True]})
    assert _context_example(statements) == " (fx «Runde 1: Formål»)"
    assert _context_example(statements.assign(section="", question="")) == ""


def test_an_explanation_on_the_pages_does_not_name_the_groups_role():
    """January's page 02 listed a quote with persona «ikke nævnt» whose «Hvorfor» said «læst sammen med konteksten
    «Gruppe 2 – ledere»»: the heading named the persona the quote kept back. A context that names a persona
    is replaced on the pages; other contexts stay, for they are the reader's why."""
    from workshopnlp.reporting import CONTEXT_NAMES_ROLE_DA, reader_explanation

    told = "Ligner kodebogens eksempler …; læst sammen med konteksten «Gruppe 2 – ledere»"
    assert reader_explanation(told) == f"Ligner kodebogens eksempler …; læst sammen med {CONTEXT_NAMES_ROLE_DA}"
    named = "vægtige ord: tillid; konteksten «Runde 2 – borgere i ressourceforløb» nævner tillid"
    assert "borgere" not in reader_explanation(named) and reader_explanation(named).endswith("nævner tillid")
    plain = "læst sammen med konteksten «Runde 2: Tillid»"
    assert reader_explanation(plain) == plain and reader_explanation(None) == ""


def test_page_04_says_how_much_each_workshop_asked_about_each_focus_area():
    """«Tillid» fell from 22 % to 6 % of the statements from October to January; January's survey asked nothing
    about trust. The page now gives, per workshop, the share of statements under a heading or question naming
    each focus area, so a reader can tell the way a workshop was run from a change of mind."""
    from workshopnlp.reporting import asked_about_note

    def frame(sections):
        st = pd.DataFrame({"section": sections, "question": "", "is_empty_content": False, "is_duplicate": False})
        return st, pd.DataFrame()

    frames = {"2022-10-28-a": frame(["Runde 2: Tillid"] * 4 + ["Runde 1: Formål"] * 4 + [""] * 2),
              "2023-01-19-b": frame(["Runde 1: Formål"] * 3 + [""] * 7)}
    note = asked_about_note(frames, load_codebook())
    assert "«Tillid» 40 % i oktober 2022 og 0 % i januar 2023" in note
    assert "«Formål» 40 % i oktober 2022 og 30 % i januar 2023" in note and "Teknologisk" not in note
    assert asked_about_note({k: frame([""] * 3) for k in frames}, load_codebook()) == ""


def test_a_comparison_says_who_coded_each_workshop_and_warns_when_people_and_machine_are_compared():
    """October and January (coded by people) beside September (coded by the machine) showed Formål falling from
    30 % to 13 %; people's own codes of September gave 30 %. Page 04 said nothing of who coded what."""
    from workshopnlp.figures import coded_by_da, human_coded_share
    from workshopnlp.reporting import NEW_WORKSHOP_AGREEMENT_DA, who_coded_note

    def frame(sources, usable=True):
        ids = [f"s{i}" for i in range(len(sources))]
        st = pd.DataFrame({"statement_id": ids + ["tom"], "is_empty_content": [False] * len(ids) + [True],
                           "is_duplicate": False})
        codes = pd.DataFrame({"statement_id": ids + ["tom"], "focus_area": "formaal",
                              "code_source": list(sources) + ["menneske"]})  # the empty line is not counted
        return st, codes

    people, machine, some = frame(["menneske"] * 4), frame(["model"] * 4), frame(["menneske"] + ["model"] * 3)
    assert [human_coded_share(*f) for f in (people, machine, some)] == [1.0, 0.0, 0.25]
    assert [coded_by_da(s) for s in (1.0, 0.0, 0.25)] == ["kodet af mennesker", "kodet af maskinen",
                                                          "25 % kodet af mennesker"]
    note = who_coded_note({"2022-10-28-a": people, "2023-09-20-b": machine})
    assert note.startswith("**Hvem kodede.** Udsagnene fra oktober 2022 er kodet af mennesker, og dem fra "
                           "september 2023 er kodet af maskinen.")
    assert "kan ikke sammenlignes direkte" in note and NEW_WORKSHOP_AGREEMENT_DA in note
    calm = who_coded_note({"2022-10-28-a": people, "2023-01-19-b": people})
    assert calm == "**Hvem kodede.** Udsagnene fra oktober 2022 og januar 2023 er kodet af mennesker."
    assert "sammenlignes" not in who_coded_note({"2022-10-28-a": some, "2023-09-20-b": machine})  # 25 % vs 0 %


def test_page_01s_note_on_who_spoke_gives_the_limit_what_is_counted_and_what_unknown_holds():
    """It said «"<N" (N er grænsen …)», which read as a placeholder left in; not that it counts lines without
    content too (61 for a persona the figures give 55); and called «Ukendt» lines where nobody knows who spoke,
    though the facilitator's and organisers' own lines are there."""
    from workshopnlp.reporting import persona_table_note

    note = persona_table_note(SimpleNamespace(params={"figures": {"min_cell_count": 7}}))
    assert "vises som «<7»" in note and "<N" not in note and "også dem uden indhold" in note
    assert "linjer fra facilitator eller ordstyrer (som hverken kodes eller tælles med) og eventuelle linjer fra " \
        "arrangører" in note \
        and "tæller linjer, ikke personer" in note


def test_a_context_only_one_groups_statements_stand_under_is_not_printed_with_an_explanation():
    """September's page 02 listed «brevet i e-Boks …» with persona «ikke nævnt» and the context «Hændelsen», a
    sub-heading only the insured unemployed's notes have: the context named the persona the page kept back."""
    from workshopnlp.reporting import CONTEXT_ONE_GROUP_DA, one_group_contexts, reader_explanation

    st = pd.DataFrame({"persona": ["sikret_ledig", "sikret_ledig", "leder", "raadgiver", UNKNOWN_PERSONA, "leder",
                                   "leder", UNKNOWN_PERSONA],
                       "section": ["Gruppe 3 > Hændelsen", "Gruppe 3 > Tillid", "Gruppe 2 > Tillid", "", "Plenum",
                                   "Gruppe 2 > Hændelsen 9. maj", "", "Gruppe 3 > Hændelsen"],
                       "question": ["", "", "", "Hvad er vigtigst?", "", "", "Hvad er vigtigst?", ""]})
    # the facilitator's «tak for nu» (ukendt) under June's «Digital» let the heading through: it counts no persona
    assert one_group_contexts(st) == {"Hændelsen", "Hændelsen 9. maj"}  # not a shared heading, a question, plenum
    why = "Formål (sikkerhed 0,61); læst sammen med konteksten «Hændelsen»"
    assert reader_explanation(why, one_group_contexts(st)) == f"Formål (sikkerhed 0,61); læst sammen med {CONTEXT_ONE_GROUP_DA}"
    assert reader_explanation(why) == why  # without the workshop's contexts: as before
    shared = "Tillid (sikkerhed 0,7); konteksten «Tillid» nævner tillid"
    assert reader_explanation(shared, one_group_contexts(st)) == shared


def test_a_theme_without_a_partner_never_reads_as_reaching_the_threshold():
    """Page 04 showed «Ny – 0,65 til «Tillid …»» beside a note saying a theme without a partner is under 0,65
    (0.6465 rounded up), and «0,70 til «Formål …»» for a new theme whose nearest was paired with a theme nearer
    still, without saying so."""
    from workshopnlp.reporting import likeness_da

    pair = {"similarity": "0.768", "nearest_label": "", "nearest_similarity": ""}
    assert likeness_da(pair, 0.65) == "0,77"
    under = {"similarity": "", "nearest_label": "Tillid: maskine, kunstig, bange", "nearest_similarity": "0.6465",
             "nearest_paired_label": "", "nearest_paired_similarity": ""}
    assert likeness_da(under, 0.65) == "0,64 til «Tillid: maskine, kunstig, bange»"
    assert likeness_da(dict(under, nearest_similarity="0.5377"), 0.65).startswith("0,54 til")  # rounded as usual
    assert likeness_da(dict(under, nearest_similarity="0.6449"), 0.65).startswith("0,64 til")
    over = {"similarity": "", "nearest_label": "Formål: formål, borger", "nearest_similarity": "0.6996",
            "nearest_paired_label": "Formål: gevinst, forankre", "nearest_paired_similarity": "0.768"}
    assert likeness_da(over, 0.65) == ("0,70 til «Formål: formål, borger», der er parret med «Formål: gevinst, "
                                       "forankre» (0,77)")
    assert likeness_da({"similarity": "", "nearest_label": "", "nearest_similarity": ""}, 0.65) == "–"


def test_the_theme_table_note_says_which_repetitions_decide_stability():
    """The note named the refits without some statements also when a researcher had turned them off."""
    from types import SimpleNamespace

    from workshopnlp.config import load_params
    from workshopnlp.reporting import theme_table_note

    params = load_params()
    note = theme_table_note(SimpleNamespace(params=params))
    assert "uden tilfældigt udvalgte 5 % af udsagnene" in note and "mindst 50 % af begge slags gentagelser" in note
    params["themes"]["leave_out_fits"] = 0
    off = theme_table_note(SimpleNamespace(params=params))
    assert "uden tilfældigt udvalgte" not in off and "begge slags" not in off
    assert "mindst 50 % af gentagelserne, er stabilt" in off
