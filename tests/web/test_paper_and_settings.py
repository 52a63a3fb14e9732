"""What officials do with a ballot besides counting it: paper ballots at a polling point (the
voter marked by IIN, the paper entered apart, once across paper and online) and the ballot
settings, locked once voting opens."""
from sqlalchemy import select

from app.extensions import db
from app.models import Ballot, BallotConfig, Budget

from .conftest import count_votes
from .test_voting import EN, counts, start, vote


def test_paper_voter_marked_by_iin_counts_once_across_paper_and_online(client, users, areas, ballot, log_in):
    budget, projects = ballot
    start(budget)
    log_in(users["akimat"])
    marked = client.post(f"/budgets/{budget.id}/paper", data={"iin": users["resident"].iin}, headers=EN,
                         follow_redirects=True).get_data(as_text=True)
    assert "marked as voting on paper" in marked
    entered = client.post(f"/budgets/{budget.id}/paper/ballots", data={"chosen": [str(projects[0].id)]}, headers=EN,
                          follow_redirects=True).get_data(as_text=True)
    assert "entered and sealed" in entered
    again = client.post(f"/budgets/{budget.id}/paper", data={"iin": users["resident"].iin}, headers=EN)
    assert "already voted" in again.get_data(as_text=True)
    client.post("/auth/logout")
    log_in(users["resident"])
    assert "already voted" in vote(client, budget, projects[1:2]).get_data(as_text=True)
    assert counts() == (1, 1)
    count_votes(budget, users["akimat"])
    assert db.session.scalar(select(Ballot.channel)) == "paper"


def test_paper_ballots_are_for_akimat_officials_of_the_area(client, users, ballot, log_in):
    budget, projects = ballot
    start(budget)
    for who in ("resident", "akimat_elsewhere", "moderator"):
        log_in(users[who])
        assert client.post(f"/budgets/{budget.id}/paper", data={"iin": users["resident"].iin}).status_code == 403
        assert client.post(f"/budgets/{budget.id}/paper/ballots",
                           data={"chosen": [str(projects[0].id)]}).status_code == 403, who
        client.post("/auth/logout")
    assert counts() == (0, 0)


def test_ballot_config_locks_when_voting_opens(client, users, ballot, log_in):
    budget, _ = ballot
    start(budget)
    log_in(users["akimat"])
    response = client.post(f"/budgets/{budget.id}/ballot-config", data={
        "ballot_type": "knapsack", "min_projects": 1, "rule": "mes", "tie_break": "id", "min_votes": 1, "min_age": 16,
    }, headers=EN, follow_redirects=True)
    assert "locked" in response.get_data(as_text=True)
    assert db.session.get(BallotConfig, budget.id) is None


def test_an_empty_maximum_means_no_maximum_from_the_first_save(client, users, open_process, log_in):
    budget = open_process.budgets[0]
    log_in(users["akimat"])
    settings = {"ballot_type": "approval", "min_projects": 2, "max_projects": "", "rule": "mes", "tie_break": "id",
                "min_votes": 1, "min_age": 16}
    assert client.post(f"/budgets/{budget.id}/ballot-config", data=settings).status_code == 302
    db.session.expire_all()
    config = db.session.get(BallotConfig, budget.id)
    assert (config.min_projects, config.max_projects, config.rule) == (2, None, "mes")
    # A maximum below the minimum is refused on a new budget too, and leaves no row behind.
    other = Budget(process=open_process, area=budget.area, name_kk="Б", name_ru="Б", name_en="B", amount=10**7)
    db.session.add(other)
    db.session.commit()
    page = client.post(f"/budgets/{other.id}/ballot-config", data={**settings, "max_projects": 1}, headers=EN,
                       follow_redirects=True).get_data(as_text=True)
    assert "cannot be below the minimum" in page
    db.session.expire_all()
    assert db.session.get(BallotConfig, other.id) is None


def test_ballot_config_is_refused_to_residents(client, users, ballot, log_in):
    budget, _ = ballot
    log_in(users["resident"])
    assert client.get(f"/budgets/{budget.id}/ballot-config").status_code == 403
