"""The one clock: "today" is Almaty's date (the server may run in UTC), "now" is aware UTC."""
from datetime import UTC, date, datetime
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
