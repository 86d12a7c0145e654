"""Danish figures for the reports: codes by persona, source and workshop, principle x focus area,
themes, coder agreement and printable dilemma cards.

Every ``fig_*`` function is pure: it takes tables and returns a :class:`matplotlib.figure.Figure`
(created without pyplot, with an Agg canvas, so nothing global is touched and nothing needs a
display). Only :func:`save_figure` and :func:`build_figures` write files.

Design choices
--------------
*Colours.* Categorical colours are the Okabe–Ito palette (:data:`PALETTE`, Okabe & Ito 2008), which
stays distinguishable for the common forms of colour blindness. Codes get colours in codebook order
(:data:`CODE_COLOURS`: yellow last, it is weak on white); "ingen" is always neutral grey. Heatmaps use
:data:`SEQUENTIAL_CMAP` = ``"cividis_r"`` (cividis is built to be perceptually uniform for normal and
colour-deficient vision; reversed so few = light, many = dark). Labels inside cells and bars are black
or white, whichever has the higher WCAG contrast with the colour behind it.

*Privacy: small cells.* A figure of a group of people (persona, source) never shows how many of its
statements fall in a cell when that number is 1..``figures.min_cell_count - 1`` (default 5): such cells are
hidden, hatched and marked "<5"; zero cells show nothing that could single anyone out and stay visible. A
group (row) with fewer than ``min_cell_count`` statements is hidden whole. In bars that add up to 100 % a
single hidden cell could be recovered as "100 % minus the rest", and a column's from a code's or a theme's
total, which the pages give: the figures by persona and by source kind hide by :func:`people_cells_hidden`,
which hides as many more cells as that takes in rows and columns (a hidden «Ukendt» cell does not count: the
pages often let a reader work it out); a row's hidden cells are drawn as one hatched "skjult" segment. A
quote names its persona only where every table of persona shows the statement's cell – at least
``min_cell_count`` statements, and not hidden (:func:`quotable_statements`). The figures of codes, themes and
workshops count statements on a topic, not people, and pages 02 and 03 list every statement with its codes
and its theme: they show every count (:data:`TOPIC_CELLS_NOTE_DA`), as hiding one there hid nothing a reader
could not count. Dilemma cards quote
only such statements, and name the personas they leave out with one reason for all (their cells are hidden),
never which of two hidden cells is the small one. Counted statements
are the usable ones: empty answers ("Ingen kommentarer", "-") and duplicates are left out everywhere.

*Danish throughout.* Titles, axes and legends are Danish; codes are shown by their codebook labels,
personas by :data:`workshopnlp.personas.PERSONA_LABELS_DA`, workshops as "Oktober 2022"; numbers
use decimal comma and "13 %". Raw ids never appear on axes.

*Reproducible files.* :func:`setup_style` checks that the configured font (``figures.font``,
default DejaVu Sans, shipped with matplotlib) exists and has æ, ø and å – a missing font is an error,
never a silent fallback. SVGs are written with a fixed ``svg.hashsalt``, text as paths and no date in
the metadata; PNGs carry fixed metadata. The same tables give byte-identical PNG and SVG files.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import re
import textwrap
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from .codebook import NO_CODE, TENTATIVE_SUFFIX, Codebook, workshop_codebook
from .config import WorkshopPaths, load_params
from .errors import InputError, TooFewStatementsError, WorkshopError
from .formatting import MONTHS_DA, decimal_da, list_da, percent_da
from .personas import PERSONA_LABELS_DA, PERSONAS, SOURCE_KINDS, UNKNOWN_PERSONA
from .pseudonymise import is_sensitive

__all__ = [
    "PALETTE", "OKABE_ITO", "CODE_COLOURS", "NEUTRAL", "SEQUENTIAL_CMAP", "SOURCE_KIND_LABELS_DA",
    "setup_style", "workshop_label", "workshop_labels", "code_colours",
    "fig_codes_by_persona", "fig_principle_by_focus", "fig_themes_codebook", "fig_theme_overview",
    "fig_codes_by_source_kind", "fig_codes_by_workshop", "fig_themes_by_source_kind", "fig_themes_by_persona",
    "fig_theme_changes",
    "fig_agreement", "dilemma_cards", "fig_dilemma_card",
    "save_figure", "build_figures",
]

# ---------------------------------------------------------------- palette

#: Okabe–Ito (2008) colour-blind-safe palette, Danish colour names -> hex.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "himmelblå": "#56B4E9",
    "blågrøn": "#009E73",
    "gul": "#F0E442",
    "blå": "#0072B2",
    "rødorange": "#D55E00",
    "rødlilla": "#CC79A7",
    "sort": "#000000",
}
#: The eight Okabe–Ito colours in their usual order.
PALETTE: tuple[str, ...] = tuple(OKABE_ITO.values())
#: Colours for codes in codebook order (yellow last: weak contrast on white; black not used for areas).
CODE_COLOURS: tuple[str, ...] = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442")
#: Neutral grey for the "ingen" code and the "Øvrigt" theme group.
NEUTRAL = "#B5B5B5"
#: Sequential colour-blind-safe colormap for heatmaps (light = few, dark = many).
SEQUENTIAL_CMAP = "cividis_r"
HIDDEN_FACE = "#FFFFFF"
HIDDEN_EDGE = "#6E6E6E"
HATCH = "////"
SUBTLE = "#444444"

SOURCE_KIND_LABELS_DA = {"plenum": "Plenum", "gruppe": "Gruppedrøftelse", "survey": "Spørgeskema",
                         "hoering": "Høringssvar"}
SOURCE_KIND_COLOURS = {"plenum": OKABE_ITO["blå"], "gruppe": OKABE_ITO["orange"], "survey": OKABE_ITO["blågrøn"],
                       "hoering": OKABE_ITO["rødlilla"]}
DIMENSION_PLURAL_DA = {"focus_area": "Fokusområder", "principle": "Dataetiske principper"}
DIMENSION_WORD_DA = {"focus_area": "fokusområde", "principle": "dataetisk princip"}
PLACEHOLDER = re.compile(r"\[[A-ZÆØÅ_]+\]")
#: A statement opening with a bare yes or no answers a question a quote on a card does not show: quoted last.
REPLY_OPENING = re.compile(r"\s*(ja|nej|jo|nix|tja)\b\s*[,.!:;–-]", re.I)
DANISH_LETTERS = "æøåÆØÅ"
SVG_HASHSALT = "workshopnlp"

_DEFAULTS = {"font": "DejaVu Sans", "font_size": 10, "min_cell_count": 5, "dpi": 150,
             "quotes_per_persona": 1, "quote_min_words": 8, "quote_max_words": 60, "quote_min_score": 0.5}
_active_params: dict[str, Any] | None = None


# ---------------------------------------------------------------- style

def figure_params(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``figures`` section in use (with defaults): of ``params``, else of the last :func:`setup_style`
    (a report notebook's run parameters)."""
    return _fig_params(params)


def _fig_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``figures`` section with defaults; ``None`` = the params of the last :func:`setup_style`."""
    if params is None:
        params = _active_params if _active_params is not None else load_params()
    section = dict(_DEFAULTS)
    section.update((params or {}).get("figures") or {})
    if "coding" in (params or {}):
        section.setdefault("tentative_alpha", params["coding"].get("tentative_alpha", 0.667))
    section.setdefault("tentative_alpha", 0.667)
    return section


def _check_font(font: str) -> str:
    """Path of ``font``; :class:`WorkshopError` if it is missing or cannot write æ, ø and å."""
    fix = ("installér skrifttypen (DejaVu Sans: 'sudo apt-get install fonts-dejavu-core'; den følger også med "
           "matplotlib) og slet matplotlibs skrifttype-cache (~/.cache/matplotlib), eller vælg en installeret "
           "skrifttype med æ, ø og å under 'figures: font:' i parameterfilen (--params)")
    try:
        path = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    except (ValueError, RuntimeError) as exc:
        raise WorkshopError(f"skrifttypen '{font}' mangler på maskinen, så figurerne kan ikke tegnes",
                            location="figures.font", fix=fix) from exc
    if not _has_danish_letters(path):
        raise WorkshopError(f"skrifttypen '{font}' mangler tegnene æ, ø og å ({path})", location="figures.font",
                            fix=fix)
    return path


@lru_cache(maxsize=16)
def _has_danish_letters(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        face = FT2Font(path)
        return all(face.get_char_index(ord(ch)) for ch in DANISH_LETTERS)
    except Exception:  # an unreadable font file is as good as missing
        return False


def _rc(fp: Mapping[str, Any]) -> dict[str, Any]:
    size = float(fp["font_size"])
    rc = {
        "font.family": [str(fp["font"])],
        "font.size": size,
        "axes.titlesize": size,
        "axes.titleweight": "normal",
        "axes.labelsize": size,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#555555",
        "xtick.labelsize": size - 1,
        "ytick.labelsize": size - 1,
        "legend.fontsize": size - 1,
        "legend.frameon": False,
        "figure.titlesize": size + 3,
        "figure.titleweight": "bold",
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.dpi": int(fp["dpi"]),
        "svg.hashsalt": SVG_HASHSALT,
        "svg.fonttype": "path",
        "hatch.color": HIDDEN_EDGE,
        "hatch.linewidth": 0.7,
        "image.cmap": SEQUENTIAL_CMAP,
    }
    return {k: v for k, v in rc.items() if k in matplotlib.rcParams}


def setup_style(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check the font, select the Agg backend and apply the house style globally; return the rcParams set.

    Raises :class:`WorkshopError` naming the fix if ``figures.font`` is missing or lacks æ/ø/å (never a
    silent fallback). Under Jupyter's inline backend the backend is kept so notebooks still display.
    Later ``fig_*`` calls without ``params`` use these params.
    """
    global _active_params
    params = dict(params) if params is not None else load_params()
    fp = _fig_params(params)
    _check_font(str(fp["font"]))
    backend = str(dict.get(matplotlib.rcParams, "backend", ""))  # raw value: no backend resolution
    if "inline" not in backend.lower():
        matplotlib.use("Agg", force=True)
    rc = _rc(fp)
    matplotlib.rcParams.update(rc)
    _active_params = params
    return rc


@contextmanager
def _styled(fp: Mapping[str, Any]) -> Iterator[None]:
    _check_font(str(fp["font"]))
    with matplotlib.rc_context(_rc(fp)):
        yield


def _new_figure(width: float, height: float, constrained: bool = True) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)
    return fig


LEGEND_MAX_WIDTH = 0.98  # share of the figure's width a legend may take; a wider one loses its ends


def _legend(fig: Figure, handles: list, ncol: int) -> None:
    """Figure legend below the plot, read row by row (matplotlib fills columns first), in at most ``ncol``
    columns – fewer when the labels are too long for the figure's width: four columns of long labels such
    as «Mennesket i centrum (foreløbig)» ran off both edges and took the first column's colour swatches."""
    n = len(handles)
    renderer = fig.canvas.get_renderer()
    for k in range(max(1, min(ncol, n)), 0, -1):
        base, extra = divmod(n, k)
        sizes = [base + 1] * extra + [base] * (k - extra)
        ordered = [handles[i * k + j] for j in range(k) for i in range(sizes[j])]
        legend = fig.legend(handles=ordered, loc="outside lower center", ncol=k)
        if k == 1 or legend.get_window_extent(renderer).width <= LEGEND_MAX_WIDTH * fig.bbox.width:
            return
        legend.remove()


def _title(fig: Figure, title: str, subtitle: str = "", ax=None, wrap: int = 105) -> None:
    fig.suptitle(title, x=0.01, ha="left")
    if subtitle and ax is not None:
        ax.set_title("\n".join(textwrap.wrap(subtitle, wrap)), loc="left", fontsize="small", color=SUBTLE)
    fig._workshopnlp_title = title  # read by build_figures' manifest


# ---------------------------------------------------------------- formatting helpers

def _pct_axis(ax, axis: str = "x") -> None:
    from matplotlib.ticker import MaxNLocator

    fmt = FuncFormatter(lambda v, _pos: percent_da(v))
    target = ax.xaxis if axis == "x" else ax.yaxis
    # Ticks on whole percentages (1, 2, 5, 10 … %), so labels never round ("2 %" at 2.5 %).
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], min_n_ticks=3))
    target.set_major_formatter(fmt)


def _dec_axis(ax, axis: str = "x") -> None:
    fmt = FuncFormatter(lambda v, _pos: decimal_da(v, 1))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _luminance(colour) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = to_rgb(colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def _text_on(colour) -> str:
    """Black or white, whichever has the higher WCAG contrast on ``colour``."""
    lum = _luminance(colour)
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _truthy(value: Any) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("", "nan", "none"):
            return None
        return low in ("true", "1", "ja", "yes")
    return bool(value)


def workshop_label(workshop_id: str, with_day: bool = False) -> str:
    """"2022-10-28-dataetik" -> "Oktober 2022" (``with_day``: "28. oktober 2022"); others unchanged."""
    m = re.match(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", str(workshop_id))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return str(workshop_id)
    year, month = int(m.group(1)), MONTHS_DA[int(m.group(2)) - 1]
    if with_day and m.group(3):
        return f"{int(m.group(3))}. {month} {year}"
    return f"{month.capitalize()} {year}"


def workshop_labels(workshop_ids: Sequence[str]) -> dict[str, str]:
    """Labels for several workshops; the day is added where two fall in the same month."""
    short = {w: workshop_label(w) for w in workshop_ids}
    out = {}
    for w, label in short.items():
        clash = sum(1 for other in short.values() if other == label) > 1
        out[w] = workshop_label(w, with_day=True) if clash else label
        if list(out.values()).count(out[w]) > 1:  # same day too: fall back to the id's tail
            out[w] = f"{out[w]} ({w.split('-', 3)[-1]})"
    return out


_labels_for = workshop_labels  # fig_codes_by_workshop's argument shadows the name


def code_colours(codebook: Codebook, dimension: str) -> dict[str, str]:
    """Code id -> colour: Okabe–Ito in codebook order, grey for ``ingen``."""
    out, i = {}, 0
    for code in codebook.dimension(dimension).codes:
        if code.id == NO_CODE:
            out[code.id] = NEUTRAL
        else:
            out[code.id] = CODE_COLOURS[i % len(CODE_COLOURS)]
            i += 1
    return out


def _code_order(codebook: Codebook, dimension: str) -> list[str]:
    """Codebook order with ``ingen`` last."""
    ids = list(codebook.dimension(dimension).code_ids)
    return [c for c in ids if c != NO_CODE] + ([NO_CODE] if NO_CODE in ids else [])


def _title_dim(codebook: Codebook, dimension: str) -> str:
    return DIMENSION_PLURAL_DA.get(dimension) or codebook.dimension(dimension).label


# ---------------------------------------------------------------- data helpers

def _usable(statements: pd.DataFrame) -> pd.DataFrame:
    """Statements that carry content once: not empty, not a duplicate."""
    keep = pd.Series(True, index=statements.index)
    for col in ("is_empty_content", "is_duplicate"):
        if col in statements.columns:
            keep &= ~statements[col].fillna(False).astype(bool)
    return statements[keep]


def _coded(statements: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    st = _usable(statements)
    code_cols = [c for c in codes.columns if c not in st.columns or c == "statement_id"]
    return st.merge(codes[code_cols], on="statement_id", how="inner")


def human_coded_share(statements: pd.DataFrame, codes: pd.DataFrame) -> float:
    """The share of a workshop's usable statements whose codes people gave (``code_source`` «menneske»); 0.0 for
    codes written before that column existed or none coded (the figures' statements: :func:`_coded`)."""
    return _human_share(_coded(statements, codes))


def _human_share(coded: pd.DataFrame) -> float:
    """:func:`human_coded_share` of statements already joined with their codes (:func:`_coded`)."""
    if coded.empty or "code_source" not in coded.columns:
        return 0.0
    return float((coded["code_source"] == "menneske").mean())


def coded_by_da(share: float) -> str:
    """Who gave a workshop's codes, for a label: «kodet af mennesker» (all), «kodet af maskinen» (none), else
    «34 % kodet af mennesker»."""
    if share >= 1.0:
        return "kodet af mennesker"
    if share <= 0.0:
        return "kodet af maskinen"
    return f"{percent_da(share)} kodet af mennesker"


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} mangler kolonnerne {', '.join(missing)}",
                         fix="kør det forrige trin igen (ingest/code/themes), så tabellen har de rigtige kolonner")


# ---------------------------------------------------------------- suppression

#: Most sets of extra cells :func:`hidden_cells` tries before it settles for its greedy answer (tables of
#: persona x source kind have at most 5 x 4 cells and need a few thousand; a large table would need millions).
HIDDEN_CELLS_MAX_TRIES = 200_000


def _lone_hidden(values: np.ndarray, mask: np.ndarray, known: np.ndarray | None = None) -> np.ndarray:
    """Rows (axis 0) and columns (axis 1) with exactly one hidden cell among two or more: that cell is "total
    minus the rest" – the rest includes zero cells, which a reader sees as 0, and ``known`` cells, which a reader
    can work out elsewhere, hidden or not (:func:`people_cells_hidden`). Returns a flag per row followed by one
    per column."""
    guarding = mask if known is None else mask & ~known
    rows = (guarding.sum(axis=1) == 1) & (values.shape[1] > 1)
    cols = (guarding.sum(axis=0) == 1) & (values.shape[0] > 1)
    return np.concatenate([rows, cols])


def _hidden_cells_greedy(values: np.ndarray, mask: np.ndarray, known: np.ndarray) -> np.ndarray:
    """One cell at a time, looking again after each: the first row or column with a lone hidden cell gets
    its smallest other non-zero cell hidden (a zero cell only where the line has no other; a ``known`` cell
    only where the line has nothing else, and it then counts as protecting: the best such a line allows)."""
    mask = mask.copy()
    n_rows = values.shape[0]
    while (lone := np.flatnonzero(_lone_hidden(values, mask, known))).size:
        i = int(lone[0])
        if i < n_rows:
            line, cells = values[i], [(i, j) for j in range(values.shape[1])]
        else:
            line, cells = values[:, i - n_rows], [(r, i - n_rows) for r in range(n_rows)]
        open_cells = [(bool(known[cell]), v == 0, v, cell) for v, cell in zip(line, cells) if not mask[cell]]
        cell = min(open_cells)[3]
        if known[cell]:  # only «Ukendt» left in the line (one persona beside it): its cell must guard after all
            known = known.copy()
            known[cell] = False
        mask[cell] = True
    return mask


def hidden_cells(counts: pd.DataFrame, min_count: int, known: pd.DataFrame | None = None) -> pd.DataFrame:
    """Which cells of a cross-table of counts a reader must not see: ``0 < count < min_count``, and – because
    a page may show the row totals and the column totals elsewhere (the sources table gives every file's
    count) – enough further cells that no hidden one is "total minus the rest": no row or column may keep
    exactly one hidden cell. True = hidden.

    ``known`` (True = a cell a reader can work out from other pages, e.g. the «Ukendt» row of a table of
    persona: :func:`people_cells_hidden`) are hidden when small like any other, but never count as the second
    hidden cell of a line, and are not hidden to protect another: a hidden cell whose value is known anyway
    protects nothing.

    The further cells are the *fewest* that do it; of those, the set with the fewest zero cells (a hidden 0
    puzzles a reader; it is hidden only where a line has nothing else to hide, as in ``[3, 0, 0]``), then the
    fewest statements, then the first by row and column label: an exact search over sets of the other cells,
    smallest first. The answer therefore does not depend on the order of the rows and columns – a greedy rule
    did (January's persona table hid 6 cells in one column order and 8 in another). A table so large that the
    search would try more than :data:`HIDDEN_CELLS_MAX_TRIES` sets gets the greedy answer, which is safe but
    may hide more."""
    c = counts.fillna(0).astype(float)
    values = c.to_numpy()
    known_values = (np.zeros(values.shape, dtype=bool) if known is None else
                    known.reindex(index=counts.index, columns=counts.columns, fill_value=False).to_numpy(dtype=bool))
    primary = (values > 0) & (values < min_count)
    greedy = _hidden_cells_greedy(values, primary, known_values)
    n_greedy = int(greedy.sum() - primary.sum())
    candidates = [cell for cell in zip(*np.nonzero(~primary & ~known_values))]
    # a fixed order of the candidates by their labels, so that ties are settled the same way in any order
    candidates.sort(key=lambda rc: (str(c.index[rc[0]]), str(c.columns[rc[1]])))
    best = greedy
    if n_greedy and sum(math.comb(len(candidates), k) for k in range(n_greedy + 1)) <= HIDDEN_CELLS_MAX_TRIES:
        for k in range(n_greedy + 1):
            found = None
            for subset in itertools.combinations(candidates, k):
                mask = primary.copy()
                for cell in subset:
                    mask[cell] = True
                if _lone_hidden(values, mask, known_values).any():
                    continue
                cost = (sum(values[cell] == 0 for cell in subset), sum(values[cell] for cell in subset))
                if found is None or cost < found[0]:
                    found = (cost, mask)
            if found is not None:
                best = found[1]
                break
    return pd.DataFrame(best, index=counts.index, columns=counts.columns)


# ---------------------------------------------------------------- shares by group (persona, source, workshop)

def _bar_counts(counts: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """A count table as :func:`_share_bars` draws it: the columns ``codes`` (0 where absent), rows with statements."""
    counts = counts.reindex(columns=list(codes), fill_value=0).fillna(0).astype(int)
    return counts[counts.sum(axis=1) > 0]


def persona_code_counts(statements: pd.DataFrame, codes: pd.DataFrame, codebook: Codebook,
                        dimension: str) -> pd.DataFrame:
    """Usable statements per persona (rows, in :data:`PERSONAS` order) and code of ``dimension`` (columns, in the
    codebook's order), as :func:`fig_codes_by_persona` draws them."""
    df = _coded(statements, codes)
    order = [p for p in PERSONAS if p in set(df["persona"])]
    return _bar_counts(pd.crosstab(df["persona"], df[dimension]).reindex(order), _code_order(codebook, dimension))


def theme_persona_counts(themes: pd.DataFrame) -> pd.DataFrame:
    """Statements per theme (rows, «Øvrigt» included) and persona (columns), from themes.csv's ``n_<persona>``."""
    personas = [p for p in PERSONA_LABELS_DA if f"n_{p}" in themes.columns]
    _require(themes, [f"n_{p}" for p in personas], "tematabellen")
    counts = themes.set_index(themes["theme_id"].astype(str))[[f"n_{p}" for p in personas]]
    return _bar_counts(counts.rename(columns=lambda c: c[2:]), personas)


def persona_source_counts(statements: pd.DataFrame) -> pd.DataFrame:
    """All statements per persona (rows) and source kind (columns), by their Danish labels: page 01's table «Hvem
    talte, og hvor?» (:func:`workshopnlp.reporting.persona_table`), which hides by :func:`hidden_cells`."""
    return pd.crosstab(statements["persona"].map(PERSONA_LABELS_DA), statements["source_kind"].map(SOURCE_KIND_LABELS_DA))


def quotable_statements(statements: pd.DataFrame, codes: pd.DataFrame, codebook: Codebook, min_count: int,
                        themes: pd.DataFrame | None = None, assignments: pd.DataFrame | None = None) -> set[str]:
    """The statements a quote may name the persona of: in every table of persona the pages show, the
    statement's cell is shown – at least ``min_count`` statements, and not hidden – persona × focus area and
    × principle (:func:`persona_code_counts`), × theme (:func:`theme_persona_counts`, with ``themes`` and
    ``assignments``) and × source kind (:func:`persona_source_counts`). Pages 02 and 03 list every statement with
    its codes, its theme and its context (which tells plenary from survey), so a quote «– Sikret ledig» of a
    statement in a small cell gave that cell away (an audit matched two such quotes to a plenary cell of 2 that
    page 01 hides). Nor is a larger cell quoted from where a figure hides it beside a small one
    (:func:`people_cells_hidden`): a quote there tells that it is the large one of the two, and so that the
    other is small – the pages say nothing of a hidden cell but that it is hidden."""
    usable = _coded(statements, codes)
    shown = np.ones(len(usable), dtype=bool)

    def cell_shown(counts: pd.DataFrame, rows, columns) -> np.ndarray:
        hidden = people_cells_hidden(counts, min_count)
        return np.array([r in counts.index and c in counts.columns and counts.at[r, c] >= min_count
                         and not hidden.at[r, c] for r, c in zip(rows, columns)], dtype=bool)

    for dim in ("focus_area", "principle"):
        shown &= cell_shown(persona_code_counts(statements, codes, codebook, dim), usable["persona"],
                          usable[dim].astype(str))
    shown &= cell_shown(persona_source_counts(statements), usable["persona"].map(PERSONA_LABELS_DA),
                      usable["source_kind"].map(lambda k: SOURCE_KIND_LABELS_DA.get(k, k)))
    if themes is not None and assignments is not None:
        theme_of = dict(zip(assignments["statement_id"].astype(str), assignments["theme_id"].astype(str)))
        shown &= cell_shown(theme_persona_counts(themes), [theme_of.get(str(sid), "") for sid in usable["statement_id"]],
                          usable["persona"])
    return set(usable.loc[shown, "statement_id"].astype(str))


#: The labels of the «unknown speaker» row or column in the tables of persona (id and Danish label).
UNKNOWN_LABELS = frozenset({UNKNOWN_PERSONA, PERSONA_LABELS_DA[UNKNOWN_PERSONA]})


def people_cells_hidden(counts: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """The cells of a table of people (by persona: :func:`persona_code_counts`, :func:`theme_persona_counts`,
    :func:`persona_source_counts`; by source kind) that a figure hides: :func:`hidden_cells`, which also keeps
    every row and column from being "total minus the rest", because the pages show both (a figure's 100 % bars
    give a row's total; the codebook section and the lists of a code's or a theme's statements give a column's).

    The «Ukendt» row or column counts as ``known``: a reader can often work it out, so a hidden «Ukendt» cell
    must not be what keeps a persona's cell from being "the rest". In October every plenary line is «Ukendt»
    (page 01 shows the other personas' plenary cells as 0) and page 02 lists every statement with its context,
    which tells plenary from the rest; an audit worked out «Ukendt» × principle exactly, and from the column's
    total a hidden Leder cell of 3 beside it."""
    known = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    known.loc[[r in UNKNOWN_LABELS for r in counts.index], :] = True
    known.loc[:, [col in UNKNOWN_LABELS for col in counts.columns]] = True
    return hidden_cells(counts, min_count, known)


#: The narrowest share of a bar that still holds a count, per digit, in the smaller font (a 4 of 175, 2 %, does;
#: a segment narrower than that has its count under the row's name).
NARROW_SHARE_PER_DIGIT = 0.012


def _share_bars(counts: pd.DataFrame, row_labels: Mapping[Any, str], codes: Sequence[str],
                code_labels: Mapping[str, str], colours: Mapping[str, str], title: str, subtitle: str,
                min_count: int, fp: Mapping[str, Any], xlabel: str, mask: pd.DataFrame | None = None) -> Figure:
    """100 % bars of ``counts`` (rows = groups of people, columns = ``codes``), small cells hidden: by ``mask``
    where given (rows and columns of ``counts``), else by :func:`people_cells_hidden`, which keeps rows *and*
    columns from giving a hidden cell away (a figure by source kind hid by rows only, and with the codes' totals
    on the same page an audit worked the hidden plenary cells out, and from them a hidden persona cell)."""
    counts = _bar_counts(counts, codes)
    if counts.empty:
        raise TooFewStatementsError(f"ingen kodede udsagn at vise ({title.lower()})",
                                    fix="kør kodningen (workshopnlp code) for workshoppen")
    mask = people_cells_hidden(counts, min_count) if mask is None else mask
    mask = mask.reindex(index=counts.index, columns=counts.columns, fill_value=False).astype(bool)
    small_rows = counts.sum(axis=1) < min_count
    mask.loc[small_rows, :] = mask.loc[small_rows, :] | (counts.loc[small_rows] > 0)
    shares = counts.div(counts.sum(axis=1), axis=0).mask(mask)
    totals = counts.sum(axis=1)
    n = len(counts)
    n_legend = len(codes) + int(bool(mask.to_numpy().any()))
    legend_rows = math.ceil(n_legend / 4)
    with _styled(fp):
        fig = _new_figure(9.0, 1.7 + 0.62 * n + 0.28 * legend_rows)
        ax = fig.add_subplot()
        bar_h = 0.64
        yticklabels = []
        for y, key in enumerate(counts.index):
            total = int(totals[key])
            label = row_labels.get(key, str(key))
            if total < min_count:
                yticklabels.append(f"{label}\n(n < {min_count})")
                ax.barh(y, 1.0, left=0, height=bar_h, color=HIDDEN_FACE, edgecolor=HIDDEN_EDGE, hatch=HATCH,
                        linewidth=0.6)
                ax.text(0.5, y, f"skjult: færre end {min_count} udsagn", ha="center", va="center",
                        fontsize="small", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
                continue
            yticklabels.append(f"{label}\n(n = {total})")
            left = 0.0
            no_room = []
            for code in codes:
                count = int(counts.at[key, code])
                if count == 0 or mask.at[key, code]:
                    continue
                w = float(shares.at[key, code])
                ax.barh(y, w, left=left, height=bar_h, color=colours[code], edgecolor="white", linewidth=0.8)
                if w >= 0.04 or w >= NARROW_SHARE_PER_DIGIT * len(str(count)):
                    ax.text(left + w / 2, y, str(count), ha="center", va="center",
                            fontsize="small" if w >= 0.04 else "x-small", color=_text_on(colours[code]))
                else:  # too narrow even for a small number: it goes under the row's name, so every count is shown
                    no_room.append(f"{code_labels.get(code, code)} {count}")
                left += w
            if no_room:
                yticklabels[-1] += "\nfor smalle til tal: " + ", ".join(no_room)
            hidden = int(counts.loc[key][mask.loc[key]].sum())
            if hidden:
                w = hidden / total
                ax.barh(y, w, left=left, height=bar_h, color=HIDDEN_FACE, edgecolor=HIDDEN_EDGE, hatch=HATCH,
                        linewidth=0.6)
                if w >= 0.07:
                    ax.text(left + w / 2, y, "skjult", ha="center", va="center", fontsize="x-small",
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        ax.set_yticks(range(n), yticklabels)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, 1)
        _pct_axis(ax)
        ax.set_xlabel(xlabel)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        handles = [Patch(facecolor=colours[c], edgecolor="white", label=code_labels.get(c, c)) for c in codes]
        if mask.to_numpy().any():
            handles.append(Patch(facecolor=HIDDEN_FACE, edgecolor=HIDDEN_EDGE, hatch=HATCH,
                                 label=hidden_legend_label(min_count)))
        _legend(fig, handles, 4)
        _title(fig, title, subtitle, ax)
    return fig


def hidden_legend_label(min_count: int) -> str:
    """The legend's words for hidden cells, the same in every figure: «færre end 5 udsagn, eller skjult med et
    sådant felt». A legend saying «færre end 5» over a hidden 8 (hidden beside a small cell so that it cannot be
    worked out, :func:`people_cells_hidden`) told something false; one that said the long words only where a
    hidden cell was 5 or more told which figures had such a cell, and an audit used that too."""
    return (f"Skjult (færre end {min_count} udsagn, eller skjult med et sådant felt, så en personas tal ikke kan "
            "regnes ud)")


#: Why the figures of codes and themes show every count, also 1–4: they count statements on a topic, not people,
#: and pages 02 and 03 list every statement with its codes and its theme, so hiding a cell there hid nothing.
TOPIC_CELLS_NOTE_DA = ("Alle tal vises, også små: de tæller udsagn om et emne, ikke personer, og hvert udsagn står "
                       "med sine koder og sit tema på siderne.")


#: What the hiding of small cells does not do: it counts statements, not people. «Så ingen enkeltpersons svar kan
#: udpeges» promised more – September's minutes name «3 borgere i ressourceforløb», who made many statements.
COUNTS_STATEMENTS_NOTE_DA = "Grænsen tæller udsagn, ikke personer."


def _dim_subtitle(min_count: int, people: bool = True) -> str:
    """The subtitle of a figure of shares by group. Only a figure by persona (``people``) says that hiding keeps
    a persona's few statements from standing alone: a figure by source kind hides the same way, but the lists of every
    statement show each one's context, which often tells the kind of source (an audit counted October's plenary
    cells from them), so there it would promise what the pages do not keep."""
    text = (f"Tal i felterne = antal udsagn (tomme svar og dubletter er ikke talt med). Felter med færre end "
            f"{min_count} udsagn er skjult")
    return text + (f", så en personas få udsagn ikke står alene. {COUNTS_STATEMENTS_NOTE_DA}" if people else ".")


def fig_codes_by_persona(statements: pd.DataFrame, codes: pd.DataFrame, codebook: Codebook, dimension: str,
                         *, params: Mapping[str, Any] | None = None) -> Figure:
    """Share of each code per persona as 100 % bars, counts annotated, small cells hidden."""
    fp = _fig_params(params)
    _require(statements, ["statement_id", "persona"], "udsagnstabellen")
    _require(codes, ["statement_id", dimension], "kodetabellen")
    counts = persona_code_counts(statements, codes, codebook, dimension)
    min_count = int(fp["min_cell_count"])
    return _share_bars(counts, PERSONA_LABELS_DA, _code_order(codebook, dimension),
                       codebook.dimension(dimension).labels(),
                       code_colours(codebook, dimension), f"{_title_dim(codebook, dimension)} fordelt på persona",
                       _dim_subtitle(min_count), min_count, fp, "Andel af personaens udsagn")


def fig_codes_by_source_kind(statements: pd.DataFrame, codes: pd.DataFrame, codebook: Codebook, dimension: str,
                             *, params: Mapping[str, Any] | None = None) -> Figure:
    """Share of each code in plenum, group discussions, survey answers and consultation responses."""
    fp = _fig_params(params)
    _require(statements, ["statement_id", "source_kind"], "udsagnstabellen")
    _require(codes, ["statement_id", dimension], "kodetabellen")
    df = _coded(statements, codes)
    present = set(df["source_kind"])
    order = [k for k in SOURCE_KINDS if k in present] + sorted(present - set(SOURCE_KINDS))
    counts = pd.crosstab(df["source_kind"], df[dimension]).reindex(order)
    return _share_bars(counts, SOURCE_KIND_LABELS_DA, _code_order(codebook, dimension),
                       codebook.dimension(dimension).labels(), code_colours(codebook, dimension),
                       f"{_title_dim(codebook, dimension)} fordelt på kilde",
                       _dim_subtitle(int(fp["min_cell_count"]), people=False), int(fp["min_cell_count"]), fp,
                       "Andel af kildens udsagn")


def fig_codes_by_workshop(frames: Mapping[str, tuple[pd.DataFrame, pd.DataFrame]], codebook: Codebook,
                          dimension: str, workshop_labels: Mapping[str, str] | None = None, *,
                          params: Mapping[str, Any] | None = None) -> Figure:
    """Share of each code per workshop (chronological), every count shown (:data:`TOPIC_CELLS_NOTE_DA`).
    ``codebook`` is the latest workshop's: its «foreløbig» flags are that workshop's agreement, and the subtitle
    says so."""
    fp = _fig_params(params)
    if not frames:
        raise TooFewStatementsError("ingen workshops at sammenligne", fix="kod mindst to workshops")
    ids = sorted(frames)
    labels = _labels_for(ids)
    labels.update(workshop_labels or {})
    rows, rows_named = {}, {}
    for ws in ids:
        statements, codes = frames[ws]
        _require(codes, ["statement_id", dimension], f"kodetabellen for {labels[ws]}")
        coded = _coded(statements, codes)
        rows[ws] = coded[dimension].value_counts()
        # Who coded each workshop, under its name: people's codes beside the machine's are no like-for-like
        # comparison (October's and January's by people, September's by the machine showed Formål fall 30 % -> 13 %).
        rows_named[ws] = f"{labels[ws]}\n({coded_by_da(_human_share(coded))})"
    counts = pd.DataFrame(rows).T.fillna(0).reindex(ids)
    # a whole workshop's statements on a code: a topic, not a group of people, and its page lists every one
    subtitle = f"Tal i felterne = antal udsagn (tomme svar og dubletter er ikke talt med). {TOPIC_CELLS_NOTE_DA}"
    if any(lab.endswith(TENTATIVE_SUFFIX) for lab in codebook.dimension(dimension).labels().values()):
        # the labels are one workshop's (the codebook passed, the latest's): say whose agreement flags them
        subtitle += f" «Foreløbig» bygger på kodernes enighed i {labels[ids[-1]].lower()}."
    shown = _bar_counts(counts, _code_order(codebook, dimension))
    return _share_bars(counts, rows_named, _code_order(codebook, dimension), codebook.dimension(dimension).labels(),
                       code_colours(codebook, dimension), f"{_title_dim(codebook, dimension)} fordelt på workshop",
                       subtitle, int(fp["min_cell_count"]), fp, "Andel af workshoppens udsagn",
                       mask=pd.DataFrame(False, index=shown.index, columns=shown.columns))


# ---------------------------------------------------------------- heatmaps

def _heatmap(fig: Figure, ax, values: pd.DataFrame, annot: pd.DataFrame, hidden: pd.DataFrame, vmin: float,
             vmax: float, cbar_label: str, cbar_format) -> None:
    cmap = matplotlib.colormaps[SEQUENTIAL_CMAP].with_extremes(bad=HIDDEN_FACE)
    data = np.ma.masked_invalid(values.to_numpy(dtype=float))
    norm = Normalize(vmin=vmin, vmax=vmax)
    im = ax.imshow(data, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    n_rows, n_cols = values.shape
    for i in range(n_rows):
        for j in range(n_cols):
            text = annot.iat[i, j]
            if hidden.iat[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=HIDDEN_FACE, edgecolor=HIDDEN_EDGE,
                                       hatch=HATCH, linewidth=0))
                ax.text(j, i, text, ha="center", va="center", fontsize="small",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.2})
            elif text:
                v = values.iat[i, j]
                colour = cmap(norm(v)) if not pd.isna(v) else HIDDEN_FACE
                ax.text(j, i, text, ha="center", va="center", fontsize="small", color=_text_on(colour))
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    cbar = fig.colorbar(im, ax=ax, shrink=0.85, pad=0.02, aspect=30)
    cbar.set_label(cbar_label)
    cbar.ax.yaxis.set_major_formatter(FuncFormatter(cbar_format))
    cbar.outline.set_visible(False)


def fig_principle_by_focus(codes: pd.DataFrame, codebook: Codebook, *, statements: pd.DataFrame | None = None,
                           params: Mapping[str, Any] | None = None) -> Figure:
    """Heatmap: number of statements per principle (rows) x focus area (columns); small cells hidden.

    Give ``statements`` to leave out empty answers and duplicates (as the other figures do).
    """
    fp = _fig_params(params)
    _require(codes, ["statement_id", "focus_area", "principle"], "kodetabellen")
    df = _coded(statements, codes) if statements is not None else codes
    rows, cols = _code_order(codebook, "principle"), _code_order(codebook, "focus_area")
    counts = pd.crosstab(df["principle"], df["focus_area"]).reindex(index=rows, columns=cols, fill_value=0)
    counts = counts.fillna(0).astype(int)
    if int(counts.to_numpy().sum()) == 0:
        raise TooFewStatementsError("ingen kodede udsagn at vise", fix="kør kodningen (workshopnlp code)")
    # statements on a topic, not groups of people: nothing is hidden (TOPIC_CELLS_NOTE_DA)
    hidden = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    values = counts.astype(float)
    annot = counts.astype(str)
    p_labels, f_labels = codebook.dimension("principle").labels(), codebook.dimension("focus_area").labels()
    with _styled(fp):
        fig = _new_figure(8.2, 1.9 + 0.5 * len(rows))
        ax = fig.add_subplot()
        _heatmap(fig, ax, values, annot, hidden, 0, max(1.0, float(np.nanmax(values.to_numpy()))
                                                         if values.notna().any().any() else 1.0),
                 "Antal udsagn", lambda v, _p: f"{v:.0f}")
        ax.set_xticks(range(len(cols)), [_wrap(f_labels[c], 14) for c in cols])
        ax.set_yticks(range(len(rows)), [p_labels[r] for r in rows])
        ax.xaxis.tick_top()
        ax.xaxis.set_label_position("top")
        ax.set_xlabel(codebook.dimension("focus_area").label)
        ax.set_ylabel(codebook.dimension("principle").label)
        _title(fig, "Dataetiske principper fordelt på fokusområder",
               "Antal udsagn med hver kombination af princip og fokusområde (tomme svar og dubletter er ikke "
               f"talt med). {TOPIC_CELLS_NOTE_DA}", ax, wrap=90)
    return fig


def _theme_rows(themes: pd.DataFrame) -> pd.DataFrame:
    _require(themes, ["theme_id", "label", "size"], "tematabellen")
    t = themes.copy()
    outlier = t["is_outlier_group"].map(_truthy).fillna(False).astype(bool) if "is_outlier_group" in t else \
        pd.Series(False, index=t.index)
    t["_outlier"] = outlier | (t["theme_id"].astype(str) == "ovrigt")
    t["_unstable"] = t["stable"].map(lambda v: _truthy(v) is False) if "stable" in t else False
    t["_label"] = [f"{lab} (ustabil)" if unst else str(lab) for lab, unst in zip(t["label"], t["_unstable"])]
    seen: dict[str, int] = {}
    unique = []
    for lab in t["_label"]:
        seen[lab] = seen.get(lab, 0) + 1
        unique.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    t["_label"] = unique
    return t


def fig_themes_by_source_kind(themes: pd.DataFrame, *, params: Mapping[str, Any] | None = None) -> Figure:
    """Share of each theme's statements from plenum, group discussions, survey answers and consultation
    responses (a kind nobody used is left out)."""
    fp = _fig_params(params)
    t = _theme_rows(themes)
    t = t[~t["_outlier"]].sort_values(["size", "theme_id"], ascending=[False, True])
    if not any(f"n_{k}" in t for k in SOURCE_KINDS):  # no counts by source at all: name the columns it needs
        _require(t, [f"n_{k}" for k in SOURCE_KINDS], "tematabellen")
    t = t.reindex(columns=[*t.columns, *(f"n_{k}" for k in SOURCE_KINDS if f"n_{k}" not in t)], fill_value=0)
    kinds = [k for k in SOURCE_KINDS if t[f"n_{k}"].sum() > 0]  # a kind nobody used (or an older table lacks)
    counts = t.set_index("theme_id")[[f"n_{k}" for k in kinds]].rename(columns=lambda c: c[2:]).astype(int)
    return _share_bars(counts, dict(zip(t["theme_id"], (_wrap(x, 34) for x in t["_label"]))), kinds,
                       SOURCE_KIND_LABELS_DA, SOURCE_KIND_COLOURS, "Temaer fordelt på kilde",
                       _dim_subtitle(int(fp["min_cell_count"]), people=False), int(fp["min_cell_count"]), fp,
                       "Andel af temaets udsagn")


def fig_themes_by_persona(themes: pd.DataFrame, *, params: Mapping[str, Any] | None = None) -> Figure:
    """Who raised each theme: share of its statements per persona (small cells hidden)."""
    fp = _fig_params(params)
    min_count = int(fp["min_cell_count"])
    every = theme_persona_counts(themes)  # «Øvrigt» too: the page lists its statements with their personas
    mask = people_cells_hidden(every, min_count)
    t = _theme_rows(themes)
    t = t[~t["_outlier"]].sort_values(["size", "theme_id"], ascending=[False, True])
    personas = list(every.columns)
    counts = every.reindex(t["theme_id"].astype(str)).fillna(0).astype(int)
    palette = [OKABE_ITO["orange"], OKABE_ITO["himmelblå"], OKABE_ITO["blågrøn"], OKABE_ITO["rødlilla"]]
    colours = {p: (NEUTRAL if p == UNKNOWN_PERSONA else palette[i % len(palette)]) for i, p in enumerate(personas)}
    return _share_bars(counts, dict(zip(t["theme_id"].astype(str), (_wrap(x, 34) for x in t["_label"]))), personas,
                       PERSONA_LABELS_DA, colours, "Temaer fordelt på persona",
                       _dim_subtitle(min_count), min_count, fp, "Andel af temaets udsagn", mask=mask)


def theme_change_status(row: Mapping[str, Any]) -> tuple[str, str]:
    """A comparison row's status («vokset», «ny» …) and its note on stability, as the figure and page 04's table
    show them: «ustabil» for a new theme, «var ustabil» for a vanished one, found in under half of the repeated
    groupings (``stable_b`` of a new theme, ``stable_a`` of a vanished one) – it may never have been a theme, and a
    reader should not take a wobble of the method for a change in what was said. A theme found in both (vokset,
    skrumpet …) says which side was unstable: «var ustabil», «ustabil nu» or «ustabil begge gange» (June's
    unstable T22 «skrumpet» unmarked beside marked vanished ones); else ""."""
    status = str(row["status"])
    was, now = (str(row.get(key, "")) == "False" for key in ("stable_a", "stable_b"))
    if status == "forsvundet":
        return status, "var ustabil" if was else ""
    if status == "ny":
        return status, "ustabil" if now else ""
    return status, ("ustabil begge gange" if was and now else "var ustabil" if was else "ustabil nu" if now else "")


def fig_theme_changes(comparison: pd.DataFrame, earlier_label: str, later_label: str, *,
                      params: Mapping[str, Any] | None = None) -> Figure:
    """Each theme's share of the statements before and now (from ``comparison_<earlier>.csv``)."""
    fp = _fig_params(params)
    _require(comparison, ["status", "label_a", "share_a", "label_b", "share_b"], "temasammenligningen")
    c = comparison.copy()
    c["label"] = [str(b) if str(b) not in ("", "nan") else str(a) for a, b in zip(c["label_a"], c["label_b"])]
    c = c.sort_values(["share_b", "share_a", "label"], ascending=[False, False, True]).reset_index(drop=True)
    if c.empty:
        raise TooFewStatementsError("ingen temaer at sammenligne", fix="kør workshopnlp compare")
    n = len(c)
    with _styled(fp):
        fig = _new_figure(9.5, 1.8 + 0.5 * n)
        ax = fig.add_subplot()
        h = 0.38
        ax.barh([y - h / 2 for y in range(n)], c["share_a"].astype(float), height=h, color=OKABE_ITO["himmelblå"],
                label=earlier_label)
        ax.barh([y + h / 2 for y in range(n)], c["share_b"].astype(float), height=h, color=OKABE_ITO["blå"],
                label=later_label)
        statuses = [", ".join(w for w in theme_change_status(row) if w) for _, row in c.iterrows()]
        ax.set_yticks(range(n), [f"{_wrap(lab, 38)}\n({status})" for lab, status in zip(c["label"], statuses)])
        ax.set_ylim(n - 0.5, -0.5)
        _pct_axis(ax)
        ax.set_xlabel("Andel af workshoppens brugbare udsagn")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        handles = [Patch(facecolor=OKABE_ITO["himmelblå"], label=earlier_label),
                   Patch(facecolor=OKABE_ITO["blå"], label=later_label)]
        _legend(fig, handles, 2)
        subtitle = "Temaer matchet på indhold mellem workshops: nye, vokset, skrumpet, uændret og forsvundet."
        if any("ustabil" in status for status in statuses):
            subtitle += " «Ustabil»: temaet fandtes i under halvdelen af gentagne kørsler."
        _title(fig, "Temaer før og nu", subtitle, ax)
    return fig


def fig_themes_codebook(themes: pd.DataFrame, theme_codes: pd.DataFrame, codebook: Codebook, dimension: str,
                        *, params: Mapping[str, Any] | None = None) -> Figure:
    """Heatmap themes x codes: share of each theme's statements coded with each code (if codes exist),
    else the theme's similarity to the code's examples. Unstable themes are marked "(ustabil)"."""
    fp = _fig_params(params)
    _require(theme_codes, ["theme_id", "dimension", "code", "similarity"], "tema-kode-tabellen")
    t = _theme_rows(themes)
    t = t[~t["_outlier"]].sort_values(["size", "theme_id"], ascending=[False, True])
    if t.empty:
        raise TooFewStatementsError("ingen temaer at vise", fix="kør workshopnlp themes for workshoppen")
    cols = _code_order(codebook, dimension)
    tc = theme_codes[theme_codes["dimension"] == dimension]
    use_share = "share_coded" in tc.columns and pd.to_numeric(tc["share_coded"], errors="coerce").notna().any()
    ids = t["theme_id"].astype(str).tolist()
    tc = tc.assign(theme_id=tc["theme_id"].astype(str))
    if use_share:
        n = tc.pivot_table(index="theme_id", columns="code", values="n_coded", aggfunc="sum")
        n = n.reindex(index=ids, columns=cols).fillna(0)
        # statements on a topic, not groups of people: nothing is hidden (TOPIC_CELLS_NOTE_DA)
        totals = n.sum(axis=1)
        values = n.div(totals.where(totals > 0), axis=0)
        hidden = pd.DataFrame(False, index=values.index, columns=values.columns)
        annot = values.map(lambda v: "" if pd.isna(v) else percent_da(v))
        vmin, vmax, cbar_label, cbar_fmt = 0.0, 1.0, "Andel af temaets udsagn", lambda v, _p: percent_da(v)
        subtitle = (f"Andel af hvert temas udsagn, der er kodet med hvert {DIMENSION_WORD_DA.get(dimension, 'kode')}. "
                    f"{TOPIC_CELLS_NOTE_DA} \"(ustabil)\": temaet fandtes i under halvdelen af gentagne kørsler.")
    else:
        values = tc.pivot_table(index="theme_id", columns="code", values="similarity", aggfunc="mean")
        values = values.reindex(index=ids, columns=cols)
        hidden = pd.DataFrame(False, index=values.index, columns=values.columns)
        annot = values.map(lambda v: "" if pd.isna(v) else decimal_da(v))
        vmin = min(0.0, float(np.nanmin(values.to_numpy()))) if values.notna().any().any() else 0.0
        vmax = max(0.5, float(np.nanmax(values.to_numpy()))) if values.notna().any().any() else 1.0
        cbar_label, cbar_fmt = "Lighed (centreret cosinus)", lambda v, _p: decimal_da(v, 1)
        subtitle = ("Lighed mellem temaets udsagn og kodebogens eksempler på hver kode (ingen kodning fundet). "
                    "\"(ustabil)\": temaet fandtes i under halvdelen af gentagne kørsler.")
    labels = codebook.dimension(dimension).labels()
    with _styled(fp):
        fig = _new_figure(2.9 + 1.05 * len(cols) + 2.6, 2.2 + 0.46 * len(ids))
        ax = fig.add_subplot()
        _heatmap(fig, ax, values, annot, hidden, vmin, vmax, cbar_label, cbar_fmt)
        ax.set_xticks(range(len(cols)), [_wrap(labels[c], 13) for c in cols])
        ax.set_yticks(range(len(ids)), [_wrap(lab, 46) for lab in t["_label"]])
        ax.xaxis.tick_top()
        ax.xaxis.set_label_position("top")
        ax.set_xlabel(codebook.dimension(dimension).label)
        ax.set_ylabel("Tema")
        _title(fig, f"Temaer og {_title_dim(codebook, dimension).lower()}", subtitle, ax, wrap=95)
    return fig


# ---------------------------------------------------------------- theme overview

def fig_theme_overview(themes: pd.DataFrame, *, title: str = "Temaer i workshoppen",
                       params: Mapping[str, Any] | None = None) -> Figure:
    """Theme sizes as bars, labelled with the theme label and its top words; "Øvrigt" apart, in grey."""
    fp = _fig_params(params)
    t = _theme_rows(themes)
    main = t[~t["_outlier"]].sort_values(["size", "theme_id"], ascending=[False, True])
    rest = t[t["_outlier"]]
    if main.empty:
        raise TooFewStatementsError("ingen temaer at vise", fix="kør workshopnlp themes for workshoppen")
    total = float(t["size"].sum()) or 1.0
    rows = [(r, False) for _, r in main.iterrows()] + [(r, True) for _, r in rest.iterrows() if r["size"] > 0]
    n = len(rows)
    gap = 0.6 if len(rest) else 0.0
    with _styled(fp):
        fig = _new_figure(10.0, 1.6 + 0.62 * n + gap * 0.5)
        ax = fig.add_subplot()
        xmax = float(t["size"].max()) * 1.18
        ys, labels = [], []
        y = 0.0
        for r, is_rest in rows:
            if is_rest:
                y += gap
                ax.axhline(y - 0.5 - gap / 2, color="#999999", linewidth=0.6, linestyle=":")
            size = int(r["size"])
            if is_rest:
                ax.barh(y, size, height=0.42, color=HIDDEN_FACE, edgecolor=NEUTRAL, hatch=HATCH, linewidth=0.8)
                words = "udsagn der ikke ligner noget tema nok til at høre med"
                label = "Øvrigt/ikke tematiseret"
            else:
                unstable = bool(r["_unstable"])
                ax.barh(y, size, height=0.42, color="#9CC9E6" if unstable else OKABE_ITO["blå"],
                        edgecolor=OKABE_ITO["blå"], hatch="..." if unstable else None, linewidth=0.6)
                words = str(r.get("top_words", "") or "")
                words = "" if words.lower() == "nan" else words
                label = r["_label"]
            if len(words) > 85:
                words = words[:85].rsplit(",", 1)[0] + " …"
            if words:
                ax.text(0, y - 0.25, words, ha="left", va="bottom", fontsize="x-small", color=SUBTLE,
                        style="italic")
            ax.text(size + xmax * 0.01, y, f"{size} ({percent_da(size / total)})", ha="left", va="center",
                    fontsize="small")
            ys.append(y)
            labels.append(_wrap(label, 40))
            y += 1.0
        ax.set_yticks(ys, labels)
        ax.set_ylim(y - 0.4, -0.75)
        ax.set_xlim(0, xmax)
        ax.set_xlabel("Antal udsagn")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        handles = [Patch(facecolor=OKABE_ITO["blå"], label="Tema")]
        if main["_unstable"].any():
            handles.append(Patch(facecolor="#9CC9E6", edgecolor=OKABE_ITO["blå"], hatch="...",
                                 label="Ustabilt tema (fundet i under halvdelen af kørslerne)"))
        if len(rest):
            handles.append(Patch(facecolor=HIDDEN_FACE, edgecolor=NEUTRAL, hatch=HATCH,
                                 label="Øvrigt/ikke tematiseret"))
        _legend(fig, handles, len(handles))
        _title(fig, title, "Antal udsagn pr. tema (andel af workshoppens brugbare udsagn). Over hver søjle: "
                           "temaets vigtigste ord.", ax)
    return fig


# ---------------------------------------------------------------- agreement

PAIR_MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def _pair_label(par: str) -> str:
    if par == "alle":
        return "Alle kodere og maskinen"
    parts = [p.strip() for p in str(par).split("~")]
    names = ["maskinen" if p == "model" else f"koder {p}" for p in parts]
    text = " og ".join(names)
    return text[:1].upper() + text[1:]


def fig_agreement(agreement: pd.DataFrame, codebook: Codebook, *, params: Mapping[str, Any] | None = None
                  ) -> Figure:
    """Krippendorff's alpha per code (and overall) for each pair of coders, one panel per dimension.

    A dashed line marks ``coding.tentative_alpha`` (0,667); hollow markers are "foreløbig" (below it).
    """
    fp = _fig_params(params)
    limit = float(fp["tentative_alpha"])
    _require(agreement, ["dimension", "par", "kode", "alpha"], "enighedstabellen")
    ag = agreement.copy()
    ag["alpha"] = pd.to_numeric(ag["alpha"], errors="coerce")
    dims = [d.id for d in codebook.dimensions if d.id in set(ag["dimension"])]
    if not dims or ag["alpha"].notna().sum() == 0:
        raise TooFewStatementsError("ingen enighedstal at vise (ingen udsagn er kodet af mindst to)",
                                    fix="læg udfyldte kodeark i data/raw/<workshop>/kodning/ og kør kodningen igen")
    pairs = sorted(set(ag["par"].astype(str)), key=lambda p: (p == "alle", "model" in p, p))
    colours = {p: PALETTE[[4, 0, 2, 6, 5, 1, 3][i % 7]] for i, p in enumerate(pairs)}
    markers = {p: PAIR_MARKERS[i % len(PAIR_MARKERS)] for i, p in enumerate(pairs)}
    n_rows = {d: 1 + len(_code_order(codebook, d)) for d in dims}
    if "foreloebig" in ag.columns:
        tentative = ag["foreloebig"].map(_truthy).fillna(True).astype(bool)
    else:
        tentative = ~(ag["alpha"] >= limit)
    ag["_tentative"] = tentative
    lo = min(0.0, float(ag["alpha"].min()) - 0.05)
    with _styled(fp):
        fig = _new_figure(9.0, 1.9 + 0.36 * sum(n_rows.values()) + 0.3 * math.ceil((len(pairs) + 1) / 3))
        axes = fig.subplots(len(dims), 1, sharex=True, gridspec_kw={"height_ratios": [n_rows[d] for d in dims]},
                            squeeze=False)[:, 0]
        offsets = np.linspace(-0.27, 0.27, len(pairs)) if len(pairs) > 1 else np.zeros(1)
        for ax, dim in zip(axes, dims):
            rows = ["samlet", *_code_order(codebook, dim)]
            labels = codebook.dimension(dim).labels()
            sub = ag[ag["dimension"] == dim]
            for k, par in enumerate(pairs):
                ps = sub[sub["par"].astype(str) == par].set_index("kode")
                for i, code in enumerate(rows):
                    if code not in ps.index or pd.isna(ps.at[code, "alpha"]):
                        continue
                    a = float(ps.at[code, "alpha"])
                    hollow = bool(ps.at[code, "_tentative"])
                    ax.plot([a], [i + offsets[k]], linestyle="none", marker=markers[par], markersize=6.5,
                            markeredgecolor=colours[par], markeredgewidth=1.4,
                            markerfacecolor="white" if hollow else colours[par])
            for i in range(len(rows)):
                ax.axhline(i, color="#EEEEEE", linewidth=0.8, zorder=0)
            ax.axvline(limit, color="black", linestyle="--", linewidth=1)
            ax.set_yticks(range(len(rows)), ["Samlet" if c == "samlet" else labels.get(c, c) for c in rows])
            ax.get_yticklabels()[0].set_fontweight("bold")
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_ylabel(codebook.dimension(dim).label, fontweight="bold")
            ax.tick_params(axis="y", length=0)
            ax.set_xlim(lo, 1.04)
        axes[-1].set_xlabel("Krippendorffs alfa (1 = fuld enighed, 0 = som tilfældigt)")
        _dec_axis(axes[-1])
        handles = []
        for par in pairs:
            n_stat = ag.loc[ag["par"].astype(str) == par, "n_statements"] if "n_statements" in ag else pd.Series()
            n_txt = f" (n = {int(n_stat.max())})" if len(n_stat) and pd.notna(n_stat.max()) else ""
            handles.append(Line2D([], [], linestyle="none", marker=markers[par], color=colours[par],
                                  markersize=6.5, label=_pair_label(par) + n_txt))
        handles.append(Line2D([], [], linestyle="none", marker="o", markerfacecolor="white",
                              markeredgecolor="black", markersize=6.5,
                              label=f"Åben markør: α under {decimal_da(limit, 3)} "
                                    "(for to mennesker: koden er foreløbig)"))
        handles.append(Line2D([], [], color="black", linestyle="--", linewidth=1,
                              label=f"Grænse for en pålidelig kode (α = {decimal_da(limit, 3)})"))
        _legend(fig, handles, 3)
        _title(fig, "Enighed mellem kodere og maskine",
               "Krippendorffs alfa pr. kode for hvert par af kodere. Maskinen er kun sammenlignet på udsagn, "
               "den ikke har lært af.", axes[0])
    return fig


# ---------------------------------------------------------------- dilemma cards

def dilemma_cards(statements: pd.DataFrame, codes: pd.DataFrame, codebook: Codebook, per_persona: int = 1, *,
                  params: Mapping[str, Any] | None = None, quotable: set[str] | None = None) -> list[dict[str, Any]]:
    """One card per focus area (not ``ingen``): the seed's dilemma and question and the most telling quotes.

    Quotes are usable statements coded to the focus area, at most ``per_persona`` per persona, ranked:
    medium length (``figures.quote_min_words``..``quote_max_words`` words) first, then without
    placeholders such as [NAVN], then not opening with a bare yes or no (:data:`REPLY_OPENING`), then human-coded,
    then the model's score for the focus area. A statement in
    which a participant tells of their own health, faith and the like (:func:`workshopnlp.pseudonymise.is_sensitive`)
    is never quoted. A persona
    with fewer than ``figures.min_cell_count`` statements on the focus area is never quoted (privacy);
    "ukendt" is not a persona and is not quoted. Each quote: text, persona, persona_label,
    source_kind, source_kind_label (empty where that persona has fewer than ``min_cell_count`` statements of
    that kind in all, so that the card does not reveal a cell report 01 hides), statement_id. With ``quotable``
    (:func:`quotable_statements`), only those statements are quoted; a persona with none of them on the focus
    area is not quoted either. ``personas_not_quoted``: the personas with statements on the focus area that the
    card leaves out, for either reason (:func:`dilemma_card_not_quoted` gives one reason for both). A statement
    with a placeholder ([NAVN], [EMAIL] …) is never quoted on a card: January's card quoted «Skriv til mig på
    [EMAIL] hvis I vil høre mere», a message and no view. ``personas_only_placeholders``: those left out because
    every statement they could be quoted by has one (their cells are shown, so saying so tells nothing hidden).
    A statement only the machine coded is quoted only if its score for the focus area is at least
    ``figures.quote_min_score``: September's Tillid card quoted «Nej. Jeg har fået samtaler som jeg plejer.» (an
    answer to whether anything had changed, coded Tillid at 0.47, «ingen» by all three people) under «Skal vi
    kunne forklare alt for borgerne?». ``personas_uncertain``: those left out because the machine is not sure
    enough of any statement they could be quoted by (cells shown: this too tells nothing hidden).
    """
    fp = _fig_params(params)
    min_count = int(fp["min_cell_count"])
    lo, hi = int(fp["quote_min_words"]), int(fp["quote_max_words"])
    min_score = float(fp["quote_min_score"])
    _require(statements, ["statement_id", "persona", "text", "source_kind"], "udsagnstabellen")
    _require(codes, ["statement_id", "focus_area"], "kodetabellen")
    df = _coded(statements, codes)
    # persona x source counts as report 01 shows them: a source is named under a quote only where that cell
    # is not hidden there ("– Sikret ledig, plenum" would tell that one of two plenum remarks was theirs)
    cells = statements.groupby(["persona", "source_kind"]).size()
    colours = code_colours(codebook, "focus_area")
    cards = []
    for code in codebook.dimension("focus_area").codes:
        if code.id == NO_CODE:
            continue
        sub = df[df["focus_area"] == code.id].copy()
        n_statements = int(len(sub))
        sub = sub[~sub["text"].map(is_sensitive).astype(bool)]  # a diagnosis told about oneself is never quoted
        score_col = f"score_focus_area__{code.id}"
        if score_col in sub.columns:
            sub["_score"] = pd.to_numeric(sub[score_col], errors="coerce").fillna(0.0)
        elif "focus_area_score" in sub.columns:
            sub["_score"] = pd.to_numeric(sub["focus_area_score"], errors="coerce").fillna(0.0)
        else:
            sub["_score"] = 0.0
        words = sub["text"].astype(str).str.split().str.len()
        sub["_len_ok"] = words.between(lo, hi)
        sub["_clean"] = ~sub["text"].astype(str).str.contains(PLACEHOLDER)
        # «Ja, hvis mentorerne lærer at sige det ordentligt.» answers a question the card does not show
        sub["_standalone"] = ~sub["text"].astype(str).str.match(REPLY_OPENING)
        sub["_human"] = sub["code_source"].eq("menneske") if "code_source" in sub.columns else False
        sub = sub.sort_values(["_len_ok", "_clean", "_standalone", "_human", "_score", "statement_id"],
                              ascending=[False, False, False, False, False, True], kind="mergesort")
        sub["_sure"] = sub["_human"] | (sub["_score"] >= min_score)
        quotes, not_quoted, only_placeholders, uncertain = [], [], [], []
        per = sub["persona"].value_counts()
        for persona in PERSONAS:
            if persona == UNKNOWN_PERSONA:
                continue
            n = int(per.get(persona, 0))
            if n == 0:
                continue
            candidates = sub[sub["persona"] == persona]
            if quotable is not None:
                candidates = candidates[candidates["statement_id"].astype(str).isin(quotable)]
            if n < min_count or candidates.empty:
                not_quoted.append(PERSONA_LABELS_DA[persona])
                continue
            if not candidates["_clean"].any():  # «Skriv til mig på [EMAIL] …» is a message, not a view
                only_placeholders.append(PERSONA_LABELS_DA[persona])
                continue
            candidates = candidates[candidates["_clean"]]
            if not candidates["_sure"].any():  # a machine code of 0.47 is a guess, not a telling quote
                uncertain.append(PERSONA_LABELS_DA[persona])
                continue
            candidates = candidates[candidates["_sure"]]
            seen: set[str] = set()
            for _, row in candidates.iterrows():
                key = " ".join(str(row["text"]).lower().split())
                if key in seen:
                    continue
                seen.add(key)
                kind = str(row["source_kind"])
                shown = int(cells.get((persona, kind), 0)) >= min_count
                quotes.append({"text": str(row["text"]).strip(), "persona": persona,
                               "persona_label": PERSONA_LABELS_DA[persona], "source_kind": kind,
                               "source_kind_label": SOURCE_KIND_LABELS_DA.get(kind, kind) if shown else "",
                               "statement_id": str(row["statement_id"])})
                if len(seen) >= per_persona:
                    break
        cards.append({"focus_area": code.id, "label": code.label, "dilemma": code.dilemma,
                      "question": code.question, "colour": colours[code.id], "n_statements": n_statements,
                      "quotes": quotes, "personas_not_quoted": not_quoted,
                      "personas_only_placeholders": only_placeholders, "personas_uncertain": uncertain,
                      "min_score": min_score, "min_count": min_count})
    return cards


A5_PORTRAIT = (5.83, 8.27)


def workshop_dilemma_cards(statements: pd.DataFrame, codes: pd.DataFrame, codebook: Codebook,
                           params: Mapping[str, Any] | None = None, themes: pd.DataFrame | None = None,
                           assignments: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """A workshop's dilemma cards as every place shows them – the card files of :func:`build_figures` and the
    cards on page 06 (:func:`workshopnlp.reporting.dilemma_cards`): ``figures.quotes_per_persona`` quotes per
    persona, only of :func:`quotable_statements`. [] without coded statements. (Page 06 once drew its own cards
    without the quotable rule, and they differed from the card files beside them.)"""
    fp = _fig_params(params)
    if not len(_coded(statements, codes)):
        return []
    quotable = quotable_statements(statements, codes, codebook, int(fp["min_cell_count"]), themes, assignments)
    return dilemma_cards(statements, codes, codebook, int(fp.get("quotes_per_persona", 1)), params=params,
                         quotable=quotable)


def dilemma_card_not_quoted(card: Mapping[str, Any]) -> str:
    """«Sikret ledig og Leder citeres ikke her: …» for the personas with statements on the focus area that a card
    leaves out, or "" (on the card under its quotes, and in the text under the card's picture). One reason for
    all: their statements lie in cells the report hides. «Færre end 5 udsagn om fokusområdet» for one persona and
    not for the other told which of two hidden cells was the small one – an audit worked out a hidden cell of 1
    from it."""
    n = card.get("min_count", 5)
    parts = []
    if card.get("personas_not_quoted"):
        parts.append(f"{list_da(card['personas_not_quoted'])} citeres ikke her: deres udsagn om fokusområdet "
                     f"ligger i felter, som rapportens optællinger skjuler (færre end {n} udsagn, eller skjult "
                     "sammen med et sådant felt).")
    if card.get("personas_only_placeholders"):
        parts.append(f"{list_da(card['personas_only_placeholders'])} citeres ikke her: hvert af deres udsagn, "
                     "der kunne citeres, nævner en person eller en kontaktoplysning, som er erstattet af fx [NAVN].")
    if card.get("personas_uncertain"):
        parts.append(f"{list_da(card['personas_uncertain'])} citeres ikke her: ingen af deres udsagn, der kunne "
                     "citeres, er kodet af mennesker, og maskinen gav ingen af dem fokusområdet med en sikkerhed på "
                     f"mindst {decimal_da(float(card.get('min_score', 0.5)))}.")
    return " ".join(parts)


def dilemma_card_no_quotes(card: Mapping[str, Any]) -> str:
    """What a card without quotes says in their place (on the card and in the text under it)."""
    if card.get("personas_not_quoted") or card.get("personas_only_placeholders") or card.get("personas_uncertain"):
        return f"Ingen citater. {dilemma_card_not_quoted(card)}"
    return "Ingen citater: ingen af udsagnene om dette fokusområde har en kendt persona."


def dilemma_card_footer(card: Mapping[str, Any], quoted: bool = True) -> str:
    """The small print of a dilemma card: who is quoted, that quotes are pseudonymised (only if there are
    any), and – for a focus area whose label says «foreløbig» – what that means, since a printed card
    travels without the report that explains it."""
    n = card.get("min_count", 5)
    text = (f"Citaterne er pseudonymiserede. Kun personaer med mindst {n} udsagn om fokusområdet citeres, og kun "
            "udsagn, hvis felter rapportens optællinger viser; ingen, der fortæller om eget helbred eller lignende."
            if quoted else f"Kun personaer med mindst {n} udsagn om fokusområdet citeres, og kun udsagn, hvis felter "
            "rapportens optællinger viser.")
    if any(not q.get("source_kind_label") for q in card.get("quotes") or []):
        text += (" Står der ingen kilde efter en persona, er kilden udeladt: personaen har færre end "
                 f"{n} udsagn fra den slags kilde.")
    if quoted and str(card.get("label", "")).endswith(TENTATIVE_SUFFIX):  # it speaks of the quotes chosen
        text += (" «Foreløbig»: de menneskelige kodere var ikke enige nok om, hvilke udsagn der hører til "
                 "fokusområdet, så udvalget af citater står ikke fast.")
    return text


def _layout_card(fig: Figure, card: Mapping[str, Any], size: float, max_words: int | None) -> bool:
    """Draw the card at base font ``size``; True if everything fits inside the page."""
    fig.clear()
    width, height = fig.get_size_inches()
    margin = 0.42
    renderer = fig.canvas.get_renderer()
    text_w_px = (width - 2 * margin) * fig.dpi
    colour = card.get("colour") or OKABE_ITO["blå"]
    band = 0.95
    fig.add_artist(Rectangle((0, 1 - band / height), 1, band / height, transform=fig.transFigure,
                             facecolor=colour, edgecolor="none"))
    ink = _text_on(colour)
    fig.text(margin / width, 1 - 0.2 / height, "DATAETISK DILEMMAKORT" +
             (f" · {card['workshop_label']}" if card.get("workshop_label") else ""), ha="left", va="top",
             fontsize=size - 2, color=ink, fontweight="bold")
    title = fig.text(margin / width, 1 - 0.46 / height, str(card.get("label", "")), ha="left", va="top",
                     fontsize=size + 9, color=ink, fontweight="bold")
    ok = title.get_window_extent(renderer).x1 <= (width - margin) * fig.dpi
    cursor = band + 0.28  # inches from the top

    def block(text: str, fontsize: float, gap_after: float, **kw) -> None:
        nonlocal cursor, ok
        if not text:
            return
        chars = max(20, int((width - 2 * margin) * 72 / (fontsize * 0.5)))
        while True:
            wrapped = "\n".join(textwrap.wrap(text, chars, break_long_words=True)) or text
            t = fig.text(margin / width, 1 - cursor / height, wrapped, ha="left", va="top", fontsize=fontsize,
                         linespacing=1.3, **kw)
            box = t.get_window_extent(renderer)
            if box.width <= text_w_px or chars <= 20:
                break
            t.remove()
            chars = int(chars * 0.93)
        cursor += box.height / fig.dpi + gap_after

    block("Dilemma:", size + 1, 0.04, fontweight="bold", color=colour if ink == "white" else "black")
    block(str(card.get("dilemma") or "–"), size, 0.16)
    block("Spørgsmål:", size + 1, 0.04, fontweight="bold", color=colour if ink == "white" else "black")
    block(str(card.get("question") or "–"), size, 0.14, style="italic")
    line_y = 1 - cursor / height
    fig.add_artist(Line2D([margin / width, 1 - margin / width], [line_y, line_y], transform=fig.transFigure,
                          color="#BBBBBB", linewidth=0.8))
    cursor += 0.14
    block("Det sagde deltagerne", size + 1, 0.08, fontweight="bold")
    quotes = list(card.get("quotes") or [])
    if not quotes:
        block(dilemma_card_no_quotes(card), size - 0.5, 0.1, color=SUBTLE)
    for q in quotes:
        text = " ".join(str(q["text"]).split())
        if max_words is not None and len(text.split()) > max_words:
            text = " ".join(text.split()[:max_words]) + " …"
        block(f"»{text}«", size - 0.5, 0.03)
        source = str(q.get("source_kind_label") or "").lower()  # empty where the persona x source cell is small
        block(f"– {q.get('persona_label', '')}" + (f", {source}" if source else ""), size - 1.5, 0.13,
              color=SUBTLE)
    if quotes and dilemma_card_not_quoted(card):
        block(dilemma_card_not_quoted(card), size - 2, 0.1, color=SUBTLE)
    footer = dilemma_card_footer(card, bool(quotes))
    chars = int((width - 2 * margin) * 72 / ((size - 2.5) * 0.5))
    while True:
        foot = fig.text(margin / width, 0.22 / height, _wrap(footer, chars), ha="left", va="bottom",
                        fontsize=size - 2.5, color=SUBTLE)
        if foot.get_window_extent(renderer).width <= text_w_px or chars <= 20:
            break
        foot.remove()
        chars = int(chars * 0.93)
    foot_top = foot.get_window_extent(renderer).y1 / fig.dpi
    return ok and (height - cursor) >= foot_top + 0.1


def fig_dilemma_card(card: Mapping[str, Any], *, params: Mapping[str, Any] | None = None) -> Figure:
    """A printable A5 card: focus area, "Dilemma:", "Spørgsmål:" and the quotes with persona labels.

    Text is wrapped to the page; if it does not fit, the font shrinks (down to 7 pt) and then long
    quotes are shortened with "…" – nothing is drawn outside the page.
    """
    fp = _fig_params(params)
    with _styled(fp):
        fig = _new_figure(*A5_PORTRAIT, constrained=False)
        fitted = False
        for max_words in (None, 45, 30, 18):
            size = 11.0
            while size >= 7.0:
                if _layout_card(fig, card, size, max_words):
                    fitted = True
                    break
                size -= 0.5
            if fitted:
                break
        if not fitted:  # last resort: fewer quotes
            quotes = list(card.get("quotes") or [])
            while quotes and not fitted:
                quotes.pop()
                fitted = _layout_card(fig, {**card, "quotes": quotes}, 7.0, 18)
        fig._workshopnlp_title = f"Dilemmakort: {card.get('label', '')}"
    return fig


# ---------------------------------------------------------------- saving

def _safe_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("._")
    if not safe:
        raise InputError(f"ugyldigt figurnavn '{name}'", fix="brug bogstaver, tal, _ og -")
    return safe


def save_figure(fig: Figure, out_dir: str | Path, name: str, *, params: Mapping[str, Any] | None = None
                ) -> dict[str, Path]:
    """Write ``<name>.png`` (dpi from ``figures.dpi``) and ``<name>.svg`` into ``out_dir``; close the figure.

    Files are written atomically (temporary file + rename) and are byte-identical for identical figures.
    """
    fp = _fig_params(params)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = _safe_name(name)
    paths = {"png": out_dir / f"{name}.png", "svg": out_dir / f"{name}.svg"}
    metadata = {"png": {"Software": "workshopnlp (matplotlib)"},
                "svg": {"Date": None, "Creator": "workshopnlp (matplotlib)"}}
    try:
        with _styled(fp):
            for fmt, path in paths.items():
                buf = io.BytesIO()
                fig.savefig(buf, format=fmt, dpi=int(fp["dpi"]), metadata=metadata[fmt])
                tmp = path.with_name(f".{path.name}.tmp")
                tmp.write_bytes(buf.getvalue())
                os.replace(tmp, path)
    finally:
        _close(fig)
    return paths


def _close(fig: Figure) -> None:
    if getattr(fig.canvas, "manager", None) is not None:  # made with pyplot: let pyplot forget it
        import matplotlib.pyplot as plt

        plt.close(fig)


# ---------------------------------------------------------------- build everything

def _read_table(path: Path, what: str, fix: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{what} findes ikke", file=path, fix=fix)
    try:
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pyarrow/pandas raise many types for damaged files
        raise InputError(f"{what} kan ikke læses ({exc})", file=path, fix=fix) from exc


def _themes_missing_reason(paths: WorkshopPaths, statements: pd.DataFrame, params: Mapping[str, Any]) -> str:
    note = paths.processed / "themes_skipped.json"
    if note.is_file():
        try:
            reason = json.loads(note.read_text(encoding="utf-8")).get("reason", "")
        except (OSError, json.JSONDecodeError):
            reason = ""
        if reason:
            return f"temaer mangler: {reason}"
    n_usable = len(_usable(statements))
    minimum = int((params.get("themes") or {}).get("min_statements", 30))
    if n_usable < minimum:
        return f"temaer mangler: for få udsagn ({n_usable} brugbare; mindst {minimum} kræves)"
    return f"temaer mangler: temaerne er ikke fundet endnu (kør 'workshopnlp themes --workshop {paths.workshop_id}')"


def build_figures(workshop_id: str, data_dir: str | Path, out_dir: str | Path,
                  params: Mapping[str, Any] | None = None, compare_with: list[str] | None = None,
                  codebook: Codebook | str | Path | None = None) -> dict[str, Any]:
    """Make every figure the workshop's data allows and save them (PNG + SVG) in ``out_dir``.

    ``compare_with``: workshop ids for the comparison figures; ``None`` = every coded workshop in
    ``data_dir`` whose id sorts before this one; ``[]`` = no comparison. ``out_dir`` is replaced as a
    whole when everything succeeded (old figures never linger). Returns (and writes as
    ``figures.json``) ``{"workshop_id", "figures": {name: {"png", "svg", "title"}}, "skipped":
    [{"name", "title", "reason"}], "dilemma_cards": [...]}``; reasons are Danish.
    """
    from .provenance import atomic_directory, provenance_record, sha256_file, write_json

    params = dict(params) if params is not None else load_params()
    fp = _fig_params(params)
    _check_font(str(fp["font"]))
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    cb = codebook if isinstance(codebook, Codebook) else workshop_codebook(data_dir, workshop_id, codebook)
    paths = WorkshopPaths(data_dir, workshop_id)
    statements = _read_table(paths.statements, "udsagnstabellen",
                             f"kør først: workshopnlp ingest --workshop {workshop_id}")
    codes = _read_table(paths.codes, "kodetabellen", f"kør først: workshopnlp code --workshop {workshop_id}")
    inputs = {"statements.parquet": sha256_file(paths.statements), "codes.parquet": sha256_file(paths.codes),
              "codebook": cb.sha256}
    agreement_path = paths.processed / "agreement.csv"
    agreement = None
    if agreement_path.is_file():
        agreement = _read_table(agreement_path, "enighedstabellen", f"kør kodningen igen for {workshop_id}")
        inputs["agreement.csv"] = sha256_file(agreement_path)
        # Codes people do not agree on carry "(foreløbig)" in every label of every figure.
        from .agreement import tentative_codes
        from .codebook import with_tentative_labels

        cb = with_tentative_labels(cb, tentative_codes(agreement))
    themes = theme_codes = None
    themes_reason = ""
    if (paths.themes_dir / "themes.csv").is_file() and (paths.themes_dir / "theme_codes.csv").is_file():
        fix = f"kør temaerne igen: workshopnlp themes --workshop {workshop_id}"
        themes = _read_table(paths.themes_dir / "themes.csv", "tematabellen", fix)
        from .codebook import themes_with_tentative_names

        themes = themes_with_tentative_names(themes, cb)  # «Ansvarlighed (foreløbig): …», as every label says
        theme_codes = _read_table(paths.themes_dir / "theme_codes.csv", "tema-kode-tabellen", fix)
        inputs["themes/themes.csv"] = sha256_file(paths.themes_dir / "themes.csv")
        inputs["themes/theme_codes.csv"] = sha256_file(paths.themes_dir / "theme_codes.csv")
    else:
        themes_reason = _themes_missing_reason(paths, statements, params)

    if compare_with is None:
        from .coding import known_workshops

        compare_with = [w for w in known_workshops(data_dir) if w < workshop_id
                        and WorkshopPaths(data_dir, w).codes.is_file()]
    frames: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    compare_reason = "ingen tidligere workshop at sammenligne med" if not compare_with else ""
    for other in compare_with:
        op = WorkshopPaths(data_dir, other)
        if not (op.statements.is_file() and op.codes.is_file()):
            compare_reason = f"workshoppen '{other}' er ikke kodet (kør workshopnlp code --workshop {other})"
            frames = {}
            break
        frames[other] = (_read_table(op.statements, "udsagnstabellen", f"kør ingest for {other}"),
                         _read_table(op.codes, "kodetabellen", f"kør code for {other}"))
        inputs[f"{other}/codes.parquet"] = sha256_file(op.codes)
    if frames:
        frames[workshop_id] = (statements, codes)

    label = workshop_label(workshop_id)
    n_usable = len(_coded(statements, codes))
    kinds = set(_coded(statements, codes)["source_kind"]) if n_usable else set()
    personas = set(_coded(statements, codes)["persona"]) - {UNKNOWN_PERSONA} if n_usable else set()
    assignments_path = paths.themes_dir / "assignments.parquet"
    assignments = pd.read_parquet(assignments_path) if themes is not None and assignments_path.is_file() else None
    cards = workshop_dilemma_cards(statements, codes, cb, params, themes, assignments)
    for card in cards:
        card["workshop_label"] = label
    dims = ("focus_area", "principle")
    plural = {d: _title_dim(cb, d) for d in dims}
    fname = {"focus_area": "fokusomraader", "principle": "principper"}
    no_codes = "ingen kodede udsagn (kun tomme svar eller dubletter)"

    # (name, title, skip reason or "", maker)
    plan: list[tuple[str, str, str, Any]] = []
    for d in dims:
        plan.append((f"{fname[d]}_persona", f"{plural[d]} fordelt på persona",
                     no_codes if not n_usable else ("ingen udsagn med kendt persona" if not personas else ""),
                     lambda d=d: fig_codes_by_persona(statements, codes, cb, d, params=params)))
    plan.append(("principper_fokusomraader", "Dataetiske principper fordelt på fokusområder",
                 no_codes if not n_usable else "",
                 lambda: fig_principle_by_focus(codes, cb, statements=statements, params=params)))
    for d in dims:
        plan.append((f"{fname[d]}_kilde", f"{plural[d]} fordelt på kilde",
                     no_codes if not n_usable else ("kun én slags kilde" if len(kinds) < 2 else ""),
                     lambda d=d: fig_codes_by_source_kind(statements, codes, cb, d, params=params)))
    plan.append(("temaer_oversigt", "Temaer i workshoppen", themes_reason,
                 lambda: fig_theme_overview(themes, title=f"Temaer i workshoppen {workshop_label(workshop_id, True)}",
                                            params=params)))
    for d in dims:
        plan.append((f"temaer_{fname[d]}", f"Temaer og {plural[d].lower()}", themes_reason,
                     lambda d=d: fig_themes_codebook(themes, theme_codes, cb, d, params=params)))
    plan.append(("temaer_kilde", "Temaer fordelt på kilde",
                 themes_reason or ("kun én slags kilde" if len(kinds) < 2 else ""),
                 lambda: fig_themes_by_source_kind(themes, params=params)))
    plan.append(("temaer_persona", "Temaer fordelt på persona", themes_reason,
                 lambda: fig_themes_by_persona(themes, params=params)))
    from .compare import with_tentative_names

    comparisons = sorted(paths.themes_dir.glob("comparison_*.csv")) if paths.themes_dir.is_dir() else []
    comparison_reason = themes_reason or ("" if comparisons else "ingen tidligere workshop med temaer")
    if comparisons:
        earlier_id = comparisons[-1].stem[len("comparison_"):]
        inputs[f"themes/{comparisons[-1].name}"] = sha256_file(comparisons[-1])
        earlier_agreement = WorkshopPaths(data_dir, earlier_id).processed / "agreement.csv"
        if earlier_agreement.is_file():  # it marks the earlier workshop's theme names «(foreløbig)»
            inputs[f"{earlier_id}/agreement.csv"] = sha256_file(earlier_agreement)
    plan.append(("temaer_workshops", "Temaer før og nu", comparison_reason,
                 lambda: fig_theme_changes(with_tentative_names(pd.read_csv(comparisons[-1], keep_default_na=False),
                                                                data_dir, earlier_id, workshop_id),
                                           workshop_label(earlier_id), workshop_label(workshop_id), params=params)))
    agreement_reason = "" if agreement is not None and len(agreement) else \
        "ingen udsagn er kodet af mindst to kodere endnu"
    plan.append(("enighed", "Enighed mellem kodere og maskine", agreement_reason,
                 lambda: fig_agreement(agreement, cb, params=params)))
    for d in dims:
        plan.append((f"{fname[d]}_workshops", f"{plural[d]} fordelt på workshop", compare_reason,
                     lambda d=d: fig_codes_by_workshop(frames, cb, d, params=params)))
    for card in cards:
        plan.append((f"dilemmakort_{card['focus_area']}", f"Dilemmakort: {card['label']}", "",
                     lambda card=card: fig_dilemma_card(card, params=params)))

    made: dict[str, dict[str, Any]] = {}
    skipped: list[dict[str, str]] = []
    with atomic_directory(out_dir) as tmp:
        for name, title, reason, maker in plan:
            if reason:
                skipped.append({"name": name, "title": title, "reason": reason})
                continue
            try:
                fig = maker()
            except TooFewStatementsError as exc:
                skipped.append({"name": name, "title": title, "reason": exc.message})
                continue
            title = getattr(fig, "_workshopnlp_title", title)
            files = save_figure(fig, tmp, name, params=params)
            made[name] = {"png": out_dir / files["png"].name, "svg": out_dir / files["svg"].name, "title": title}
        manifest = {"workshop_id": workshop_id, "workshop_label": label, "figures": made, "skipped": skipped,
                    "dilemma_cards": cards}
        write_json(tmp / "figures.json", {**manifest, "figures": {
            n: {"png": Path(f["png"]).name, "svg": Path(f["svg"]).name, "title": f["title"]} for n, f in made.items()}})
        write_json(tmp / "figures.provenance.json", provenance_record(
            "figures", inputs, {"figures": fp}, {"workshop_id": workshop_id, "compare_with": sorted(frames)}))
    return manifest
