"""Demo town halls: a past meeting whose published minutes changed demo proposals, and an
upcoming one with registrations and a waitlist. Idempotent; reaches the meetings component only
through what it exports (``meetings.schedule``, ``register``, ``save_minutes``, ...)."""
from datetime import date, time, timedelta

from sqlalchemy import select

import meetings
from app.core import clock
from app.core.clock import almaty_moment
from app.demo.data import meetings as text
from app.extensions import db
from app.models import Area, Process, Proposal, ProposalStatus, User


def _at(day: date, hour: int):
    return almaty_moment(day, time(hour))


def load_demo_meetings(users: dict[str, User], areas: dict[str, Area], processes: dict[str, Process]) -> int:
    deputy = users["deputy@qatysu.kz"]
    if meetings.meetings_in(None, deputy_id=deputy.id, upcoming=False) or \
            meetings.meetings_in(None, deputy_id=deputy.id, upcoming=True):
        return 0
    okrug, esil, akimat = areas["Esil district / okrug 7"], areas["Esil district"], users["akimat@qatysu.kz"]
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.area_id == esil.id, Proposal.process_id == processes["open"].id,
                               Proposal.status.in_([ProposalStatus.SUBMITTED.value, ProposalStatus.FEASIBLE.value]))
        .order_by(Proposal.support_count.desc(), Proposal.id).limit(3)))
    residents = list(db.session.scalars(select(User).where(User.home_area_id.in_(esil.subtree_select()),
                                                           User.email.like("resident.%"))))
    today = clock.today()
    # A past meeting: scheduled before it happened, then its minutes published.
    day = today - timedelta(days=text.PAST_DAYS_AGO)
    starts, ends = _at(day, text.PAST_HOURS[0]), _at(day, text.PAST_HOURS[1])
    past = meetings.schedule(
        deputy, area=okrug, **text.PAST, starts_at=starts, ends_at=ends, cohost_ids=[], invited_ids=[akimat.id],
        agenda=[(p.id, None) for p in proposals[:2]] + [(None, text.SNOW_ITEM)], now=starts - timedelta(days=10))
    for person in residents[:6]:
        meetings.register(person, past, now=past.starts_at - timedelta(days=2))
    decisions = {}
    for item in past.agenda:
        if item.proposal_id == proposals[0].id:
            decisions[item.id] = {"decision": "amended", "cost": max(1_000_000, int(proposals[0].cost * 0.85)),
                                  "note": text.AMENDED_NOTE}
        elif item.proposal_id:
            decisions[item.id] = {"decision": "endorsed", "note": text.ENDORSED_NOTE}
        else:
            decisions[item.id] = {"note": text.FREE_ITEM_NOTE}
    meetings.save_minutes(
        past, deputy, attendance_count=text.ATTENDANCE, attended_user_ids=[p.id for p in residents[:4]],
        summary=text.SUMMARY, decisions=decisions,
        action_items=[{"what": text.SURVEY, "owner_id": akimat.id, "due_on": today - timedelta(days=1)},
                      {"what": text.SNOW_SCHEDULE, "owner_id": deputy.id, "due_on": today + timedelta(days=20)}])
    meetings.publish_minutes(past, deputy)
    # Upcoming: a small hall, so a waitlist forms.
    day = today + timedelta(days=text.SOON_IN_DAYS)
    soon = meetings.schedule(
        deputy, area=okrug, **text.SOON, starts_at=_at(day, text.SOON_HOURS[0]), ends_at=_at(day, text.SOON_HOURS[1]),
        cohost_ids=[], invited_ids=[], agenda=[(proposals[2].id, None)] if len(proposals) > 2 else [])
    for person in [users["resident@qatysu.kz"], *residents[4:9]]:
        meetings.register(person, soon)
    return 2
