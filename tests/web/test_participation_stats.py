"""The turnout statistics are aggregated once (voting closed, counted, published, annulled) and
stored: a results page reads one stored row, never the electoral roll or the participations."""
from sqlalchemy import select

from app.extensions import db
from app.models import ParticipationStats, Result
from app.results import services as result_service
from app.results.participation import participation

from .conftest import count_votes, make_user
from .query_counter import statements
from .test_voting import EN, cast_many


def test_the_count_stores_eligible_voters_and_turnout_by_district_band_and_sex(client, users, areas, ballot):
    budget, projects = ballot
    make_user(home=areas["Esil district / okrug 9"])  # on the roll, does not vote
    cast_many(budget, projects, [(0,), (0, 1), (2,)], areas)
    assert db.session.get(ParticipationStats, budget.id) is None
    count_votes(budget, publish=True)
    stored = db.session.get(ParticipationStats, budget.id)
    assert stored is not None
    eligible = sum(cell[3] for cell in stored.cells)
    assert sum(cell[4] for cell in stored.cells) == 3 and sum(cell[5] for cell in stored.cells) == 0
    assert eligible >= 4  # the three voters, the one who stayed home (and the fixtures' residents)
    assert {cell[2] for cell in stored.cells} <= {"female", "male"}
    stats = participation(budget)
    assert stats["total"] == 3 and stats["eligible"] == eligible
    assert list(stats["eligible_by_district"].values()) == [eligible]  # all of Esil district


def test_the_results_pages_read_the_stored_statistics_not_the_roll(client, users, areas, ballot):
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (1,), (0, 2)], areas)
    count_votes(budget, publish=True)
    for path in (f"/budgets/{budget.id}/results", f"/budgets/{budget.id}/results/protocol"):
        client.get(path, headers=EN)
        with statements() as seen:
            page = client.get(path, headers=EN)
        assert page.status_code == 200 and "online: 3" in page.get_data(as_text=True)
        scanning = [s for s in seen if "electoral_roll" in s or "voter_participations" in s]
        assert scanning == [], scanning


def test_annulment_and_a_new_publication_store_them_again(client, users, areas, ballot):
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (1,)], areas)
    count_votes(budget, publish=True)
    first = db.session.get(ParticipationStats, budget.id).computed_at
    result = db.session.scalar(select(Result))
    result_service.annul(result, users["admin"], "A recount was ordered by the court.")
    after_annulment = db.session.get(ParticipationStats, budget.id).computed_at
    assert after_annulment >= first
    recount = result_service.count(budget, users["akimat"])
    result_service.publish(recount, users["akimat"])
    assert db.session.get(ParticipationStats, budget.id).computed_at >= after_annulment
    assert participation(budget)["total"] == 2
