"""Migrations go from empty to head and back on SQLite and, when TEST_DATABASE_URL points at
PostgreSQL, on a fresh PostgreSQL database too; head matches the models."""
import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.config import ROOT
from app.extensions import db
from app.models import search

MIGRATIONS = str(ROOT / "migrations")


def _postgres_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


# PostgreSQL joins when the run has one (CI's second pass); SQLite always runs.
@pytest.fixture(params=["sqlite"] + (["postgresql"] if _postgres_url() else []))
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    base = _postgres_url()
    name = f"qatysu_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_to_head_matches_models_and_downgrades_to_empty(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            # The full-text index is DDL of its own (app/models/search.py), not a model.
            context = MigrationContext.configure(conn, opts={"include_name": search.include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], diff
        downgrade(directory=MIGRATIONS, revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()


def _check_constraints(engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {table: {c["name"] for c in inspector.get_check_constraints(table)}
            for table in inspector.get_table_names() if table != "alembic_version"}


def test_head_has_every_check_constraint_of_the_models(empty_database):
    """Alembic's comparison ignores CHECK constraints, and batch mode recreates SQLite tables: the
    migrated schema must still hold every named CHECK of the models (the length limits included)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        migrated = _check_constraints(db.engine)
        expected = {table.name: {c.name for c in table.constraints
                                 if isinstance(c, sa.CheckConstraint) and c.name}
                    for table in db.metadata.sorted_tables}
        missing = {t: sorted(expected[t] - migrated.get(t, set())) for t in expected
                   if expected[t] - migrated.get(t, set())}
        assert not missing, missing
        db.engine.dispose()


def test_upgrade_to_head_installs_every_guard_of_the_models(empty_database):
    """The database's own refusals (app/models/guards.py) exist in a migrated database as they do
    in one made by create_all; a later migration that rebuilds a guarded table on SQLite (a batch
    copy drops its triggers) must put them back, or this fails."""
    from app.models import guards

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                found = set(conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            else:
                found = set(conn.execute(sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
        assert guards.names() <= found, sorted(guards.names() - found)
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()


def test_upgrading_a_database_with_data_keeps_every_row_and_cuts_garbage_to_the_limits(tmp_path):
    """The demo city taken back to 0007 (by the downgrades), with a megabyte correction, a
    javascript: link and ballots cast as 0007 stored them: after the upgrade every row is still
    there (SQLite's table copies must not cascade), the megabyte is cut to the limit, the link is
    gone, and the old ballots are anonymous ballots under their receipts' hashes, their voters on a
    roll under voter keys."""
    import hashlib

    from sqlalchemy import func, inspect, select, text

    from app.identity.voter_key import voter_key

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'data.sqlite3'}"})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        from app.demo import load_demo_data

        load_demo_data()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
        downgrade(directory=MIGRATIONS, revision="0007_audit_log")
        db.session.execute(text("INSERT INTO minutes_corrections (meeting_id, author_id, text, created_at) "
                                "SELECT min(id), (SELECT min(id) FROM users), :t, '2026-11-01 10:00:00' FROM meetings"),
                           {"t": "x" * 1_000_000})
        db.session.execute(text("UPDATE meetings SET online_link = 'javascript:alert(1)' WHERE id = "
                                "(SELECT min(id) FROM meetings)"))
        db.session.execute(text("UPDATE meetings SET online_link = 'HTTPS://meet.example.kz/a' WHERE id = "
                                "(SELECT max(id) FROM meetings)"))
        budget_id = db.session.scalar(text("SELECT min(id) FROM budgets"))
        iins = db.session.execute(text("SELECT iin FROM users ORDER BY id LIMIT 3")).scalars().all()
        for n, iin in enumerate(iins):
            db.session.execute(text(
                "INSERT INTO voter_participations (budget_id, iin, channel, voted_on, age_band, sex) "
                "VALUES (:b, :iin, 'online', '2026-11-01', '30-44', 'male')"), {"b": budget_id, "iin": iin})
            db.session.execute(text("INSERT INTO ballots (receipt, budget_id, choices, channel) "
                                    "VALUES (:r, :b, '{\"1\": 1}', 'online')"), {"r": f"OLD{n}-RCPT", "b": budget_id})
        db.session.commit()
        old_tables = set(inspect(db.engine).get_table_names())
        tables = [t for t in db.metadata.sorted_tables if t.name in old_tables
                  and t.name not in ("ballots", "voter_participations")]
        before = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
        assert before["minutes_corrections"] == 1 and before["role_grants"] and before["agenda_items"]
        db.session.remove()
        db.engine.dispose()

        upgrade(directory=MIGRATIONS)
        after = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
        assert after == before
        assert db.session.scalar(text("SELECT max(length(text)) FROM minutes_corrections")) == 3000
        links = db.session.execute(text("SELECT online_link FROM meetings WHERE online_link IS NOT NULL")).scalars().all()
        assert "https://meet.example.kz/a" in links and not [link for link in links if "javascript" in link]
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        hashes = set(db.session.execute(text("SELECT receipt_hash FROM ballots")).scalars())
        assert hashes == {hashlib.sha256(f"OLD{n}-RCPT".encode()).hexdigest() for n in range(3)}
        keys = set(db.session.execute(text("SELECT voter_key FROM voter_participations")).scalars())
        assert keys == {voter_key(iin) for iin in iins}
        assert db.session.scalar(text("SELECT count(*) FROM electoral_roll")) == 3
        db.session.remove()
        db.engine.dispose()


def test_notifications_about_meetings_keep_their_meeting_across_0011(empty_database):
    """0011 turns notifications.meeting_id (a foreign key into the meetings component) into a
    subject ('meeting', id): every notification stays, each about the same meeting, both ways."""
    from sqlalchemy import text

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0010_sealed_ballots")
        user = db.session.scalar(text("INSERT INTO users (email, full_name, iin, password_hash, locale, "
                                      "is_active_account, created_at) VALUES ('a@b.kz', 'A', '900101300001', "
                                      "'x', 'kk', true, '2026-11-01 10:00:00') RETURNING id"))
        area = db.session.scalar(text("INSERT INTO areas (kind, name_kk, name_ru, name_en, path) "
                                      "VALUES ('okrug', 'a', 'a', 'a', '/1/') RETURNING id"))
        meeting = db.session.scalar(text(
            "INSERT INTO meetings (area_id, host_id, title, description, description_html, kind, starts_at, ends_at, "
            "status, sequence, created_at) VALUES (:a, :u, 'Town hall', '', '', 'in_person', '2026-12-01 10:00:00', "
            "'2026-12-01 12:00:00', 'scheduled', 0, '2026-11-01 10:00:00') RETURNING id"), {"a": area, "u": user})
        for detail, meeting_id in (("reminder", meeting), ("minutes", meeting), (None, None)):
            db.session.execute(text("INSERT INTO notifications (user_id, kind, meeting_id, detail, created_at) "
                                    "VALUES (:u, 'meetings', :m, :d, '2026-11-02 10:00:00')"),
                               {"u": user, "m": meeting_id, "d": detail})
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        rows = db.session.execute(text("SELECT subject_kind, subject_id, detail FROM notifications ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("meeting", meeting, "reminder"), ("meeting", meeting, "minutes"),
                                            (None, None, None)]
        db.session.commit()
        downgrade(directory=MIGRATIONS, revision="0010_sealed_ballots")
        back = db.session.execute(text("SELECT meeting_id, detail FROM notifications ORDER BY id")).all()
        assert [tuple(r) for r in back] == [(meeting, "reminder"), (meeting, "minutes"), (None, None)]
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="base")
        db.engine.dispose()
