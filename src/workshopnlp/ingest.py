"""Stage 1 – ingest: ``data/raw/<workshop>/`` -> ``data/processed/<workshop>/statements.parquet``.

One row per statement, personal data replaced by typed placeholders before anything is written,
Danish lemmas from :mod:`workshopnlp.nlp`. Raw files are only read. See ``STATEMENT_COLUMNS`` for the
table's contract; every later stage reads only this table.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .config import MANIFEST_NAME, WorkshopPaths, load_params
from .errors import InputError
from .formatting import MONTHS_DA
from .manifest import (Manifest, SourceSpec, folder_date, infer_column_roles, infer_notes_kind, infer_table_kind,
                       is_table, list_source_files, load_manifest, write_manifest)
from .nlp import analyse, is_common_compound, is_common_word
from .personas import (REGISTER_OF_SOURCE_KIND, SIDE_OF_PERSONA, UNKNOWN_PERSONA, group_persona, names_citizens,
                       normalise_persona)
from .provenance import hash_files, provenance_record, staged_files, write_json
from .pseudonymise import Pseudonymiser, load_list_sections, load_name_list
from .readers import (CONTEXT_JOINER, ROW_COLUMN, Block, Sheets, empty_sheet_error, empty_table_fix, read_csv_table,
                      read_notes, read_xlsx_sheets)

# The statement table's columns, in order, with their meaning.
STATEMENT_COLUMNS = {
    "statement_id": "stable id: hash of workshop, file, normalised raw text and its occurrence number",
    "workshop_id": "the workshop folder's name",
    "source_file": "file name inside data/raw/<workshop>/",
    "source_kind": "plenum | gruppe | survey | hoering (consultation responses)",
    "position": "1-based order of the statement within its file",
    "locator": "where a person finds it: 'linje 12' or 'række 5, kolonne <header>'",
    "section": "the heading(s) above the statement in notes, ' > '-joined, and last the facilitator's question it "
               "answers (ingest.leader_question); a table's subject ('Emne: …')",
    "persona": "raadgiver | leder | sikret_ledig | borger_i_ressourceforloeb | ukendt",
    "persona_source": "speaker | heading | survey (a table's role column) | manifest | none",
    "municipality": "municipality if known, else ''",
    "question": "survey question text, '' for notes",
    "speaker": "pseudonymous speaker: a role label, 'Deltager N' or 'Respondent N'",
    "text": "the pseudonymised statement",
    "lemmas": "space-joined lemmas of the word tokens",
    "content_lemmas": "lemmas without stop words and placeholders",
    "token_count": "number of word and number tokens",
    "char_count": "number of characters of the pseudonymised text",
    "is_empty_content": "no content to code: answers such as 'Ingen kommentarer', '-', 'ved ikke', the "
                        "metadata lines of minutes ('Referent: …', 'Til stede: …'; ingest.metadata_labels), "
                        "a transcript's preamble (its lines before the first timed turn) and a notes file's "
                        "header (its first line with content, naming the workshop's day: ingest.header_mask), "
                        "and the lines of the facilitator (is_facilitator)",
    "is_facilitator": "said or written by whoever led the session, not by a participant: a line labelled "
                      "'Facilitator:', 'Ordstyrer:', 'Mødeleder:', 'Tovholder:', 'Proceskonsulent:' or "
                      "'Oplægsholder:' (and the lines its turn runs on to); kept and listed, not coded or counted "
                      "(is_empty_content is set too)",
    "is_duplicate": "same normalised text as an earlier statement of the workshop",
    "duplicate_of": "statement_id of that earlier statement, '' if none",
}

_SPEAKER = re.compile(r"^(?P<label>[A-ZÆØÅ][^:\n]{0,40}?)\s*:\s+(?P<text>\S.*)$")
#: A verb in the past tense before a colon: the line narrates («Facilitator præsenterede kort piloten: en model
#: foreslår …»), it is not a speaker label (the speaker «Facilitator præsenterede kort piloten» lost the start).
_NARRATES = re.compile(r"\s[a-zæøå]{3,}ede\b|\s(sagde|spurgte|mente|fortalte|nævnte|viste|gav|bad)\b")
#: The time a transcript gives a turn («[10:33] Rådgiver (Kolding): …», «(00:12:31)», «00:12:31 Leder: …»): not
#: part of what was said, and in front of the speaker label it hid the speaker (a workshop writer's transcript
#: lost every persona). A bare «10.30» is left alone: «10.30 kaffe» is how notes give a time.
_TIMESTAMP = re.compile(r"^\s*(?:[\[(]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?[\])]|\d{1,2}:\d{2}:\d{2})\s+(?=\S)")
#: A line that is nothing but a transcriber's aside in brackets («(latter)», «[uhørligt]», «(pause)»): no one said
#: it – no content (:func:`empty_content_mask`), and not a turn running on.
_ASIDE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*")
#: A line of a programme («10.30 kaffe og kage»): not a turn running on.
_CLOCK = re.compile(r"^\s*(?:kl\.?\s*)?\d{1,2}[.:]\d{2}\b")
_NOT_SPEAKERS = {"dilemma", "spørgsmål", "note", "noter", "bemærk", "konklusion", "opsamling", "pointe", "tema",
                 "emne", "nb", "obs", "citat", "eksempel", "fx", "formål", "tillid", "svar", "forslag",
                 "teknologisk forståelse", "beslutning", "næste skridt", "aftale", "kl", "husk", "ps"}
_FACILITATOR = re.compile(r"^(facilitator|ordstyrer|referent|tovholder|mødeleder|proceskonsulent|oplægsholder)",
                          re.I)
#: Whoever leads the session, as a whole label word («Ordstyrer:», «Facilitatoren (Vejle):», «Tovholderne:»), not
#: a label that only starts so («Facilitatorens opsamling:», «Referentens note:»): ``is_facilitator``.
_LEADER = re.compile(r"^(facilitator|ordstyrer|mødeleder|tovholder|proceskonsulent|oplægsholder)(en|erne|ne|e)?\b"
                     r"(?!-)", re.I)
_ROLE_WORD = (r"\w*(facilitator|ordstyrer|referent|tovholder|mødeleder|deltager|borger|rådgiver|leder|sagsbehandler|"
              r"medarbejder|konsulent|ledig|sikret|mentor|kontaktperson|kollega|spørger|oplægsholder|chef|direktør|"
              r"formand|repræsentant|koordinator)e?(r|n|ne)?\b")
#: Labels that name who speaks: a role, also as the end of a compound ("Virksomhedskonsulent",
#: "Afdelingsleder"), a role after an article or a quantity ("En borger", "Flere ledere"), or a group ("Alle").
_SPEAKER_ROLES = re.compile(rf"^{_ROLE_WORD}|^(en|et|anden|andre|nogle|mange|flere|alle|to|tre)\s+{_ROLE_WORD}|"
                            r"^(alle|flere|gruppen|salen)$", re.I)
#: Initials as a speaker ("MH:"), except abbreviations that are topics ("KPI: …").
_INITIALS = re.compile(r"^[A-ZÆØÅ]{1,3}$")
_NOT_INITIALS = frozenset({"AI", "EU", "IT", "KPI", "HR", "BI", "ML", "FAQ", "CPR", "API", "UX", "SMS", "PDF", "CV",
                           "MU", "NB", "PS", "OBS", "OK", "TR", "MED", "DPO", "Q"})
_CAPITALISED = re.compile(r"[A-ZÆØÅ][\wÆØÅæøå]*")


#: The sections of resources/protected_words_da.txt whose words name a topic, never a person or a place:
#: a label of place names («Kolding:») says where the speaker comes from, so it stays a speaker.
TOPIC_SECTIONS = ("organisations, systems, schemes", "project, workshop and persona vocabulary")


def topic_words() -> frozenset[str]:
    """The words of ``TOPIC_SECTIONS`` of the protected word list («jobnet», «process», «mining», …)."""
    return load_list_sections("protected_words_da", TOPIC_SECTIONS)


def _common_label_word(word: str) -> bool:
    """A capitalised word of a label that is common vocabulary, a compound of it, a topic word the name lists
    protect («Jobnet», «Process», «Mining»: never a name) or an abbreviation ("KPI’er"), not a name."""
    stem = re.sub(r"[’']?(er|erne|s)$", "", word) if re.match(r"^[A-ZÆØÅ]{2,}", word) else word
    return is_common_word(word) or word.lower() in topic_words() \
        or (stem.isupper() and (len(stem) >= 4 or stem in _NOT_INITIALS)) or is_common_compound(word)


def is_speaker_label(label: str, label_redactions: Sequence[Any] = ()) -> bool:
    """Does a line's "Label:" name who speaks, or the line's topic ("Risiko: …", "Udbud: …")?

    A speaker is a person's name (the pseudonymiser found one in the label: ``label_redactions`` of kind
    "navn"), a role ("Rådgiver", "Borger fra Vejle", "Leder Kolding", "Facilitator", "Mentor") or initials
    ("MH"). A topic stays part of the statement's text, because it carries the line's subject ("KPI: ikke kun
    sagsbehandlingstid" is about KPIs), and it is nobody to number as "Deltager 3". A label counts as a topic
    only when each of its capitalised words is common Danish vocabulary or an abbreviation
    (:func:`workshopnlp.nlp.is_common_word`): a word nobody knows («Bjarke») may be a name the name lists lack,
    so it stays a speaker and is pseudonymised – privacy before a lost topic word."""
    label = label.strip()
    if any(getattr(r, "kind", "") == "navn" for r in label_redactions) or _SPEAKER_ROLES.match(label) \
            or _FACILITATOR.match(label) or (_INITIALS.match(label) and label not in _NOT_INITIALS):
        return True
    return not all(_common_label_word(w) for w in _CAPITALISED.findall(label))


@dataclass
class RawStatement:
    source_file: str
    source_kind: str
    position: int
    locator: str
    text: str
    section: str = ""
    persona: str = UNKNOWN_PERSONA
    persona_source: str = "none"
    municipality: str = ""
    question: str = ""
    speaker_label: str = ""
    respondent: str = ""
    # a line of a transcript before its first timed turn (title, date, audio file): about the file, not said
    preamble: bool = False


@dataclass
class IngestResult:
    statements: pd.DataFrame
    manifest: Manifest
    redactions: pd.DataFrame
    messages: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """What was inferred, file by file, and the totals – printed by ``ingest`` and by ``run``."""
        st = self.statements
        redacted = int(self.redactions["count"].sum()) if len(self.redactions) else 0
        leader = facilitator_mask(st)
        n_leader = int(leader.sum())
        leader_text = f", {n_leader} fra facilitator eller ordstyrer" if n_leader else ""
        return [*self.messages,
                f"{len(st)} udsagn fra {st['source_file'].nunique()} filer; "
                f"{int((st['is_empty_content'].astype(bool) & ~leader).sum())} uden indhold{leader_text}, "
                f"{int(st['is_duplicate'].sum())} dubletter; {redacted} personoplysninger erstattet."]


# ---------------------------------------------------------------- notes

FILE_HEADING_LEVEL = 0  # above every heading level a reader gives (Markdown #, Word Heading 1, plain text)


def statements_from_blocks(blocks: list[Block], spec: SourceSpec, municipalities: list[str]) -> list[RawStatement]:
    out: list[RawStatement] = []
    headings: list[tuple[int, str, str | None]] = []  # (level, text, persona)
    # A file whose author used heading levels below its group headings (Word: «Gruppe 1» Heading 1, «Formål»
    # Heading 2) has its structure in them: a later Heading 1 («Fælles øvelse») ends the group.
    deepest = max((b.level for b in blocks if b.kind == "heading"), default=0)
    # The last timed turn of a transcript (its line, its speaker label): a turn that runs on to the next line
    # without a time or a label («[10:48] Leder (Kolding): …», then «Og når noget så går galt …») is still its.
    turn: tuple[int, str] | None = None
    # The facilitator's last question under the current heading («Ordstyrer: Tak. Skal vi tage hændelsen i maj?»):
    # the context of the participants' lines that answer it, as a survey's question is (:func:`leader_question`).
    asked = ""
    # A transcript's lines before its first timed turn are its preamble (title, date, place, audio file). A
    # transcript: at least half the lines from the first timed one on are timed; minutes with one timed item
    # («(14.30) Afrunding») are not, and keep what comes before it.
    lines = [b for b in blocks if b.kind != "heading"]
    timed_lines = [bool(_TIMESTAMP.match(b.text)) for b in lines]
    first = timed_lines.index(True) if any(timed_lines) else None
    first_turn = lines[first].line_no if first is not None and \
        2 * sum(timed_lines[first:]) >= len(timed_lines) - first else None
    for block in blocks:
        if block.kind == "heading":
            turn, asked = None, ""
            persona = group_persona(block.text, spec.persona)
            # A heading that opens the file and names a group («Gruppe 3 – ledere») heads what follows whatever
            # the levels under it: plain text has no heading levels, so the first sub-heading would otherwise
            # replace it and the group's persona would be lost. It gives way only to a later heading that names
            # a group, which then heads what follows it the same way.
            opens_groups = (not out and not headings) or any(h[0] == FILE_HEADING_LEVEL for h in headings)
            level = FILE_HEADING_LEVEL if persona and opens_groups and block.level >= deepest else block.level
            headings = [h for h in headings if h[0] < level and not (persona and h[0] == FILE_HEADING_LEVEL)]
            headings.append((level, block.text, persona))
            continue
        timed = bool(_TIMESTAMP.match(block.text))
        text, label = _TIMESTAMP.sub("", block.text, count=1), ""
        m = _SPEAKER.match(text)
        if m and m.group("label").strip().lower() not in _NOT_SPEAKERS and len(m.group("label").split()) <= 5 \
                and not _NARRATES.search(m.group("label")):
            label, text = m.group("label").strip(), m.group("text").strip()
        runs_on = not label and not timed and turn is not None and block.line_no == turn[0] + 1 \
            and not _ASIDE.fullmatch(text) and not _CLOCK.match(text)
        if runs_on:
            label = turn[1]
        turn = (block.line_no, label) if label and (timed or runs_on) else None
        persona, source = UNKNOWN_PERSONA, "none"
        speaker_persona = normalise_persona(label) if label and is_speaker_label(label) else None
        # a table row's label, before the column's header that may follow it («Persona: Rådgiver > Formål»)
        row_label = block.context.split(CONTEXT_JOINER)[0] if block.context else ""
        # a question labelling a table's row («… hvem der skal have en mentor?») asks about people, it is none
        context_persona = group_persona(row_label, spec.persona) if row_label and not row_label.endswith("?") else None
        heading_persona = next((h[2] for h in reversed(headings) if h[2]), None)
        group = context_persona or heading_persona
        if label and _FACILITATOR.match(label):
            persona, source = UNKNOWN_PERSONA, "speaker"
        elif speaker_persona:
            persona, source = speaker_persona, "speaker"
        elif speaker_persona is None and label and names_citizens(label) \
                and SIDE_OF_PERSONA.get(group or spec.persona or "") != "borgere":
            # «Borger:» is a citizen of either kind: in a citizens' group it is that group's, elsewhere (a group
            # of advisers and citizens, plenary) it is not known which – never the advisers' the heading names
            persona, source = UNKNOWN_PERSONA, "speaker"
        elif context_persona:
            persona, source = context_persona, "heading"
        elif heading_persona:
            persona, source = heading_persona, "heading"
        elif spec.persona:
            persona, source = spec.persona, "manifest"
        municipality = spec.municipality or _municipality_in(label, municipalities)
        leader = bool(label) and bool(_LEADER.match(label))
        section = [h[1] for h in headings] + ([block.context] if block.context else [])
        if asked and not leader:
            section.append(asked)
        if leader:  # a turn running on adds to what its first line asked
            asked = " ".join(filter(None, [asked if runs_on else "", leader_question(text)]))
        out.append(RawStatement(
            source_file=spec.file, source_kind=spec.kind, position=len(out) + 1,
            locator=f"linje {block.line_no}" if not spec.file.lower().endswith(".docx") else f"afsnit {block.line_no}",
            text=text, section=" > ".join(section),
            persona=persona, persona_source=source,
            municipality=municipality, speaker_label=label,
            preamble=first_turn is not None and block.line_no < first_turn))
    return out


def leader_question(text: str) -> str:
    """What a facilitator's line asks, as the context of the participants' lines after it (until the next heading or
    facilitator's line): the whole line if it asks anything («Tak. Skal vi tage hændelsen i maj? [NAVN], vil du kort
    fortælle, hvad der skete?»), else "" («Vi holder fem minutters pause.» is the context of nothing). A transcript
    with an ordstyrer had its title («TRANSSKRIPTION – PLENUMDRØFTELSE») as the context of every turn."""
    text = " ".join(text.split())
    return text if "?" in text else ""


def _municipality_in(text: str, municipalities: list[str]) -> str:
    for name in municipalities:
        if name and re.search(rf"\b{re.escape(name)}\b", text or "", re.I):
            return name
    return ""


# ---------------------------------------------------------------- survey tables

def with_variable_labels(frame: pd.DataFrame, sheets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """A SurveyXact export headed by variable names («s_1», «s_2», …) with the question texts in its «Labels»
    sheet (columns «Variable» and «Label»): the columns get their question texts, so a role, a municipality and
    the questions are found and each answer keeps the question it answers (a writer's export had them all as
    «s_3»). Any other workbook is returned as it is."""
    labels = next((f for name, f in sheets.items() if name.strip().lower() in ("labels", "variabler", "variables")
                   and {"variable", "label"} <= {str(c).strip().lower() for c in f.columns}), None)
    if labels is None:
        return frame
    cols = {str(c).strip().lower(): c for c in labels.columns}
    names = dict(zip(labels[cols["variable"]].astype(str).str.strip(), labels[cols["label"]].astype(str).str.strip()))
    renamed = {c: names[c] for c in frame.columns if names.get(c) and names[c] != c}
    if not renamed or len(set(frame.columns.map(lambda c: renamed.get(c, c)))) < len(frame.columns):
        return frame  # nothing to name, or two variables with one label: keep the export's own headers
    return frame.rename(columns=renamed)


def _choose_sheet(sheets: Sheets, spec: SourceSpec, path: Path):
    if spec.sheet:
        if spec.sheet not in sheets:
            raise InputError(f"arket '{spec.sheet}' findes ikke", file=path,
                             fix=f"ret 'sheet' i workshop.yaml; arkene er: {', '.join(sheets)}")
        if sheets[spec.sheet].empty:
            raise empty_sheet_error({spec.sheet: sheets[spec.sheet]}, path, in_workshop=True)
        return spec.sheet, sheets.checked(spec.sheet)
    order = sorted(sheets, key=lambda name: (name.strip().lower() != "dataset", list(sheets).index(name)))
    if order and order[0].strip().lower() == "dataset" and sheets[order[0]].empty:
        # an export without answers: never read its «Labels» sheet instead
        raise empty_sheet_error({order[0]: sheets[order[0]]}, path, in_workshop=True)
    answering = [name for name in order if len(sheets[name])
                 and infer_column_roles(sheets[name], spec.columns, path)[0].get("text")]
    if len(answering) > 1 and answering[0].strip().lower() != "dataset":
        # Reading the first would drop the others' answers without a word (a workbook with a sheet per
        # municipality); a SurveyXact export's «Dataset» is its answers, whatever its other sheets hold.
        raise InputError(f"{len(answering)} ark har fritekst-svar: {', '.join(repr(n) for n in answering)}; kun ét "
                         "ark pr. fil læses", file=path, location=f"ark {', '.join(repr(n) for n in answering)}",
                         fix="hører svarene sammen, så saml dem i ét ark (samme kolonner) eller gem hvert ark som sin "
                             "egen fil i workshop-mappen; skal kun ét af dem læses, så angiv det under 'sheet' for "
                             "filen i workshop.yaml")
    if answering:
        return answering[0], sheets.checked(answering[0])
    for name in order:  # a sheet whose header row could not be read may be why no answers were found
        sheets.checked(name)
    empty = [name for name in order if sheets[name].empty]
    raise InputError(f"ingen af arkene ({', '.join(sheets) or 'ingen ark'}) har en kolonne med fritekst-svar"
                     + (f"; tomme ark: {', '.join(empty)}" if empty else ""),
                     file=path, fix="angiv 'sheet' og 'columns: text' for filen i workshop.yaml, eller eksportér "
                                    "besvarelserne med svartekster (ikke kun koder)")


def statements_from_table(frame: pd.DataFrame, spec: SourceSpec, path: Path) -> list[RawStatement]:
    roles, inferred = infer_column_roles(frame, spec.columns, path)
    if not roles.get("text"):
        cols = [c for c in frame.columns if c != ROW_COLUMN]
        raise InputError(f"ingen kolonne med fritekst-svar fundet blandt: {', '.join(cols)}", file=path,
                         location="kolonner",
                         fix="angiv fritekst-kolonnerne i workshop.yaml under sources -> columns -> text")
    spec.columns = roles
    spec.inferred = sorted(set(spec.inferred) | {f"columns.{r}" for r in inferred})
    out: list[RawStatement] = []
    for _, row in frame.iterrows():
        raw_persona = row[roles["persona"]] if roles.get("persona") else ""
        persona = normalise_persona(raw_persona)
        source = "survey" if persona else ("manifest" if spec.persona else "none")
        persona = persona or spec.persona or UNKNOWN_PERSONA
        # what the writer titled the answer («Emne: Dashboards og data»), its section as a Word table's labels are
        title = str(row[roles["subject"]]).strip() if roles.get("subject") else ""
        subject = f"{roles['subject']}: {title}" if title else ""
        for col in roles["text"]:
            value = row[col]
            if value == "":
                continue  # question not answered
            out.append(RawStatement(
                source_file=spec.file, source_kind=spec.kind, position=len(out) + 1,
                locator=f"række {row[ROW_COLUMN]}, kolonne '{col}'", text=value, persona=persona,
                persona_source=source, municipality=str(row[roles["municipality"]]) if roles.get("municipality")
                else (spec.municipality or ""), question=col, section=subject,
                respondent=str(row[roles["respondent_id"]]) if roles.get("respondent_id") else f"row-{row[ROW_COLUMN]}"))
    return out


# ---------------------------------------------------------------- the stage

def facilitator_mask(statements: pd.DataFrame) -> pd.Series:
    """True for the facilitator's lines (``is_facilitator``); all False for a statement table written before
    that column existed."""
    if "is_facilitator" not in statements.columns:
        return pd.Series(False, index=statements.index)
    return statements["is_facilitator"].fillna(False).astype(bool)


def _normalise_for_match(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\wæøå\[\] ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def empty_content_mask(texts: pd.Series, ingest_params: dict[str, Any]) -> pd.Series:
    """True for answers without content: the listed empty answers ("Ingen kommentarer", "-", "ved ikke")
    after normalisation, fewer letters than ``min_statement_letters``, or only a transcriber's aside
    («(latter)»)."""
    texts = pd.Series(list(texts), dtype=object).fillna("").astype(str)
    empty_answers = {_normalise_for_match(a) for a in ingest_params["empty_answers"]}
    return texts.map(_normalise_for_match).isin(empty_answers) | (
        texts.str.count(r"[^\W\d_]") < ingest_params["min_statement_letters"]) | texts.str.fullmatch(_ASIDE)


def date_pattern(iso_date: str) -> re.Pattern:
    """The day ``iso_date`` («2022-10-28») as notes write it: «28. oktober 2022», «28. okt.», «28/10-22»,
    «28/10», «28.10.2022», «28-10-2022», «2022-10-28» – the year optional where a day and month are written
    out, no other day or month.

    >>> [bool(date_pattern("2023-09-20").search(t)) for t in ("20/9-23, Sønderborg", "20. september", "2/9-23")]
    [True, True, False]
    """
    d = datetime.date.fromisoformat(iso_date)
    day, month, name = rf"0?{d.day}", rf"0?{d.month}", MONTHS_DA[d.month - 1]
    year = rf"(?:{d.year}|{d.year % 100:02d})"
    forms = (rf"{day}\.?\s*(?:{name}|{name[:3]}\.?)(?![^\W\d_])",   # 28. oktober (2022), 28. okt.
             rf"{day}\s*/\s*{month}(?:\s*[-/.]\s*{year})?(?!\d)",   # 28/10, 28/10-22, 28/10/2022
             rf"{day}([.-]){month}\1{year}(?!\d)",                 # 28.10.2022, 28-10-22
             rf"{d.year}-{d.month:02d}-{d.day:02d}")                # 2022-10-28
    return re.compile(r"(?<![\d.])(?:" + "|".join(forms) + ")", re.I)


# A by-line of notes: who took them, and nothing said – «Noter v. [NAVN], jobcenter Syddjurs – rettelser til …»,
# «noter: [NAVN] (Vejle JC)». After «v.», «ved» or «af» the name may be followed by where to reach its bearer;
# after a colon only by a place in brackets or after a comma, so «Noter: [NAVN] sagde, at …» is content.
_NAME = r"(?:\[NAVN\]|[A-ZÆØÅ][\w-]+(?:\s+[A-ZÆØÅ][\w-]+)*)"
_BY_LINE = re.compile(rf"^\s*(?i:noter|notater)\s*(?:(?i:v\.|ved|af)\s*{_NAME}(?:\W.*)?"
                      rf"|:\s*{_NAME}\s*(?:\([^()]*\)|,[^.!?]*)?\s*\.?)$", re.S)


def header_mask(frame: pd.DataFrame, raw_texts: Sequence[str], iso_date: str) -> pd.Series:
    """True for a notes file's header: its first line with content (``is_empty_content`` not yet set), said by
    nobody, that names the workshop's own day (:func:`date_pattern`) – «Onsdag den 24. maj 2023, kl. 9.30–15.00,
    Kolding Jobcenter», «20/9-23, Sønderborg. Noter fra de 4 borde …», «Renskrevet af projektgruppen efter
    workshoppen den 14. juni 2023» – or only names who took the notes («noter: [NAVN] (Vejle JC)»). It says
    when, where and by whom the notes were made, as «Dato: …» and «Referent: …» do, and is kept whole without
    content: in a group's notes it would otherwise count as something the group said. Survey and consultation
    answers are never headers; a later line that names the day («Vi aftalte den 28. oktober, at …») is content."""
    out = pd.Series(False, index=frame.index)
    pattern = date_pattern(iso_date) if iso_date else None
    notes = frame["source_kind"].map(REGISTER_OF_SOURCE_KIND).eq("noter") & ~frame["is_empty_content"]
    for _, rows in frame[notes].groupby("source_file", sort=False):
        first = rows["position"].idxmin()
        raw = raw_texts[frame.index.get_loc(first)]
        if not frame.at[first, "speaker"] and ((pattern is not None and pattern.search(raw))
                                               or _BY_LINE.match(frame.at[first, "text"])):
            out.at[first] = True
    return out


_LEADING_LABEL = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*\S")


def is_metadata_label(label: str, metadata_labels: Sequence[str], text: str = "") -> bool:
    """Does a notes line's "Label:" open a metadata line of minutes («Referent: …», «Til stede: …»,
    «Sted: …»: ``ingest.metadata_labels``)? The whole label must be one of them, in any case, after a count
    («5 deltagere: …»). Without a ``label`` (none was split off: «noter: Camilla» is no speaker), the label
    is read from the start of ``text``."""
    if not label:
        m = _LEADING_LABEL.match(text or "")
        label = m.group(1) if m else ""
    label = re.sub(r"^\d+\s+", "", " ".join(label.split()))
    return bool(label) and label.casefold() in {m.casefold() for m in metadata_labels}


def read_sources(paths: WorkshopPaths, params: dict[str, Any]) -> tuple[Manifest, list[RawStatement]]:
    raw_dir = paths.raw
    if not raw_dir.is_dir():
        known = sorted(p.name for p in raw_dir.parent.iterdir() if p.is_dir()) if raw_dir.parent.is_dir() else []
        raise InputError(f"workshop-mappen findes ikke", file=raw_dir,
                         fix=("læg workshoppens filer i " + str(raw_dir) +
                              (f" eller vælg en af: {', '.join(known)}" if known else "")))
    files = list_source_files(raw_dir)
    manifest_path = raw_dir / MANIFEST_NAME
    # Without a workshop.yaml the project's municipalities (coding.ignored_names) are the ones a speaker label
    # («Leder (Vejle)») can name, and the pseudonymiser keeps them.
    manifest = load_manifest(manifest_path, paths.workshop_id) if manifest_path.exists() \
        else Manifest(workshop_id=paths.workshop_id, date=folder_date(paths.workshop_id),
                      municipalities=project_municipalities(params))
    if not files:
        raise InputError("workshop-mappen indeholder ingen filer at læse", file=raw_dir,
                         fix="læg noter (.txt, .md, .docx) eller spørgeskemaeksporter (.csv, .xlsx) i mappen")
    by_name = {s.file: s for s in manifest.sources}
    for name in by_name:
        if not (raw_dir / name).is_file():
            raise InputError(f"manifestet nævner filen '{name}', som ikke findes", file=manifest_path,
                             fix=f"ret filnavnet i workshop.yaml eller læg filen i {raw_dir}")
    max_bytes = params["ingest"]["max_file_bytes"]
    statements: list[RawStatement] = []
    specs: list[SourceSpec] = []
    for path in files:
        spec = by_name.get(path.name) or SourceSpec(file=path.name, kind="", inferred=["kind"])
        if is_table(path):
            if path.suffix.lower() == ".xlsx":
                sheets = read_xlsx_sheets(path, max_bytes, in_workshop=True)
                sheet, frame = _choose_sheet(sheets, spec, path)
                labelled = with_variable_labels(frame, sheets)
                named = {c for v in (spec.columns or {}).values() for c in ([v] if isinstance(v, str) else v or [])}
                if named <= set(labelled.columns):  # a manifest may name the questions or the variables
                    frame = labelled
                if not spec.sheet:
                    spec.sheet = sheet
                    spec.inferred.append("sheet")
            else:
                frame = read_csv_table(path, max_bytes, spec.delimiter)
            if frame.empty:
                raise InputError("tabellen er tom (kun overskriftsrækken, ingen rækker med svar under den)",
                                 file=path, fix=empty_table_fix(path, in_workshop=True))
            spec.kind = spec.kind or infer_table_kind(path, frame)
            found = statements_from_table(frame, spec, path)
            if not found:  # as a notes file with only headings is refused (readers.read_notes)
                columns = ", ".join(f"'{c}'" for c in spec.columns["text"])
                raise InputError(f"tabellen har ingen udfyldte svar i fritekst-kolonnen {columns} (kun tomme felter)",
                                 file=path, location=f"kolonne {columns}",
                                 fix="er det den rigtige kolonne? Angiv ellers fritekst-kolonnen i workshop.yaml under "
                                     "sources -> columns -> text; ellers " + empty_table_fix(path, in_workshop=True))
        else:
            blocks = read_notes(path, max_bytes)
            if not spec.kind:
                first = next((b for b in blocks if b.kind == "heading"), None)
                spec.kind = infer_notes_kind(path, group_persona(first.text) if first else None)
            found = statements_from_blocks(blocks, spec, manifest.municipalities)
        specs.append(spec)
        statements.extend(found)
    manifest.sources = specs
    return manifest, statements


def build_statement_table(manifest: Manifest, raw: list[RawStatement], params: dict[str, Any],
                          raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pseudonymise, analyse and flag; returns ``(statements, redaction_log)``."""
    ingest_params = params["ingest"]
    max_chars = ingest_params["max_statement_chars"]
    for st in raw:
        if len(st.text) > max_chars:
            raise InputError(f"et enkelt svar er {len(st.text):,} tegn langt (grænse {max_chars:,})".replace(",", "."),
                             file=raw_dir / st.source_file, location=st.locator,
                             fix="tjek om et helt dokument er indsat i ét felt; del det op eller ret "
                                 "ingest.max_statement_chars")
    pseudo = Pseudonymiser(extra_names=manifest.participants, protected_words=manifest.municipalities)
    counts: Counter[tuple[str, str]] = Counter()
    speakers: dict[str, str] = {}
    respondents: dict[tuple[str, str], str] = {}
    sections: dict[tuple[str, str], tuple[str, list]] = {}
    rows = []
    metadata, facilitator = [], []
    for st in raw:
        label, label_redactions = (pseudo.pseudonymise(st.speaker_label, label=True) if st.speaker_label
                                   else ("", []))
        # «Referent: Søren …» names who took the minutes, not who speaks: the line is metadata, read whole. Only
        # in notes: a survey answer «Dagsorden: for lang» is an answer.
        metadata.append(st.preamble or (not st.respondent and is_metadata_label(
            st.speaker_label, ingest_params.get("metadata_labels", []), st.text)))
        topic = bool(st.speaker_label) and (metadata[-1] or not is_speaker_label(st.speaker_label, label_redactions))
        facilitator.append(bool(st.speaker_label) and not topic and bool(_LEADER.match(st.speaker_label))
                           and not st.respondent)
        # a topic label goes back in front of the text (the id still hashes the text after it: stable ids)
        text, redactions = pseudo.pseudonymise(f"{st.speaker_label}: {st.text}" if topic else st.text)
        for r in redactions:
            counts[(st.source_file, r.kind)] += 1
        if st.respondent:
            key = (st.source_file, st.respondent)
            speaker = respondents.setdefault(key, f"Respondent {len(respondents) + 1}")
        elif st.speaker_label and not topic:
            for r in label_redactions:
                counts[(st.source_file, r.kind)] += 1
            if label_redactions or not (_SPEAKER_ROLES.match(label) or _FACILITATOR.match(label)):
                speaker = speakers.setdefault(st.speaker_label, f"Deltager {len(speakers) + 1}")
            else:
                speaker = label
        else:
            speaker = ""
        # headings and a Word table's labels («Navn: Lone Hansen») are pseudonymised like the text
        key = (st.source_file, st.section)
        if key not in sections:  # counted once per heading of a file, not once per statement under it
            sections[key] = pseudo.pseudonymise(st.section)
            for r in sections[key][1]:
                counts[(st.source_file, r.kind)] += 1
        section = sections[key][0]
        rows.append({**st.__dict__, "text": text, "speaker": speaker, "section": section})
    frame = pd.DataFrame(rows)
    analyses = analyse(frame["text"].tolist(), lemmatizer=params["nlp"]["lemmatizer"],
                       min_lemma_chars=params["nlp"]["min_lemma_chars"])
    frame["lemmas"] = [" ".join(a.lemmas) for a in analyses]
    frame["content_lemmas"] = [" ".join(a.content_lemmas) for a in analyses]
    frame["token_count"] = [a.token_count for a in analyses]
    frame["char_count"] = frame["text"].str.len()
    normalised = frame["text"].map(_normalise_for_match)
    frame["is_empty_content"] = empty_content_mask(frame["text"], ingest_params) | pd.Series(metadata, dtype=bool)
    frame["is_empty_content"] |= header_mask(frame, [st.text for st in raw],
                                             manifest.date or folder_date(manifest.workshop_id))
    # The session's leader («Ordstyrer: Skal vi tage hændelsen i maj?», «Facilitator: Vi holder fem minutters
    # pause»): questions, logistics and thanks, not a participant's statement. 20 of the 21 such lines of the
    # five new workshops were «ingen» on both dimensions by all three blind coders, and October's 8 on focus area.
    frame["is_facilitator"] = pd.Series(facilitator, dtype=bool)
    frame["is_empty_content"] |= frame["is_facilitator"]
    # Ids hash the raw text, so an improved pseudonymiser does not change them (coding sheets key on them).
    raw_normalised = pd.Series([_normalise_for_match(st.text) for st in raw])
    occurrence: Counter[tuple[str, str]] = Counter()
    ids = []
    for file, norm in zip(frame["source_file"], raw_normalised):
        occurrence[(file, norm)] += 1
        key = "\x1f".join([manifest.workshop_id, file, norm, str(occurrence[(file, norm)])])
        ids.append("s" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12])
    frame["statement_id"] = ids
    first_seen: dict[str, str] = {}
    dup_of = []
    for sid, norm, empty in zip(frame["statement_id"], normalised, frame["is_empty_content"]):
        if empty:
            dup_of.append("")
            continue
        dup_of.append(first_seen.get(norm, ""))
        first_seen.setdefault(norm, sid)
    frame["duplicate_of"] = dup_of
    frame["is_duplicate"] = frame["duplicate_of"] != ""
    frame["workshop_id"] = manifest.workshop_id
    frame = frame[list(STATEMENT_COLUMNS)].astype({"position": "int64", "token_count": "int64",
                                                    "char_count": "int64"})
    log = pd.DataFrame([{"source_file": f, "kind": k, "count": n} for (f, k), n in sorted(counts.items())],
                       columns=["source_file", "kind", "count"])
    return frame, log


# A capitalised word inside a sentence (not after a full stop, colon, dash or bullet, not in a placeholder).
_INNER_CAPITAL = re.compile(r"(?<![\w\[])([A-ZÆØÅ][a-zæøåäöüé]+)(?![\w\]])")
_SENTENCE_START = ".!?:;\n\"'«»(–-•*>"
POSSIBLE_NAMES_LISTED = 20


def possible_names(texts: Sequence[str], known: Sequence[str] = ()) -> Counter[str]:
    """Capitalised words inside a sentence of the (pseudonymised) texts that are neither common Danish
    vocabulary (:func:`nlp.is_common_word`) nor in ``known`` (municipalities): names no list knows would be
    among them («Det sagde Bjarke på mødet»), with brands and places («Jobnet», «Netflix»). Counted, so
    ``ingest`` can ask the person running it to look; nothing is replaced on a guess. The words that are never
    taken for names (``resources/protected_words_da.txt``: «Jobnet», «Excel», …) are not listed either."""
    skip = {k.casefold() for k in known} | load_name_list("protected_words_da")
    found: Counter[str] = Counter()
    for text in texts:
        for m in _INNER_CAPITAL.finditer(text):
            before = text[:m.start()].rstrip()
            word = m.group(1)
            if before and before[-1] not in _SENTENCE_START and word.casefold() not in skip \
                    and not is_common_word(word):
                found[word] += 1
    return found


def possible_names_message(found: Counter[str]) -> list[str]:
    """The Danish hint ``ingest`` prints for :func:`possible_names` (nothing when there are none)."""
    if not found:
        return []
    listed = ", ".join(f"{w} ({n})" if n > 1 else w
                       for w, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:POSSIBLE_NAMES_LISTED])
    more = f" og {len(found) - POSSIBLE_NAMES_LISTED} flere" if len(found) > POSSIBLE_NAMES_LISTED else ""
    return [f"Tjek for navne: {len(found)} ord med stort begyndelsesbogstav inde i en sætning er hverken almindelige "
            f"danske ord eller navne, som listerne kender: {listed}{more}. Er et af dem et personnavn, så skriv "
            "det under participants i workshop.yaml og kør igen – så erstattes det overalt."]


def project_municipalities(params: dict[str, Any]) -> list[str]:
    """The project's municipalities: the names the coder does not read (``coding.ignored_names``). They are
    what a speaker label can name without a workshop.yaml, and never taken for personal names."""
    return [str(m) for m in params["coding"].get("ignored_names") or []]


def ingest(workshop_id: str, data_dir: Path, params: dict[str, Any] | None = None) -> IngestResult:
    """Read, pseudonymise, analyse and write a workshop's statement table; return it."""
    params = params or load_params()
    paths = WorkshopPaths(Path(data_dir), workshop_id)
    manifest, raw = read_sources(paths, params)
    statements, log = build_statement_table(manifest, raw, params, paths.raw)
    known = [*manifest.municipalities, *project_municipalities(params)]
    messages = _describe_inference(manifest) + possible_names_message(
        possible_names(statements["text"].tolist() + statements["section"].dropna().unique().tolist(), known))
    inputs = hash_files([paths.raw / s.file for s in manifest.sources] +
                        ([paths.raw / MANIFEST_NAME] if manifest.given else []), paths.raw)
    with staged_files(paths.processed) as tmp:
        statements.to_parquet(tmp / "statements.parquet", index=False)
        statements.to_csv(tmp / "statements.csv", index=False, sep=";", encoding="utf-8-sig")
        log.to_csv(tmp / "redaction_log.csv", index=False)
        write_manifest(manifest, tmp / "manifest.inferred.yaml")
        write_json(tmp / "statements.provenance.json", provenance_record(
            "ingest", inputs, {k: params[k] for k in ("ingest", "nlp")},
            {"workshop_id": workshop_id, "rows": len(statements),
             "redactions_by_kind": log.groupby("kind")["count"].sum().to_dict() if len(log) else {}}))
    return IngestResult(statements, manifest, log, messages)


def _describe_inference(manifest: Manifest) -> list[str]:
    lines = []
    if not manifest.given:
        lines.append("Intet workshop.yaml fundet: kilder og kolonner er udledt (se manifest.inferred.yaml).")
    for s in manifest.sources:
        parts = [f"{s.file}: {s.kind}" + (" (udledt)" if "kind" in s.inferred else "")]
        if s.sheet:
            parts.append(f"ark '{s.sheet}'")
        for role in ("text", "persona", "municipality", "respondent_id", "subject", "drop"):
            if role in s.columns:
                value = s.columns[role]
                shown = ", ".join(f"'{v}'" for v in value) if isinstance(value, list) else f"'{value}'"
                tag = " (udledt)" if f"columns.{role}" in s.inferred else ""
                parts.append(f"{role}={shown}{tag}")
        lines.append("  " + "; ".join(parts))
    return lines
