"""The declared chain behind ``workshopnlp run``: ingest → code → themes → report.

Each step names its inputs; a step runs only when the SHA-256 of its inputs (files, parameters,
package version and the package's own files) differs from the stamp left by its last successful run,
or when its outputs are missing or are not the ones that run wrote – e.g. after ``workshopnlp code`` was
run by hand with another codebook (spaCy-projects style). Stamps live in
``processed/<workshop>/.pipeline/<step>.json``.
A workshop too small for themes still gets its report, with a note where the themes would be.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from tqdm.auto import tqdm

from . import __version__
from .codebook import USED_CODEBOOK_NAME
from .config import MANIFEST_NAME, WorkshopPaths, load_params
from .errors import TooFewStatementsError, WorkshopError
from .provenance import sha256_file, write_json


@dataclass
class Step:
    name: str
    label_da: str
    inputs: Callable[[], list[Path]]
    outputs: Callable[[], list[Path]]
    run: Callable[[Callable[[str], None]], Any]
    params_key: tuple[str, ...] = ()


def _files(folder: Path, pattern: str = "*") -> list[Path]:
    """Files under ``folder`` matching ``pattern``, without lock files and the files an operating system
    leaves in a folder (``manifest.is_system_file``: Thumbs.db, .DS_Store, ~$…): opening a raw file or
    looking at the folder must not make a step look changed."""
    from .manifest import is_system_file

    return sorted(p for p in folder.glob(pattern) if p.is_file() and not is_system_file(p.name)) \
        if folder.is_dir() else []


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """SHA-256 over the package's own files (code, parameters, codebooks, templates): a changed stage
    reruns even when the version number has not been raised (a researcher editing ``src/``)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                    and p.suffix not in (".pyc", ".pyo")):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(sha256_file(f).encode())
    return h.hexdigest()


def _hash_files(h, paths: list[Path], roots: tuple[Path, ...]) -> None:
    """Feed each file's name (relative to the first of ``roots`` holding it, so a copied data dir keeps its
    stamps) and content hash into ``h``."""
    for p in paths:
        root = next((r for r in roots if p.is_relative_to(r)), None)
        h.update(str(p.relative_to(root) if root is not None else p.name).encode())
        h.update(sha256_file(p).encode() if p.exists() else b"missing")


def _digest(paths: list[Path], params: dict[str, Any], keys: tuple[str, ...], root: Path) -> str:
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(package_fingerprint().encode())
    _hash_files(h, paths, (root,))
    h.update(json.dumps({k: params.get(k) for k in keys}, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _output_digest(paths: list[Path], data_dir: Path, reports_dir: Path) -> str | None:
    """SHA-256 over a step's outputs as they are now; ``None`` if one is missing (the step must run)."""
    if not all(p.exists() for p in paths):
        return None
    h = hashlib.sha256()
    _hash_files(h, paths, (data_dir, reports_dir))
    return h.hexdigest()


def _training_inputs(data_dir: Path) -> list[Path]:
    from .coding import training_input_files

    return training_input_files(data_dir)


def _workshops_with_themes(data_dir: Path) -> list[str]:
    from .config import processed_workshops

    return processed_workshops(data_dir, "themes/themes.json")


def _earlier_codes(data_dir: Path, workshop_id: str) -> list[Path]:
    """The codes and agreement of the workshops before ``workshop_id``: the comparison page shows their codes, and
    their agreement marks their theme names «(foreløbig)», so a new coding round of one redoes the later reports."""
    from .config import processed_workshops

    return [Path(data_dir) / "processed" / w / name for w in processed_workshops(data_dir, "codes.parquet")
            if w < workshop_id for name in ("codes.parquet", "agreement.csv")]


def build_steps(workshop_id: str, data_dir: Path, reports_dir: Path, params: dict[str, Any],
                notebooks_dir: Path | None = None, codebook_path: Path | None = None) -> list[Step]:
    from .report import default_notebooks_dir

    paths = WorkshopPaths(data_dir, workshop_id)
    nb_dir = Path(notebooks_dir or default_notebooks_dir())
    package_dir = Path(__file__).resolve().parent
    codebook_files = [Path(codebook_path)] if codebook_path else [package_dir / "codebooks" / "dataetik_2022.yaml"]
    used_codebook = paths.processed / USED_CODEBOOK_NAME  # written by the code step, read by the later ones

    def ingest_run(_):
        from .ingest import ingest

        return ingest(workshop_id, data_dir, params)

    def code_run(_):
        from .coding import code_workshop

        return code_workshop(workshop_id, data_dir, params, codebook_path)

    def themes_run(_):
        from .themes import run_themes

        skip_note = paths.processed / "themes_skipped.json"
        try:
            result = run_themes(workshop_id, data_dir, params)
        except TooFewStatementsError as exc:
            write_json(skip_note, {"reason": exc.message})
            return exc.message
        skip_note.unlink(missing_ok=True)
        earlier = [w for w in _workshops_with_themes(data_dir) if w < workshop_id]
        if earlier:
            from .compare import compare_workshops

            compare_workshops(earlier[-1], workshop_id, data_dir, params)
        return result

    def report_run(progress):
        from .report import render_reports

        return render_reports(workshop_id, data_dir, reports_dir, params, nb_dir, progress)

    return [
        Step("ingest", "Indlæser og pseudonymiserer", lambda: _files(paths.raw),
             lambda: [paths.statements], ingest_run, ("ingest", "nlp")),
        # The coder learns from the human codes of every workshop under raw/, read from those workshops' raw
        # files (coding.training_statements), so all of them are inputs.
        Step("code", "Koder udsagn", lambda: [paths.statements, *codebook_files, *_training_inputs(data_dir)],
             lambda: [paths.codes, used_codebook], code_run, ("coding", "embeddings", "gold")),
        Step("themes", "Finder temaer",
             lambda: [paths.statements, paths.codes, used_codebook,
                      *[Path(data_dir) / "processed" / w / "themes" / "themes.json"
                        for w in _workshops_with_themes(data_dir) if w < workshop_id]],
             lambda: [paths.themes_dir / "themes.json"] if not (paths.processed / "themes_skipped.json").exists()
             else [paths.processed / "themes_skipped.json"], themes_run, ("themes", "embeddings")),
        Step("report", "Laver figurer og rapporter",
             lambda: [paths.statements, paths.codes, used_codebook, *_files(paths.themes_dir),
                      *_files(paths.processed, "*.json"), paths.processed / "manifest.inferred.yaml",  # the title
                      paths.processed / "agreement.csv", *_earlier_codes(data_dir, workshop_id),
                      *_files(nb_dir, "*.ipynb")],
             # the pages show values of every section (small cells, the tentative alpha, the unfamiliar share ...)
             lambda: [reports_dir / workshop_id / "index.html"], report_run, tuple(sorted(params))),
    ]


# Where a workshop's processed folder is kept while a run is under way (under processed/, so a rename is cheap; the
# leading "_" keeps it out of every listing of workshops, as with _cache).
BACKUP_DIR_NAME = "_foer_koersel"


@contextlib.contextmanager
def previous_results_kept(data_dir: Path, workshop_id: str, echo: Callable[[str], None] = print) -> Iterator[None]:
    """Put ``processed/<workshop>`` back as it was before the block if the block fails (or is interrupted).

    Each step writes its own outputs atomically, but a run is several steps: without this, a coding sheet that
    fails in the code step left the new statement table beside the old codes, themes and stamps, and a later
    ``workshopnlp report`` built pages on the mix without a word. It guards the data steps (ingest, code,
    themes); the report step replaces its own folder only when every page is made.

    A copy left by a run that was killed (power cut, ``kill -9``) is put back at the start of the next run, with a
    note: the folder beside it may hold half of that run."""
    processed = Path(data_dir) / "processed"
    folder = processed / workshop_id
    backup = processed / BACKUP_DIR_NAME / workshop_id
    if backup.exists():
        echo(f"Bemærk: en tidligere kørsel af {workshop_id} blev afbrudt midt i. Resultaterne fra før den "
             "kørsel er sat tilbage, og denne kørsel bygger videre på dem.")
        _swap_back(folder, backup)
    had_results = folder.exists()
    if had_results:
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(folder, backup, symlinks=True)
    try:
        yield
    except BaseException:
        if had_results:
            _swap_back(folder, backup)
            echo(f"Kørslen af {workshop_id} blev ikke færdig. {folder} er sat tilbage, som den var før kørslen, "
                 "så ingen rapport bygger på en blanding af nye og gamle resultater.")
        else:  # nothing before this run: leave nothing half-made behind either
            shutil.rmtree(folder, ignore_errors=True)
        raise
    else:
        shutil.rmtree(backup, ignore_errors=True)
    finally:
        with contextlib.suppress(OSError):
            backup.parent.rmdir()  # only when empty (another workshop's run may be under way)


def _swap_back(folder: Path, backup: Path) -> None:
    failed = folder.parent / BACKUP_DIR_NAME / f".{folder.name}.fejlet"
    shutil.rmtree(failed, ignore_errors=True)
    if folder.exists():
        folder.rename(failed)
    backup.rename(folder)
    shutil.rmtree(failed, ignore_errors=True)


def earlier_workshops_without_themes(data_dir: Path, workshop_id: str) -> list[str]:
    """Workshops under ``raw/`` that come before ``workshop_id`` (ids sort by date) and have not been through
    the themes step yet – neither themes nor a note that there were too few statements for them."""
    raw = Path(data_dir) / "raw"
    done = set(_workshops_with_themes(data_dir))
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
                  and p.name < workshop_id and p.name not in done
                  and not (Path(data_dir) / "processed" / p.name / "themes_skipped.json").exists()) \
        if raw.is_dir() else []


def run_pipeline(workshop_id: str, data_dir: Path | str = "data", reports_dir: Path | str = "reports",
                 params: dict[str, Any] | None = None, force: bool = False, notebooks_dir: Path | None = None,
                 codebook_path: Path | None = None, echo: Callable[[str], None] = print,
                 until: str | None = None) -> dict[str, str]:
    """Run the steps that need it; return {step: "kørt" | "uændret – sprunget over"}.

    Earlier workshops under ``raw/`` that have no themes yet go through ingest, coding and themes first (not
    their reports), oldest first: the new workshop's themes are compared with the latest earlier one and
    reuse its theme ids, so without them the comparison would be missing and the ids would start afresh.
    ``until``: stop after this step (used for those earlier workshops)."""
    params = params or load_params()
    if codebook_path is not None:  # a broken codebook fails now, not after ingest has run
        from .codebook import load_codebook

        load_codebook(codebook_path)
    data_dir, reports_dir = Path(data_dir), Path(reports_dir)
    manifest_path = WorkshopPaths(data_dir, workshop_id).raw / MANIFEST_NAME
    if until is None and manifest_path.is_file():  # a broken manifest fails now, not after earlier workshops ran
        from .manifest import load_manifest

        load_manifest(manifest_path, workshop_id)
    if until is None:
        from .config import orphans_note

        note = orphans_note(data_dir)
        if note:
            echo(note)
        for earlier in earlier_workshops_without_themes(data_dir, workshop_id):
            echo(f"Den tidligere workshop {earlier} er ikke kørt endnu. Den indlæses, kodes og får temaer først, "
                 f"så {workshop_id} kan sammenlignes med den. Kør workshopnlp run --workshop {earlier} for at få "
                 "dens rapporter.")
            try:
                run_pipeline(earlier, data_dir, reports_dir, params, notebooks_dir=notebooks_dir,
                             codebook_path=codebook_path, echo=echo, until="themes")
            except WorkshopError as exc:  # a broken or empty earlier folder must not stop the new workshop
                echo(f"Bemærk: den tidligere workshop {earlier} kunne ikke køres, så {workshop_id} sammenlignes ikke "
                     f"med den. {exc}")
    steps = build_steps(workshop_id, data_dir, reports_dir, params, notebooks_dir, codebook_path)
    if until is not None:
        steps = steps[:[s.name for s in steps].index(until) + 1]
    paths = WorkshopPaths(data_dir, workshop_id)
    data_steps = [s for s in steps if s.name != "report"]
    # The data steps succeed or fail together. The report step replaces its folder only when every page is made,
    # and it reads the data steps' results once they are all made: when it fails, the data stay as this run made
    # them (whole and stamped), so a researcher can open the failing notebook on them and the next run only
    # makes the pages again.
    with previous_results_kept(data_dir, workshop_id, echo):
        status = _run_steps(data_steps, paths, params, data_dir, reports_dir, force, echo)
    return {**status, **_run_steps(steps[len(data_steps):], paths, params, data_dir, reports_dir, force, echo)}


def _run_steps(steps: list[Step], paths: WorkshopPaths, params: dict[str, Any], data_dir: Path, reports_dir: Path,
               force: bool, echo: Callable[[str], None]) -> dict[str, str]:
    stamps = paths.processed / ".pipeline"
    status: dict[str, str] = {}
    for step in steps:
        stamp_path = stamps / f"{step.name}.json"
        inputs = step.inputs()
        if step.name == "ingest":
            inputs = inputs + ([paths.raw / MANIFEST_NAME] if (paths.raw / MANIFEST_NAME).exists() else [])
        digest = _digest(inputs, params, step.params_key, data_dir) if inputs else ""
        stamp = json.loads(stamp_path.read_text("utf-8")) if stamp_path.exists() else {}
        if not force and digest and stamp.get("inputs") == digest \
                and stamp.get("outputs") == _output_digest(step.outputs(), data_dir, reports_dir):
            status[step.name] = "uændret – sprunget over"
            echo(f"[{step.name}] {step.label_da}: uændret – sprunget over")
            continue
        with tqdm(total=1, desc=f"{step.label_da}", unit="trin", leave=True, dynamic_ncols=True) as bar:
            result = step.run(lambda what: bar.set_postfix_str(what))
            bar.update(1)
        if step.name == "themes" and isinstance(result, str):
            echo(f"[themes] Ingen temaer: {result}")
        if step.name == "ingest":
            for line in result.summary():
                echo(f"[ingest] {line}")
        if step.name == "code" and getattr(result, "attrs", {}).get("unfamiliar_warning"):
            # as `code INPUT` and `code --workshop` say it: text unlike anything the coder learnt from
            echo(f"[code] Bemærk: {result.attrs['unfamiliar_text']}")
        # Inputs may have been produced by this very run (e.g. the statement table): hash after the step.
        digest = _digest(step.inputs() + ([paths.raw / MANIFEST_NAME] if step.name == "ingest" and
                                          (paths.raw / MANIFEST_NAME).exists() else []),
                         params, step.params_key, data_dir)
        stamps.mkdir(parents=True, exist_ok=True)
        write_json(stamp_path, {"inputs": digest, "outputs": _output_digest(step.outputs(), data_dir, reports_dir),
                                "step": step.name})
        status[step.name] = "kørt"
    return status
