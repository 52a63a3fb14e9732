"""The one clock: "today" is Almaty's date (the server may run in UTC), "now" is aware UTC.

Nothing else in app/ or meetings/ asks the system for the date or time (a test greps for
``date.today()``, ``datetime.now(`` and ``datetime.utcnow``): a server in UTC would otherwise
start Almaty's day five hours late."""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Almaty."""
    return datetime.now(ALMATY).date()


def local_date(moment: datetime) -> date:
    """The Almaty date of an aware moment."""
    return moment.astimezone(ALMATY).date()


def local_time(moment: datetime) -> datetime:
    """An aware moment as Almaty's wall-clock time."""
    return moment.astimezone(ALMATY)


def almaty_moment(day: date, at: time = time(0)) -> datetime:
    """``at`` o'clock in Almaty on ``day``, as aware UTC (midnight by default)."""
    return datetime.combine(day, at, tzinfo=ALMATY).astimezone(UTC)
