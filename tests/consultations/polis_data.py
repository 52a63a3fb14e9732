"""Where the five published Pol.is conversations are (read-only, ../shared/polis)."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

POLIS_DIR = Path(os.environ.get("QATYSU_POLIS_DIR", Path(__file__).resolve().parents[3] / "shared" / "polis"))
CONVERSATIONS = ["15-per-hour-seattle", "american-assembly.bowling-green", "brexit-consensus",
                 "canadian-electoral-reform", "london.youth.policing"]

needs_polis = pytest.mark.skipif(not POLIS_DIR.is_dir(), reason=f"no Pol.is data in {POLIS_DIR}")


@cache
def conversation(name):
    from consultations.polis_io import read_conversation

    return read_conversation(POLIS_DIR / name)


@cache
def our_map(name):
    from consultations.analysis import opinion_map

    conv = conversation(name)
    return opinion_map(conv.matrix, excluded=conv.moderated_out)
