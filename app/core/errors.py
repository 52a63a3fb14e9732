"""The one refusal every service raises, and the one helper that shows it to the person.

A service that refuses raises :class:`ServiceError` with a message in words (a lazy string, so
it is rendered in the reader's language) and, when one form field is at fault, that field's name.
A route catches it and calls :func:`refuse`: nothing of the request is stored, and each message
appears under its field, or at the top of the page."""
from collections.abc import Iterable

from flask import flash
from wtforms import FormField

from app.extensions import db


class ServiceError(Exception):
    """A refused action: ``message`` for the person and optionally the form ``field`` it concerns.

    Most refusals say one thing. One that must say several at once — every rule a ballot breaks,
    every field of a registration that is wrong — is made with :meth:`several`; ``problems`` then
    holds each (field, message) pair, and ``message`` the first."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.problems: list[tuple[str | None, object]] = [(field, message)]

    @classmethod
    def several(cls, problems: Iterable[tuple[str | None, object]]) -> "ServiceError":
        problems = list(problems)
        if not problems:
            raise ValueError("a refusal says at least one thing")
        error = cls(problems[0][1], problems[0][0])
        error.problems = problems
        return error

    @property
    def messages(self) -> list:
        return [message for _, message in self.problems]


def refuse(error: ServiceError, form=None) -> None:
    """Show a refusal: roll back whatever the request changed (a refusal stores nothing), then put
    each message under its field of ``form`` when the form has that field, else in a flash. A page
    whose form is written by hand passes a dict instead, which the template reads by field name."""
    db.session.rollback()
    if isinstance(form, dict):
        for field, message in error.problems:
            form[field or "form"] = str(message)
        return
    for field, message in error.problems:
        target = getattr(form, field, None) if form is not None and field else None
        if isinstance(target, FormField):  # a group of fields (a phase's dates): its last one says it
            target = list(target.form)[-1]
        if target is not None and hasattr(target, "errors") and not isinstance(target.errors, dict):
            target.errors = [*target.errors, message]
        else:
            flash(str(message), "error")
