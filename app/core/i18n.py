"""Language choice and the formatting of money and times."""
from datetime import date, datetime

from babel.numbers import format_decimal
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone
from flask_login import current_user


def select_locale() -> str:
    """The user's saved choice, then this browser's choice, then the browser's languages;
    Kazakh when nothing matches."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a background thread: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def locale_code() -> str:
    """'kk', 'ru' or 'en' for this request. (str(Locale) is slow, and pages ask hundreds of times.)"""
    locale = get_locale()
    return locale.language if locale is not None else "kk"


def money(amount: int | None) -> str:
    """Integer tenge grouped the local way: '1 234 567 ₸'."""
    if amount is None:
        return "—"
    return f"{format_decimal(amount, format='#,##0', locale=get_locale() or 'kk')} ₸"


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC time shown in Asia/Almaty (Flask-Babel converts with BABEL_DEFAULT_TIMEZONE)."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def local_date(value: datetime | date | None, fmt: str = "medium") -> str:
    """The Almaty calendar day of a UTC time (a date is shown as it is)."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return format_date(value, fmt)
    return format_date(to_user_timezone(value).date(), fmt)
