"""The demo's residents: sixty neighbours across the okrugs, drawn deterministically, created once
(looked up by email afterwards)."""
import random
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.core.clock import utcnow
from app.demo.data.city import DEMO_PASSWORD, DISTRICTS, OKRUGS_PER_DISTRICT
from app.demo.data.people import (
    KK_MEN,
    KK_SURNAMES,
    KK_WOMEN,
    RESIDENT_EMAIL,
    RESIDENTS,
    RU_MEN,
    RU_SURNAMES,
    RU_WOMEN,
)
from app.extensions import db
from app.identity.iin import make_iin
from app.models import Area, User


def _feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ин")):
        return surname + "а"
    return surname  # Ким, Пак, Шевченко, Гончаренко


def _resident_profile(rng: random.Random, n: int) -> tuple[str, str, str, date]:
    """(full name, sex, locale, birth date) for demo resident ``n``."""
    russian = rng.random() < 0.4
    female = rng.random() < 0.5
    if russian:
        first = rng.choice(RU_WOMEN if female else RU_MEN)
        last = rng.choice(RU_SURNAMES)
    else:
        first = rng.choice(KK_WOMEN if female else KK_MEN)
        last = rng.choice(KK_SURNAMES)
    if female:
        last = _feminine(last)
    born = date(1952, 1, 1) + timedelta(days=rng.randrange(0, 365 * 52))  # 22 to 74 years old
    return f"{first} {last}", ("female" if female else "male"), ("ru" if russian else "kk"), born


def _okrug_keys(district: str) -> list[str]:
    first = DISTRICTS.index(district) * OKRUGS_PER_DISTRICT + 1
    return [f"{district} / okrug {n}" for n in range(first, first + OKRUGS_PER_DISTRICT)]


def load_residents(rng: random.Random, areas: dict[str, Area]) -> dict[str, list[User]]:
    """The demo residents by district, created once (looked up by email afterwards)."""
    password_hash = generate_password_hash(DEMO_PASSWORD)  # once: hashing is slow on purpose
    okrugs = [key for district in DISTRICTS for key in _okrug_keys(district)]
    by_district: dict[str, list[User]] = {d: [] for d in DISTRICTS}
    for n in range(1, RESIDENTS + 1):
        name, sex, locale, born = _resident_profile(rng, n)  # drawn even when the user exists
        email = RESIDENT_EMAIL.format(n=n)
        home_key = okrugs[(n - 1) % len(okrugs)]
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, iin=make_iin(born, sex, 3000 + n * 100),
                        home_area=areas[home_key], locale=locale, password_hash=password_hash,
                        verification_method="iin-declared", verified_at=utcnow())
            db.session.add(user)
        by_district[home_key.split(" / ")[0]].append(user)
    db.session.flush()
    return by_district
