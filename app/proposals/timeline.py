"""The public timeline of a proposal: every change is an event that says who, when and why,
and the author and supporters hear about it."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.i18n import local_date, money
from app.core.labels import decision_label, implementation_status_label
from app.core.reasons import reason_text
from app.extensions import db
from app.models import Budget, BudgetFollow, Proposal, ProposalEvent, Support, User
from app.notifications.mail import page_url
from app.notifications.models import NotificationKind
from app.notifications.services import notify

# kind -> sentence; the values come from event.data (money under "cost" is formatted).
EVENT_SENTENCES = {
    "submitted": _l("Submitted to the participatory budget"),
    "edited": _l("Edited by the author"),
    "withdrawn": _l("Withdrawn by the author"),
    "threshold_reached": _l("Gathered %(count)s supports: ready for review"),
    "reviewed_feasible": _l("Reviewed: feasible, final cost estimate %(cost)s"),
    "reviewed_not_feasible": _l("Reviewed: not feasible"),
    "merged_into": _l("Merged into proposal No. %(other)s; its supports moved there"),
    "merged_from": _l("Proposal No. %(other)s was merged into this one; %(moved)s supports moved here"),
    "placed_on_ballot": _l("Placed on the ballot: %(budget)s"),
    "hidden": _l("Hidden by a moderator"),
    "restored": _l("Restored by a moderator"),
    "discussed": _l("Discussed at %(meeting)s on %(date)s: %(decision)s"),
    "discussed_without_decision": _l("Discussed at %(meeting)s on %(date)s; no decision was taken there, "
                                     "because every host of the meeting wrote or supports this proposal"),
    "raised_at_meeting": _l("Raised at %(meeting)s"),
    "minutes_corrected": _l("The minutes of %(meeting)s were corrected"),
    "funded": _l("Funded"),
    "not_funded": _l("Not funded"),
    "result_annulled": _l("The published result of its budget was annulled; a recount will follow"),
    "implementation": _l("Implementation: %(status)s, %(progress)s%% done"),
    "implementation_corrected": _l("Implementation report corrected: %(progress)s%% done, %(cost)s spent"),
    "procurement": _l("The contract is signed: lot %(lot)s on the public procurement portal, %(cost)s"),
    "council_remarks": _l("The expert council sent its decision and remarks; the author may revise the "
                          "proposal until %(until)s"),
    "council_approved": _l("The expert council's decision is final: recommended for review by the akimat"),
    "council_rejected": _l("The expert council's decision is final: not recommended"),
}


def event_text(event: ProposalEvent) -> str:
    """The event's sentence in the current language."""
    sentence = EVENT_SENTENCES.get(event.kind)
    if sentence is None:
        return event.kind
    values = dict(event.data or {})
    if isinstance(values.get("outcome"), dict):  # funded or not: the count's reason code, in words
        return reason_text(values["outcome"]) or str(sentence)
    if "cost" in values:
        values["cost"] = money(values["cost"])
    if "status" in values and event.kind == "implementation":
        values["status"] = implementation_status_label(values["status"])
    if isinstance(values.get("date"), str):  # a day kept as 2026-11-26, said the reader's way
        try:
            values["date"] = local_date(date.fromisoformat(values["date"]))
        except ValueError:
            pass
    if "decision" in values:  # a town-hall decision code, shown in the reader's language
        values["decision"] = decision_label(values["decision"])
    if "until" in values:  # the last day of a revision window, an Almaty date
        values["until"] = local_date(date.fromisoformat(values["until"]))
    if "budget" in values:  # stored by id so the name shows in the reader's language
        budget = db.session.get(Budget, values["budget"])
        values["budget"] = budget.name if budget else values["budget"]
    try:
        text = str(sentence) % values if values else str(sentence)
    except (KeyError, ValueError, TypeError):
        return str(sentence).split("%(")[0].rstrip(": ")
    return " ".join([text, *_amendments(values)])


# What a town hall amended, from what to what (the "discussed" event keeps the old values).
AMENDMENT_SENTENCES = {"title": _l("Title changed from «%(old)s» to «%(new)s»."),
                       "cost": _l("Cost estimate changed from %(old)s to %(new)s.")}


def _amendments(values: dict) -> list[str]:
    found = []
    if "old_title" in values and "title" in values:
        found.append(str(AMENDMENT_SENTENCES["title"]) % {"old": values["old_title"], "new": values["title"]})
    if "old_cost" in values and "cost" in values:
        found.append(str(AMENDMENT_SENTENCES["cost"]) % {"old": money(values["old_cost"]), "new": values["cost"]})
    return found


def town_hall_rejections(proposal_ids) -> dict[int, ProposalEvent]:
    """proposal id -> the town-hall discussion that rejected it, when its latest one did: shown
    wherever the proposal is placed on the ballot, so whoever places it knows."""
    latest: dict[int, ProposalEvent] = {}
    for event in db.session.scalars(select(ProposalEvent).where(
            ProposalEvent.proposal_id.in_(list(proposal_ids)), ProposalEvent.kind == "discussed")
            .order_by(ProposalEvent.id)):
        latest[event.proposal_id] = event
    return {pid: e for pid, e in latest.items() if (e.data or {}).get("decision") == "rejected"}


FOLLOWED_STATUSES = ("funded", "in_implementation", "completed")


def followers(proposal: Proposal) -> list[int]:
    """The author, every supporter, and — for a funded project — residents who follow its budget's
    result and funded projects."""

    ids = list(db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal.id)))
    if proposal.status in FOLLOWED_STATUSES and proposal.budget_id:
        ids += list(db.session.scalars(select(BudgetFollow.user_id).where(BudgetFollow.budget_id == proposal.budget_id)))
    if proposal.author_id:
        ids.append(proposal.author_id)
    return ids


def record_event(proposal: Proposal, kind: str, actor: User | None = None, *, role: str | None = None,
                 note: str | None = None, notify_followers: bool = True, **data) -> ProposalEvent:
    """Append an event to the timeline and notify the author and supporters (not the actor).
    Runs in the caller's transaction: the caller commits."""
    if kind not in EVENT_SENTENCES:
        raise ValueError(f"unknown event kind {kind!r}")
    event = ProposalEvent(proposal=proposal, kind=kind, actor=actor, actor_role=role, note=note, data=data)
    db.session.add(event)
    db.session.flush()
    if notify_followers:
        recipients = [uid for uid in followers(proposal) if actor is None or uid != actor.id]

        def body():
            lines = [proposal.title, event_text(event)]
            if note:
                lines.append(note)
            lines.append(page_url("proposals.detail", proposal_id=proposal.id))
            return "\n\n".join(lines)

        notify(recipients, NotificationKind.PROPOSAL_UPDATES, proposal=proposal, event=event,
               email_subject=_l("Qatysu: news about a proposal you follow"), email_body=body)
    return event
