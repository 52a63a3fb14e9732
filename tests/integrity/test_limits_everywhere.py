"""Every text a person types has a limit, everywhere: each String or Text column carries
CHECK (length(col) <= n) in the database (SQLite too), and each form field states its maximum
(issue #13, "Inputs")."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, format_decimal, gettext
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from meetings.models import Meeting, MinutesCorrection

from .conftest import make_user
from .test_inputs import EN, MEGABYTE, text


def test_the_database_refuses_an_over_long_text_even_on_sqlite(ctx, users, okrug):
    from app.core.clock import utcnow

    start = utcnow() + timedelta(days=3)
    db.session.add(Meeting(area=okrug, host=users["deputy"], title="T" * 201, venue="Hall", starts_at=start,
                           ends_at=start + timedelta(hours=1)))
    with pytest.raises((IntegrityError, sa.exc.DataError)):  # PostgreSQL's VARCHAR(200) may refuse it first
        db.session.commit()
    db.session.rollback()
    meeting = Meeting(area=okrug, host=users["deputy"], title="Fine", venue="Hall", starts_at=start,
                      ends_at=start + timedelta(hours=1))
    db.session.add(meeting)
    db.session.commit()
    db.session.add(MinutesCorrection(meeting=meeting, author=users["deputy"], text=MEGABYTE))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# Columns that hold no text a person types: hashes, random names, codes and states the code picks,
# HTML rendered from a checked column, and emails the server writes. Everything else that is
# String or Text must have CHECK (length(col) <= n) (app.models.types.length_checks).
NOT_USER_TEXT = {
    "users": {"password_hash", "verification_method"},
    "areas": {"path"},  # materialized path, computed from ids
    "audit_log": {"actor_roles", "action", "object_type", "object_id", "prev_hash", "hash"},
    "outbox_emails": {"recipient", "subject", "body", "last_error"},
    "meetings": {"description_html", "summary_html"},
    "proposals": {"description_html"},
    "comments": {"body_html"},
    "proposal_photos": {"stored_name"},
    "pending_photos": {"token", "stored_name"},
    "implementation_updates": {"status", "photo_name"},
    "proposal_events": {"kind", "actor_role"},
    "phase_changes": {"phase_kind"},
    "notifications": {"kind", "subject_kind", "detail"},
    "notification_preferences": {"kind"},
    # Written by the ballot and count services only (codes, receipts, hashes): no free text there.
    "ballot_configs": {"rule", "tie_break"},
    "ballots": {"id", "receipt_hash"},
    "sealed_envelopes": {"id", "change_key_hash"},
    "voter_participations": {"voter_key"},
    "electoral_roll": {"voter_key", "age_band"},
    "count_keys": {"public_key", "fingerprint"},
    "ballot_openings": {"fingerprint"},
    "results": {"rule", "tie_break", "voting_version", "ballots_sha256"},
}


def _length_limits(table) -> dict[str, int]:
    import re

    limits = {}
    for constraint in table.constraints:
        if isinstance(constraint, sa.CheckConstraint):
            for column, limit in re.findall(r"length\((\w+)\)\s*(?:<=|=)\s*(\d+)", str(constraint.sqltext)):
                limits[column] = int(limit)
    return limits


def _has_enum_check(table, column: str) -> bool:
    return any(isinstance(c, sa.CheckConstraint) and f"{column} IN (" in str(c.sqltext) for c in table.constraints)


def test_every_column_of_user_text_has_a_length_check_in_the_database(app):
    missing, mismatched = [], []
    for table in db.metadata.sorted_tables:
        limits = _length_limits(table)
        for column in table.columns:
            if not isinstance(column.type, sa.String) or column.name in NOT_USER_TEXT.get(table.name, ()):
                continue
            if _has_enum_check(table, column.name):
                continue  # a state with its own CHECK (… IN (…)) cannot be long
            if column.name not in limits:
                missing.append(f"{table.name}.{column.name}")
            elif column.type.length and limits[column.name] > column.type.length:
                mismatched.append(f"{table.name}.{column.name}: CHECK {limits[column.name]} > {column.type}")
    assert not missing, "String/Text columns without CHECK (length(col) <= n); add length_checks() or, " \
                        "if no person ever types it, list it in NOT_USER_TEXT:\n" + "\n".join(missing)
    assert not mismatched, "\n".join(mismatched)
    stale = [f"{t}.{c}" for t, columns in NOT_USER_TEXT.items() for c in columns
             if c not in db.metadata.tables[t].columns]
    assert not stale, f"NOT_USER_TEXT names columns that no longer exist: {stale}"


def _form_classes():
    import importlib

    from flask_wtf import FlaskForm

    for module in ("app.auth.forms", "app.admin.forms", "app.proposals.forms", "app.ballots.forms", "meetings.forms",
                   "app.core.forms"):
        importlib.import_module(module)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _text_fields(form):
    from wtforms import FormField, HiddenField, StringField

    for field in form:
        if isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, StringField) and not isinstance(field, HiddenField):
            yield field


def test_every_text_field_of_every_form_states_its_maximum_length(app):
    unstated = []
    with app.test_request_context():
        for cls in _form_classes():
            form = cls(meta={"csrf": False})
            unstated += [f"{cls.__module__}.{cls.__name__}.{f.name}" for f in _text_fields(form)
                         if not f.flags.maxlength]
    assert not unstated, "text fields without a Length(max=…): " + ", ".join(unstated)


def test_the_form_states_the_limit_on_the_page(client, users, log_in):
    log_in(users["deputy"])
    page = text(client.get("/meetings/new", headers=EN))
    assert 'maxlength="200"' in page and "Up to 200 characters." in page
    assert 'maxlength="5000"' in page and "Up to 5,000 characters." in page
    kk = make_user(home=users["deputy"].home_area, role="deputy", area=users["deputy"].grants[0].area, locale="kk")
    client.post("/auth/logout")
    log_in(kk)
    with force_locale("kk"):
        hint = gettext("Up to %(n)s characters.", n=format_decimal(200))
    assert hint in text(client.get("/meetings/new"))
