"""Shared test set-up: helper modules and tools on the path, and the groups for parallel runs.

Tests import helper modules from this folder and the maintainer tools (lockfile,
build_exercises, run_notebooks) from the repo's tools/ folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))
# The tests are about the sample data, whatever folder `crmkit data use` chose on this
# machine; kernels the tests start inherit this too. Tests of other folders set their own.
os.environ["CRMKIT_DATA_DIR"] = str(HERE.parent / "datasets")

#: `make test` runs `-n 2 --dist loadgroup`: the tests of one group run on one worker, in turn.
#: "kernels": the browser tests (one JupyterLab and Chromium per worker) and the grading runs
#: (`crmkit grade --jobs 2` with nbgrader alongside; agreement and tamper share one corpus
#: run). Each keeps both cores busy and works to wall-clock limits, so they take turns.
#: "sandbox" and "generator" build a module-scoped fixture (a sandboxed kernel, the generated
#: sample) that a split module would build twice. Paths are relative to this folder.
GROUPS = {
    "browser/": "kernels",
    "grading/test_grading_agreement.py": "kernels",
    "grading/test_grading_tamper.py": "kernels",
    "grading/test_grading_run.py": "kernels",
    "grading/test_grading_sandbox.py": "sandbox",
    "datasets/test_generator.py": "generator",
}


def group_of(path: str) -> str | None:
    """The group of a test file, given by its path relative to this folder; None if it has none."""
    return next((group for prefix, group in GROUPS.items() if path.startswith(prefix)), None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With --dist loadgroup, send each group of GROUPS to one worker, whole.

    The groups are read from the test's path here, in the controller, rather than from
    `xdist_group` marks: with pytest 9.2, xdist 3.8's loadgroup ignores the marks
    (pytest-dev/pytest-xdist#1386). Other tests are spread one by one, as xdist does.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    here = HERE.resolve().relative_to(config.rootpath.resolve()).as_posix() + "/"

    class PathGroups(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            group = group_of(path.removeprefix(here)) if path.startswith(here) else None
            return group or super()._split_scope(nodeid)

    return PathGroups(config, log)
