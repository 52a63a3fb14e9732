"""What everybody may read of the council's work on a proposal: the decision with its reasons, per
criterion, and each member's verdict and remark — with the member's name unless the process says
the decisions are published without names. Shown on the proposal's page, in the API and exports."""
from sqlalchemy import select

from app.core.clock import today
from app.extensions import db
from app.models import Assignment, Council, CouncilDecision, CouncilMember, Criterion, Proposal, Score


def _criterion_row(criterion: Criterion, values: list[int]) -> dict:
    row = {"id": criterion.id, "name": criterion.name, "name_kk": criterion.name_kk, "name_ru": criterion.name_ru,
           "name_en": criterion.name_en, "scale": criterion.scale, "judged": len(values)}
    if criterion.scale == "pass_fail":
        row["passed"] = sum(values)
    else:
        row["average"] = round(sum(values) / len(values), 1) if values else None
    return row


def summary(proposal: Proposal) -> dict | None:
    """The council's decision on ``proposal`` (None until every assigned member has judged)."""
    decision = db.session.get(CouncilDecision, proposal.id)
    if decision is None:
        return None
    council = db.session.get(Council, proposal.process_id)
    assignments = list(db.session.scalars(select(Assignment).join(Assignment.member).where(
        Assignment.proposal_id == proposal.id).order_by(Assignment.id)))
    scores = list(db.session.scalars(select(Score).where(Score.assignment_id.in_([a.id for a in assignments]))))
    criteria = list(db.session.scalars(select(Criterion).where(Criterion.process_id == proposal.process_id)
                                       .order_by(Criterion.position, Criterion.id)))
    names = council is None or council.names_public
    members = {m.id: m.user.full_name for m in db.session.scalars(
        select(CouncilMember).where(CouncilMember.id.in_([a.member_id for a in assignments])))} if names else {}
    return {
        "outcome": decision.outcome,
        "final": decision.is_final,
        "revise_until": decision.revise_until,
        "revision_open": decision.revision_open(today()),
        "approvals": sum(a.verdict == "approve" for a in assignments),
        "members": len(assignments),
        "criteria": [_criterion_row(c, [s.value for s in scores if s.criterion_id == c.id]) for c in criteria],
        "remarks": [{"member": members.get(a.member_id), "verdict": a.verdict, "remark": a.remark}
                    for a in assignments],
    }


def export_rows(process_id: int) -> tuple[list[dict], list[dict]]:
    """The open-data rows of a process's council: one per proposal and criterion, one per remark."""
    from app.models import ProposalStatus

    per_criterion, remarks = [], []
    proposals = db.session.scalars(select(Proposal).join(CouncilDecision, CouncilDecision.proposal_id == Proposal.id)
                                   .where(Proposal.process_id == process_id,
                                          Proposal.status != ProposalStatus.DRAFT.value).order_by(Proposal.id))
    for p in proposals:
        s = summary(p)
        head = {"proposal_id": p.id, "title": "" if p.is_hidden else p.title, "outcome": s["outcome"],
                "final": int(s["final"]), "revise_until": s["revise_until"].isoformat()}
        for c in s["criteria"]:
            per_criterion.append({**head, "criterion_kk": c["name_kk"], "criterion_ru": c["name_ru"],
                                  "criterion_en": c["name_en"], "scale": c["scale"], "judged": c["judged"],
                                  "passed": c.get("passed", ""), "average": c.get("average") or ""})
        for r in s["remarks"]:
            remarks.append({**head, "member": r["member"] or "", "verdict": r["verdict"], "remark": r["remark"]})
    return per_criterion, remarks


def for_api(proposal: Proposal) -> dict | None:
    found = summary(proposal)
    return found and {**found, "revise_until": found["revise_until"].isoformat()}


def summaries(proposal_ids: list[int]) -> dict[int, tuple[str, bool]]:
    """proposal id -> (the council's outcome, whether it is final), for a list."""
    rows = db.session.execute(select(CouncilDecision.proposal_id, CouncilDecision.outcome, CouncilDecision.final_at)
                              .where(CouncilDecision.proposal_id.in_(proposal_ids)))
    return {pid: (outcome, final_at is not None) for pid, outcome, final_at in rows}
