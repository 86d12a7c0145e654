"""Figures on the two sample workshops (ingested and coded once per session by conftest).

October gets themes (one seed, ~10-20 s incl. numba JIT); January is left without themes so the skip
path is exercised on real data. The module takes well under a minute beyond the shared fixtures.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import struct

import pandas as pd
import pytest
from matplotlib.text import Text

from conftest import JANUARY, OCTOBER
from workshopnlp import figures
from workshopnlp.codebook import load_codebook
from workshopnlp.config import WorkshopPaths, load_params
from workshopnlp.personas import PERSONA_LABELS_DA

pytestmark = pytest.mark.integration

EXPECTED_OCTOBER = {
    "fokusomraader_persona", "principper_persona", "principper_fokusomraader", "fokusomraader_kilde",
    "principper_kilde", "temaer_oversigt", "temaer_fokusomraader", "temaer_principper", "temaer_kilde", "temaer_persona", "enighed",
    "dilemmakort_formaal", "dilemmakort_tillid", "dilemmakort_teknologisk_forstaaelse",
}


@pytest.fixture(scope="module")
def data_dir(coded_data_dir, tmp_path_factory):
    """A copy of the coded sample data with themes for October only (one seed)."""
    from workshopnlp.themes import run_themes

    target = tmp_path_factory.mktemp("figures_data")
    shutil.copytree(coded_data_dir, target, dirs_exist_ok=True)
    for ws in (OCTOBER, JANUARY):
        shutil.rmtree(WorkshopPaths(target, ws).themes_dir, ignore_errors=True)
        (WorkshopPaths(target, ws).processed / "themes_skipped.json").unlink(missing_ok=True)
    run_themes(OCTOBER, target, n_seeds=1, use_previous=False)
    return target


@pytest.fixture(scope="module")
def october(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("fig_oct") / "figures"
    return out, figures.build_figures(OCTOBER, data_dir, out, load_params())


@pytest.fixture(scope="module")
def january(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("fig_jan") / "figures"
    return out, figures.build_figures(JANUARY, data_dir, out, load_params())


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_october_builds_every_figure(october):
    out, result = october
    assert set(result["figures"]) == EXPECTED_OCTOBER
    assert {s["name"] for s in result["skipped"]} == {"fokusomraader_workshops", "principper_workshops",
                                                       "temaer_workshops"}
    assert all(s["reason"].startswith("ingen tidligere workshop") for s in result["skipped"])
    for name, entry in result["figures"].items():
        assert entry["png"].parent == out and entry["png"].stat().st_size > 30_000, name
        w, h = _png_size(entry["png"])
        assert w >= 800 and h >= 400, name
        svg = entry["svg"].read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert entry["title"] and entry["title"][0].isupper()
    assert (out / "figures.json").is_file() and (out / "figures.provenance.json").is_file()
    assert result["figures"]["fokusomraader_persona"]["title"] == "Fokusområder fordelt på persona"


def test_january_compares_with_october_and_skips_missing_themes(january):
    _, result = january
    assert {"fokusomraader_workshops", "principper_workshops", "fokusomraader_persona", "enighed"} <= set(
        result["figures"])
    skipped = {s["name"]: s["reason"] for s in result["skipped"]}
    assert set(skipped) == {"temaer_oversigt", "temaer_fokusomraader", "temaer_principper", "temaer_kilde",
                            "temaer_persona", "temaer_workshops"}
    assert all(r.startswith("temaer mangler") and "workshopnlp themes" in r for r in skipped.values())


def test_dilemma_cards_quote_several_personas_and_respect_privacy(data_dir, october, january):
    min_count = load_params()["figures"]["min_cell_count"]
    labels = set(PERSONA_LABELS_DA.values()) - {"Ukendt"}
    from workshopnlp.reporting import load_bundle, quotable as quotable_of

    quotable = {ws: quotable_of(load_bundle(ws, data_dir)) for ws in (OCTOBER, JANUARY)}
    for ws, (_, result) in ((OCTOBER, october), (JANUARY, january)):
        paths = WorkshopPaths(data_dir, ws)
        st = pd.read_parquet(paths.statements)
        st = st[~st["is_empty_content"] & ~st["is_duplicate"]]
        coded = st.merge(pd.read_parquet(paths.codes)[["statement_id", "focus_area"]], on="statement_id")
        cards = result["dilemma_cards"]
        assert [c["focus_area"] for c in cards] == ["formaal", "tillid", "teknologisk_forstaaelse"]
        for card in cards:
            assert card["dilemma"] and card["question"].endswith("?")
            per = coded[coded["focus_area"] == card["focus_area"]]["persona"].value_counts()
            speaking = [p for p in PERSONA_LABELS_DA if p != "ukendt" and per.get(p, 0) > 0]
            quoted = [q["persona"] for q in card["quotes"]]
            # a persona with statements on the focus area is quoted or named as left out, never both; left out
            # are those with < 5 statements there and those whose every statement there is in a hidden cell of
            # some table (figures.quotable_statements), with one reason for both
            not_quoted = card["personas_not_quoted"] + card["personas_only_placeholders"] + card["personas_uncertain"]
            assert not any(figures.PLACEHOLDER.search(q["text"]) for q in card["quotes"]), "a card quotes no [EMAIL]"
            assert len(set(quoted)) == len(quoted) == len(speaking) - len(not_quoted), (ws, card["label"])
            assert {PERSONA_LABELS_DA[p] for p in quoted} | set(not_quoted) == {PERSONA_LABELS_DA[p] for p in speaking}
            assert all(PERSONA_LABELS_DA[p] in not_quoted for p in speaking if per.get(p, 0) < min_count)
            assert all(per.get(p, 0) >= min_count for p in quoted), "never a persona with < 5 statements"
            assert all(q["persona_label"] in labels for q in card["quotes"])
            for q in card["quotes"]:
                assert q["statement_id"] in quotable[ws], (ws, q)
                row = coded[coded["statement_id"] == q["statement_id"]].iloc[0]
                assert row["text"] == q["text"] and row["focus_area"] == card["focus_area"]
            if ws == OCTOBER:
                assert len(set(quoted)) >= 2, card["label"]
    # January's "Tillid" is discussed by few per persona: only personas with >= 5 statements are quoted
    jan_tillid = next(c for c in january[1]["dilemma_cards"] if c["focus_area"] == "tillid")
    assert jan_tillid["personas_not_quoted"]


def _overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of visible texts whose boxes overlap by more than 2 px (a readability check)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for t in fig.findobj(Text):
        if t.get_text().strip() and t.get_visible():
            b = t.get_window_extent(renderer)
            boxes.append((t.get_text(), b.x0 + 2, b.y0 + 2, b.x1 - 2, b.y1 - 2))
    bad = []
    for (ta, *a), (tb, *b) in itertools.combinations(boxes, 2):
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
            bad.append((ta[:30], tb[:30]))
    return bad


def test_real_figures_have_no_overlapping_labels(data_dir):
    cb = load_codebook()
    paths = WorkshopPaths(data_dir, OCTOBER)
    st, co = pd.read_parquet(paths.statements), pd.read_parquet(paths.codes)
    themes = pd.read_csv(paths.themes_dir / "themes.csv")
    theme_codes = pd.read_csv(paths.themes_dir / "theme_codes.csv")
    agreement = pd.read_csv(paths.processed / "agreement.csv")
    made = {
        "persona": figures.fig_codes_by_persona(st, co, cb, "principle"),
        "kilde": figures.fig_codes_by_source_kind(st, co, cb, "focus_area"),
        "heatmap": figures.fig_principle_by_focus(co, cb, statements=st),
        "temaer": figures.fig_theme_overview(themes),
        "temaer_koder": figures.fig_themes_codebook(themes, theme_codes, cb, "principle"),
        "enighed": figures.fig_agreement(agreement, cb),
        "kort": figures.fig_dilemma_card(figures.dilemma_cards(st, co, cb)[0]),
    }
    for name, fig in made.items():
        assert not _overlaps(fig), (name, _overlaps(fig)[:5])


def test_rebuilding_gives_byte_identical_files(data_dir, october, tmp_path):
    _, first = october
    second = figures.build_figures(OCTOBER, data_dir, tmp_path / "igen", load_params())
    for name, entry in first["figures"].items():
        for kind in ("png", "svg"):
            a = hashlib.sha256(entry[kind].read_bytes()).hexdigest()
            b = hashlib.sha256(second["figures"][name][kind].read_bytes()).hexdigest()
            assert a == b, (name, kind)


def test_a_workshop_whose_raw_folder_was_renamed_is_not_compared_with_its_old_copy(coded_data_dir, tmp_path):
    """October's raw folder renamed: its old processed folder must not count as an earlier workshop on the
    comparison pages (reporting.workshop_frames) nor in the figures' comparisons (coding.known_workshops)."""
    from workshopnlp.coding import known_workshops
    from workshopnlp.reporting import workshop_frames

    d = tmp_path / "data"
    shutil.copytree(coded_data_dir, d)
    assert sorted(workshop_frames(d)) == [OCTOBER, JANUARY]
    (d / "raw" / OCTOBER).rename(d / "raw" / "2022-10-28-omdoebt")
    assert sorted(workshop_frames(d)) == [JANUARY] and known_workshops(d) == [JANUARY]
    (d / "raw" / "2022-10-28-omdoebt").rename(d / "raw" / OCTOBER)
    assert sorted(workshop_frames(d, until=OCTOBER)) == [OCTOBER]
