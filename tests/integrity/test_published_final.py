"""Published is final: what a published result rests on cannot move, publishing happens exactly
once, and the only way back is an annulment with a reason, visible to all.

Attacks 2 and 3 of issue #13: /admin/budgets/<id>/edit changed the amount of a published budget;
/admin/processes/<id>/edit moved the voting end into the future and a 601st ballot was cast;
ten simultaneous publish requests left two published results."""
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.admin.services import save_mci
from app.ballots import services as ballot_service
from app.ballots.snapshot import snapshot
from app.core.errors import ServiceError
from app.extensions import db
from app.models import (
    AuditEntry,
    BallotConfig,
    Budget,
    Phase,
    PhaseKind,
    Proposal,
    ProposalEvent,
    Result,
    SealedEnvelope,
    VoterParticipation,
)
from app.notifications.models import Notification
from app.results import services as result_service

from .conftest import count_votes, make_user, open_voting
from .helpers import EN, budget_named, city_process, project_ids


@pytest.fixture
def published(areas, users):
    """Esil's budget of a process whose voting is over, counted and published: 3 ballots."""
    process = city_process(areas)
    esil = budget_named(process, "Esil district")
    voters = [make_user(home=areas["Esil district / okrug 8"]) for _ in range(3)]
    open_voting(process, users["akimat"])
    ids = project_ids(esil)
    for voter, chosen in zip(voters, ([ids[0]], [ids[0], ids[1]], [ids[2]])):
        ballot_service.cast_with_snapshot(voter, snapshot(esil.id), chosen)
    result = count_votes(esil, users["akimat"], publish=True)
    return esil, result


def _form_of_process(process) -> dict:
    from app.admin.services import phase_days

    data = {"area_id": process.area_id, "year": process.year, "title_kk": process.title_kk,
            "title_ru": process.title_ru, "title_en": process.title_en, "description": "", "support_threshold": 0,
            "voting_scope": process.voting_scope}
    for kind, days in phase_days(process).items():
        data[f"{kind}-starts_on"] = days["starts_on"].isoformat()
        data[f"{kind}-ends_on"] = days["ends_on"].isoformat()
    return data


def test_the_budget_of_a_published_result_cannot_be_edited(client, users, published, log_in):
    budget, result = published
    log_in(users["admin"])
    page = client.post(f"/admin/budgets/{budget.id}/edit", data={
        "area_id": budget.area_id, "name_kk": budget.name_kk, "name_ru": budget.name_ru, "name_en": budget.name_en,
        "amount": "1000", "limit_value": "", "limit_unit": "tenge"}, headers=EN).get_data(as_text=True)
    assert "its budgets, their amounts and limits are fixed" in page
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).amount == 100_000_000
    assert result_service.verify(db.session.get(Result, result.id)) == []
    # The database refuses it too, whatever the code above it does.
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Budget).where(Budget.id == budget.id).values(amount=1000))
        db.session.flush()
    db.session.rollback()


def test_voting_cannot_be_reopened_after_the_count_and_no_ballot_is_added(client, users, areas, published, log_in):
    budget, result = published
    process = budget.process
    log_in(users["admin"])
    data = _form_of_process(process)
    data["voting-ends_on"] = (date.today() + timedelta(days=5)).isoformat()
    data["results-starts_on"] = (date.today() + timedelta(days=6)).isoformat()
    data["results-ends_on"] = (date.today() + timedelta(days=20)).isoformat()
    data["implementation-starts_on"] = (date.today() + timedelta(days=21)).isoformat()
    page = client.post(f"/admin/processes/{process.id}/edit", data=data, headers=EN).get_data(as_text=True)
    assert "Voting has closed: its end is fixed" in page
    db.session.expire_all()
    assert not db.session.get(type(process), process.id).is_in_phase(PhaseKind.VOTING)
    # Moving the date by hand is refused by the database...
    voting = db.session.scalar(select(Phase).where(Phase.process_id == process.id, Phase.kind == "voting"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Phase).where(Phase.id == voting.id)
                           .values(ends_at=voting.ends_at + timedelta(days=30)))
        db.session.flush()
    db.session.rollback()
    # ...and so is a 601st ballot written by hand after the count.
    from app.identity.voter_key import voter_key
    from app.models import RollEntry

    late = db.session.scalar(select(RollEntry).where(
        RollEntry.budget_id == budget.id,
        RollEntry.voter_key.not_in(select(VoterParticipation.voter_key))))
    assert late is not None and late.voter_key != voter_key("000000000000")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(VoterParticipation(budget_id=budget.id, voter_key=late.voter_key, channel="online",
                                          voted_on=date.today()))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(SealedEnvelope(budget_id=budget.id, sealed=b"x" * 100))
        db.session.flush()
    db.session.rollback()
    assert result.n_ballots == 3


def test_the_ballot_and_its_projects_are_fixed_once_voting_opens(client, users, areas, log_in):
    process = city_process(areas)
    esil = budget_named(process, "Esil district")
    spare = Proposal(process=process, budget=esil, area=esil.area, title="Late", description="Late",
                     description_html="<p>Late</p>", address="Astana", estimated_cost=1_000_000, status="feasible")
    db.session.add(spare)
    db.session.commit()
    open_voting(process, users["akimat"])
    log_in(users["akimat"])
    page = client.post(f"/budgets/{esil.id}/ballot-config", data={
        "ballot_type": "knapsack", "min_projects": 1, "rule": "mes", "tie_break": "id", "min_votes": 1,
        "min_age": 16}, headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "locked" in page
    placed = client.post(f"/proposals/{spare.id}/ballot", headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "fixed once voting has started" in placed
    db.session.expire_all()
    assert db.session.get(Proposal, spare.id).status == "feasible"
    for statement in (sa.update(BallotConfig).where(BallotConfig.budget_id == esil.id).values(rule="mes"),
                      sa.update(Proposal).where(Proposal.id == spare.id).values(status="on_ballot"),
                      sa.update(Proposal).where(Proposal.budget_id == esil.id, Proposal.status == "on_ballot")
                      .values(estimated_cost=1)):
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()


def test_a_published_result_row_never_changes_and_is_never_deleted(published):
    budget, result = published
    for statement in (sa.update(Result).where(Result.id == result.id).values(selected=[]),
                      sa.update(Result).where(Result.id == result.id).values(published_at=None),
                      sa.delete(Result).where(Result.id == result.id)):
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()


def test_a_second_result_cannot_be_published_for_the_same_budget(users, published):
    budget, first = published
    second = result_service.count(budget, users["akimat"])
    with pytest.raises(ServiceError):
        result_service.publish(second, users["akimat"])
    with pytest.raises(sa.exc.IntegrityError):  # the partial unique index, below the service
        db.session.execute(sa.update(Result).where(Result.id == second.id)
                           .values(published_at=first.published_at))
        db.session.flush()
    db.session.rollback()


def test_ten_simultaneous_publications_publish_once(race_app):
    """Ten requests publish the same count at once, and ten more two different counts: one
    published result each time, the projects decided once. SQLite file and PostgreSQL (CI)."""
    race = race_app
    with race.test_request_context():
        areas = {name: db.session.merge(area) for name, area in race.areas.items()}
        process = city_process(areas)
        esil = budget_named(process, "Esil district")
        official = make_user(home=areas["Astana"], role="akimat", area=areas["Astana"])
        voter = make_user(home=areas["Esil district / okrug 8"])
        open_voting(process, official)
        ballot_service.cast_with_snapshot(voter, snapshot(esil.id), project_ids(esil)[:1])
        counts = [count_votes(esil, official)] + [result_service.count(esil, official) for _ in range(2)]
        ids = {"official": official.id, "results": [r.id for r in counts], "budget": esil.id}
    outcomes, barrier = [], threading.Barrier(10, timeout=60)

    def publish(result_id):
        with race.test_request_context():

            try:
                result, user = db.session.get(Result, result_id), db.session.get(type(official), ids["official"])
                barrier.wait()
                result_service.publish(result, user)
                outcomes.append("published")
            except ServiceError:
                outcomes.append("refused")
            except sa.exc.OperationalError:
                outcomes.append("busy")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publish, args=(ids["results"][i % 3],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with race.app_context():
        published_rows = db.session.scalar(select(func.count()).select_from(Result).where(
            Result.budget_id == ids["budget"], Result.published_at.is_not(None)))
        decided = db.session.scalar(select(func.count()).select_from(ProposalEvent).where(
            ProposalEvent.kind.in_(["funded", "not_funded"])))
    assert outcomes.count("published") == 1, outcomes
    assert published_rows == 1
    assert decided == 3  # each of the three projects once


# --- annulment: the only way back ---------------------------------------------------------------

def test_a_nationwide_administrator_annuls_with_a_reason_that_everyone_sees(client, users, published, log_in):
    budget, result = published
    supporter = make_user(home=budget.area)
    project = db.session.scalar(select(Proposal).where(Proposal.budget_id == budget.id, Proposal.status == "funded"))
    from app.models import Support

    db.session.add(Support(proposal_id=project.id, user_id=supporter.id))
    db.session.commit()
    # An administrator of one area may not; a reason is required.
    log_in(users["admin_elsewhere"])
    assert client.post(f"/results/{result.id}/annul", data={"reason": "Counted with the wrong rule"}).status_code == 403
    client.post("/auth/logout")
    log_in(users["admin"])
    short = client.post(f"/results/{result.id}/annul", data={"reason": "no"}, headers=EN, follow_redirects=True)
    assert "at least 10 characters" in short.get_data(as_text=True)
    reason = "The count key file of this budget was handled outside the commission"
    done = client.post(f"/results/{result.id}/annul", data={"reason": reason}, headers=EN, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "was annulled on" in text and reason in text
    db.session.expire_all()
    annulled = db.session.get(Result, result.id)
    assert annulled.annulled_at is not None and annulled.annulled_by_id == users["admin"].id
    assert {p.status for p in db.session.scalars(select(Proposal).where(Proposal.budget_id == budget.id))} \
        == {"on_ballot"}
    events = db.session.scalars(select(ProposalEvent).where(ProposalEvent.kind == "result_annulled")).all()
    assert len(events) == 3 and all(e.note == reason for e in events)
    notified = set(db.session.scalars(select(Notification.user_id).where(
        Notification.event_id.in_([e.id for e in events]))))
    assert supporter.id in notified
    logged = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "results",
                                                        AuditEntry.action == "annul"))
    assert logged.changes["reason"] == reason and logged.actor_id == users["admin"].id
    timeline = client.get(f"/proposals/{project.id}", headers=EN).get_data(as_text=True)
    assert "was annulled" in timeline
    # The annulled result stays visible as annulled, and can never be published again...
    assert reason in client.get(f"/budgets/{budget.id}/results", headers=EN).get_data(as_text=True)
    with pytest.raises(ServiceError):
        result_service.publish(annulled, users["akimat"])
    # ...while a recount from the same ballots can be.
    recount = result_service.count(budget, users["akimat"])
    result_service.publish(recount, users["akimat"])
    assert recount.ballots_sha256 == annulled.ballots_sha256 and recount.n_ballots == 3
    page = client.get(f"/budgets/{budget.id}/results", headers=EN).get_data(as_text=True)
    assert "Ballots counted: 3" in page and reason in page


# --- the per-project limit ----------------------------------------------------------------------

def test_a_new_mci_rate_does_not_move_the_limit_of_a_running_process(ctx, areas):
    """Attack 7: adding the next year's MCI rate changed the running process's per-project limit
    (21 625 000 → 22 500 000 ₸). Fixed when the proposals phase opens; later processes follow."""
    from app.admin.services import save_budget
    from app.core.clock import utcnow
    from app.models import Process

    def process(year, starts):
        p = Process(area=areas["Astana"], year=year, title_kk="P", title_ru="P", title_en=f"P {year}")
        p.phases.append(Phase(kind="proposals", starts_at=starts, ends_at=starts + timedelta(days=30)))
        db.session.add(p)
        db.session.flush()
        return p

    running = process(2027, utcnow() - timedelta(days=3))
    coming = process(2027, utcnow() + timedelta(days=30))
    budgets = [save_budget(Budget(), p, area=areas["Esil district"], amount=100_000_000, limit_value=5_000,
                           limit_unit="mci", names={"name_kk": "Б", "name_ru": "Б", "name_en": "B"})
               for p in (running, coming)]
    assert [b.project_limit() for b in budgets] == [21_625_000, 21_625_000]
    save_mci(2027, 4_500)
    db.session.expire_all()
    assert [db.session.get(Budget, b.id).project_limit() for b in budgets] == [21_625_000, 22_500_000]
