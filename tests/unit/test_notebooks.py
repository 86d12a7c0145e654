"""Notebooks stay thin, parameterised, output-free and in sync with their jupytext scripts."""

import json
import shutil

import jupytext
import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_is_a_notebook_per_report_section():
    stems = [p.stem for p in NOTEBOOKS]
    assert len(stems) == 6
    for word in ("data", "kodning", "temaer", "sammenligning", "enighed", "opfoelgning"):
        assert any(word in s for s in stems), word


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_parameterised_and_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    markdown = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert sum("parameters" in c.get("metadata", {}).get("tags", []) for c in code) == 1
    assert "".join(markdown[0]["source"]).startswith("# ")  # a Danish title opens the report
    for cell in code:
        source = "".join(cell["source"])
        assert "def " not in source and "class " not in source, path.name
        assert len(source.splitlines()) <= 12, (path.name, source)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_script_matches(path):
    script = path.with_suffix(".py")
    from_script = jupytext.read(script)
    from_notebook = jupytext.read(path)
    assert [("".join(c.source), c.cell_type) for c in from_script.cells] == \
           [("".join(c.source), c.cell_type) for c in from_notebook.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_that_can_leave_out_empty_answers_is_given_the_statements(path):
    """A figure that counts codes takes ``statements=`` to leave out empty answers and duplicates; without it the
    heatmap of page 02 counted them while its caption said not (a reader audit found 72 where 44 belong)."""
    import ast
    import inspect

    from workshopnlp import figures

    takes = {name for name in dir(figures) if name.startswith("fig_")
             and inspect.signature(getattr(figures, name)).parameters.get("statements") is not None
             and inspect.signature(getattr(figures, name)).parameters["statements"].kind is inspect.Parameter.KEYWORD_ONLY}
    tree = ast.parse(jupytext.read(path).cells and "\n".join(
        c.source for c in jupytext.read(path).cells if c.cell_type == "code" and not c.source.startswith("%")))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr in takes]
    assert all(any(k.arg == "statements" for k in call.keywords) for call in calls), \
        [ast.unparse(c) for c in calls if not any(k.arg == "statements" for k in c.keywords)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_papermill_reads_every_parameter_the_report_step_passes(path, caplog):
    """papermill cannot read a parameter line with a second '=' (even in its comment): it then warns in English
    on every report build ("Unable to parse line 3", "Passed unknown parameter: params_override")."""
    import logging

    import papermill

    with caplog.at_level(logging.WARNING):
        found = papermill.inspect_notebook(str(path))
    assert set(found) == {"workshop_id", "data_dir", "params_override"}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


@pytest.mark.parametrize("content, where", [("{ x", "linje 1, kolonne 3"), ('{"cells": 3}', None),
                                            (b"\xff\xfe{", "byte 0")])
def test_a_broken_notebook_is_named_with_its_line_and_the_fix_before_any_runs(tmp_path, content, where):
    """A notebook broken by a merge stopped the reports with a JSONDecodeError traceback."""
    from workshopnlp.errors import WorkshopError
    from workshopnlp.report import list_notebooks

    for name in ("01_data_og_kvalitet", "02_kodning"):
        shutil.copy(REPO / "notebooks" / f"{name}.ipynb", tmp_path / f"{name}.ipynb")
    assert [p.name for p in list_notebooks(tmp_path)] == ["01_data_og_kvalitet.ipynb", "02_kodning.ipynb"]
    broken = tmp_path / "02_kodning.ipynb"
    broken.write_bytes(content if isinstance(content, bytes) else content.encode())
    (tmp_path / "02_kodning.py").write_text("# tekstudgaven\n", encoding="utf-8")
    with pytest.raises(WorkshopError) as caught:
        list_notebooks(tmp_path)
    text = caught.value.describe()
    assert str(broken) in text and "jupytext --sync" in text and str(tmp_path / "02_kodning.py") in text
    assert (where is None) or f"({where})" in text, text
