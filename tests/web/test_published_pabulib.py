"""The published ballots.pb is a pabulib file that pabulib's own checker (pabulib-checker) accepts,
for every ballot type the app offers: the days voting began and ended, ``voting_method`` as the
format names it, categories as a pabulib list, cumulative ballots by points."""
import contextlib
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Category

from .conftest import count_votes
from .test_voting import cast_many, configure

pytest.importorskip("pabulib.checker")


def checker_report(text: str) -> dict:
    """pabulib-checker's findings for one file: {"errors": {kind: ...}, "warnings": ...}."""
    from pabulib.checker import Checker

    with contextlib.redirect_stdout(io.StringIO()):
        report = Checker().process_files([text])
    [result] = [v for k, v in report.items() if k not in ("metadata", "summary")]
    return result["results"]


def sections(text: str) -> dict[str, list[str]]:
    out, current = {}, None
    for line in text.splitlines():
        if line in ("META", "PROJECTS", "VOTES"):
            current = out.setdefault(line, [])
        elif current is not None:
            current.append(line)
    return out


BALLOTS = {
    "approval": [(0,), (0, 1), (1, 2), (2, 3), (3,)],
    "knapsack": [(0,), (0, 3), (1, 2), (2, 3), (3,)],
    "cumulative": [{0: 3, 1: 7}, {2: 10}, {3: 1, 0: 9}, {1: 5, 2: 5}],
    "ranking": [[1, 0], [2], [3, 0, 1], [0, 2]],
}


@pytest.mark.parametrize("ballot_type", list(BALLOTS))
def test_the_published_ballots_file_passes_pabulibs_checker(client, users, areas, ballot, ballot_type):
    budget, projects = ballot
    greening = db.session.scalar(select(Category).where(Category.process_id == budget.process_id,
                                                        Category.code == "greening"))
    projects[0].category = greening
    db.session.commit()
    configure(budget, ballot_type=ballot_type, rule="greedy", min_projects=1,
              max_projects=None if ballot_type in ("cumulative", "knapsack") else 3,
              max_points=10 if ballot_type == "cumulative" else None)
    ballots = []
    for chosen in BALLOTS[ballot_type]:
        if ballot_type == "cumulative":
            ballots.append({str(projects[i].id): points for i, points in chosen.items()})
        elif ballot_type == "ranking":
            ballots.append({str(projects[i].id): rank for rank, i in enumerate(chosen, start=1)})
        else:
            ballots.append([str(projects[i].id) for i in chosen])
    cast_many(budget, projects, ballots, areas)
    count_votes(budget, users["akimat"], publish=True)
    text = client.get(f"/api/v1/budgets/{budget.id}/ballots.pb").get_data(as_text=True)

    report = checker_report(text)
    assert not report.get("errors"), report["errors"]
    parts = sections(text)
    meta = dict(line.split(";", 1) for line in parts["META"][1:])
    assert {"date_begin", "date_end"} <= set(meta) and meta["vote_type"] in ("approval", "cumulative", "ordinal")
    header = parts["VOTES"][0].split(";")
    assert all(row.split(";")[header.index("voting_method")] == "internet" for row in parts["VOTES"][1:])
    assert f"{projects[0].id};40000000;Playground;greening" in parts["PROJECTS"]
    assert "(" not in "\n".join(parts["PROJECTS"])
    if ballot_type == "cumulative":
        for row in parts["VOTES"][1:]:
            points = [int(p) for p in row.split(";")[header.index("points")].split(",")]
            assert points == sorted(points, reverse=True)
