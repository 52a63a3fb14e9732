"""python -m voting allocate / compare / validate."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pabulib_corpus import PABULIB_DIR, reference

from voting.cli import main

SMALL = PABULIB_DIR / "Poland_Warszawa_2018_rejon_6.pb"


def test_allocate_json_prints_rule_selected_cost_and_explanations(capsys):
    assert main(["allocate", str(SMALL), "--rule", "mes", "--utility", "cost", "--completion",
                 "add1-greedy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rule"] == "mes"
    assert sorted(out["selected"]) == reference()[SMALL.name]["mes_cost_add1+greedy_cost"]["selected"]
    assert isinstance(out["cost"], int) and len(out["explanations"]) == 39


def test_allocate_prints_one_id_per_line(capsys):
    assert main(["allocate", str(SMALL), "--rule", "greedy", "--tie-break", "cost"]) == 0
    assert sorted(capsys.readouterr().out.split()) == reference()[SMALL.name]["greedy_cost"]["selected"]


def test_compare_prints_every_rule(capsys):
    assert main(["compare", str(SMALL)]) == 0
    out = capsys.readouterr().out
    for label in ("greedy", "greedy-per-cost", "max-utility", "mes", "phragmen", "served"):
        assert label in out


def test_validate_reports_ballots_and_exit_code(capsys, tmp_path):
    assert main(["validate", str(SMALL)]) == 0
    assert "2736 ballots, 0 breaking" in capsys.readouterr().out
    broken = tmp_path / "broken.pb"
    broken.write_text(SMALL.read_text(encoding="utf-8").replace("max_sum_cost;881160", "max_sum_cost;10"),
                      encoding="utf-8")
    assert main(["validate", str(broken)]) == 1
    assert "over_budget" in capsys.readouterr().out
    miscounted = tmp_path / "miscounted.pb"
    miscounted.write_text(SMALL.read_text(encoding="utf-8").replace("num_votes;2736", "num_votes;2737"),
                          encoding="utf-8")
    assert main(["validate", str(miscounted)]) == 1
    assert "META says num_votes=2737 but the file has 2736" in capsys.readouterr().out


def test_bad_file_and_unknown_rule_exit_non_zero_with_the_error(capsys, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\na;x\nVOTES\nvoter_id;vote\n")
    assert main(["allocate", str(bad), "--rule", "greedy"]) == 2
    assert "line 6: cost 'x' is not a number" in capsys.readouterr().err
    assert main(["allocate", str(SMALL), "--rule", "nope"]) == 2
    assert "known rules: ees, greedy, greedy-per-cost" in capsys.readouterr().err


def test_module_entry_point_runs():
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "voting", "allocate", str(SMALL), "--rule", "phragmen"],
                          capture_output=True, text=True, cwd=root, env={"PYTHONPATH": str(root)}, check=False)
    assert done.returncode == 0 and done.stdout.split()


def test_ees_with_add_opt_from_the_command_line(capsys):
    small = PABULIB_DIR / "Netherlands_Amsterdam_643.pb"
    assert main(["allocate", str(small), "--rule", "ees", "--completion", "add-opt", "--utility", "cost"]) == 0
    assert capsys.readouterr().out.split()
