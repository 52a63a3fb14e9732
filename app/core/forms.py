"""Forms shared across blueprints, and the limits every form states: text lengths, ids, dates."""
import re
from datetime import date

from babel.numbers import get_group_symbol
from flask import request
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from app.core.errors import ServiceError
from app.core.i18n import money


class CSRFOnlyForm(FlaskForm):
    """No fields: a POST button (log out, language, revoke, ...) that carries the CSRF token."""

# Validators with messages from our own catalogs: WTForms ships no Kazakh translation.
REQUIRED = DataRequired(message=_l("Please fill in this field."))
VALID_EMAIL = Email(check_deliverability=False, message=_l("Enter a valid email address, like name@example.kz."))
# For number fields: unlike DataRequired it keeps the "not a valid number" message from parsing.
NUMBER_REQUIRED = InputRequired(message=_l("Please fill in this field."))


MAX_ROW_ID = 2**31 - 1  # ids are 32-bit integers in the database (see app.DatabaseId)


def row_id(value) -> int:
    """``value`` as a row id to look up, or 0 (found nowhere) when it cannot be one: a number a
    visitor typed may be larger than the database's integers, which would be a server error."""
    return value if isinstance(value, int) and 0 < value <= MAX_ROW_ID else 0


MAX_PAGE = 10_000


def page_arg(name: str = "page") -> int:
    """A page number from the query string, from 1 to MAX_PAGE: a huge one would overflow the
    database's OFFSET (a server error) and no list here has that many pages."""
    return min(max(1, request.args.get(name, 1, type=int)), MAX_PAGE)


def whole_number(text: str | None, *, max_digits: int = 15) -> int | None:
    """The ASCII whole number in ``text``, or None. (str.isdigit accepts '²' and other digits
    that int() refuses, which would turn a typo into a server error.)"""
    text = (text or "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


# --- limits every form states --------------------------------------------------------------------

class TextLength(Length):
    """WTForms' Length with messages that say the limit and how long the text is, in our
    catalogs. Its ``maxlength`` flag also gives the input its maxlength attribute and the form-field
    macro its "up to N characters" hint, so the form states the limit the database checks."""

    def __init__(self, min: int = -1, max: int = -1):  # noqa: A002 (WTForms' own names)
        super().__init__(min=min, max=max)

    def __call__(self, form, field):
        length = len(field.data or "")
        if self.max != -1 and length > self.max:
            raise ValidationError(too_long_message(self.max, length))
        if self.min != -1 and length < self.min:
            raise ValidationError(_("At least %(min)s characters, please.", min=format_decimal(self.min)))


def too_long_message(limit: int, length: int) -> str:
    return _("Up to %(max)s characters, please: this text has %(length)s.", max=format_decimal(limit),
             length=format_decimal(length))


def too_long(text: str | None, limit: int) -> str | None:
    """For services and hand-written forms: the message when ``text`` is over ``limit``, else None."""
    length = len(text or "")
    return too_long_message(limit, length) if length > limit else None


def row_ids(form, field):
    """Validator for a list of ids (SelectMultipleField): each must be able to name a row, so that
    a number beyond the database's integers is refused here instead of failing in a query."""
    if not all(row_id(value) for value in field.data or []):
        raise ValidationError(_("One of the chosen entries does not exist. Reload the page and choose again."))


# Every date a form takes lies in these years: processes run from 2000 to 2100 (Process.year), and
# a date outside them (0001-01-01, 9999-12-31) would overflow the conversions to UTC.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def date_range_message() -> str:
    return _("Enter a date from %(first)s to %(last)s.", first=format_date(FIRST_DAY, "long"),
             last=format_date(LAST_DAY, "long"))


def day_in_range(form, field):
    """Validator for a DateField: from FIRST_DAY to LAST_DAY."""
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(date_range_message())


day_in_range.field_flags = {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}


def parse_day(text: str | None) -> date | None:
    """An ISO date from a hand-written form, or None when it is not one or lies outside the range."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


# --- money ---------------------------------------------------------------------------------------

# The spaces that group thousands: the plain one people type, and the no-break and narrow no-break
# (and thin) spaces Babel writes in "4 900 000 ₸", which a copy from a page brings along.
GROUP_SPACES = " \u00a0\u202f\u2009"
MAX_MONEY_DIGITS = 15  # budgets go up to 10**14 tenge; BigInteger holds far more


def parse_tenge(text: str | None, *, group: str | None = None) -> int | None:
    """A whole amount of tenge as the app writes it, or None when ``text`` is not one.

    Taken: ``4900000``, ``4 900 000`` (thousands grouped by any of GROUP_SPACES, or by ``group``,
    the grouping sign of the reader's language, as in English ``4,900,000``), and either with
    ``₸`` after it. Refused: fractions, signs, words, digits of other scripts, a grouping that is
    not by thousands (``49 00 000`` is more likely a typo than a number)."""
    text = (text or "").strip().removesuffix("₸").strip()
    seps = GROUP_SPACES + (group if group and not group.isalnum() and group not in ".-+" else "")
    grouped = "[" + re.escape(seps) + "]"
    if not re.fullmatch(rf"[0-9]{{1,3}}(?:{grouped}[0-9]{{3}})+|[0-9]+", text):
        return None
    digits = re.sub(grouped, "", text)
    return int(digits) if len(digits) <= MAX_MONEY_DIGITS else None


def _reader_group() -> str | None:
    try:
        return get_group_symbol(get_locale() or "kk")
    except Exception:  # outside a request (a command): spaces only
        return None


def money_message() -> str:
    return _("Enter the amount in whole tenge, like %(example)s.", example=money(4_900_000))


def read_money(text: str | None, field: str) -> int | None:
    """For hand-written forms: the amount in ``text``, None when it is empty; anything else is
    refused with a message under ``field`` (never dropped while the page says "saved")."""
    if not (text or "").strip():
        return None
    amount = parse_tenge(text, group=_reader_group())
    if amount is None:
        raise ServiceError(money_message(), field=field)
    return amount


class MoneyField(IntegerField):
    """A tenge amount, in every form that takes one: :func:`parse_tenge`'s formats, and its
    message under the field for anything else. What was typed stays in the field when refused."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        if not valuelist[0].strip():
            self.data = None  # InputRequired or Optional says what an empty field means
            return
        self.data = parse_tenge(valuelist[0], group=_reader_group())
        if self.data is None:
            raise ValueError(money_message())
