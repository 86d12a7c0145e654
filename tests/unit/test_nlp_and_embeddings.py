"""Danish NLP components and the embedder contract (the real loading code, no network)."""

import numpy as np
import pytest

from workshopnlp.embeddings import EmbeddingCache, HashingEmbedder, embed_texts, get_embedder, text_key
from workshopnlp.errors import ModelMissingError
from workshopnlp.nlp import analyse, build_pipeline, domain_stop_words, lemma_exceptions, stop_words


def test_simplemma_lemmas_lower_case_first_words_too():
    (a,) = analyse(["Borgerne spurgte kommunernes sagsbehandlere om algoritmerne."])
    assert a.lemmas[:3] == ("borger", "spørge", "kommune")
    assert "algoritme" in a.lemmas and "sagsbehandler" in a.lemmas
    assert a.token_count == 6


@pytest.mark.parametrize("lemmatizer", ["simplemma", "lookup"])
def test_domain_lemma_exceptions_override_the_wrong_word_class(lemmatizer):
    """simplemma makes the noun "borger" the verb "borge" and "svært" the verb "sværte"; the domain list
    corrects every pair it names, with either lemmatizer, and leaves the rest to the lemmatizer."""
    import simplemma

    assert simplemma.lemmatize("borger", lang="da") == "borge"  # the error the list exists for
    exceptions = lemma_exceptions()
    assert {"borger": "borger", "svært": "svær"}.items() <= exceptions.items()
    for word, lemma in exceptions.items():
        assert analyse([f"Det er {word.capitalize()} og {word}"], lemmatizer=lemmatizer)[0].lemmas[-3::2] \
            == (lemma, lemma), word
    assert analyse(["borgerne taler med borgeren"], lemmatizer=lemmatizer)[0].content_lemmas[0] == "borger"
    # a tester's theme «algoritme, rådgive, finte» and «sagsbehandle, system»: the persona nouns and "fint"
    a = analyse(["Min rådgiver og lederne synes, det er fint, at en sagsbehandler ser på det"],
                lemmatizer=lemmatizer)[0]
    assert {"rådgiver", "leder", "fin", "sagsbehandler"} <= set(a.lemmas)
    assert not {"rådgive", "led", "finte", "sagsbehandle"} & set(a.lemmas)


@pytest.mark.parametrize("lemmatizer", ["simplemma", "lookup"])
def test_the_insured_persona_is_not_the_verb_to_secure(lemmatizer):
    """"sikrede ledige" (the seed's insured unemployed) gave the theme words «sikre, ledig»: before «ledig»
    the participle is the adjective «sikret»; elsewhere ("data er sikret") it stays the verb «sikre»."""
    (persona, verb) = analyse(["De sikrede ledige og en forsikret ledig.", "Data er sikret, og vi sikrede os."],
                              lemmatizer=lemmatizer)
    assert persona.content_lemmas[:4] == ("sikret", "ledig", "forsikret", "ledig")
    assert verb.content_lemmas[-2:] == ("sikre", "sikre")


def test_stop_words_are_spacy_plus_the_documented_domain_list():
    words = stop_words()
    assert {"og", "at", "det"} <= words and {"synes", "altså", "workshop"} <= words
    assert domain_stop_words() < words
    assert not {"tillid", "formål", "data", "borger", "samtykke"} & words  # codebook words stay


def test_placeholders_stay_single_tokens_and_are_not_content():
    (a,) = analyse(["Ring til [NAVN] på [TELEFON] om samtykke."])
    assert "[NAVN]" in a.tokens and "[TELEFON]" in a.tokens
    assert len(a.content_lemmas) == 2 and a.content_lemmas[1] == "samtykke"  # "ring", "samtykke"
    assert not {"[NAVN]", "[TELEFON]", "NAVN", "TELEFON", "navn", "telefon"} & set(a.content_lemmas)


def test_spacy_lookup_lemmatizer_is_a_working_alternative():
    nlp = build_pipeline("lookup")
    doc = nlp("kommunerne gemmer oplysningerne")
    assert [t.lemma_ for t in doc] == ["kommune", "gemme", "oplysning"]


def test_unknown_lemmatizer_names_the_fix():
    with pytest.raises(ModelMissingError, match="ukendt lemmatiser"):
        build_pipeline("stanza")


def test_hashing_embedder_honours_the_contract():
    embedder = HashingEmbedder()
    v = embedder.embed(["tillid til kommunen", "tillid til kommunen!", "kaffe i pausen"])
    assert v.shape == (3, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert np.array_equal(v, HashingEmbedder().embed(["tillid til kommunen", "tillid til kommunen!",
                                                      "kaffe i pausen"]))


def test_cache_computes_only_what_is_missing(tmp_path):
    calls = []

    class Counting:
        model_id = "tæller-1"

        def embed(self, texts):
            calls.append(list(texts))
            return HashingEmbedder().embed(texts)

    cache = EmbeddingCache(tmp_path / "e.sqlite")
    first = embed_texts(["a b c", "d e f", "a b c"], Counting(), cache)
    second = embed_texts(["d e f", "g h i"], Counting(), cache)
    assert calls == [["a b c", "d e f"], ["g h i"]]
    assert np.array_equal(first[1], second[0]) and np.array_equal(first[0], first[2])


def test_the_cache_lives_under_processed_unless_one_shared_cache_is_named(tmp_path, monkeypatch):
    from workshopnlp.embeddings import CACHE_ENV, cache_for, cache_path

    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert cache_path(tmp_path / "data") == tmp_path / "data" / "processed" / "_cache" / "embeddings.sqlite"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "delt" / "e.sqlite"))
    for data_dir in ("a", "b"):  # two data dirs, one cache: what one embedded, the other finds
        embed_texts(["samme tekst"], HashingEmbedder(), cache_for(tmp_path / data_dir))
    assert not (tmp_path / "a" / "processed").exists()
    found = EmbeddingCache(tmp_path / "delt" / "e.sqlite").get_many(HashingEmbedder().model_id, [text_key("samme tekst")])
    assert list(found) == [text_key("samme tekst")]


def test_unknown_embedder_is_refused_not_replaced():
    with pytest.raises(ModelMissingError, match="ukendt embedder"):
        get_embedder("sentence-transformers")


MY_EMBEDDER = '''
import numpy as np

class MinEmbedder:
    """A researcher's own: lexical vectors under its own model id; takes batch_size, not role."""
    def __init__(self, batch_size=64):
        from workshopnlp.embeddings import HashingEmbedder
        self._inner = HashingEmbedder(dim=64)
        self.batch_size = batch_size
        self.model_id = "min-embedder-1"

    def embed(self, texts):
        return self._inner.embed(texts)

class Halv:
    model_id = "halv"
'''


def test_a_researchers_own_embedder_is_named_as_module_and_class(tmp_path, monkeypatch):
    (tmp_path / "mit_modul.py").write_text(MY_EMBEDDER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    embedder = get_embedder("mit_modul:MinEmbedder", role="query", batch_size=8)  # role: not one it takes
    assert embedder.model_id == "min-embedder-1" and embedder.batch_size == 8
    vectors = embed_texts(["Formålet skal være klart", "Jeg stoler ikke på systemet"], embedder,
                          EmbeddingCache(tmp_path / "cache.sqlite"))
    assert vectors.shape == (2, 64) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    key = text_key("Formålet skal være klart")  # cached under its own model id
    assert EmbeddingCache(tmp_path / "cache.sqlite").get_many("min-embedder-1", [key])
    assert not EmbeddingCache(tmp_path / "cache.sqlite").get_many(HashingEmbedder(dim=64).model_id, [key])


@pytest.mark.parametrize("name, expected", [("mit_modul:Findes", "modulet 'mit_modul' har ingen 'Findes'"),
                                            ("intet_modul_her:X", "modul 'intet_modul_her' kan ikke importeres"),
                                            ("mit_modul:Halv", "mangler embed")])
def test_an_own_embedder_that_cannot_be_used_is_named_with_the_fix(tmp_path, monkeypatch, name, expected):
    (tmp_path / "mit_modul.py").write_text(MY_EMBEDDER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModelMissingError) as caught:
        get_embedder(name)
    assert expected in str(caught.value)
