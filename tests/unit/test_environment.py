"""pyproject.toml and environment.yml must describe the same installation."""

import importlib.metadata
import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    project = _pyproject()["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {p for p in pip_section if not p.startswith("-")}
    assert listed == wanted, {"only in environment.yml": listed - wanted, "only in pyproject": wanted - listed}
    assert "python=3.11" in env["dependencies"]
    assert "-c requirements-lock.txt" in pip_section, "environment.yml must install with the lock, as setup.sh"


def test_no_deps_packages_agree_and_are_installed_by_setup():
    no_deps = _pyproject()["tool"]["workshopnlp"]["no-deps"]
    env_text = (REPO / "environment.yml").read_text(encoding="utf-8")
    declared = re.search(r"^# no-deps: (.+)$", env_text, re.M).group(1).split()
    assert declared == no_deps
    setup = (REPO / "scripts" / "setup.sh").read_text(encoding="utf-8")
    for spec in no_deps:
        assert f'--no-deps "{spec}"' in setup
    assert setup.count("-c requirements-lock.txt") == 2, "both pip installs of setup.sh use the lock"


def _lock():
    """requirements-lock.txt as {canonical name: version}; fails on anything but name==version lines."""
    pins = {}
    for number, line in enumerate((REPO / "requirements-lock.txt").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and version and " " not in line, f"requirements-lock.txt line {number}: not name==version: {line!r}"
        key = canonicalize_name(name)
        assert key not in pins, f"requirements-lock.txt line {number}: {name} pinned twice"
        pins[key] = version
    return pins


def test_lock_pins_every_declared_dependency_within_its_range():
    project = _pyproject()
    declared = (project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]
                + project["tool"]["workshopnlp"]["no-deps"])
    pins = _lock()
    for spec in declared:
        req = Requirement(spec)
        key = canonicalize_name(req.name)
        assert key in pins, f"{req.name} is in pyproject.toml but not in requirements-lock.txt: run scripts/lock.sh"
        assert req.specifier.contains(pins[key], prereleases=True), (
            f"requirements-lock.txt pins {req.name}=={pins[key]}, outside pyproject's {req.specifier}: "
            "run scripts/lock.sh")


def test_installed_versions_are_the_locked_ones():
    """The benchmark figures belong to the lock's versions; this install must be that one."""
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    differ = {name: (version, installed.get(name)) for name, version in _lock().items()
              if installed.get(name) != version}
    assert not differ, f"installed packages differ from requirements-lock.txt (locked, installed): {differ}; " \
                       "install with bash scripts/setup.sh"


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in ci
