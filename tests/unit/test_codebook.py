import copy

import pytest
import yaml

from conftest import REPO
from workshopnlp.codebook import REQUIRED_CODES, load_codebook, parse_codebook
from workshopnlp.errors import InputError

SEED = (REPO.parent / "shared" / "seeds" / "000_5885a0771b00bcfa.txt")


@pytest.fixture(scope="module")
def raw_codebook():
    return yaml.safe_load((REPO / "src" / "workshopnlp" / "codebooks" / "dataetik_2022.yaml").read_text("utf-8"))


def test_shipped_codebook_has_every_fixed_code_with_enough_examples():
    cb = load_codebook()
    for dim, codes in REQUIRED_CODES.items():
        assert cb.dimension(dim).code_ids == codes
        for code in cb.dimension(dim).codes:
            assert len(code.examples) >= 25, code.id
            assert {e.persona for e in code.examples} >= {"raadgiver", "leder", "sikret_ledig",
                                                          "borger_i_ressourceforloeb"}, code.id
            assert code.counter_examples, code.id
    assert cb.version and len(cb.sha256) == 64


def test_focus_areas_carry_the_seeds_dilemma_and_question():
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    cb = load_codebook()
    for code in cb.dimension("focus_area").codes:
        if code.id == "ingen":
            continue
        assert code.dilemma and code.question
        assert code.question in seed, code.id
        assert code.dilemma.split(",")[0] in seed, code.id


def _fails(data, *words):
    with pytest.raises(InputError) as err:
        parse_codebook(data, "test.yaml")
    text = err.value.describe()
    for word in words:
        assert word in text, text
    return text


def test_unknown_key(raw_codebook):
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][0]["codes"][0]["synonymer"] = ["x"]
    _fails(data, "synonymer", "focus_area.formaal")


def test_duplicate_code_id(raw_codebook):
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][1]["codes"].append(copy.deepcopy(data["dimensions"][1]["codes"][0]))
    _fails(data, "to gange", "mennesket_i_centrum")


def test_unknown_and_missing_code_ids(raw_codebook):
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][0]["codes"][1]["id"] = "tryghed"
    _fails(data, "tryghed", "faste")
    data = copy.deepcopy(raw_codebook)
    del data["dimensions"][0]["codes"][2]
    _fails(data, "teknologisk_forstaaelse", "mangler")


def test_code_without_examples(raw_codebook):
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][1]["codes"][3]["examples"] = []
    _fails(data, "ansvarlighed", "eksempler")


def test_counter_example_pointing_nowhere(raw_codebook):
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][0]["codes"][0]["counter_examples"][0]["belongs_to"] = "gennemskuelighed"
    _fails(data, "gennemskuelighed", "belongs_to")


def test_example_with_unknown_persona_or_register(raw_codebook):
    """An example's persona and register describe who said it and how; a typo there would silently
    misdescribe the codebook's spread across personas and registers."""
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][0]["codes"][0]["examples"][2]["persona"] = "chef"
    _fails(data, "ukendt persona 'chef'", "focus_area.formaal.examples[3]", "borger_i_ressourceforloeb")
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][1]["codes"][1]["examples"][0]["register"] = "mail"
    _fails(data, "ukendt register 'mail'", "examples[1]", "referat")


def test_researcher_can_point_to_another_codebook(tmp_path, raw_codebook):
    data = copy.deepcopy(raw_codebook)
    data["version"] = "9.9.9-test"
    path = tmp_path / "min_kodebog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_codebook(path).version == "9.9.9-test"
    with pytest.raises(InputError, match="findes ikke"):
        load_codebook(tmp_path / "mangler.yaml")
