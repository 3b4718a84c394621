"""Committed notebooks are deterministic: no wall-clock timings, no memory addresses."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "solutions", "exercises")
    for p in (ROOT / folder).rglob("*.ipynb")
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_clock_or_addresses(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        assert "execution" not in cell.metadata, f"cell {index} keeps execution timestamps"
        for out in cell.get("outputs", []):
            text = str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r" at 0x[0-9a-f]{6,}", text), f"cell {index} shows an address"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_start_here_links_every_lesson_and_only_real_ones():
    folder = Path(__file__).resolve().parents[2] / "notebooks"
    start = nbformat.read(folder / "00_start_here.ipynb", as_version=4)
    text = "\n".join(c.source for c in start.cells if c.cell_type == "markdown")
    linked = set(re.findall(r"\]\(([^)]+\.ipynb)\)", text))
    lessons = {p.name for p in folder.glob("[0-9][0-9]_*.ipynb")} - {"00_start_here.ipynb"}
    assert lessons <= linked, f"lesson 00 does not link {sorted(lessons - linked)}"
    missing = {name for name in linked if not (folder / name).is_file()}
    assert not missing, f"lesson 00 links notebooks that do not exist: {sorted(missing)}"


def test_every_chart_cell_shows_its_chart():
    """A cell that draws with crmkit.plots must show an image (a bare Figure needs `fig` last)."""
    draws = re.compile(r"^fig = plots\.\w+\(", flags=re.M)
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).rglob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not draws.search(cell.source):
                    continue
                images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
                assert images, f"{path.name} cell {i} draws a chart but shows no image"
