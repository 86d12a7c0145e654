"""The optional ``workshop.yaml`` manifest: validated when given, inferred when not.

A manifest says, per source file, its kind (``plenum``, ``gruppe``, ``survey``, ``hoering``), a default
persona, and for survey and consultation exports which columns hold free text, respondent id, persona,
municipality, a subject (a title per answer, «Emne», given to it as context), and which columns must be dropped
unread (names, e-mails). Whatever it leaves out is inferred from file
type and Danish headers; the complete result is written to ``manifest.inferred.yaml``.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .codebook import YAML_FIX, DuplicateKeyError, StrictLoader, yaml_error_location, yaml_problem_da
from .config import LOCK_FILE_PREFIX, MANIFEST_NAME
from .errors import InputError
from .personas import (PERSONA_LABELS_DA, PERSONAS, SOURCE_KINDS, group_persona, normalise_persona,
                       personas_named)
from .readers import ROW_COLUMN, SUPPORTED_EXTENSIONS, TABLE_EXTENSIONS, decode_text

MANIFEST_KEYS = {"workshop_id", "title", "date", "municipalities", "participants", "sources", "notes"}
SOURCE_KEYS = {"file", "kind", "persona", "sheet", "delimiter", "columns", "municipality"}
COLUMN_ROLES = {"respondent_id", "municipality", "persona", "subject", "text", "drop"}

# Danish header cues for column roles, checked in this order.
# «Mail» and «Navn» are the Danish Microsoft Forms export's columns for the respondent's e-mail and name.
_DROP = re.compile(r"(e-?mail|mailadresse|^mail$|^navn$|fulde navn|fornavn|efternavn|^name$|telefon|tlf|mobil|"
                   r"cpr|personnummer|adresse|ip-?adresse)", re.I)
_RESPONDENT = re.compile(r"(respondent|svar-?id|høringssvar\s*id|besvarelse\s*id|^id$|løbenummer|"
                         r"response\s*id|^nr\.?$)", re.I)
_MUNICIPALITY = re.compile(r"(kommune|municipality)", re.I)
_PERSONA = re.compile(r"(rolle|udtaler sig som|persona|hvem er du|stilling|deltagertype|jeg er)", re.I)
# A consultation portal's «Emne» (what the response is about, as its writer titled it): the answer's context,
# given to it as its section – not a statement of its own, and not a categorical column to pass over.
_SUBJECT = re.compile(r"^\s*(emne|overskrift|vedr(ørende|\.)?|subject)\s*:?\s*$", re.I)
#: A subject column holds titles, not answers: its answers' median length is at most this many characters.
SUBJECT_MAX_CHARS = 80
_META = re.compile(r"(dato|date|tidspunkt|tid$|status|startet|afsluttet|organisation|sprog|kanal)", re.I)
_TEXT_HEADER = re.compile(r"(\?$|resum[eé]|kommentar|bemærkning|svar$|høringssvar$|uddyb|beskriv|fritekst|"
                          r"forslag|hvad|hvorfor|hvordan|hvem)", re.I)
FREE_TEXT_MIN_MEAN_CHARS = 15
CATEGORICAL_MAX_UNIQUE_SHARE = 0.3
PERSONA_COLUMN_MIN_SHARE = 0.5
# A role column of categories ("Udtaler sig som": Leder, Privatperson, Organisation ...): at most this many
# different values, none longer than this – labels, not sentences, however few rows the file has.
ROLE_MAX_CATEGORIES = 10
ROLE_MAX_CHARS = 40


@dataclass
class SourceSpec:
    file: str
    kind: str
    persona: str | None = None
    municipality: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    columns: dict[str, Any] = field(default_factory=dict)
    inferred: list[str] = field(default_factory=list)  # which fields were inferred

    def to_yaml_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "kind": self.kind}
        for key in ("persona", "municipality", "sheet", "delimiter"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.columns:
            out["columns"] = self.columns
        return out


@dataclass
class Manifest:
    workshop_id: str
    title: str = ""
    date: str = ""
    municipalities: list[str] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=list)
    given: bool = False

    def to_yaml_dict(self) -> dict[str, Any]:
        return {
            "workshop_id": self.workshop_id,
            "title": self.title,
            "date": self.date,
            "municipalities": self.municipalities,
            "sources": [s.to_yaml_dict() for s in self.sources],
        }


def _did_you_mean(unknown: list, allowed: set[str]) -> str:
    """«mente du 'municipalities'?» for each unknown key close to an allowed one (a typo), else nothing."""
    guesses = [(str(k), difflib.get_close_matches(str(k), sorted(allowed), n=1, cutoff=0.75)) for k in unknown]
    said = [f"mente du '{close[0]}' i stedet for '{k}'?" for k, close in guesses if close]
    return " ".join(said) + " " if said else ""


def _unknown_key_error(unknown: list, allowed: set[str], path: Path, node: yaml.Node | None) -> InputError:
    """A top-level key the manifest does not know, named with its line and the allowed key it resembles."""
    line = next((kn.start_mark.line + 1 for kn, _ in (node.value if isinstance(node, yaml.MappingNode) else [])
                 if isinstance(kn, yaml.ScalarNode) and kn.value == str(unknown[0])), None)
    return InputError(f"ukendte nøgler: {', '.join(map(str, unknown))}", file=path,
                      location=f"linje {line}" if line else None,
                      fix=_did_you_mean(unknown, allowed) + f"tilladte nøgler er {', '.join(sorted(allowed))}")


def load_manifest(path: Path, workshop_id: str) -> Manifest:
    text = _manifest_text(path)
    loader = StrictLoader(text)  # a key written twice is refused, as in the codebook
    try:
        node = loader.get_single_node()
        data = (loader.construct_document(node) if node is not None else None) or {}
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path, text) from None
    except ValueError as exc:
        # PyYAML reads 2023-15-03 as a date and fails on month 15: name the line, never a traceback.
        line = next((i for i, t in enumerate(text.splitlines(), start=1) if re.match(r"\s*date\s*:", t)), None)
        raise InputError(f"datoen kan ikke læses som år-måned-dag ({exc})", file=path,
                         location=f"linje {line}" if line else "date",
                         fix="skriv fx 'date: 2023-03-15' (år, måned, dag)") from None
    finally:
        loader.dispose()
    if node is None:  # empty or only comments: a failed copy or save, not "infer everything" by intent
        raise InputError("workshop.yaml er tom (eller har kun kommentarer), så dens oplysninger – deltagernes navne, "
                         "kildernes slags og personaer – ville stille mangle", file=path,
                         fix="skriv workshoppens oplysninger i filen (se eksemplet i README.md under "
                             "'workshop.yaml'), eller slet filen, så bliver alt udledt af filerne")
    if not isinstance(data, dict):
        raise InputError("manifestet skal være en YAML-ordbog (nøgle: værdi)", file=path,
                         fix="se eksemplet i README.md under 'workshop.yaml'")
    unknown = sorted(set(data) - MANIFEST_KEYS, key=str)
    if unknown:
        raise _unknown_key_error(unknown, MANIFEST_KEYS, path, node)
    lines = _source_lines(node)
    sources = []
    seen: dict[str, str] = {}  # file -> where it was listed first
    for i, raw in enumerate(data.get("sources") or [], start=1):
        where = f"sources[{i}]" + (f", linje {lines[i - 1]}" if i <= len(lines) else "")
        if not isinstance(raw, dict) or "file" not in raw:
            raise InputError("hver kilde skal have en 'file'", file=path, location=where,
                             fix="skriv fx '- file: plenum.md'")
        if str(raw["file"]) in seen:
            raise InputError(f"filen {raw['file']} står to gange under sources (først i {seen[str(raw['file'])]}; "
                             f"igen i {where})", file=path, location=where,
                             fix="saml filens oplysninger (kind, persona, columns …) i én af de to kilder og slet "
                                 "den anden – ellers ville den sidste stille gælde")
        seen[str(raw["file"])] = where
        unknown = sorted(set(raw) - SOURCE_KEYS, key=str)
        if unknown:
            raise InputError(f"ukendte nøgler i kilden {raw['file']}: {', '.join(map(str, unknown))}", file=path,
                             location=where, fix=_did_you_mean(unknown, SOURCE_KEYS)
                             + f"tilladte nøgler er {', '.join(sorted(SOURCE_KEYS))}")
        kind = raw.get("kind")
        if kind is not None and kind not in SOURCE_KINDS:
            raise InputError(f"ukendt kind '{kind}' for {raw['file']}", file=path, location=where,
                             fix=f"brug en af {', '.join(SOURCE_KINDS)}")
        persona = raw.get("persona")
        if persona is not None:
            persona = _manifest_persona(persona, str(raw["file"]), path, where)
        columns = raw.get("columns") or {}
        unknown = set(columns) - COLUMN_ROLES
        if unknown:
            raise InputError(f"ukendte kolonneroller for {raw['file']}: {', '.join(sorted(unknown))}",
                             file=path, location=where, fix=f"tilladte roller er {', '.join(sorted(COLUMN_ROLES))}")
        if isinstance(columns.get("text"), str):
            columns["text"] = [columns["text"]]
        if isinstance(columns.get("drop"), str):
            columns["drop"] = [columns["drop"]]
        sources.append(SourceSpec(file=str(raw["file"]), kind=kind or "", persona=persona,
                                  municipality=raw.get("municipality"), sheet=raw.get("sheet"),
                                  delimiter=raw.get("delimiter"), columns=dict(columns)))
    participants = data.get("participants")
    if participants is not None and not isinstance(participants, list):
        copied = isinstance(participants, str) and "udeladt her" in participants
        raise InputError("'participants' skal være en liste af navne, ét pr. linje" +
                         (" – linjen er kopieret fra manifest.inferred.yaml, som kun tæller navnene" if copied else ""),
                         file=path, location="participants",
                         fix="slet linjen, eller skriv navnene som en liste: 'participants:' og under den "
                             "'  - Karina Holm' og '  - Jens Hansen'")
    declared_id = data.get("workshop_id")
    if declared_id and str(declared_id) != workshop_id:
        raise InputError(f"workshop_id '{declared_id}' passer ikke med mappenavnet '{workshop_id}'", file=path,
                         fix="ret workshop_id i manifestet eller omdøb mappen")
    return Manifest(workshop_id=workshop_id, title=str(data.get("title") or ""),
                    date=_manifest_date(data.get("date"), workshop_id, path),
                    municipalities=[str(m) for m in data.get("municipalities") or []],
                    participants=[str(p) for p in data.get("participants") or []], sources=sources, given=True)


def folder_date(workshop_id: str) -> str:
    """The date a workshop folder's name starts with («2023-09-20-evaluering» → «2023-09-20»), '' if none:
    what an inferred manifest says, so a copy of it needs no date written in."""
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", workshop_id)
    try:
        return datetime.date.fromisoformat(m.group(1)).isoformat() if m else ""
    except ValueError:
        return ""


def _manifest_date(value: object, workshop_id: str, path: Path) -> str:
    """The manifest's ``date`` as ``YYYY-MM-DD`` ('' if not given). The reports take the date from the folder
    name, so a date written another way («15.03.2023») or another day than the folder's (a workshop.yaml
    copied from the previous workshop) is refused rather than silently ignored."""
    if value is None or value == "":
        return ""
    try:
        if isinstance(value, datetime.date):
            day = value.date() if isinstance(value, datetime.datetime) else value
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            day = datetime.date.fromisoformat(value.strip())
        else:
            raise ValueError(value)
    except ValueError:
        raise InputError(f"datoen '{value}' er ikke skrevet som år-måned-dag", file=path, location="date",
                         fix="skriv fx 'date: 2023-03-15'") from None
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", workshop_id)
    if m and m.group(1) != day.isoformat():
        raise InputError(f"datoen {day.isoformat()} passer ikke med mappenavnets dato {m.group(1)}", file=path,
                         location="date", fix="ret 'date' i workshop.yaml eller omdøb mappen")
    return day.isoformat()


def _manifest_text(path: Path) -> str:
    """The manifest's text, decoded as notes are: UTF-8 (with or without BOM), UTF-16 with BOM or
    Windows-1252 (Notepad's "ANSI" on a Danish Windows)."""
    try:
        return decode_text(path.read_bytes(), path)[0]
    except InputError as exc:
        raise InputError(exc.message, file=path, location=exc.location,
                         fix="åbn workshop.yaml i en teksteditor og gem den igen som UTF-8 "
                             "(i Notesblok: Gem som … > Kodning: UTF-8)") from None


def _yaml_error(exc: yaml.YAMLError, path: Path, text: str) -> InputError:
    """A YAML error in the manifest as a Danish message with the line and column to go to; PyYAML's own
    (English) words follow as detail."""
    problem, where = yaml_error_location(exc)
    mark = getattr(exc, "problem_mark", None)
    if isinstance(exc, DuplicateKeyError):
        return InputError(problem, file=path, location=where,
                          fix="slet eller ret den ene af de to linjer (YAML ville ellers stille bruge den sidste); "
                              "hører de til hver sin fil, mangler der en '- file: …'-linje foran den anden")
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "'\\t'" in problem or "\t" in line:
        return InputError(f"linjen indeholder et tabulatortegn, som YAML ikke tillader her (PyYAML: {problem})",
                          file=path, location=where, fix="brug mellemrum i stedet for tabulator")
    return InputError(f"workshop.yaml er ikke gyldig YAML: {yaml_problem_da(problem)}", file=path, location=where,
                      fix=YAML_FIX)


def _source_lines(node: yaml.Node | None) -> list[int]:
    """The line (1-based) each entry under ``sources`` begins on, for messages; ``[]`` if there are none."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "sources" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def persona_of_label(value: object) -> str | None:
    """The persona id a manifest's ``persona`` names: the id itself (``leder``), its Danish label («Borger i
    ressourceforløb», in any case) or any label :func:`normalise_persona` maps to one persona and one only;
    ``None`` for a label that names none or several («leder og rådgiver»).

    >>> persona_of_label("Borger i ressourceforløb"), persona_of_label("Sikret ledig"), persona_of_label("Leder")
    ('borger_i_ressourceforloeb', 'sikret_ledig', 'leder')
    >>> persona_of_label("chef") is None, persona_of_label("leder eller rådgiver") is None
    (True, True)
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().casefold()
    if text in PERSONAS:
        return text
    by_label = {label.casefold(): persona for persona, label in PERSONA_LABELS_DA.items()}
    if text in by_label:
        return by_label[text]
    if len(personas_named(value)) != 1:
        return None
    persona = normalise_persona(value)
    # A misspelt id is no label: «raadgiverr» has the persona noun in it (normalise_persona reads «rådgiver…» as
    # any word that starts so), but it is neither the noun inflected («rådgiverne») nor another word for a
    # persona («dagpengemodtager»); it is a typo of an id, and reading it as that id could hide another typo.
    if group_persona(value) != persona and persona_id_meant(value) is not None:
        return None
    return persona


def persona_id_meant(value: object) -> str | None:
    """The persona id or Danish label ``value`` is a near miss of («raadgiverr», «sikret_ledg»), or ``None``.

    >>> persona_id_meant("raadgiverr"), persona_id_meant("Borger i ressourceforlob"), persona_id_meant("chef")
    ('raadgiver', 'Borger i ressourceforløb', None)
    """
    names = [*PERSONAS, *PERSONA_LABELS_DA.values()]
    by_folded = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(str(value).strip().casefold(), list(by_folded), n=1, cutoff=0.85)
    return by_folded[close[0]] if close else None


def _manifest_persona(value: object, file: str, path: Path, where: str) -> str:
    persona = persona_of_label(value)
    if persona is not None:
        return persona
    allowed = (f"brug et af id'erne {', '.join(PERSONAS)} eller betegnelserne "
               f"{', '.join(PERSONA_LABELS_DA[p] for p in PERSONAS)}")
    named = [PERSONA_LABELS_DA[p] for p in PERSONAS if p in personas_named(value)]
    if len(named) > 1:
        raise InputError(f"persona '{value}' til filen {file} nævner flere personaer ({', '.join(named)})",
                         file=path, location=where, fix=f"skriv én persona pr. fil: {allowed}")
    meant = persona_id_meant(value)
    if meant is not None and meant.casefold() != str(value).strip().casefold():
        allowed = f"mente du '{meant}'? Ellers {allowed}"
    raise InputError(f"ukendt persona '{value}' til filen {file}", file=path, location=where, fix=allowed)


_CONSULTATION_FILE = re.compile(r"h(ø|oe)ring", re.I)
# a column only a consultation export has ("Høringssvar ID", "Høringsportal"); not any header that mentions
# a consultation, since a survey may ask "Hvad synes du om høringsprocessen?"
_CONSULTATION_COLUMN = re.compile(r"^\s*h(ø|oe)rings(svar|portal|part)\w*(\s*(id|nr\.?|nummer))?\s*$", re.I)


def infer_table_kind(path: Path, frame: pd.DataFrame) -> str:
    """``"hoering"`` for an export of consultation responses (the file name says "høring", or a column is
    named like "Høringssvar ID"), else ``"survey"``.

    >>> infer_table_kind(Path("svar.xlsx"), pd.DataFrame(columns=["Høringssvar ID", "Resume"]))
    'hoering'
    >>> infer_table_kind(Path("spoergeskema.csv"), pd.DataFrame(columns=["Hvad er vigtigst?"]))
    'survey'
    """
    if _CONSULTATION_FILE.search(path.stem) or any(_CONSULTATION_COLUMN.match(str(c)) for c in frame.columns):
        return "hoering"
    return "survey"


def infer_notes_kind(path: Path, first_heading_persona: str | None) -> str:
    name = path.stem.lower()
    if re.search(r"plenum|plenar|opsamling|referat_plen", name):
        return "plenum"
    if re.search(r"gruppe|group|bord|team", name):
        return "gruppe"
    return "gruppe" if first_heading_persona else "plenum"


def infer_column_roles(frame: pd.DataFrame, given: dict[str, Any], path: Path) -> tuple[dict[str, Any], list[str]]:
    """Return column roles for a survey table, keeping what ``given`` says; and the list of inferred roles."""
    columns = [c for c in frame.columns if c != ROW_COLUMN]
    for role in ("respondent_id", "municipality", "persona", "subject"):
        if given.get(role) and given[role] not in columns:
            raise InputError(f"kolonnen '{given[role]}' ({role}) findes ikke", file=path,
                             fix=f"ret workshop.yaml; kolonnerne er: {', '.join(columns)}")
    for role in ("text", "drop"):
        for col in given.get(role) or []:
            if col not in columns:
                raise InputError(f"kolonnen '{col}' ({role}) findes ikke", file=path,
                                 fix=f"ret workshop.yaml; kolonnerne er: {', '.join(columns)}")
    roles: dict[str, Any] = {k: v for k, v in given.items() if v}
    inferred: list[str] = []
    taken = {roles.get("respondent_id"), roles.get("municipality"), roles.get("persona"), roles.get("subject")}
    taken |= set(roles.get("text") or []) | set(roles.get("drop") or [])
    if "drop" not in given:
        drop = [c for c in columns if c not in taken and _is_drop_column(frame[c], c)]
        if drop:
            roles["drop"] = drop
            inferred.append("drop")
            taken |= set(drop)
    for role, pattern in (("respondent_id", _RESPONDENT), ("persona", _PERSONA), ("municipality", _MUNICIPALITY)):
        if role in given:
            continue
        match = next((c for c in columns if c not in taken and pattern.search(c)
                      and (_is_role_column(frame[c]) if role == "persona"
                           else not _looks_like_free_text(frame[c], c))), None)
        if match:
            roles[role] = match
            inferred.append(role)
            taken.add(match)
    if "subject" not in given:
        match = next((c for c in columns if c not in taken and _SUBJECT.search(c) and _is_subject_column(frame[c])),
                     None)
        if match:
            roles["subject"] = match
            inferred.append("subject")
            taken.add(match)
    if "persona" not in given and "persona" not in roles:
        # A role column whose header says nothing of roles («Hvad deltog du som i dag?»): its answers do, as few
        # short labels that nearly all name a persona («Rådgiver/sagsbehandler», «Ledig på dagpenge»).
        match = next((c for c in columns if c not in taken and _names_roles(frame[c])), None)
        if match:
            roles["persona"] = match
            inferred.append("persona")
            taken.add(match)
    if "text" not in given:
        text_cols = [c for c in columns if c not in taken and not _META.search(c)
                     and _looks_like_free_text(frame[c], c) and not _is_multiple_choice(frame[c])]
        if text_cols:
            roles["text"] = text_cols
            inferred.append("text")
    return roles, inferred


#: A header of more words than this, or a question, names a drop column only if its answers are contact data.
DROP_HEADER_MAX_WORDS = 3
_CONTACT_VALUE = re.compile(r"^\s*(\S+@\S+|[+\d][\d\s-]{6,}\d|(?:[A-ZÆØÅ][\w'-]*\.?\s*){1,4})\s*$")


def _is_drop_column(series: pd.Series, name: str) -> bool:
    """True for a column to drop unread (e-mail, name, phone, CPR, address). A short header that says so
    («Mail», «Navn», «Telefon») is enough. A question or a longer header that only mentions such a word
    («Telefonisk kontakt – hvad virker?», «Forslag til e-mail fra jobcentret») is a question people answered
    in sentences: it is dropped only if most of its answers are contact data (an address, a number, a
    capitalised name), as «Hvad er din e-mail?» is. Kept answers are pseudonymised like every text."""
    if not _DROP.search(name):
        return False
    if len(name.split()) <= DROP_HEADER_MAX_WORDS and not name.strip().endswith("?"):
        return True
    values = series.fillna("").astype(str).str.strip()
    values = values[values != ""]
    return values.empty or values.str.match(_CONTACT_VALUE).mean() >= 0.5


def _is_role_column(series: pd.Series) -> bool:
    """True for a column (whose header names a role) that says who answered: most answers name one of the
    four personas, or it holds a few short labels (``ROLE_MAX_CATEGORIES``, ``ROLE_MAX_CHARS``) of which
    more than one answer names a persona. A consultation portal's «Udtaler sig som» (Leder, Borger i
    ressourceforløb, Privatperson, Organisation) is the second kind: its Leder and Borger i ressourceforløb
    are those personas, and the others persona «ukendt»."""
    values = series[series != ""]
    if values.empty or values.str.len().median() > ROLE_MAX_CHARS:
        return False  # answers, not labels: "Som leder mener jeg ..." is a statement to keep, not a role
    names_persona = values.map(normalise_persona).notna()
    if names_persona.mean() >= PERSONA_COLUMN_MIN_SHARE:
        return True
    labels = 2 <= values.nunique() <= ROLE_MAX_CATEGORIES and values.str.len().max() <= ROLE_MAX_CHARS
    # more than one answer names a persona: one short answer that mentions "ledige" is not a role column
    return bool(labels and names_persona.sum() >= 2)


def _is_subject_column(series: pd.Series) -> bool:
    """True for a column of titles (a consultation's «Emne»: «Dashboards og data»): short answers with letters,
    at most ``SUBJECT_MAX_CHARS`` long at the median. A column headed «Emne» that people answered in sentences
    is free text, kept as statements."""
    values = series[series != ""].astype(str)
    if values.empty:
        return False
    return bool(values.str.len().median() <= SUBJECT_MAX_CHARS and values.str.contains(r"[^\W\d_]").all())


#: A role column found by its answers alone: this share of them names a persona.
ROLE_VALUES_MIN_SHARE = 0.8


def _names_roles(series: pd.Series) -> bool:
    """True for a column of at most ``ROLE_MAX_CATEGORIES`` short labels of which at least
    ``ROLE_VALUES_MIN_SHARE`` name a persona: who answered, whatever its header says."""
    values = series[series != ""]
    if len(values) < 2 or values.nunique() > ROLE_MAX_CATEGORIES or values.str.len().max() > ROLE_MAX_CHARS:
        return False
    return values.map(normalise_persona).notna().mean() >= ROLE_VALUES_MIN_SHARE


#: Microsoft Forms writes the options ticked in a multiple-choice question as «Samtykke;Mentorpiloten;».
MULTIPLE_CHOICE_MIN_SHARE = 0.8


def _is_multiple_choice(series: pd.Series) -> bool:
    """True for the answers of a multiple-choice question: options joined by «;» (each answer ending in one,
    as Forms writes them) drawn from a few options that recur. They are choices, not statements: a workshop
    writer's «Hvilke emner vil du arbejde videre med?» gave 19 statements and made duplicates of headings."""
    values = series[series != ""].str.strip()
    if values.empty or values.str.endswith(";").mean() < MULTIPLE_CHOICE_MIN_SHARE:
        return False
    options = [o.strip() for v in values for o in v.split(";") if o.strip()]
    return len(set(options)) <= max(ROLE_MAX_CATEGORIES, len(values) // 2)


def _looks_like_free_text(series: pd.Series, header: str) -> bool:
    values = series[series != ""]
    if values.empty:
        return bool(_TEXT_HEADER.search(header))
    mean_chars = values.str.len().mean()
    unique_share = values.nunique() / len(values)
    letters_share = values.str.count(r"[A-Za-zÆØÅæøåÉé]").sum() / max(values.str.len().sum(), 1)
    if letters_share < 0.5:
        return False
    if mean_chars >= FREE_TEXT_MIN_MEAN_CHARS and unique_share > CATEGORICAL_MAX_UNIQUE_SHARE:
        return True
    return bool(_TEXT_HEADER.search(header)) and unique_share > CATEGORICAL_MAX_UNIQUE_SHARE


# Files an operating system leaves in a folder it has shown (Windows' thumbnails and folder settings,
# macOS's folder icon): never input. Names starting with "." (macOS's .DS_Store and AppleDouble "._<name>",
# LibreOffice's lock ".~lock.<name>#") and Office lock files (LOCK_FILE_PREFIX) are passed over too.
SYSTEM_FILE_NAMES = ("thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini", "icon\r")


def is_system_file(name: str) -> bool:
    """True for a file the system or an office program put in the folder, not the user.

    >>> [is_system_file(n) for n in ("Thumbs.db", "desktop.ini", "._svar.csv", ".~lock.svar.xlsx#", "svar.csv")]
    [True, True, True, True, False]
    """
    return name.startswith((".", LOCK_FILE_PREFIX)) or name.lower() in SYSTEM_FILE_NAMES


def list_source_files(raw_dir: Path) -> list[Path]:
    """Top-level files of a workshop folder, sorted; sub-folders (e.g. ``kodning/``) are not sources.
    Files of a type that cannot be read are refused, all of them in one message."""
    files, unsupported = [], []
    for path in sorted(raw_dir.iterdir()):
        if path.is_dir() or is_system_file(path.name) or path.name == MANIFEST_NAME:
            continue
        if path.name.lower() in ("readme.md", "readme.txt"):
            continue
        if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            unsupported.append(path)
            continue
        files.append(path)
    fix = f"gem filen som en af {', '.join(SUPPORTED_EXTENSIONS)} eller flyt den ud af workshop-mappen"
    if len(unsupported) == 1:
        path = unsupported[0]
        raise InputError(f"ukendt filtype '{path.suffix or '(ingen endelse)'}'", file=path, fix=fix)
    if unsupported:
        named = "; ".join(f"{p.name} ('{p.suffix or '(ingen endelse)'}')" for p in unsupported)
        raise InputError(f"{len(unsupported)} filer har en ukendt filtype: {named}", file=raw_dir,
                         fix=f"gem hver af filerne som en af {', '.join(SUPPORTED_EXTENSIONS)} eller flyt dem ud "
                             "af workshop-mappen")
    return files


def is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_EXTENSIONS


def write_manifest(manifest: Manifest, path: Path) -> None:
    # Participant names are personal data: only their number leaves the raw folder, in a comment, so that a
    # copy of this file is a valid workshop.yaml (a 'participants: 3 navne …' line was read letter by letter).
    header = ("# Manifest som workshopnlp forstod det (givet + udledt). Kopiér til data/raw/<workshop>/"
              "workshop.yaml og ret, hvis noget er udledt forkert.\n"
              f"# participants: {len(manifest.participants)} navne er udeladt her af hensyn til privatlivet; "
              "skriv dem som en liste (  - Navn) i workshop.yaml.\n")
    path.write_text(header + yaml.safe_dump(manifest.to_yaml_dict(), allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
