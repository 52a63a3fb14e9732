"""Checks before a phase opens: what is not ready is listed and must be confirmed; only phases
that can open now offer "Open now"; a town hall's rejection shows where a proposal is placed on
the ballot."""
import io

from sqlalchemy import func, select

from app.ballots import opening
from app.core.markdown import render_markdown
from app.extensions import db
from app.models import BallotConfig, PhaseChange, PhaseKind, Process, Proposal, ProposalEvent

from .conftest import move_to_phase

EN = {"Accept-Language": "en"}


def _proposal(process, author, status):
    budget = process.budgets[0]
    proposal = Proposal(process=process, budget=budget, area=budget.area, author=author, title=f"Lights {status}",
                        description="d", description_html=render_markdown("d"), address="Esil",
                        estimated_cost=5_000_000, status=status)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def test_opening_the_review_with_an_empty_budget_asks_to_confirm(client, log_in, open_process, users):
    log_in(users["akimat"])
    url = f"/admin/processes/{open_process.id}/phases/review/open"
    page = client.post(url, data={"reason": "All proposals are in"}, headers=EN, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Some things are not ready yet." in text and "Esil district has no proposals yet." in text
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PhaseChange.id))) == 0
    assert db.session.get(Process, open_process.id).status() == "proposals"
    client.post(url, data={"reason": "All proposals are in", "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Process, open_process.id).status() == "review"


def test_opening_voting_lists_unreviewed_proposals_and_rules_that_do_not_fit_then_opens_once_confirmed(
        client, log_in, open_process, users):
    _proposal(open_process, users["resident"], "submitted")
    _proposal(open_process, users["resident"], "on_ballot")
    budget = open_process.budgets[0]
    db.session.add(BallotConfig(budget_id=budget.id, ballot_type="knapsack", rule="phragmen"))
    db.session.commit()
    move_to_phase(open_process, PhaseKind.VOTING)
    key_file = opening.prepare_keys(open_process, users["akimat"])
    log_in(users["akimat"])
    page = client.get(f"/processes/{open_process.id}/voting", headers=EN).get_data(as_text=True)
    assert "Proposals not reviewed yet, which will not be on the ballot: 1." in page
    assert "sequential Phragmén counts only approval ballots" in page

    def post(**extra):
        return client.post(f"/processes/{open_process.id}/voting/open", headers=EN, follow_redirects=True,
                           data={"key_file": (io.BytesIO(key_file), "keys.json"), "saved": "y", **extra})

    assert "Some things are not ready yet." in post().get_data(as_text=True)
    assert not opening.is_open(open_process)
    assert "Voting is open" in post(confirm="y").get_data(as_text=True)
    db.session.expire_all()
    assert opening.is_open(db.session.get(Process, open_process.id))


def test_a_cumulative_ballot_without_points_is_listed(ctx, open_process):
    from app.ballots.readiness import problems

    db.session.add(BallotConfig(budget_id=open_process.budgets[0].id, ballot_type="cumulative", max_points=None))
    db.session.commit()
    from flask_babel import force_locale

    with force_locale("en"):
        found = [str(p) for p in problems(open_process, PhaseKind.VOTING)]
    assert any("cumulative ballot needs the number of points" in p for p in found)
    assert any("no count key yet" in p for p in found)


def test_only_the_phase_that_can_open_now_offers_open_now(client, log_in, open_process, users):
    log_in(users["akimat"])
    page = client.get(f"/admin/processes/{open_process.id}", headers=EN).get_data(as_text=True)
    assert f"/processes/{open_process.id}/phases/review/open" in page
    for later in ("results", "implementation"):
        assert f"/phases/{later}/open" not in page
    assert f"/processes/{open_process.id}/voting\"" not in page  # voting opens after the review has begun


def test_a_proposal_rejected_at_a_town_hall_says_so_where_it_is_placed_on_the_ballot(client, log_in, open_process,
                                                                                     users):
    proposal = _proposal(open_process, users["resident"], "feasible")
    db.session.add(ProposalEvent(proposal_id=proposal.id, kind="discussed", actor_id=users["deputy"].id,
                                 note="Residents want the square kept", data={
                                     "meeting": "Okrug 7 town hall", "date": "2027-03-01", "decision": "rejected"}))
    db.session.commit()
    log_in(users["akimat"])
    detail = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "A town hall rejected this proposal:" in detail and "Residents want the square kept" in detail
    listing = client.get(f"/admin/processes/{open_process.id}/proposals?status=feasible", headers=EN)
    assert "A town hall rejected this proposal:" in listing.get_data(as_text=True)
