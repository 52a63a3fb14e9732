"""The analysis is a pure library: importing it loads neither Flask, SQLAlchemy nor the app."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_analysis_imports_nothing_of_the_web_app():
    code = ("import sys, consultations.analysis, consultations.polis_io, consultations.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'flask', 'sqlalchemy', 'app', 'meetings', 'voting', 'flask_sqlalchemy'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
