"""The rules of town halls: scheduling without clashes, registration with a waitlist, reminders,
and the lists the pages show. The minutes are in :mod:`meetings.minutes`."""
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.core import clock
from app.core.areas import all_areas
from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.forms import too_long
from app.core.markdown import render_markdown
from app.core.permissions import Action, can
from app.core.security import LINK_MESSAGE, web_link
from app.extensions import db
from app.models import Area, Budget, PhaseKind, Proposal, ProposalStatus, RoleGrant, User
from app.notifications.models import NotificationKind
from app.notifications.services import notify
from meetings.models import ActionItem, AgendaItem, Meeting, Registration, meeting_cohosts

DISCUSSABLE = (ProposalStatus.SUBMITTED.value, ProposalStatus.FEASIBLE.value, ProposalStatus.NOT_FEASIBLE.value,
               ProposalStatus.ON_BALLOT.value)


# --- who may do what -----------------------------------------------------------------------

def may_schedule(user: User, area: Area) -> bool:
    """Deputies for their okrug; akimat officials for their area."""
    return can(user, Action.SCHEDULE_MEETINGS, area)


def is_host(user: User, meeting: Meeting) -> bool:
    return user.is_authenticated and any(h.id == user.id for h in meeting.hosts)


def schedulable_areas(user: User) -> list[Area]:
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
        raise ServiceError(_l("You can schedule meetings only in your own okrug or area."), field="area_id")
    if not creating and not is_host(actor, meeting):
        raise ServiceError(_l("Only the meeting's hosts can change it."))
    if starts_at <= now:
        raise ServiceError(_l("A meeting cannot start in the past."), field="starts_at")
    if ends_at <= starts_at:
        raise ServiceError(_l("A meeting must end after it starts."), field="ends_at")
    if kind in ("in_person", "hybrid") and not (venue or "").strip():
        raise ServiceError(_l("Give the venue of an in-person meeting."), field="venue")
    if (online_link or "").strip() and web_link(online_link) is None:
        raise ServiceError(LINK_MESSAGE, field="online_link")  # shown as a link: never javascript: or data:
    if kind in ("online", "hybrid") and not (online_link or "").strip():
        raise ServiceError(_l("Give the link of an online meeting (https://…)."), field="online_link")
    if not creating and not (reason or "").strip():
        raise ServiceError(_l("Give the reason for the change: registered residents will read it."), field="reason")
    cohosts = list(db.session.scalars(select(User).where(User.id.in_(cohost_ids)))) if cohost_ids else []
    for cohost in cohosts:
        if not any(g.role == "deputy" for g in cohost.grants):
            raise ServiceError(_l("Co-hosts must be maslikhat deputies."), field="cohost_ids")
    invited = list(db.session.scalars(select(User).where(User.id.in_(invited_ids)))) if invited_ids else []
    for person in invited:
        if not any(g.role == "akimat" for g in person.grants):
            raise ServiceError(_l("Invited officials must be akimat officials."), field="invited_ids")
    meeting.kind, meeting.venue = kind, (venue or "").strip() or None
    host_ids = [meeting.host_id or actor.id, *[c.id for c in cohosts]]
    clash = clashes(meeting, starts_at, ends_at, host_ids)
    if clash:
        other = clash[0]
        raise ServiceError(_l("This time clashes with «%(title)s» (%(when)s) of the same deputy or venue.",
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
                raise ServiceError(_l("Agenda proposals must belong to the meeting's area."), field="agenda")
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



def schedule(actor: User, **details) -> Meeting:
    """A new meeting hosted by ``actor`` (the details as :func:`save_meeting` takes them)."""
    return save_meeting(Meeting(), actor, **details)

def cancel(meeting: Meeting, actor: User, reason: str) -> None:
    if not is_host(actor, meeting):
        raise ServiceError(_l("Only the meeting's hosts can cancel it."))
    if meeting.is_cancelled:
        raise ServiceError(_l("This meeting is already cancelled."))
    if len(reason.strip()) < 5:
        raise ServiceError(_l("Give the reason for cancelling (at least 5 characters)."), field="reason")
    check_length(reason.strip(), "reason")
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
        raise ServiceError(_l("This meeting is cancelled."))
    if now >= meeting.starts_at:
        raise ServiceError(_l("Registration closed when the meeting started."))
    existing = next((r for r in meeting.registrations if r.user_id == user.id), None)
    if existing is not None and existing.status != "cancelled":
        raise ServiceError(_l("You are already registered for this meeting."))
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
        raise ServiceError(_l("You are not registered for this meeting."))
    if (now or utcnow()) >= meeting.starts_at:
        raise ServiceError(_l("The meeting has started; registrations cannot change now."))
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


# --- what fits, what may be discussed ------------------------------------------------------------

# The longest text each part of the minutes (and a correction or a cancellation reason) may hold;
# the columns' CHECKs say the same.
TEXT_LIMITS = {"summary": 20_000, "note": 2000, "title": 200, "description": 10_000, "what": 1000,
               "text": 3000, "reason": 1000}


def check_length(text: str | None, part: str) -> None:
    problem = too_long(text, TEXT_LIMITS[part])
    if problem:
        raise ServiceError(problem, field=part)


def is_discussable(proposal: Proposal) -> bool:
    return proposal.status in DISCUSSABLE and not proposal.is_hidden


def discussable_proposals(area: Area) -> list[Proposal]:
    """Proposals a meeting in ``area`` may put on its agenda: those of the area and the areas
    containing it (an okrug meeting discusses its district's proposals)."""
    ids = set(area.ancestor_ids)
    query = select(Proposal).where(Proposal.status.in_(DISCUSSABLE), Proposal.hidden_at.is_(None),
                                   or_(Proposal.area_id.in_(ids), Proposal.area_id.in_(area.subtree_select())))
    return list(db.session.scalars(query.order_by(Proposal.support_count.desc(), Proposal.id).limit(200)))


# --- listings ----------------------------------------------------------------------------------

def meetings_in(area: Area | None, *, deputy_id: int | None = None, upcoming: bool = True,
                now: datetime | None = None, limit: int = 50) -> list[Meeting]:
    now = now or utcnow()
    query = select(Meeting)
    if area is not None:
        query = query.where(Meeting.area_id.in_(area.subtree_select()))
    if deputy_id:
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


def overdue_in_area(area: Area, today: date | None = None) -> list[ActionItem]:
    """Open action items past due from meetings in ``area`` (public, for the area dashboard)."""
    return list(db.session.scalars(
        select(ActionItem).join(Meeting).where(ActionItem.status == "open", ActionItem.due_on < (today or clock.today()),
                                               Meeting.area_id.in_(area.subtree_select()))
        .options(joinedload(ActionItem.owner), joinedload(ActionItem.meeting)).order_by(ActionItem.due_on)))


def registrations_of(user: User) -> list[Registration]:
    """The user's meeting registrations, newest meeting first (for "my participation")."""
    return list(db.session.scalars(
        select(Registration).join(Meeting).where(Registration.user_id == user.id, Registration.status != "cancelled")
        .options(joinedload(Registration.meeting)).order_by(Meeting.starts_at.desc())))


def people_with_role(role: str) -> list[User]:
    """Everyone granted ``role`` anywhere, by name (the co-host, invitee and owner choices)."""
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == role)))
        .order_by(User.full_name)))


def possible_owners(meeting: Meeting) -> list[User]:
    """Who may own an action item of ``meeting``: the akimat officials and deputies whose area is
    the meeting's, contains it or lies inside it — never an official of another city or okrug."""
    in_line = or_(RoleGrant.area_id.in_(meeting.area.ancestor_ids), RoleGrant.area_id.in_(meeting.area.subtree_select()))
    grants = select(RoleGrant.user_id).where(RoleGrant.role.in_(("akimat", "deputy")), in_line)
    return list(db.session.scalars(select(User).where(User.id.in_(grants)).order_by(User.full_name)))


def open_items_of(person: User) -> list[ActionItem]:
    """The action items a person still owes, soonest due first (their deputy page)."""
    return list(db.session.scalars(select(ActionItem).where(ActionItem.owner_id == person.id,
                                                            ActionItem.status == "open").order_by(ActionItem.due_on)))


def meetings_of_area(area: Area) -> list[Meeting]:
    """Every meeting in ``area`` and the areas inside it, in time order (its calendar feed)."""
    return list(db.session.scalars(select(Meeting).where(Meeting.area_id.in_(area.subtree_select()))
                                   .order_by(Meeting.starts_at)))


def budgets_open_at(meeting: Meeting) -> list[Budget]:
    """Budgets a proposal raised at ``meeting`` may go to: those of its area and the areas around
    it whose process takes proposals now."""
    return [b for b in db.session.scalars(select(Budget).where(Budget.area_id.in_(meeting.area.ancestor_ids)))
            if b.process.is_in_phase(PhaseKind.PROPOSALS)]
