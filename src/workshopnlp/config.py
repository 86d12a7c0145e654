"""Parameters (configuration as data) and workshop paths."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .codebook import YAML_FIX, yaml_error_location, yaml_problem_da
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
    """Return the default parameters, overridden by the YAML file ``path`` if given (:func:`merge_params`)."""
    if path is None:
        return copy.deepcopy(_default_params())
    path = Path(path)
    try:
        override = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise InputError(f"kan ikke læse parameterfilen ({exc.strerror or exc})", file=path,
                         fix="angiv en fil, der findes og kan læses, med --params") from exc
    except yaml.YAMLError as exc:
        problem, where = yaml_error_location(exc)
        raise InputError(f"parameterfilen er ikke gyldig YAML: {yaml_problem_da(problem)}", file=path,
                         location=where, fix=YAML_FIX) from exc
    return merge_params(override, path)


def _kind_da(value: Any) -> str:
    if isinstance(value, bool):
        return "sand/falsk (true/false)"
    if isinstance(value, (int, float)):
        return "et tal"
    return {str: "en tekst", list: "en liste", dict: "nøgler med værdier"}.get(type(value), type(value).__name__)


def merge_params(override: Any, source: str | Path = "parametrene") -> dict[str, Any]:
    """The default parameters with ``override`` merged in, key by key at every depth: an override of
    ``coding: {keyword_weight: {focus_area: 0}}`` changes that one value and keeps ``principle`` (a merge of the
    top level only replaced the whole ``keyword_weight`` and silently set the principles' weight to nothing).
    Every key must exist in the defaults and every value have a default's kind (a number for a number, true or
    false for a switch, a list for a list): a typo or a wrong value is refused naming ``source`` and the key,
    before anything runs, instead of switching a setting off or failing in the middle of a run."""
    params = copy.deepcopy(_default_params())
    if not isinstance(override, dict):
        raise InputError(f"parametrene skal være nøgler med værdier, men er {_kind_da(override)}", file=source,
                         fix="skriv fx 'figures:' og under den '  min_cell_count: 10', som i params.yaml")
    _merge_into(params, override, source, ())
    return params


def _merge_into(params: dict[str, Any], override: dict, source, keys: tuple[str, ...]) -> None:
    for key, value in override.items():
        where = ".".join((*keys, str(key)))
        if key not in params:
            allowed = ", ".join(sorted(params))
            if not keys:
                raise InputError(f"ukendt sektion '{key}'", file=source, fix=f"brug en af: {allowed}")
            raise InputError(f"ukendte nøgler i '{'.'.join(keys)}': {key}", file=source, location=where,
                             fix=f"tilladte nøgler: {allowed}")
        default = params[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise InputError(f"'{where}' skal være nøgler med værdier, men er {_kind_da(value)}", file=source,
                                 location=where, fix=f"skriv nøglerne under '{key}:' ({', '.join(sorted(default))})")
            _merge_into(default, value, source, (*keys, str(key)))
            continue
        numbers = (int, float)
        same_kind = (isinstance(value, bool) if isinstance(default, bool)
                     else isinstance(value, numbers) and not isinstance(value, bool) if isinstance(default, numbers)
                     else isinstance(value, type(default)))
        if not same_kind:
            raise InputError(f"'{where}' skal være {_kind_da(default)} (som standardværdien {default!r}), men er "
                             f"{_kind_da(value)}: {value!r}", file=source, location=where,
                             fix=f"ret værdien af '{where}' i parameterfilen")
        params[key] = value


def params_override(params: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The values of ``params`` that differ from ``base`` (the defaults), nested as in params.yaml: what a
    ``--params`` file changed, so that a report notebook can be given just that (:func:`merge_params` of it gives
    ``params`` back)."""
    base = _default_params() if base is None else base
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            inner = params_override(value, base[key])
            if inner:
                out[key] = inner
        elif key not in base or base[key] != value:
            out[key] = value
    return out


def check_workshop_id(workshop_id: object, option: str = "--workshop") -> None:
    """Raise an :class:`InputError` unless ``workshop_id`` is a plain folder name: every layer is
    ``<data_dir>/<layer>/<workshop_id>``, so an id such as ``../raw/2022-10-28-dataetik`` or an absolute path
    would read from, and write into, a folder that is not the workshop's – even into ``raw/`` itself."""
    text = str(workshop_id) if workshop_id is not None else ""
    plain = (text.strip() == text and text not in ("", ".", "..") and not re.search(r"[/\\\x00]", text)
             and not text.startswith((".", "_")) and not Path(text).is_absolute())
    if not plain:
        raise InputError(f"workshop-id'et {text!r} er ikke et mappenavn: det skal være navnet på en mappe direkte "
                         "under data/raw/, uden skråstreger, uden «..» og uden punktum eller _ forrest",
                         location=option,
                         fix="skriv kun mappens navn, fx --workshop 2022-10-28-dataetik; vælg en anden datamappe "
                             "med --data-dir")


@dataclass(frozen=True)
class WorkshopPaths:
    """Where a workshop's layers live: ``raw`` is read-only input, the rest is rebuilt."""

    data_dir: Path
    workshop_id: str

    def __post_init__(self) -> None:
        check_workshop_id(self.workshop_id)

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


def _raw_workshops(data_dir: Path) -> set[str] | None:
    """The workshop folders under ``raw/``; ``None`` for a data dir without any (processed data shared without
    their raw files, which hold what was never pseudonymised)."""
    raw = Path(data_dir) / "raw"
    found = {p.name for p in raw.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))} \
        if raw.is_dir() else set()
    return found or None


def _workshop_folders(data_dir: Path) -> list[Path]:
    """The workshops' folders under ``processed/`` (not ``_cache`` and the like)."""
    processed = Path(data_dir) / "processed"
    return sorted(p for p in processed.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))) \
        if processed.is_dir() else []


def processed_workshops(data_dir: str | Path, needs: str = "statements.parquet") -> list[str]:
    """Workshops under ``processed/`` that hold ``needs`` (a path inside the workshop's folder) and are still
    workshops: a folder whose raw folder is gone (:func:`orphaned_workshops`) is left out, or a workshop whose
    raw folder was renamed would be compared with its own old copy."""
    orphans = set(orphaned_workshops(data_dir))
    return [p.name for p in _workshop_folders(Path(data_dir)) if (p / needs).exists() and p.name not in orphans]


def orphaned_workshops(data_dir: str | Path) -> list[str]:
    """Folders under ``processed/`` with a statement table but no folder of the same name under ``raw/`` (renamed
    or moved away). Only in a data dir that has raw folders: processed data shared on their own are all used."""
    raw = _raw_workshops(Path(data_dir))
    return [] if raw is None else [p.name for p in _workshop_folders(Path(data_dir))
                                   if (p / "statements.parquet").exists() and p.name not in raw]


def orphans_note(data_dir: str | Path) -> str:
    """A Danish note naming the orphaned folders (:func:`orphaned_workshops`) and what to do; empty if none."""
    orphans = orphaned_workshops(data_dir)
    if not orphans:
        return ""
    processed = Path(data_dir) / "processed"
    names = ", ".join(str(processed / o) for o in orphans)
    return (f"Bemærk: {names} har ingen mappe under {Path(data_dir) / 'raw'} (omdøbt eller flyttet?). "
            "Resultaterne der bruges ikke som tidligere workshop og ikke i sammenligninger. Er workshoppen omdøbt, "
            "så slet den gamle mappe under processed; ellers læg rådata tilbage under raw med samme navn.")


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
