"""The seed's four personas and how Danish labels map onto them, and the kinds of source people spoke in."""

from __future__ import annotations

import re

UNKNOWN_PERSONA = "ukendt"  # a speaker whose persona could not be told: not a persona of its own
PERSONAS = ("raadgiver", "leder", "sikret_ledig", "borger_i_ressourceforloeb", UNKNOWN_PERSONA)

# The seed's two sides: citizens (informal answers) and job-centre staff (minutes). Equal treatment of the
# coding tool is checked between these two groups as well as between the four personas.
CITIZEN_PERSONAS = ("sikret_ledig", "borger_i_ressourceforloeb")
STAFF_PERSONAS = ("raadgiver", "leder")
SIDE_LABELS_DA = {"borgere": "Borgere", "medarbejdere": "Medarbejdere"}
SIDE_OF_PERSONA = {**{p: "borgere" for p in CITIZEN_PERSONAS}, **{p: "medarbejdere" for p in STAFF_PERSONAS}}

# Register: what people wrote themselves (survey and consultation answers, informal) against what was noted
# from the talk (group notes and plenary minutes). Issue 3 asks that coding work no worse "for citizens'
# informal answers than for staff minutes", so that pair is compared too: citizens' written answers against
# staff's notes.
#
# The kinds of source a statement can come from: plenary minutes, group notes, survey answers and answers
# to a public consultation ("høringssvar", e.g. an export from a municipality's consultation portal), which
# are written answers too but not answers to the workshop's questions, so they are not called survey answers.
SOURCE_KINDS = ("plenum", "gruppe", "survey", "hoering")
REGISTER_OF_SOURCE_KIND = {"survey": "svar", "hoering": "svar", "gruppe": "noter", "plenum": "noter"}
REGISTER_LABELS_DA = {"svar": "Skriftlige svar", "noter": "Noter og referater",
                      "borgersvar": "Borgernes skriftlige svar",
                      "medarbejdernoter": "Medarbejdernes noter og referater"}


def citizen_answer_or_staff_note(persona: str, source_kind: str) -> str | None:
    """``"borgersvar"`` for a citizen's survey answer, ``"medarbejdernoter"`` for a staff member's line in
    group notes or minutes, ``None`` for every other statement.

    >>> citizen_answer_or_staff_note("sikret_ledig", "survey"), citizen_answer_or_staff_note("leder", "plenum")
    ('borgersvar', 'medarbejdernoter')
    >>> citizen_answer_or_staff_note("leder", "survey") is None
    True
    """
    side, register = SIDE_OF_PERSONA.get(persona), REGISTER_OF_SOURCE_KIND.get(source_kind)
    if (side, register) == ("borgere", "svar"):
        return "borgersvar"
    if (side, register) == ("medarbejdere", "noter"):
        return "medarbejdernoter"
    return None

PERSONA_LABELS_DA = {
    "raadgiver": "Rådgiver",
    "leder": "Leder",
    "sikret_ledig": "Sikret ledig",
    "borger_i_ressourceforloeb": "Borger i ressourceforløb",
    UNKNOWN_PERSONA: "Ukendt",
}

# Order matters: the first pattern that matches wins ("borger i ressourceforløb" before "borger").
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("borger_i_ressourceforloeb", re.compile(r"ressource\s*-?\s*forl(ø|oe|o)b", re.I)),
    ("sikret_ledig", re.compile(r"\b(sikre[dt]e?\s+ledige?|ledige?|a-kasse\w*|dagpenge\w*|forsikre[dt]e?\s+ledige?)\b", re.I)),
    ("leder", re.compile(r"\b(ledere?n?e?|afdelingsleder\w*|teamleder\w*|jobcenterchef\w*)\b", re.I)),
    ("raadgiver", re.compile(r"\b(r(å|aa)dgiver\w*|sagsbehandler\w*|jobkonsulent\w*|virksomhedskonsulent\w*|"
                             r"beskæftigelsesrådgiver\w*|mentor\w*)\b", re.I)),
)


# A heading or a table's row label names a *group* only by a persona noun, inflected but not compounded:
# «Gruppe 2 – ledere», «Rådgiverne», «Mentorer», not «Mentorpiloten» or «Rådgiverrollen» (topics a workshop
# writer's headings gave the rådgiver persona to), and never by an organisation or a benefit («Deling af data
# med a-kasser», «Dagpengesystemet»: topics, not people). A «-gruppe» compound still names the group.
_GROUP_SUFFIX = r"(gruppe\w*|holdet|bordet)?"
_GROUP_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("borger_i_ressourceforloeb", re.compile(r"ressource\s*-?\s*forl(ø|oe|o)b", re.I)),
    ("sikret_ledig", re.compile(rf"\b((for)?sikre[dt]e?\s+)?ledige?(ne)?{_GROUP_SUFFIX}\b", re.I)),
    ("leder", re.compile(rf"\b(afdelings|team|jobcenter)?(ledere?n?e?|chef(en|er|erne)?){_GROUP_SUFFIX}\b", re.I)),
    ("raadgiver", re.compile(rf"\b(r(å|aa)dgiver|sagsbehandler|jobkonsulent|virksomhedskonsulent|"
                             rf"beskæftigelsesrådgiver|mentor)(e|en|ne|er|erne|s)?{_GROUP_SUFFIX}\b", re.I)),
)
#: Words that make a heading a group's heading even in a file the manifest gives a persona.
GROUP_WORD = re.compile(r"\bgruppe\w*|gruppen?\b|\b(bord|hold)\b", re.I)


def _first_named(text: str, rules) -> str | None:
    """The persona named first in ``text``: the head noun comes first in a Danish label («Jobkonsulent i
    a-kasse» is staff, «Mentor i ressourceforløb» is the mentor, «Ledig (a-kasse)» is the unemployed)."""
    hits = [(m.start(), i, persona) for i, (persona, pattern) in enumerate(rules) for m in [pattern.search(text)] if m]
    return min(hits)[2] if hits else None


#: Citizens named generically («Borger», «borgerne»), not as one of the two citizen personas: a speaker label
#: «Borger:» says the speaker is a citizen, but not which kind.
_CITIZENS = re.compile(r"\bborger(e|en|ne)?\b(?!\s+i\s+ressource)", re.I)
#: What joins the groups of a heading that names several («rådgivere og borgere», «Ledere/rådgivere»).
_JOINED = re.compile(r"\s+(?:og|samt|&|\+)\s+|\s*[,/]\s*", re.I)


def names_citizens(text: object) -> bool:
    """Whether ``text`` names citizens without saying which of the two citizen personas («Borger», «Borgerne»).

    >>> names_citizens("Borger"), names_citizens("Borger i ressourceforløb"), names_citizens("Rådgiver")
    (True, False, False)
    """
    return bool(_CITIZENS.search(str(text or "")))


def mixed_group(heading: object) -> bool:
    """Whether a heading names a group of several kinds of participant («Gruppe 1 – rådgivere og borgere»): the
    lines under it without a speaker label can be anybody's in it, so it gives none of them a persona.

    >>> mixed_group("Gruppe 1 – rådgivere og borgere"), mixed_group("Gruppe 4 – borgere i ressourceforløb")
    (True, False)
    >>> mixed_group("Ledere/rådgivere"), mixed_group("Rådgivere og sagsbehandlere")
    (True, False)
    """
    named = set()
    for part in _JOINED.split(str(heading or "")):
        persona = _first_named(part, _GROUP_RULES)
        named.add(persona if persona else "borgere" if names_citizens(part) else None)
    return len(named - {None}) >= 2


def group_persona(heading: object, file_persona: str | None = None) -> str | None:
    """The persona a heading or a table's row label names as a group («Gruppe 4 – forsikrede ledige»,
    «Rådgivere»), or ``None`` for a topic («Mentorpiloten», «Deling af data med a-kasser»). In a file the
    manifest gives a persona (``file_persona``) a heading overrides it only when it says it is a group
    («Gruppe 2 – ledere»): in the unemployed's notes, «Mentor» is what they talked about.

    >>> group_persona("Gruppe 4 – borgere i ressourceforløb"), group_persona("Mentorpiloten")
    ('borger_i_ressourceforloeb', None)
    >>> group_persona("Mentor", file_persona="sikret_ledig") is None, group_persona("Mentor")
    (True, 'raadgiver')
    >>> group_persona("Gruppe 1 – rådgivere og borgere") is None  # a mixed group (:func:`mixed_group`)
    True
    """
    text = str(heading or "").strip()
    if not text or (file_persona and not GROUP_WORD.search(text)) or mixed_group(text):
        return None
    return _first_named(text, _GROUP_RULES)


def personas_named(text: object) -> set[str]:
    """Every persona ``text`` names («leder og rådgiver» names two); :func:`normalise_persona` takes the first."""
    return {persona for persona, pattern in _RULES if pattern.search(str(text or ""))}


def normalise_persona(label: object) -> str | None:
    """Map a heading, speaker label or survey answer to a persona id, or ``None`` if it names none.

    >>> normalise_persona("Gruppe 4 – borgere i ressourceforløb")
    'borger_i_ressourceforloeb'
    >>> normalise_persona("Ledig (a-kasse)"), normalise_persona("Jobkonsulent i a-kasse")
    ('sikret_ledig', 'raadgiver')
    """
    if label is None:
        return None
    text = str(label).strip()
    if not text:
        return None
    return _first_named(text, _RULES)
