"""Theme quality: our BERTopic themes vs an LDA baseline on the sample workshops and on real Danish prose.

Datasets
  - the two sample workshops (ingested into a temporary data dir from data/raw, usable statements only);
  - "korpus": 172 on-theme public-sector sentences (../shared/corpora/danish_public_sector_ai.csv) mixed
    with 250 off-theme sentences (danish_generic_ud_ddt.csv), to see whether off-theme text is kept apart.

Measures (per dataset; LDA = sklearn LatentDirichletAllocation on the same lemmas, same number of topics)
  - NPMI coherence of each topic's top 10 words, document co-occurrence in the same statements (-1..1);
  - topic diversity: distinct words among all topics' top 10 / (10 x topics);
  - outlier share (ours: "Øvrigt/ikke tematiseret"; LDA has none);
  - seed stability: ARI of the assignments of seeds 2..N with seed 1, for ours the mean share of seeds
    in which a theme recurs and the min/median/max number of themes;
  - workshops only: a few lines more or less (``--leave-out``, ``--draws``): leave out 5 % and 10 % of the
    statements at random, refit with the reported seed, and count how many of the reported themes are found
    again (matched as seed stability matches them) and the ARI on the statements both fits have;
  - korpus only: purity of on/off-theme labels within topics, ARI(on/off, topic), the share of off-theme
    sentences that land in mostly on-theme topics, and where outliers come from.

Usage:  .venv/bin/python benchmarks/theme_quality.py [--seeds 5] [--cache PATH] [--leave-out 0.05 0.10] [--draws 5]
Runs offline; embeddings are cached (default: data/processed/_cache/embeddings.sqlite, or WORKSHOPNLP_EMBEDDING_CACHE).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from workshopnlp import themes  # noqa: E402
from workshopnlp.config import WorkshopPaths, load_params  # noqa: E402
from workshopnlp.embeddings import EmbeddingCache, cache_path, embed_texts, get_embedder  # noqa: E402

WORKSHOPS = ("2022-10-28-dataetik", "2023-01-19-fokusomraader")
CORPORA = REPO.parent / "shared" / "corpora"
N_TOP = 10


# ------------------------------------------------------------------------------------------- metrics

def doc_sets(docs: list[str]) -> list[set[str]]:
    return [set(d.split()) for d in docs]


def npmi(topics_words: list[list[str]], sets: list[set[str]]) -> float:
    """Mean NPMI over word pairs of each topic (document co-occurrence; never co-occurring = -1)."""
    n = len(sets)
    df: dict[str, int] = {}
    for s in sets:
        for w in s:
            df[w] = df.get(w, 0) + 1
    scores = []
    for words in topics_words:
        words = [w for w in words if df.get(w)]
        pair_scores = []
        for a, b in itertools.combinations(words, 2):
            joint = sum(1 for s in sets if a in s and b in s)
            if joint == 0:
                pair_scores.append(-1.0)
                continue
            p_ab, p_a, p_b = joint / n, df[a] / n, df[b] / n
            if p_ab >= 1.0:
                pair_scores.append(1.0)
                continue
            pair_scores.append(np.log(p_ab / (p_a * p_b)) / -np.log(p_ab))
        if pair_scores:
            scores.append(float(np.mean(pair_scores)))
    return float(np.mean(scores)) if scores else float("nan")


def diversity(topics_words: list[list[str]]) -> float:
    total = sum(len(w) for w in topics_words)
    return len({w for ws in topics_words for w in ws}) / total if total else float("nan")


def separation(labels: np.ndarray, on: np.ndarray) -> dict[str, float]:
    """on: 1 = on-theme, 0 = off-theme. Outliers (-1) are left out of purity and ARI."""
    from sklearn.metrics import adjusted_rand_score

    kept = labels != -1
    correct, off_in_on = 0, 0
    for t in set(labels[kept].tolist()):
        members = on[labels == t]
        majority = int(members.mean() >= 0.5)
        correct += int((members == majority).sum())
        if majority == 1:
            off_in_on += int((members == 0).sum())
    return {"purity": correct / max(int(kept.sum()), 1),
            "ari": float(adjusted_rand_score(on[kept], labels[kept])),
            "off_in_on": off_in_on / max(int((on == 0).sum()), 1),
            "off_outlier": float(((labels == -1) & (on == 0)).sum() / max(int((on == 0).sum()), 1)),
            "on_outlier": float(((labels == -1) & (on == 1)).sum() / max(int((on == 1).sum()), 1))}


def leave_out_rows(name: str, docs: list[str], embeddings: np.ndarray, full, tp: dict, cbv,
                   shares: tuple[float, ...], draws: int) -> list[dict]:
    """One row per share left out: themes found again and ARI, mean and worst over ``draws`` random draws, each
    refitted with the reported fit's seed (so only the left-out lines differ)."""
    rows = []
    everyone = np.ones(len(docs), dtype=bool)  # the benchmark's statements are all participants'
    for share in shares:
        # the pipeline's own refits and measure (themes.fit_leave_out, leave_out_stability), at this share
        parts = themes.fit_leave_out(docs, embeddings, everyone, embeddings, docs,
                                     {**tp, "leave_out_share": share, "leave_out_fits": draws}, cbv)
        lo = themes.leave_out_stability(full, parts, cbv.background, tp)
        found = [float(np.mean([i in t["found_in_fits"] for t in lo["per_topic"].values()])) for i in range(draws)]
        aris = lo["ari_with_first"]
        rows.append({"datasæt": name, "udeladt": f"{share:.0%} ({lo['n_left_out'][0]} udsagn)",
                     "temaer genfundet, middel": float(np.mean(found)), "temaer genfundet, laveste": min(found),
                     "ARI, middel": float(np.mean(aris)), "ARI, laveste": min(aris), "træk": draws})
    return rows


# ------------------------------------------------------------------------------------------- models

def lda_fit(docs: list[str], k: int, seed: int, stops: list[str]):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(token_pattern=themes.TOKEN_PATTERN, stop_words=stops or None, min_df=2)
    X = vec.fit_transform(docs)
    lda = LatentDirichletAllocation(n_components=k, random_state=seed, learning_method="batch", max_iter=50)
    dist = lda.fit_transform(X)
    vocab = vec.get_feature_names_out()
    words = [[vocab[i] for i in np.argsort(-row)[:N_TOP]] for row in lda.components_]
    return words, dist.argmax(axis=1)


def datasets(tmp: Path, params: dict) -> list[tuple[str, list[str], list[str], np.ndarray | None]]:
    """(name, texts, content lemmas, on-theme labels or None)."""
    from workshopnlp.ingest import ingest
    from workshopnlp.nlp import analyse

    out = []
    for ws in WORKSHOPS:
        import shutil

        shutil.copytree(REPO / "data" / "raw" / ws, tmp / "raw" / ws)
        ingest(ws, tmp, params)
        st = pd.read_parquet(WorkshopPaths(tmp, ws).statements)
        st = st[themes.usable_mask(st)]
        out.append((ws, st["text"].tolist(), st["content_lemmas"].fillna("").tolist(), None))
    on = pd.read_csv(CORPORA / "danish_public_sector_ai.csv")["text"].tolist()
    off = pd.read_csv(CORPORA / "danish_generic_ud_ddt.csv")["text"].tolist()
    texts = on + off
    lemmas = [" ".join(a.content_lemmas) for a in analyse(texts)]
    out.append(("korpus (172 on + 250 off)", texts, lemmas, np.array([1] * len(on) + [0] * len(off))))
    return out


def main() -> int:
    from sklearn.metrics import adjusted_rand_score

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=None, help="seeds for stability (default: params n_seeds)")
    ap.add_argument("--cache", type=Path, default=cache_path(REPO / "data"))
    ap.add_argument("--leave-out", type=float, nargs="*", default=[0.05, 0.10],
                    help="shares of the statements to leave out at random and refit (default: 0.05 0.10; none: skip)")
    ap.add_argument("--draws", type=int, default=5, help="random draws per share left out (default 5)")
    args = ap.parse_args()
    logging.getLogger("BERTopic").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")

    t_start = time.perf_counter()
    params = load_params()
    tp = themes.theme_params(params)
    n_seeds = args.seeds or int(tp["n_seeds"])
    emb_cfg = params["embeddings"]
    embedder = get_embedder(emb_cfg["model"], role=emb_cfg["role"], batch_size=int(emb_cfg["batch_size"]))
    cache = EmbeddingCache(args.cache)
    cbv = themes.codebook_vectors(embedder, cache)
    stops = themes.theme_stop_words()

    rows, sep_rows, out_rows, timing = [], [], [], {}
    with tempfile.TemporaryDirectory() as tmpdir:
        t0 = time.perf_counter()
        data = datasets(Path(tmpdir), params)
        timing["ingest + lemmatisering"] = time.perf_counter() - t0
    for name, texts, docs, on in data:
        t0 = time.perf_counter()
        embeddings = embed_texts([themes.embedding_text(t) for t in texts], embedder, cache)
        t_embed = time.perf_counter() - t0
        t0 = time.perf_counter()
        fits = themes.fit_seeds(docs, embeddings, tp, cbv, n_seeds=n_seeds)
        t_fit = time.perf_counter() - t0
        primary = fits[0]
        stab = themes.seed_stability(primary, fits[1:], cbv.background, tp)
        words = [[w for w, _ in themes.representative_words(primary, t, docs, N_TOP)] for t in primary.theme_topics]
        k = len(words)
        sets = doc_sets(docs)
        t0 = time.perf_counter()
        lda_runs = [lda_fit(docs, k, int(tp["seed"]) + i, stops) for i in range(n_seeds)]
        t_lda = time.perf_counter() - t0
        lda_words, lda_labels = lda_runs[0]
        recurrence = [v["recurrence"] for v in stab["per_topic"].values()]
        n = stab["n_themes"]
        rows.append({
            "datasæt": name, "n": len(docs), "temaer": k,
            "NPMI ours": npmi(words, sets), "NPMI LDA": npmi(lda_words, sets),
            "diversitet ours": diversity(words), "diversitet LDA": diversity(lda_words),
            "outliers ours": primary.outlier_share,
            "outliers før reduktion": float((primary.topics_before == -1).mean()),
            "ARI seeds ours": float(np.mean(stab["ari_with_first"])) if stab["ari_with_first"] else 1.0,
            "ARI seeds LDA": float(np.mean([adjusted_rand_score(lda_labels, l) for _, l in lda_runs[1:]]))
            if n_seeds > 1 else 1.0,
            "genfundne temaer": float(np.mean(recurrence)) if recurrence else float("nan"),
            "stabile temaer": f"{sum(r >= float(tp['unstable_share']) for r in recurrence)}/{k}",
            "antal temaer min/med/max": f"{n['min']}/{n['median']:g}/{n['max']}",
            "metode": primary.plan.method,
        })
        timing[f"{name}: embeddings"] = t_embed
        timing[f"{name}: {n_seeds} BERTopic-fits"] = t_fit
        timing[f"{name}: {n_seeds} LDA-fits"] = t_lda
        if on is None and args.leave_out:  # the workshops: would the themes survive a few lines more or less?
            t0 = time.perf_counter()
            over_seeds = float(np.mean(recurrence)) if recurrence else float("nan")
            out_rows += [{**r, "genfundet over seeds": over_seeds} for r in leave_out_rows(
                name, docs, embeddings, primary, tp, cbv, tuple(args.leave_out), args.draws)]
            timing[f"{name}: {len(args.leave_out) * args.draws} fits uden udvalgte udsagn"] = time.perf_counter() - t0
        if on is not None:
            ours = separation(primary.topics, on)
            lda = separation(lda_labels, on)
            sep_rows.append({"model": "ours", **ours})
            sep_rows.append({"model": "LDA", **lda})
            examples = {t: ", ".join(w[:5]) for t, w in zip(primary.theme_topics, words)}
            mix = pd.DataFrame({"tema": primary.topics, "on": on}).groupby("tema")["on"].agg(["size", "mean"])
    total = time.perf_counter() - t_start

    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    table = pd.DataFrame(rows).set_index("datasæt")
    fmt = {c: "{:.3f}".format for c in table.columns if table[c].dtype.kind == "f"}
    print("\n== Temakvalitet: BERTopic-temaer (ours) mod LDA med samme antal emner ==")
    print(f"(NPMI og diversitet over top-{N_TOP}-ord; {n_seeds} seeds; genfundne temaer = gennemsnitlig andel "
          f"af seeds, hvor et tema genfindes ved centreret centroid-cosinus >= {tp['match_similarity']})\n")
    print(table.T.to_string(formatters=None, float_format=lambda x: f"{x:.3f}"))
    if out_rows:
        print("\n== Få udsagn mere eller mindre: genfindes temaerne? ==")
        print(f"(en andel af udsagnene udeladt tilfældigt, {args.draws} træk pr. andel, samme seed som de rapporterede "
              f"temaer; genfundet = andel af de rapporterede temaer, der matches én til én ved centreret "
              f"centroid-cosinus >= {tp['match_similarity']}, som i stabiliteten over seeds; ARI på de udsagn, "
              f"begge fit har; «genfundet over seeds» er stabilitetstallet fra tabellen ovenfor)\n")
        print(pd.DataFrame(out_rows).set_index(["datasæt", "udeladt"]).to_string(
            float_format=lambda x: f"{x:.3f}", na_rep=""))
    if sep_rows:
        print("\n== Korpus: holdes off-theme-sætninger adskilt? ==")
        print("(purity/ARI for on/off mod tema uden outliers; off_in_on = andel off-theme-sætninger i temaer med "
              "flertal af on-theme; off/on_outlier = andel i 'Øvrigt')\n")
        print(pd.DataFrame(sep_rows).set_index("model").to_string(float_format=lambda x: f"{x:.3f}"))
        print("\nKorpus-temaer (andel on-theme, top-ord):")
        for t, r in mix.iterrows():
            label = "Øvrigt" if t == -1 else examples.get(t, "")
            print(f"  {t:>3}  n={int(r['size']):>3}  on={r['mean']:.2f}  {label}")
    print("\n== Køretid ==")
    for key, secs in timing.items():
        print(f"  {key:55s} {secs:6.1f} s")
    print(f"  {'i alt':55s} {total:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
