"""Demo town halls: a past meeting whose published minutes changed demo proposals, and upcoming
meetings with registrations and a waitlist. Idempotent; goes through meetings.services."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.core import clock
from app.core.clock import almaty_moment
from app.extensions import db
from app.models import Area, Process, Proposal, ProposalStatus, User
from meetings import minutes, services
from meetings.models import Meeting


def _at(day: date, hour: int) -> datetime:
    return almaty_moment(day, time(hour))


def load_demo_meetings(users: dict[str, User], areas: dict[str, Area], processes: dict[str, Process]) -> int:
    deputy = users["deputy@qatysu.kz"]
    if db.session.scalar(select(Meeting.id).where(Meeting.host_id == deputy.id).limit(1)):
        return 0
    okrug = areas["Esil district / okrug 7"]
    esil = areas["Esil district"]
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.area_id == esil.id, Proposal.process_id == processes["open"].id,
                               Proposal.status.in_([ProposalStatus.SUBMITTED.value, ProposalStatus.FEASIBLE.value]))
        .order_by(Proposal.support_count.desc(), Proposal.id).limit(3)))
    residents = list(db.session.scalars(select(User).where(User.home_area_id.in_(esil.subtree_select()),
                                                           User.email.like("resident.%"))))
    today = clock.today()
    # A past meeting: scheduled before it happened, then its minutes published.
    past_day = today - timedelta(days=6)
    past = services.save_meeting(
        Meeting(), deputy, area=okrug, title="№ 7 округ тұрғындарымен кездесу / Встреча с жителями округа № 7",
        description="Ауладағы жобаларды талқылау. Обсуждение дворовых проектов.", kind="in_person",
        venue="№ 54 мектеп, мәжіліс залы", address="Қабанбай батыр даңғылы, 40", online_link=None,
        starts_at=_at(past_day, 18), ends_at=_at(past_day, 20), capacity=80, cohost_ids=[],
        invited_ids=[users["akimat@qatysu.kz"].id], agenda=[(p.id, None) for p in proposals[:2]] +
        [(None, "Қыста қар тазалау / Уборка снега зимой")], now=_at(past_day, 18) - timedelta(days=10))
    for person in residents[:6]:
        services.register(person, past, now=past.starts_at - timedelta(days=2))
    decisions = {}
    for item in past.agenda:
        if item.proposal_id == proposals[0].id:
            decisions[item.id] = {"decision": "amended", "cost": max(1_000_000, int(proposals[0].cost * 0.85)),
                                  "note": "Жоба кішірейтілді, орны сол / Уменьшить площадь, место то же"}
        elif item.proposal_id:
            decisions[item.id] = {"decision": "endorsed", "note": "Тұрғындар бірауыздан қолдады / Жители поддержали единогласно"}
        else:
            decisions[item.id] = {"note": "Әкімдікке хат жіберіледі / Направить письмо в акимат"}
    minutes.save_minutes(
        past, deputy, attendance_count=47, attended_user_ids=[p.id for p in residents[:4]],
        summary="Кездесуге 47 тұрғын келді. **Шешімдер** төменде. / Пришли 47 жителей, решения ниже.",
        decisions=decisions,
        action_items=[{"what": "Аулаға геодезиялық түсірілім жасау / Провести геодезическую съёмку двора",
                       "owner_id": users["akimat@qatysu.kz"].id, "due_on": today - timedelta(days=1)},
                      {"what": "Қар тазалау кестесін жариялау / Опубликовать график уборки снега",
                       "owner_id": deputy.id, "due_on": today + timedelta(days=20)}])
    minutes.publish_minutes(past, deputy)
    # Upcoming: small hall, so a waitlist forms.
    soon = services.save_meeting(
        Meeting(), deputy, area=okrug, title="Есеп беру кездесуі / Отчётная встреча депутата",
        description="Депутаттың жарты жылдық есебі. Полугодовой отчёт депутата.", kind="hybrid",
        venue="Есіл ауданы әкімдігі, 2-қабат", address="Мәңгілік Ел даңғылы, 8",
        online_link="https://meet.example.kz/okrug7", starts_at=_at(today + timedelta(days=5), 19),
        ends_at=_at(today + timedelta(days=5), 21), capacity=4, cohost_ids=[], invited_ids=[],
        agenda=[(proposals[2].id, None)] if len(proposals) > 2 else [])
    for person in [users["resident@qatysu.kz"], *residents[4:9]]:
        services.register(person, soon)
    return 2
