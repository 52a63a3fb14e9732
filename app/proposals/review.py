"""Decisions officials take on a proposal: review (feasible with the final cost, or not feasible
with a reason), merging a duplicate, placing on the ballot. Each is refused to an official who
wrote or supports the proposal (no one judges their own case) and happens once however many
officials act at the same moment (see services.hold)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app.ballots.services import voting_opened
from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.permissions import Action, can
from app.extensions import db
from app.models import Assignment, CouncilDecision, PhaseKind, Proposal, Support, User
from app.proposals import own_case
from app.proposals.services import S, acting_role, check_cost, hold, transition
from app.proposals.timeline import record_event

REVIEW_ROLES = ("akimat", "expert")
ACTIVE = (S.SUBMITTED, S.FEASIBLE, S.ON_BALLOT)  # what a duplicate may be merged into


def _council_pending(proposal: Proposal) -> bool:
    """Assigned to the expert council, whose decision is not final yet: the akimat reviews after it."""
    assigned = db.session.scalar(select(Assignment.id).where(Assignment.proposal_id == proposal.id).limit(1))
    if assigned is None:
        return False
    decision = db.session.get(CouncilDecision, proposal.id)
    return decision is None or not decision.is_final


def _check_reviewer(user: User, proposal: Proposal, what: str = own_case.REVIEW) -> str:
    if not can(user, Action.REVIEW_PROPOSALS, proposal.area):
        raise ServiceError(_l("Only akimat officials and the expert council of this area review proposals."))
    process = proposal.process
    if not (process.is_in_phase(PhaseKind.PROPOSALS) or process.is_in_phase(PhaseKind.REVIEW)):
        raise ServiceError(_l("Proposals are reviewed during the proposals and review phases."))
    own_case.check(user, proposal, what)
    if what == own_case.REVIEW and _council_pending(proposal):
        raise ServiceError(_l("The expert council has not made its final decision on this proposal yet."))
    return acting_role(user, proposal, REVIEW_ROLES)


def review(proposal: Proposal, reviewer: User, *, feasible: bool, final_cost: int | None, reason: str,
           commit: bool = True) -> None:
    role = _check_reviewer(reviewer, proposal)
    threshold = proposal.process.support_threshold
    if proposal.support_count < threshold:
        raise ServiceError(_l("This proposal needs %(n)s supports before review.", n=threshold))
    if feasible:
        if not final_cost or final_cost <= 0:
            raise ServiceError(_l("Give the final cost estimate in tenge."), field="final_cost")
        check_cost(proposal.budget, final_cost)
        transition(proposal, S.FEASIBLE, actor=reviewer, kind="reviewed_feasible", role=role,
                   note=reason.strip() or None, changes={"final_cost": final_cost}, cost=final_cost)
    else:
        if len(reason.strip()) < 10:
            raise ServiceError(_l("Explain to the author why it is not feasible (at least 10 characters)."),
                                field="reason")
        transition(proposal, S.NOT_FEASIBLE, actor=reviewer, kind="reviewed_not_feasible", role=role,
                   reason=reason.strip())
    if commit:
        db.session.commit()


def merge(duplicate: Proposal, into: Proposal | None, reviewer: User, note: str = "") -> int:
    """Merge a duplicate into another proposal of the same budget (``into`` None: the number typed
    names none); supports move (once per person). Returns how many supports moved. Both proposals
    are held first, so a review or another merge of either at the same moment cannot interleave."""
    if into is None:
        raise ServiceError(_l("There is no proposal with that number."))
    role = _check_reviewer(reviewer, duplicate, own_case.MERGE)
    if into.id == duplicate.id or into.budget_id != duplicate.budget_id:
        raise ServiceError(_l("Choose another proposal of the same budget."), field="into")
    if into.status not in ACTIVE:
        raise ServiceError(_l("A proposal can only be merged into an active one."), field="into")
    own_case.check(reviewer, into, own_case.MERGE)
    hold((duplicate, (duplicate.status,)), (into, ACTIVE))
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


def place_on_ballot(proposal: Proposal, official: User, note: str = "", commit: bool = True) -> None:
    if not can(official, Action.PLACE_ON_BALLOT, proposal.area):
        raise ServiceError(_l("Only akimat officials of this area place proposals on the ballot."))

    voting = proposal.process.phase(PhaseKind.VOTING)
    if (voting is not None and voting.starts_at <= utcnow()) or voting_opened(proposal.budget):
        raise ServiceError(_l("The ballot is fixed once voting has started."))
    own_case.check(official, proposal, own_case.BALLOT)
    transition(proposal, S.ON_BALLOT, actor=official, kind="placed_on_ballot", role="akimat",
               note=note.strip() or None, budget=proposal.budget_id)
    if commit:
        db.session.commit()
