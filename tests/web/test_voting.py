"""The voting booth, the roll, sealed ballots, paper ballots and the ballot settings (the count:
test_counting.py)."""
import hashlib
import re
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.ballots import services as ballot_service
from app.ballots.snapshot import snapshot
from app.core.errors import ServiceError
from app.extensions import db
from app.models import (
    Ballot,
    BallotConfig,
    Budget,
    PhaseKind,
    Proposal,
    SealedEnvelope,
    VoterParticipation,
)

from .conftest import count_votes, make_user, move_to_phase, open_voting

EN = {"Accept-Language": "en"}


def start(budget) -> None:
    """Open voting on the budget's process (keys made and confirmed, roll fixed)."""
    open_voting(budget.process)


def configure(budget, **values):
    config = db.session.get(BallotConfig, budget.id) or BallotConfig(budget_id=budget.id)
    defaults = dict(ballot_type="approval", min_projects=1, max_projects=3, rule="greedy", rule_options={},
                    tie_break="id", min_votes=1, allow_change=False, min_age=16)
    defaults.update(values)
    for key, value in defaults.items():
        setattr(config, key, value)
    db.session.add(config)
    db.session.commit()


def vote(client, budget, chosen, **extra):
    data = {"chosen": [str(p.id) for p in chosen], **extra}
    return client.post(f"/budgets/{budget.id}/vote/cast", data=data, headers=EN, follow_redirects=True)


def counts():
    """(sealed envelopes, participations)."""
    return (db.session.scalar(select(func.count()).select_from(SealedEnvelope)),
            db.session.scalar(select(func.count()).select_from(VoterParticipation)))


def receipt_in(text: str) -> str:
    return re.search(r'id="receipt-code">([A-Z0-9-]+)<', text).group(1)


def test_resident_votes_and_gets_a_receipt_that_finds_the_ballot_after_the_count(client, users, ballot, log_in):
    budget, projects = ballot
    start(budget)
    log_in(users["resident"])
    page = client.get(f"/budgets/{budget.id}/vote", headers=EN).get_data(as_text=True)
    assert "Choose from 1 to 3 projects." in page and "Playground" in page
    text = vote(client, budget, projects[:2]).get_data(as_text=True)
    assert "Your receipt code" in text
    receipt = receipt_in(text)
    assert counts() == (1, 1)
    # Sealed until the count: the lookup says so and finds nothing.
    before = client.get(f"/budgets/{budget.id}/ballot-lookup?receipt={receipt}", headers=EN).get_data(as_text=True)
    assert "sealed until the count" in before and "Playground" not in before
    count_votes(budget, users["akimat"], publish=True)
    typed = receipt.replace("-", "").lower()  # without dashes, in lower case
    found = client.get(f"/budgets/{budget.id}/ballot-lookup?receipt={typed}", headers=EN).get_data(as_text=True)
    assert "Playground" in found and "Lighting" in found and "Ramps" not in found
    stored = db.session.scalar(select(Ballot))
    assert stored.choices == {str(projects[0].id): 1, str(projects[1].id): 1}
    assert stored.receipt_hash == hashlib.sha256(receipt.encode()).hexdigest()


def test_invalid_ballot_lists_every_problem_and_stores_nothing(client, users, ballot, log_in):
    budget, projects = ballot
    configure(budget, ballot_type="knapsack", min_projects=1, max_projects=2)
    start(budget)
    log_in(users["resident"])
    response = client.post(f"/budgets/{budget.id}/vote", data={"chosen": [str(p.id) for p in projects],
                                                                "action": "review"}, headers=EN)
    text = response.get_data(as_text=True)
    assert "Choose at most 2 project(s); you chose 4." in text
    assert "The projects you chose cost 115,000,000 ₸ together, more than the 100,000,000 ₸ available." in text
    assert vote(client, budget, projects).status_code == 200
    assert counts() == (0, 0)


def test_check_my_ballot_works_without_javascript(client, users, ballot, log_in):
    budget, projects = ballot
    start(budget)
    log_in(users["resident"])
    response = client.post(f"/budgets/{budget.id}/vote", data={"chosen": [str(projects[3].id)], "action": "check"},
                           headers=EN)
    text = response.get_data(as_text=True)
    assert "Your ballot is valid" in text and "Total cost: 10,000,000 ₸" in text
    confirm = client.post(f"/budgets/{budget.id}/vote", data={"chosen": [str(projects[3].id)], "action": "review"},
                          headers=EN).get_data(as_text=True)
    assert "Cast my ballot" in confirm
    assert counts() == (0, 0)


def test_second_ballot_is_refused(client, users, ballot, log_in):
    budget, projects = ballot
    start(budget)
    log_in(users["resident"])
    vote(client, budget, projects[:1])
    again = vote(client, budget, projects[1:2])
    assert "already voted" in again.get_data(as_text=True)
    assert counts() == (1, 1)


@pytest.mark.parametrize("who, message", [
    ("resident_elsewhere", "Only residents of"),
])
def test_non_residents_cannot_vote(client, users, ballot, log_in, who, message):
    budget, projects = ballot
    start(budget)
    log_in(users[who])
    assert message in client.get(f"/budgets/{budget.id}/vote", headers=EN).get_data(as_text=True)
    assert message in vote(client, budget, projects[:1]).get_data(as_text=True)
    assert counts() == (0, 0)


def test_too_young_to_vote_is_refused(client, areas, ballot, log_in):
    budget, projects = ballot
    configure(budget, min_age=18)
    young = make_user(home=areas["Esil district / okrug 7"], born=date(date.today().year - 17, 1, 1))
    start(budget)
    log_in(young)
    assert "aged 18 and over" in vote(client, budget, projects[:1]).get_data(as_text=True)
    assert counts() == (0, 0)


def test_voting_outside_the_voting_phase_is_refused(client, users, ballot, open_process, log_in):
    budget, projects = ballot
    log_in(users["resident"])
    assert "not open now" in vote(client, budget, projects[:1]).get_data(as_text=True)  # dates, but not opened
    start(budget)
    move_to_phase(open_process, PhaseKind.RESULTS)
    assert "not open now" in vote(client, budget, projects[:1]).get_data(as_text=True)
    assert counts() == (0, 0)


def test_anonymous_cannot_vote(client, ballot):
    budget, projects = ballot
    assert "/auth/login" in client.post(f"/budgets/{budget.id}/vote/cast", data={"chosen": [str(projects[0].id)]}).headers["Location"]
    assert counts() == (0, 0)


def test_ballot_change_replaces_the_sealed_content_where_allowed(client, users, ballot, log_in):
    budget, projects = ballot
    configure(budget, allow_change=True)
    start(budget)
    log_in(users["resident"])
    text = vote(client, budget, projects[:1]).get_data(as_text=True)
    receipt = receipt_in(text)
    change_key = re.findall(r'<strong class="receipt-code">([^<]+)</strong>', text)[0]
    sealed_before = db.session.scalar(select(SealedEnvelope.sealed))
    wrong = vote(client, budget, projects[1:2], receipt=receipt, change_key="AAAA-AAAA-AAAA")
    assert "do not match" in wrong.get_data(as_text=True)
    # Typed without dashes and in lower case, the codes still work.
    changed = vote(client, budget, projects[1:3], receipt=receipt.replace("-", "").lower(),
                   change_key=change_key.lower())
    assert "Your ballot is changed" in changed.get_data(as_text=True)
    db.session.expire_all()
    assert counts() == (1, 1)
    assert db.session.scalar(select(SealedEnvelope.sealed)) != sealed_before  # still sealed, never readable
    count_votes(budget, users["akimat"])
    assert set(db.session.scalar(select(Ballot)).choices) == {str(projects[1].id), str(projects[2].id)}


def test_ballot_change_is_refused_where_not_allowed(client, users, ballot, log_in):
    budget, projects = ballot
    start(budget)
    log_in(users["resident"])
    receipt = receipt_in(vote(client, budget, projects[:1]).get_data(as_text=True))
    refused = vote(client, budget, projects[1:2], receipt=receipt, change_key="AAAA-AAAA-AAAA")
    assert "cannot be changed" in refused.get_data(as_text=True)
    assert counts() == (1, 1)


def test_no_column_or_join_links_a_voter_to_a_ballot():
    assert {c.name for c in Ballot.__table__.columns} == {"id", "budget_id", "choices", "channel", "receipt_hash"}
    assert {c.name for c in SealedEnvelope.__table__.columns} == {"id", "budget_id", "sealed", "change_key_hash"}
    for table in (Ballot.__table__, SealedEnvelope.__table__):
        assert not [fk for fk in table.foreign_keys if fk.column.table.name != "budgets"]
    participation_columns = {c.name for c in VoterParticipation.__table__.columns}
    assert participation_columns == {"budget_id", "voter_key", "channel", "voted_on", "entered_by_id"}
    assert str(VoterParticipation.__table__.c.voted_on.type) == "DATE"  # the day only


# --- many voters at once (the count: test_counting.py) -----------------------------------------

def cast_many(budget, projects, ballots, areas):
    """Voters of the district (registered before voting opens, so they are on the roll), voting
    opened, and one ballot each."""
    voters = [make_user(home=areas["Esil district / okrug 9"]) for _ in ballots]
    if not ballot_service.voting_opened(budget):
        start(budget)
    for voter, chosen in zip(voters, ballots):
        choice = chosen if isinstance(chosen, (dict, list)) else [str(projects[i].id) for i in chosen]
        ballot_service.cast_with_snapshot(voter, snapshot(budget.id), choice)


def _race(app, voter_id, budget_id, choice, n=20) -> list[str]:
    """n threads submit the same voter's ballot at once; returns what each got."""
    outcomes, barrier = [], threading.Barrier(n, timeout=60)

    def submit():
        with app.app_context():
            from app.models import User

            try:
                user, snap = db.session.get(User, voter_id), snapshot(budget_id)
                barrier.wait()
                ballot_service.cast_with_snapshot(user, snap, choice)
                outcomes.append("stored")
            except ServiceError:
                outcomes.append("refused")
            except sa.exc.OperationalError:  # SQLite: "database is locked" (a 503 for the web)
                outcomes.append("busy")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_twenty_concurrent_submissions_by_one_voter_store_exactly_one(app, tmp_path):
    """On PostgreSQL (CI) against the test server; on SQLite against a database file, since the
    in-memory database is a single connection."""
    from datetime import timedelta

    from app import create_app
    from app.admin.services import set_phase_dates
    from app.ballots import opening
    from app.demo import load_areas
    from app.models import PHASE_ORDER, Process

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    race_app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                           "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 25, "max_overflow": 5}})
    with race_app.test_request_context():
        db.create_all()
        areas = load_areas()
        process = Process(area=areas["Astana"], year=2027, title_kk="x", title_ru="x", title_en="x")
        today = date.today()
        days = {kind: (today + timedelta(days=10 * (i - 3)), today + timedelta(days=10 * (i - 3) + 9))
                for i, kind in enumerate(PHASE_ORDER)}  # the voting phase (index 2) ends soon
        days[PhaseKind.VOTING] = (today - timedelta(days=1), today + timedelta(days=1))
        days[PhaseKind.RESULTS] = (today + timedelta(days=2), today + timedelta(days=3))
        days[PhaseKind.IMPLEMENTATION] = (today + timedelta(days=4), today + timedelta(days=5))
        set_phase_dates(process, days)
        budget = Budget(process=process, area=areas["Esil district"], name_kk="b", name_ru="b", name_en="b",
                        amount=1_000_000)
        project = Proposal(process=process, budget=budget, area=areas["Esil district"], title="p", description="p",
                           description_html="p", address="a", estimated_cost=10, status="on_ballot")
        db.session.add_all([process, budget, project])
        voter = make_user(home=areas["Esil district / okrug 7"])
        official = make_user(home=areas["Astana"], role="akimat", area=areas["Astana"])
        opening.open_voting(process, official, opening.prepare_keys(process, official))
        ids = (voter.id, budget.id, [str(project.id)])
    outcomes = _race(race_app, *ids)
    with race_app.app_context():
        stored = (db.session.scalar(select(func.count()).select_from(SealedEnvelope)
                                    .where(SealedEnvelope.budget_id == ids[1])),
                  db.session.scalar(select(func.count()).select_from(VoterParticipation)
                                    .where(VoterParticipation.budget_id == ids[1])))
        db.engine.dispose()
    assert len(outcomes) == 20 and outcomes.count("stored") == 1, outcomes
    assert stored == (1, 1)


def test_the_booth_shows_no_running_counts(client, users, areas, ballot, log_in):
    """Nothing is counted or shown before voting closes: a running count would also let anyone
    watching the database over time read each ballot."""
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (0, 1)], areas)
    log_in(users["resident"])
    page = client.get(f"/budgets/{budget.id}/vote", headers=EN).get_data(as_text=True)
    assert "so far" not in page
    assert "show_running_counts" not in {c.name for c in BallotConfig.__table__.columns}


def test_home_page_links_to_the_booth_during_voting(client, users, ballot, log_in):
    budget, _ = ballot
    start(budget)
    log_in(users["resident"])
    assert f"/budgets/{budget.id}/vote" in client.get("/").get_data(as_text=True)


def booth_post(client, budget, fields, action="check"):
    return client.post(f"/budgets/{budget.id}/vote", data={**fields, "action": action}, headers=EN).get_data(as_text=True)


def test_cumulative_ballot_distributes_points_within_the_limits(client, users, ballot, log_in):
    budget, projects = ballot
    configure(budget, ballot_type="cumulative", min_projects=1, max_projects=None, max_points=10,
              max_points_per_project=6, rule="mes", rule_options={"utility": "score"})
    start(budget)
    log_in(users["resident"])
    page = booth_post(client, budget, {f"p{projects[0].id}": "7", f"p{projects[1].id}": "5"})
    assert "You gave 12 points in total; at most 10 may be given." in page
    assert f"You gave 7 points to project No. {projects[0].id}; at most 6 per project." in page
    assert "Enter whole numbers" in booth_post(client, budget, {f"p{projects[0].id}": "-2"})
    vote(client, budget, [], **{f"p{projects[0].id}": "6", f"p{projects[1].id}": "4"})
    count_votes(budget, users["akimat"])
    stored = db.session.scalar(select(Ballot))
    assert stored.choices == {str(projects[0].id): 6, str(projects[1].id): 4}


def test_ranking_ballot_keeps_the_order_and_refuses_duplicate_ranks(client, users, ballot, log_in):
    budget, projects = ballot
    configure(budget, ballot_type="ranking", min_projects=2, max_projects=3)
    start(budget)
    log_in(users["resident"])
    assert "give each rank only once" in booth_post(client, budget, {f"p{projects[0].id}": "1", f"p{projects[1].id}": "1"})
    assert "Rank at least 2 project(s); you ranked 1." in booth_post(client, budget, {f"p{projects[2].id}": "1"})
    vote(client, budget, [], **{f"p{projects[2].id}": "1", f"p{projects[0].id}": "2"})
    count_votes(budget, users["akimat"])
    assert db.session.scalar(select(Ballot)).choices == {str(projects[2].id): 1, str(projects[0].id): 2}


def test_casting_without_a_csrf_token_is_refused_and_nothing_stored(app, client, users, ballot, log_in, monkeypatch):
    budget, projects = ballot
    start(budget)
    log_in(users["resident"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/budgets/{budget.id}/vote/cast", data={"chosen": [str(projects[0].id)]})
    assert response.status_code == 400
    assert counts() == (0, 0)


def test_vote_day_snapshot_is_used_and_dropped_when_voting_closes_early(app, client, users, areas, ballot, log_in,
                                                                          monkeypatch):
    from app.admin.services import change_phase_early
    from app.ballots.snapshot import forget

    budget, projects = ballot
    late = make_user(home=areas["Esil district / okrug 9"])
    start(budget)
    monkeypatch.setitem(app.config, "BALLOT_SNAPSHOT_SECONDS", 60)
    forget()
    try:
        log_in(users["resident"])
        assert "Your receipt code" in vote(client, budget, projects[:1]).get_data(as_text=True)
        client.post("/auth/logout")
        change_phase_early(budget.process, PhaseKind.VOTING, "close", "Storm warning", users["akimat"])
        log_in(late)
        assert "not open now" in vote(client, budget, projects[:1]).get_data(as_text=True)
        assert counts() == (1, 1)
    finally:
        forget()


def test_a_wrong_change_code_and_going_back_keep_every_choice(client, users, ballot, log_in):
    """Issue #19: going back from the confirmation, or mistyping the change code, used to start
    the ballot again from nothing."""
    budget, projects = ballot
    configure(budget, allow_change=True)
    start(budget)
    log_in(users["resident"])
    text = vote(client, budget, projects[:1]).get_data(as_text=True)
    receipt = receipt_in(text)
    chosen = [str(p.id) for p in projects[1:3]]
    wrong = client.post(f"/budgets/{budget.id}/vote/cast", headers=EN,
                        data={"chosen": chosen, "receipt": receipt.lower(), "change_key": "AAAA-AAAA-AAAA"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "do not match" in page
    assert all(f'name="chosen" value="{pid}"' in page for pid in chosen)  # the choices, still there
    assert f'value="{receipt.lower()}"' in page  # the receipt as typed; the change code is never echoed
    back = client.post(f"/budgets/{budget.id}/vote", headers=EN, data={"chosen": chosen, "action": "back"})
    page = back.get_data(as_text=True)
    assert back.status_code == 200 and 'id="booth"' in page
    assert all(re.search(rf'value="{pid}"[^>]*checked', page) for pid in chosen)


def test_codes_have_no_look_alike_characters():
    from app.ballots.services import RECEIPT_ALPHABET, new_code, normalize_code

    assert not set("01OIl") & set(RECEIPT_ALPHABET) and RECEIPT_ALPHABET == RECEIPT_ALPHABET.upper()
    code = new_code()
    assert normalize_code(code.replace("-", "").lower()) == code
