"""pyproject.toml and environment.yml must describe the same installation."""

import re
import tomllib

import yaml

from conftest import REPO


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    project = _pyproject()["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {p for p in pip_section if not p.startswith("-e")}
    assert listed == wanted, {"only in environment.yml": listed - wanted, "only in pyproject": wanted - listed}
    assert "python=3.11" in env["dependencies"]


def test_no_deps_packages_agree_and_are_installed_by_setup():
    no_deps = _pyproject()["tool"]["workshopnlp"]["no-deps"]
    env_text = (REPO / "environment.yml").read_text(encoding="utf-8")
    declared = re.search(r"^# no-deps: (.+)$", env_text, re.M).group(1).split()
    assert declared == no_deps
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    for spec in no_deps:
        assert f'--no-deps "{spec}"' in setup


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in ci
