"""Rule-based pseudonymisation of Danish free text (workshop notes, survey answers).

CPR numbers, phone numbers, e-mail addresses, street addresses and personal names are replaced by
typed placeholders (:data:`PLACEHOLDERS`). Pure and deterministic: no network, and the only I/O is
reading the bundled word lists in ``workshopnlp/resources`` once.

Detection runs one combined regex pass per kind, in the order e-mail, CPR, phone, address, name.
Each pass sees the text with earlier finds (and existing placeholders) masked out, so spans never
overlap and offsets stay those of the original text. Detection is repeated on the output until it
finds nothing new, so the result is a fixed point: pseudonymising it again changes nothing.

Names come from the bundled lists (first names, with a marked section of ambiguous ones such as
"Per" or "Bo"; surnames), from cue words ("borgeren Ahmed", "hr. Hansen") and from the manifest
(``extra_names``). Protected words (municipalities, months, roles, ...) win over the lists and cues,
but not over manifest names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, NamedTuple

__all__ = ["PLACEHOLDERS", "Redaction", "Pseudonymiser", "load_name_list"]

PLACEHOLDERS = {"cpr": "[CPR]", "telefon": "[TELEFON]", "email": "[EMAIL]", "adresse": "[ADRESSE]",
                "navn": "[NAVN]"}


@dataclass(frozen=True)
class Redaction:
    """One replacement: its kind and its span in the original text (never the value itself)."""

    kind: str   # "cpr" | "telefon" | "email" | "adresse" | "navn"
    start: int
    end: int


# ---------------------------------------------------------------------------------------------
# Word lists (package data)
# ---------------------------------------------------------------------------------------------

_RESOURCE_NAMES = ("names_da_first", "names_da_surnames", "protected_words_da")
_AMBIGUOUS_MARK = "# ambiguous"


@lru_cache(maxsize=None)
def _read_sections(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return ``(main, ambiguous)`` entries of a resource list, lower-cased."""
    stem = name[:-4] if name.endswith(".txt") else name
    if stem not in _RESOURCE_NAMES:
        raise ValueError(f"unknown word list {name!r}; expected one of {', '.join(_RESOURCE_NAMES)}")
    text = (resources.files(__package__) / "resources" / f"{stem}.txt").read_text(encoding="utf-8")
    sections: tuple[set[str], set[str]] = (set(), set())
    current = 0
    for raw in text.splitlines():
        line = raw.strip()
        if line.lower() == _AMBIGUOUS_MARK:
            current = 1
            continue
        if not line or line.startswith("#"):
            continue
        entry = _list_entry(line)
        if entry:
            sections[current].add(entry)
    return frozenset(sections[0]), frozenset(sections[1])


def _list_entry(line: str) -> str:
    """A word list's entry on ``line`` (a stripped, non-comment line): without a trailing ``#`` comment,
    single-spaced, lower-cased."""
    return " ".join(line.split(" #", 1)[0].split()).lower()


_SECTION_HEADING = re.compile(r"^#\s*---\s*(.*?)\s*---\s*$")


@lru_cache(maxsize=None)
def load_list_sections(name: str, headings: tuple[str, ...]) -> frozenset[str]:
    """The entries of a bundled word list under its section headings ``# --- heading ---`` named in
    ``headings`` (e.g. the protected list's «organisations, systems, schemes»), lower-cased."""
    if name not in _RESOURCE_NAMES:
        raise ValueError(f"unknown word list {name!r}; expected one of {', '.join(_RESOURCE_NAMES)}")
    text = (resources.files(__package__) / "resources" / f"{name}.txt").read_text(encoding="utf-8")
    words, current = set(), ""
    for raw in text.splitlines():
        line = raw.strip()
        heading = _SECTION_HEADING.match(line)
        if heading:
            current = heading.group(1)
        elif line and not line.startswith("#") and current in headings and _list_entry(line):
            words.add(_list_entry(line))
    return frozenset(words)


@lru_cache(maxsize=None)
def load_name_list(name: str) -> frozenset[str]:
    """Return all entries of a bundled word list (``names_da_first``, ``names_da_surnames`` or
    ``protected_words_da``), lower-cased; read once and cached."""
    main, ambiguous = _read_sections(name)
    return main | ambiguous


class _Lists(NamedTuple):
    first: frozenset[str]       # unambiguous first names
    ambiguous: frozenset[str]   # first names that are also ordinary words
    surnames: frozenset[str]
    protected: frozenset[str]


@lru_cache(maxsize=1)
def _default_lists() -> _Lists:
    first, ambiguous = _read_sections("names_da_first")
    surnames = load_name_list("names_da_surnames")
    protected = load_name_list("protected_words_da")
    return _Lists(first - ambiguous, ambiguous, surnames, protected)


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------

_MASK = "\x00"   # fills already-redacted spans; neither a word, digit nor space character
_SP = r"[ \t\u00a0]"
_UC = "A-ZÆØÅÄÖÜÉ"
_LC = "a-zæøåäöüéèáíóú"

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))

_EMAIL_RE = re.compile(r"(?<![\w.%+'\-])[\w%+'\-]+(?:\.[\w%+'\-]+)*@(?:[\w\-]+\.)+[^\W\d_]{2,}(?![^\W\d]|-)")

_CPR_RE = re.compile(
    r"(?<!\d)(?<!\d[.,/\-])"
    r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d[\-\u2010\u2011\u2013 \u00a0]?\d{4}"
    r"(?!\d)(?![.,/\-]\d)")

_PHONE_RE = re.compile(
    r"(?<![\d.,/+\-])(?<!\d[ \u00a0])"
    r"(?:(?P<prefix>(?:\+|00)45|\(\+?45\))[ \u00a0\-]?)?"
    r"(?:(?P<p8>\d{8})"
    r"|(?P<p2222>\d\d(?P<s1>[ \u00a0.\-])\d\d(?P=s1)\d\d(?P=s1)\d\d)"
    r"|(?P<p44>\d{4}[ \u00a0\-]\d{4})"
    r"|(?P<p323>\d{3}(?P<s2>[ \u00a0\-])\d\d(?P=s2)\d{3})"
    r"|(?P<p224>\d\d[ \u00a0]\d\d[ \u00a0]\d{4})"
    r"|(?P<p422>\d{4}[ \u00a0]\d\d[ \u00a0]\d\d))"
    r"(?![ \u00a0.,/\-]?\d)"
    r"(?!\s?(?i:kr\b|kr\.|kroner|dkk|,-|%|procent|euro|€|mio|mia))")

# Street-name endings. Definite forms may stand alone ("Toften 7"); standalone indefinite words need
# words before them ("Store Torv 3", "Ole Rømers Gade 4"); compound-only endings count only inside a
# longer word ("Birkelund 3", not the surname in "Birgitte Lund 3").
_STREET_DEFINITE = ("vænget", "pladsen", "torvet", "strædet", "parken", "bakken", "haven", "højen",
                    "toften", "engen", "stien", "krogen", "løkken", "marken", "kvarteret", "vangen",
                    "lunden", "dalen", "hegnet", "kilden", "agrene", "ageren", "brynet", "kæret", "mosen",
                    "holmen", "skoven", "vejen", "gaden", "svinget", "sløjfen", "stykket")
_STREET_STANDALONE = ("vej", "gade", "allé", "alle", "plads", "stræde", "boulevard", "torv", "park",
                      "have", "vænge", "passage", "promenade", "kvarter")
_STREET_COMPOUND_ONLY = ("lund", "holm", "dal", "høj", "skov", "eng", "toft", "vang", "bakke", "løkke",
                         "kær", "mose", "bryn", "hegn", "vold")
_STREET_SUFFIXES = frozenset(_STREET_DEFINITE + _STREET_STANDALONE + _STREET_COMPOUND_ONLY)
# Words that may stand before a one-word street name as part of it ("Store Kongensgade").
_STREET_PREFIXES = frozenset("store lille ny nye gammel gl gamle nørre søndre vestre østre vester øster "
                             "nord syd sankt skt kongens dronningens prins prinsesse indre ydre øvre nedre "
                             "lange korte brede".split())
# Sentence-initial function words trimmed off the front of a multi-word street name ("På Store Torv 3").
_STREET_TRIM = frozenset("på i ved til fra mod hos nær og eller af om jeg vi han hun de den det der hvis "
                         "når men så bor boede flyttede adresse".split())

_STREET_ALT = "|".join(sorted(_STREET_SUFFIXES, key=len, reverse=True))
_WORD_CAP = rf"[{_UC}][{_LC}{_UC}'’.\-]*"
_TOWN = (rf"(?:(?:Kgs\.|Kongens|Hvide|Store|Lille|Nørre|Ny|Gl\.|Gammel|Sankt|Skt\.){_SP}+)?"
         rf"[{_UC}][{_LC}]+(?:-[{_UC}]?[{_LC}]+)*(?:{_SP}+(?:SV|NV|SØ|NØ|[CKVØNS])(?!\w))?")
_ADDRESS_RE = re.compile(
    rf"(?<![\w.])(?P<pre>(?:{_WORD_CAP}{_SP}+){{0,3}})"
    rf"(?P<head>(?=[{_UC}])[{_LC}{_UC}'’\-]*?(?i:{_STREET_ALT}))(?![{_LC}{_UC}\w])"
    rf"{_SP}+\d{{1,3}}(?!\d)(?:{_SP}?[\-–]{_SP}?\d{{1,3}}(?!\d))?"
    rf"(?:[a-zæøåA-ZÆØÅ](?!\w)|{_SP}[A-ZÆØÅ](?![\w.]))?"
    r"(?![.,]\d)(?!\s*(?i:%|kr\b|kroner|år\b|gange|timer|dage|uger|måneder|mdr|minutter|procent))"
    rf"(?:{_SP}*,?{_SP}*(?i:(?:st|stuen|kl|kld|\d{{1,2}})\b\.?{_SP}*(?:tv|th|mf|sal)\b\.?"
    r"|(?:st|stuen|kl|kld|mf|tv|th)\b\.?|\d{1,2}\.(?!\d)))?"
    rf"(?:{_SP}*(?:[,;.]{_SP}*|{_SP}i{_SP}+)?(?:\r?\n{_SP}*)?(?:DK-?{_SP}?)?\d{{4}}(?!\d){_SP}+{_TOWN})?")

_HYPHEN_SPLIT_RE = re.compile(r"[-'’]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_NAME_GAP_RE = re.compile(r"[ \t\u00a0]{1,3}")
_INITIAL_GAP_RE = re.compile(r"\.[ \t\u00a0]{0,3}")
_TITLE_GAP_RE = re.compile(r"\.?[ \t\u00a0]{1,3}")
_LIST_GAP_RE = re.compile(r"[ \t\u00a0]{0,2}[,&/][ \t\u00a0]{0,2}")
_LIST_JOINERS = frozenset(("og", "eller", "samt"))
_ABBREV_END_RE = re.compile(
    r"(?:^|[^\w.])(?:hr|fru|frk|dr|ca|evt|dvs|mht|ift|ifht|jf|nr|kl|st|mv|osv|inkl|ekskl|tlf|vedr|pga|"
    r"iflg|ang|bl\.a|f\.eks|m\.m|o\.l|m\.fl|d\.d|s\.u)\.$", re.I)
_SKIP_BEFORE_WORD = frozenset(" \t\u00a0\"'«»“”„‘’(*•·–—-")

# Words after which a capitalised word is taken as a name ("borgeren Ahmed", "min sagsbehandler Lone").
_CUES = frozenset("""
    borger borgeren rådgiver rådgiveren sagsbehandler sagsbehandleren leder lederen kollega kollegaen
    kollegen min mit mine vores din dit jeres jobkonsulent jobkonsulenten konsulent konsulenten
    virksomhedskonsulent virksomhedskonsulenten socialrådgiver socialrådgiveren mentor mentoren chef
    chefen kontaktperson kontaktpersonen underviser underviseren deltager deltageren medarbejder
    medarbejderen ven vennen veninde veninden kæreste kæresten mand manden kone konen hustru hustruen
    søn sønnen datter datteren mor moren moderen far faren faderen bror broren broderen søster søsteren
    nabo naboen læge lægen psykolog psykologen hedder kaldet kære hej hilsen mvh vh ifølge
""".split())
_TITLES = frozenset("hr fru frk dr prof".split())
# Words after which a capitalised word no list knows is taken as a name: «Sabiha fra Vejle foreslog …»,
# «Sabiha foreslog …» (a workshop writer's planted name, first in its line, went through: no list knew it, and
# a line's first word is not listed by «Tjek for navne»). Only for a word that is neither common Danish
# vocabulary nor two common words written together («Styregruppen foreslog» stays).
_SPEECH_VERBS = frozenset("""
    sagde siger foreslog foreslår spurgte spørger mente mener fortalte fortæller nævnte nævner påpegede
    påpeger svarede svarer tilføjede tilføjer understregede understreger forklarede forklarer syntes
    bemærkede bemærker efterlyste efterlyser pointerede pointerer
""".split())
_FROM = "fra"
_DEFINITE_SUFFIXES = ("erne", "ene", "en", "et", "n", "t")
# After these an ambiguous first name is part of a fixed expression ("Sankt Hans").
_NOT_NAME_AFTER = frozenset("sankt skt".split())
_SURNAME_SUFFIXES = ("sen", "sson", "gaard", "gård", "strup", "rup")
_MAX_NAME_TOKENS = 5
_MAX_PASSES = 4


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def _is_cap(tok: str) -> bool:
    """Capitalised: upper-case first letter, and neither the word nor its first hyphen part is an
    all-caps acronym ("CPR-nummer", "AI-løsning"); single letters and "O'Brien" count."""
    head = _HYPHEN_SPLIT_RE.split(tok, 1)[0]
    return tok[0].isupper() and (len(head) == 1 or not head.isupper())


def _valid_date(day: int, month: int, year: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12 and 1900 <= year <= 2099


def _looks_like_date_or_years(m: re.Match[str]) -> bool:
    """True for unprefixed phone-shaped numbers that are really dates or year ranges."""
    digits = re.sub(r"\D", "", m.group(0))
    dmy = _valid_date(int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    ymd = _valid_date(int(digits[6:]), int(digits[4:6]), int(digits[:4]))
    if m.group("p44"):
        return 1900 <= int(digits[:4]) <= 2099 and 1900 <= int(digits[4:]) <= 2099
    if m.group("p224"):
        return dmy
    if m.group("p422"):
        return ymd
    if m.group("p8"):
        return dmy or ymd
    return False


def _mask(masked: str, spans: list[tuple[int, int, str]]) -> str:
    if not spans:
        return masked
    parts = []
    pos = 0
    for start, end, _ in spans:
        parts.append(masked[pos:start])
        parts.append(_MASK * (end - start))
        pos = end
    parts.append(masked[pos:])
    return "".join(parts)


def _render(text: str, found: list[tuple[int, int, str]]) -> str:
    out = []
    pos = 0
    for start, end, kind in found:
        out.append(text[pos:start])
        out.append(PLACEHOLDERS[kind])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _to_original(found: list[tuple[int, int, str]], extra: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Map spans found in the rendered output back to the original text.

    Finds never include a placeholder (placeholders are masked), so each lies in unchanged text.
    """
    mapped = []
    k = 0
    shift = 0          # rendered position minus original position, left of the current find
    for start, end, kind in extra:
        while k < len(found):
            f_start, f_end, f_kind = found[k]
            rendered_start = f_start + shift
            if rendered_start >= start:
                break
            shift += len(PLACEHOLDERS[f_kind]) - (f_end - f_start)
            k += 1
        mapped.append((start - shift, end - shift, kind))
    return mapped


def _sentence_initial(masked: str, pos: int) -> bool:
    """True if the word at ``pos`` opens the text, a line or a sentence."""
    j = pos - 1
    while j >= 0 and masked[j] in _SKIP_BEFORE_WORD:
        j -= 1
    if j < 0:
        return True
    c = masked[j]
    if c in "\n\r!?":
        return True
    if c == ".":
        return not _ABBREV_END_RE.search(masked[max(0, j - 8):j + 1])
    return False


def _speaker_label(masked: str, end: int) -> bool:
    """True for a word followed by a colon, as in a speaker line ("Per: ...", "- Bo: ...")."""
    return masked[end:end + 1] == ":"


def _genitive_stem(low: str) -> str | None:
    return low[:-1] if len(low) > 3 and low[-1] == "s" else None


# ---------------------------------------------------------------------------------------------
# Pseudonymiser
# ---------------------------------------------------------------------------------------------

class Pseudonymiser:
    """Replace personal data in Danish text by typed placeholders (see :data:`PLACEHOLDERS`)."""

    def __init__(self, extra_names: Iterable[str] = (), protected_words: Iterable[str] = ()):
        """extra_names: participant names from a manifest (full names and/or single names), always replaced.
        protected_words: extra words that must never be replaced (e.g. municipality names of the workshop)."""
        lists = _default_lists()
        self._first = lists.first
        self._ambiguous = lists.ambiguous
        self._surnames = lists.surnames
        extra_protected = set()
        for word in protected_words:
            low = " ".join(str(word).split()).lower()
            if low:
                extra_protected.add(low)
                extra_protected.update(t.lower() for t in _WORD_RE.findall(low))
        self._protected = lists.protected | frozenset(extra_protected)
        self._list_names = lists.first | lists.ambiguous | lists.surnames

        full: set[str] = set()
        singles: set[str] = set()
        parts: set[str] = set()
        for name in extra_names:
            words = str(name).split()
            if not words:
                continue
            tokens = [t.lower() for t in _WORD_RE.findall(" ".join(words))]
            if len(words) == 1:
                singles.update(tokens)
            else:
                full.add(r"\s+".join(re.escape(w) for w in words))
            for tok in tokens:
                pieces = [tok] + (tok.split("-") if "-" in tok else [])
                parts.update(p for p in pieces if len(p) >= 3)
        self._manifest_singles = frozenset(singles)
        self._manifest_parts = frozenset(parts - singles)
        self._manifest_full_re = None
        if full:
            alternatives = "|".join(sorted(full, key=len, reverse=True))
            self._manifest_full_re = re.compile(rf"(?<![\w\-])(?:{alternatives})(?:['’]?s|['’])?(?![\w\-])",
                                                re.IGNORECASE)

    # -- public API ------------------------------------------------------------------------------

    def pseudonymise(self, text: str, *, label: bool = False) -> tuple[str, list[Redaction]]:
        """Return the pseudonymised text and its redactions, ordered by position.

        ``label=True`` treats the text as a speaker label: an ambiguous first name ("Per", "Bo")
        counts as a name even at the start.
        """
        if not text:
            return text, []
        found = self._detect(text, label)
        if not found:
            return text, []
        out = _render(text, found)
        # Replacing a value changes its neighbourhood ("Toften 12 12345678": once the address is gone
        # the phone number no longer has digits before it). Detect again on the output until nothing
        # new turns up, so that the result is a fixed point: pseudonymising it again changes nothing.
        for _ in range(_MAX_PASSES):
            extra = self._detect(out, label)
            if not extra:
                break
            found = sorted(found + _to_original(found, extra))
            out = _render(text, found)
        return out, [Redaction(kind, start, end) for start, end, kind in found]

    def _detect(self, text: str, label: bool) -> list[tuple[int, int, str]]:
        """All finds in ``text`` as sorted ``(start, end, kind)``; existing placeholders are kept."""
        masked = _mask(text, [(m.start(), m.end(), "") for m in _PLACEHOLDER_RE.finditer(text)])
        found: list[tuple[int, int, str]] = []
        for kind, finder in (("email", self._find_emails), ("cpr", self._find_cpr),
                             ("telefon", self._find_phones), ("adresse", self._find_addresses)):
            spans = finder(masked)
            if spans:
                spans = [(s, e, kind) for s, e in spans]
                found.extend(spans)
                masked = _mask(masked, sorted(spans))
        found.extend((s, e, "navn") for s, e in self._find_names(masked, label))
        found.sort()
        return found

    def pseudonymise_label(self, text: str) -> str:
        """Pseudonymise a speaker label and return only the text."""
        return self.pseudonymise(text, label=True)[0]

    # -- detectors -------------------------------------------------------------------------------

    @staticmethod
    def _find_emails(masked: str) -> list[tuple[int, int]]:
        if "@" not in masked:
            return []
        return [m.span() for m in _EMAIL_RE.finditer(masked)]

    @staticmethod
    def _find_cpr(masked: str) -> list[tuple[int, int]]:
        return [m.span() for m in _CPR_RE.finditer(masked)]

    @staticmethod
    def _find_phones(masked: str) -> list[tuple[int, int]]:
        return [m.span() for m in _PHONE_RE.finditer(masked)
                if m.group("prefix") or not _looks_like_date_or_years(m)]

    def _find_addresses(self, masked: str) -> list[tuple[int, int]]:
        spans = []
        for m in _ADDRESS_RE.finditer(masked):
            head = m.group("head")
            head_low = head.lower()
            if head_low in _STREET_COMPOUND_ONLY:
                continue              # "Lund 3" is a surname and a number
            pre = [(w.start() + m.start("pre"), w.group()) for w in re.finditer(r"\S+", m.group("pre"))]
            if head_low in _STREET_STANDALONE:
                # "Ole Rømers Gade 4", "Store Torv 3": the words before belong to the name
                if pre and pre[0][1].lower() in _STREET_TRIM:
                    pre = pre[1:]
                if not pre:
                    continue          # "Vej 4", "Have 3": a bare indefinite suffix is no street name
            else:
                # "Vestergade 4", "Toften 7": only prefixes such as "Store", "Nørre" belong to it
                if head_low in self._protected:
                    continue
                keep = 0
                for _, word in reversed(pre):
                    if word.lower().rstrip(".") not in _STREET_PREFIXES:
                        break
                    keep += 1
                pre = pre[len(pre) - keep:]
            start = pre[0][0] if pre else m.start("head")
            spans.append((start, m.end()))
        return spans

    # -- names -----------------------------------------------------------------------------------

    def _is_protected(self, low: str) -> bool:
        if low in self._protected:
            return True
        if low in self._list_names:
            return False
        stem = _genitive_stem(low)
        if stem and stem in self._protected and stem not in self._list_names:
            return True
        if "-" in low:
            pieces = low.split("-")
            return any(p in self._protected for p in pieces) and not any(p in self._list_names for p in pieces)
        return False

    def _in(self, low: str, names: frozenset[str]) -> bool:
        if low in names:
            return True
        stem = _genitive_stem(low)
        return stem is not None and stem in names

    def _first_kind(self, low: str) -> str | None:
        """'first', 'ambiguous' or None for a lower-cased token."""
        if self._in(low, self._first):
            return "first"
        if self._in(low, self._ambiguous):
            return "ambiguous"
        if "-" in low:
            pieces = low.split("-")
            if any(p in self._first or p in self._ambiguous for p in pieces):
                return "first"
        return None

    def _surname_like(self, tok: str) -> bool:
        if not _is_cap(tok):
            return False
        low = tok.lower()
        if self._in(low, self._manifest_singles):
            return True
        if self._is_protected(low):
            return False
        if self._in(low, self._surnames) or self._in(low, self._manifest_parts):
            return True
        stem = _genitive_stem(low) or low
        return any(len(w) > len(suf) + 1 and w.endswith(suf) for w in (low, stem) for suf in _SURNAME_SUFFIXES)

    def _next_is_surname(self, masked: str, toks: list[tuple[int, int, str]], i: int) -> bool:
        if i + 1 >= len(toks):
            return False
        gap = masked[toks[i][1]:toks[i + 1][0]]
        return bool(_NAME_GAP_RE.fullmatch(gap)) and self._surname_like(toks[i + 1][2])

    def _after_cue(self, masked: str, toks: list[tuple[int, int, str]], i: int) -> bool:
        if i == 0:
            return False
        _, prev_end, prev = toks[i - 1]
        gap = masked[prev_end:toks[i][0]]
        prev_low = prev.lower()
        if prev_low in _CUES and _NAME_GAP_RE.fullmatch(gap):
            return True
        return prev_low in _TITLES and bool(_TITLE_GAP_RE.fullmatch(gap))

    def _before_cue(self, masked: str, toks: list[tuple[int, int, str]], i: int) -> bool:
        """«Sabiha fra Vejle …», «Sabiha foreslog …»: an unknown capitalised word before «fra» and a capitalised
        place, or before a verb of speech (:data:`_SPEECH_VERBS`)."""
        if i + 1 >= len(toks) or not re.fullmatch(r"[ \t]+", masked[toks[i][1]:toks[i + 1][0]]):
            return False
        nxt = toks[i + 1][2]
        from_place = (nxt == _FROM and i + 2 < len(toks) and _is_cap(toks[i + 2][2])
                      and re.fullmatch(r"[ \t]+", masked[toks[i + 1][1]:toks[i + 2][0]]))
        if nxt not in _SPEECH_VERBS and not from_place:
            return False
        from .nlp import is_common_compound, is_common_word  # lazy: nlp imports this module
        word = toks[i][2]
        # a definite form of a word that is vocabulary or on the protected list: «Chatbotten», «Dashboardet»
        forms = [word] + [word[:-len(suf)] for suf in _DEFINITE_SUFFIXES if word.lower().endswith(suf)
                          and len(word) - len(suf) >= 3]
        forms += [f[:-1] for f in forms[1:] if len(f) > 3 and f[-1] == f[-2]]  # «Chatbotten» → «chatbot»
        return not any(is_common_word(f) or is_common_compound(f) or self._is_protected(f.lower()) for f in forms)

    def _ambiguous_ok(self, masked: str, toks: list[tuple[int, int, str]], i: int, label: bool) -> bool:
        start, end, _ = toks[i]
        if i > 0 and toks[i - 1][2].lower() in _NOT_NAME_AFTER:
            return False
        return (label or not _sentence_initial(masked, start) or _speaker_label(masked, end)
                or self._next_is_surname(masked, toks, i) or self._in_name_list(masked, toks, i))

    def _in_name_list(self, masked: str, toks: list[tuple[int, int, str]], i: int) -> bool:
        """True if a first name follows after ", " or "og": "Kim, Bo og Per", "Lærke og Rune"."""
        j = i + 1
        if j < len(toks) and toks[j][2] in _LIST_JOINERS and _NAME_GAP_RE.fullmatch(masked[toks[i][1]:toks[j][0]]):
            gap_ok = True
            j += 1
        else:
            gap_ok = False
        if j >= len(toks):
            return False
        gap = masked[toks[j - 1][1]:toks[j][0]]
        if not (_NAME_GAP_RE.fullmatch(gap) if gap_ok else _LIST_GAP_RE.fullmatch(gap)):
            return False
        tok = toks[j][2]
        low = tok.lower()
        return _is_cap(tok) and not self._is_protected(low) and (
            self._first_kind(low) is not None or self._in(low, self._manifest_singles))

    def _starts_name(self, masked: str, toks: list[tuple[int, int, str]], i: int, label: bool) -> bool:
        tok = toks[i][2]
        low = tok.lower()
        if not _is_cap(tok):
            # all-caps unambiguous first names ("METTE"), never acronyms that are words
            return len(tok) >= 3 and tok.isupper() and not self._is_protected(low) and (
                low in self._first or low in self._manifest_singles)
        if self._in(low, self._manifest_singles):
            return True                      # manifest names win over everything
        if self._is_protected(low):
            return False
        if len(tok) > 1 and self._after_cue(masked, toks, i):
            return True                      # "borgeren Ahmed"; not "Borger A" (already a pseudonym)
        if len(tok) > 2 and not tok.isupper() and self._before_cue(masked, toks, i):
            return True                      # "Sabiha fra Vejle foreslog", "Sabiha sagde"
        kind = self._first_kind(low)
        if self._in(low, self._manifest_parts):
            return kind != "ambiguous" or self._ambiguous_ok(masked, toks, i, label)
        if kind == "first":
            return True
        if kind == "ambiguous":
            return self._ambiguous_ok(masked, toks, i, label)
        # a lone initial before a surname: "J. Hansen"
        if len(tok) == 1 and i + 1 < len(toks):
            gap = masked[toks[i][1]:toks[i + 1][0]]
            return bool(_INITIAL_GAP_RE.fullmatch(gap)) and self._surname_like(toks[i + 1][2])
        return False

    def _continues_name(self, tok: str) -> bool:
        low = tok.lower()
        if not _is_cap(tok):
            # all-caps continuation only for listed names ("METTE HANSEN")
            return len(tok) >= 3 and tok.isupper() and not self._is_protected(low) and (
                self._first_kind(low) is not None or self._surname_like(tok.capitalize()))
        return self._in(low, self._manifest_singles) or not self._is_protected(low)

    def _find_names(self, masked: str, label: bool) -> list[tuple[int, int]]:
        toks = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(masked)]
        if not toks:
            return []
        full_end: dict[int, int] = {}       # token index -> end of the manifest full name covering it
        if self._manifest_full_re is not None:
            spans = [m.span() for m in self._manifest_full_re.finditer(masked)]
            k = 0
            for idx, (start, _, _) in enumerate(toks):
                while k < len(spans) and spans[k][1] <= start:
                    k += 1
                if k < len(spans) and spans[k][0] <= start < spans[k][1]:
                    full_end[idx] = spans[k][1]
        found = []
        n = len(toks)
        i = 0
        while i < n:
            start, end, tok = toks[i]
            if i in full_end:
                end = full_end[i]
            elif not self._starts_name(masked, toks, i, label):
                i += 1
                continue
            j = i + 1
            while j < n and toks[j][0] < end:
                j += 1
            count = 1
            while j < n and count < _MAX_NAME_TOKENS:
                nxt_start, nxt_end, nxt = toks[j]
                gap = masked[end:nxt_start]
                prev = toks[j - 1][2]
                if not (_NAME_GAP_RE.fullmatch(gap)
                        or (len(prev) == 1 and prev.isupper() and _INITIAL_GAP_RE.fullmatch(gap))):
                    break
                if j in full_end:
                    end = full_end[j]
                elif self._continues_name(nxt):
                    end = nxt_end
                else:
                    break
                j += 1
                while j < n and toks[j][0] < end:
                    j += 1
                count += 1
            found.append((start, end))
            i = j
        return found


# ---------------------------------------------------------------- special categories (never quoted)

#: The speaker speaking of themselves: «jeg», «min» …, and also «vi, der er syge», «os med handicap» (a group
#: the speaker counts themselves in) and «man er syg» (Danish «man» for oneself). A plain «vi» or «man» is not:
#: «vi skal tage hensyn til borgere med stress» is a staff remark about others.
_FIRST_PERSON = re.compile(r"\b(?:jeg|mig|min|mit|mine)\b|\b(?:vi|os)\b,?\s+(?:der|som|med)\b"
                           r"|\bman\s+(?:er|har|bliver|var|får)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _sensitive_pattern() -> re.Pattern:
    text = resources.files("workshopnlp").joinpath("resources/sensitive_terms_da.txt").read_text("utf-8")
    starts = sorted({w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")})
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in starts) + r")\w*", re.IGNORECASE)


def is_sensitive(text: str) -> bool:
    """True if ``text`` speaks of the speaker (jeg, mig, min …, «vi, der …», «os med …», «man er …»: see
    ``_FIRST_PERSON``) together with a word of
    ``resources/sensitive_terms_da.txt`` (health, religion, sexual orientation, union membership, offences):
    "Jeg har ADHD og …". Such a statement is kept in the analysis but never chosen as a quote – pseudonymising
    names does not make a diagnosis told in a small group anonymous. A general remark ("algoritmer kan
    forskelsbehandle borgere med handicap") is not about the speaker and stays quotable."""
    text = str(text or "")
    return bool(_FIRST_PERSON.search(text) and _sensitive_pattern().search(text))
