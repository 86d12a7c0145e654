"""Parameters (configuration as data) and workshop paths."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

DEFAULT_DATA_DIR = Path("data")
DEFAULT_REPORTS_DIR = Path("reports")
MANIFEST_NAME = "workshop.yaml"
# Word and Excel leave "~$<name>" beside an open document: never input, never a change.
LOCK_FILE_PREFIX = "~$"


@lru_cache(maxsize=1)
def _default_params() -> dict[str, Any]:
    text = resources.files("workshopnlp").joinpath("params.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_params(path: str | Path | None = None) -> dict[str, Any]:
    """Return the default parameters, overridden section by section by ``path`` if given."""
    params = copy.deepcopy(_default_params())
    if path is None:
        return params
    path = Path(path)
    try:
        override = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"kan ikke læse parameterfilen: {exc}", file=path,
                         fix="ret YAML-syntaksen eller angiv en anden fil med --params") from exc
    for section, values in override.items():
        if section not in params:
            raise InputError(f"ukendt sektion '{section}'", file=path,
                             fix=f"brug en af: {', '.join(sorted(params))}")
        unknown = set(values) - set(params[section])
        if unknown:
            raise InputError(f"ukendte nøgler i '{section}': {', '.join(sorted(unknown))}", file=path,
                             fix=f"tilladte nøgler: {', '.join(sorted(params[section]))}")
        params[section].update(values)
    return params


@dataclass(frozen=True)
class WorkshopPaths:
    """Where a workshop's layers live: ``raw`` is read-only input, the rest is rebuilt."""

    data_dir: Path
    workshop_id: str

    @property
    def raw(self) -> Path:
        return self.data_dir / "raw" / self.workshop_id

    @property
    def processed(self) -> Path:
        return self.data_dir / "processed" / self.workshop_id

    @property
    def statements(self) -> Path:
        return self.processed / "statements.parquet"

    @property
    def codes(self) -> Path:
        return self.processed / "codes.parquet"

    @property
    def themes_dir(self) -> Path:
        return self.processed / "themes"

    @property
    def human_codes_dir(self) -> Path:
        """Filled coding sheets a researcher drops in; raw input, never rewritten."""
        return self.data_dir / "raw" / self.workshop_id / "kodning"


def refuse_inside_raw(path: str | Path, data_dir: str | Path | None, option: str, fix: str) -> None:
    """Raise an :class:`InputError` if ``path`` lies under ``<data_dir>/raw/``: raw files are the immutable
    input, and a file written there would be read as a workshop's input on the next run."""
    if data_dir is None:
        return
    raw = (Path(data_dir) / "raw").resolve()
    target = Path(path).resolve()
    if target == raw or raw in target.parents:
        raise InputError(f"{option} peger ind i {Path(data_dir) / 'raw'}, hvor kun de oprindelige workshopfiler "
                         "ligger; ingen kommando skriver der", file=Path(path), fix=fix)
