"""Reporting the implementation of funded projects: status, progress, spending, milestones."""
import re
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.forms import too_long
from app.core.permissions import Action, can
from app.extensions import db
from app.identity.bin import is_valid_bin
from app.models import (
    IMPLEMENTATION_STATUSES,
    Area,
    Budget,
    BudgetFollow,
    Implementation,
    ImplementationUpdate,
    Milestone,
    Process,
    Proposal,
    ProposalStatus,
    User,
)
from app.proposals import own_case
from app.proposals.services import hold, transition
from app.proposals.timeline import record_event
from app.uploads.services import delete_stored, store_photo

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


def report(proposal: Proposal, official: User, *, status: str, progress: int, spent: int, note: str = "",
           photo=None) -> Implementation:
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
    photo_name = _store_photo(photo)
    try:
        implementation = implementation_of(proposal)
        implementation.status, implementation.progress, implementation.spent = status, progress, spent
        implementation.updated_at = utcnow()
        db.session.add(implementation)
        db.session.add(ImplementationUpdate(proposal_id=proposal.id, actor_id=official.id, status=status,
                                            progress=progress, spent=spent, note=(note or "").strip() or None,
                                            photo_name=photo_name))
        _move_or_record(proposal, official, status, progress, note)
        db.session.commit()
    except Exception:
        if photo_name:
            delete_stored(photo_name)
        raise
    return implementation


def _store_photo(upload) -> str | None:
    """A report's photo through the upload pipeline (decoded and re-encoded), or None."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        return store_photo(upload.stream, max_bytes=current_app.config["MAX_PHOTO_BYTES"]).name
    except ServiceError as error:
        db.session.rollback()
        raise ServiceError(error.message, field="photo") from None


def _move_or_record(proposal: Proposal, official: User, status: str, progress: int, note: str | None) -> None:
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


def correct_update(update: ImplementationUpdate, official: User, *, progress: int | None, spent: int | None,
                   reason: str) -> ImplementationUpdate:
    """Correct a report without rewriting it: a new report that names the one it corrects and why,
    both kept and shown. When the corrected report is the latest, the project's figures become
    the corrected ones. A report is corrected once (correct the correction instead)."""
    proposal = db.session.get(Proposal, update.proposal_id)
    check_reporter(official, proposal)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ServiceError(_l("Give the reason for the correction."), field="reason")
    _fits(reason, NOTE_LENGTH, "reason")
    if progress is None or not 0 <= progress <= 100:
        raise ServiceError(_l("Progress is a percentage from 0 to 100."), field="progress")
    if spent is None:
        raise ServiceError(_l("Give the amount spent so far, in tenge."), field="spent")
    if update.status == "completed" and progress != 100:
        raise ServiceError(_l("A completed project has all its work done: set the progress to 100."), field="progress")
    if db.session.scalar(select(ImplementationUpdate.id).where(ImplementationUpdate.corrects_id == update.id)):
        raise ServiceError(_l("This report is already corrected: correct the correction instead."))
    _hold(proposal)
    latest = db.session.scalar(select(func.max(ImplementationUpdate.id))
                               .where(ImplementationUpdate.proposal_id == proposal.id))
    correction = ImplementationUpdate(proposal_id=proposal.id, actor_id=official.id, status=update.status,
                                      progress=progress, spent=spent, note=reason, corrects_id=update.id)
    db.session.add(correction)
    if latest == update.id and proposal.implementation is not None:
        proposal.implementation.progress, proposal.implementation.spent = progress, spent
        proposal.implementation.updated_at = utcnow()
    record_event(proposal, "implementation_corrected", official, role="akimat", note=reason, progress=progress,
                 cost=spent)
    db.session.commit()
    return correction


# A lot on goszakup.gov.kz: its digits, a dash, the method's code (ЗЦП, ОК, ИО, ...) and the lot's
# number within the announcement, e.g. 52934523-ЗЦП1.
LOT_NUMBER = re.compile(r"[0-9]{4,12}-[A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]{1,8}[0-9]{0,4}")


def record_procurement(proposal: Proposal, official: User, *, procurement_lot: str, contractor_bin: str,
                       contract_amount: int | None, contract_signed_on: date | None) -> Implementation:
    """Record the project's procurement: the lot, the contractor's BIN (its check digit is the
    IIN's), the contract's amount and date. Every part is checked and every problem named under its
    field; a timeline event tells residents."""
    check_reporter(official, proposal)
    lot, bin_ = (procurement_lot or "").strip(), (contractor_bin or "").strip()
    problems = []
    if not LOT_NUMBER.fullmatch(lot):
        problems.append(("procurement_lot", _l("A lot number is its digits, a dash and the code of the method, "
                                               "as on goszakup.gov.kz: 52934523-ЗЦП1.")))
    if not is_valid_bin(bin_):
        problems.append(("contractor_bin", _l("A BIN has 12 digits and a check digit: check it against the contract.")))
    if contract_amount is None or contract_amount <= 0:
        problems.append(("contract_amount", _l("The contract amount is more than zero.")))
    if contract_signed_on is None:
        problems.append(("contract_signed_on", _l("Give the day the contract was signed.")))
    if problems:
        raise ServiceError.several(problems)
    _hold(proposal)
    implementation = implementation_of(proposal)
    implementation.procurement_lot, implementation.contractor_bin = lot, bin_
    implementation.contract_amount, implementation.contract_signed_on = contract_amount, contract_signed_on
    implementation.updated_at = utcnow()
    db.session.add(implementation)
    record_event(proposal, "procurement", official, role="akimat", lot=lot, cost=contract_amount)
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


def dashboard(area: Area, *, process_id: int | None = None, year: int | None = None) -> dict:
    """Funded projects of an area (and inside it) with their implementation, of one process or one
    year when asked (the cycles of different years are not mixed up), with the choices to filter by."""
    query = select(Proposal).join(Process, Process.id == Proposal.process_id).where(
        Proposal.area_id.in_(area.subtree_select()), Proposal.status.in_(TRACKED))
    processes = list(db.session.scalars(select(Process).where(Process.id.in_(query.with_only_columns(
        Proposal.process_id))).order_by(Process.year.desc(), Process.id)))
    if process_id:
        query = query.where(Proposal.process_id == process_id)
    if year:
        query = query.where(Process.year == year)
    rows = []
    query = query.options(selectinload(Proposal.implementation).selectinload(Implementation.milestones),
                          selectinload(Proposal.process))
    for p in db.session.scalars(query.order_by(Process.year.desc(), Proposal.id)):
        implementation = implementation_of(p)
        late = implementation.late_milestones() if p.implementation else []
        overspent = implementation.overspent if p.implementation else 0
        rows.append({"proposal": p, "implementation": implementation, "allocated": p.cost, "late": late,
                     "overspent": overspent, "year": p.process.year})
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["implementation"].status] = by_status.get(row["implementation"].status, 0) + 1
    return {"rows": rows, "allocated": sum(r["allocated"] for r in rows),
            "spent": sum(r["implementation"].spent for r in rows), "by_status": by_status,
            "late": [r for r in rows if r["late"]], "overspent": [r for r in rows if r["overspent"]],
            "processes": processes, "years": sorted({p.year for p in processes}, reverse=True),
            "process_id": process_id, "year": year}
