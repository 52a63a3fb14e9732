"""Review, place on the ballot or reject many proposals at once: one reason, one timeline event
per proposal, and nothing half-done — one refusal changes nothing and every refusal is named."""
import pytest
from sqlalchemy import select

from app.core.markdown import render_markdown
from app.extensions import db
from app.models import Proposal, ProposalEvent, Support


def _proposals(process, author, n=3, status="submitted"):
    budget = process.budgets[0]
    made = [Proposal(process=process, budget=budget, area=budget.area, author=author, title=f"Benches {i}",
                     description="d", description_html=render_markdown("d"), address="Esil",
                     estimated_cost=5_000_000, status=status) for i in range(n)]
    db.session.add_all(made)
    db.session.commit()
    return made


def _post(client, process, ids, action, reason="Outside the akimat's land, on the railway's"):
    return client.post(f"/admin/processes/{process.id}/proposals", data={"ids": [str(i) for i in ids],
                       "action": action, "reason": reason}, headers={"Accept-Language": "en"}, follow_redirects=True)


def _events(kind):
    return db.session.scalars(select(ProposalEvent).where(ProposalEvent.kind == kind)).all()


def test_rejecting_three_with_one_reason_gives_each_its_own_event(client, log_in, open_process, users):
    proposals = _proposals(open_process, users["resident"])
    log_in(users["akimat"])
    page = _post(client, open_process, [p.id for p in proposals], "reject").get_data(as_text=True)
    assert "Done for 3 proposals" in page
    db.session.expire_all()
    assert {p.status for p in proposals} == {"not_feasible"}
    events = _events("reviewed_not_feasible")
    assert sorted(e.proposal_id for e in events) == sorted(p.id for p in proposals)
    assert {e.note for e in events} == {"Outside the akimat's land, on the railway's"}


def test_one_refused_proposal_changes_nothing_and_each_refusal_names_its_proposal(client, log_in, open_process,
                                                                                  users):
    proposals = _proposals(open_process, users["resident"])
    db.session.add(Support(proposal_id=proposals[1].id, user_id=users["akimat"].id))  # a stake in the second
    db.session.commit()
    log_in(users["akimat"])
    page = _post(client, open_process, [p.id for p in proposals] + [999_999], "feasible").get_data(as_text=True)
    assert "Nothing was changed: 2 of the chosen proposals were refused." in page
    assert f"Proposal No. {proposals[1].id}: You support this proposal" in page
    assert "Proposal No. 999999: there is no such proposal in this process." in page
    db.session.expire_all()
    assert {p.status for p in proposals} == {"submitted"} and not _events("reviewed_feasible")


def test_placing_feasible_proposals_on_the_ballot_in_bulk(client, log_in, open_process, users):
    proposals = _proposals(open_process, users["resident"], status="feasible")
    log_in(users["akimat"])
    _post(client, open_process, [p.id for p in proposals], "ballot", reason="")
    db.session.expire_all()
    assert {p.status for p in proposals} == {"on_ballot"} and len(_events("placed_on_ballot")) == 3


@pytest.mark.parametrize("data, message", [
    ({"action": "reject", "reason": "short"}, "at least 10 characters"),
    ({"action": "reject", "reason": "A long enough reason"}, "Choose at least one proposal."),
])
def test_bad_bulk_input_gets_a_message_and_stores_nothing(client, log_in, open_process, users, data, message):
    proposals = _proposals(open_process, users["resident"], n=1)
    log_in(users["akimat"])
    ids = [str(proposals[0].id)] if data["reason"] == "short" else ["x"]
    page = client.post(f"/admin/processes/{open_process.id}/proposals", data={**data, "ids": ids},
                       headers={"Accept-Language": "en"}, follow_redirects=True).get_data(as_text=True)
    assert message in page
    db.session.expire_all()
    assert proposals[0].status == "submitted" and not _events("reviewed_not_feasible")


def test_an_official_of_another_district_may_not_act_in_bulk(client, log_in, open_process, users):
    proposals = _proposals(open_process, users["resident"], n=1)
    log_in(users["akimat_elsewhere"])
    response = client.post(f"/admin/processes/{open_process.id}/proposals",
                           data={"ids": [str(proposals[0].id)], "action": "reject", "reason": "A long enough reason"})
    db.session.expire_all()
    assert response.status_code == 403 and proposals[0].status == "submitted"
