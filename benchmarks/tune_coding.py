"""Choose the coder's lexical weight, regularisation, context weight, shared-ingen weight and keyword
weight by cross-validation on the TUNING part only.

The held-out gold part is never read here, so benchmarks/coding_quality.py stays an honest test.
Prints the mean macro-F1 (5-fold, stratified by focus area) for every grid point and the best one;
the values in src/workshopnlp/params.yaml (coding.lexical_weight, coding.C, coding.context_weight) were
chosen with it, last after coder C joined the reference (lexical_weight 0.55, C 4, context 0.25: focus
areas 0.866, principles 0.537). Each grid point fits 30 models (5 folds x the out-of-fold ingen calibration): ~1 min.
At the best grid point it then sweeps coding.principle_ingen_from_focus (shared ingen), then
coding.keyword_weight over three fold seeds (codebook keywords as features: principles 0.557 -> 0.603
at 0.5, mean of three splits; focus areas no gain), and prints the macro-F1 per persona of the chosen
setting (the equal-treatment target, on tuning data). The grid was rerun with keyword_weight 0.5 for
principles: the same point is best (focus areas 0.868, principles 0.614). ~35 min in all.
(context_weight 0, text only, was also tried: focus-area macro-F1 0.74 against 0.85-0.87 with context.)

Usage:  .venv/bin/python benchmarks/tune_coding.py   (uses ./data with the sample workshops ingested)
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from workshopnlp.codebook import DIMENSIONS, load_codebook
from workshopnlp.coding import _embedding_setup, contexts_of, fit_coder, load_all_human_codes, training_references
from workshopnlp.config import load_params
from workshopnlp.ingest import ingest

WORKSHOPS = ("2022-10-28-dataetik", "2023-01-19-fokusomraader")
GRID = {"lexical_weight": (0.4, 0.55), "C": (4.0, 8.0), "context_weight_focus": (0.1, 0.25, 0.5)}
SHARED_INGEN = (0.0, 0.25, 0.5, 0.75)
KEYWORD_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
KEYWORD_EXTRA_FOLD_SEEDS = (1, 2)  # the keyword sweep also runs on these splits
SIMPLER_WITHIN = 0.005  # macro-F1: differences this small are fold noise
FOLDS = 5


def choose_keyword_weight(mean_f1: dict[float, float]) -> float:
    """0 if the features do not help by more than fold noise; otherwise the middle of the weights whose
    mean macro-F1 is within SIMPLER_WITHIN of the best (the lower middle for an even number)."""
    top = max(mean_f1.values())
    near = sorted(w for w, f in mean_f1.items() if f >= top - SIMPLER_WITHIN)
    return 0.0 if 0.0 in near else near[(len(near) - 1) // 2]


def main() -> int:
    data_dir = Path("data")
    params = load_params()
    codebook = load_codebook()
    for ws in WORKSHOPS:  # always: a statement table from older code would tune on stale statements
        ingest(ws, data_dir, params)
    statements = {ws: pd.read_parquet(data_dir / "processed" / ws / "statements.parquet") for ws in WORKSHOPS}
    human = load_all_human_codes(data_dir, codebook, statements)
    tune, _ = training_references(human, params["gold"]["holdout_share"])
    tune = tune.reset_index(drop=True)
    embedder, cache = _embedding_setup(params, data_dir)
    def folds_of(fold_seed):
        return list(StratifiedKFold(FOLDS, shuffle=True, random_state=fold_seed).split(tune, tune["focus_area"]))

    folds = folds_of(params["coding"]["seed"])

    def cross_validate(p, split=None):
        scores = {d: [] for d in DIMENSIONS}
        preds = []
        for train_idx, test_idx in split or folds:
            model = fit_coder(codebook, embedder, p, cache, human=tune.iloc[train_idx])
            part = tune.iloc[test_idx]
            pred = model.predict(part["text"].tolist(), part["is_empty_content"].astype(bool).tolist(),
                                 contexts_of(part))
            pred.index = test_idx
            preds.append(pred)
            for d in DIMENSIONS:
                scores[d].append(f1_score(part[d], pred[d], average="macro", zero_division=0))
        return {d: float(np.mean(v)) for d, v in scores.items()}, pd.concat(preds).sort_index()

    results = []
    for lw, c, ctx in itertools.product(GRID["lexical_weight"], GRID["C"], GRID["context_weight_focus"]):
        p = {**params["coding"], "lexical_weight": lw, "C": c,
             "context_weight": {**params["coding"]["context_weight"], "focus_area": ctx}}
        means, _ = cross_validate(p)
        row = {"lexical_weight": lw, "C": c, "context_weight_focus": ctx, **means}
        row["mean"] = (row["focus_area"] + row["principle"]) / 2
        results.append(row)
        print(f"lexical_weight={lw:<5} C={c:<5} context_weight_focus={ctx:<5} focus_area={row['focus_area']:.3f} principle={row['principle']:.3f}",
              flush=True)
    table = pd.DataFrame(results).sort_values(["mean", "lexical_weight", "C", "context_weight_focus"],
                                              ascending=[False, True, True, True])
    best = table.iloc[0]
    print(f"\nBest by {FOLDS}-fold CV on {len(tune)} tuning statements: lexical_weight={best['lexical_weight']}, "
          f"C={best['C']}, context_weight focus_area={best['context_weight_focus']} (focus_area {best['focus_area']:.3f}, principle {best['principle']:.3f})")
    best_p = {**params["coding"], "lexical_weight": float(best["lexical_weight"]), "C": float(best["C"]),
              "context_weight": {**params["coding"]["context_weight"], "focus_area": float(best["context_weight_focus"])}}
    print("\nShared ingen (coding.principle_ingen_from_focus) at that point:")
    sweep = {}
    for w in SHARED_INGEN:
        means, _ = cross_validate({**best_p, "principle_ingen_from_focus": w})
        sweep[w] = means
        print(f"principle_ingen_from_focus={w:<5} focus_area={means['focus_area']:.3f} principle={means['principle']:.3f}",
              flush=True)
    best_f1 = max(means["principle"] for means in sweep.values())
    chosen = min(w for w in SHARED_INGEN if sweep[w]["principle"] >= best_f1 - SIMPLER_WITHIN)
    print(f"Chosen: principle_ingen_from_focus={chosen} (the smallest weight within {SIMPLER_WITHIN} of the best "
          f"principle macro-F1, {best_f1:.3f}: CV cannot tell such settings apart, so the simpler one wins)")
    best_p = {**best_p, "principle_ingen_from_focus": chosen}
    seeds = (params["coding"]["seed"], *KEYWORD_EXTRA_FOLD_SEEDS)
    print(f"\nCodebook keywords (coding.keyword_weight; the same weight for both dimensions in each run, "
          f"over the fold seeds {seeds}, because one split moves these figures by more than the weights do"
          + ("; shared ingen is off, so a dimension's codes do not depend on the other's weight):" if chosen == 0
             else "; shared ingen is on, so the principle's figures also reflect the focus area's weight):"))
    kw_means = {}
    for w in KEYWORD_WEIGHTS:
        runs = [cross_validate({**best_p, "keyword_weight": {d: w for d in DIMENSIONS}}, folds_of(fs))[0]
                for fs in seeds]
        kw_means[w] = {d: float(np.mean([r[d] for r in runs])) for d in DIMENSIONS}
        print(f"keyword_weight={w:<5} " + "  ".join(
            f"{d} {kw_means[w][d]:.3f} ({' / '.join(f'{r[d]:.3f}' for r in runs)})" for d in DIMENSIONS), flush=True)
    kw_chosen = {d: choose_keyword_weight({w: m[d] for w, m in kw_means.items()}) for d in DIMENSIONS}
    print(f"Chosen: keyword_weight={kw_chosen} (per dimension: 0 if within {SIMPLER_WITHIN} of the best mean – "
          "no feature is simpler – else the middle of the weights within it: the safest point of a plateau)")
    _, pred = cross_validate({**best_p, "keyword_weight": kw_chosen})

    content = ~tune["is_empty_content"].astype(bool).to_numpy()
    print("\nOut-of-fold macro-F1 per persona at the chosen setting (non-empty tuning statements):")
    for persona in sorted(tune["persona"].unique()):
        m = content & (tune["persona"] == persona).to_numpy()
        print(f"  {persona:<28} n={m.sum():>3}  " + "  ".join(
            f"{d} {f1_score(tune[d][m], pred[d][m], average='macro', zero_division=0):.3f}" for d in DIMENSIONS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
