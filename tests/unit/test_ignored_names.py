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


def test_the_pseudonymisers_placeholders_are_not_read_either():
    """Whether someone was named (or gave a phone number) must not weigh for a code: a statement with
    placeholders is read as the same statement without them."""
    from workshopnlp.coding import as_coder_reads
    from workshopnlp.pseudonymise import PLACEHOLDERS, Pseudonymiser

    params = load_params()["coding"]
    assert params["ignore_placeholders"] is True
    said, _ = Pseudonymiser().pseudonymise("Anne Sørensen sagde, at hun ikke stoler på systemet i Kolding.")
    assert "[NAVN]" in said
    assert as_coder_reads([said], params) == ["sagde, at hun ikke stoler på systemet i ."]
    every = " ".join(PLACEHOLDERS.values())
    assert as_coder_reads([f"Ring {every} tak"], params) == ["Ring tak"]
    assert as_coder_reads([said], {**params, "ignore_placeholders": False})[0].startswith("[NAVN] sagde")
