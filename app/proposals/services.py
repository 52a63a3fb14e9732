"""The rules of a proposal's life. Status changes only through :func:`transition`, which also
writes the timeline event and the notifications."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.core.clock import today, utcnow
from app.core.errors import ServiceError
from app.core.i18n import local_date, money, until
from app.core.markdown import render_markdown
from app.core.permissions import Action, can, roles_in
from app.extensions import db
from app.models import (
    DEFAULT_CATEGORIES,
    Budget,
    Category,
    CouncilDecision,
    PhaseKind,
    Process,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    Support,
    User,
)
from app.proposals.pending import attach as attach_pending
from app.proposals.timeline import record_event
from app.uploads.services import delete_stored, store_photo

S = ProposalStatus
ALLOWED_TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.WITHDRAWN, S.FEASIBLE, S.NOT_FEASIBLE, S.MERGED},
    S.FEASIBLE: {S.WITHDRAWN, S.ON_BALLOT, S.MERGED, S.NOT_FEASIBLE},
    S.NOT_FEASIBLE: {S.FEASIBLE},
    S.ON_BALLOT: {S.FUNDED, S.NOT_FUNDED},
    # Back to the ballot only when a nationwide administrator annuls the published result.
    # A first implementation report may already say the project is finished.
    S.FUNDED: {S.IN_IMPLEMENTATION, S.COMPLETED, S.ON_BALLOT},
    S.NOT_FUNDED: {S.ON_BALLOT},
    S.IN_IMPLEMENTATION: {S.COMPLETED},
}




def acting_role(user: User, proposal: Proposal, preferred: tuple[str, ...]) -> str | None:
    """The role under which ``user`` acts on ``proposal`` (shown on the timeline)."""
    held = {role.value for role in roles_in(user, proposal.area)}
    return next((role for role in preferred if role in held), None)


CHANGED_MEANWHILE = _l("This proposal was changed meanwhile; reload the page.")


def hold(*pairs: tuple[Proposal, tuple]) -> None:
    """The database's guarantee that two people acting on one proposal at once cannot both win.

    For each (proposal, statuses): lock its row for the rest of the transaction, provided its
    status is still one of ``statuses`` (what this request read) — a compare-and-set, as an UPDATE
    that changes nothing and whose WHERE is the check. On PostgreSQL a concurrent request waits at
    its own UPDATE, then finds the status moved; on SQLite the database's write lock does the same.
    The changes themselves follow through the ORM, so the audit log sees them. Rows are held in id
    order, so two requests holding the same pair cannot deadlock. Refused: the transaction is
    rolled back, nothing is stored, and the person is asked to reload the page."""
    for proposal, statuses in sorted(pairs, key=lambda pair: pair[0].id):
        held = db.session.execute(
            update(Proposal).where(Proposal.id == proposal.id, Proposal.status.in_([str(s) for s in statuses]))
            .values(status=Proposal.status).execution_options(synchronize_session=False)).rowcount
        if held != 1:
            db.session.rollback()
            raise ServiceError(CHANGED_MEANWHILE)


def transition(proposal: Proposal, to: ProposalStatus, *, actor: User | None, kind: str,
               role: str | None = None, note: str | None = None, reason: str | None = None,
               changes: dict | None = None, **data):
    """Move ``proposal`` to status ``to`` (with ``changes`` to other columns) and record why,
    once: the row is held in the status this request read (see :func:`hold`). The caller commits."""
    current = ProposalStatus(proposal.status)
    if to not in ALLOWED_TRANSITIONS.get(current, set()):
        raise ServiceError(_l("This proposal cannot change from its current status that way."))
    hold((proposal, (current,)))
    proposal.status = to.value
    proposal.status_reason = reason
    proposal.updated_at = utcnow()
    for name, value in (changes or {}).items():
        setattr(proposal, name, value)
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
        raise ServiceError(_l("Only residents of %(area)s can propose for this budget.", area=budget.area.name))
    if not budget.process.is_in_phase(PhaseKind.PROPOSALS):
        raise ServiceError(_l("This budget does not take proposals now."))
    minimum = current_app.config["MIN_PROPOSER_AGE"]
    if user.age_on(today()) < minimum:
        raise ServiceError(_l("Proposing is open to residents aged %(age)s and over.", age=minimum))


def check_cost(budget: Budget, cost: int) -> None:
    limit = budget.project_limit()
    if limit is not None and cost > limit:
        raise ServiceError(
            _l("The cost is over this budget's limit per project, %(limit)s.", limit=money(limit)),
            field="estimated_cost",
        )
    if cost > budget.amount:
        raise ServiceError(_l("The cost is more than the whole budget."), field="estimated_cost")


def _fill(proposal: Proposal, *, title, description, category: Category | None, address, cost) -> None:
    if category is not None and category.process_id != proposal.process.id:
        raise ServiceError(_l("Choose one of this process's categories."), field="category_id")
    proposal.title = title.strip()
    proposal.description = description
    proposal.description_html = render_markdown(description)
    proposal.category = category
    proposal.address = address.strip()
    proposal.estimated_cost = cost


def _add_photos(proposal: Proposal, uploads, pending=()) -> list[str]:
    """Store new photos and attach those kept from a refused form (app.proposals.pending); returns
    the newly stored names so a failed transaction can remove them (kept ones stay kept)."""
    uploads = [u for u in uploads if u and getattr(u, "filename", "")]
    if len(proposal.photos) + len(pending) + len(uploads) > current_app.config["MAX_PHOTOS"]:
        raise ServiceError(_l("A proposal can have at most %(n)s photos.", n=current_app.config["MAX_PHOTOS"]),
                            field="photos")
    attach_pending(proposal, list(pending))
    stored = []
    try:
        for upload in uploads:
            image = store_photo(upload.stream, max_bytes=current_app.config["MAX_PHOTO_BYTES"])
            stored.append(image.name)
            proposal.photos.append(ProposalPhoto(stored_name=image.name, width=image.width, height=image.height,
                                                 position=len(proposal.photos)))
    except ServiceError as error:
        for name in stored:
            delete_stored(name)
        raise ServiceError(error.message, field="photos") from None
    return stored


def create_proposal(author: User, budget: Budget, *, title, description, category, address, cost,
                    photos=(), pending=(), submit: bool) -> Proposal:
    """A new proposal, saved as a private draft or submitted at once."""
    check_may_propose(author, budget)
    check_cost(budget, cost)
    proposal = Proposal(process=budget.process, budget=budget, area=budget.area, author=author,
                        status=S.DRAFT.value)
    _fill(proposal, title=title, description=description, category=category, address=address, cost=cost)
    db.session.add(proposal)
    stored = _add_photos(proposal, photos, pending)
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
        raise ServiceError(_l("Only the author can submit this proposal."))
    check_may_propose(author, proposal.budget)
    _submit(proposal, author)
    db.session.commit()


def may_edit(user: User, proposal: Proposal) -> bool:
    """The author edits until review starts: while a draft or submitted, in the proposals phase;
    and while the expert council's revision window is open (its remarks are answered by revising)."""
    if not (user.is_authenticated and proposal.author_id == user.id and proposal.status in (S.DRAFT, S.SUBMITTED)):
        return False
    decision = db.session.get(CouncilDecision, proposal.id)
    if decision is not None:
        return decision.revision_open(today())
    return proposal.process.is_in_phase(PhaseKind.PROPOSALS)


def edit_proposal(proposal: Proposal, author: User, *, title, description, category, address, cost,
                  photos=(), pending=(), remove_photo_ids=()) -> None:
    if not may_edit(author, proposal):
        raise ServiceError(_l("This proposal can no longer be edited: its review has started."))
    check_cost(proposal.budget, cost)
    # Still editable in the database too: a review starting at this moment wins, and the
    # reviewer's verdict is never about a text the author changed after it.
    hold((proposal, (S.DRAFT, S.SUBMITTED)))
    changed = [name for name, new in (("title", title.strip()), ("description", description),
                                      ("address", address.strip()), ("estimated_cost", cost))
               if getattr(proposal, name) != new]
    if (proposal.category_id or None) != (category.id if category else None):
        changed.append("category")
    _fill(proposal, title=title, description=description, category=category, address=address, cost=cost)
    removed = [p for p in proposal.photos if p.id in set(remove_photo_ids)]
    for photo in removed:
        proposal.photos.remove(photo)
    stored = _add_photos(proposal, photos, pending)
    if stored or removed or pending:
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
        raise ServiceError(_l("Only the author can withdraw this proposal."))
    transition(proposal, S.WITHDRAWN, actor=author, kind="withdrawn", role="resident", reason=reason.strip())
    db.session.commit()


# --- supports ---------------------------------------------------------------------------

def support_refusal(proposal: Proposal, user: User | None):
    """Why ``user`` cannot support the proposal now (a sentence saying when and who can), or None.
    The page shows it instead of a button; :func:`support` refuses with the same words."""
    if proposal.status not in (S.SUBMITTED, S.FEASIBLE) or proposal.is_hidden:
        return _l("This proposal is not open for support.")
    phase = proposal.process.phase(PhaseKind.PROPOSALS)
    if not proposal.process.is_in_phase(PhaseKind.PROPOSALS):
        if phase is not None and phase.starts_at > utcnow():
            return _l("Supports are collected from %(date)s, by residents of %(area)s.",
                      date=local_date(phase.starts_at, "long"), area=proposal.area.name)
        return _l("Supports were collected only during the proposals phase, which is over.")
    if user is None or not user.is_authenticated:
        return None  # the page offers to log in
    if not can(user, Action.SUPPORT, proposal.area):
        return _l("Only residents of %(area)s can support this proposal, %(until)s.", area=proposal.area.name,
                  until=until(phase.last_moment) if phase else "")
    if proposal.author_id == user.id:
        return _l("You wrote this proposal; authors cannot support their own.")
    return None


def supports_until(proposal: Proposal) -> str | None:
    """"until 30 December" while the proposal gathers supports, else None."""
    phase = proposal.process.phase(PhaseKind.PROPOSALS)
    if proposal.status in (S.SUBMITTED, S.FEASIBLE) and not proposal.is_hidden and phase is not None \
            and proposal.process.is_in_phase(PhaseKind.PROPOSALS):
        return until(phase.last_moment)
    return None


def support(proposal: Proposal, user: User) -> None:
    """Add the user's support once; refuse outside the proposals phase or the area."""
    refusal = support_refusal(proposal, user)
    if refusal is not None:
        raise ServiceError(refusal)
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("You already support this proposal.")) from None
    # Counted in SQL so concurrent supports cannot lose an increment, and only while the proposal
    # is still open for support (a merge moving its supports at this moment wins).
    counted = db.session.execute(update(Proposal).where(Proposal.id == proposal.id,
                                                        Proposal.status.in_([S.SUBMITTED.value, S.FEASIBLE.value]))
                                 .values(support_count=Proposal.support_count + 1)).rowcount
    if counted != 1:
        db.session.rollback()
        raise ServiceError(CHANGED_MEANWHILE)
    db.session.refresh(proposal, ["support_count"])
    threshold = proposal.process.support_threshold
    if threshold and proposal.support_count == threshold:
        record_event(proposal, "threshold_reached", None, count=threshold)
    db.session.commit()


def withdraw_support(proposal: Proposal, user: User) -> None:
    if not proposal.process.is_in_phase(PhaseKind.PROPOSALS):
        raise ServiceError(_l("Supports are collected only during the proposals phase."))
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


# --- town halls (used by meetings.services) ---------------------------------------------------

def record_discussion(proposal: Proposal, actor: User, *, meeting: str, day: str, decision: str,
                      note: str | None, amendment: dict | None = None) -> None:
    """A town hall discussed the proposal: the event, and an amendment of its text or cost where
    the minutes say so. The caller (publishing the minutes) commits. An amendment first holds
    the proposal in the status the minutes saw, so a review at the same moment cannot be lost."""
    data = {"meeting": meeting, "date": day, "decision": decision}
    if amendment:
        hold((proposal, (proposal.status,)))
        if amendment.get("title"):  # the timeline says from what to what
            data["old_title"], data["title"] = proposal.title, amendment["title"].strip()
        if amendment.get("cost"):
            data["old_cost"] = proposal.final_cost or proposal.estimated_cost
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
    if amendment and amendment.get("cost"):
        data["cost"] = amendment["cost"]
    record_event(proposal, "discussed", actor, role="deputy", note=note, **data)


def raise_at_meeting(deputy: User, budget: Budget, meeting_title: str, *, title, description, category,
                     address, cost) -> Proposal:
    """A proposal raised at a town hall, submitted by the hosting deputy on the meeting's behalf
    (the meeting service checks the deputy hosts it). The proposals phase must be open."""
    if not budget.process.is_in_phase(PhaseKind.PROPOSALS):
        raise ServiceError(_l("This budget does not take proposals now."))
    check_cost(budget, cost)
    proposal = Proposal(process=budget.process, budget=budget, area=budget.area, author=deputy,
                        status=S.SUBMITTED.value, submitted_at=utcnow())
    _fill(proposal, title=title, description=description, category=category, address=address, cost=cost)
    db.session.add(proposal)
    db.session.flush()
    record_event(proposal, "raised_at_meeting", deputy, role="deputy", meeting=meeting_title)
    db.session.commit()
    return proposal
