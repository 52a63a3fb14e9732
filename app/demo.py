"""Demo data: Astana, one user per role, an open process and a finished one.

Idempotent: every object is looked up by a natural key before it is created, so running it
twice changes nothing. Later features add their demo content through ``load_demo_data``.
"""
from datetime import date, timedelta

from sqlalchemy import select

from app.admin.services import set_phase_dates
from app.core import clock
from app.core.areas import save_area
from app.core.clock import utcnow
from app.extensions import db
from app.identity.iin import make_iin
from app.models import PHASE_ORDER, Area, Budget, Process, RoleGrant, User, mci_for_year
from app.proposals.services import ensure_default_categories

DEMO_PASSWORD = "qatysu-demo"

ASTANA_DISTRICTS = [
    # (kk, ru, en)
    ("Алматы ауданы", "район Алматы", "Almaty district"),
    ("Байқоңыр ауданы", "район Байконур", "Baikonur district"),
    ("Есіл ауданы", "район Есиль", "Esil district"),
    ("Нұра ауданы", "район Нура", "Nura district"),
    ("Сарыарқа ауданы", "район Сарыарка", "Saryarka district"),
]
OKRUGS_PER_DISTRICT = 3

# email, full name, role (None: resident only), where the role is held, birth date, sex
DEMO_USERS = [
    ("admin@qatysu.kz", "Айгерім Сапарова", "admin", None, date(1985, 3, 14), "female"),
    ("akimat@qatysu.kz", "Ерлан Жақсылықов", "akimat", "Astana", date(1979, 7, 2), "male"),
    ("deputy@qatysu.kz", "Гүлнар Оспанова", "deputy", "Esil district / okrug 7", date(1974, 11, 23), "female"),
    ("expert@qatysu.kz", "Сергей Ким", "expert", "Astana", date(1981, 5, 30), "male"),
    ("moderator@qatysu.kz", "Дана Әбілқасымова", "moderator", "Astana", date(1992, 1, 9), "female"),
    ("resident@qatysu.kz", "Нұрлан Бекенов", None, "Esil district / okrug 7", date(1990, 9, 17), "male"),
    ("resident2@qatysu.kz", "Ольга Петренко", None, "Almaty district / okrug 1", date(1966, 4, 4), "female"),
]


def _area(parent: Area | None, kind: str, kk: str, ru: str, en: str, kato: str | None = None) -> Area:
    existing = db.session.scalar(
        select(Area).where(Area.name_en == en, Area.parent_id == (parent.id if parent else None))
        if parent else select(Area).where(Area.name_en == en, Area.parent_id.is_(None))
    )
    if existing:
        return existing
    return save_area(Area(parent_id=parent.id if parent else None, kind=kind, kato=kato,
                          name_kk=kk, name_ru=ru, name_en=en))


def load_areas() -> dict[str, Area]:
    """Astana, its five districts and three maslikhat okrugs in each."""
    astana = _area(None, "city", "Астана қаласы", "город Астана", "Astana", kato="710000000")
    areas = {"Astana": astana}
    okrug_number = 1
    for kk, ru, en in ASTANA_DISTRICTS:
        district = _area(astana, "district", kk, ru, en)
        areas[en] = district
        for _ in range(OKRUGS_PER_DISTRICT):
            n = okrug_number
            okrug = _area(district, "okrug", f"№ {n} сайлау округі", f"избирательный округ № {n}",
                          f"Okrug No. {n}")
            areas[f"{en} / okrug {n}"] = okrug
            okrug_number += 1
    return areas


def load_users(areas: dict[str, Area]) -> dict[str, User]:
    users = {}
    for serial, (email, name, role, where, born, sex) in enumerate(DEMO_USERS, start=1):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            home = areas[where] if where and "okrug" in where else areas["Esil district / okrug 7"]
            user = User(email=email, full_name=name, iin=make_iin(born, sex, 1000 + serial * 7),
                        home_area=home, locale="kk", verification_method="iin-declared",
                        verified_at=utcnow())
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.flush()
            if role:
                db.session.add(RoleGrant(user=user, role=role, area=areas[where] if where else None))
        users[email] = user
    return users


def _process(area: Area, year: int, titles: tuple[str, str, str], first_day: date,
             lengths: list[int], amount: int) -> Process:
    process = db.session.scalar(
        select(Process).where(Process.area_id == area.id, Process.year == year, Process.title_en == titles[2])
    )
    if process:
        return process
    process = Process(area=area, year=year, title_kk=titles[0], title_ru=titles[1], title_en=titles[2],
                      description="")
    days, start = {}, first_day
    for kind, length in zip(PHASE_ORDER, lengths):
        days[kind] = (start, start + timedelta(days=length - 1))
        start += timedelta(days=length)
    set_phase_dates(process, days)
    ensure_default_categories(process)
    db.session.add(process)
    db.session.flush()
    for kk, ru, en in ASTANA_DISTRICTS:
        district = db.session.scalar(select(Area).where(Area.name_en == en, Area.parent_id == area.id))
        db.session.add(Budget(process=process, area=district, name_kk=kk, name_ru=ru, name_en=en,
                              amount=amount, project_limit_mci=5_000, project_limit_fixed=5_000 * mci_for_year(year)))
    return process


def load_processes(areas: dict[str, Area], today: date) -> dict[str, Process]:
    astana = areas["Astana"]
    open_process = _process(
        astana, today.year + 1 if today.month >= 11 else today.year,
        ("Астана қаласының халық қатысатын бюджеті", "Бюджет народного участия города Астаны",
         "Astana participatory budget"),
        today - timedelta(days=10), [40, 30, 21, 14, 300], amount=100_000_000,
    )
    finished = _process(
        astana, today.year - 1,
        ("Астана қаласының халық қатысатын бюджеті (өткен кезең)",
         "Бюджет народного участия города Астаны (прошлый цикл)",
         "Astana participatory budget (previous cycle)"),
        today - timedelta(days=400), [30, 30, 14, 14, 270], amount=30_000_000,
    )
    return {"open": open_process, "finished": finished}


def load_demo_data(today: date | None = None) -> dict:
    """Create (or find) all demo objects and commit."""
    areas = load_areas()
    users = load_users(areas)
    processes = load_processes(areas, today or clock.today())
    db.session.commit()
    from app.demo_proposals import load_demo_proposals
    from app.demo_results import load_demo_results

    proposals = load_demo_proposals(users, areas, processes)
    ballots = load_demo_results(users, areas, processes)
    from app.demo_meetings import load_demo_meetings

    meetings = load_demo_meetings(users, areas, processes)
    return {"areas": areas, "users": users, "processes": processes, "proposals": proposals, "ballots": ballots,
            "meetings": meetings}
