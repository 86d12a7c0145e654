"""A run that fails leaves a workshop's processed folder as it was (pipeline.previous_results_kept)."""

from __future__ import annotations

import shutil

import pytest

from workshopnlp.errors import InputError
from workshopnlp.pipeline import BACKUP_DIR_NAME, previous_results_kept

WS = "2023-05-01-test"


def _tree(root):
    return {str(p.relative_to(root)): p.read_text("utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def _results(data_dir):
    folder = data_dir / "processed" / WS
    (folder / ".pipeline").mkdir(parents=True)
    (folder / "statements.parquet").write_text("gamle udsagn", "utf-8")
    (folder / "codes.parquet").write_text("gamle koder", "utf-8")
    (folder / ".pipeline" / "ingest.json").write_text("gammelt stempel", "utf-8")
    return folder


def test_a_failed_step_puts_the_folder_back_as_it_was(tmp_path):
    folder = _results(tmp_path)
    before = _tree(folder)
    said = []
    with pytest.raises(InputError), previous_results_kept(tmp_path, WS, said.append):
        (folder / "statements.parquet").write_text("nye udsagn", "utf-8")  # ingest ran ...
        (folder / ".pipeline" / "ingest.json").write_text("nyt stempel", "utf-8")
        (folder / "themes").mkdir()
        (folder / "themes" / "halvt.json").write_text("{", "utf-8")
        raise InputError("ukendt princip 'retfaerdighed'", file="kodeark_A.xlsx")  # ... and coding failed
    assert _tree(folder) == before
    assert not (tmp_path / "processed" / BACKUP_DIR_NAME).exists()
    assert len(said) == 1 and "sat tilbage" in said[0] and WS in said[0]


def test_an_interrupted_run_is_put_back_too(tmp_path):
    folder = _results(tmp_path)
    before = _tree(folder)
    with pytest.raises(KeyboardInterrupt), previous_results_kept(tmp_path, WS, lambda _: None):
        (folder / "codes.parquet").unlink()
        raise KeyboardInterrupt
    assert _tree(folder) == before


def test_a_successful_run_keeps_its_results_and_no_copy(tmp_path):
    folder = _results(tmp_path)
    with previous_results_kept(tmp_path, WS, lambda _: None):
        (folder / "codes.parquet").write_text("nye koder", "utf-8")
    assert (folder / "codes.parquet").read_text("utf-8") == "nye koder"
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == [WS]


def test_a_first_run_that_fails_leaves_nothing_half_made(tmp_path):
    with pytest.raises(InputError), previous_results_kept(tmp_path, WS, lambda _: None):
        folder = tmp_path / "processed" / WS
        folder.mkdir(parents=True)
        (folder / "statements.parquet").write_text("nye udsagn", "utf-8")
        raise InputError("tom tabel", file="svar.csv")
    assert not (tmp_path / "processed" / WS).exists()


def test_the_copy_of_a_killed_run_is_put_back_at_the_next_run(tmp_path):
    """A run stopped with kill -9 leaves its copy of the results from before it; the next run starts from them."""
    folder = _results(tmp_path)
    before = _tree(folder)
    copy = tmp_path / "processed" / BACKUP_DIR_NAME / WS
    copy.parent.mkdir()
    shutil.copytree(folder, copy)
    (folder / "statements.parquet").write_text("halvt skrevet af den dræbte kørsel", "utf-8")
    said, seen = [], {}
    with previous_results_kept(tmp_path, WS, said.append):
        seen = _tree(folder)
    assert seen == before and len(said) == 1 and "afbrudt" in said[0]
    assert not copy.parent.exists()


def _fake_steps(data_dir, failing):
    """Four steps like the real ones, each writing one file into the workshop's processed folder."""
    from workshopnlp.pipeline import Step

    folder = data_dir / "processed" / WS
    raw = data_dir / "raw" / WS / "svar.txt"

    def step(name):
        def run(_):
            if name == failing:
                raise InputError(f"{name} fejlede", file=raw)
            target = folder / "report.txt" if name == "report" else folder / f"{name}.txt"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"{name} af {raw.read_text('utf-8')}", "utf-8")
            return type("Summary", (), {"summary": lambda self: []})()
        return Step(name, name, lambda: [raw], lambda: [folder / f"{name}.txt"], run)

    return [step(n) for n in ("ingest", "code", "themes", "report")]


@pytest.mark.parametrize("failing, kept", [("code", "gammel"), ("report", "ny")])
def test_a_run_puts_the_data_back_when_a_data_step_fails_not_when_the_pages_fail(tmp_path, monkeypatch, failing, kept):
    """A failing data step takes the whole run's data back; a failing page keeps the data the run made whole (the
    researcher opens the failing notebook on them), and the report folder is the report step's own to keep."""
    from workshopnlp import pipeline

    raw = tmp_path / "raw" / WS / "svar.txt"
    raw.parent.mkdir(parents=True)
    raw.write_text("gammel", "utf-8")
    monkeypatch.setattr(pipeline, "build_steps", lambda *a, **k: _fake_steps(tmp_path, None))
    pipeline.run_pipeline(WS, tmp_path, tmp_path / "reports", params={"x": 1}, echo=lambda _: None)
    raw.write_text("ny", "utf-8")
    monkeypatch.setattr(pipeline, "build_steps", lambda *a, **k: _fake_steps(tmp_path, failing))
    with pytest.raises(InputError):
        pipeline.run_pipeline(WS, tmp_path, tmp_path / "reports", params={"x": 1}, echo=lambda _: None)
    assert (tmp_path / "processed" / WS / "ingest.txt").read_text("utf-8") == f"ingest af {kept}"


def test_a_run_warns_when_much_of_the_text_is_unfamiliar_to_the_coder(tmp_path, monkeypatch):
    """`code INPUT` and `code --workshop` say it; `run` must too, or the person who runs one command never hears
    that a sample should be coded by people first."""
    import pandas as pd

    from workshopnlp import pipeline

    raw = tmp_path / "raw" / WS / "svar.txt"
    raw.parent.mkdir(parents=True)
    raw.write_text("svar", "utf-8")
    said = {}
    for warning in (True, False):
        steps = _fake_steps(tmp_path, None)
        codes = pd.DataFrame({"statement_id": ["s1"]})
        codes.attrs.update(unfamiliar_warning=warning, unfamiliar_text="3 af 4 udsagn (75 %) ligner ikke noget")
        steps[1].run = lambda _, codes=codes: codes
        monkeypatch.setattr(pipeline, "build_steps", lambda *a, steps=steps, **k: steps)
        said[warning] = []
        pipeline.run_pipeline(WS, tmp_path, tmp_path / "reports", params={"x": 1}, force=True,
                              echo=said[warning].append)
    assert "[code] Bemærk: 3 af 4 udsagn (75 %) ligner ikke noget" in said[True]
    assert not any("[code]" in line for line in said[False])


def _workshop_folders(data_dir, raw=(), processed=()):
    for ws in raw:
        (data_dir / "raw" / ws).mkdir(parents=True)
        (data_dir / "raw" / ws / "svar.txt").write_text("svar", "utf-8")
    for ws in processed:
        (data_dir / "processed" / ws / "themes").mkdir(parents=True)
        for name in ("statements.parquet", "codes.parquet", "themes/themes.json"):
            (data_dir / "processed" / ws / name).write_text("x", "utf-8")


def test_a_processed_folder_whose_raw_folder_was_renamed_is_no_earlier_workshop(tmp_path, monkeypatch):
    """raw/2022-10-28-dataetik renamed to raw/2022-10-28-workshop: processed/2022-10-28-dataetik stays behind and
    must not be the earlier workshop the renamed one (or a later one) is compared with, and the run says so."""
    from workshopnlp import pipeline
    from workshopnlp.coding import known_workshops
    from workshopnlp.config import orphaned_workshops, processed_workshops

    old, new, later = "2022-10-28-dataetik", "2022-10-28-workshop", "2023-01-19-fokus"
    _workshop_folders(tmp_path, raw=(new, later), processed=(old, new, later))
    (tmp_path / "processed" / "_cache").mkdir()
    assert orphaned_workshops(tmp_path) == [old]
    assert processed_workshops(tmp_path) == known_workshops(tmp_path) == [new, later]
    assert pipeline._workshops_with_themes(tmp_path) == [new, later]
    said = []
    monkeypatch.setattr(pipeline, "build_steps", lambda *a, **k: [])
    pipeline.run_pipeline(later, tmp_path, tmp_path / "reports", params={"x": 1}, echo=said.append)
    assert any(str(tmp_path / "processed" / old) in line and "omdøbt" in line and "slet" in line for line in said)


def test_processed_data_shared_without_any_raw_folder_are_all_used(tmp_path):
    """Raw files hold what was never pseudonymised and may stay with the project group: a data dir of processed
    folders only is no folder of orphans."""
    from workshopnlp.config import orphaned_workshops, orphans_note, processed_workshops

    _workshop_folders(tmp_path, processed=("2022-10-28-dataetik", "2023-01-19-fokus"))
    assert orphaned_workshops(tmp_path) == [] and orphans_note(tmp_path) == ""
    assert processed_workshops(tmp_path, "codes.parquet") == ["2022-10-28-dataetik", "2023-01-19-fokus"]
