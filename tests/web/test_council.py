"""The expert council: members, criteria, assignment, scores and remarks, the decision by the
process's rule, the author's revision window, and the decision made public."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.core.clock import today
from app.core.errors import ServiceError
from app.core.markdown import render_markdown
from app.council import public, services
from app.extensions import db
from app.models import Assignment, CouncilDecision, Proposal, ProposalEvent, Support
from app.notifications.models import Notification

from .conftest import make_user


def _proposal(process, author, title="Benches in courtyard 5"):
    budget = process.budgets[0]
    proposal = Proposal(process=process, budget=budget, area=budget.area, author=author, title=title,
                        description=title, description_html=render_markdown(title), address="Esil",
                        estimated_cost=5_000_000, status="submitted")
    db.session.add(proposal)
    db.session.commit()
    return proposal


@pytest.fixture(autouse=True)
def _english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def council(open_process, areas, users):
    """Three experts of Esil district on the council, two criteria."""
    esil = areas["Esil district"]
    experts = [make_user(home=areas["Almaty district / okrug 1"], role="expert", area=esil) for _ in range(3)]
    for expert in experts:
        services.add_member(open_process, expert)
    competence = services.add_criterion(open_process, scale="pass_fail", names={
        "kk": "Әкімдік құзыретінде", "ru": "В компетенции акимата", "en": "Within the akimat's competence"})
    benefit = services.add_criterion(open_process, scale="score", names={
        "kk": "Тұрғындарға пайдасы", "ru": "Польза для жителей", "en": "Benefit to residents"})
    return {"experts": experts, "criteria": (competence, benefit), "process": open_process}


def _judge(proposal, expert, council, verdict="approve", passed=1, score=4, remark="Clear and within budget."):
    competence, benefit = council["criteria"]
    services.judge(proposal, expert, values={competence.id: passed, benefit.id: score}, verdict=verdict,
                   remark=remark)


def test_a_member_must_hold_the_expert_role_of_the_area(open_process, users):
    with pytest.raises(ServiceError, match="expert council role"):
        services.add_member(open_process, users["resident"])
    with pytest.raises(ServiceError, match="No account"):
        services.add_member(open_process, None)


def test_round_robin_gives_each_proposal_its_members_and_skips_one_with_a_stake(council, users):
    process, experts = council["process"], council["experts"]
    first, second = _proposal(process, users["resident"]), _proposal(process, users["resident"], "Lights")
    db.session.add(Support(proposal_id=second.id, user_id=experts[1].id))  # supported before the role
    db.session.commit()
    assert services.assign_round_robin(process, 2) == 2
    judges = {p.id: {a.member.user_id for a in db.session.scalars(select(Assignment).where(
        Assignment.proposal_id == p.id))} for p in (first, second)}
    assert len(judges[first.id]) == 2 and len(judges[second.id]) == 2
    assert experts[1].id not in judges[second.id]
    assert services.assign_round_robin(process, 2) == 0  # nothing left unassigned


def test_assigning_by_hand_refuses_a_member_with_a_stake(council, users):
    process, experts = council["process"], council["experts"]
    proposal = _proposal(process, experts[0])
    member = council_member(process, experts[0])
    with pytest.raises(ServiceError, match="wrote or supports"):
        services.assign(process, proposal, member)
    assert db.session.scalars(select(Assignment)).all() == []


def council_member(process, user):
    return next(m for m in services.council_of(process).members if m.user_id == user.id)


def _assign_all(council, proposal):
    for expert in council["experts"]:
        services.assign(council["process"], proposal, council_member(council["process"], expert))


def test_the_majority_decides_the_author_hears_and_may_revise_for_four_days(council, users):
    proposal = _proposal(council["process"], users["resident"])
    _assign_all(council, proposal)
    experts = council["experts"]
    _judge(proposal, experts[0], council)
    _judge(proposal, experts[1], council, verdict="reject", passed=0, score=2, remark="Not the akimat's land.")
    assert db.session.get(CouncilDecision, proposal.id) is None  # one member has not judged yet
    _judge(proposal, experts[2], council)
    decision = db.session.get(CouncilDecision, proposal.id)
    assert decision.outcome == "approve" and decision.revise_until == today() + timedelta(days=4)
    event = db.session.scalars(select(ProposalEvent).where(ProposalEvent.kind == "council_remarks")).one()
    assert db.session.scalar(select(Notification).where(Notification.user_id == users["resident"].id,
                                                        Notification.event_id == event.id))
    from app.proposals.services import may_edit

    users["resident"].is_authenticated  # noqa: B018  (a logged-in author)
    assert may_edit(users["resident"], proposal)
    summary = public.summary(proposal)
    assert summary["approvals"] == 2 and summary["criteria"][0]["passed"] == 2
    assert summary["criteria"][1]["average"] == pytest.approx(3.3)
    assert {r["member"] for r in summary["remarks"]} == {e.full_name for e in experts}


def test_the_unanimous_rule_rejects_on_one_no_and_the_final_decision_makes_it_not_feasible(council, users):
    process = council["process"]
    services.save_settings(process, rule="unanimous", revision_days=4, names_public=False)
    proposal = _proposal(process, users["resident"])
    _assign_all(council, proposal)
    for n, expert in enumerate(council["experts"]):
        _judge(proposal, expert, council, verdict="reject" if n == 0 else "approve", remark=f"Remark number {n}.")
    decision = db.session.get(CouncilDecision, proposal.id)
    assert decision.outcome == "reject"
    assert services.finalize_due(process) == 0  # the window is still open
    decision.revise_until = today() - timedelta(days=1)
    db.session.commit()
    assert services.finalize_due(process) == 1
    assert proposal.status == "not_feasible" and "Remark number 0." in proposal.status_reason
    assert {r["member"] for r in public.summary(proposal)["remarks"]} == {None}  # names not published
    with pytest.raises(ServiceError, match="final"):
        _judge(proposal, council["experts"][1], council)


def test_a_member_who_supports_the_proposal_cannot_judge_it(council, users):
    proposal = _proposal(council["process"], users["resident"])
    _assign_all(council, proposal)
    db.session.add(Support(proposal_id=proposal.id, user_id=council["experts"][0].id))
    db.session.commit()
    with pytest.raises(ServiceError, match="support"):
        _judge(proposal, council["experts"][0], council)
    assert db.session.scalars(select(Assignment).where(Assignment.scored_at.is_not(None))).all() == []


def test_a_judgement_missing_a_criterion_or_a_remark_says_every_problem_and_stores_nothing(council, users):
    proposal = _proposal(council["process"], users["resident"])
    _assign_all(council, proposal)
    competence, benefit = council["criteria"]
    with pytest.raises(ServiceError) as refused:
        services.judge(proposal, council["experts"][0], values={competence.id: 1, benefit.id: 9}, verdict="maybe",
                       remark="ok")
    fields = {field for field, _ in refused.value.problems}
    assert fields == {f"criterion-{benefit.id}", "verdict", "remark"}
    db.session.rollback()
    assert db.session.scalars(select(Assignment).where(Assignment.scored_at.is_not(None))).all() == []


def test_someone_not_assigned_cannot_judge(council, users):
    proposal = _proposal(council["process"], users["resident"])
    with pytest.raises(ServiceError, match="assigned"):
        _judge(proposal, council["experts"][0], council)


def test_the_akimat_reviews_only_after_the_council_is_final(council, users):
    from app.proposals.review import review

    proposal = _proposal(council["process"], users["resident"])
    _assign_all(council, proposal)
    with pytest.raises(ServiceError, match="expert council"):
        review(proposal, users["akimat"], feasible=True, final_cost=5_000_000, reason="")


# --- the pages, the API and the exports ----------------------------------------------------------

def test_the_akimat_sets_up_the_council_a_member_judges_and_everybody_reads_the_decision(client, log_in, council,
                                                                                          users, areas):
    process = council["process"]
    proposal = _proposal(process, users["resident"])
    log_in(users["akimat"])
    response = client.post(f"/admin/processes/{process.id}/council/settings",
                           data={"rule": "majority", "revision_days": "99"}, headers={"Accept-Language": "en"},
                           follow_redirects=True)
    assert "Number must be between 0 and 30" in response.get_data(as_text=True) or "30" in response.get_data(
        as_text=True)
    assert services.council_of(process).revision_days == 4  # nothing stored
    client.post(f"/admin/processes/{process.id}/council/settings", data={"rule": "majority", "revision_days": "1"})
    assert services.council_of(process).names_public is False  # the box was left unticked
    response = client.post(f"/admin/processes/{process.id}/council/members", data={"email": users["resident"].email},
                           headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "expert council role" in response.get_data(as_text=True)
    client.post(f"/admin/processes/{process.id}/council/round-robin", data={"per_proposal": "1"})
    [assignment] = db.session.scalars(select(Assignment).where(Assignment.proposal_id == proposal.id)).all()
    member = db.session.get(type(assignment.member), assignment.member_id).user
    client.post("/auth/logout")
    log_in(member)
    competence, benefit = council["criteria"]
    response = client.post(f"/proposals/{proposal.id}/council", data={f"criterion-{competence.id}": "1",
                                                                      "verdict": "reject", "remark": "short"},
                           headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Judge “Benefit to residents”." in page and "at least 10" in page
    response = client.post(f"/proposals/{proposal.id}/council", data={
        f"criterion-{competence.id}": "0", f"criterion-{benefit.id}": "2", "verdict": "reject",
        "remark": "The land belongs to the railway, not the akimat."})
    assert response.status_code == 302
    page = client.get(f"/proposals/{proposal.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Not recommended" in page and "The land belongs to the railway" in page
    assert member.full_name not in page.split("council-heading")[1].split("</section>")[0]  # names withheld
    data = client.get(f"/api/v1/proposals/{proposal.id}").get_json()["council"]
    assert data["outcome"] == "reject" and data["criteria"][1]["average"] == 2.0
    csv = client.get(f"/api/v1/processes/{process.id}/export/council.csv").get_data(as_text=True)
    assert "Benefit to residents" in csv and "reject" in csv
    remarks = client.get(f"/api/v1/processes/{process.id}/export/council_remarks.json").get_json()["rows"]
    assert remarks[0]["member"] == "" and "railway" in remarks[0]["remark"]


def test_a_member_may_change_their_judgement_within_the_window_and_the_decision_follows(council, users):
    proposal = _proposal(council["process"], users["resident"])
    _assign_all(council, proposal)
    experts = council["experts"]
    for expert in experts:
        _judge(proposal, expert, council, verdict="reject", passed=0, remark="Not within the competence.")
    assert db.session.get(CouncilDecision, proposal.id).outcome == "reject"
    _judge(proposal, experts[0], council, verdict="approve", passed=1, score=5, remark="Revised: now it fits.")
    _judge(proposal, experts[1], council, verdict="approve", passed=1, score=5, remark="Revised: now it fits.")
    assert db.session.get(CouncilDecision, proposal.id).outcome == "approve"
    assert public.summary(proposal)["criteria"][0]["passed"] == 2
    assert len(db.session.scalars(select(ProposalEvent).where(ProposalEvent.kind == "council_remarks")).all()) == 1


def test_the_council_page_names_each_decision_in_the_readers_language(client, log_in, council, users):
    proposal = _proposal(council["process"], users["resident"])
    _assign_all(council, proposal)
    for expert in council["experts"]:
        _judge(proposal, expert, council)
    log_in(users["akimat"])
    page = client.get(f"/admin/processes/{council['process'].id}/council", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Recommended (not final yet)" in text and "approve" not in text.split("<tbody>")[-1]
