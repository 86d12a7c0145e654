"""Shared fixtures. Expensive work (ingest, embeddings, model fits) happens once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
SHARED_CORPORA = REPO.parent / "shared" / "corpora"
GOLD = REPO / "tests" / "gold"
OCTOBER = "2022-10-28-dataetik"
JANUARY = "2023-01-19-fokusomraader"
SAMPLE_WORKSHOPS = (OCTOBER, JANUARY)
# Three more workshops, each written by another author and never tuned on: their raw files and the blind
# coders' codes live under tests/gold/new_workshops, not data/raw (see the README there).
NEW_WORKSHOPS_GOLD = GOLD / "new_workshops"
NEW_WORKSHOPS = ("2023-03-15-borgerpanel", "2023-04-19-dialogmoede", "2023-05-24-temadag")
# Two more, written and coded in session 20 in formats the first three lack (a Forms export, a transcript, a
# SurveyXact export with variable names, no manifest). The benchmark reads all five; the coding tests below
# keep to the first three, whose figures their docstrings quote.
OTHER_AUTHORS_RAW = NEW_WORKSHOPS_GOLD / "raw"
OTHER_AUTHORS = ("2023-06-14-samtykke", "2023-09-20-evaluering")


@pytest.fixture(scope="session", autouse=True)
def shared_embedding_cache(tmp_path_factory):
    """One embedding cache for every data dir the session makes (WORKSHOPNLP_EMBEDDING_CACHE), so the
    codebook and the sample statements are embedded once, not once per test folder. Vectors are keyed by
    model id and text hash: sharing changes how much is computed, never a result. The default place
    (data/processed/_cache) is tested in tests/unit/test_nlp_and_embeddings.py."""
    from workshopnlp.embeddings import CACHE_ENV

    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Under pytest-xdist (scripts/test.sh runs the suite on every core) each worker has its own
        # basetemp below one shared root: the workers share one cache file there, so a text embedded by
        # one worker is not embedded again by the other (SQLite serialises their writes).
        folder = tmp_path_factory.getbasetemp().parent / "embedding_cache"
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("embedding_cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CACHE_ENV, str(folder / "embeddings.sqlite"))
        yield


def copy_raw(dest: Path, workshops=SAMPLE_WORKSHOPS) -> Path:
    """Copy sample raw folders into ``dest/raw`` and return ``dest`` (a data dir)."""
    for ws in workshops:
        shutil.copytree(RAW / ws, dest / "raw" / ws)
    return dest


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory) -> Path:
    """A data dir with both sample workshops ingested (read-only for tests: copy before changing)."""
    from workshopnlp.ingest import ingest

    data_dir = copy_raw(tmp_path_factory.mktemp("data"))
    for ws in SAMPLE_WORKSHOPS:
        ingest(ws, data_dir)
    return data_dir


@pytest.fixture(scope="session")
def new_workshops_data_dir(tmp_path_factory) -> Path:
    """A data dir with the three workshops of tests/gold/new_workshops ingested (read-only)."""
    from workshopnlp.ingest import ingest

    data_dir = tmp_path_factory.mktemp("new_workshops")
    for ws in NEW_WORKSHOPS:
        shutil.copytree(NEW_WORKSHOPS_GOLD / "raw" / ws, data_dir / "raw" / ws)
        ingest(ws, data_dir)
    return data_dir


@pytest.fixture(scope="session")
def other_authors_data_dir(tmp_path_factory) -> Path:
    """A data dir with the June and September workshops of tests/gold/new_workshops ingested (read-only)."""
    from workshopnlp.ingest import ingest

    data_dir = tmp_path_factory.mktemp("other_authors")
    for ws in OTHER_AUTHORS:
        shutil.copytree(OTHER_AUTHORS_RAW / ws, data_dir / "raw" / ws)
        ingest(ws, data_dir)
    return data_dir


@pytest.fixture(scope="session")
def corpora_available() -> Path:
    if not (SHARED_CORPORA / "danish_public_sector_ai.csv").exists():
        pytest.fail(f"the shared Danish corpora are missing at {SHARED_CORPORA} (see the brief: ../shared/corpora)")
    return SHARED_CORPORA


@pytest.fixture(scope="session")
def coded_data_dir(sample_data_dir, tmp_path_factory) -> Path:
    """Both sample workshops ingested and coded (with the bundled coding sheets), once per session."""
    from workshopnlp.coding import code_workshop

    data_dir = tmp_path_factory.mktemp("coded")
    shutil.copytree(sample_data_dir, data_dir, dirs_exist_ok=True)
    for ws in SAMPLE_WORKSHOPS:
        code_workshop(ws, data_dir)
    return data_dir
