"""coding.ignored_names: the municipalities' names are not read by the coder (equal treatment)."""

from __future__ import annotations

from workshopnlp.coding import name_pattern, without_names
from workshopnlp.config import load_params


def test_names_are_taken_out_as_whole_words_in_any_case_with_genitive():
    pattern = name_pattern(["Kolding", "Sønderborg"])
    assert without_names(["Vi i Kolding vil vide det.", "SØNDERBORGS borgere og kolding",
                          "Koldingfjord er ikke Kolding Kommune"], pattern) == [
        "Vi i vil vide det.", "borgere og", "Koldingfjord er ikke Kommune"]


def test_a_text_without_a_name_is_returned_unchanged_so_its_cached_embedding_is_reused():
    text = "Hvad  skal data\n bruges til?  "
    assert without_names([text, None], name_pattern(["Vejle"])) == [text, ""]
    assert without_names([text], name_pattern([])) == [text] and name_pattern([" ", ""]) is None


def test_the_shipped_parameters_ignore_the_five_municipalities_of_the_seed():
    names = {n.casefold() for n in load_params()["coding"]["ignored_names"]}
    assert names == {"syddjurs", "kolding", "randers", "sønderborg", "vejle"}
