"""A researcher's own part, named ``module:attribute`` in a ``--params`` file, without editing the package.

Two parts are swappable this way, each behind a small contract written where it is used:

- the embedder (``embeddings.model``; contract in :mod:`workshopnlp.embeddings`),
- the clusterer of the themes (``themes.clusterer``; contract in :mod:`workshopnlp.themes`).

The module must be importable (on ``PYTHONPATH``, or installed). The attribute is a class or a function; it is
called with those of the options the stage offers that it accepts as keyword arguments, so a factory without
arguments is fine. A name that cannot be imported, or a part without its contract's members, is refused with a
Danish message and the fix – never replaced by a shipped part in silence.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any, Callable

from .errors import WorkshopError


def load_factory(spec: str, *, owner: str, error: type[WorkshopError], fix: str,
                 location: str | None = None) -> Callable[..., Any]:
    """The class or function named ``module:attribute`` by ``spec``. ``owner`` is the part in Danish with its
    genitive ending («embedderens», «klyngemetodens»); ``error`` is raised with ``fix`` when it cannot be had."""
    module_name, _, attribute = str(spec).partition(":")
    if not module_name or not attribute:
        raise error(f"'{spec}' er hverken en af de indbyggede eller 'modul:klasse'", location=location, fix=fix)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise error(f"{owner} modul '{module_name}' kan ikke importeres ({exc})", location=location,
                    fix=fix) from exc
    if not hasattr(module, attribute):
        raise error(f"modulet '{module_name}' har ingen '{attribute}'", location=location, fix=fix)
    factory = getattr(module, attribute)
    if not callable(factory):
        raise error(f"'{spec}' er ikke en klasse eller funktion", location=location, fix=fix)
    return factory


def accepted_options(factory: Callable[..., Any]) -> set[str] | None:
    """The keyword arguments ``factory`` takes; None when it takes any (``**kwargs``) or cannot be inspected."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.kind in (inspect.Parameter.KEYWORD_ONLY,
                                                     inspect.Parameter.POSITIONAL_OR_KEYWORD)}


def call_with_accepted(factory: Callable[..., Any], **options: Any) -> Any:
    """``factory(**options)`` with only the options it accepts."""
    accepted = accepted_options(factory)
    return factory(**{k: v for k, v in options.items() if accepted is None or k in accepted})


def missing_members(obj: Any, members: tuple[str, ...]) -> list[str]:
    """Those of ``members`` that ``obj`` lacks."""
    return [m for m in members if not hasattr(obj, m)]
