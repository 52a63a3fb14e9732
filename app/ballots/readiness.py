"""What is not ready when a phase opens: the review (budgets still empty) and voting (proposals not
reviewed, budgets with nothing on the ballot, a counting rule that does not fit the ballot type,
cumulative ballots with no points, budgets with no count key yet). Opening is not refused for it;
the official is shown the list and asked to confirm."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.errors import ServiceError
from app.extensions import db
from app.models import BallotConfig, CountKey, PhaseKind, Process, Proposal

NOT_READY = _l("Some things are not ready yet. Read them, then tick “I have read what is not ready and open "
               "it anyway” to open the phase as it is.")
APPROVAL_ONLY_RULES = {"phragmen"}


def _counts(process: Process) -> dict[tuple[int, str], int]:
    rows = db.session.execute(select(Proposal.budget_id, Proposal.status, func.count(Proposal.id)).where(
        Proposal.process_id == process.id).group_by(Proposal.budget_id, Proposal.status))
    return {(budget_id, status): n for budget_id, status, n in rows}


def problems(process: Process, kind: PhaseKind) -> list:
    """Sentences saying what is not ready for ``kind`` to open (empty: all ready)."""
    if kind not in (PhaseKind.REVIEW, PhaseKind.VOTING):
        return []
    if not process.budgets:
        return [_l("This process has no budget yet.")]
    counts = _counts(process)
    found = []
    if kind == PhaseKind.REVIEW:
        for budget in process.budgets:
            if not any(n for (b, status), n in counts.items() if b == budget.id and status != "draft"):
                found.append(_l("%(budget)s has no proposals yet.", budget=budget.name))
        return found
    unreviewed = sum(n for (_, status), n in counts.items() if status == "submitted")
    if unreviewed:
        found.append(_l("Proposals not reviewed yet, which will not be on the ballot: %(n)s.", n=unreviewed))
    for budget in process.budgets:
        if not counts.get((budget.id, "on_ballot")):
            found.append(_l("%(budget)s has no proposal on the ballot.", budget=budget.name))
        config = db.session.get(BallotConfig, budget.id)
        if config is not None and config.rule in APPROVAL_ONLY_RULES and config.ballot_type != "approval":
            found.append(_l("%(budget)s: sequential Phragmén counts only approval ballots; choose another rule "
                            "or an approval ballot.", budget=budget.name))
        if config is not None and config.ballot_type == "cumulative" and not config.max_points:
            found.append(_l("%(budget)s: a cumulative ballot needs the number of points each voter distributes.",
                            budget=budget.name))
        if db.session.get(CountKey, budget.id) is None:
            found.append(_l("%(budget)s has no count key yet: make the keys and give the file to the counting "
                            "commission.", budget=budget.name))
    return found


def check_confirmed(process: Process, kind: PhaseKind, confirmed: bool) -> None:
    """Refuse to open ``kind`` while something is not ready, unless the official confirmed."""
    found = problems(process, kind)
    if found and not confirmed:
        raise ServiceError.several([("confirm", NOT_READY), *((None, p) for p in found)])
