"""python -m consultations map FOLDER --json"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from consultations.cli import main

from .polis_data import POLIS_DIR, needs_polis

ROOT = Path(__file__).resolve().parents[2]


def small_export(folder: Path) -> Path:
    folder.mkdir()
    (folder / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        + "".join(f"1,x,{c},0,0,0,{-1 if c == 8 else 1},Statement {c}\n" for c in range(9)))
    rows = ["timestamp,datetime,comment-id,voter-id,vote"]
    for voter in range(12):
        sign = 1 if voter < 6 else -1
        for c in range(9):
            vote = 0 if c == voter % 8 else sign * (1 if c < 4 else -1)
            rows.append(f"{voter * 10 + c},x,{c},{voter},{vote}")
    rows.append("999,x,0,99,1")  # one vote: not placed
    (folder / "votes.csv").write_text("\n".join(rows) + "\n")
    return folder


def test_map_json_prints_k_and_the_group_of_every_placed_participant(tmp_path, capsys):
    assert main(["map", str(small_export(tmp_path / "conv")), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["k"] == 2 and sorted(out["groups"], key=int) == [str(v) for v in range(12)]
    assert {out["groups"][str(v)] for v in range(6)} != {out["groups"][str(v)] for v in range(6, 12)}


def test_map_without_json_prints_groups_and_statements(tmp_path, capsys):
    assert main(["map", str(small_export(tmp_path / "conv"))]) == 0
    out = capsys.readouterr().out
    assert "13 participants, 12 placed" in out and "2 groups" in out and "Statement 8" not in out


def test_an_unreadable_folder_exits_2_with_a_message(tmp_path, capsys):
    assert main(["map", str(tmp_path / "missing"), "--json"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "consultations", "map", str(small_export(tmp_path / "c")), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["k"] == 2


@needs_polis
def test_map_json_on_a_real_export(capsys):
    assert main(["map", str(POLIS_DIR / "london.youth.policing"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["k"] == 3 and len(out["groups"]) == 24
