"""Language choice and the formatting of money and times."""
from datetime import date, datetime

from babel.numbers import format_decimal, format_percent
from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_time, get_locale, to_user_timezone
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from app.core.clock import today

# Flask-Babel marks a lazy string as safe HTML (its __html__ returns the text unescaped), so a
# message made with _l("%(budget)s has no proposals yet.", budget=...) around a name someone typed
# would reach the page as live markup. None of our messages holds markup: escape them like any text.
LazyString.__html__ = lambda self: escape(str(self))


def select_locale() -> str:
    """The API's ?lang=, the user's saved choice, then this browser's choice, then the browser's
    languages; Kazakh when nothing matches."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a background thread: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages and request.path.startswith("/api/"):  # open data: this request only
        return asked
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


# Two styles only, used everywhere: short ("6 жел. 2026 ж., 19:00") for lists and meta lines,
# long ("2026 жылғы 6 желтоқсан, 19:00") where the moment is the point. Never seconds.
DATE_STYLES = {"short": "medium", "medium": "medium", "long": "long", "full": "long"}


def local_datetime(value: datetime | None, fmt: str = "short") -> str:
    """A UTC time shown in Asia/Almaty: the day in the short or long style, then hours:minutes."""
    if value is None:
        return ""
    return f"{local_date(value, fmt)}, {local_time(value)}"


def local_time(value: datetime | None) -> str:
    """Hours and minutes of a UTC time in Asia/Almaty ("19:00")."""
    if value is None:
        return ""
    return format_time(value, "HH:mm")


def local_date(value: datetime | date | None, fmt: str = "short") -> str:
    """The Almaty calendar day of a UTC time (a date is shown as it is), short or long style."""
    if value is None:
        return ""
    style = DATE_STYLES.get(fmt, "medium")
    if not isinstance(value, datetime):
        return format_date(value, style)
    return format_date(to_user_timezone(value).date(), style)


def percent(value: float | None, digits: int = 0) -> str:
    """A share (0.969) as the locale writes it: "97 %", or "96,9 %" with ``digits=1``."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\xa0%"
    return format_percent(value, pattern, locale=get_locale() or "kk")


# "until 30 December": Kazakh puts the month in the dative ("30 желтоқсанға дейін") and Russian
# in the genitive, so each month is a whole phrase of its own in the catalogs.
UNTIL = {
    1: (_l("until %(day)s January"), _l("until %(day)s January %(year)s")),
    2: (_l("until %(day)s February"), _l("until %(day)s February %(year)s")),
    3: (_l("until %(day)s March"), _l("until %(day)s March %(year)s")),
    4: (_l("until %(day)s April"), _l("until %(day)s April %(year)s")),
    5: (_l("until %(day)s May"), _l("until %(day)s May %(year)s")),
    6: (_l("until %(day)s June"), _l("until %(day)s June %(year)s")),
    7: (_l("until %(day)s July"), _l("until %(day)s July %(year)s")),
    8: (_l("until %(day)s August"), _l("until %(day)s August %(year)s")),
    9: (_l("until %(day)s September"), _l("until %(day)s September %(year)s")),
    10: (_l("until %(day)s October"), _l("until %(day)s October %(year)s")),
    11: (_l("until %(day)s November"), _l("until %(day)s November %(year)s")),
    12: (_l("until %(day)s December"), _l("until %(day)s December %(year)s")),
}


def until(value: datetime | date | None) -> str:
    """"until 30 December" in the reader's language (the year said only when it is not this one)."""
    if value is None:
        return ""
    day = to_user_timezone(value).date() if isinstance(value, datetime) else value
    this_year, with_year = UNTIL[day.month]
    phrase = this_year if day.year == today().year else with_year
    return str(phrase) % {"day": day.day, "year": day.year}
