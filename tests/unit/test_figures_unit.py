"""Fast checks of the figures module on small hand-made tables: suppression, palette, Danish texts,
dilemma cards, byte-identical files and the missing-font error."""

from __future__ import annotations

import hashlib
import itertools
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from workshopnlp import figures
from workshopnlp.codebook import load_codebook
from workshopnlp.config import load_params
from workshopnlp.errors import WorkshopError
from workshopnlp.personas import PERSONA_LABELS_DA

RAW_IDS = ("raadgiver", "sikret_ledig", "borger_i_ressourceforloeb", "teknologisk_forstaaelse", "formaal",
           "mennesket_i_centrum", "individuel_datakontrol", "baeredygtighed", "ligevaerdighed", "focus_area",
           "principle", "T01", "T02", "ovrigt")


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def _texts(fig) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]


def _make(rows: list[tuple[str, str, str, int]], source_kind: str = "survey"):
    """rows: (persona, focus_area, principle, count) -> (statements, codes)."""
    st, co = [], []
    i = 0
    for persona, focus, principle, n in rows:
        for _ in range(n):
            i += 1
            sid = f"s{i:04d}"
            words = " ".join(["ord"] * (10 + i % 5))
            st.append({"statement_id": sid, "workshop_id": "2022-10-28-test", "source_kind": source_kind,
                       "persona": persona, "text": f"Udsagn nummer {i} om {focus} {words}",
                       "is_empty_content": False, "is_duplicate": False})
            co.append({"statement_id": sid, "focus_area": focus, "principle": principle,
                       "focus_area_score": 0.5, "code_source": "model",
                       f"score_focus_area__{focus}": 0.5 + (i % 7) / 100})
    return pd.DataFrame(st), pd.DataFrame(co).fillna(0.0)


# ---------------------------------------------------------------- suppression

#: January's «Hvem talte?» counts (persona x source kind) in the sample workshop
JANUARY_PERSONA_COUNTS = pd.DataFrame({"Høringssvar": [3, 5, 0, 0, 22], "Plenum": [1, 11, 11, 2, 22],
                                       "Spørgeskema": [21, 26, 48, 21, 2]},
                                      index=["borger", "leder", "rådgiver", "ledig", "ukendt"])


def test_hidden_cells_leave_no_cell_to_be_worked_out_from_row_or_column_totals():
    """The October sample's «Hvem talte?» table showed Ukendt x Spørgeskema as "<5" while the sources table
    gave the survey's 176 answers: 176 - (45 + 27 + 45 + 58) = 1. No row or column may keep a lone hidden cell."""
    counts = pd.DataFrame({"Spørgeskema": [45, 27, 45, 58, 1], "Gruppe": [20, 18, 17, 17, 0],
                           "Plenum": [0, 9, 5, 1, 30]}, index=["leder", "rådgiver", "ledig", "borger", "ukendt"])
    mask = figures.hidden_cells(counts, 5)
    assert mask.loc["ukendt", "Spørgeskema"] and mask.loc["borger", "Plenum"], "the small cells are hidden"
    for frame, m in ((counts, mask), (counts.T, mask.T)):
        for idx in m.index:
            others = (frame.loc[idx] > 0) & ~m.loc[idx]
            assert m.loc[idx].sum() != 1 or not others.any(), (idx, m.loc[idx].tolist())
    assert not mask.loc["leder"].any(), "a row without small cells keeps its figures when nothing forces it"
    assert not (mask & (counts == 0)).to_numpy().any(), "no zero cell is hidden where a non-zero one will do"
    # nothing small, nothing hidden
    assert not figures.hidden_cells(counts.clip(lower=5).where(counts > 0, 0), 5).to_numpy().any()
    # October's table as it is now: one small cell (ukendt x Spørgeskema, 1) needs three more hidden, not
    # five – settling every column in one sweep hid both rows «borger» and «leder» where one suffices. Of the
    # three rows that could give up two cells (Gruppedrøftelse + Spørgeskema), «leder» loses the fewest
    # statements: 33 + 27 = 60, against 27 + 45 = 72 («borger») and 27 + 58 = 85 («ledig»).
    october = pd.DataFrame({"Gruppedrøftelse": [27, 33, 32, 27, 8], "Plenum": [0, 0, 0, 0, 37],
                            "Spørgeskema": [45, 27, 45, 58, 1]},
                           index=["borger", "leder", "rådgiver", "ledig", "ukendt"])
    expected = {("ukendt", "Spørgeskema"), ("ukendt", "Gruppedrøftelse"), ("leder", "Spørgeskema"),
                ("leder", "Gruppedrøftelse")}
    # January's table: four small cells; the fewest that protect them are two more (ukendt x Høringssvar
    # closes both its row and its column, sikret ledig x Spørgeskema its row). The greedy rule hid 8 cells
    # in three of the six column orders.
    january = JANUARY_PERSONA_COUNTS
    expected_january = {("borger", "Høringssvar"), ("borger", "Plenum"), ("ledig", "Plenum"),
                        ("ukendt", "Spørgeskema"), ("ukendt", "Høringssvar"), ("ledig", "Spørgeskema")}
    for table, cells in ((october, expected), (january, expected_january)):
        for columns in itertools.permutations(table.columns):
            for rows in (list(table.index), list(table.index)[::-1]):
                mask = figures.hidden_cells(table.loc[rows, list(columns)], 5)
                stacked = mask.stack()
                assert set(stacked[stacked].index) == cells, (columns, rows)
                assert all(n in (0, 2) for n in [*mask.sum(axis=0), *mask.sum(axis=1)])


def test_a_hidden_cell_beside_zeros_is_protected_too():
    """A reviewer's table: the 7 is alone in its column, so the column total gives it; then the 20 follows
    from its row and the small 3 from its column. Zeros are shown as 0, so they protect nothing; a zero is
    hidden only where a line has nothing else to hide."""
    counts = pd.DataFrame([[3, 0, 10], [0, 0, 12], [20, 7, 0]], index=list("abc"), columns=list("xyz"))
    mask = figures.hidden_cells(counts, 5)
    assert mask.loc["a", "x"] and all(n != 1 for n in [*mask.sum(axis=0), *mask.sum(axis=1)])
    assert int((mask & (counts == 0)).to_numpy().sum()) <= 1


def test_hidden_cells_of_a_table_too_large_to_search_are_still_safe(monkeypatch):
    """Over the search limit the greedy rule answers: it may hide more, never leave a lone hidden cell.
    In this column order the greedy rule hides 8 of January's cells where 6 suffice."""
    counts = JANUARY_PERSONA_COUNTS[["Plenum", "Spørgeskema", "Høringssvar"]]
    searched = figures.hidden_cells(counts, 5)
    monkeypatch.setattr(figures, "HIDDEN_CELLS_MAX_TRIES", 0)
    greedy = figures.hidden_cells(counts, 5)
    assert int(searched.to_numpy().sum()) == 6 and int(greedy.to_numpy().sum()) == 8
    for mask in (searched, greedy):
        assert (mask | ~((counts > 0) & (counts < 5))).to_numpy().all(), "every small cell is hidden"
        for frame, m in ((counts, mask), (counts.T, mask.T)):
            for idx in m.index:
                others = (frame.loc[idx] > 0) & ~m.loc[idx]
                assert m.loc[idx].sum() != 1 or not others.any()


# ---------------------------------------------------------------- palette and labels

def test_palette_is_okabe_ito_and_codes_get_distinct_colours(cb):
    assert len(figures.PALETTE) == 8
    assert figures.PALETTE[0].upper() == "#E69F00" and figures.PALETTE[-1] == "#000000"
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in figures.PALETTE)
    assert set(figures.CODE_COLOURS) <= set(figures.PALETTE)
    for dim in ("focus_area", "principle"):
        colours = figures.code_colours(cb, dim)
        assert colours["ingen"] == figures.NEUTRAL
        others = [c for k, c in colours.items() if k != "ingen"]
        assert len(set(others)) == len(others)
    assert figures.SEQUENTIAL_CMAP.startswith("cividis")


def test_workshop_labels_are_danish_month_names():
    assert figures.workshop_label("2022-10-28-dataetik") == "Oktober 2022"
    assert figures.workshop_label("2023-01-19-fokusomraader") == "Januar 2023"
    assert figures.workshop_label("uden-dato") == "uden-dato"
    labels = figures.workshop_labels(["2023-01-05-a", "2023-01-19-b"])
    assert labels == {"2023-01-05-a": "5. januar 2023", "2023-01-19-b": "19. januar 2023"}


# ---------------------------------------------------------------- figures: Danish, ids hidden, suppression marked

def test_codes_by_persona_is_danish_and_marks_small_cells(cb):
    st, co = _make([("raadgiver", "formaal", "ansvarlighed", 12), ("raadgiver", "tillid", "gennemskuelighed", 3),
                    ("raadgiver", "teknologisk_forstaaelse", "ansvarlighed", 8),
                    ("leder", "formaal", "ansvarlighed", 6), ("leder", "ingen", "ingen", 6),
                    ("sikret_ledig", "tillid", "mennesket_i_centrum", 2)])
    fig = figures.fig_codes_by_persona(st, co, cb, "focus_area", params=load_params())
    texts = _texts(fig)
    assert fig._suptitle.get_text() == "Fokusområder fordelt på persona"
    assert "Andel af personaens udsagn" in texts
    assert any(t.startswith("Rådgiver") for t in texts) and any(t.startswith("Sikret ledig") for t in texts)
    assert {"Formål", "Tillid", "Teknologisk forståelse", "Intet fokusområde"} <= set(texts)
    # the rådgiver's 8 is hidden beside their 3 (or 3 = total − the rest): the legend must not call it «færre end 5»
    legend = "Skjult (færre end 5 udsagn, eller skjult med et sådant felt, så en personas tal ikke kan regnes ud)"
    assert legend in texts
    assert "skjult: færre end 5 udsagn" in texts, "the persona with 2 statements is hidden whole"
    assert "Sikret ledig\n(n < 5)" in texts
    assert "3" not in texts and "8" not in texts, "the small cell and its secondary partner show no count"
    assert "12" in texts
    assert not [t for t in texts if any(raw in t for raw in RAW_IDS)]
    assert any(p.get_hatch() for p in fig.axes[0].patches)

    fig2 = figures.fig_codes_by_persona(st, co, cb, "principle", params=load_params())
    assert fig2._suptitle.get_text() == "Dataetiske principper fordelt på persona"


def test_the_hidden_legend_reads_the_same_whether_or_not_a_larger_cell_is_hidden(cb):
    """The legend said just «færre end 5» where every hidden cell was small and the long words where a larger one
    was hidden beside a small one: which words a figure used told whether it hid a cell of 5 or more, and an
    audit used that. Both figures now read the same; neither shows the hidden counts."""
    legend = "Skjult (færre end 5 udsagn, eller skjult med et sådant felt, så en personas tal ikke kan regnes ud)"
    # small cells that hide each other in every row and every column: nothing larger is hidden
    st, co = _make([("leder", "formaal", "ansvarlighed", 9), ("leder", "tillid", "gennemskuelighed", 3),
                    ("leder", "teknologisk_forstaaelse", "ansvarlighed", 2), ("raadgiver", "formaal", "ansvarlighed", 7),
                    ("raadgiver", "tillid", "ansvarlighed", 4), ("raadgiver", "teknologisk_forstaaelse", "ansvarlighed", 1)])
    small_only = _texts(figures.fig_codes_by_persona(st, co, cb, "focus_area", params=load_params()))
    assert "9" in small_only and "7" in small_only and not {"1", "2", "3", "4"} & set(small_only)
    # the same small cells with a column of its own for one of them: a larger cell is hidden with it
    st, co = _make([("leder", "formaal", "ansvarlighed", 9), ("leder", "tillid", "gennemskuelighed", 3),
                    ("leder", "teknologisk_forstaaelse", "ansvarlighed", 2), ("raadgiver", "formaal", "ansvarlighed", 7),
                    ("raadgiver", "tillid", "ansvarlighed", 6)])
    with_larger = _texts(figures.fig_codes_by_persona(st, co, cb, "focus_area", params=load_params()))
    assert "6" not in with_larger
    assert [t for t in small_only if t.startswith("Skjult")] == [t for t in with_larger if t.startswith("Skjult")] == [legend]


def test_codes_by_source_kind_and_workshop_are_danish(cb):
    st1, co1 = _make([("raadgiver", "formaal", "ansvarlighed", 10), ("leder", "tillid", "ansvarlighed", 7)])
    st2, co2 = _make([("raadgiver", "formaal", "ansvarlighed", 6)], source_kind="plenum")
    st2["statement_id"] = "b" + st2["statement_id"]
    co2["statement_id"] = "b" + co2["statement_id"]
    both_st, both_co = pd.concat([st1, st2]), pd.concat([co1, co2])
    texts = _texts(figures.fig_codes_by_source_kind(both_st, both_co, cb, "focus_area"))
    assert "Fokusområder fordelt på kilde" in texts and "Andel af kildens udsagn" in texts
    assert any(t.startswith("Spørgeskema") for t in texts) and any(t.startswith("Plenum") for t in texts)
    frames = {"2023-01-19-b": (st2, co2), "2022-10-28-a": (st1, co1)}
    fig = figures.fig_codes_by_workshop(frames, cb, "principle")
    texts = _texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0].startswith("Oktober 2022") and ticks[1].startswith("Januar 2023"), "chronological"
    assert "Dataetiske principper fordelt på workshop" in texts and "Andel af workshoppens udsagn" in texts
    relabelled = figures.fig_codes_by_workshop(frames, cb, "principle", {"2022-10-28-a": "Første workshop"})
    assert relabelled.axes[0].get_yticklabels()[0].get_text().startswith("Første workshop")
    assert not any("bygger på kodernes enighed" in t for t in texts), "no flag, nothing to explain"
    # a workshop's statements on a code are a topic, listed on its page 02: a count of 3 is shown, not hidden
    st3, co3 = _make([("raadgiver", "formaal", "ansvarlighed", 10), ("leder", "tillid", "baeredygtighed", 3)])
    small = _texts(figures.fig_codes_by_workshop({"2022-10-28-a": (st3, co3), "2023-01-19-b": (st2, co2)}, cb,
                                                 "principle"))
    assert "3" in small and "skjult" not in small and not any(t.startswith("Skjult") for t in small)
    # «Alle tal vises» holds for narrow segments too: January's 4 of 175 on «Bæredygtighed» showed no number (the
    # figure wrote a count only at 4 % and more); one too narrow for any number is named under the row's name
    st4, co4 = _make([("raadgiver", "formaal", "ansvarlighed", 171), ("leder", "tillid", "baeredygtighed", 4)])
    st5, co5 = _make([("raadgiver", "formaal", "ansvarlighed", 299), ("leder", "tillid", "gennemskuelighed", 1)])
    narrow = figures.fig_codes_by_workshop({"2022-10-28-a": (st4, co4), "2023-01-19-b": (st5, co5)}, cb, "principle")
    assert "4" in _texts(narrow) and "1" not in _texts(narrow)
    ticks = [t.get_text() for t in narrow.axes[0].get_yticklabels()]
    assert ticks[1].endswith("for smalle til tal: Gennemskuelighed 1") and "for smalle" not in ticks[0], ticks
    # a «foreløbig» flag is one workshop's agreement (the latest's codebook is passed): the figure says whose
    from workshopnlp.codebook import with_tentative_labels

    flagged = figures.fig_codes_by_workshop(frames, with_tentative_labels(cb, {("principle", "ansvarlighed")}),
                                            "principle")
    assert any("«Foreløbig» bygger på kodernes enighed i januar 2023" in " ".join(t.split())
               for t in _texts(flagged)), _texts(flagged)


def test_a_printed_dilemma_card_explains_its_own_small_print():
    """A card travels without the report: «foreløbig» is explained on it, and a card without quotes does
    not say that its quotes are pseudonymised."""
    card = {"label": "Tillid", "min_count": 5, "quotes": [{"text": "x"}]}
    assert figures.dilemma_card_footer(card, True).startswith("Citaterne er pseudonymiserede. Kun personaer")
    assert "Foreløbig" not in figures.dilemma_card_footer(card, True)
    bare = figures.dilemma_card_footer(card, False)
    assert "pseudonymiserede" not in bare and bare.startswith("Kun personaer med mindst 5 udsagn")
    tentative = figures.dilemma_card_footer({**card, "label": "Tillid (foreløbig)"}, True)
    assert "«Foreløbig»: de menneskelige kodere var ikke enige nok" in tentative
    assert "kilden udeladt" in figures.dilemma_card_footer(card, True)  # «x» has no source: the card says why
    # a card without quotes does not explain that «the choice of quotes is not settled»
    assert "udvalget af citater" not in figures.dilemma_card_footer({**card, "label": "Tillid (foreløbig)"}, False)


def test_the_text_under_a_dilemma_card_says_what_the_card_says():
    """Page 06 says the text under each card says the same as the card; the card's «Sikret ledig citeres ikke her:
    færre end 5 udsagn om fokusområdet.» was missing from the text, and a quote without its source («– Sikret
    ledig») was not explained on either."""
    from workshopnlp.reporting import dilemma_card_text

    card = {"label": "Formål", "dilemma": "D", "question": "Q", "min_count": 5, "personas_not_quoted": ["Sikret ledig"],
            "quotes": [{"text": "a", "persona_label": "Leder", "source_kind_label": "Plenum"},
                       {"text": "b", "persona_label": "Rådgiver", "source_kind_label": ""}]}
    text = dilemma_card_text(card)
    assert "Sikret ledig citeres ikke her: deres udsagn om fokusområdet ligger i felter, som rapportens" in text
    assert figures.dilemma_card_not_quoted(card) in text and "– Rådgiver\n" in text + "\n"
    assert "Står der ingen kilde efter en persona, er kilden udeladt" in text
    every_source = {**card, "personas_not_quoted": [], "quotes": card["quotes"][:1]}
    assert "citeres ikke" not in dilemma_card_text(every_source) and "udeladt" not in dilemma_card_text(every_source)
    fig = figures.fig_dilemma_card(card)
    drawn = " ".join(" ".join(t.split()) for t in _texts(fig))
    assert "Sikret ledig citeres ikke her" in drawn and "kilden udeladt" in drawn


def test_principle_by_focus_heatmap_shows_every_count(cb):
    """It hid cells of 1–4 statements, which page 02's list of every statement with both its codes lets anyone
    count (an audit did: a hidden cell was «the row minus the rest»). It counts statements on a topic, not people:
    every count is shown, and the subtitle says why."""
    st, co = _make([("raadgiver", "formaal", "ansvarlighed", 12), ("leder", "tillid", "gennemskuelighed", 4),
                    ("leder", "tillid", "ansvarlighed", 9)])
    st.loc[0, "is_empty_content"] = True
    fig = figures.fig_principle_by_focus(co, cb, statements=st)
    texts = _texts(fig)
    assert "Dataetiske principper fordelt på fokusområder" in texts
    assert "<5" not in texts and "11" in texts and "9" in texts, "the empty answer is not counted"
    assert "4" in [t.get_text() for t in fig.axes[0].texts]
    assert any("Alle tal vises, også små" in " ".join(t.split()) for t in texts)
    assert "Fokusområde" in texts and "Dataetisk princip" in texts and "Antal udsagn" in texts
    assert "Mennesket i centrum" in texts and "Teknologisk\nforståelse" in texts
    assert not [t for t in texts if any(raw in t for raw in RAW_IDS)]


def _themes():
    themes = pd.DataFrame([
        {"theme_id": "T01", "label": "Tillid: robot, bange, maskine", "is_outlier_group": False, "size": 20,
         "share": 0.5, "top_words": "robot, bange, maskine, tillid", "stable": True},
        {"theme_id": "T02", "label": "kaffe, pause, lokale", "is_outlier_group": False, "size": 12, "share": 0.3,
         "top_words": "kaffe, pause, lokale", "stable": False},
        {"theme_id": "ovrigt", "label": "Øvrigt/ikke tematiseret", "is_outlier_group": True, "size": 8,
         "share": 0.2, "top_words": np.nan, "stable": np.nan},
    ])
    rows = []
    for tid, n in (("T01", {"formaal": 2, "tillid": 15, "teknologisk_forstaaelse": 3, "ingen": 0}),
                   ("T02", {"formaal": 0, "tillid": 0, "teknologisk_forstaaelse": 0, "ingen": 12})):
        total = sum(n.values())
        for code, k in n.items():
            rows.append({"theme_id": tid, "dimension": "focus_area", "code": code, "code_label": code,
                         "similarity": 0.1 * k / 3, "cosine": 0.9, "n_coded": k, "share_coded": k / total})
    return themes, pd.DataFrame(rows)


def test_themes_codebook_heatmap_marks_unstable_and_shows_every_share(cb):
    """A theme's small share of a code was hidden as «<5» beside the theme's size, so «n minus the rest» gave it
    back; the statements are listed under their theme on the same page. Every share is shown."""
    themes, tc = _themes()
    fig = figures.fig_themes_codebook(themes, tc, cb, "focus_area")
    texts = _texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["Tillid: robot, bange, maskine", "kaffe, pause, lokale (ustabil)"]
    assert "Temaer og fokusområder" in texts and "75 %" in texts and "100 %" in texts
    assert "<5" not in texts and "10 %" in texts and "15 %" in texts  # 2 and 3 of T01's 20
    assert "Øvrigt/ikke tematiseret" not in ticks
    assert not [t for t in texts if any(raw in t for raw in RAW_IDS)]
    # without coded statements: similarity instead of shares
    fig = figures.fig_themes_codebook(themes, tc.assign(share_coded=np.nan, n_coded=np.nan), cb, "focus_area")
    texts = _texts(fig)
    assert "Lighed (centreret cosinus)" in texts and "0,50" in texts


def test_theme_overview_shows_outliers_apart_with_top_words():
    themes, _ = _themes()
    fig = figures.fig_theme_overview(themes)
    texts = _texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[-1] == "Øvrigt/ikke tematiseret" and ticks[0].startswith("Tillid")
    assert "robot, bange, maskine, tillid" in texts
    assert "Antal udsagn" in texts and "20 (50 %)" in texts
    assert any("(ustabil)" in t for t in ticks)


def test_agreement_figure_marks_tentative_and_the_limit(cb):
    rows = []
    for dim in ("focus_area", "principle"):
        for par, base in (("A ~ B", 0.8), ("A ~ model", 0.6), ("alle", 0.7)):
            for code in ["samlet", *cb.dimension(dim).code_ids]:
                a = base
                rows.append({"dimension": dim, "par": par, "kode": code, "n_statements": 40, "kappa": a,
                             "alpha": a, "foreloebig": a < 0.667})
    fig = figures.fig_agreement(pd.DataFrame(rows), cb)
    texts = _texts(fig)
    assert "Enighed mellem kodere og maskine" in texts
    assert any("Krippendorffs alfa" in t for t in texts)
    assert any("foreløbig" in t for t in texts) and any("0,667" in t for t in texts)
    assert "Koder A og koder B (n = 40)" in texts and any(t.startswith("Koder A og maskinen") for t in texts)
    assert "Fokusområde" in texts and "Dataetisk princip" in texts and "Samlet" in texts
    assert not [t for t in texts if any(raw in t for raw in RAW_IDS)]
    hollow = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_markerfacecolor() == "white"]
    assert hollow, "tentative alphas are hollow markers"
    assert any(list(ln.get_xdata()) == [0.667, 0.667] for ax in fig.axes for ln in ax.get_lines())


# ---------------------------------------------------------------- dilemma cards

def test_dilemma_cards_quote_only_personas_with_enough_statements(cb):
    st, co = _make([("raadgiver", "formaal", "ansvarlighed", 6), ("leder", "formaal", "ansvarlighed", 4),
                    ("ukendt", "formaal", "ansvarlighed", 9), ("sikret_ledig", "tillid", "ansvarlighed", 5)])
    # the best-scored raadgiver statement is empty, the next a duplicate: neither may be quoted
    co["score_focus_area__formaal"] = 0.1
    ids = st.loc[st["persona"] == "raadgiver", "statement_id"].tolist()
    co.loc[co["statement_id"] == ids[0], "score_focus_area__formaal"] = 0.99
    co.loc[co["statement_id"] == ids[1], "score_focus_area__formaal"] = 0.98
    co.loc[co["statement_id"] == ids[2], "score_focus_area__formaal"] = 0.97
    co.loc[co["statement_id"] == ids[3], "code_source"] = "menneske"
    st.loc[st["statement_id"] == ids[0], "is_empty_content"] = True
    st.loc[st["statement_id"] == ids[1], "is_duplicate"] = True
    st.loc[st["statement_id"] == ids[4], "text"] = "for kort"
    st.loc[st["statement_id"] == ids[4], "persona"] = "raadgiver"
    cards = figures.dilemma_cards(st, co, cb, per_persona=1)
    assert [c["focus_area"] for c in cards] == ["formaal", "tillid", "teknologisk_forstaaelse"]
    formaal = cards[0]
    assert formaal["label"] == "Formål"
    assert formaal["dilemma"].startswith("Det er ikke sikkert") and formaal["question"].endswith("borgerne?")
    assert [q["persona"] for q in formaal["quotes"]] == []  # raadgiver has only 4 usable statements left
    assert formaal["personas_not_quoted"] == ["Rådgiver", "Leder"]

    st.loc[st["statement_id"] == ids[1], "is_duplicate"] = False  # 5 usable raadgiver statements now
    cards = figures.dilemma_cards(st, co, cb, per_persona=1)
    quotes = cards[0]["quotes"]
    assert [q["persona_label"] for q in quotes] == ["Rådgiver"], "leder (4) and ukendt are never quoted"
    assert quotes[0]["statement_id"] == ids[3], "human-coded first among medium-length, clean quotes"
    assert set(quotes[0]) >= {"text", "persona", "persona_label", "source_kind", "statement_id"}
    assert [q["persona_label"] for q in cards[1]["quotes"]] == ["Sikret ledig"]
    assert cards[2]["quotes"] == []
    two = figures.dilemma_cards(st, co, cb, per_persona=2)[0]["quotes"]
    assert len(two) == 2 and two[1]["statement_id"] == ids[1], "then the highest score"
    assert ids[4] not in [q["statement_id"] for q in two], "too short"


def test_dilemma_card_is_danish_and_nothing_leaves_the_page(cb):
    long_quote = " ".join(["meget langt udsagn om tillid og formål"] * 30)
    card = {"focus_area": "tillid", "label": "Tillid", "dilemma": cb.dimension("focus_area").code("tillid").dilemma,
            "question": "Skal vi kunne forklare alt for borgerne?", "colour": figures.CODE_COLOURS[1],
            "quotes": [{"text": long_quote, "persona": p, "persona_label": PERSONA_LABELS_DA[p],
                        "source_kind": "survey", "source_kind_label": "Spørgeskema", "statement_id": f"s{i}"}
                       for i, p in enumerate(["raadgiver", "leder", "sikret_ledig", "borger_i_ressourceforloeb"])],
            "min_count": 5, "workshop_label": "Oktober 2022"}
    fig = figures.fig_dilemma_card(card)
    texts = _texts(fig)
    assert "Tillid" in texts and "Dilemma:" in texts and "Spørgsmål:" in texts
    assert any(t.startswith("– Borger i ressourceforløb") for t in texts)
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    for t in fig.findobj(Text):
        if not t.get_text():
            continue
        box = t.get_window_extent(renderer)
        assert box.x0 >= page.x0 - 0.5 and box.x1 <= page.x1 + 0.5, t.get_text()[:40]
        assert box.y0 >= page.y0 - 0.5 and box.y1 <= page.y1 + 0.5, t.get_text()[:40]
    w, h = fig.get_size_inches()
    assert (round(w, 2), round(h, 2)) == (5.83, 8.27)


# ---------------------------------------------------------------- files and style

def test_saves_are_byte_identical(tmp_path, cb):
    st, co = _make([("raadgiver", "formaal", "ansvarlighed", 12), ("leder", "tillid", "gennemskuelighed", 7)])
    digests = []
    for run in ("a", "b"):
        paths = figures.save_figure(figures.fig_codes_by_persona(st, co, cb, "focus_area"), tmp_path / run, "fig")
        assert set(paths) == {"png", "svg"}
        digests.append({k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()})
        assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = paths["svg"].read_text(encoding="utf-8")
        assert "<dc:date>" not in svg
    assert digests[0] == digests[1]
    assert not list((tmp_path / "a").glob("*.tmp"))


def test_missing_font_is_an_error_with_a_fix():
    params = load_params()
    params["figures"]["font"] = "Ingen Sådan Skrifttype"
    with pytest.raises(WorkshopError) as err:
        figures.setup_style(params)
    assert "skrifttypen" in err.value.message and "mangler" in err.value.message
    assert "apt-get install fonts-dejavu-core" in err.value.fix and "figures" in err.value.fix
    with pytest.raises(WorkshopError):
        figures.fig_theme_overview(_themes()[0], params=params)


def test_setup_style_sets_reproducible_output_and_a_danish_font():
    import matplotlib

    rc = figures.setup_style(load_params())
    assert rc["svg.hashsalt"] and matplotlib.rcParams["svg.hashsalt"] == rc["svg.hashsalt"]
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
    assert matplotlib.get_backend().lower() == "agg"


def test_build_figures_skips_themes_of_a_tiny_workshop(tmp_path, cb):
    ws = "2024-03-01-lille"
    st, co = _make([("raadgiver", "formaal", "ansvarlighed", 8), ("leder", "tillid", "gennemskuelighed", 6)])
    st["workshop_id"] = ws
    folder = tmp_path / "data" / "processed" / ws
    folder.mkdir(parents=True)
    st.to_parquet(folder / "statements.parquet", index=False)
    co.to_parquet(folder / "codes.parquet", index=False)
    out = tmp_path / "figs"
    result = figures.build_figures(ws, tmp_path / "data", out, compare_with=[])
    skipped = {s["name"]: s["reason"] for s in result["skipped"]}
    assert "temaer mangler: for få udsagn (14 brugbare; mindst 30 kræves)" == skipped["temaer_oversigt"]
    assert {"temaer_fokusomraader", "temaer_principper", "enighed", "fokusomraader_kilde"} <= set(skipped)
    assert "fokusomraader_persona" in result["figures"] and "dilemmakort_formaal" in result["figures"]
    for entry in result["figures"].values():
        assert entry["png"].is_file() and entry["svg"].is_file() and entry["title"]
    assert (out / "figures.json").is_file()
    # a later run replaces the folder: no stale figures
    (out / "gammel.png").write_bytes(b"x")
    figures.build_figures(ws, tmp_path / "data", out, compare_with=[])
    assert not (out / "gammel.png").exists()


def test_themes_by_source_kind_hides_small_cells():
    themes, _ = _themes()
    themes = themes.assign(n_plenum=[3, 0, 1], n_gruppe=[7, 6, 2], n_survey=[10, 6, 5], n_hoering=0)
    fig = figures.fig_themes_by_source_kind(themes)
    texts = _texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Temaer fordelt på kilde" in texts
    assert ticks[0].startswith("Tillid") and "(n = 20)" in ticks[0]
    assert not any("Øvrigt" in t for t in ticks)
    assert "3" not in texts  # the 3 plenum statements of T01 are hidden, not printed
    assert any("Skjult" in t for t in texts) and "Gruppedrøftelse" in texts
    assert "Høringssvar" not in texts  # no consultation responses here: no empty legend entry
    # a theme table written before consultation responses were a kind of their own still draws
    assert "Gruppedrøftelse" in _texts(figures.fig_themes_by_source_kind(themes.drop(columns=["n_hoering"])))


def test_theme_changes_show_both_workshops_and_the_status():
    comparison = pd.DataFrame([
        {"status": "vokset", "label_a": "Tillid: robot", "share_a": 0.10, "label_b": "Tillid: robot", "share_b": 0.2},
        {"status": "ny", "label_a": "", "share_a": 0.0, "label_b": "Leverandører", "share_b": 0.1},
        {"status": "forsvundet", "label_a": "kaffe, pause", "share_a": 0.08, "label_b": "", "share_b": 0.0}])
    fig = figures.fig_theme_changes(comparison, "Oktober 2022", "Januar 2023")
    texts = _texts(fig)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["Tillid: robot\n(vokset)", "Leverandører\n(ny)", "kaffe, pause\n(forsvundet)"]
    # page 04's table said «Ny (ustabil)» where the figure said «(ny)»: both mark a theme found in under half the
    # repeated groupings, with the same words
    unstable = comparison.assign(stable_a=["True", "", "False"], stable_b=["False", "False", ""])
    ticks = [t.get_text() for t in figures.fig_theme_changes(unstable, "a", "b").axes[0].get_yticklabels()]
    assert ticks == ["Tillid: robot\n(vokset, ustabil nu)", "Leverandører\n(ny, ustabil)",
                     "kaffe, pause\n(forsvundet, var ustabil)"]
    assert any("Ustabil" in t for t in _texts(figures.fig_theme_changes(unstable, "a", "b")))
    # a theme found in both says which side was unstable (June's unstable «skrumpet» T22 was unmarked)
    both = [{"status": "skrumpet", "stable_a": a, "stable_b": b} for a, b in
            (("False", "True"), ("True", "False"), ("False", "False"), ("True", "True"))]
    assert [figures.theme_change_status(r)[1] for r in both] == ["var ustabil", "ustabil nu", "ustabil begge gange", ""]
    assert not any("Ustabil" in t for t in texts)
    assert "Oktober 2022" in texts and "Januar 2023" in texts and "Temaer før og nu" in texts
    assert {"0 %", "10 %", "20 %"} <= set(t.get_text() for t in fig.axes[0].get_xticklabels())


def test_themes_by_persona_uses_danish_persona_labels_and_hides_small_cells():
    themes, _ = _themes()
    themes = themes.assign(n_raadgiver=[8, 6, 1], n_leder=[2, 0, 0], n_sikret_ledig=[5, 6, 3],
                           n_borger_i_ressourceforloeb=[5, 0, 4], n_ukendt=[0, 0, 0])
    fig = figures.fig_themes_by_persona(themes)
    texts = _texts(fig)
    assert "Temaer fordelt på persona" in texts
    assert {"Rådgiver", "Sikret ledig", "Borger i ressourceforløb"} <= set(texts)
    assert "8" in texts and "2" not in texts  # T01's two manager statements are hidden
    assert any("Skjult" in t for t in texts)
    # a figure by persona says why it hides; one by source kind does not promise it (the lists show each
    # statement's context, which often tells the kind of source)
    assert any("så en personas få udsagn ikke står alene. Grænsen tæller udsagn, ikke personer." in t for t in texts)
    by_source = _texts(figures.fig_themes_by_source_kind(themes.assign(n_plenum=[3, 0, 0], n_survey=[12, 6, 8])))
    assert any("er skjult." in t for t in by_source) and not any("står alene" in t for t in by_source)


def test_a_legend_of_long_labels_fits_the_figure_instead_of_running_off_its_edges():
    """Four columns of «Mennesket i centrum (foreløbig)» and the like ran off both edges of a 9-inch
    figure, and the first column lost its colour swatches: the legend takes fewer columns when it must."""
    from matplotlib.patches import Patch

    labels = ["Mennesket i centrum (foreløbig)", "Individuel datakontrol", "Gennemskuelighed (foreløbig)",
              "Ansvarlighed (foreløbig)", "Ligeværdighed", "Bæredygtighed (foreløbig)", "Intet princip (foreløbig)",
              "Skjult (færre end 5 udsagn)"]
    for width, expect_fewer in ((9.0, True), (30.0, False)):
        fig = figures._new_figure(width, 4.0)
        fig.add_subplot().plot([0, 1], [0, 1])
        figures._legend(fig, [Patch(label=lab) for lab in labels], 4)
        fig.canvas.draw()
        box = fig.legends[0].get_window_extent()
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width, (width, box)
        assert (fig.legends[0]._ncols < 4) == expect_fewer
        assert len(fig.legends) == 1


def test_a_dilemma_card_names_a_quotes_source_only_where_report_01_shows_that_cell(cb):
    """'– Sikret ledig, plenum' under a quote told that one of the two plenum remarks of the insured
    unemployed was theirs, a cell report 01 hides as '<5'."""
    st, co = _make([("sikret_ledig", "formaal", "ingen", 8)])
    st_p, co_p = _make([("sikret_ledig", "formaal", "ingen", 2)], source_kind="plenum")
    st_p["statement_id"], co_p["statement_id"] = "p" + st_p["statement_id"], "p" + co_p["statement_id"]
    co_p["score_focus_area__formaal"] = 0.99  # the plenum remarks are the model's surest: the best quotes
    statements, codes = pd.concat([st, st_p], ignore_index=True), pd.concat([co, co_p], ignore_index=True)
    cards = {c["focus_area"]: c for c in figures.dilemma_cards(statements, codes, cb)}
    quote = cards["formaal"]["quotes"][0]
    assert quote["persona"] == "sikret_ledig" and quote["source_kind"] == "plenum"
    assert quote["source_kind_label"] == "", "2 plenum remarks: a cell report 01 hides"
    st_many, co_many = _make([("sikret_ledig", "formaal", "ingen", 6)], source_kind="plenum")
    co_many["score_focus_area__formaal"] = 0.99
    shown = figures.dilemma_cards(st_many, co_many, cb)[0]["quotes"][0]
    assert shown["source_kind"] == "plenum" and shown["source_kind_label"] == "Plenum"
    texts = _texts(figures.fig_dilemma_card(cards["formaal"]))
    assert not any("plenum" in t.lower() for t in texts if t.startswith("–")), texts


def test_a_card_says_which_personas_it_leaves_out_with_one_reason_for_all():
    """A persona with fewer than 5 statements on a focus area, and one whose every statement there is in a hidden
    cell of some table, are both left out (figures.quotable_statements). The card said «færre end 5 udsagn» of
    the first and «en gruppe på under 5» of the second: of two hidden cells in a line it told which was the small
    one, and an audit worked out January's Leder x Tillid = 1 from it. One reason now covers both."""
    from workshopnlp.reporting import dilemma_card_text

    card = {"label": "Tillid", "dilemma": "D", "question": "Q", "min_count": 5, "quotes": [],
            "personas_not_quoted": ["Sikret ledig", "Leder"]}
    expected = ("Ingen citater. Sikret ledig og Leder citeres ikke her: deres udsagn om fokusområdet ligger i felter, "
                "som rapportens optællinger skjuler (færre end 5 udsagn, eller skjult sammen med et sådant felt).")
    assert figures.dilemma_card_no_quotes(card) == expected and f"- {expected}" in dilemma_card_text(card)
    drawn = " ".join(" ".join(t.split()) for t in _texts(figures.fig_dilemma_card(card)))
    assert "Sikret ledig og Leder citeres ikke her" in drawn
    for text in (figures.dilemma_card_no_quotes(card), figures.dilemma_card_not_quoted(card)):
        assert "færre end 5 udsagn om" not in text and "under 5 i" not in text
    # a card whose statements all have an unknown speaker says that, not «ingen persona har mindst 5»
    assert figures.dilemma_card_no_quotes({**card, "personas_not_quoted": []}) == (
        "Ingen citater: ingen af udsagnene om dette fokusområde har en kendt persona.")


#: October's persona x principle counts in the sample workshop (rows raadgiver, leder, sikret_ledig,
#: borger_i_ressourceforloeb, ukendt)
OCTOBER_PRINCIPLE_COUNTS = pd.DataFrame(
    {"mennesket_i_centrum": [17, 3, 20, 17, 4], "individuel_datakontrol": [4, 3, 7, 7, 2],
     "gennemskuelighed": [9, 4, 9, 4, 3], "ansvarlighed": [4, 10, 6, 2, 5], "ligevaerdighed": [7, 7, 6, 9, 5],
     "baeredygtighed": [2, 3, 3, 3, 2], "ingen": [27, 27, 22, 24, 23]},
    index=["raadgiver", "leder", "sikret_ledig", "borger_i_ressourceforloeb", "ukendt"])


def _persona_lines_with_one_hidden(mask: pd.DataFrame, unknown: str) -> list:
    """Rows and columns in which exactly one cell of a persona (not «Ukendt») is hidden."""
    persona_mask = mask.drop(index=[unknown], errors="ignore").drop(columns=[unknown], errors="ignore")
    return ([r for r in persona_mask.index if int(persona_mask.loc[r].sum()) == 1]
            + [c for c in persona_mask.columns if int(persona_mask[c].sum()) == 1])


def test_a_hidden_unknown_cell_protects_no_persona_cell():
    """An audit worked out October's «Ukendt» x principle cells (every plenary line is «Ukendt», and page 02 lists
    each statement with its context), and then Leder x Mennesket i centrum = 3 as the column's total minus the
    rest: the only other hidden cell of that column was «Ukendt». A hidden «Ukendt» cell no longer counts."""
    old = figures.hidden_cells(OCTOBER_PRINCIPLE_COUNTS, 5)
    assert _persona_lines_with_one_hidden(old, "ukendt") == ["mennesket_i_centrum"], "the leak this test is about"
    for table, unknown in ((OCTOBER_PRINCIPLE_COUNTS, "ukendt"), (OCTOBER_PRINCIPLE_COUNTS.T, "ukendt"),
                           (OCTOBER_PRINCIPLE_COUNTS.rename(index={"ukendt": "Ukendt"}), "Ukendt")):
        mask = figures.people_cells_hidden(table, 5)
        small = (table > 0) & (table < 5)
        assert (mask | ~small).to_numpy().all(), "every small cell is hidden, «Ukendt»'s too"
        assert _persona_lines_with_one_hidden(mask, unknown) == []
        # no «Ukendt» cell of 5 or more is hidden: it would protect nothing
        line = mask.loc[unknown] if unknown in mask.index else mask[unknown]
        values = table.loc[unknown] if unknown in table.index else table[unknown]
        assert not (line & (values >= 5)).any()
    mask = figures.people_cells_hidden(OCTOBER_PRINCIPLE_COUNTS, 5)
    assert mask.at["leder", "mennesket_i_centrum"] and int(mask["mennesket_i_centrum"].drop("ukendt").sum()) == 2


def test_a_line_of_one_persona_and_unknown_still_gets_a_second_hidden_cell():
    """With only «Ukendt» beside it, a small persona cell cannot be protected by a persona cell; the «Ukendt» cell
    is hidden with it, as before – never a line with a lone hidden cell and nothing done."""
    table = pd.DataFrame({"Plenum": [3, 12], "Spørgeskema": [9, 14]}, index=["Leder", "Ukendt"])
    mask = figures.people_cells_hidden(table, 5)
    assert mask.at["Leder", "Plenum"] and int(mask["Plenum"].sum()) == 2 and int(mask.loc["Leder"].sum()) == 2


def test_a_card_never_quotes_a_statement_with_a_placeholder(cb):
    """January's card quoted «Skriv til mig på [EMAIL] hvis I vil høre mere…» for a persona whose every quotable
    statement had a placeholder: a message, not a view. Such a persona is left out, and the card says why."""
    st, co = _make([("raadgiver", "formaal", "ingen", 6), ("leder", "formaal", "ingen", 6)])
    leder = st["persona"] == "leder"
    st.loc[leder, "text"] = [f"Skriv til mig på [EMAIL] hvis I vil høre mere om nummer {i} ord ord ord ord"
                             for i in range(int(leder.sum()))]
    formaal = figures.dilemma_cards(st, co, cb, per_persona=1)[0]
    assert [q["persona"] for q in formaal["quotes"]] == ["raadgiver"]
    assert formaal["personas_only_placeholders"] == ["Leder"] and formaal["personas_not_quoted"] == []
    assert "Leder citeres ikke her: hvert af deres udsagn, der kunne citeres, nævner en person" in \
        figures.dilemma_card_not_quoted(formaal)
    # one plain statement is enough: it is quoted, the ones with placeholders are not
    st.loc[st.index[leder][0], "text"] = "Vi skal kunne forklare formålet for borgeren ord ord ord ord ord ord"
    formaal = figures.dilemma_cards(st, co, cb, per_persona=2)[0]
    assert {q["persona"] for q in formaal["quotes"]} == {"raadgiver", "leder"}
    assert not any("[EMAIL]" in q["text"] for q in formaal["quotes"]) and formaal["personas_only_placeholders"] == []


def test_a_card_quotes_a_machine_coded_statement_only_where_the_machine_is_sure_enough(cb):
    """September's Tillid card quoted «Nej. Jeg har fået samtaler som jeg plejer.» – an answer to whether anything
    had changed, coded Tillid by the machine at 0.47 and «ingen» by three people – under «Skal vi kunne forklare
    alt for borgerne?». A machine code below figures.quote_min_score is no telling quote; people's codes are."""
    st, co = _make([("raadgiver", "formaal", "ingen", 6), ("leder", "formaal", "ingen", 6)])
    leder = (st["persona"] == "leder").to_numpy()
    co.loc[leder, "score_focus_area__formaal"] = 0.47
    formaal = figures.dilemma_cards(st, co, cb, per_persona=1)[0]
    assert [q["persona"] for q in formaal["quotes"]] == ["raadgiver"] and formaal["personas_uncertain"] == ["Leder"]
    assert "Leder citeres ikke her: ingen af deres udsagn, der kunne citeres, er kodet af mennesker, og maskinen " \
           "gav ingen af dem fokusområdet med en sikkerhed på mindst 0,50." in figures.dilemma_card_not_quoted(formaal)
    people = st.index[leder][2]
    co.loc[people, "code_source"] = "menneske"  # a person's code is quoted whatever the machine's score
    formaal = figures.dilemma_cards(st, co, cb, per_persona=1)[0]
    assert [q["statement_id"] for q in formaal["quotes"] if q["persona"] == "leder"] == [st.at[people, "statement_id"]]
    assert formaal["personas_uncertain"] == []
    lenient = figures.dilemma_cards(st.drop(index=people), co.drop(index=people), cb, per_persona=1,
                                    params={"figures": {"quote_min_score": 0.4}})[0]
    assert {q["persona"] for q in lenient["quotes"]} == {"raadgiver", "leder"}


def test_a_card_quotes_a_reply_to_another_question_only_when_nothing_else_is_left(cb):
    """September's card quoted «Ja, hvis mentorerne lærer at sige det ordentligt.», a reply to «Skal projektet
    fortsætte?», under the card's own question, where the yes reads as an answer to it."""
    st, co = _make([("raadgiver", "formaal", "ingen", 6)])
    st.loc[0, "text"] = "Ja, hvis vi først får forklaret formålet ordentligt for borgerne ord ord"
    co.loc[0, "score_focus_area__formaal"] = 0.99  # the surest of them
    quoted = figures.dilemma_cards(st, co, cb, per_persona=1)[0]["quotes"]
    assert len(quoted) == 1 and not quoted[0]["text"].startswith("Ja,")
    st.loc[1:, "text"] = [f"Nej. Udsagn nummer {i} om formaal ord ord ord ord ord" for i in range(1, len(st))]
    quoted = figures.dilemma_cards(st, co, cb, per_persona=1)[0]["quotes"]
    assert quoted[0]["text"].startswith("Ja, hvis vi først")  # only replies left: the surest is quoted
