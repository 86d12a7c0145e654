"""Sentences of the reader pages, built from small tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from workshopnlp.reporting import themes_note


def test_unstable_themes_are_named_one_by_one():
    """A tester read «Ustabile temaer …: algoritme, rådgiver, fin, data, kommune, bruge.» as six words; it was
    two themes. Each is now named with its id and its words in quotes."""
    themes = pd.DataFrame({"theme_id": ["T01", "T02", "T03", "T_ovrigt"],
                           "label": ["algoritme, rådgiver, fin", "data, kommune, bruge", "tillid, data", "Øvrigt"],
                           "stable": [False, False, True, None], "is_outlier_group": [False, False, False, True],
                           "share": [0.2, 0.2, 0.5, 0.1]})
    text = themes_note(SimpleNamespace(themes=themes, themes_missing_reason=""))
    assert "**3 temaer**" in text and "10 %" in text
    assert "T01 «algoritme, rådgiver, fin»; T02 «data, kommune, bruge»." in text and "T03" not in text


def test_notebooks_run_side_by_side_one_per_core_unless_told_otherwise(monkeypatch):
    import pytest

    from workshopnlp.config import load_params
    from workshopnlp.errors import WorkshopError
    from workshopnlp.report import notebook_workers

    params = load_params()
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert params["report"]["notebook_workers"] == 0 and notebook_workers(params, 6) == 4
    assert notebook_workers(params, 2) == 2  # never more kernels than notebooks
    params["report"]["notebook_workers"] = 1
    assert notebook_workers(params, 6) == 1
    params["report"]["notebook_workers"] = -1
    with pytest.raises(WorkshopError, match="notebook_workers"):
        notebook_workers(params, 6)
