"""The rules of a proposal's life. Status changes only through :func:`transition`, which also
writes the timeline event and the notifications."""
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.markdown import render_markdown
from app.models import (
    DEFAULT_CATEGORIES,
    Budget,
    Category,
    PhaseKind,
    Process,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    Support,
    User,
)
from app.models.types import utcnow
from app.permissions import Action, can, roles_in
from app.proposals.timeline import record_event
from app.uploads import UploadError, delete_stored, store_photo

S = ProposalStatus
ALLOWED_TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.WITHDRAWN, S.FEASIBLE, S.NOT_FEASIBLE, S.MERGED},
    S.FEASIBLE: {S.WITHDRAWN, S.ON_BALLOT, S.MERGED, S.NOT_FEASIBLE},
    S.NOT_FEASIBLE: {S.FEASIBLE},
    S.ON_BALLOT: {S.FUNDED, S.NOT_FUNDED},
    # Back to the ballot only when a nationwide administrator annuls the published result.
    S.FUNDED: {S.IN_IMPLEMENTATION, S.ON_BALLOT},
    S.NOT_FUNDED: {S.ON_BALLOT},
    S.IN_IMPLEMENTATION: {S.COMPLETED},
}


class ProposalError(Exception):
    """A refused action, with a message for the person and optionally the form field it concerns."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def acting_role(user: User, proposal: Proposal, preferred: tuple[str, ...]) -> str | None:
    """The role under which ``user`` acts on ``proposal`` (shown on the timeline)."""
    held = {role.value for role in roles_in(user, proposal.area)}
    return next((role for role in preferred if role in held), None)


def transition(proposal: Proposal, to: ProposalStatus, *, actor: User | None, kind: str,
               role: str | None = None, note: str | None = None, reason: str | None = None,
               **data):
    """Move ``proposal`` to status ``to`` and record why. The caller commits."""
    current = ProposalStatus(proposal.status)
    if to not in ALLOWED_TRANSITIONS.get(current, set()):
        raise ProposalError(_l("This proposal cannot change from its current status that way."))
    proposal.status = to.value
    proposal.status_reason = reason
    proposal.updated_at = utcnow()
    return record_event(proposal, kind, actor, role=role, note=note or reason, **data)


# --- categories ---------------------------------------------------------------------------

def ensure_default_categories(process: Process) -> None:
    if process.categories:
        return
    for position, (code, kk, ru, en) in enumerate(DEFAULT_CATEGORIES):
        process.categories.append(Category(code=code, name_kk=kk, name_ru=ru, name_en=en, position=position))


# --- writing a proposal ---------------------------------------------------------------------

def budgets_open_to(user: User, today=None) -> list[Budget]:
    """Budgets whose area contains the user's home and whose process takes proposals now."""
    if user.home_area is None:
        return []
    budgets = db.session.scalars(
        select(Budget).where(Budget.area_id.in_(user.home_area.ancestor_ids)).order_by(Budget.id)
    )
    return [b for b in budgets if b.process.is_in_phase(PhaseKind.PROPOSALS)]


def check_may_propose(user: User, budget: Budget) -> None:
    if not can(user, Action.PROPOSE, budget.area):
        raise ProposalError(_l("Only residents of %(area)s can propose for this budget.", area=budget.area.name))
    if not budget.process.is_in_phase(PhaseKind.PROPOSALS):
        raise ProposalError(_l("This budget does not take proposals now."))
    minimum = current_app.config["MIN_PROPOSER_AGE"]
    if user.age_on(date.today()) < minimum:
        raise ProposalError(_l("Proposing is open to residents aged %(age)s and over.", age=minimum))


def _check_cost(budget: Budget, cost: int) -> None:
    limit = budget.project_limit()
    if limit is not None and cost > limit:
        from app.i18n import money

        raise ProposalError(
            _l("The cost is over this budget's limit per project, %(limit)s.", limit=money(limit)),
            field="estimated_cost",
        )
    if cost > budget.amount:
        raise ProposalError(_l("The cost is more than the whole budget."), field="estimated_cost")


def _fill(proposal: Proposal, *, title, description, category: Category | None, address, cost) -> None:
    if category is not None and category.process_id != proposal.process.id:
        raise ProposalError(_l("Choose one of this process's categories."), field="category_id")
    proposal.title = title.strip()
    proposal.description = description
    proposal.description_html = render_markdown(description)
    proposal.category = category
    proposal.address = address.strip()
    proposal.estimated_cost = cost


def _add_photos(proposal: Proposal, uploads) -> list[str]:
    """Store new photos; returns their stored names so a failed transaction can remove them."""
    uploads = [u for u in uploads if u and getattr(u, "filename", "")]
    if len(proposal.photos) + len(uploads) > current_app.config["MAX_PHOTOS"]:
        raise ProposalError(_l("A proposal can have at most %(n)s photos.", n=current_app.config["MAX_PHOTOS"]),
                            field="photos")
    stored = []
    try:
        for upload in uploads:
            image = store_photo(upload.stream, max_bytes=current_app.config["MAX_PHOTO_BYTES"])
            stored.append(image.name)
            proposal.photos.append(ProposalPhoto(stored_name=image.name, width=image.width, height=image.height,
                                                 position=len(proposal.photos)))
    except UploadError as error:
        for name in stored:
            delete_stored(name)
        raise ProposalError(error.message, field="photos") from None
    return stored


def create_proposal(author: User, budget: Budget, *, title, description, category, address, cost,
                    photos=(), submit: bool) -> Proposal:
    """A new proposal, saved as a private draft or submitted at once."""
    check_may_propose(author, budget)
    _check_cost(budget, cost)
    proposal = Proposal(process=budget.process, budget=budget, area=budget.area, author=author,
                        status=S.DRAFT.value)
    _fill(proposal, title=title, description=description, category=category, address=address, cost=cost)
    db.session.add(proposal)
    stored = _add_photos(proposal, photos)
    try:
        db.session.flush()
        if submit:
            _submit(proposal, author)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for name in stored:
            delete_stored(name)
        raise
    return proposal


def _submit(proposal: Proposal, author: User) -> None:
    proposal.submitted_at = utcnow()
    transition(proposal, S.SUBMITTED, actor=author, kind="submitted", role="resident")


def submit_draft(proposal: Proposal, author: User) -> None:
    if proposal.author_id != author.id:
        raise ProposalError(_l("Only the author can submit this proposal."))
    check_may_propose(author, proposal.budget)
    _submit(proposal, author)
    db.session.commit()


def may_edit(user: User, proposal: Proposal) -> bool:
    """The author edits until review starts: while a draft or submitted, in the proposals phase."""
    return (
        user.is_authenticated and proposal.author_id == user.id
        and proposal.status in (S.DRAFT, S.SUBMITTED)
        and proposal.process.is_in_phase(PhaseKind.PROPOSALS)
    )


def edit_proposal(proposal: Proposal, author: User, *, title, description, category, address, cost,
                  photos=(), remove_photo_ids=()) -> None:
    if not may_edit(author, proposal):
        raise ProposalError(_l("This proposal can no longer be edited: its review has started."))
    _check_cost(proposal.budget, cost)
    changed = [name for name, new in (("title", title.strip()), ("description", description),
                                      ("address", address.strip()), ("estimated_cost", cost))
               if getattr(proposal, name) != new]
    if (proposal.category_id or None) != (category.id if category else None):
        changed.append("category")
    _fill(proposal, title=title, description=description, category=category, address=address, cost=cost)
    removed = [p for p in proposal.photos if p.id in set(remove_photo_ids)]
    for photo in removed:
        proposal.photos.remove(photo)
    stored = _add_photos(proposal, photos)
    if stored or removed:
        changed.append("photos")
    proposal.updated_at = utcnow()
    try:
        if proposal.status == S.SUBMITTED and changed:
            record_event(proposal, "edited", author, role="resident", fields=changed)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for name in stored:
            delete_stored(name)
        raise
    for photo in removed:
        delete_stored(photo.stored_name)


def withdraw(proposal: Proposal, author: User, reason: str) -> None:
    if proposal.author_id != author.id:
        raise ProposalError(_l("Only the author can withdraw this proposal."))
    transition(proposal, S.WITHDRAWN, actor=author, kind="withdrawn", role="resident", reason=reason.strip())
    db.session.commit()


# --- supports ---------------------------------------------------------------------------

def support(proposal: Proposal, user: User) -> None:
    """Add the user's support once; refuse outside the proposals phase or the area."""
    if proposal.status not in (S.SUBMITTED, S.FEASIBLE) or proposal.is_hidden:
        raise ProposalError(_l("This proposal is not open for support."))
    if not proposal.process.is_in_phase(PhaseKind.PROPOSALS):
        raise ProposalError(_l("Supports are collected only during the proposals phase."))
    if not can(user, Action.SUPPORT, proposal.area):
        raise ProposalError(_l("Only residents of %(area)s can support this proposal.", area=proposal.area.name))
    if proposal.author_id == user.id:
        raise ProposalError(_l("You wrote this proposal; authors cannot support their own."))
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ProposalError(_l("You already support this proposal.")) from None
    # Counted in SQL so concurrent supports cannot lose an increment.
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                       .values(support_count=Proposal.support_count + 1))
    db.session.refresh(proposal, ["support_count"])
    threshold = proposal.process.support_threshold
    if threshold and proposal.support_count == threshold:
        record_event(proposal, "threshold_reached", None, count=threshold)
    db.session.commit()


def withdraw_support(proposal: Proposal, user: User) -> None:
    if not proposal.process.is_in_phase(PhaseKind.PROPOSALS):
        raise ProposalError(_l("Supports are collected only during the proposals phase."))
    deleted = db.session.execute(
        delete(Support).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ).rowcount
    if deleted:
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                           .values(support_count=Proposal.support_count - 1))
    db.session.commit()


def public_titles(ids) -> dict[int, str | None]:
    """The titles that may be published for these proposals: None for one a moderator hid (its
    title may be the very reason), so lists, results and exports never show it."""
    rows = db.session.execute(select(Proposal.id, Proposal.title, Proposal.hidden_at).where(Proposal.id.in_(ids)))
    return {pid: (None if hidden_at else title) for pid, title, hidden_at in rows}


def supports(user: User, proposal: Proposal) -> bool:
    return bool(user.is_authenticated and db.session.scalar(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id)
    ))


# --- review, merge, ballot ---------------------------------------------------------------------

REVIEW_ROLES = ("akimat", "expert")


def _check_reviewer(user: User, proposal: Proposal) -> str:
    if not can(user, Action.REVIEW_PROPOSALS, proposal.area):
        raise ProposalError(_l("Only akimat officials and the expert council of this area review proposals."))
    process = proposal.process
    if not (process.is_in_phase(PhaseKind.PROPOSALS) or process.is_in_phase(PhaseKind.REVIEW)):
        raise ProposalError(_l("Proposals are reviewed during the proposals and review phases."))
    return acting_role(user, proposal, REVIEW_ROLES)


def review(proposal: Proposal, reviewer: User, *, feasible: bool, final_cost: int | None, reason: str) -> None:
    role = _check_reviewer(reviewer, proposal)
    threshold = proposal.process.support_threshold
    if proposal.support_count < threshold:
        raise ProposalError(_l("This proposal needs %(n)s supports before review.", n=threshold))
    if feasible:
        if not final_cost or final_cost <= 0:
            raise ProposalError(_l("Give the final cost estimate in tenge."), field="final_cost")
        _check_cost(proposal.budget, final_cost)
        proposal.final_cost = final_cost
        transition(proposal, S.FEASIBLE, actor=reviewer, kind="reviewed_feasible", role=role,
                   note=reason.strip() or None, cost=final_cost)
    else:
        if len(reason.strip()) < 10:
            raise ProposalError(_l("Explain to the author why it is not feasible (at least 10 characters)."),
                                field="reason")
        transition(proposal, S.NOT_FEASIBLE, actor=reviewer, kind="reviewed_not_feasible", role=role,
                   reason=reason.strip())
    db.session.commit()


def merge(duplicate: Proposal, into: Proposal, reviewer: User, note: str = "") -> int:
    """Merge a duplicate into another proposal of the same budget; supports move (once per
    person). Returns how many supports moved."""
    role = _check_reviewer(reviewer, duplicate)
    if into.id == duplicate.id or into.budget_id != duplicate.budget_id:
        raise ProposalError(_l("Choose another proposal of the same budget."), field="into")
    if into.status not in (S.SUBMITTED, S.FEASIBLE, S.ON_BALLOT):
        raise ProposalError(_l("A proposal can only be merged into an active one."), field="into")
    already = select(Support.user_id).where(Support.proposal_id == into.id)
    moving = [uid for uid in db.session.scalars(
        select(Support.user_id).where(Support.proposal_id == duplicate.id, Support.user_id.not_in(already))
    ) if uid != into.author_id]
    db.session.execute(delete(Support).where(Support.proposal_id == duplicate.id))
    for uid in moving:
        db.session.add(Support(proposal_id=into.id, user_id=uid))
    duplicate.merged_into = into
    duplicate.support_count = 0
    db.session.flush()
    into.support_count = db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == into.id))
    transition(duplicate, S.MERGED, actor=reviewer, kind="merged_into", role=role, note=note or None,
               other=into.id)
    record_event(into, "merged_from", reviewer, role=role, note=note or None, other=duplicate.id,
                 moved=len(moving))
    db.session.commit()
    return len(moving)


def place_on_ballot(proposal: Proposal, official: User) -> None:
    if not can(official, Action.PLACE_ON_BALLOT, proposal.area):
        raise ProposalError(_l("Only akimat officials of this area place proposals on the ballot."))
    from app.ballots.services import voting_opened

    voting = proposal.process.phase(PhaseKind.VOTING)
    if (voting is not None and voting.starts_at <= utcnow()) or voting_opened(proposal.budget):
        raise ProposalError(_l("The ballot is fixed once voting has started."))
    transition(proposal, S.ON_BALLOT, actor=official, kind="placed_on_ballot", role="akimat",
               budget=proposal.budget_id)
    db.session.commit()


# --- town halls (used by meetings.services) ---------------------------------------------------

def record_discussion(proposal: Proposal, actor: User, *, meeting: str, day: str, decision: str,
                      note: str | None, amendment: dict | None = None) -> None:
    """A town hall discussed the proposal: the event, and an amendment of its text or cost where
    the minutes say so. The caller (publishing the minutes) commits."""
    if amendment:
        if amendment.get("title"):
            proposal.title = amendment["title"].strip()
        if amendment.get("description"):
            proposal.description = amendment["description"]
            proposal.description_html = render_markdown(amendment["description"])
        if amendment.get("cost"):
            if proposal.final_cost:
                proposal.final_cost = amendment["cost"]
            else:
                proposal.estimated_cost = amendment["cost"]
        proposal.updated_at = utcnow()
    data = {"meeting": meeting, "date": day, "decision": decision}
    if amendment and amendment.get("cost"):
        data["cost"] = amendment["cost"]
    record_event(proposal, "discussed", actor, role="deputy", note=note, **data)


def raise_at_meeting(deputy: User, budget: Budget, meeting_title: str, *, title, description, category,
                     address, cost) -> Proposal:
    """A proposal raised at a town hall, submitted by the hosting deputy on the meeting's behalf
    (the meeting service checks the deputy hosts it). The proposals phase must be open."""
    if not budget.process.is_in_phase(PhaseKind.PROPOSALS):
        raise ProposalError(_l("This budget does not take proposals now."))
    _check_cost(budget, cost)
    proposal = Proposal(process=budget.process, budget=budget, area=budget.area, author=deputy,
                        status=S.SUBMITTED.value, submitted_at=utcnow())
    _fill(proposal, title=title, description=description, category=category, address=address, cost=cost)
    db.session.add(proposal)
    db.session.flush()
    record_event(proposal, "raised_at_meeting", deputy, role="deputy", meeting=meeting_title)
    db.session.commit()
    return proposal
