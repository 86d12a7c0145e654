"""Agreement between coders (human or model): Cohen's kappa and Krippendorff's alpha, per code and overall.

Krippendorff's alpha is computed for nominal data with any number of coders and missing codes
(Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"). Per code, both measures are
computed on the binary question "this code or not". A code whose alpha is below the tentative
threshold (0.667 by default) is reported as *foreløbig*.
"""

from __future__ import annotations

from itertools import combinations
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

OVERALL = "samlet"


def krippendorff_alpha_nominal(units: Sequence[Sequence[object]]) -> float:
    """Alpha for nominal codes. ``units`` holds, per unit, the codes given (None = missing).

    Units with fewer than two codes are not pairable and are ignored. Returns NaN when undefined
    (fewer than two pairable values, or a single value used throughout with no disagreement possible).
    """
    values: list[list[object]] = [[v for v in unit if v is not None and v == v] for unit in units]
    values = [v for v in values if len(v) >= 2]
    if not values:
        return float("nan")
    cats = sorted({c for unit in values for c in unit}, key=str)
    index = {c: i for i, c in enumerate(cats)}
    o = np.zeros((len(cats), len(cats)))
    for unit in values:
        m = len(unit)
        counts = np.zeros(len(cats))
        for v in unit:
            counts[index[v]] += 1
        o += (np.outer(counts, counts) - np.diag(counts)) / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    d_o = o.sum() - np.trace(o)
    expected = (np.outer(n_c, n_c).sum() - (n_c ** 2).sum())
    if expected == 0:
        return 1.0 if d_o == 0 else float("nan")
    return float(1 - (n - 1) * d_o / expected)


def mean_pairwise_agreement(codes: pd.DataFrame) -> tuple[float, int]:
    """How often two human coders gave the same code: one row per unit, one column per coder (NaN = not
    coded by that coder). Every pair of coders is compared on the units both coded; the result is the
    agreeing comparisons over all comparisons, so a pair of coders weighs by the units they share. Returns
    (agreement, comparisons); (NaN, 0) when no unit was coded by two coders.

    >>> mean_pairwise_agreement(pd.DataFrame({"A": ["x", "x", "y"], "B": ["x", "y", "y"], "C": ["x", None, None]}))
    (0.8, 5)
    """
    agree = compared = 0
    for a, b in combinations(codes.columns, 2):
        both = codes[a].notna() & codes[b].notna()
        compared += int(both.sum())
        agree += int((codes.loc[both, a] == codes.loc[both, b]).sum())
    return (agree / compared if compared else float("nan")), compared


def cohen_kappa(a: Sequence[object], b: Sequence[object]) -> float:
    a, b = list(a), list(b)
    if not a:
        return float("nan")
    if len(set(a) | set(b)) == 1:
        return 1.0  # perfect agreement on a single category; sklearn would divide by zero
    return float(cohen_kappa_score(a, b))


AGREEMENT_COLUMNS = ["par", "kode", "n_statements", "kappa", "alpha", "foreloebig", "faa_udsagn"]


def agreement_table(coders: Mapping[str, pd.Series], codes: Sequence[str], tentative_alpha: float = 0.667,
                    min_statements: int = 1) -> pd.DataFrame:
    """Pairwise and all-coder agreement, overall and per code.

    ``coders`` maps a coder name to a Series of codes indexed by statement id (missing = not coded).
    Rows: ``par`` ("A ~ B" or "alle"), ``kode`` (a code id or "samlet"), ``n_statements``, ``kappa``
    (pairs only), ``alpha``, ``foreloebig`` (alpha below ``tentative_alpha`` or undefined, or too few
    statements) and ``faa_udsagn``: the pair shares fewer than ``min_statements`` statements, so its figures
    say little (one shared statement gives alpha 1). Coders who share no statement get no row.
    """
    names = sorted(coders)
    frame = pd.DataFrame({n: coders[n] for n in names})
    rows = []
    groups = [(f"{a} ~ {b}", [a, b]) for a, b in combinations(names, 2)]
    if len(names) > 2:
        groups.append(("alle", names))
    for label, members in groups:
        sub = frame[members].dropna(how="any" if len(members) == 2 else "all")
        if len(members) > 2:
            sub = sub[sub.notna().sum(axis=1) >= 2]
        if sub.empty:
            continue
        few = len(sub) < min_statements
        for code in [OVERALL, *codes]:
            if code == OVERALL:
                data = sub
            else:
                data = sub.apply(lambda col: col.map(lambda v: None if pd.isna(v) else v == code))
            units = data.to_numpy(dtype=object).tolist()
            alpha = krippendorff_alpha_nominal(units)
            kappa = cohen_kappa(data[members[0]], data[members[1]]) if len(members) == 2 and len(data) else np.nan
            rows.append({"par": label, "kode": code, "n_statements": int(len(data)), "kappa": round(kappa, 4),
                         "alpha": round(alpha, 4),
                         "foreloebig": bool(few or not (alpha >= tentative_alpha)), "faa_udsagn": few})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def confusion(a: pd.Series, b: pd.Series, codes: Sequence[str]) -> pd.DataFrame:
    """Confusion matrix of two coders over the statements both coded (rows = a, columns = b)."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).dropna()
    table = pd.crosstab(pd.Categorical(both["a"], categories=codes), pd.Categorical(both["b"], categories=codes),
                        dropna=False)
    table.index.name, table.columns.name = a.name or "a", b.name or "b"
    return table


def tentative_codes(agreement: pd.DataFrame | None) -> set[tuple[str, str]]:
    """``(dimension, code)`` pairs that human coders agree on too little (alpha below the threshold
    between people, among pairs that share enough statements; the model's agreement does not decide this)."""
    if agreement is None or agreement.empty:
        return set()
    human_pairs = ~agreement["par"].str.contains("model") & (agreement["par"] != "alle")
    if "faa_udsagn" in agreement.columns:  # a pair with too few shared statements has not measured the code
        human_pairs &= ~agreement["faa_udsagn"].astype(bool)
    rows = agreement[human_pairs & (agreement["kode"] != OVERALL) & agreement["foreloebig"].astype(bool)]
    return set(zip(rows["dimension"], rows["kode"]))


def tentative_codebook(data_dir, workshop_id: str, agreement: pd.DataFrame | None = None, codebook_path=None):
    """The codebook of ``workshop_id`` (:func:`workshopnlp.codebook.workshop_codebook`) with «(foreløbig)» on the
    labels of the codes its coders agree on too little (:func:`tentative_codes` of ``agreement``, its
    agreement.csv, read if not given; a missing or empty file marks nothing)."""
    from pathlib import Path

    from .codebook import with_tentative_labels, workshop_codebook
    from .config import WorkshopPaths

    if agreement is None:
        path = WorkshopPaths(Path(data_dir), workshop_id).processed / "agreement.csv"
        try:
            agreement = pd.read_csv(path) if path.exists() else None
        except pd.errors.EmptyDataError:  # not even a header
            agreement = None
    return with_tentative_labels(workshop_codebook(data_dir, workshop_id, codebook_path), tentative_codes(agreement))


# ---------------------------------------------------------------- equal treatment across groups

def macro_f1_encoded(truth: np.ndarray, pred: np.ndarray, n_labels: int) -> float:
    """Macro-F1 of integer-coded labels, as scikit-learn computes it (labels in truth or prediction,
    zero_division=0), but fast enough to be called thousands of times in a permutation test."""
    tp = np.bincount(truth[truth == pred], minlength=n_labels)
    support = np.bincount(truth, minlength=n_labels)
    predicted = np.bincount(pred, minlength=n_labels)
    denominator = support + predicted  # = 2TP + FP + FN
    used = denominator > 0
    return float(np.mean(2 * tp[used] / denominator[used])) if used.any() else 0.0


def macro_f1_by_row(truth: np.ndarray, pred: np.ndarray, n_labels: int) -> np.ndarray:
    """:func:`macro_f1_encoded` of every row of the 2-D integer arrays ``truth`` and ``pred``, equal to it
    bit for bit (tested), computed for all rows at once: the permutation and power tests below score
    thousands of groups each."""
    truth, pred = np.asarray(truth), np.asarray(pred)
    rows = truth.shape[0]
    offset = (np.arange(rows) * n_labels)[:, None]
    cells = rows * n_labels
    tp = np.bincount((truth + offset)[truth == pred], minlength=cells).reshape(rows, n_labels)
    support = np.bincount((truth + offset).ravel(), minlength=cells).reshape(rows, n_labels)
    predicted = np.bincount((pred + offset).ravel(), minlength=cells).reshape(rows, n_labels)
    denominator = support + predicted
    used = denominator > 0
    ratio = np.zeros((rows, n_labels))
    np.divide(2 * tp, denominator, out=ratio, where=used)
    # Each row's used ratios, in order, at its front; np.mean over the rows with the same number of used
    # codes adds in the same order as np.mean over one row does (so the result is the same to the last bit).
    ratio = np.take_along_axis(ratio, np.argsort(~used, axis=1, kind="stable"), axis=1)
    n_used = used.sum(axis=1)
    out = np.zeros(rows)
    for m in np.unique(n_used[n_used > 0]):
        same = n_used == m
        out[same] = np.mean(np.ascontiguousarray(ratio[same, :m]), axis=1)
    return out


def group_gap_test(truth: Sequence[object], pred: Sequence[object], groups: Sequence[Sequence[int]],
                   permutations: int = 2000, seed: int = 0) -> dict[str, float]:
    """Is the macro-F1 gap between groups (e.g. personas) larger than chance would make it?

    ``groups`` are index lists into ``truth``/``pred``. The gap is the best group's macro-F1 minus the
    worst's. Under the null hypothesis "the coder works equally well for every group", the group labels
    are exchangeable: shuffling them among the statements (each keeps its reference and its prediction)
    ``permutations`` times gives the gaps that chance alone produces with groups of these sizes.
    Returns ``gap``, ``chance_gap_median``, ``chance_gap_p95`` and the one-sided ``p_value``.
    """
    labels = {v: i for i, v in enumerate(sorted(set(truth) | set(pred), key=str))}
    t = np.array([labels[v] for v in truth])
    p = np.array([labels[v] for v in pred])
    groups = [np.asarray(g, dtype=int) for g in groups]

    def gap(parts) -> float:
        f1s = [macro_f1_encoded(t[g], p[g], len(labels)) for g in parts]
        return max(f1s) - min(f1s)

    observed = gap(groups)
    pool = np.concatenate(groups)
    rng = np.random.default_rng(seed)
    shuffled = np.array([rng.permutation(pool) for _ in range(permutations)]).reshape(permutations, len(pool))
    # Each shuffle's groups are its consecutive runs of the groups' sizes: score them all at once.
    null = np.zeros(permutations)
    if len(pool):
        f1s = np.column_stack([macro_f1_by_row(t[shuffled[:, a:b]], p[shuffled[:, a:b]], len(labels))
                               for a, b in _runs([len(g) for g in groups])])
        null = f1s.max(axis=1) - f1s.min(axis=1)
    return {"gap": observed, "chance_gap_median": float(np.median(null)),
            "chance_gap_p95": float(np.percentile(null, 95)),
            "p_value": float((1 + np.sum(null >= observed - 1e-12)) / (permutations + 1))}


def _runs(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """(start, end) of consecutive runs of ``sizes``: [2, 3] -> [(0, 2), (2, 5)]."""
    ends = np.cumsum(sizes)
    return [(int(e - s), int(e)) for s, e in zip(sizes, ends)]


def statements_needed_for_gap(truth: Sequence[object], pred: Sequence[object], n_groups: int,
                              target_gap: float, sizes: Sequence[int], probability: float = 0.8,
                              draws: int = 1000, seed: int = 0) -> dict[str, object]:
    """How many coded statements per group would let a coder with these errors show a gap <= ``target_gap``?

    The gap test (:func:`group_gap_test`) is only as good as its groups are large: macro-F1 averages the
    codes present, so in a group of 35 statements a code seen five times weighs as much as one seen fifteen
    times, and one miss moves the group's score by several points. This asks the planning question behind
    a gap target. Suppose the coder works *equally well for every group*: each group's statements are then
    a random draw from one pool of (reference, prediction) pairs – those given here, i.e. this coder's own
    errors. For each size ``n`` in ``sizes``, ``draws`` times draw ``n_groups`` groups of ``n`` pairs (with
    replacement) and take the gap between the best and the worst group.

    Returns ``rows`` (per size: ``n_per_group``, ``median_gap``, ``p80_gap`` and ``share_within_target``,
    the share of draws whose gap is <= ``target_gap``) and ``needed``: the smallest size whose share is
    at least ``probability``, or ``None`` if no size in ``sizes`` reaches it.
    """
    labels = {v: i for i, v in enumerate(sorted(set(truth) | set(pred), key=str))}
    t = np.array([labels[v] for v in truth])
    p = np.array([labels[v] for v in pred])
    if len(t) == 0 or n_groups < 2:
        raise ValueError("statements_needed_for_gap needs reference/prediction pairs and at least two groups")
    rng = np.random.default_rng(seed)
    rows, needed = [], None
    for n in sorted(int(s) for s in sizes):
        drawn = np.array([rng.integers(0, len(t), size=(n_groups, n)) for _ in range(draws)]).reshape(-1, n)
        f1s = macro_f1_by_row(t[drawn], p[drawn], len(labels)).reshape(draws, n_groups)
        gaps = f1s.max(axis=1) - f1s.min(axis=1)
        share = float(np.mean(gaps <= target_gap + 1e-12))
        rows.append({"n_per_group": n, "median_gap": float(np.median(gaps)),
                     "p80_gap": float(np.percentile(gaps, 80)), "share_within_target": share})
        if needed is None and share >= probability:
            needed = n
    return {"rows": rows, "needed": needed}
