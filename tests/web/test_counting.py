"""Counting and publishing: every rule and ballot type, the published file anyone can recount
(pabutools agrees), nothing counted while voting is open, and the CLI."""
import hashlib
from io import BytesIO

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, Proposal, ProposalEvent, Result, guards
from app.results import services as result_service

from .conftest import KEY_FILES, close_voting, count_votes
from .test_voting import EN, cast_many, configure, counts


def key_upload(budget) -> dict:
    return {"key_file": (BytesIO(KEY_FILES[budget.id]), "qatysu-count-keys.json")}


@pytest.mark.parametrize("rule", ["greedy", "mes"])
def test_count_publish_and_anyone_can_recount_the_published_file(client, users, areas, ballot, log_in, rule, tmp_path):
    budget, projects = ballot
    configure(budget, rule=rule, rule_options={"completion": "add1-greedy"} if rule == "mes" else {})
    cast_many(budget, projects, [(0,), (0, 1), (0, 1), (2, 3), (3,), (1,)], areas)
    close_voting(budget.process)
    log_in(users["akimat"])
    page = client.get(f"/budgets/{budget.id}/results/manage", headers=EN).get_data(as_text=True)
    assert KEY_FILES and "fingerprint" in page and "Sealed envelopes: 6" in page
    client.post(f"/budgets/{budget.id}/count", data=key_upload(budget), content_type="multipart/form-data")
    result = db.session.scalar(select(Result))
    assert result.n_ballots == 6 and result.published_at is None
    assert client.get(f"/api/v1/budgets/{budget.id}/ballots.pb").status_code == 404  # not before publishing
    client.post(f"/results/{result.id}/publish")
    db.session.expire_all()
    statuses = {p.title: db.session.get(Proposal, p.id).status for p in projects}
    assert set(statuses.values()) <= {"funded", "not_funded"}
    events = db.session.scalars(select(ProposalEvent.kind).where(ProposalEvent.kind.in_(["funded", "not_funded"])))
    assert len(list(events)) == 4
    client.post("/auth/logout")

    published = client.get(f"/api/v1/budgets/{budget.id}/results").get_json()
    assert published["rule"] == rule
    pb = client.get(f"/api/v1/budgets/{budget.id}/ballots.pb")

    assert hashlib.sha256(pb.get_data()).hexdigest() == published["ballots_sha256"]
    from voting import allocate, parse_pabulib

    instance, profile = parse_pabulib(pb.get_data(as_text=True))
    assert set(profile.voter_ids) == set(db.session.scalars(select(Ballot.receipt_hash)))
    assert set(profile.columns["voting_method"]) == {"internet"}
    options = {"completion": "add1-greedy"} if rule == "mes" else {}
    recount = allocate(rule, instance, profile, tie_breaking="id", min_votes=1, **options)
    assert sorted(recount.selected) == sorted(published["selected"])
    funded = {str(p.id) for p in projects if statuses[p.title] == "funded"}
    assert funded == set(published["selected"])
    page = client.get(f"/budgets/{budget.id}/results", headers=EN).get_data(as_text=True)
    assert "<svg" in page and "Votes and cost of every project" in page and "Participation" in page
    assert client.get(f"/budgets/{budget.id}/results/protocol").status_code == 200
    csv_text = client.get(f"/api/v1/budgets/{budget.id}/results.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "project_id,title,votes,cost,funded,explanation"
    with client.application.app_context():
        assert result_service.verify(db.session.get(Result, result.id)) == []


def test_published_file_is_reproduced_by_pabutools(client, users, areas, ballot, log_in, tmp_path):
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (0, 1), (1, 2), (2, 3), (3,)], areas)
    result = count_votes(budget, users["akimat"], publish=True)
    path = tmp_path / "ballots.pb"
    path.write_bytes(client.get(f"/api/v1/budgets/{budget.id}/ballots.pb").get_data())
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare

    instance, profile = parse_pabulib(str(path))
    chosen = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert sorted(p.name for p in chosen) == sorted(result.selected)


def test_residents_cannot_count_or_publish(client, users, areas, ballot, log_in):
    budget, projects = ballot
    cast_many(budget, projects, [(0,)], areas)
    close_voting(budget.process)
    log_in(users["resident"])
    assert client.post(f"/budgets/{budget.id}/count", data=key_upload(budget),
                       content_type="multipart/form-data").status_code == 403
    assert counts() == (1, 1)  # nothing opened
    result = count_votes(budget, users["akimat"])
    assert client.post(f"/results/{result.id}/publish").status_code == 403
    db.session.expire_all()
    assert db.session.get(Result, result.id).published_at is None


def test_nothing_is_counted_or_published_while_voting_is_open(client, users, areas, ballot, log_in):
    """A tally taken mid-vote would inform the rest of the voters, and ballots cast after a
    publication would be missing from the published file: the envelopes stay sealed until voting
    has closed, whoever holds the key."""
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (1,)], areas)
    log_in(users["akimat"])
    page = client.post(f"/budgets/{budget.id}/count", data=key_upload(budget), headers=EN,
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "after voting closes" in page
    assert db.session.scalar(select(func.count()).select_from(Result)) == 0
    assert counts() == (2, 2) and db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert client.get(f"/api/v1/budgets/{budget.id}/ballots.pb").status_code == 404


def test_cli_computes_publishes_and_verifies(app, users, areas, ballot, tmp_path):
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (1,), (0, 1)], areas)
    close_voting(budget.process)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["compute-results", str(budget.id)])
    assert refused.exit_code != 0 and "санау кілттерінің файлын" in refused.output  # the CLI speaks Kazakh
    key_path = tmp_path / "keys.json"
    key_path.write_bytes(KEY_FILES[budget.id])
    out = runner.invoke(args=["compute-results", str(budget.id), "--key-file", str(key_path), "--publish"])
    assert out.exit_code == 0, out.output
    assert "3 ballots counted with greedy" in out.output and "published" in out.output
    verified = runner.invoke(args=["verify-results", str(budget.id)])
    assert verified.exit_code == 0 and "verified" in verified.output
    # The database refuses to alter a counted ballot...
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Ballot).values(choices={str(projects[3].id): 1}))
        db.session.flush()
    db.session.rollback()
    # ...and one who lifts its guards to do it is caught by the recount.
    connection = db.session.connection()
    guards.remove(connection)
    connection.execute(sa.update(Ballot.__table__).where(
        Ballot.__table__.c.id == db.session.scalar(select(Ballot.id).limit(1))).values(choices={str(projects[3].id): 1}))
    guards.install(connection)
    db.session.commit()
    tampered = runner.invoke(args=["verify-results", str(budget.id)])
    assert tampered.exit_code == 1 and "MISMATCH" in tampered.output
    assert runner.invoke(args=["verify-results", "999999"]).exit_code != 0


@pytest.mark.parametrize("ballot_type, rule, options", [
    ("approval", "greedy", {}), ("approval", "greedy-per-cost", {}), ("approval", "max-utility", {}),
    ("approval", "mes", {"completion": "none"}), ("approval", "mes", {"completion": "add1-greedy"}),
    ("approval", "phragmen", {}), ("knapsack", "mes", {}), ("knapsack", "greedy", {}),
    ("cumulative", "greedy", {}), ("cumulative", "mes", {"utility": "score"}),
    ("ranking", "greedy", {}), ("ranking", "mes", {"utility": "cardinality"}),
])
def test_every_ballot_type_counts_with_every_rule_and_fits_the_budget(areas, users, ballot, ballot_type, rule, options):
    budget, projects = ballot
    configure(budget, ballot_type=ballot_type, rule=rule, rule_options=options, min_projects=1,
              max_projects=None if ballot_type == "cumulative" else 3, max_points=10 if ballot_type == "cumulative" else None)
    pattern = [(0, 1), (0,), (1, 2), (3,), (0, 3), (2,)]
    choices = []
    for chosen in pattern:
        ids = [str(projects[i].id) for i in chosen]
        choices.append({pid: 10 // len(ids) for pid in ids} if ballot_type == "cumulative" else ids)
    cast_many(budget, projects, choices, areas)
    result = count_votes(budget, users["akimat"])
    spent = sum(data["cost"] for data in result.projects.values() if data["funded"])
    assert result.n_ballots == 6 and 0 < spent <= budget.amount
    assert all(data["explanation"] for data in result.projects.values())
    assert set(result.selected) == {pid for pid, data in result.projects.items() if data["funded"]}
