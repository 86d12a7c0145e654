"""Parameters as data: a --params file is merged key by key into the defaults and checked before anything runs."""

from __future__ import annotations

import pytest

from workshopnlp.config import load_params, merge_params, params_override
from workshopnlp.errors import InputError


def _file(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_nested_override_changes_one_value_and_keeps_its_neighbours(tmp_path):
    defaults = load_params()
    params = load_params(_file(tmp_path, "coding:\n  keyword_weight:\n    focus_area: 0.25\n"))
    assert params["coding"]["keyword_weight"] == {**defaults["coding"]["keyword_weight"], "focus_area": 0.25}
    assert params["coding"]["keyword_weight"]["principle"] == defaults["coding"]["keyword_weight"]["principle"]
    assert {k: v for k, v in params["coding"].items() if k != "keyword_weight"} == \
        {k: v for k, v in defaults["coding"].items() if k != "keyword_weight"}


@pytest.mark.parametrize("text, expected", [
    ("coding:\n  keyword_weight:\n    focus_areaa: 0\n", ["ukendte nøgler i 'coding.keyword_weight': focus_areaa",
                                                        "tilladte nøgler: focus_area, principle"]),
    ("figures:\n  min_cell_count: ti\n", ["'figures.min_cell_count' skal være et tal", "'ti'"]),
    ("coding:\n  ignore_placeholders: 1\n", ["'coding.ignore_placeholders' skal være sand/falsk"]),
    ("coding:\n  keyword_weight: 0.5\n", ["'coding.keyword_weight' skal være nøgler med værdier"]),
    ("figurer:\n  dpi: 100\n", ["ukendt sektion 'figurer'"]),
    ("- figures\n", ["parametrene skal være nøgler med værdier"]),
])
def test_a_typo_or_a_wrong_kind_of_value_is_refused_naming_the_file_and_key(tmp_path, text, expected):
    path = _file(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_params(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message, message


def test_a_number_may_be_written_without_decimals_where_the_default_has_them(tmp_path):
    assert load_params(_file(tmp_path, "coding:\n  C: 8\n"))["coding"]["C"] == 8


def test_the_override_of_a_run_gives_its_parameters_back():
    defaults = load_params()
    assert params_override(defaults) == {}
    changed = merge_params({"figures": {"min_cell_count": 30}, "coding": {"keyword_weight": {"principle": 1.0}}})
    override = params_override(changed)
    assert override == {"figures": {"min_cell_count": 30}, "coding": {"keyword_weight": {"principle": 1.0}}}
    assert merge_params(override) == changed


def test_a_params_file_that_is_not_yaml_or_not_there_is_named_in_danish(tmp_path):
    with pytest.raises(InputError) as caught:
        load_params(_file(tmp_path, "figures:\n  dpi: 100\n\tfont: x\n"))
    assert caught.value.message.startswith("parameterfilen er ikke gyldig YAML: linjen indeholder et tabulatortegn")
    assert caught.value.location.startswith("linje 3")
    with pytest.raises(InputError) as caught:
        load_params(tmp_path / "findes_ikke.yaml")
    assert "kan ikke læse parameterfilen" in caught.value.message and "--params" in caught.value.fix
