"""Danish tokens, lemmas and stop words with spaCy, offline.

No trained Danish spaCy pipeline installs from PyPI (see README, "Dansk sprogbehandling"), so the
pipeline is ``spacy.blank("da")`` (rule-based Danish tokenizer) plus a swappable lemmatizer component:

- ``simplemma`` (default): dictionary lemmas for Danish from the simplemma package, applied to the
  lower-cased token so sentence-initial capitals do not defeat the lookup.
- ``lookup``: spaCy's own Danish lookup table from ``spacy-lookups-data``.

Either lemmatizer is followed by the documented domain exceptions in ``resources/lemma_exceptions_da.txt``
("borger" is a noun here, not the verb "borge"). Stop words are spaCy's Danish list plus the documented
domain list in ``resources/stopwords_domain_da.txt``. Placeholders such as ``[NAVN]`` stay single tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import ModelMissingError
from .pseudonymise import PLACEHOLDERS, load_name_list

LEMMATIZERS = ("simplemma", "lookup")


@lru_cache(maxsize=1)
def domain_stop_words() -> frozenset[str]:
    text = resources.files("workshopnlp").joinpath("resources/stopwords_domain_da.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's Danish stop words plus the domain list (lower case)."""
    from spacy.lang.da.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | domain_stop_words()


@Language.component("workshopnlp_simplemma")
def _simplemma_component(doc: Doc) -> Doc:
    import simplemma

    for token in doc:
        if token.is_alpha:
            token.lemma_ = simplemma.lemmatize(token.lower_, lang="da")
        else:
            token.lemma_ = token.lower_
    return doc


@lru_cache(maxsize=1)
def _lookup_table():
    try:
        from spacy.lookups import load_lookups

        return load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, OSError, ImportError) as exc:
        raise ModelMissingError("spaCy's danske opslagstabeller (spacy-lookups-data) mangler",
                                fix="pip install 'spacy-lookups-data==1.0.5' (eller kør scripts/setup.sh)") from exc


def is_common_word(word: str) -> bool:
    """Is ``word`` (any case) a form in spaCy's Danish lookup table (``spacy-lookups-data``) or a stop word?
    That common vocabulary holds almost no first names («lone», «mette», «bjarke» are not in it); used to tell a
    topic label («Risiko: …») from the name of someone the name lists lack (:func:`ingest.is_speaker_label`)."""
    low = word.lower()
    return low in stop_words() or low in _lookup_table()


#: A compound of two common words counts as common vocabulary («Datakvalitet» = data + kvalitet) when its head
#: has at least COMPOUND_MIN_HEAD and its tail at least COMPOUND_MIN_TAIL letters: of the 783 names in the
#: bundled name lists one would pass so («Liselotte» = lise + lotte), and the name lists are checked first.
COMPOUND_MIN_HEAD = 4
COMPOUND_MIN_TAIL = 5


def is_common_compound(word: str) -> bool:
    """Is ``word`` two common Danish words written together, the head perhaps with a linking -s or -e
    («Datakvalitet», «Ressourceforløb»), and in none of the name lists?"""
    low = word.lower()
    if low in load_name_list("names_da_first") or low in load_name_list("names_da_surnames"):
        return False
    for i in range(COMPOUND_MIN_HEAD, len(low) - COMPOUND_MIN_TAIL + 1):
        head, tail = low[:i], low[i:]
        if is_common_word(tail) and (is_common_word(head) or (
                head[-1] in "se" and len(head) > COMPOUND_MIN_HEAD and is_common_word(head[:-1]))):
            return True
    return False


@lru_cache(maxsize=1)
def lemma_exceptions() -> dict[str, str]:
    """Word → lemma pairs that override the lemmatizer (``resources/lemma_exceptions_da.txt``)."""
    text = resources.files("workshopnlp").joinpath("resources/lemma_exceptions_da.txt").read_text("utf-8")
    pairs = [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return {word.lower(): lemma.lower() for word, lemma in pairs}


# "sikret ledig" / "sikrede ledige" is the seed's persona (insured unemployed): there the participle is an
# adjective, lemma "sikret", not the verb "sikre" (to secure) that "data er sikret" needs, so it is decided by
# the next word rather than listed in lemma_exceptions_da.txt.
INSURED_LEMMAS = {"sikret": "sikret", "sikrede": "sikret", "forsikret": "forsikret", "forsikrede": "forsikret"}


@Language.component("workshopnlp_lemma_exceptions")
def _lemma_exceptions(doc: Doc) -> Doc:
    exceptions = lemma_exceptions()
    for token in doc:
        lemma = exceptions.get(token.lower_)
        if lemma is not None:
            token.lemma_ = lemma
        elif (token.lower_ in INSURED_LEMMAS and token.i + 1 < len(doc)
              and doc[token.i + 1].lower_.startswith("ledig")):
            token.lemma_ = INSURED_LEMMAS[token.lower_]
    return doc


@Language.component("workshopnlp_lowercase_lemma")
def _lowercase_lemma(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = token.lemma_.lower()
    return doc


@lru_cache(maxsize=4)
def build_pipeline(lemmatizer: str = "simplemma") -> Language:
    """Return the Danish spaCy pipeline with the chosen lemmatizer.

    Raises :class:`ModelMissingError` naming the package to install when the lemmatizer's data
    is missing; there is no silent fallback to another lemmatizer.
    """
    if lemmatizer not in LEMMATIZERS:
        raise ModelMissingError(f"ukendt lemmatiser '{lemmatizer}'",
                                fix=f"vælg en af {', '.join(LEMMATIZERS)} i params.yaml (nlp.lemmatizer)")
    nlp = spacy.blank("da")
    for placeholder in PLACEHOLDERS.values():
        nlp.tokenizer.add_special_case(placeholder, [{"ORTH": placeholder}])
    if lemmatizer == "simplemma":
        try:
            import simplemma  # noqa: F401
        except ImportError as exc:
            raise ModelMissingError("simplemma er ikke installeret",
                                    fix="pip install 'simplemma==2.0.0' (eller kør scripts/setup.sh)") from exc
        nlp.add_pipe("workshopnlp_simplemma")
    else:
        try:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
        except (ValueError, OSError, ImportError) as exc:
            raise ModelMissingError(
                "spaCy's danske opslagstabeller (spacy-lookups-data) mangler",
                fix="pip install 'spacy-lookups-data==1.0.5' (eller kør scripts/setup.sh)") from exc
        nlp.add_pipe("workshopnlp_lowercase_lemma")
    nlp.add_pipe("workshopnlp_lemma_exceptions")
    return nlp


@dataclass(frozen=True)
class Analysis:
    """Danish analysis of one text."""

    tokens: tuple[str, ...]
    lemmas: tuple[str, ...]          # lemmas of word tokens, lower case
    content_lemmas: tuple[str, ...]  # lemmas without stop words, placeholders and very short words
    content_words: tuple[str, ...]   # the same words as written (lower case), one per content lemma
    token_count: int                 # word and number tokens, punctuation excluded


# Analyses already made in this process, by (lemmatiser, min_lemma_chars, text): the coder analyses the
# codebook's examples once per fit, and fits several times per run (calibration folds, two workshops).
# An analysis depends on nothing but these three (the pipeline is rule-based, one text at a time), so
# reusing one changes how much is computed, never a result. Emptied when it reaches ANALYSIS_MEMO_MAX.
_ANALYSIS_MEMO: dict[tuple[str, int, str], "Analysis"] = {}
ANALYSIS_MEMO_MAX = 200_000


def analyse(texts: Iterable[str], lemmatizer: str = "simplemma", min_lemma_chars: int = 2,
            batch_size: int = 256) -> list[Analysis]:
    texts = [t or "" for t in texts]
    unique = list(dict.fromkeys(texts))
    todo = [t for t in unique if (lemmatizer, min_lemma_chars, t) not in _ANALYSIS_MEMO]
    if todo and len(_ANALYSIS_MEMO) + len(todo) > ANALYSIS_MEMO_MAX:
        _ANALYSIS_MEMO.clear()  # full: start again with this call's texts
        todo = unique
    for text, analysis in zip(todo, _analyse(todo, lemmatizer, min_lemma_chars, batch_size)):
        _ANALYSIS_MEMO[(lemmatizer, min_lemma_chars, text)] = analysis
    return [_ANALYSIS_MEMO[(lemmatizer, min_lemma_chars, t)] for t in texts]


def _analyse(texts: list[str], lemmatizer: str, min_lemma_chars: int, batch_size: int) -> list[Analysis]:
    nlp = build_pipeline(lemmatizer)
    stops = stop_words()
    placeholders = set(PLACEHOLDERS.values())
    out: list[Analysis] = []
    for doc in nlp.pipe(texts, batch_size=batch_size):
        words = [t for t in doc if not (t.is_punct or t.is_space)]
        lemmas = tuple(t.lemma_ for t in words if t.is_alpha)
        content = [
            (lemma, t.lower_) for t, lemma in ((t, t.lemma_) for t in words if t.is_alpha)
            if lemma not in stops and t.lower_ not in stops and len(lemma) >= min_lemma_chars
            and t.text not in placeholders
        ]
        out.append(Analysis(tokens=tuple(t.text for t in doc if not t.is_space), lemmas=lemmas,
                            content_lemmas=tuple(lemma for lemma, _ in content),
                            content_words=tuple(word for _, word in content), token_count=len(words)))
    return out
