"""One person, one vote: the electoral roll fixed when voting opens, one ballot per process,
paper ballots as at a polling station.

Attack 1 of issue #13: a resident voted in the Esil budget, moved their home area to Almaty
district at /auth/profile and voted again in that district's budget of the same process."""
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.ballots import paper as paper_service
from app.ballots.snapshot import snapshot
from app.core.errors import ServiceError
from app.extensions import db
from app.identity.iin import make_iin
from app.identity.voter_key import voter_key
from app.models import AuditEntry, PaperTally, RollEntry, SealedEnvelope, VoterParticipation

from .conftest import make_user, open_voting
from .helpers import EN, budget_named, city_process, project_ids


def votes() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(SealedEnvelope)),
            db.session.scalar(select(func.count()).select_from(VoterParticipation)))


def cast(client, budget, chosen):
    return client.post(f"/budgets/{budget.id}/vote/cast", data={"chosen": chosen}, headers=EN,
                       follow_redirects=True).get_data(as_text=True)


def test_moving_home_after_voting_gives_no_second_ballot_in_the_process(client, areas, users, log_in):
    process = city_process(areas)
    esil, almaty = budget_named(process, "Esil district"), budget_named(process, "Almaty district")
    open_voting(process, users["akimat"])
    log_in(users["resident"])
    assert "Your receipt code" in cast(client, esil, project_ids(esil)[:1])
    # One click at /auth/profile: the home area moves to Almaty district...
    moved = client.post("/auth/profile", data={
        "profile-full_name": users["resident"].full_name, "profile-phone": "", "profile-locale": "en",
        "profile-home_area": areas["Almaty district / okrug 1"].id, "profile-submit": "1"},
        headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "applies from the next process" in moved
    assert "You vote on Esil district in the Astana 2027 process" in moved
    # ...but the roll fixed when voting opened does not move: the second ballot is refused.
    page = client.get(f"/budgets/{almaty.id}/vote", headers=EN).get_data(as_text=True)
    assert "In this process you vote on the budget Esil district." in page
    assert "In this process you vote on the budget Esil district." in cast(client, almaty, project_ids(almaty)[:1])
    assert votes() == (1, 1)


def test_a_resident_who_registers_after_the_roll_is_fixed_votes_on_paper_only(client, areas, users, log_in):
    process = city_process(areas)
    esil = budget_named(process, "Esil district")
    open_voting(process, users["akimat"])
    newcomer = make_user(home=areas["Esil district / okrug 7"])
    log_in(newcomer)
    assert "not on the electoral roll" in cast(client, esil, project_ids(esil)[:1])
    assert votes() == (0, 0)


def test_the_database_refuses_a_vote_off_the_roll_and_a_second_budget_of_a_process(areas, users):
    process = city_process(areas)
    esil, almaty = budget_named(process, "Esil district"), budget_named(process, "Almaty district")
    open_voting(process, users["akimat"])
    key = voter_key(users["resident"].iin)
    # Not on Almaty's roll: the participation's foreign key to the roll refuses it.
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(VoterParticipation(budget_id=almaty.id, voter_key=key, channel="online", voted_on=date.today()))
        db.session.flush()
    db.session.rollback()
    # Nor can the roll be given a second budget of the same tier in this process.
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(RollEntry(budget_id=almaty.id, voter_key=key, process_id=process.id, tier=0,
                                 age_band="30-44", sex="male"))
        db.session.flush()
    db.session.rollback()
    # And on the own budget, once only.
    db.session.add(VoterParticipation(budget_id=esil.id, voter_key=key, channel="online", voted_on=date.today()))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(VoterParticipation(budget_id=esil.id, voter_key=key, channel="paper", voted_on=date.today()))
        db.session.flush()
    db.session.rollback()


def test_a_district_and_city_process_gives_two_ballots_and_no_third(client, areas, users, log_in):
    process = city_process(areas, scope="district_and_city", city_budget=True)
    esil, almaty = budget_named(process, "Esil district"), budget_named(process, "Almaty district")
    city = budget_named(process, "Astana city-wide")
    open_voting(process, users["akimat"])
    log_in(users["resident"])
    booth = client.get(f"/budgets/{city.id}/vote", headers=EN).get_data(as_text=True)
    assert "your district's budget and the city-wide budget" in booth
    assert "Your receipt code" in cast(client, esil, project_ids(esil)[:1])
    assert "Your receipt code" in cast(client, city, project_ids(city)[:2])
    assert "already voted" in cast(client, city, project_ids(city)[:1])
    assert "In this process you vote on the budget Esil district." in cast(client, almaty, project_ids(almaty)[:1])
    assert votes() == (2, 2)


def test_a_one_ballot_process_puts_each_voter_on_one_budget_only(areas, users):
    process = city_process(areas, city_budget=True)
    open_voting(process, users["akimat"])
    entries = db.session.scalars(select(RollEntry).where(RollEntry.voter_key == voter_key(users["resident"].iin)))
    assert [e.budget.name_en for e in entries] == ["Esil district"]


# --- paper ballots, as at a polling station --------------------------------------------------------

def test_paper_refuses_an_iin_of_someone_on_no_roll_unless_a_reason_is_recorded(client, areas, users, log_in):
    """Attack 4: /budgets/<id>/paper accepted any IIN with a valid checksum."""
    process = city_process(areas)
    esil = budget_named(process, "Esil district")
    open_voting(process, users["akimat"])
    stranger = make_iin(date(1980, 2, 2), "male", 4321)  # valid, registered nowhere
    log_in(users["akimat"])
    page = client.post(f"/budgets/{esil.id}/paper", data={"iin": stranger}, headers=EN).get_data(as_text=True)
    assert "not on the roll of this budget" in page
    assert votes() == (0, 0) and db.session.scalar(select(func.count()).select_from(RollEntry)) > 0
    rolled = db.session.scalar(select(func.count()).select_from(RollEntry))
    short = client.post(f"/budgets/{esil.id}/paper", data={"iin": stranger, "reason": "ok"}, headers=EN)
    assert "not on the roll of this budget" in short.get_data(as_text=True)
    reason = "Registered in the district, identity card shown"
    added = client.post(f"/budgets/{esil.id}/paper", data={"iin": stranger, "reason": reason}, headers=EN,
                        follow_redirects=True).get_data(as_text=True)
    assert "added to the roll with the reason given" in added
    assert db.session.scalar(select(func.count()).select_from(RollEntry)) == rolled + 1
    entry = db.session.get(RollEntry, (esil.id, voter_key(stranger)))
    assert entry.added_reason == reason and entry.added_by_id == users["akimat"].id
    logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "add_to_roll")).all()
    assert [e.changes["reason"] for e in logged] == [reason] and logged[0].actor_id == users["akimat"].id
    assert stranger not in str(logged[0].changes)
    assert votes() == (0, 1)
    again = client.post(f"/budgets/{esil.id}/paper", data={"iin": stranger, "reason": reason}, headers=EN)
    assert "already voted" in again.get_data(as_text=True)


def test_paper_refuses_a_voter_of_another_district(client, areas, users, log_in):
    process = city_process(areas)
    almaty = budget_named(process, "Almaty district")
    open_voting(process, users["akimat"])
    log_in(users["akimat"])
    page = client.post(f"/budgets/{almaty.id}/paper", data={"iin": users["resident"].iin, "reason": "x" * 20},
                       headers=EN).get_data(as_text=True)
    assert "on the roll of Esil district and votes there" in page
    assert votes() == (0, 0)


def test_the_official_never_sees_an_iin_and_its_choices_together(client, areas, users, log_in):
    process = city_process(areas)
    esil = budget_named(process, "Esil district")
    open_voting(process, users["akimat"])
    log_in(users["akimat"])
    voters_page = client.get(f"/budgets/{esil.id}/paper", headers=EN).get_data(as_text=True)
    papers_page = client.get(f"/budgets/{esil.id}/paper/ballots", headers=EN).get_data(as_text=True)
    assert 'name="iin"' in voters_page and 'name="chosen"' not in voters_page
    assert 'name="chosen"' in papers_page and 'name="iin"' not in papers_page


def test_paper_ballots_never_outnumber_the_voters_marked_on_paper(client, areas, users, log_in):
    process = city_process(areas)
    esil = budget_named(process, "Esil district")
    open_voting(process, users["akimat"])
    log_in(users["akimat"])
    first = project_ids(esil)[:1]
    refused = client.post(f"/budgets/{esil.id}/paper/ballots", data={"chosen": first}, headers=EN)
    assert "Mark the voter on the roll first" in refused.get_data(as_text=True)
    client.post(f"/budgets/{esil.id}/paper", data={"iin": users["resident"].iin})
    assert "entered and sealed" in client.post(f"/budgets/{esil.id}/paper/ballots", data={"chosen": first},
                                               headers=EN, follow_redirects=True).get_data(as_text=True)
    again = client.post(f"/budgets/{esil.id}/paper/ballots", data={"chosen": first}, headers=EN)
    assert "Mark the voter on the roll first" in again.get_data(as_text=True)
    assert votes() == (1, 1)
    # The database says the same, whatever the code does.
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(PaperTally).values(papers_entered=PaperTally.papers_entered + 1))
        db.session.flush()
    db.session.rollback()


def test_a_minimum_voting_age_of_14_lets_a_15_year_old_vote(client, areas, users, log_in):
    """Attack 7: a budget whose minimum age is 14 or 15 crashed when a 15-year-old voted (the age
    bands started at 16)."""
    process = city_process(areas, min_age=14)
    esil = budget_named(process, "Esil district")
    today = date.today()
    teen = make_user(home=areas["Esil district / okrug 7"], born=date(today.year - 15, 1, 1))
    open_voting(process, users["akimat"])
    log_in(teen)
    assert "Your receipt code" in cast(client, esil, project_ids(esil)[:1])
    band = db.session.scalar(select(RollEntry.age_band).where(RollEntry.voter_key == voter_key(teen.iin)))
    assert band == "14-15"


# --- under concurrency ------------------------------------------------------------------------------

def _threads(n, target):
    barrier = threading.Barrier(n, timeout=60)
    outcomes = []

    def run():
        barrier.wait()
        outcomes.append(target())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_simultaneous_paper_marks_and_entries_keep_one_mark_and_no_extra_paper(paper_race):
    """Ten officials mark the same voter at once: one mark. Eight papers entered at once for five
    marked voters: five entered. On a SQLite file and on PostgreSQL (CI)."""
    app, ids = paper_race

    def act(fn):
        def run():
            with app.test_request_context():
                from app.models import Budget, User

                try:
                    fn(db.session.get(User, ids["akimat"]), db.session.get(Budget, ids["budget"]))
                    return "done"
                except ServiceError:
                    return "refused"
                except sa.exc.OperationalError:  # SQLite: "database is locked" (a 503 for the web)
                    return "busy"
                except Exception as error:  # anything else would be a server error
                    return f"error: {error!r}"
                finally:
                    db.session.remove()
        return run

    marks = _threads(10, act(lambda official, budget: paper_service.mark_voter(official, budget, ids["iins"][0])))
    assert marks.count("done") == 1 and len(marks) == 10 and not [m for m in marks if m.startswith("error")], marks
    for iin in ids["iins"][1:5]:
        act(lambda official, budget, iin=iin: paper_service.mark_voter(official, budget, iin))()
    papers = _threads(8, act(lambda official, budget: paper_service.enter_paper(official, budget, [ids["project"]])))
    with app.app_context():
        tally = db.session.get(PaperTally, ids["budget"])
        assert (tally.voters_marked, tally.papers_entered) == (5, 5)
        assert db.session.scalar(select(func.count()).select_from(SealedEnvelope)) == 5
    assert papers.count("done") == 5 and not [p for p in papers if p.startswith("error")], papers


@pytest.fixture
def paper_race(race_app):
    """The race app with an opened process: an official and five voters of Esil district."""
    with race_app.test_request_context():
        areas = {name: db.session.merge(area) for name, area in race_app.areas.items()}
        process = city_process(areas)
        esil = budget_named(process, "Esil district")
        official = make_user(home=areas["Astana"], role="akimat", area=areas["Astana"])
        voters = [make_user(home=areas["Esil district / okrug 8"]) for _ in range(5)]
        open_voting(process, official)
        assert snapshot(esil.id).public_key
        ids = {"akimat": official.id, "budget": esil.id, "iins": [v.iin for v in voters],
               "project": project_ids(esil)[0]}
    return race_app, ids
