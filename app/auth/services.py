"""Registration, authentication and password reset rules."""
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import invitations, lockout, sessions
from app.core import clock
from app.core.errors import ServiceError
from app.extensions import db
from app.identity.iin import IIN
from app.identity.verification import PROVIDERS
from app.models import Area, User
from app.notifications.mail import queue_email

RESIDENCE_KINDS = ("district", "rural", "okrug")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def register_user(
    *, full_name: str, email: str, iin: IIN, password: str, home_area_id: int,
    phone: str | None = None, locale: str = "kk", today: date | None = None,
) -> User:
    """Create a verified resident account, or refuse (a :class:`ServiceError` naming every field that is
    wrong) and store nothing."""
    email = normalize_email(email)
    errors: dict[str, str] = {}
    min_age = current_app.config["MIN_REGISTRATION_AGE"]
    age = iin.age_on(today or clock.today())
    if age < min_age:
        errors["iin"] = _l(
            "Qatysu accounts are for residents aged %(min)s and over; this IIN gives an age of %(age)s.",
            min=min_age, age=age,
        )
    if db.session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = _l("An account with this email already exists. Log in or reset the password.")
    if db.session.scalar(select(User.id).where(User.iin == iin.value)):
        errors["iin"] = _l("An account with this IIN already exists. Each person registers once.")
    area = db.session.get(Area, home_area_id)
    if area is None or area.kind not in RESIDENCE_KINDS:
        errors["home_area"] = _l("Choose the district or okrug where you live.")
    if errors:
        raise ServiceError.several(errors.items())

    verification = PROVIDERS["iin-declared"].verify(iin, home_area_id)
    user = User(
        full_name=full_name.strip(), email=email, iin=iin.value, phone=phone or None,
        home_area_id=home_area_id, locale=locale,
        verified_at=verification.verified_at if verification else None,
        verification_method=verification.method if verification else None,
    )
    user.set_password(password)
    db.session.add(user)
    try:
        invitations.accept(user)  # roles an administrator offered to this email
        db.session.commit()
    except IntegrityError:
        # Two registrations raced past the checks above; the unique constraints decided.
        db.session.rollback()
        raise ServiceError(_l("An account with this email or IIN already exists."), field="email") from None
    return user




def _locked_message(minutes: int):
    return _ln(
        "Too many wrong passwords for this account. Try again in %(num)s minute, or reset the password "
        "to unlock it now.",
        "Too many wrong passwords for this account. Try again in %(num)s minutes, or reset the password "
        "to unlock it now.",
        minutes,
    )


def authenticate(email: str, password: str) -> User:
    """The active user with these credentials, or a :class:`ServiceError` (on the password field)
    that says why without telling whether the email has an account. Every failure gets the same
    answer; wrong passwords count towards a lockout of the email (known or not)."""
    email = normalize_email(email)
    minutes = lockout.minutes_locked(email)
    if minutes:
        raise ServiceError(_locked_message(minutes), field="password")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.check_password(password) or not user.is_active:
        left = lockout.record_failure(email)
        if left == 0:
            raise ServiceError(_locked_message(lockout.minutes_locked(email)), field="password")
        if left <= 2:
            raise ServiceError(_ln(
                "Wrong email or password. One more wrong attempt locks this account for a while.",
                "Wrong email or password. %(num)s more wrong attempts lock this account for a while.",
                left,
            ), field="password")
        raise ServiceError(_l("Wrong email or password."), field="password")
    lockout.clear(email)
    if invitations.accept(user):  # roles offered to this email since the person registered
        db.session.commit()
    return user


def may_propose(user: User, today: date | None = None) -> bool:
    return user.age_on(today or clock.today()) >= current_app.config["MIN_PROPOSER_AGE"]


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    # Part of the current hash goes into the token, so it stops working once used.
    return _reset_serializer().dumps({"uid": user.id, "h": user.password_hash[-12:]})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.password_hash[-12:] != data.get("h"):
        return None
    return user


def request_password_reset(email: str, reset_url_for) -> None:
    """Queue a reset email if the account exists. The page says the same either way, so it
    cannot be used to find out who is registered."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.is_active:
        return
    link = reset_url_for(make_reset_token(user))
    queue_email(
        user.email,
        _l("Qatysu: reset your password"),
        _l(
            "Someone asked to reset the password of your Qatysu account. If it was you, open this "
            "link within an hour:\n\n%(link)s\n\nIf it was not you, ignore this email.",
            link=link,
        ),
        locale=user.locale,
    )
    db.session.commit()


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if ``current`` is right. Every other session of the account ends (whoever
    knew the old password is logged out); the one making the change goes on."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    sessions.end_other_sessions(user)
    db.session.commit()
    return True


def reset_password(user: User, new: str) -> None:
    """The emailed link was used: set the password, end every session of the account (the
    person may be locked out of their own account by someone else's session) and the lockout."""
    user.set_password(new)
    sessions.end_all_sessions(user)
    db.session.commit()
    lockout.clear(user.email)  # the owner proved it is theirs: the lock has done its job


def log_out_everywhere(user: User) -> None:
    """"Log out everywhere": every session of the account ends, this one too."""
    sessions.end_all_sessions(user)
    db.session.commit()
    sessions.log_out(user)


def save_profile(user: User, *, full_name: str, phone: str | None, home_area_id: int, locale: str) -> bool:
    """Save the profile page's changes; returns whether the home area moved (a roll fixed for an
    open vote keeps the voter where it put them, and the page says so)."""
    moved = user.home_area_id != home_area_id
    user.full_name, user.phone = full_name.strip(), phone or None
    user.home_area_id, user.locale = home_area_id, locale
    db.session.commit()
    return moved


def set_locale(user: User, locale: str) -> None:
    """Remember a logged-in person's language choice with their account."""
    user.locale = locale
    db.session.commit()
