"""Keep requirements.lock tied to pyproject.toml (`make lock`; a maintainer tool).

The lock's first line records a hash of pyproject's dependency lists, so a test
can tell when someone changed the dependencies but forgot `make lock`.
Usage: python tools/lockfile.py stamp COMPILED LOCK
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

HEADER_PREFIX = "# pyproject-dependencies-sha256: "
#: The extras `make lock` compiles; others (bench: duckdb) are installed on demand, not locked.
LOCKED_EXTRAS = ("dev",)


def dependency_digest(pyproject: Path) -> str:
    """A hash of the runtime and locked optional dependency lists of pyproject.toml."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    payload = {
        "requires-python": project.get("requires-python"),
        "dependencies": sorted(project.get("dependencies", [])),
        "optional": {
            k: sorted(v)
            for k, v in project.get("optional-dependencies", {}).items()
            if k in LOCKED_EXTRAS
        },
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    """The digest a lock file was generated from, or None if it carries none."""
    first = lock.read_text(encoding="utf-8").splitlines()[0]
    return first[len(HEADER_PREFIX) :].strip() if first.startswith(HEADER_PREFIX) else None


def stamp(compiled: Path, lock: Path, pyproject: Path = Path("pyproject.toml")) -> None:
    """Write `lock` = header lines + the compiled pins (the editable crmkit line dropped)."""
    pins = [
        line
        for line in compiled.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("-e ")
    ]
    header = [
        HEADER_PREFIX + dependency_digest(pyproject),
        "# Exact pins for Python 3.11+ on Linux, generated from pyproject.toml by `make lock`.",
        "# Do not edit by hand: change pyproject.toml, then run `make lock`.",
    ]
    lock.write_text("\n".join(header + pins) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "stamp":
        sys.exit("usage: python tools/lockfile.py stamp COMPILED LOCK")
    stamp(Path(sys.argv[2]), Path(sys.argv[3]))
