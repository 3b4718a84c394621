"""The set-up files agree: pyproject.toml is the one source of truth."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from lockfile import LOCKED_EXTRAS, dependency_digest, recorded_digest

ROOT = Path(__file__).resolve().parents[1]


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return pins


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_lock_was_generated_from_current_pyproject():
    assert recorded_digest(ROOT / "requirements.lock") == dependency_digest(
        ROOT / "pyproject.toml"
    ), "pyproject.toml dependencies changed: run `make lock` and commit requirements.lock"


def test_every_dependency_is_pinned_within_its_range(project):
    pins = _pins((ROOT / "requirements.lock").read_text())
    wanted = list(project["dependencies"]) + [
        d for name in LOCKED_EXTRAS for d in project["optional-dependencies"][name]
    ]
    for spec in wanted:
        req = Requirement(spec)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is in pyproject.toml but not pinned in requirements.lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"lock pins {req.name}=={pins[name]}, outside pyproject's '{req.specifier}'"
        )


def test_environment_yml_installs_the_lock_and_the_package(project):
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    python = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    version = python.split("=", 1)[1]
    assert SpecifierSet(project["requires-python"]).contains(version + ".0"), (
        f"environment.yml asks for {python}, but pyproject requires {project['requires-python']}"
    )
    pip = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-r requirements.lock" in pip, "environment.yml must install requirements.lock"
    assert "-e ." in pip, "environment.yml must install crmkit itself"
    extra = [d for d in deps if isinstance(d, str) and not d.startswith(("python", "pip"))]
    assert not extra, f"environment.yml adds conda packages pyproject.toml does not know: {extra}"


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    commands = re.findall(r"^```(?:bash|sh)?\n(.*?)\n```", text, flags=re.S | re.M)
    assert commands[:2] == ["make lab", "make test"], (
        "README must open with `make lab` then `make test`"
    )


def test_ci_runs_the_readme_test_command():
    assert re.search(r"^make test\b", (ROOT / ".ci" / "run").read_text(), flags=re.M)
