"""Forms shared across blueprints."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Email, InputRequired


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
