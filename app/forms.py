"""Forms shared across blueprints."""
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


def whole_number(text: str | None, *, max_digits: int = 15) -> int | None:
    """The ASCII whole number in ``text``, or None. (str.isdigit accepts '²' and other digits
    that int() refuses, which would turn a typo into a server error.)"""
    text = (text or "").strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def query_number(name: str, default: int | None = None) -> int | None:
    """A whole-number query parameter (an id, a page) that fits the database's integers; anything
    else — '²', '-1', 10^20 — counts as absent rather than reaching a query and failing there."""
    from flask import request

    number = whole_number(request.args.get(name), max_digits=9)
    return default if number is None else number
