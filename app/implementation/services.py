"""Reporting the implementation of funded projects: status, progress, spending, milestones."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.forms import too_long
from app.core.permissions import Action, can
from app.extensions import db
from app.models import (
    IMPLEMENTATION_STATUSES,
    Area,
    Budget,
    BudgetFollow,
    Implementation,
    ImplementationUpdate,
    Milestone,
    Proposal,
    ProposalStatus,
    User,
)
from app.proposals import own_case
from app.proposals.services import hold, transition
from app.proposals.timeline import record_event

NOTE_LENGTH, TITLE_LENGTH = 2000, 200  # ImplementationUpdate.note, Milestone.title
TRACKED = (ProposalStatus.FUNDED.value, ProposalStatus.IN_IMPLEMENTATION.value, ProposalStatus.COMPLETED.value)


def _fits(text: str, limit: int, field: str) -> None:
    problem = too_long(text, limit)
    if problem:
        raise ServiceError(problem, field=field)


def check_reporter(user: User, proposal: Proposal) -> None:
    if not can(user, Action.REPORT_IMPLEMENTATION, proposal.area):
        raise ServiceError(_l("Only akimat officials of this area report on implementation."))
    if proposal.status not in TRACKED:
        raise ServiceError(_l("Only funded projects have an implementation to report."))
    own_case.check(user, proposal, own_case.IMPLEMENTATION)


def _hold(proposal: Proposal) -> None:
    """Hold the project in the status this request read (see proposals.services.hold): two
    reports at one moment are written one after the other, never interleaved."""
    hold((proposal, (proposal.status,)))


def implementation_of(proposal: Proposal) -> Implementation:
    return proposal.implementation or Implementation(proposal_id=proposal.id, status="planned", progress=0, spent=0)


def report(proposal: Proposal, official: User, *, status: str, progress: int, spent: int, note: str = "") -> Implementation:
    """Record an implementation update: a timeline event that notifies the author, supporters
    and followers. Refuses progress outside 0–100, negative spending, a cancellation without a
    reason and an unknown status."""
    check_reporter(official, proposal)
    if status not in IMPLEMENTATION_STATUSES:
        raise ServiceError(_l("Unknown implementation status."), field="status")
    if progress is None or not 0 <= progress <= 100:
        raise ServiceError(_l("Progress is a percentage from 0 to 100."), field="progress")
    if spent is None:
        raise ServiceError(_l("Give the amount spent so far, in tenge."), field="spent")
    if spent < 0:
        raise ServiceError(_l("The amount spent cannot be negative."), field="spent")
    _fits((note or "").strip(), NOTE_LENGTH, "note")
    if status == "cancelled" and len((note or "").strip()) < 10:
        raise ServiceError(_l("Explain why the project is cancelled (at least 10 characters)."), field="note")
    if status == "completed" and progress != 100:
        raise ServiceError(_l("A completed project has all its work done: set the progress to 100."), field="progress")
    _hold(proposal)
    implementation = implementation_of(proposal)
    implementation.status, implementation.progress, implementation.spent = status, progress, spent
    implementation.updated_at = utcnow()
    db.session.add(implementation)
    db.session.add(ImplementationUpdate(proposal_id=proposal.id, actor_id=official.id, status=status,
                                        progress=progress, spent=spent, note=(note or "").strip() or None))
    # One event per report: the report that changes the project's status is that change's event.
    # (Held in the status read above, so of two first reports at one moment, one moves it.)
    moves_to = ProposalStatus.COMPLETED if status == "completed" and proposal.status != ProposalStatus.COMPLETED \
        else ProposalStatus.IN_IMPLEMENTATION if proposal.status == ProposalStatus.FUNDED else None
    if moves_to is not None:
        transition(proposal, moves_to, actor=official, kind="implementation", role="akimat",
                   note=(note or "").strip() or None, status=status, progress=progress)
    else:
        record_event(proposal, "implementation", official, role="akimat", note=(note or "").strip() or None,
                     status=status, progress=progress)
    db.session.commit()
    return implementation


def add_milestone(proposal: Proposal, official: User, *, title: str, starts_on: date, planned_on: date) -> Milestone:
    check_reporter(official, proposal)
    _fits(title.strip(), TITLE_LENGTH, "title")
    if planned_on < starts_on:
        raise ServiceError(_l("A milestone cannot be due before it starts."), field="planned_on")
    _hold(proposal)
    milestone = Milestone(proposal_id=proposal.id, title=title.strip(), starts_on=starts_on, planned_on=planned_on)
    db.session.add(milestone)
    db.session.commit()
    return milestone


def complete_milestone(milestone: Milestone, official: User, done_on: date) -> None:
    proposal = db.session.get(Proposal, milestone.proposal_id)
    check_reporter(official, proposal)
    if done_on < milestone.starts_on:
        raise ServiceError(_l("A milestone cannot be done before it starts."), field="done_on")
    _hold(proposal)
    milestone.done_on = done_on
    db.session.commit()


def follow_budget(user: User, budget: Budget) -> None:
    """Follow a budget's result and its funded projects (idempotent). Open to every logged-in
    person, voter or not, so it says nothing about anybody's ballot."""
    if db.session.scalar(select(BudgetFollow.id).where(BudgetFollow.budget_id == budget.id,
                                                       BudgetFollow.user_id == user.id)):
        return
    db.session.add(BudgetFollow(budget_id=budget.id, user_id=user.id))
    try:
        db.session.commit()
    except IntegrityError:  # the same person's two clicks raced: one row is what we want
        db.session.rollback()


def unfollow_budget(user: User, budget: Budget) -> None:
    db.session.execute(delete(BudgetFollow).where(BudgetFollow.budget_id == budget.id, BudgetFollow.user_id == user.id))
    db.session.commit()


def followed_budgets(user: User) -> list[Budget]:
    return list(db.session.scalars(select(Budget).join(BudgetFollow, BudgetFollow.budget_id == Budget.id)
                                   .where(BudgetFollow.user_id == user.id).order_by(Budget.id)))


def dashboard(area: Area) -> dict:
    """Funded projects of an area (and inside it) with their implementation."""
    projects = list(db.session.scalars(
        select(Proposal).where(Proposal.area_id.in_(area.subtree_select()), Proposal.status.in_(TRACKED))
        .order_by(Proposal.id)))
    rows = []
    for p in projects:
        implementation = implementation_of(p)
        late = [m for m in implementation.milestones if m.is_late()] if p.implementation else []
        rows.append({"proposal": p, "implementation": implementation, "allocated": p.cost, "late": late})
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["implementation"].status] = by_status.get(row["implementation"].status, 0) + 1
    return {"rows": rows, "allocated": sum(r["allocated"] for r in rows),
            "spent": sum(r["implementation"].spent for r in rows), "by_status": by_status,
            "late": [r for r in rows if r["late"]]}
