"""The expert council: the akimat sets it up (members, criteria, the rule, the revision days) and
assigns proposals; each assigned member judges on every criterion with a verdict and a remark;
when all have judged, the council's decision by the rule goes to the author with the remarks, who
may revise until the window closes; then the decision is final (a rejection makes the proposal
not feasible, through transition()). No member judges a proposal they wrote or support."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.clock import today, utcnow
from app.core.errors import ServiceError
from app.core.permissions import Action, can, has_stake, roles_in
from app.extensions import db
from app.models import (
    Assignment,
    Council,
    CouncilDecision,
    CouncilMember,
    Criterion,
    PhaseKind,
    Process,
    Proposal,
    ProposalStatus,
    Role,
    Score,
    User,
)
from app.proposals import own_case
from app.proposals.services import transition
from app.proposals.timeline import record_event

S = ProposalStatus
SCALE_RANGE = {"pass_fail": (0, 1), "score": (1, 5)}
NO_COUNCIL = _l("This process has no expert council yet: add its members first.")


def council_of(process: Process, create: bool = False) -> Council | None:
    council = db.session.get(Council, process.id)
    if council is None and create:
        council = Council(process_id=process.id, rule="majority", revision_days=4, names_public=True)
        db.session.add(council)
        db.session.flush()
    return council


def _expert_in(user: User, area) -> bool:
    return Role.EXPERT in roles_in(user, area)


def _check_judging_phase(process: Process) -> None:
    if not (process.is_in_phase(PhaseKind.PROPOSALS) or process.is_in_phase(PhaseKind.REVIEW)):
        raise ServiceError(_l("The expert council works during the proposals and review phases."))


# --- setting up ----------------------------------------------------------------------------------

def save_settings(process: Process, *, rule: str, revision_days: int, names_public: bool) -> Council:
    if rule not in ("majority", "unanimous"):
        raise ServiceError(_l("Choose how the council decides."), field="rule")
    if not 0 <= revision_days <= 30:
        raise ServiceError(_l("The revision window is from 0 to 30 days."), field="revision_days")
    council = council_of(process, create=True)
    council.rule, council.revision_days, council.names_public = rule, revision_days, names_public
    db.session.commit()
    return council


def add_member(process: Process, user: User | None) -> CouncilMember:
    """A member must hold the expert role in the process's area (granted on the roles page)."""
    if user is None:
        raise ServiceError(_l("No account has this email address."), field="email")
    if not any(_expert_in(user, area) for area in [process.area, *(b.area for b in process.budgets)]):
        raise ServiceError(_l("Only people with the expert council role in %(area)s can be members; an "
                              "administrator grants it on the roles page.", area=process.area.name), field="email")
    council = council_of(process, create=True)
    if any(m.user_id == user.id for m in council.members):
        raise ServiceError(_l("This person is already a member of the council."), field="email")
    member = CouncilMember(process_id=process.id, user_id=user.id)
    council.members.append(member)
    db.session.commit()
    return member


def remove_member(member: CouncilMember) -> None:
    judged = db.session.scalar(select(func.count(Assignment.id)).where(
        Assignment.member_id == member.id, Assignment.scored_at.is_not(None)))
    if judged:
        raise ServiceError(_l("This member has already judged proposals; their judgements stay on record."))
    db.session.delete(member)
    db.session.commit()


def add_criterion(process: Process, *, names: dict[str, str], scale: str) -> Criterion:
    if scale not in SCALE_RANGE:
        raise ServiceError(_l("Choose pass/fail or a score from 1 to 5."), field="scale")
    council = council_of(process, create=True)
    criterion = Criterion(process_id=process.id, scale=scale, position=len(council.criteria),
                          **{f"name_{lang}": text.strip() for lang, text in names.items()})
    council.criteria.append(criterion)
    db.session.commit()
    return criterion


def delete_criterion(criterion: Criterion) -> None:
    if db.session.scalar(select(func.count()).select_from(Assignment).join(Assignment.member).where(
            CouncilMember.process_id == criterion.process_id, Assignment.scored_at.is_not(None))):
        raise ServiceError(_l("Members have already judged on these criteria; they can no longer change."))
    db.session.delete(criterion)
    db.session.commit()


# --- assigning -----------------------------------------------------------------------------------

def _check_assignable(proposal: Proposal, member: CouncilMember) -> None:
    if proposal.status != S.SUBMITTED:
        raise ServiceError(_l("Only submitted proposals go to the expert council."), field="proposal")
    if not _expert_in(member.user, proposal.area):
        raise ServiceError(_l("%(name)s is not on the expert council of %(area)s.", name=member.user.full_name,
                              area=proposal.area.name), field="member")
    if has_stake(member.user, proposal):
        raise ServiceError(_l("%(name)s wrote or supports proposal No. %(n)s, so they cannot judge it.",
                              name=member.user.full_name, n=proposal.id), field="member")


def assign(process: Process, proposal: Proposal | None, member: CouncilMember | None) -> Assignment:
    if proposal is None or proposal.process_id != process.id:
        raise ServiceError(_l("There is no proposal with that number in this process."), field="proposal")
    if member is None or member.process_id != process.id:
        raise ServiceError(_l("Choose a member of this council."), field="member")
    _check_judging_phase(process)
    _check_assignable(proposal, member)
    if _decision(proposal) is not None:
        raise ServiceError(_l("The council has already decided on proposal No. %(n)s.", n=proposal.id))
    if db.session.scalar(select(Assignment.id).where(Assignment.proposal_id == proposal.id,
                                                     Assignment.member_id == member.id)):
        raise ServiceError(_l("This member is already assigned to that proposal."), field="member")
    assignment = Assignment(proposal_id=proposal.id, member_id=member.id)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def assign_round_robin(process: Process, per_proposal: int) -> int:
    """Give every submitted proposal without members ``per_proposal`` of them, in turn, skipping a
    member with a stake in it. Returns how many proposals were assigned."""
    council = council_of(process)
    if council is None or not council.members:
        raise ServiceError(NO_COUNCIL)
    if not 1 <= per_proposal <= len(council.members):
        raise ServiceError(_l("Give from 1 to %(n)s members per proposal.", n=len(council.members)),
                           field="per_proposal")
    _check_judging_phase(process)
    assigned = select(Assignment.proposal_id)
    waiting = db.session.scalars(select(Proposal).where(
        Proposal.process_id == process.id, Proposal.status == S.SUBMITTED.value, Proposal.hidden_at.is_(None),
        Proposal.id.not_in(assigned)).order_by(Proposal.id))
    members, turn, count = council.members, 0, 0
    for proposal in waiting:
        chosen = []
        for step in range(len(members)):
            member = members[(turn + step) % len(members)]
            if _expert_in(member.user, proposal.area) and not has_stake(member.user, proposal):
                chosen.append(member)
            if len(chosen) == per_proposal:
                break
        turn = (turn + 1) % len(members)
        if len(chosen) < per_proposal:
            continue  # too few members without a stake: left for assigning by hand
        db.session.add_all(Assignment(proposal_id=proposal.id, member_id=m.id) for m in chosen)
        count += 1
    db.session.commit()
    return count


# --- judging -------------------------------------------------------------------------------------

def _decision(proposal: Proposal) -> CouncilDecision | None:
    return db.session.get(CouncilDecision, proposal.id)


def assignment_of(user: User, proposal: Proposal) -> Assignment | None:
    return db.session.scalar(select(Assignment).join(Assignment.member).where(
        Assignment.proposal_id == proposal.id, CouncilMember.user_id == user.id))


def judge(proposal: Proposal, user: User, *, values: dict[int, int | None], verdict: str, remark: str) -> None:
    """A member's scores on every criterion, verdict and remark (changeable until the decision is
    final). When every assigned member has judged, the council decides and the author hears."""
    assignment = assignment_of(user, proposal)
    if assignment is None or not can(user, Action.REVIEW_PROPOSALS, proposal.area):
        raise ServiceError(_l("Only the council members assigned to this proposal judge it."))
    own_case.check(user, proposal, own_case.REVIEW)
    _check_judging_phase(proposal.process)
    decision = _decision(proposal)
    if proposal.status != S.SUBMITTED or (decision is not None and not decision.revision_open(today())):
        raise ServiceError(_l("The council's decision on this proposal is final."))
    council = council_of(proposal.process)
    problems = []
    for criterion in council.criteria:
        low, high = SCALE_RANGE[criterion.scale]
        value = values.get(criterion.id)
        if value is None or not low <= value <= high:
            problems.append((f"criterion-{criterion.id}", _l("Judge “%(name)s”.", name=criterion.name)))
    if verdict not in ("approve", "reject"):
        problems.append(("verdict", _l("Say whether you recommend the proposal.")))
    if len(remark.strip()) < 10:
        problems.append(("remark", _l("Write a remark for the author (at least 10 characters).")))
    if problems:
        raise ServiceError.several(problems)
    assignment.scores = [Score(criterion_id=c.id, value=values[c.id]) for c in council.criteria]
    assignment.verdict, assignment.remark, assignment.scored_at = verdict, remark.strip(), utcnow()
    db.session.flush()
    _decide(proposal, council, decision)
    db.session.commit()


def _outcome(council: Council, assignments: list[Assignment]) -> str:
    approvals = sum(a.verdict == "approve" for a in assignments)
    if council.rule == "unanimous":
        return "approve" if approvals == len(assignments) else "reject"
    return "approve" if 2 * approvals > len(assignments) else "reject"


def _decide(proposal: Proposal, council: Council, decision: CouncilDecision | None) -> None:
    assignments = list(db.session.scalars(select(Assignment).where(Assignment.proposal_id == proposal.id)))
    if any(a.scored_at is None for a in assignments):
        return
    outcome = _outcome(council, assignments)
    if decision is not None:  # a member changed their mind within the window
        decision.outcome = outcome
        return
    until = today() + timedelta(days=council.revision_days)
    db.session.add(CouncilDecision(proposal_id=proposal.id, outcome=outcome, revise_until=until))
    db.session.flush()
    record_event(proposal, "council_remarks", None, role="expert", outcome=outcome, until=until.isoformat())
    if council.revision_days == 0:
        _make_final(proposal, _decision(proposal))


def _make_final(proposal: Proposal, decision: CouncilDecision) -> None:
    decision.final_at = utcnow()
    remarks = [a.remark for a in db.session.scalars(select(Assignment).where(
        Assignment.proposal_id == proposal.id, Assignment.verdict == "reject").order_by(Assignment.id))]
    if decision.outcome == "reject":
        transition(proposal, S.NOT_FEASIBLE, actor=None, kind="council_rejected", role="expert",
                   reason="\n\n".join(remarks)[:2000])
    else:
        record_event(proposal, "council_approved", None, role="expert")


def finalize_due(process: Process) -> int:
    """Make final every decision of ``process`` whose revision window has closed (Almaty date)."""
    due = db.session.scalars(select(CouncilDecision).join(Proposal, Proposal.id == CouncilDecision.proposal_id).where(
        Proposal.process_id == process.id, CouncilDecision.final_at.is_(None),
        CouncilDecision.revise_until < today()).order_by(CouncilDecision.proposal_id))
    count = 0
    for decision in due:
        proposal = db.session.get(Proposal, decision.proposal_id)
        if proposal.status != S.SUBMITTED:  # withdrawn or merged meanwhile: nothing left to decide
            decision.final_at = utcnow()
            continue
        _make_final(proposal, decision)
        count += 1
    db.session.commit()
    return count
