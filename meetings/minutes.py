"""The minutes of a town hall: attendance, a decision per proposal on the agenda, action items,
and publication, which changes the proposals discussed; published minutes are only corrected."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app.ballots.services import voting_opened
from app.core.clock import local_date, utcnow
from app.core.errors import ServiceError
from app.core.markdown import render_markdown
from app.core.permissions import has_stake
from app.extensions import db
from app.models import PhaseKind, Proposal, ProposalStatus, User
from app.notifications.models import NotificationKind
from app.notifications.services import notify
from app.proposals import own_case
from app.proposals import services as proposal_service
from app.proposals.timeline import followers, record_event
from meetings.models import DECISIONS, ActionItem, AgendaItem, Meeting, MinutesCorrection
from meetings.services import check_length, is_discussable, is_host, possible_owners


def check_minutes_author(user: User, meeting: Meeting, now: datetime | None = None) -> None:
    if not is_host(user, meeting):
        raise ServiceError(_l("Only the deputies hosting this meeting record its minutes."))
    if meeting.is_cancelled:
        raise ServiceError(_l("A cancelled meeting has no minutes."))
    if (now or utcnow()) < meeting.starts_at:
        raise ServiceError(_l("Minutes are recorded after the meeting has started."))


def may_decide(user: User, item: AgendaItem) -> str | None:
    """None if ``user`` (a host) may record the decision on this agenda proposal; else why not and
    which other hosts can: no host decides on a proposal they wrote or support."""
    return own_case.refusal(user, item.proposal, own_case.MINUTES, hosts=item.meeting.hosts)


def nobody_may_decide(item: AgendaItem) -> bool:
    """Every host of the meeting wrote or supports this agenda proposal: its minutes record that
    it was heard and that no decision was taken (another meeting can take one)."""
    return all(has_stake(host, item.proposal) for host in item.meeting.hosts)


def _hold_draft(meeting: Meeting, refusal) -> None:
    """Lock the meeting's row for this transaction if its minutes are still a draft (an UPDATE
    that changes nothing and whose WHERE is the check, as proposals.services.hold does): of a
    save and a publish, or two publishes, at one moment the first wins; the other is refused."""
    held = db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.minutes_published_at.is_(None))
        .values(minutes_published_at=Meeting.minutes_published_at).execution_options(synchronize_session=False)
    ).rowcount
    if held != 1:
        db.session.rollback()
        raise ServiceError(refusal)


def save_minutes(meeting: Meeting, author: User, *, attendance_count: int, attended_user_ids: list[int],
                 summary: str, decisions: dict[int, dict], action_items: list[dict]) -> None:
    """Save (or update) the draft minutes. ``decisions`` maps agenda item id to
    {decision, note, title, description, cost}; an item left out keeps what it has (the form
    leaves out the proposals this host may not decide on: one they wrote or support — another
    host records that decision, and is named as its author). ``action_items`` are
    {what, owner_id, due_on}."""
    check_minutes_author(author, meeting)
    if meeting.minutes_published:
        raise ServiceError(_l("Published minutes are not edited; append a correction instead."))
    if attendance_count < 0:
        raise ServiceError(_l("Attendance cannot be negative."), field="attendance_count")
    check_length(summary, "summary")
    for data in decisions.values():
        for part in ("note", "title", "description"):
            check_length((data.get(part) or "").strip(), part)
    for entry in action_items:
        check_length(entry["what"].strip(), "what")
    _hold_draft(meeting, _l("Published minutes are not edited; append a correction instead."))
    meeting.attendance_count = attendance_count
    meeting.summary, meeting.summary_html = summary, render_markdown(summary)
    attended = set(attended_user_ids)
    for registration in meeting.registrations:
        registration.attended = registration.user_id in attended
    for item in meeting.agenda:
        if item.id not in decisions:
            continue
        data = decisions[item.id] or {}
        if item.proposal_id is None:
            item.note = (data.get("note") or "").strip() or None
            continue
        refused = may_decide(author, item)
        if refused:
            raise ServiceError(refused, field="decisions")
        decision = data.get("decision") or None
        if decision is not None and decision not in DECISIONS:
            raise ServiceError(_l("Unknown decision."), field="decisions")
        item.decision, item.note = decision, (data.get("note") or "").strip() or None
        item.decided_by = author if decision else None
        if decision == "amended":
            if not (data.get("title") or data.get("description") or data.get("cost")):
                raise ServiceError(_l("An amendment needs a new text or a new cost estimate."), field="decisions")
            check_amendable(item.proposal)
            item.amended_title = (data.get("title") or "").strip() or None
            item.amended_description = data.get("description") or None
            item.amended_cost = data.get("cost") or None
        else:
            item.amended_title = item.amended_description = item.amended_cost = None
    owners = {u.id: u for u in possible_owners(meeting)} if action_items else {}
    new_items = []
    for entry in action_items:
        owner = owners.get(entry["owner_id"])
        if owner is None:
            raise ServiceError(_l("An action item's owner must be an akimat official or a deputy of the "
                                  "meeting's area."), field="action_items")
        new_items.append(ActionItem(what=entry["what"].strip(), owner=owner, due_on=entry["due_on"],
                                    status=entry.get("status", "open")))
    meeting.action_items = new_items
    db.session.commit()


def publish_minutes(meeting: Meeting, author: User) -> None:
    """Make the minutes public in one transaction: an event on every discussed proposal (in the
    name of the host who recorded its decision), the amendments applied through the proposal
    service, and notifications to authors, supporters and attendees. If any part fails, nothing
    changes; of two publishes at one moment the first wins and the second is refused."""
    check_minutes_author(author, meeting)
    if meeting.minutes_published:
        raise ServiceError(_l("These minutes are already published."))
    _hold_draft(meeting, _l("These minutes are already published."))  # before reading the decisions
    undecided = [i for i in meeting.agenda if i.proposal_id and not i.decision and not nobody_may_decide(i)]
    if undecided:
        raise ServiceError(_l("Record a decision for every proposal on the agenda first."))
    day = local_date(meeting.starts_at).isoformat()  # Almaty's day; shown in the reader's style
    try:
        meeting.minutes_published_at = utcnow()
        recipients = {r.user_id for r in meeting.registrations if r.attended}
        for item in meeting.agenda:
            if item.proposal_id is None:
                continue
            proposal = item.proposal
            recipients.update(followers(proposal))
            if not item.decision:  # every host had a stake: heard, not decided
                record_event(proposal, "discussed_without_decision", author, role="deputy",
                             meeting=meeting.title, date=day)
                continue
            decider = item.decided_by or author
            if has_stake(decider, proposal):
                raise ServiceError(_l("The decision on proposal No. %(n)s was recorded by %(name)s, who has since "
                                      "written or supported it: another host must record it again.",
                                      n=proposal.id, name=decider.full_name))
            amendment = None
            if item.decision == "amended":
                check_amendable(proposal)
                amendment = {"title": item.amended_title, "description": item.amended_description,
                             "cost": item.amended_cost}
            proposal_service.record_discussion(proposal, decider, meeting=meeting.title, day=day,
                                               decision=item.decision, note=item.note, amendment=amendment)
        recipients.discard(author.id)
        notify(sorted(recipients), NotificationKind.MEETINGS, subject=("meeting", meeting.id), detail="minutes")
        db.session.commit()
    except Exception:  # a refusal half-way (a proposal changed meanwhile) publishes nothing
        db.session.rollback()
        raise



def record(meeting: Meeting, author: User, minutes: dict, *, publish: bool) -> None:
    """The minutes page's one action: save the draft (``minutes`` as :func:`save_minutes` takes
    them) and, when the host asked, publish it."""
    save_minutes(meeting, author, **minutes)
    if publish:
        publish_minutes(meeting, author)


def add_correction(meeting: Meeting, author: User, text: str, proposal_ids: list[int] | None = None) -> MinutesCorrection:
    """Published minutes are never edited: a correction is appended. It names the agenda proposals
    it concerns, and only those get a timeline event (none named: the minutes in general)."""
    check_minutes_author(author, meeting)
    if not meeting.minutes_published:
        raise ServiceError(_l("Edit the draft instead: the minutes are not published yet."))
    if len(text.strip()) < 5:
        raise ServiceError(_l("Write the correction (at least 5 characters)."), field="text")
    check_length(text.strip(), "text")
    on_agenda = {item.proposal_id: item.proposal for item in meeting.agenda if item.proposal_id}
    named = set(proposal_ids or [])
    if named - set(on_agenda):
        raise ServiceError(_l("A correction can name only the proposals on this meeting's agenda."),
                           field="proposal_ids")
    correction = MinutesCorrection(meeting=meeting, author=author, text=text.strip(),
                                   proposals=[on_agenda[pid] for pid in sorted(named)])
    db.session.add(correction)
    for proposal in correction.proposals:
        record_event(proposal, "minutes_corrected", author, role="deputy", note=text.strip(), meeting=meeting.title)
    db.session.commit()
    return correction


def set_action_status(item: ActionItem, user: User, status: str) -> None:
    if status not in ("open", "done", "cancelled"):
        raise ServiceError(_l("Unknown status."))
    if not (item.owner_id == user.id or is_host(user, item.meeting)):
        raise ServiceError(_l("Only the owner or the meeting's hosts update an action item."))
    item.status = status
    db.session.commit()


def check_amendable(proposal: Proposal) -> None:
    """Minutes amend a proposal's text or cost only while it is open for discussion — not once
    it is withdrawn, merged, hidden or decided — and never while it is on a ballot being voted
    on: the voters who already chose it chose the text and cost they saw."""
    if not is_discussable(proposal):
        raise ServiceError(_l("This proposal cannot change from its current status that way."), field="decisions")

    voting = proposal.process.phase(PhaseKind.VOTING)
    started = voting is not None and voting.starts_at <= utcnow()
    if proposal.status == ProposalStatus.ON_BALLOT.value and (started or voting_opened(proposal.budget)):
        raise ServiceError(_l("The ballot is fixed once voting has started."), field="decisions")
