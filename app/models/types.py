"""Column types shared by the models."""
from datetime import UTC

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite keeps no time zone and PostgreSQL's
    ``timestamp`` would otherwise shift with the server's zone."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store times as aware UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def length_checks(**limits: int) -> tuple[CheckConstraint, ...]:
    """``CHECK (length(col) <= n)`` for each column of text a person types, named
    ``ck_<table>_<col>_length``: SQLite ignores VARCHAR(n) and Text has no limit at all, so without
    it a crafted request stores a megabyte where a form allows 200 characters. Use it in
    ``__table_args__`` as ``*length_checks(title=200, description=5000)``; the form states the same
    limit (``app.core.forms.TextLength``)."""
    return tuple(CheckConstraint(f"length({column}) <= {limit}", name=f"{column}_length")
                 for column, limit in limits.items())
