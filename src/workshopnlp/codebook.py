"""The codebook as data: focus areas and principles from the seed, with examples, validated on load.

The default codebook is ``codebooks/dataetik_2022.yaml`` inside the package; a researcher may point to
another file (``--codebook PATH``) without touching code. Code ids are fixed because reports, coding
sheets and other tools key on them (see ``REQUIRED_CODES``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .personas import PERSONA_LABELS_DA, PERSONAS, UNKNOWN_PERSONA

DEFAULT_CODEBOOK = "codebooks/dataetik_2022.yaml"
NO_CODE = "ingen"
DIMENSIONS = ("focus_area", "principle")
REQUIRED_CODES = {
    "focus_area": ("formaal", "tillid", "teknologisk_forstaaelse", NO_CODE),
    "principle": ("mennesket_i_centrum", "individuel_datakontrol", "gennemskuelighed", "ansvarlighed",
                  "ligevaerdighed", "baeredygtighed", NO_CODE),
}
TOP_KEYS = {"codebook_id", "version", "title", "source", "notes", "dimensions"}
DIMENSION_KEYS = {"id", "label", "codes"}
CODE_KEYS = {"id", "label", "definition", "dilemma", "question", "include", "exclude", "keywords", "examples",
             "counter_examples"}
EXAMPLE_KEYS = {"text", "persona", "register"}
# The registers an example can be written in: a written survey answer, group notes, formal minutes, speech.
EXAMPLE_REGISTERS = ("survey", "noter", "referat", "mundtlig")
#: How an example's register is named where a reader or coder sees the example.
EXAMPLE_REGISTER_LABELS_DA = {"survey": "skriftligt svar", "noter": "noter", "referat": "referat",
                              "mundtlig": "sagt på workshoppen"}
COUNTER_KEYS = {"text", "belongs_to", "note"}
MIN_EXAMPLES = 5  # a code with fewer examples cannot be learnt; the shipped codebook has >= 25 each


@dataclass(frozen=True)
class Example:
    text: str
    code: str          # the code the example belongs to (for counter-examples: belongs_to)
    persona: str = UNKNOWN_PERSONA
    register: str = ""
    counter_of: str = ""  # for counter-examples: the code whose words it uses
    note: str = ""        # for counter-examples: why it belongs elsewhere (the codebook's «note:»)


@dataclass(frozen=True)
class Code:
    id: str
    label: str
    definition: str
    dilemma: str = ""
    question: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    counter_examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    codes: tuple[Code, ...]

    @property
    def code_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.codes)

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.codes}

    def training_examples(self) -> list[Example]:
        """Examples of every code plus counter-examples under the code they belong to."""
        out = [e for c in self.codes for e in c.examples]
        out += [e for c in self.codes for e in c.counter_examples]
        return out


@dataclass(frozen=True)
class Codebook:
    codebook_id: str
    version: str
    title: str
    source: str
    dimensions: tuple[Dimension, ...]
    sha256: str = ""
    path: str = ""
    notes: tuple[str, ...] = ()  # the codebook's general rules for coders, one per item
    source_text: str = field(default="", repr=False, compare=False)  # the file as loaded (UTF-8)

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)


#: An include or exclude note points at another code by its id: «… → teknologisk_forstaaelse», «→ ansvarlighed
#: hhv. ligevaerdighed».
_POINTS_AT_CODES = re.compile(r"→\s*[a-z_]+(?:\s+(?:hhv\.|og|eller)\s+[a-z_]+)*")


def code_ids_as_labels(text: str, codebook: Codebook, dimension: str) -> str:
    """``text`` with the code ids its arrows point at («→ teknologisk_forstaaelse») written as the codes' labels
    («→ «Teknologisk forståelse»»), a code of ``dimension`` before one of the other dimension («ingen» is
    «Intet fokusområde» on one and «Intet princip» on the other). Words that are no code id stay as written."""
    labels = {c.id: c.label for d in codebook.dimensions if d.id != dimension for c in d.codes}
    labels.update(codebook.dimension(dimension).labels())

    def arrow(m: re.Match) -> str:
        return re.sub(r"[a-z_]+", lambda w: f"«{labels[w.group(0)]}»" if w.group(0) in labels else w.group(0),
                      m.group(0))

    return _POINTS_AT_CODES.sub(arrow, text)


def example_origin_da(example: Example) -> str:
    """Who an example is written as and in which register, as a reader or coder sees it («Rådgiver, noter»);
    "" when the codebook names neither."""
    who = [PERSONA_LABELS_DA[example.persona]] if example.persona != UNKNOWN_PERSONA else []
    who += [EXAMPLE_REGISTER_LABELS_DA[example.register]] if example.register in EXAMPLE_REGISTER_LABELS_DA else []
    return ", ".join(who)


def examples_across_personas(code: Code, n: int) -> list[Example]:
    """Up to ``n`` of a code's examples: the first of each persona (in the personas' order), then the next in
    the codebook's order – so a reader sees how citizens and staff put it, not four advisers."""
    first = [next(e for e in code.examples if e.persona == p) for p in PERSONAS
             if any(e.persona == p for e in code.examples)]
    rest = [e for e in code.examples if e not in first]
    return (first + rest)[:n]


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key written twice in one mapping is an error: the safe loader
    keeps the last one silently, so a second ``examples:`` under a code would drop the first block."""


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A key written twice in one YAML mapping (raised by :class:`StrictLoader`)."""


def _no_duplicate_keys(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DuplicateKeyError(
                None, None, f"nøglen '{key}' står to gange i samme afsnit (første gang i linje {seen[key]})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)
#: The strict loader for every YAML file a researcher writes (codebook, workshop.yaml).
StrictLoader = _StrictLoader

YAML_FIX = ("ret linjen – typiske fejl er et manglende anførselstegn, et kolon i en tekst uden anførselstegn, "
            "tabulator i stedet for mellemrum eller forkert indrykning")


def yaml_error_location(exc: yaml.YAMLError) -> tuple[str, str | None]:
    """``(problem, where)`` of a YAML error: PyYAML's words for it and, in Danish, the line and column a
    researcher can go to (and the line the error may begin on, when that is another)."""
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    where = f"linje {mark.line + 1}, kolonne {mark.column + 1}" if mark is not None else None
    start = getattr(exc, "context_mark", None)
    if where and start is not None and start.line != mark.line:
        where += f"; fejlen kan begynde allerede i linje {start.line + 1}"
    return problem, where


# PyYAML's commonest problems in Danish, by the start of its own (English) words; they follow as detail.
YAML_PROBLEMS_DA = {
    "expected <block end>": "indrykningen passer ikke: en linje står længere inde eller ude end linjerne omkring "
                            "den, eller en liste ('- …') og nøgler ('nøgle: …') er blandet på samme niveau",
    "mapping values are not allowed here": "et kolon står midt i en tekst uden anførselstegn",
    "found unexpected end of stream": "et anførselstegn lukkes aldrig",
    "found character '\\t'": "linjen indeholder et tabulatortegn",
    "could not find expected ':'": "en linje mangler sit kolon ('nøgle: værdi')",
    "expected ',' or ']'": "en liste i [ ] lukkes ikke",
    "expected ',' or '}'": "en ordbog i { } lukkes ikke",
    "found a tab character": "linjen indeholder et tabulatortegn",
}


def yaml_problem_da(problem: str) -> str:
    """A YAML problem as a Danish reader knows it, with PyYAML's words as detail: «et anførselstegn lukkes
    aldrig (PyYAML: found unexpected end of stream)»; PyYAML's words alone for a problem not listed."""
    said = next((da for en, da in YAML_PROBLEMS_DA.items() if problem.startswith(en)), None)
    return f"{said} (PyYAML: {problem})" if said else f"PyYAML: {problem}"


def _yaml_error(exc: yaml.YAMLError, shown: str) -> InputError:
    """A YAML error as a Danish message with the line and column a researcher can go to."""
    problem, where = yaml_error_location(exc)
    return InputError(f"kodebogen er ikke gyldig YAML: {yaml_problem_da(problem)}", file=shown, location=where,
                      fix=YAML_FIX)


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate a codebook (the packaged default when ``path`` is None)."""
    if path is None:
        ref = resources.files("workshopnlp").joinpath(DEFAULT_CODEBOOK)
        raw, shown = ref.read_bytes(), f"workshopnlp/{DEFAULT_CODEBOOK}"
    else:
        p = Path(path)
        if p.is_dir():
            raise InputError("kodebogen er en mappe, ikke en fil", file=p,
                             fix="angiv stien til selve YAML-filen med --codebook")
        if not p.is_file():
            raise InputError("kodebogen findes ikke", file=p, fix="angiv stien til en YAML-kodebog med --codebook")
        raw, shown = p.read_bytes(), str(p)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError("kodebogen er ikke gemt som UTF-8", file=shown, location=f"linje {line}",
                         fix="gem filen igen med tegnsættet UTF-8 (i Notesblok: Gem som … > Kodning: UTF-8)")
    loader = _StrictLoader(text)  # a SafeLoader subclass
    try:
        # The composed nodes keep each item's line, which structural errors name (:class:`_Lines`).
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, shown)
    finally:
        loader.dispose()
    return replace(parse_codebook(data, shown, hashlib.sha256(text.encode("utf-8")).hexdigest(), root),
                   source_text=text)


# The code step keeps a copy of the codebook it coded with beside the codes; themes, figures, reports and
# coding sheets of that workshop read it, so labels and provenance always match the codes.
USED_CODEBOOK_NAME = "codebook.yaml"


def workshop_codebook(data_dir: str | Path, workshop_id: str, path: str | Path | None = None) -> Codebook:
    """The codebook for ``workshop_id``'s later stages: ``path`` if given, else the one its codes were made
    with (``processed/<workshop>/codebook.yaml``, written by ``code``), else the packaged default."""
    if path is not None:
        return load_codebook(path)
    used = Path(data_dir) / "processed" / workshop_id / USED_CODEBOOK_NAME
    return load_codebook(used if used.is_file() else None)


class _Lines:
    """Line numbers of a codebook's items, from the YAML node tree the loader composed: a structural error
    names the line a researcher can go to in an editor, beside the path (``focus_area.tillid``), which says
    which code it is. ``keys`` is the path from the top: mapping keys and 0-based list indices. Without a
    node tree (a codebook given as data), or for an item the file does not have, no line is named."""

    def __init__(self, root: yaml.Node | None = None):
        self.root = root

    def node(self, keys: tuple = (), key: str | None = None) -> yaml.Node | None:
        """The node at ``keys`` – or, given ``key``, the node of that key of the mapping at ``keys``."""
        node = self.root
        for k in keys:
            if isinstance(node, yaml.MappingNode):
                node = next((vn for kn, vn in self._pairs(node, k)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(k, int) and 0 <= k < len(node.value):
                node = node.value[k]
            else:
                return None
        if key is None:
            return node
        return next((kn for kn, _ in self._pairs(node, key)), None) if isinstance(node, yaml.MappingNode) else None

    @staticmethod
    def _pairs(node: yaml.MappingNode, key) -> list[tuple[yaml.Node, yaml.Node]]:
        """The (key, value) nodes of ``key`` in a mapping (one: a key written twice is refused on loading)."""
        return [(kn, vn) for kn, vn in node.value if isinstance(kn, yaml.ScalarNode) and kn.value == str(key)]

    def line(self, keys: tuple = (), key: str | None = None) -> int | None:
        """The 1-based line where the item at ``keys`` (or its ``key``) begins."""
        node = self.node(keys, key)
        return node.start_mark.line + 1 if node is not None else None

    def where(self, path: str, keys: tuple = (), key: str | None = None) -> str:
        """``path``, and the item's line when the file has it: «focus_area.tillid, linje 123»."""
        line = self.line(keys, key) if keys or key is not None else None
        return f"{path}, linje {line}" if line is not None else path


_NO_LINES = _Lines()


def _err(msg: str, shown: str, where: str, fix: str) -> InputError:
    return InputError(msg, file=shown, location=where, fix=fix)


def _unknown(raw: Any, allowed: set[str], shown: str, where: str, lines: _Lines = _NO_LINES,
             keys: tuple = ()) -> None:
    """Refuse anything but a mapping with keys from ``allowed``; an unknown key is named with its own line."""
    if not isinstance(raw, dict):
        names = ", ".join(sorted(allowed))
        raise _err(f"her skal stå nøgler ({names}), men der står {_kind_da(raw)}", shown, lines.where(where, keys),
                   "skriv punktet som nøgler med kolon, fx 'text: …', som i den medfølgende kodebog")
    unknown = sorted(set(raw) - allowed, key=str)
    if unknown:
        raise _err(f"ukendte nøgler: {', '.join(map(str, unknown))}", shown, lines.where(where, keys, unknown[0]),
                   f"tilladte nøgler er {', '.join(sorted(allowed))}")


def _kind_da(value: Any) -> str:
    if isinstance(value, str):
        return f"teksten «{value[:40]}»"
    if isinstance(value, (list, tuple)):
        return "en liste"
    if isinstance(value, dict):
        return "en ordbog (nøgler med kolon)"
    return f"værdien {value!r}"


def _list(raw: dict, key: str, shown: str, where: str, lines: _Lines = _NO_LINES, keys: tuple = ()) -> list:
    """``raw[key]`` as a list (empty if absent); anything but a YAML list is an error, because a text
    would be read letter by letter."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _err(f"'{key}' skal være en liste, men er {_kind_da(value)}", shown, lines.where(where, keys, key),
                   f"skriv hvert punkt under '{key}:' på sin egen linje, der begynder med '- '")
    return value


def _texts(raw: dict, key: str, shown: str, where: str, lines: _Lines = _NO_LINES,
           keys: tuple = ()) -> tuple[str, ...]:
    items = _list(raw, key, shown, where, lines, keys)
    for i, item in enumerate(items, start=1):
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise _err(f"punkt {i} under '{key}' skal være en tekst, men er {_kind_da(item)}", shown,
                       lines.where(where, (*keys, key, i - 1)), f"skriv punktet under '{key}:' som '- tekst'")
    return tuple(str(item) for item in items)


def parse_codebook(data: Any, shown: str = "<kodebog>", sha256: str = "", root: yaml.Node | None = None) -> Codebook:
    """Validate a codebook read from YAML (``data``) and build it. Every error names the place by its path
    (``focus_area.tillid.examples[3]``) and, given ``root`` (the composed YAML nodes of the file, as
    :func:`load_codebook` passes them), by its line in the file."""
    lines = _Lines(root)
    if not isinstance(data, dict):
        raise _err("kodebogen skal være en YAML-ordbog", shown, "top", "se den medfølgende kodebog som skabelon")
    _unknown(data, TOP_KEYS, shown, "top", lines)
    for key in ("codebook_id", "version", "dimensions"):
        if key not in data:
            raise _err(f"nøglen '{key}' mangler", shown, "top", f"tilføj '{key}:'")
    dims = []
    seen_dims = set()
    for d_i, raw_dim in enumerate(_list(data, "dimensions", shown, "top", lines), start=1):
        dkeys = ("dimensions", d_i - 1)
        where = lines.where(f"dimensions[{d_i}]", dkeys)
        if not isinstance(raw_dim, dict):
            raise _err("en dimension skal være en ordbog", shown, where, "se skabelonen")
        _unknown(raw_dim, DIMENSION_KEYS, shown, f"dimensions[{d_i}]", lines, dkeys)
        dim_id = raw_dim.get("id")
        if dim_id not in REQUIRED_CODES:
            raise _err(f"ukendt dimension '{dim_id}'", shown, where, f"brug {' og '.join(REQUIRED_CODES)}")
        if dim_id in seen_dims:
            raise _err(f"dimensionen '{dim_id}' står der to gange", shown, where, "slet den ene")
        seen_dims.add(dim_id)
        codes = []
        seen: dict[str, tuple] = {}  # code id -> its path in the file
        for c_i, raw in enumerate(_list(raw_dim, "codes", shown, f"{dim_id}", lines, dkeys), start=1):
            ckeys = (*dkeys, "codes", c_i - 1)
            cwhere = lines.where(f"{dim_id}.codes[{c_i}]", ckeys)
            if not isinstance(raw, dict):
                raise _err("en kode skal være en ordbog", shown, cwhere, "se skabelonen")
            code_id = raw.get("id")
            if code_id is None or not str(code_id).strip():
                label = str(raw.get("label") or "").strip()
                raise _err("koden mangler 'id'" + (f" (koden med label '{label}')" if label else ""), shown, cwhere,
                           f"tilføj 'id:' med et af dimensionens faste kode-id'er: {', '.join(REQUIRED_CODES[dim_id])}")
            path = f"{dim_id}.{code_id}"
            cwhere = lines.where(path, ckeys)
            _unknown(raw, CODE_KEYS, shown, path, lines, ckeys)
            if code_id not in REQUIRED_CODES[dim_id]:
                raise _err(f"ukendt kode-id '{code_id}'", shown, lines.where(path, ckeys, "id"),
                           f"kode-id'erne er faste: {', '.join(REQUIRED_CODES[dim_id])}")
            if code_id in seen:
                first = lines.line(seen[code_id])
                raise _err(f"kode-id '{code_id}' står der to gange" + (f" (første gang i linje {first})"
                                                                       if first else ""),
                           shown, cwhere, "slet eller flet den ene")
            seen[code_id] = ckeys
            for key in ("label", "definition"):
                if not str(raw.get(key) or "").strip():
                    raise _err(f"koden mangler '{key}'", shown, cwhere, f"tilføj '{key}:' til koden")
            examples = []
            for e_i, ex in enumerate(_list(raw, "examples", shown, path, lines, ckeys), start=1):
                ex = {"text": ex} if isinstance(ex, str) else ex
                ekeys = (*ckeys, "examples", e_i - 1)
                ewhere = lines.where(f"{path}.examples[{e_i}]", ekeys)
                _unknown(ex, EXAMPLE_KEYS, shown, f"{path}.examples[{e_i}]", lines, ekeys)
                if not str(ex.get("text") or "").strip():
                    raise _err("eksemplet har ingen tekst", shown, ewhere, "tilføj 'text:'")
                if ex.get("persona") is not None and ex["persona"] not in PERSONAS:
                    raise _err(f"ukendt persona '{ex['persona']}'", shown, ewhere,
                               f"persona skal være en af {', '.join(PERSONAS)}")
                if ex.get("register") is not None and ex["register"] not in EXAMPLE_REGISTERS:
                    raise _err(f"ukendt register '{ex['register']}'", shown, ewhere,
                               f"register skal være en af {', '.join(EXAMPLE_REGISTERS)}")
                examples.append(Example(text=str(ex["text"]).strip(), code=code_id,
                                        persona=str(ex.get("persona") or UNKNOWN_PERSONA),
                                        register=str(ex.get("register") or "")))
            if len(examples) < MIN_EXAMPLES:
                raise _err(f"koden har {len(examples)} eksempler; mindst {MIN_EXAMPLES} er nødvendige for at "
                           "lære den", shown, cwhere, "tilføj eksempler under 'examples:'")
            counters = []
            for e_i, ex in enumerate(_list(raw, "counter_examples", shown, path, lines, ckeys), start=1):
                ekeys = (*ckeys, "counter_examples", e_i - 1)
                ewhere = lines.where(f"{path}.counter_examples[{e_i}]", ekeys)
                _unknown(ex, COUNTER_KEYS, shown, f"{path}.counter_examples[{e_i}]", lines, ekeys)
                if not str(ex.get("text") or "").strip():
                    raise _err("modeksemplet har ingen tekst", shown, ewhere, "tilføj 'text:'")
                target = ex.get("belongs_to")
                if target not in REQUIRED_CODES[dim_id]:
                    raise _err(f"modeksemplet peger på en ukendt kode '{target}'", shown,
                               lines.where(f"{path}.counter_examples[{e_i}]", ekeys, "belongs_to"),
                               f"belongs_to skal være en af {', '.join(REQUIRED_CODES[dim_id])}")
                counters.append(Example(text=str(ex["text"]).strip(), code=target, counter_of=code_id,
                                        note=" ".join(str(ex.get("note") or "").split())))
            codes.append(Code(
                id=code_id, label=str(raw["label"]).strip(), definition=" ".join(str(raw["definition"]).split()),
                dilemma=str(raw.get("dilemma") or "").strip(), question=str(raw.get("question") or "").strip(),
                include=_texts(raw, "include", shown, path, lines, ckeys),
                exclude=_texts(raw, "exclude", shown, path, lines, ckeys),
                keywords=tuple(k.lower() for k in _texts(raw, "keywords", shown, path, lines, ckeys)),
                examples=tuple(examples), counter_examples=tuple(counters)))
        _unique_labels(codes, shown, dim_id, {c: lines.where(f"{dim_id}.{c}", k, "label") for c, k in seen.items()})
        missing = [c for c in REQUIRED_CODES[dim_id] if c not in seen]
        if missing:
            raise _err(f"koderne mangler: {', '.join(missing)}", shown, lines.where(dim_id, dkeys),
                       "alle faste kode-id'er skal være med, også 'ingen'")
        dims.append(Dimension(id=dim_id, label=str(raw_dim.get("label") or dim_id), codes=tuple(codes)))
    missing_dims = [d for d in REQUIRED_CODES if d not in seen_dims]
    if missing_dims:
        raise _err(f"dimensionen mangler: {', '.join(missing_dims)}", shown, lines.where("dimensions", ("dimensions",)),
                   "kodebogen skal have både focus_area og principle")
    notes = data.get("notes") or ""
    return Codebook(codebook_id=str(data["codebook_id"]), version=str(data["version"]),
                    title=str(data.get("title") or ""), source=str(data.get("source") or ""),
                    dimensions=tuple(dims), sha256=sha256, path=shown,
                    notes=tuple(str(n) for n in notes) if isinstance(notes, list) else
                    ((str(notes),) if notes else ()))


def _unique_labels(codes: list[Code], shown: str, dim_id: str, where: dict[str, str] | None = None) -> None:
    """Two codes of a dimension with the same label (or one's label equal to another's id) cannot be told
    apart in reports, and a coding sheet filled in with labels would give the wrong code. ``where``: each code's
    place to name (with its label's line), by code id."""
    owner: dict[str, str] = {c.id: c.id for c in codes}
    for c in codes:
        key = c.label.strip().casefold()
        other = owner.get(key)
        if other is not None and other != c.id:
            raise _err(f"koderne '{other}' og '{c.id}' har samme navn «{c.label}»", shown,
                       (where or {}).get(c.id, f"{dim_id}.{c.id}"), "giv hver kode sit eget 'label:'")
        owner[key] = c.id


TENTATIVE_SUFFIX = " (foreløbig)"


def with_tentative_labels(codebook: Codebook, tentative: set[tuple[str, str]]) -> Codebook:
    """A copy whose labels of the ``(dimension, code)`` pairs in ``tentative`` end in "(foreløbig)",
    so every figure and table that shows a code's label also shows that its coding is tentative."""
    dims = tuple(replace(d, codes=tuple(replace(c, label=c.label + TENTATIVE_SUFFIX)
                                        if (d.id, c.id) in tentative and not c.label.endswith(TENTATIVE_SUFFIX)
                                        else c for c in d.codes)) for d in codebook.dimensions)
    return replace(codebook, dimensions=dims)


def tentative_theme_name(name: str, label: str, code: object, codebook: Codebook) -> tuple[str, str]:
    """A theme's ``name`` and the ``label`` of the code it carries («Ansvarlighed: analyse, …», «Ansvarlighed»),
    with «(foreløbig)» after the code's label where ``codebook`` (:func:`with_tentative_labels`) marks ``code``
    tentative: a name claims a code as surely as a figure's label does, so it says so too.

    >>> cb = with_tentative_labels(load_codebook(), {("principle", "ansvarlighed")})
    >>> tentative_theme_name("Ansvarlighed: analyse, leverandør", "Ansvarlighed", "ansvarlighed", cb)
    ('Ansvarlighed (foreløbig): analyse, leverandør', 'Ansvarlighed (foreløbig)')
    >>> tentative_theme_name("Formål: formål, gevinst", "Formål", "formaal", cb)
    ('Formål: formål, gevinst', 'Formål')
    """
    if not isinstance(code, str) or code == NO_CODE:
        return name, label
    marked = [c.label for d in codebook.dimensions for c in d.codes if c.id == code]
    if not marked or not marked[0].endswith(TENTATIVE_SUFFIX):
        return name, label
    plain = marked[0][:-len(TENTATIVE_SUFFIX)]
    if isinstance(name, str) and name.startswith(plain + ":"):
        name = marked[0] + name[len(plain):]
    return name, marked[0] if label == plain else label


def themes_with_tentative_names(themes, codebook: Codebook):
    """A copy of a themes.csv table with :func:`tentative_theme_name` applied to every row's name and code label."""
    if "code" not in themes.columns:  # written by an older version
        return themes
    themes = themes.copy()
    named = [tentative_theme_name(n, lab, c, codebook)
             for n, lab, c in zip(themes["label"], themes["code_label"], themes["code"])]
    themes["label"], themes["code_label"] = [n for n, _ in named], [lab for _, lab in named]
    return themes
