"""The implementation page's hand-written forms (a report, a milestone, a milestone done), read
into what the services take. A date that is not one is refused here, with its field."""
from flask_babel import lazy_gettext as _l

from app.core.clock import today
from app.core.errors import ServiceError
from app.core.forms import date_range_message, parse_day, read_money, whole_number


def _int(values, name: str) -> int | None:
    value = values.get(name, "").strip()
    number = whole_number(value.removeprefix("-"))
    return None if number is None else (-number if value.startswith("-") else number)


def _day(values, name: str):
    """The date in field ``name``, None when it is empty; a date that is not one or lies outside
    the years a process may have (0001-01-01, 9999-12-31) is refused with a message."""
    given = values.get(name, "").strip()
    day = parse_day(given)
    if given and day is None:
        raise ServiceError(date_range_message(), field=name)
    return day


def read_report(values, files=None) -> dict:
    return {"status": values.get("status", ""), "progress": _int(values, "progress"),
            "spent": read_money(values.get("spent"), "spent"), "note": values.get("note", ""),
            "photo": files.get("photo") if files else None}


def read_correction(values) -> dict:
    return {"progress": _int(values, "progress"), "spent": read_money(values.get("spent"), "spent"),
            "reason": values.get("reason", "")}


def read_milestone(values) -> dict:
    starts, planned = _day(values, "starts_on"), _day(values, "planned_on")
    title = values.get("title", "")
    if not title.strip() or starts is None or planned is None:
        raise ServiceError(_l("Give the milestone a title, a start date and a due date."), field="milestone")
    return {"title": title, "starts_on": starts, "planned_on": planned}


def read_done_on(values):
    """The day a milestone was done: today (in Almaty) when the field is left empty."""
    return _day(values, "done_on") or today()


def read_procurement(values) -> dict:
    return {"procurement_lot": values.get("procurement_lot", ""), "contractor_bin": values.get("contractor_bin", ""),
            "contract_amount": read_money(values.get("contract_amount"), "contract_amount"),
            "contract_signed_on": _day(values, "contract_signed_on")}
