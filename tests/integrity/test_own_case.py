"""Attack 5 of issue #13: an official judging their own case.

An akimat official reviewed (as feasible) a proposal he had written himself. No official — akimat,
expert council, a deputy writing minutes — may review, merge (either side), place on the ballot,
decide on in the minutes, or report the implementation of a proposal they wrote or support.
Each attack goes through the site's forms: it is refused with a message that says who else in
the area can, nothing changes, and the page offers no form in the first place."""
import html
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.clock import utcnow
from app.core.markdown import render_markdown
from app.extensions import db
from app.models import (
    Implementation,
    ImplementationUpdate,
    Milestone,
    PhaseKind,
    Proposal,
    ProposalEvent,
    Support,
)
from meetings.models import AgendaItem, Meeting

from .conftest import make_user, move_to_phase

EN = {"Accept-Language": "en"}


def page(client, url) -> str:
    return html.unescape(client.get(url, headers=EN).get_data(as_text=True))


def post(client, url, data=None) -> str:
    response = client.post(url, data=data or {}, headers=EN, follow_redirects=True)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def events(proposal, kind=None) -> list[str]:
    query = select(ProposalEvent.kind).where(ProposalEvent.proposal_id == proposal.id)
    return list(db.session.scalars(query.where(ProposalEvent.kind == kind) if kind else query))


def fresh(proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def make_proposal(process, author, title="Playground in courtyard 5", status="submitted", **extra) -> Proposal:
    budget = process.budgets[0]
    proposal = Proposal(process=process, budget=budget, area=budget.area, author=author, title=title,
                        description=f"{title}: swings and a sandpit for the children of the courtyard.",
                        description_html=render_markdown(title), address="Kabanbay Batyr 40",
                        estimated_cost=5_000_000, status=status, submitted_at=utcnow(), **extra)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def support(proposal, user) -> None:
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    proposal.support_count += 1
    db.session.commit()


@pytest.fixture
def esil(areas, open_process):
    """Esil district: an official who lives there (so may propose and support), a colleague of
    the same district without a stake, and a resident who writes proposals."""
    okrug = areas["Esil district / okrug 7"]
    return {
        "process": open_process, "okrug": okrug,
        "official": make_user(home=okrug, role="akimat", area=areas["Esil district"]),
        "colleague": make_user(home=areas["Almaty district / okrug 1"], role="akimat", area=areas["Esil district"]),
        "resident": make_user(home=okrug),
    }


REVIEW = {"decision": "feasible", "final_cost": "4000000", "reason": "Fits the courtyard plan"}


def test_an_official_cannot_review_a_proposal_he_wrote(client, esil, log_in):
    """The attack as filed: the official writes a proposal through the form, then reviews it."""
    official, colleague = esil["official"], esil["colleague"]
    log_in(official)
    client.post("/proposals/new", headers=EN, content_type="multipart/form-data", data={
        "budget_id": esil["process"].budgets[0].id, "title": "Benches on Turan avenue",
        "description": "Ten benches along the avenue, with bins, where older residents walk.",
        "category_id": esil["process"].categories[0].id, "address": "Turan avenue 20", "estimated_cost": "3000000",
        "submit": "1"})
    proposal = db.session.scalars(select(Proposal)).one()
    assert proposal.author_id == official.id
    shown = page(client, f"/proposals/{proposal.id}")
    assert f'action="/proposals/{proposal.id}/review"' not in shown
    assert f'action="/proposals/{proposal.id}/merge"' not in shown
    assert "You wrote this proposal, so you cannot review it." in shown
    assert f"In Esil district, these officials can: {colleague.full_name}." in shown
    answer = post(client, f"/proposals/{proposal.id}/review", REVIEW)
    assert "You wrote this proposal, so you cannot review it." in answer
    assert colleague.full_name in answer
    proposal = fresh(proposal)
    assert (proposal.status, proposal.final_cost) == ("submitted", None)
    assert events(proposal) == ["submitted"]


def test_the_refusal_is_in_the_officials_language(client, areas, esil, log_in):
    official = make_user(home=esil["okrug"], role="akimat", area=areas["Esil district"], locale="kk")
    proposal = make_proposal(esil["process"], official)
    log_in(official)
    answer = post(client, f"/proposals/{proposal.id}/review", REVIEW)
    assert "Бұл ұсынысты сіз жаздыңыз, сондықтан оны қарай алмайсыз." in answer
    assert "Есіл ауданы бойынша мұны мына лауазымды тұлғалар жасай алады:" in answer
    assert fresh(proposal).status == "submitted"


def test_an_official_who_supports_a_proposal_cannot_review_it(client, esil, log_in):
    official, colleague = esil["official"], esil["colleague"]
    proposal = make_proposal(esil["process"], esil["resident"])
    log_in(official)
    post(client, f"/proposals/{proposal.id}/support")
    assert fresh(proposal).support_count == 1
    answer = post(client, f"/proposals/{proposal.id}/review",
                  {"decision": "not_feasible", "reason": "The courtyard belongs to a private owner"})
    assert "You support this proposal, so you cannot review it." in answer
    assert f"In Esil district, these officials can: {colleague.full_name}." in answer
    proposal = fresh(proposal)
    assert proposal.status == "submitted" and events(proposal) == []


def test_an_expert_who_supports_a_proposal_cannot_review_it(client, areas, esil, log_in):
    expert = make_user(home=esil["okrug"], role="expert", area=areas["Esil district"])
    proposal = make_proposal(esil["process"], esil["resident"])
    support(proposal, expert)
    log_in(expert)
    shown = page(client, f"/proposals/{proposal.id}")
    assert f'action="/proposals/{proposal.id}/review"' not in shown
    assert "You support this proposal, so you cannot review it." in shown
    # The official of Esil may review; the expert is not named as one who can.
    assert f"these officials can: {esil['colleague'].full_name} and {esil['official'].full_name}." in shown \
        or f"these officials can: {esil['official'].full_name} and {esil['colleague'].full_name}." in shown
    answer = post(client, f"/proposals/{proposal.id}/review", REVIEW)
    assert "You support this proposal, so you cannot review it." in answer
    assert fresh(proposal).status == "submitted" and events(proposal) == []


def test_when_nobody_else_may_review_the_page_says_an_administrator_can_grant_the_role(client, areas, esil, log_in):
    official, colleague = esil["official"], esil["colleague"]
    proposal = make_proposal(esil["process"], official)
    support(proposal, colleague)
    log_in(official)
    shown = page(client, f"/proposals/{proposal.id}")
    assert "You wrote this proposal, so you cannot review it." in shown
    assert "No other official in Esil district can do it; an administrator can grant the role" in shown


def test_neither_side_of_a_merge_may_be_the_officials_own(client, esil, log_in):
    official, resident = esil["official"], esil["resident"]
    own = make_proposal(esil["process"], official, "Playground in courtyard 5, again")
    theirs = make_proposal(esil["process"], resident)
    backed = make_proposal(esil["process"], resident, "Lighting on Sygnaq street")
    support(backed, official)
    fan = make_user(home=esil["okrug"])
    support(theirs, fan)
    log_in(official)
    # His own proposal as the duplicate: the merge form is not offered, and a post is refused.
    assert f'action="/proposals/{own.id}/merge"' not in page(client, f"/proposals/{own.id}")
    answer = post(client, f"/proposals/{own.id}/merge", {"into": str(theirs.id), "note": "Same courtyard"})
    assert f"You wrote proposal No. {own.id}, so you cannot merge it." in answer
    # A proposal he supports as the one merged into.
    answer = post(client, f"/proposals/{theirs.id}/merge", {"into": str(backed.id), "note": "Same street"})
    assert f"You support proposal No. {backed.id}, so you cannot merge it." in answer
    assert esil["colleague"].full_name in answer
    assert [fresh(p).status for p in (own, theirs, backed)] == ["submitted"] * 3
    assert db.session.scalar(select(Support.proposal_id).where(Support.user_id == fan.id)) == theirs.id
    assert fresh(backed).support_count == 1 and events(theirs) == [] and events(backed) == []


def test_an_official_cannot_place_his_own_proposal_on_the_ballot(client, esil, log_in):
    official, colleague = esil["official"], esil["colleague"]
    proposal = make_proposal(esil["process"], official, status="feasible", final_cost=4_000_000)
    log_in(official)
    shown = page(client, f"/proposals/{proposal.id}")
    assert f'action="/proposals/{proposal.id}/ballot"' not in shown
    assert "You wrote this proposal, so you cannot place it on the ballot." in shown
    assert f"In Esil district, these officials can: {colleague.full_name}." in shown
    answer = post(client, f"/proposals/{proposal.id}/ballot")
    assert "You wrote this proposal, so you cannot place it on the ballot." in answer
    assert fresh(proposal).status == "feasible" and events(proposal) == []
    # The colleague without a stake can.
    client.post("/auth/logout")
    log_in(colleague)
    assert "The proposal is on the ballot." in post(client, f"/proposals/{proposal.id}/ballot")
    assert fresh(proposal).status == "on_ballot"


@pytest.fixture
def funded(esil):
    process = esil["process"]
    move_to_phase(process, PhaseKind.IMPLEMENTATION)
    proposal = make_proposal(process, esil["resident"], status="funded", final_cost=4_000_000)
    support(proposal, esil["official"])
    db.session.add(Milestone(proposal_id=proposal.id, title="Groundwork", starts_on=date.today(),
                             planned_on=date.today() + timedelta(days=30)))
    db.session.commit()
    return proposal


def test_an_official_who_supports_a_project_cannot_report_its_implementation(client, esil, funded, log_in):
    official, colleague = esil["official"], esil["colleague"]
    milestone = db.session.scalars(select(Milestone)).one()
    log_in(official)
    shown = page(client, f"/proposals/{funded.id}/implementation")
    refusal = "You support this proposal, so you cannot report its implementation."
    assert refusal in shown and f"In Esil district, these officials can: {colleague.full_name}." in shown
    assert 'name="progress"' not in shown and 'name="planned_on"' not in shown
    assert f"/milestones/{milestone.id}/done" not in shown
    base = f"/proposals/{funded.id}/implementation"
    assert refusal in post(client, base, {"what": "report", "status": "in_progress", "progress": "30",
                                          "spent": "1000000", "note": "Works started"})
    assert refusal in post(client, base, {"what": "milestone", "title": "Benches", "starts_on": date.today().isoformat(),
                                          "planned_on": (date.today() + timedelta(days=9)).isoformat()})
    assert refusal in post(client, f"/milestones/{milestone.id}/done", {"done_on": date.today().isoformat()})
    proposal = fresh(funded)
    assert proposal.status == "funded" and events(proposal) == []
    assert db.session.scalar(select(func.count()).select_from(ImplementationUpdate)) == 0
    assert db.session.scalar(select(func.count()).select_from(Implementation)) == 0
    assert [(m.title, m.done_on) for m in db.session.scalars(select(Milestone))] == [("Groundwork", None)]


# --- the minutes of a town hall -----------------------------------------------------------------

@pytest.fixture
def town_hall(areas, esil):
    """A meeting held an hour ago in okrug 7: its host supports one of the two proposals on the
    agenda; the co-host has no stake."""
    okrug = esil["okrug"]
    host = make_user(home=okrug, role="deputy", area=okrug)
    cohost = make_user(home=areas["Esil district / okrug 8"], role="deputy", area=areas["Esil district / okrug 8"])
    backed = make_proposal(esil["process"], esil["resident"], "Playground in courtyard 5")
    other = make_proposal(esil["process"], esil["resident"], "Lighting on Sygnaq street")
    support(backed, host)
    now = datetime.now(UTC)
    meeting = Meeting(area=okrug, host=host, cohosts=[cohost], title="Courtyards of okrug 7", kind="in_person",
                      venue="School No. 54", starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    db.session.add(meeting)
    db.session.flush()
    for position, proposal in enumerate((backed, other)):
        db.session.add(AgendaItem(meeting_id=meeting.id, position=position, proposal_id=proposal.id))
    db.session.commit()
    items = {i.proposal_id: i.id for i in meeting.agenda}
    return {"meeting": meeting, "host": host, "cohost": cohost, "backed": backed, "other": other,
            "backed_item": items[backed.id], "other_item": items[other.id]}


def minutes(town_hall, **fields):
    return {"attendance_count": "30", "summary": "Residents spoke.", "action_rows": "0", **fields}


def test_a_host_who_supports_a_proposal_does_not_decide_on_it_and_the_co_host_does(client, town_hall, log_in):
    """What a maslikhat expects: the deputy with a stake steps aside for that one item (he still
    records the others); a co-host without a stake records its decision and is named for it."""
    t = town_hall
    url = f"/meetings/{t['meeting'].id}/minutes"
    log_in(t["host"])
    shown = page(client, url)
    refusal = f"You support proposal No. {t['backed'].id}, so you cannot record the town hall's decision on it."
    assert refusal in shown and f"These hosts of the meeting can: {t['cohost'].full_name}." in shown
    assert f'name="decision-{t["backed_item"]}"' not in shown and f'name="decision-{t["other_item"]}"' in shown
    # Deciding (or amending) his own case through the form is refused, and nothing is kept.
    answer = post(client, url, minutes(t, **{f"decision-{t['backed_item']}": "amended",
                                            f"cost-{t['backed_item']}": "9000000",
                                            f"decision-{t['other_item']}": "endorsed"}))
    assert refusal in answer
    db.session.expire_all()
    meeting = db.session.get(Meeting, t["meeting"].id)
    assert [(i.decision, i.amended_cost) for i in meeting.agenda] == [(None, None), (None, None)]
    assert meeting.summary is None
    # He records the other proposal; publishing waits for the co-host's decision on his.
    answer = post(client, url, minutes(t, **{f"decision-{t['other_item']}": "endorsed", "publish": "1"}))
    assert "Record a decision for every proposal on the agenda first." in answer
    db.session.expire_all()
    assert db.session.get(Meeting, t["meeting"].id).minutes_published_at is None
    client.post("/auth/logout")
    log_in(t["cohost"])
    co_page = page(client, url)
    assert f'name="decision-{t["backed_item"]}"' in co_page and "cannot record" not in co_page
    post(client, url, minutes(t, **{f"decision-{t['backed_item']}": "amended", f"cost-{t['backed_item']}": "9000000",
                                    f"note-{t['backed_item']}": "Smaller playground",
                                    f"decision-{t['other_item']}": "endorsed"}))
    client.post("/auth/logout")
    log_in(t["host"])
    assert "You support proposal No." in page(client, url)  # still not his to change
    answer = post(client, url, minutes(t, **{f"decision-{t['other_item']}": "endorsed", "publish": "1"}))
    assert "The minutes are published" in answer
    backed, other = fresh(t["backed"]), fresh(t["other"])
    assert backed.estimated_cost == 9_000_000
    decided = {e.proposal_id: e.actor_id for e in db.session.scalars(
        select(ProposalEvent).where(ProposalEvent.kind == "discussed"))}
    assert decided == {backed.id: t["cohost"].id, other.id: t["host"].id}


def test_a_host_cannot_publish_his_own_decision_slipped_past_the_form(client, town_hall, log_in):
    t = town_hall
    url = f"/meetings/{t['meeting'].id}/minutes"
    log_in(t["host"])
    answer = post(client, url, minutes(t, **{f"decision-{t['backed_item']}": "endorsed",
                                            f"decision-{t['other_item']}": "endorsed", "publish": "1"}))
    assert f"You support proposal No. {t['backed'].id}" in answer
    db.session.expire_all()
    assert db.session.get(Meeting, t["meeting"].id).minutes_published_at is None
    assert events(t["backed"]) == [] and events(t["other"]) == []


def test_when_every_host_has_a_stake_the_minutes_say_no_decision_was_taken(client, town_hall, log_in):
    t = town_hall
    support(t["backed"], t["cohost"])
    url = f"/meetings/{t['meeting'].id}/minutes"
    log_in(t["host"])
    shown = page(client, url)
    assert "No other host of this meeting can, so the published minutes will say that no decision" in shown
    assert "You support proposal No." in post(client, url, minutes(t, **{f"decision-{t['backed_item']}": "rejected"}))
    answer = post(client, url, minutes(t, **{f"decision-{t['other_item']}": "endorsed", "publish": "1"}))
    assert "The minutes are published" in answer
    backed = fresh(t["backed"])
    assert backed.status == "submitted" and events(backed) == ["discussed_without_decision"]
    assert "no decision was taken there, because every host of the meeting wrote or supports this proposal" in \
        page(client, f"/proposals/{backed.id}")
    assert "no decision: every host of the meeting wrote or supports this proposal" in \
        page(client, f"/meetings/{t['meeting'].id}")
