"""Where the shared pabulib corpus lives, and a parse cache so every file is read once."""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from voting import read_pabulib

PABULIB_DIR = Path(os.environ.get("QATYSU_PABULIB_DIR",
                                  Path(__file__).resolve().parents[2].parent / "shared" / "pabulib"))
REFERENCE = PABULIB_DIR / "reference_outcomes.json"


def files() -> list[str]:
    return sorted(p.name for p in PABULIB_DIR.glob("*.pb")) if PABULIB_DIR.is_dir() else []


@functools.cache
def reference() -> dict:
    return json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}


@functools.lru_cache(maxsize=4)
def election(name: str):
    return read_pabulib(PABULIB_DIR / name)
