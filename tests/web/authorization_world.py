"""The world the authorization matrix walks in (tests/web/test_authorization_matrix.py): one person per
role, and in Esil district / okrug 7 a process in each phase, proposals in every state the actions
need, comments, a report, a photo, meetings (upcoming, held, with published minutes), an action
item, ballots, a counted and a published result, a funded project with a milestone. A new route
whose URL needs an object finds it here (or adds it: ``build_world`` returns them by name)."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from app.ballots import opening
from app.ballots import paper as paper_service
from app.ballots import services as ballot_service
from app.ballots.snapshot import snapshot as ballot_snapshot
from app.core.clock import utcnow
from app.core.markdown import render_markdown
from app.extensions import db
from app.implementation import services as implementation_service
from app.models import (
    BallotConfig,
    Budget,
    Comment,
    PhaseKind,
    Process,
    Proposal,
    ProposalPhoto,
    Report,
    RoleGrant,
    Support,
)
from app.uploads.services import store_photo
from meetings.models import ActionItem, AgendaItem, Meeting, Registration

from .conftest import count_votes, empty_every_table, make_user, move_to_phase, open_voting

ANON, RES, RES_ELSE = "anonymous", "resident", "resident_elsewhere"
DEP, DEP_ELSE = "deputy", "deputy_elsewhere"
AKI, AKI_ELSE = "akimat", "akimat_elsewhere"
MOD, ADM, ADM_ELSE = "moderator", "admin", "admin_elsewhere"
AKI_STAKE, DEP_STAKE = "akimat_stakeholder", "deputy_stakeholder"  # wrote or support what they would decide on
EXP, EXP_STAKE = "expert", "expert_stakeholder"  # Esil's expert council; the second supports what it is given


def _people(areas) -> dict:
    """One person per role. Officials live outside Esil district, so that what they may do there
    comes from their role, not from being residents."""
    elsewhere = areas["Almaty district / okrug 1"]
    return {
        RES: make_user(home=areas["Esil district / okrug 7"]),
        RES_ELSE: make_user(home=elsewhere),
        DEP: make_user(home=elsewhere, role="deputy", area=areas["Esil district / okrug 7"]),
        DEP_ELSE: make_user(home=elsewhere, role="deputy", area=areas["Esil district / okrug 8"]),
        AKI: make_user(home=elsewhere, role="akimat", area=areas["Esil district"]),
        AKI_ELSE: make_user(home=elsewhere, role="akimat", area=areas["Almaty district"]),
        MOD: make_user(home=elsewhere, role="moderator", area=areas["Astana"]),
        ADM: make_user(home=elsewhere, role="admin", area=None),
        ADM_ELSE: make_user(home=elsewhere, role="admin", area=areas["Almaty district"]),
        AKI_STAKE: make_user(home=elsewhere, role="akimat", area=areas["Esil district"]),
        DEP_STAKE: make_user(home=elsewhere, role="deputy", area=areas["Esil district / okrug 8"]),
        EXP: make_user(home=elsewhere, role="expert", area=areas["Esil district"]),
        EXP_STAKE: make_user(home=elsewhere, role="expert", area=areas["Esil district"]),
    }


def _process(esil, title: str, phase: PhaseKind) -> tuple[Process, Budget]:
    from app.admin.services import set_phase_dates
    from app.models import PHASE_ORDER
    from app.proposals.services import ensure_default_categories

    process = Process(area=esil, year=2027, title_kk=title, title_ru=title, title_en=title)
    start = date.today() - timedelta(days=5)
    set_phase_dates(process, {k: (start + timedelta(days=30 * i), start + timedelta(days=30 * i + 29))
                              for i, k in enumerate(PHASE_ORDER)})
    ensure_default_categories(process)
    db.session.add(process)
    budget = Budget(process=process, area=esil, name_kk=title, name_ru=title, name_en=title, amount=100_000_000,
                    project_limit_tenge=20_000_000)
    db.session.add(budget)
    db.session.flush()
    if phase != PhaseKind.PROPOSALS:
        move_to_phase(process, phase)
    return process, budget


def _proposal(budget, author, title, status="submitted", **extra) -> Proposal:
    proposal = Proposal(process=budget.process, budget=budget, area=budget.area, author=author, title=title,
                        description=f"{title}, described", description_html=render_markdown(f"{title}, described"),
                        address="Okrug 7", estimated_cost=5_000_000, status=status,
                        submitted_at=None if status == "draft" else utcnow(), **extra)
    db.session.add(proposal)
    return proposal


def _stake(proposal, *supporters) -> None:
    """The stakeholder officials support ``proposal`` (as residents, before they held the role)."""
    db.session.flush()
    for person in supporters:
        db.session.add(Support(proposal_id=proposal.id, user_id=person.id))
    proposal.support_count += len(supporters)


def _jpeg() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def _council(world, people, areas) -> None:
    """Esil's expert council for the proposals-phase process: the two experts and a spare member,
    one criterion, a proposal assigned to both experts (the second supports it: it became a
    supporter after being assigned) and an expert who is not a member yet."""
    from app.models import Assignment, Council, CouncilMember, Criterion

    process = world["process_prop"]
    db.session.add(Council(process_id=process.id))
    spare = make_user(home=areas["Almaty district / okrug 1"], role="expert", area=world["esil"])
    members = [CouncilMember(process_id=process.id, user_id=p.id) for p in (people[EXP], people[EXP_STAKE], spare)]
    world["council_criterion"] = Criterion(process_id=process.id, name_kk="Құзырет", name_ru="Компетенция",
                                           name_en="Competence", scale="pass_fail")
    db.session.add_all([*members, world["council_criterion"]])
    world["council_assigned"] = _proposal(world["budget_prop"], world["author"], "Bike racks at school 3")
    db.session.flush()
    world.update(council_expert=members[0], council_spare=members[2],
                 expert_free=make_user(home=areas["Almaty district / okrug 1"], role="expert", area=world["esil"]))
    db.session.add_all(Assignment(proposal_id=world["council_assigned"].id, member_id=m.id) for m in members[:2])
    _stake(world["council_assigned"], people[EXP_STAKE])


def build_world(areas) -> dict:
    from app.auth import sessions
    from app.auth.services import make_reset_token
    from app.notifications.models import NotificationKind
    from app.notifications.services import notify

    people = _people(areas)
    for person in people.values():
        sessions.create(person)  # a logged-in session each (see _act_as)
    esil, okrug = areas["Esil district"], areas["Esil district / okrug 7"]
    author = make_user(home=okrug)        # writes the proposals and comments the roles act on
    world = {**people, "esil": esil, "okrug": okrug, "author": author}

    # Proposals phase: everything a proposal, a comment and a moderator need.
    process, budget = _process(esil, "Esil proposals", PhaseKind.PROPOSALS)
    world.update(process_prop=process, budget_prop=budget, category=process.categories[0],
                 unused_category=process.categories[-1])
    world["draft"] = _proposal(budget, people[RES], "My draft", status="draft", category=process.categories[0])
    world["own_submitted"] = _proposal(budget, people[RES], "My playground")
    world["submitted"] = _proposal(budget, author, "Playground in courtyard 5", comment_count=2)
    world["supported"] = _proposal(budget, author, "Lighting on Sygnaq street", support_count=1)
    world["duplicate"] = _proposal(budget, people[AKI_STAKE], "Playground in courtyard 5, again")
    world["feasible"] = _proposal(budget, author, "Trees on Kenesary street", status="feasible",
                                  final_cost=4_000_000)
    world["hidden"] = _proposal(budget, author, "Spam", hidden_at=utcnow(), hidden_reason="Advertising")
    db.session.flush()
    db.session.add(Support(proposal_id=world["supported"].id, user_id=people[RES].id))
    _stake(world["submitted"], people[AKI_STAKE], people[DEP_STAKE], people[EXP_STAKE])
    _stake(world["feasible"], people[AKI_STAKE], people[EXP_STAKE])
    _council(world, people, areas)
    world["comment"] = Comment(proposal_id=world["submitted"].id, author=author, stance="for", body="Yes",
                               body_html="<p>Yes</p>")
    world["own_comment"] = Comment(proposal_id=world["submitted"].id, author=people[RES], stance="for",
                                   body="Me too", body_html="<p>Me too</p>")
    world["hidden_comment"] = Comment(proposal_id=world["submitted"].id, author=author, stance="against",
                                      body="Rude", body_html="<p>Rude</p>", hidden_at=utcnow(),
                                      hidden_reason="Insults")
    db.session.add_all([world["comment"], world["own_comment"], world["hidden_comment"]])
    db.session.flush()
    world["report"] = Report(proposal_id=world["submitted"].id, comment_id=world["comment"].id,
                             reporter_id=author.id, reason="Looks like spam")
    db.session.add(world["report"])
    stored = store_photo(_jpeg(), max_bytes=10**6)
    db.session.add(ProposalPhoto(proposal_id=world["draft"].id, stored_name=stored.name, width=stored.width,
                                 height=stored.height))
    world["draft_photo"] = stored.name
    target = make_user(home=areas["Esil district / okrug 8"])
    world["expert_grant"] = RoleGrant(user=target, role="expert", area=esil)
    db.session.add(world["expert_grant"])
    notify([people[RES].id], NotificationKind.COMMENTS, proposal=world["own_submitted"])
    world["reset_token"] = make_reset_token(people[RES])

    # Town halls in okrug 7, hosted by its deputy.
    now = datetime.now(UTC)

    def meeting(title, starts, **extra):
        item = Meeting(area=okrug, host=people[DEP], title=title, kind="in_person", venue=f"Hall {title}",
                       starts_at=starts, ends_at=starts + timedelta(hours=2), **extra)
        db.session.add(item)
        return item

    world["meeting_upcoming"] = meeting("Upcoming", now + timedelta(days=3))
    world["meeting_upcoming2"] = meeting("Upcoming too", now + timedelta(days=4))
    world["meeting_held"] = meeting("Held", now - timedelta(hours=3), cohosts=[people[DEP_STAKE]])
    world["meeting_published"] = meeting("Published", now - timedelta(days=2), summary="Done",
                                         summary_html="<p>Done</p>", minutes_published_at=now - timedelta(days=1))
    db.session.flush()
    db.session.add(AgendaItem(meeting_id=world["meeting_held"].id, position=0, proposal_id=world["submitted"].id))
    db.session.add(AgendaItem(meeting_id=world["meeting_published"].id, position=0,
                              proposal_id=world["own_submitted"].id, decision="endorsed",
                              decided_by_id=people[DEP].id))
    db.session.add(Registration(meeting_id=world["meeting_upcoming2"].id, user_id=people[RES].id))
    world["action_item"] = ActionItem(meeting_id=world["meeting_published"].id, what="Survey the courtyard",
                                      owner_id=people[AKI].id, due_on=date.today() - timedelta(days=1))
    db.session.add(world["action_item"])

    # Voting phase, not opened yet: its count keys are prepared, the file is at hand.
    process, budget = _process(esil, "Esil ready", PhaseKind.VOTING)
    world.update(process_ready=process)
    _proposal(budget, author, "Swings", status="on_ballot")
    db.session.commit()
    world["ready_key_file"] = opening.prepare_keys(process, people[AKI])

    # Voting phase: a ballot with two projects, a voter for the paper ballot, and one marked as
    # voting on paper whose ballot paper is still to be entered.
    process, budget = _process(esil, "Esil voting", PhaseKind.VOTING)
    world.update(process_vote=process, budget_vote=budget)
    world["on_ballot"] = _proposal(budget, author, "Ramps", status="on_ballot")
    _proposal(budget, author, "Benches", status="on_ballot")
    db.session.add(BallotConfig(budget_id=budget.id))
    world["paper_voter"] = make_user(home=okrug)
    marked = make_user(home=okrug)
    db.session.commit()
    open_voting(process, people[AKI])
    paper_service.mark_voter(people[AKI], budget, marked.iin)

    # Results phase: ballots cast and counted, not yet published.
    process, budget = _process(esil, "Esil results", PhaseKind.VOTING)
    world.update(budget_counted=budget)
    counted = [_proposal(budget, author, f"Counted {n}", status="on_ballot") for n in range(2)]
    db.session.commit()
    open_voting(process, people[AKI])
    ballot_service.cast_with_snapshot(author, ballot_snapshot(budget.id), [str(counted[0].id)])
    move_to_phase(process, PhaseKind.RESULTS)
    world["result_unpublished"] = count_votes(budget, people[AKI])

    # Implementation phase: a published result and a funded project with a milestone.
    process, budget = _process(esil, "Esil done", PhaseKind.VOTING)
    world.update(process_done=process, budget_done=budget)
    funded = _proposal(budget, author, "Funded playground", status="on_ballot")
    db.session.commit()
    open_voting(process, people[AKI])
    ballot_service.cast_with_snapshot(author, ballot_snapshot(budget.id), [str(funded.id)])
    move_to_phase(process, PhaseKind.IMPLEMENTATION)
    world["result_published"] = count_votes(budget, people[AKI], publish=True)
    world["funded"] = db.session.get(Proposal, funded.id)
    implementation_service.follow_budget(people[RES], budget)
    _stake(world["funded"], people[AKI_STAKE])
    from app.models import Milestone

    world["milestone"] = Milestone(proposal_id=funded.id, title="Groundwork", starts_on=date.today(),
                                   planned_on=date.today() + timedelta(days=30))
    db.session.add(world["milestone"])
    from app.models import ImplementationUpdate

    world["impl_photo"] = store_photo(_jpeg(), max_bytes=10**6).name
    world["impl_update"] = ImplementationUpdate(proposal_id=funded.id, actor_id=people[AKI].id, status="planned",
                                                progress=0, spent=0, note="Site survey", photo_name=world["impl_photo"])
    db.session.add(world["impl_update"])
    db.session.commit()
    world["static_file"] = "js/booth.js"
    return world


def rebuild() -> tuple[dict, dict]:
    """Empty every table and build the world again: (world, its snapshot)."""
    from app.demo import load_areas

    empty_every_table(lift_guards=True)
    areas = load_areas()
    db.session.commit()
    world = build_world(areas)
    return world, snapshot()


def snapshot() -> dict:
    """Every row of every table, in an order that does not depend on the database."""
    db.session.rollback()
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables}


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]
