"""The rules of town halls: scheduling without clashes, registration with a waitlist,
reminders, and minutes that change the proposals they discuss."""
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from app.core import clock
from app.core.clock import utcnow
from app.core.forms import too_long
from app.core.markdown import render_markdown
from app.core.permissions import Action, can, has_stake
from app.core.security import LINK_MESSAGE, web_link
from app.extensions import db
from app.models import Area, PhaseKind, Proposal, ProposalStatus, User
from app.notifications.models import NotificationKind
from app.notifications.services import notify
from app.proposals import own_case
from app.proposals import services as proposal_service
from app.proposals.services import ProposalError
from app.proposals.timeline import followers, record_event
from meetings.models import DECISIONS, ActionItem, AgendaItem, Meeting, MinutesCorrection, Registration

DISCUSSABLE = (ProposalStatus.SUBMITTED.value, ProposalStatus.FEASIBLE.value, ProposalStatus.NOT_FEASIBLE.value,
               ProposalStatus.ON_BALLOT.value)


class MeetingError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- who may do what -----------------------------------------------------------------------

def may_schedule(user: User, area: Area) -> bool:
    """Deputies for their okrug; akimat officials for their area."""
    return can(user, Action.SCHEDULE_MEETINGS, area)


def is_host(user: User, meeting: Meeting) -> bool:
    return user.is_authenticated and any(h.id == user.id for h in meeting.hosts)


def schedulable_areas(user: User) -> list[Area]:
    from app.core.areas import all_areas

    return [a for a in all_areas() if may_schedule(user, a)]


# --- scheduling -------------------------------------------------------------------------------

def _normalized(venue: str | None) -> str:
    return " ".join((venue or "").lower().split())


def clashes(meeting: Meeting, starts_at: datetime, ends_at: datetime, host_ids: list[int]) -> list[Meeting]:
    """Scheduled meetings overlapping [starts_at, ends_at) that share a host or the venue."""
    overlapping = select(Meeting).where(
        Meeting.status == "scheduled", Meeting.starts_at < ends_at, Meeting.ends_at > starts_at,
        Meeting.id != (meeting.id or -1),
    )
    candidates = list(db.session.scalars(overlapping))
    venue = _normalized(meeting.venue) if meeting.kind != "online" else ""
    found = []
    for other in candidates:
        shared_host = {h.id for h in other.hosts} & set(host_ids)
        same_venue = venue and other.kind != "online" and _normalized(other.venue) == venue
        if shared_host or same_venue:
            found.append(other)
    return found


def save_meeting(meeting: Meeting, actor: User, *, area: Area, title: str, description: str, kind: str,
                 venue: str | None, address: str | None, online_link: str | None, starts_at: datetime,
                 ends_at: datetime, capacity: int | None, cohost_ids: list[int], invited_ids: list[int],
                 agenda: list[tuple[int | None, str | None]], reason: str | None = None,
                 now: datetime | None = None) -> Meeting:
    """Create or reschedule a meeting. Refuses, naming the problem: a past start, an end before
    the start, a clash with another meeting of the same deputy or venue, proposals of another
    area on the agenda. A reschedule notifies every registrant with the reason."""
    now = now or utcnow()
    creating = meeting.id is None
    if not may_schedule(actor, area):
        raise MeetingError(_l("You can schedule meetings only in your own okrug or area."), field="area_id")
    if not creating and not is_host(actor, meeting):
        raise MeetingError(_l("Only the meeting's hosts can change it."))
    if starts_at <= now:
        raise MeetingError(_l("A meeting cannot start in the past."), field="starts_at")
    if ends_at <= starts_at:
        raise MeetingError(_l("A meeting must end after it starts."), field="ends_at")
    if kind in ("in_person", "hybrid") and not (venue or "").strip():
        raise MeetingError(_l("Give the venue of an in-person meeting."), field="venue")
    if (online_link or "").strip() and web_link(online_link) is None:
        raise MeetingError(LINK_MESSAGE, field="online_link")  # shown as a link: never javascript: or data:
    if kind in ("online", "hybrid") and not (online_link or "").strip():
        raise MeetingError(_l("Give the link of an online meeting (https://…)."), field="online_link")
    if not creating and not (reason or "").strip():
        raise MeetingError(_l("Give the reason for the change: registered residents will read it."), field="reason")
    cohosts = list(db.session.scalars(select(User).where(User.id.in_(cohost_ids)))) if cohost_ids else []
    for cohost in cohosts:
        if not any(g.role == "deputy" for g in cohost.grants):
            raise MeetingError(_l("Co-hosts must be maslikhat deputies."), field="cohost_ids")
    invited = list(db.session.scalars(select(User).where(User.id.in_(invited_ids)))) if invited_ids else []
    for person in invited:
        if not any(g.role == "akimat" for g in person.grants):
            raise MeetingError(_l("Invited officials must be akimat officials."), field="invited_ids")
    meeting.kind, meeting.venue = kind, (venue or "").strip() or None
    host_ids = [meeting.host_id or actor.id, *[c.id for c in cohosts]]
    clash = clashes(meeting, starts_at, ends_at, host_ids)
    if clash:
        other = clash[0]
        raise MeetingError(_l("This time clashes with «%(title)s» (%(when)s) of the same deputy or venue.",
                              title=other.title, when=format_date(other.starts_at, "medium")), field="starts_at")
    proposals = []
    on_agenda = set() if creating else {item.proposal_id for item in meeting.agenda}
    for proposal_id, _ in agenda:
        if proposal_id:
            proposal = db.session.get(Proposal, proposal_id)
            # A new agenda entry must be one the form offers (discussable_proposals): never someone's
            # private draft, nor a withdrawn, merged or hidden proposal, whose title the meeting
            # page would publish and whose text the minutes could amend. What is already on the
            # agenda stays when the meeting is edited.
            if proposal is None or not proposal.area.is_within(area) and not area.is_within(proposal.area) \
                    or (proposal_id not in on_agenda and not is_discussable(proposal)):
                raise MeetingError(_l("Agenda proposals must belong to the meeting's area."), field="agenda")
            proposals.append(proposal)
    moved = not creating and (meeting.starts_at != starts_at or meeting.ends_at != ends_at)
    if creating:
        meeting.host = actor
    meeting.area, meeting.title, meeting.kind = area, title.strip(), kind
    meeting.description, meeting.description_html = description, render_markdown(description)
    meeting.address, meeting.online_link = (address or "").strip() or None, web_link(online_link)
    meeting.starts_at, meeting.ends_at, meeting.capacity = starts_at, ends_at, capacity
    meeting.cohosts, meeting.invited = cohosts, invited
    meeting.agenda = [AgendaItem(position=i, proposal_id=pid, title=(text or "").strip() or None)
                      for i, (pid, text) in enumerate(agenda)]
    meeting.sequence = (meeting.sequence or 0) + (0 if creating else 1)
    db.session.add(meeting)
    db.session.flush()
    if not creating:
        meeting.status_reason = reason.strip()
        _notify_registrants(meeting, "rescheduled" if moved else "changed")
    db.session.commit()
    return meeting


def cancel(meeting: Meeting, actor: User, reason: str) -> None:
    if not is_host(actor, meeting):
        raise MeetingError(_l("Only the meeting's hosts can cancel it."))
    if meeting.is_cancelled:
        raise MeetingError(_l("This meeting is already cancelled."))
    if len(reason.strip()) < 5:
        raise MeetingError(_l("Give the reason for cancelling (at least 5 characters)."), field="reason")
    _fits(reason.strip(), "reason")
    meeting.status, meeting.status_reason = "cancelled", reason.strip()
    meeting.sequence += 1
    _notify_registrants(meeting, "cancelled")
    db.session.commit()


def _notify_registrants(meeting: Meeting, detail: str, statuses=("registered", "waitlisted")) -> None:
    ids = [r.user_id for r in meeting.registrations if r.status in statuses]
    notify(ids, NotificationKind.MEETINGS, subject=("meeting", meeting.id), detail=detail)


# --- registration ---------------------------------------------------------------------------

def registration_of(user: User, meeting: Meeting) -> Registration | None:
    if not user.is_authenticated:
        return None
    return next((r for r in meeting.registrations if r.user_id == user.id and r.status != "cancelled"), None)


def taken_places(meeting: Meeting) -> int:
    return sum(1 for r in meeting.registrations if r.status == "registered")


def register(user: User, meeting: Meeting, now: datetime | None = None) -> Registration:
    """One registration per resident; a full meeting puts them on the waitlist in order of arrival.
    Registration closes when the meeting starts."""
    now = now or utcnow()
    if meeting.is_cancelled:
        raise MeetingError(_l("This meeting is cancelled."))
    if now >= meeting.starts_at:
        raise MeetingError(_l("Registration closed when the meeting started."))
    existing = next((r for r in meeting.registrations if r.user_id == user.id), None)
    if existing is not None and existing.status != "cancelled":
        raise MeetingError(_l("You are already registered for this meeting."))
    full = meeting.capacity is not None and taken_places(meeting) >= meeting.capacity
    status = "waitlisted" if full else "registered"
    if existing is not None:  # registering again after cancelling: back of the queue
        db.session.delete(existing)
        db.session.flush()
    registration = Registration(meeting=meeting, user_id=user.id, status=status)
    db.session.add(registration)
    db.session.commit()
    return registration


def unregister(user: User, meeting: Meeting, now: datetime | None = None) -> Registration | None:
    """Cancel the user's registration; the first on the waitlist takes the place and is told.
    Returns the promoted registration, if any."""
    registration = registration_of(user, meeting)
    if registration is None:
        raise MeetingError(_l("You are not registered for this meeting."))
    if (now or utcnow()) >= meeting.starts_at:
        raise MeetingError(_l("The meeting has started; registrations cannot change now."))
    freed = registration.status == "registered"
    registration.status = "cancelled"
    promoted = None
    if freed:
        promoted = next((r for r in meeting.registrations if r.status == "waitlisted"), None)
        if promoted is not None:
            promoted.status = "registered"
            notify([promoted.user_id], NotificationKind.MEETINGS, subject=("meeting", meeting.id), detail="promoted")
    db.session.commit()
    return promoted


def send_reminders(now: datetime | None = None) -> int:
    """Notify registrants of meetings starting within 24 hours, once each (safe to run from cron
    as often as wanted). Returns how many were reminded."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Registration).join(Meeting).where(
            Meeting.status == "scheduled", Meeting.starts_at > now, Meeting.starts_at <= now + timedelta(hours=24),
            Registration.status == "registered", Registration.reminded_at.is_(None))
    ).all()
    for registration in due:
        notify([registration.user_id], NotificationKind.MEETINGS, subject=("meeting", registration.meeting_id),
               detail="reminder")
        registration.reminded_at = now
    db.session.commit()
    return len(due)


# --- minutes ---------------------------------------------------------------------------------

# The longest text each part of the minutes (and a correction or a cancellation reason) may hold;
# the columns' CHECKs say the same.
TEXT_LIMITS = {"summary": 20_000, "note": 2000, "title": 200, "description": 10_000, "what": 1000,
                  "text": 3000, "reason": 1000}


def _fits(text: str | None, part: str) -> None:
    problem = too_long(text, TEXT_LIMITS[part])
    if problem:
        raise MeetingError(problem, field=part)


def check_minutes_author(user: User, meeting: Meeting, now: datetime | None = None) -> None:
    if not is_host(user, meeting):
        raise MeetingError(_l("Only the deputies hosting this meeting record its minutes."))
    if meeting.is_cancelled:
        raise MeetingError(_l("A cancelled meeting has no minutes."))
    if (now or utcnow()) < meeting.starts_at:
        raise MeetingError(_l("Minutes are recorded after the meeting has started."))


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
        raise MeetingError(refusal)


def save_minutes(meeting: Meeting, author: User, *, attendance_count: int, attended_user_ids: list[int],
                 summary: str, decisions: dict[int, dict], action_items: list[dict]) -> None:
    """Save (or update) the draft minutes. ``decisions`` maps agenda item id to
    {decision, note, title, description, cost}; an item left out keeps what it has (the form
    leaves out the proposals this host may not decide on: one they wrote or support — another
    host records that decision, and is named as its author). ``action_items`` are
    {what, owner_id, due_on}."""
    check_minutes_author(author, meeting)
    if meeting.minutes_published:
        raise MeetingError(_l("Published minutes are not edited; append a correction instead."))
    if attendance_count < 0:
        raise MeetingError(_l("Attendance cannot be negative."), field="attendance_count")
    _fits(summary, "summary")
    for data in decisions.values():
        for part in ("note", "title", "description"):
            _fits((data.get(part) or "").strip(), part)
    for entry in action_items:
        _fits(entry["what"].strip(), "what")
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
            raise MeetingError(refused, field="decisions")
        decision = data.get("decision") or None
        if decision is not None and decision not in DECISIONS:
            raise MeetingError(_l("Unknown decision."), field="decisions")
        item.decision, item.note = decision, (data.get("note") or "").strip() or None
        item.decided_by = author if decision else None
        if decision == "amended":
            if not (data.get("title") or data.get("description") or data.get("cost")):
                raise MeetingError(_l("An amendment needs a new text or a new cost estimate."), field="decisions")
            check_amendable(item.proposal)
            item.amended_title = (data.get("title") or "").strip() or None
            item.amended_description = data.get("description") or None
            item.amended_cost = data.get("cost") or None
        else:
            item.amended_title = item.amended_description = item.amended_cost = None
    owners = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([a["owner_id"] for a in action_items])))} if action_items else {}
    new_items = []
    for entry in action_items:
        owner = owners.get(entry["owner_id"])
        if owner is None or not any(g.role in ("akimat", "deputy") for g in owner.grants):
            raise MeetingError(_l("An action item's owner must be an akimat official or a deputy."),
                               field="action_items")
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
        raise MeetingError(_l("These minutes are already published."))
    _hold_draft(meeting, _l("These minutes are already published."))  # before reading the decisions
    undecided = [i for i in meeting.agenda if i.proposal_id and not i.decision and not nobody_may_decide(i)]
    if undecided:
        raise MeetingError(_l("Record a decision for every proposal on the agenda first."))
    day = meeting.starts_at.date().isoformat()
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
                raise MeetingError(_l("The decision on proposal No. %(n)s was recorded by %(name)s, who has since "
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
    except ProposalError as error:  # changed meanwhile: the proposal service says so
        db.session.rollback()
        raise MeetingError(error.message) from None
    except Exception:
        db.session.rollback()
        raise


def add_correction(meeting: Meeting, author: User, text: str) -> MinutesCorrection:
    """Published minutes are never edited: a correction is appended, with its own event on every
    discussed proposal."""
    check_minutes_author(author, meeting)
    if not meeting.minutes_published:
        raise MeetingError(_l("Edit the draft instead: the minutes are not published yet."))
    if len(text.strip()) < 5:
        raise MeetingError(_l("Write the correction (at least 5 characters)."), field="text")
    _fits(text.strip(), "text")
    correction = MinutesCorrection(meeting=meeting, author=author, text=text.strip())
    db.session.add(correction)
    for item in meeting.agenda:
        if item.proposal_id:
            record_event(item.proposal, "minutes_corrected", author, role="deputy", note=text.strip(),
                         meeting=meeting.title)
    db.session.commit()
    return correction


def set_action_status(item: ActionItem, user: User, status: str) -> None:
    if status not in ("open", "done", "cancelled"):
        raise MeetingError(_l("Unknown status."))
    if not (item.owner_id == user.id or is_host(user, item.meeting)):
        raise MeetingError(_l("Only the owner or the meeting's hosts update an action item."))
    item.status = status
    db.session.commit()


# --- listings ----------------------------------------------------------------------------------

def meetings_in(area: Area | None, *, deputy_id: int | None = None, upcoming: bool = True,
                now: datetime | None = None, limit: int = 50) -> list[Meeting]:
    now = now or utcnow()
    query = select(Meeting)
    if area is not None:
        query = query.where(Meeting.area_id.in_(area.subtree_select()))
    if deputy_id:
        from meetings.models import meeting_cohosts

        cohosted = select(meeting_cohosts.c.meeting_id).where(meeting_cohosts.c.user_id == deputy_id)
        query = query.where(or_(Meeting.host_id == deputy_id, Meeting.id.in_(cohosted)))
    query = query.where(Meeting.ends_at >= now) if upcoming else query.where(Meeting.ends_at < now)
    order = Meeting.starts_at.asc() if upcoming else Meeting.starts_at.desc()
    return list(db.session.scalars(query.order_by(order).limit(limit)))


def overdue_action_items(user: User, today: date | None = None) -> list[ActionItem]:
    """Open action items past their due date, in the areas where ``user`` is an akimat official."""
    items = db.session.scalars(
        select(ActionItem).where(ActionItem.status == "open", ActionItem.due_on < (today or clock.today()))
        .order_by(ActionItem.due_on))
    return [i for i in items if can(user, Action.COUNT_AND_PUBLISH, i.meeting.area)]


def deputies_of(area: Area) -> list[User]:
    from app.models import RoleGrant

    grants = db.session.scalars(select(RoleGrant).where(RoleGrant.role == "deputy",
                                                        RoleGrant.area_id.in_(area.subtree_select())))
    return [g.user for g in grants]


def is_discussable(proposal: Proposal) -> bool:
    return proposal.status in DISCUSSABLE and not proposal.is_hidden


def check_amendable(proposal: Proposal) -> None:
    """Minutes amend a proposal's text or cost only while it is open for discussion — not once
    it is withdrawn, merged, hidden or decided — and never while it is on a ballot being voted
    on: the voters who already chose it chose the text and cost they saw."""
    if not is_discussable(proposal):
        raise MeetingError(_l("This proposal cannot change from its current status that way."), field="decisions")
    from app.ballots.services import voting_opened

    voting = proposal.process.phase(PhaseKind.VOTING)
    started = voting is not None and voting.starts_at <= utcnow()
    if proposal.status == ProposalStatus.ON_BALLOT.value and (started or voting_opened(proposal.budget)):
        raise MeetingError(_l("The ballot is fixed once voting has started."), field="decisions")


def discussable_proposals(area: Area) -> list[Proposal]:
    """Proposals a meeting in ``area`` may put on its agenda: those of the area and the areas
    containing it (an okrug meeting discusses its district's proposals)."""
    ids = set(area.ancestor_ids)
    query = select(Proposal).where(Proposal.status.in_(DISCUSSABLE), Proposal.hidden_at.is_(None),
                                   or_(Proposal.area_id.in_(ids), Proposal.area_id.in_(area.subtree_select())))
    return list(db.session.scalars(query.order_by(Proposal.support_count.desc(), Proposal.id).limit(200)))




def overdue_in_area(area: Area, today: date | None = None) -> list[ActionItem]:
    """Open action items past due from meetings in ``area`` (public, for the area dashboard)."""
    return list(db.session.scalars(
        select(ActionItem).join(Meeting).where(ActionItem.status == "open", ActionItem.due_on < (today or clock.today()),
                                               Meeting.area_id.in_(area.subtree_select()))
        .order_by(ActionItem.due_on)))


def registrations_of(user: User) -> list[Registration]:
    """The user's meeting registrations, newest meeting first (for "my participation")."""
    return list(db.session.scalars(
        select(Registration).join(Meeting).where(Registration.user_id == user.id, Registration.status != "cancelled")
        .order_by(Meeting.starts_at.desc())))
