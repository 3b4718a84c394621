"""Write TRAINER_GUIDE.md from docs/trainer_guide_template.md and the workshop agendas.

Usage: python tools/trainer_guide.py [--check]. With --check, exit 1 (and say so) when
TRAINER_GUIDE.md is not what the template and the agendas give.
"""

from __future__ import annotations

import sys
from pathlib import Path

from crmkit import workshop

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "TRAINER_GUIDE.md"

if __name__ == "__main__":
    text = workshop.guide()
    if "--check" in sys.argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            sys.exit(f"{TARGET.name} is out of date: run `make guide`")
        print(f"{TARGET.name} is current")
    else:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET}")
