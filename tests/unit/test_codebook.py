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
    data = copy.deepcopy(raw_codebook)  # the 'id:' line deleted: named by position and label, not as id 'None'
    label = data["dimensions"][0]["codes"][2].pop("id") and data["dimensions"][0]["codes"][2]["label"]
    text = _fails(data, "koden mangler 'id'", f"label '{label}'", "focus_area.codes[3]", "tilføj 'id:'")
    assert "None" not in text


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


def _fails_on_disk(tmp_path, content: bytes, *words):
    path = tmp_path / "kodebog.yaml"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_codebook(path)
    text = err.value.describe()
    for word in words:
        assert word in text, text
    return text


def test_a_codebook_saved_in_another_encoding_or_given_as_a_folder(tmp_path):
    shipped = (REPO / "src" / "workshopnlp" / "codebooks" / "dataetik_2022.yaml").read_text("utf-8")
    first_non_ascii = next(i for i, line in enumerate(shipped.splitlines(), 1) if not line.isascii())
    _fails_on_disk(tmp_path, shipped.encode("latin-1", errors="replace"), "UTF-8", f"linje {first_non_ascii}")
    _fails_on_disk(tmp_path, shipped.encode("utf-16"), "UTF-8")
    with pytest.raises(InputError, match="mappe"):
        load_codebook(tmp_path)
    assert load_codebook_bytes(tmp_path, b"\xef\xbb\xbf" + shipped.encode("utf-8")).version  # a BOM is fine


def load_codebook_bytes(tmp_path, content: bytes):
    path = tmp_path / "med_bom.yaml"
    path.write_bytes(content)
    return load_codebook(path)


def test_yaml_errors_name_the_line_in_danish(tmp_path):
    shipped = (REPO / "src" / "workshopnlp" / "codebooks" / "dataetik_2022.yaml").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(shipped) if text.strip().startswith("label:"))
    broken = shipped[:line] + [shipped[line].replace("label: ", "label: \"")] + shipped[line + 1:]
    text = _fails_on_disk(tmp_path, "\n".join(broken).encode("utf-8"), "ikke gyldig YAML", "linje ",
                          "anførselstegn")
    assert "<unicode string>" not in text


def test_a_key_written_twice_is_refused_not_silently_dropped(tmp_path):
    """PyYAML keeps the last of two equal keys: a second 'examples:' would drop the first block."""
    shipped = (REPO / "src" / "workshopnlp" / "codebooks" / "dataetik_2022.yaml").read_text("utf-8").splitlines()
    i = next(i for i, text in enumerate(shipped) if text.strip() == "examples:")
    indent = shipped[i][: len(shipped[i]) - len(shipped[i].lstrip())]
    doubled = shipped[:i] + [f"{indent}examples:", f"{indent}  - Et ekstra eksempel, der ellers forsvandt."] \
        + shipped[i:]
    _fails_on_disk(tmp_path, "\n".join(doubled).encode("utf-8"), "'examples' står to gange", f"linje {i + 1}")


def _shipped_lines() -> list[str]:
    return (REPO / "src" / "workshopnlp" / "codebooks" / "dataetik_2022.yaml").read_text("utf-8").splitlines()


def _line_of(lines: list[str], text: str, after: int = 0) -> int:
    """The 0-based index of the first line from ``after`` that is ``text`` once stripped."""
    return next(i for i in range(after, len(lines)) if lines[i].strip() == text)


def test_structural_errors_name_the_line_beside_the_path(tmp_path):
    """A researcher edits the codebook in an editor: an unknown key, a code id written twice, an unknown id
    and a code without examples are named by the line they stand on, not only by their path in the YAML."""
    shipped = _shipped_lines()
    tillid = _line_of(shipped, "- id: tillid")
    indent = shipped[tillid][: len(shipped[tillid]) - len(shipped[tillid].lstrip())] + "  "
    unknown = shipped[:tillid + 1] + [f"{indent}synonymer: [tiltro]"] + shipped[tillid + 1:]
    _fails_on_disk(tmp_path, "\n".join(unknown).encode("utf-8"), "ukendte nøgler: synonymer",
                   f"(focus_area.tillid, linje {tillid + 2})")

    first, second = _line_of(shipped, "- id: mennesket_i_centrum"), _line_of(shipped, "- id: individuel_datakontrol")
    twice = list(shipped)
    twice[second] = twice[second].replace("individuel_datakontrol", "mennesket_i_centrum")
    _fails_on_disk(tmp_path, "\n".join(twice).encode("utf-8"),
                   f"kode-id 'mennesket_i_centrum' står der to gange (første gang i linje {first + 1})",
                   f"(principle.mennesket_i_centrum, linje {second + 1})")

    renamed = list(shipped)
    renamed[tillid] = renamed[tillid].replace("tillid", "tryghed")
    _fails_on_disk(tmp_path, "\n".join(renamed).encode("utf-8"), "ukendt kode-id 'tryghed'",
                   f"(focus_area.tryghed, linje {tillid + 1})")

    code = _line_of(shipped, "- id: ansvarlighed")
    start = _line_of(shipped, "examples:", after=code)
    depth = len(shipped[start]) - len(shipped[start].lstrip())
    end = next(i for i in range(start + 1, len(shipped))
               if shipped[i].strip() and len(shipped[i]) - len(shipped[i].lstrip()) <= depth)
    without = shipped[:start] + [shipped[start] + " []"] + shipped[end:]
    _fails_on_disk(tmp_path, "\n".join(without).encode("utf-8"), "koden har 0 eksempler",
                   f"(principle.ansvarlighed, linje {code + 1})")


def test_an_item_the_file_does_not_have_is_named_without_a_line(raw_codebook):
    """A codebook given as data has no lines, and a missing item has none either: the path alone is named."""
    from workshopnlp.codebook import _Lines

    root = yaml.compose("dimensions:\n  - id: focus_area\n    codes: []\n")
    lines = _Lines(root)
    assert lines.where("focus_area", ("dimensions", 0)) == "focus_area, linje 2"
    assert lines.where("focus_area.codes", ("dimensions", 0), "codes") == "focus_area.codes, linje 3"
    assert lines.where("x", ("dimensions", 3)) == "x" and lines.where("x", ("dimensions", 0, "codes", 0)) == "x"
    assert lines.where("x", ("dimensions", "id")) == "x"
    assert _Lines().where("focus_area", ("dimensions", 0)) == "focus_area"
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][0]["codes"][0]["synonymer"] = ["x"]
    assert "linje" not in _fails(data, "(focus_area.formaal)")


@pytest.mark.parametrize(("where", "value", "words"), [
    ("keywords", "formål, hvorfor", ("'keywords' skal være en liste", "teksten «formål, hvorfor»")),
    ("include", "alt om formål", ("'include' skal være en liste",)),
    ("examples", "Et enkelt eksempel", ("'examples' skal være en liste",)),
    ("counter_examples", ["Et modeksempel som ren tekst"], ("skal stå nøgler", "belongs_to")),
    ("counter_examples", [{"belongs_to": "tillid"}], ("modeksemplet har ingen tekst",)),
    ("examples", [7] * 30, ("skal stå nøgler", "værdien 7")),
    ("examples", [["to", "ord"]] * 30, ("skal stå nøgler", "en liste")),
    ("keywords", [{"ord": "formål"}], ("punkt 1 under 'keywords' skal være en tekst",)),
])
def test_a_field_of_the_wrong_shape_is_named_not_read_letter_by_letter(raw_codebook, where, value, words):
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][0]["codes"][0][where] = value
    text = _fails(data, "focus_area.formaal", *words)
    assert "ukendte nøgler" not in text


def test_two_codes_with_the_same_label(raw_codebook):
    """Reports and coding sheets filled in with labels could not tell such codes apart."""
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][0]["codes"][1]["label"] = " formål "
    _fails(data, "samme navn", "formaal", "tillid")
    data = copy.deepcopy(raw_codebook)
    data["dimensions"][1]["codes"][0]["label"] = "Ingen"
    _fails(data, "samme navn", "ingen")


def test_rules_and_counter_example_notes_are_kept_as_written(raw_codebook):
    """The reader page quotes the codebook's rules one by one and says why a counter-example belongs elsewhere."""
    cb = parse_codebook(copy.deepcopy(raw_codebook), "test.yaml")
    assert cb.notes == tuple(raw_codebook["notes"])
    raw_counters = [(c["id"], ex) for d in raw_codebook["dimensions"] for c in d["codes"]
                    for ex in c.get("counter_examples") or []]
    with_note = [(code_id, ex) for code_id, ex in raw_counters if ex.get("note")]
    assert with_note, "the shipped codebook has counter-examples with a note"
    for code_id, ex in with_note:
        parsed = [e for d in cb.dimensions for c in d.codes if c.id == code_id for e in c.counter_examples
                  if e.text == ex["text"].strip()]
        assert parsed and parsed[0].note == " ".join(ex["note"].split()) and parsed[0].counter_of == code_id
    one_rule = copy.deepcopy(raw_codebook)
    one_rule["notes"] = "Kod hele udsagnet."
    assert parse_codebook(one_rule, "test.yaml").notes == ("Kod hele udsagnet.",)


@pytest.mark.parametrize("text, danish", [
    ('codebook_id: x\ntitle: "Uafsluttet\nversion: 1\n', "et anførselstegn lukkes aldrig"),
    ("codebook_id: x\ntitle: Et: kolon\n", "et kolon står midt i en tekst uden anførselstegn"),
    ("codebook_id: x\n\ttitle: y\n", "linjen indeholder et tabulatortegn"),
    ("notes:\n  - a\n  b: 1\n", "indrykningen passer ikke"),
    ("notes:\n  a: 1\n  b\n  c: 2\n", "en linje mangler sit kolon"),
])
def test_yaml_syntax_errors_are_explained_in_danish_before_pyyamls_words(tmp_path, text, danish):
    path = tmp_path / "kodebog.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_codebook(path)
    assert caught.value.message.startswith(f"kodebogen er ikke gyldig YAML: {danish}")
    assert "(PyYAML: " in caught.value.message and "linje " in caught.value.location
