"""Review, place on the ballot or reject many proposals at once, with one reason: each proposal
goes through the same service as one at a time (its checks, the own-case rule, transition() and
its own timeline event). All or nothing: if any chosen proposal is refused, nothing is changed
and every refusal is reported, naming its proposal."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import ServiceError
from app.extensions import db
from app.models import Process, Proposal, User
from app.proposals import review as review_service
from app.proposals.services import CHANGED_MEANWHILE

ACTIONS = ("feasible", "ballot", "reject")
MAX_AT_ONCE = 200


def _one(proposal: Proposal, official: User, action: str, reason: str) -> None:
    if action == "ballot":
        review_service.place_on_ballot(proposal, official, note=reason, commit=False)
    else:
        review_service.review(proposal, official, feasible=action == "feasible", final_cost=proposal.cost,
                              reason=reason, commit=False)


def apply(process: Process, official: User, ids: list[int], action: str, reason: str) -> int:
    """Do ``action`` on every chosen proposal of ``process``; returns how many. Refused as a whole."""
    if action not in ACTIONS:
        raise ServiceError(_l("Choose what to do with the chosen proposals."), field="action")
    if not ids:
        raise ServiceError(_l("Choose at least one proposal."), field="ids")
    if len(ids) > MAX_AT_ONCE:
        raise ServiceError(_l("Choose at most %(n)s proposals at once.", n=MAX_AT_ONCE), field="ids")
    proposals = list(db.session.scalars(select(Proposal).where(
        Proposal.id.in_(ids), Proposal.process_id == process.id, Proposal.status != "draft").order_by(Proposal.id)))
    problems = [(None, _l("Proposal No. %(n)s: %(why)s", n=n, why=_l("there is no such proposal in this process.")))
                for n in sorted(set(ids) - {p.id for p in proposals})]
    for proposal in proposals:
        try:
            _one(proposal, official, action, reason)
        except ServiceError as error:
            if str(error.message) == str(CHANGED_MEANWHILE):  # the transaction is gone: start again
                raise
            problems.append((None, _l("Proposal No. %(n)s: %(why)s", n=proposal.id, why=error.message)))
    if problems:
        db.session.rollback()
        raise ServiceError.several([(None, _l("Nothing was changed: %(n)s of the chosen proposals were refused.",
                                              n=len(problems))), *problems])
    db.session.commit()
    return len(proposals)
