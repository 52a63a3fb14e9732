"""The count with the options cities use: passed to the counting library, a tie the chain leaves
or a solver stopped by its time limit explained in words with nothing stored, and the numbers a
city publishes (the comparison step's, each project's effective vote count and money behind it)."""
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, Result, SealedEnvelope
from app.results import services as result_service

from .conftest import KEY_FILES, close_voting, count_votes
from .test_voting import EN, cast_many, configure


def count_through_the_page(client, budget):
    return client.post(f"/budgets/{budget.id}/count", headers=EN, follow_redirects=True, content_type="multipart/form-data",
                       data={"key_file": (BytesIO(KEY_FILES[budget.id]), "qatysu-count-keys.json")})


def stored() -> tuple[int, int, int]:
    """(results, opened ballots, sealed envelopes)."""
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Result, Ballot, SealedEnvelope))


def test_the_configured_options_reach_the_count(users, areas, ballot):
    budget, projects = ballot
    configure(budget, rule="mes", tie_break="maxVotes,minCost,id",
              rule_options={"completion": "add1u", "integral": True, "stop": "over-budget", "increment": 5,
                            "comparison": "satisfaction"})
    cast_many(budget, projects, [(0,), (0, 1), (1, 2), (2, 3), (3,)], areas)
    result = count_votes(budget, users["akimat"])
    assert result.tie_break == "maxVotes,minCost,id"
    assert {k: result.options[k] for k in ("completion", "integral", "stop", "increment", "comparison")} == {
        "completion": "add1u", "integral": True, "stop": "over-budget", "increment": 5, "comparison": "satisfaction"}
    assert result.comparison["step"]["method"] == "satisfaction"
    assert result_service.verify(result) == []


@pytest.fixture
def tied(ballot, areas):
    """Two projects of 60 M ₸ with two votes each on a 100 M ₸ budget: only one fits, and most
    votes then lowest cost cannot tell them apart."""
    budget, projects = ballot
    for project in projects[:2]:
        project.estimated_cost = 60_000_000
    db.session.commit()
    return budget, projects


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_an_unresolved_tie_names_the_projects_and_nothing_is_stored(client, users, areas, tied, log_in, rule):
    budget, projects = tied
    configure(budget, rule=rule, tie_break="maxVotes,minCost")
    cast_many(budget, projects, [(0,), (0,), (1,), (1,), (2,), (3,)], areas)
    close_voting(budget.process)
    log_in(users["akimat"])
    page = count_through_the_page(client, budget)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "still tied" in text
    assert f"No. {projects[0].id} «Playground»" in text and f"No. {projects[1].id} «Lighting»" in text
    assert "maxVotes, minCost" in text and "Nothing is stored" in text
    assert stored() == (0, 0, 6)   # the envelopes stay sealed


def test_an_unresolved_tie_is_explained_in_kazakh(client, users, areas, tied, log_in):
    budget, projects = tied
    configure(budget, rule="greedy", tie_break="maxVotes,minCost")
    cast_many(budget, projects, [(0,), (0,), (1,), (1,)], areas)
    close_voting(budget.process)
    users["akimat"].locale = "kk"
    db.session.commit()
    log_in(users["akimat"])
    text = count_through_the_page(client, budget).get_data(as_text=True)
    assert f"№ {projects[0].id} «Playground»" in text and "still tied" not in text and "тең күйінде қалды" in text
    assert stored() == (0, 0, 4)


def test_a_solver_stopped_by_its_time_limit_is_explained_and_nothing_is_stored(client, users, areas, ballot,
                                                                                log_in, monkeypatch):
    from voting import SolverError

    budget, projects = ballot
    configure(budget, rule="max-utility")
    cast_many(budget, projects, [(0,), (0, 1), (2, 3)], areas)
    close_voting(budget.process)

    def stopped(*args, **kwargs):
        raise SolverError("CBC stopped at the time limit of 120 s without proving an optimum")

    monkeypatch.setattr(result_service, "allocate", stopped)
    log_in(users["akimat"])
    page = count_through_the_page(client, budget)
    assert page.status_code == 200
    assert "time limit" in page.get_data(as_text=True) and "Nothing is stored" in page.get_data(as_text=True)
    assert stored() == (0, 0, 3)


def test_a_tie_in_a_compared_rule_does_not_stop_the_configured_count(users, areas, tied):
    budget, projects = tied
    # max-utility takes both 30 M and 10 M projects with one of the 60 M ones; greedy and MES,
    # compared beside it, meet the tie: the comparison decides it by the proposal number.
    configure(budget, rule="max-utility", tie_break="maxVotes,minCost")
    cast_many(budget, projects, [(0,), (0,), (1,), (1,), (2,), (3,)], areas)
    result = count_votes(budget, users["akimat"])
    assert len(result.selected) == 3 and result.comparison["rules"]


def test_results_page_and_protocol_show_the_comparison_step_and_each_projects_numbers(client, users, areas, ballot):
    budget, projects = ballot
    configure(budget, rule="mes", rule_options={"completion": "add1u", "comparison": "satisfaction"})
    # Two voters get more of their projects funded by greedy (most votes first), one by equal shares.
    cast_many(budget, projects, [(1, 3), (0, 1), (3,), (0, 1), (2,)], areas)
    result = count_votes(budget, users["akimat"], publish=True)
    step = result.comparison["step"]
    assert (step["prefers_mes"], step["prefers_greedy"], step["used"]) == (1, 2, "greedy")
    behind = result.projects[str(projects[0].id)]["money_behind"]   # not funded by equal shares
    assert behind > 0
    # Funded in a round of equal shares: its supporters held at least its cost then.
    funded = [pid for pid in step["mes_selected"] if pid in result.projects]
    assert funded and all(result.projects[pid]["money_behind"] >= result.projects[pid]["cost"] for pid in funded)
    data = client.get(f"/api/v1/budgets/{budget.id}/results").get_json()    # the open data says the same
    assert data["comparison_step"]["used"] == "greedy" and data["comparison_step"]["prefers_greedy"] == 2
    assert data["projects"][str(projects[0].id)]["money_behind"] == behind
    assert "effective_vote_count" in data["projects"][str(projects[0].id)]
    for path in (f"/budgets/{budget.id}/results", f"/budgets/{budget.id}/results/protocol"):
        page = client.get(path, headers=EN).get_data(as_text=True)
        assert "Comparison step" in page and "by voter satisfaction" in page
        assert "Voters who prefer the outcome of equal shares: 1" in page
        assert "Voters who prefer the greedy outcome: 2" in page
        assert "The greedy outcome was chosen, because more voters prefer it." in page
        assert "Effective vote count: 0; money behind the project: " in page and "Money behind the project:" in page
        assert f"{round(behind):,} ₸" in page                             # money through Babel
        kazakh = client.get(path, headers={"Accept-Language": "kk"}).get_data(as_text=True)
        assert "Салыстыру қадамы" in kazakh and "Voters who prefer" not in kazakh
        assert f"{round(behind):,} ₸".replace(",", "\xa0") in kazakh
        russian = client.get(path, headers={"Accept-Language": "ru"}).get_data(as_text=True)
        assert "Шаг сравнения" in russian and "Effective vote count" not in russian


def test_a_count_without_the_comparison_step_shows_no_such_section(client, users, areas, ballot):
    budget, projects = ballot
    configure(budget, rule="greedy")
    cast_many(budget, projects, [(0,), (1,)], areas)
    count_votes(budget, users["akimat"], publish=True)
    page = client.get(f"/budgets/{budget.id}/results", headers=EN).get_data(as_text=True)
    assert "Comparison step" not in page and "Effective vote count" not in page


def test_the_published_command_line_recounts_with_the_same_options(client, users, areas, ballot):
    budget, projects = ballot
    configure(budget, rule="mes", tie_break="maxVotes,minCost,id",
              rule_options={"completion": "add1u", "integral": True, "stop": "over-budget", "increment": 5,
                            "comparison": "exclusionRatio"})
    cast_many(budget, projects, [(1, 3), (0, 1), (3,)], areas)
    count_votes(budget, users["akimat"], publish=True)
    page = client.get(f"/budgets/{budget.id}/results", headers=EN).get_data(as_text=True)
    assert ("--rule mes --completion add1u --stop over-budget --increment 5 --comparison exclusionRatio --integral "
            "--tie-break maxVotes,minCost,id") in page
