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
