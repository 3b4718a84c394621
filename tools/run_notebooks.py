"""Re-run notebooks in place so their kept outputs match the code (`make notebooks`).

Runs each notebook in its own folder with nbclient, like nbval will, and
writes it back; a notebook that fails is left untouched and named.
Usage: python tools/run_notebooks.py [FOLDER_OR_NOTEBOOK ...]  (default: notebooks solutions)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def run_notebook(path: Path, timeout: int = 600) -> None:
    """Execute `path` top to bottom and save it with fresh outputs."""
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # no wall-clock times in committed notebooks
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(nb, path)


def main(folders: list[str]) -> int:
    """Run every notebook under the given folders (or the given .ipynb files); count failures."""
    failed = 0
    for folder in folders:
        if not Path(folder).exists():
            print(f"FAILED {folder}: no such file or folder", file=sys.stderr)
            failed += 1
            continue
        paths = [Path(folder)] if Path(folder).is_file() else sorted(Path(folder).rglob("*.ipynb"))
        for path in paths:
            if ".ipynb_checkpoints" in path.parts:
                continue
            print(f"running {path} ...", flush=True)
            try:
                run_notebook(path)
            except CellExecutionError as err:
                failed += 1
                print(f"FAILED {path}:\n{str(err)[-2000:]}", file=sys.stderr)
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1:] or ["notebooks", "solutions"]) else 0)
