"""flask backup / flask restore: a backup restored into an empty database has the same rows and
the same published results."""
import os
import uuid

import sqlalchemy as sa
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Result

from .conftest import count_votes
from .test_voting import cast_many


def _state(session) -> dict:
    counts = {t.name: session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
    result = session.execute(select(Result.ballots_sha256, Result.selected)).first()
    return {"counts": counts, "result": (result[0], sorted(result[1]))}


def test_backup_restores_into_an_empty_database(app, users, areas, ballot, tmp_path):
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (0, 1), (2,)], areas)
    count_votes(budget, users["akimat"], publish=True)
    before = _state(db.session)
    backup_file = tmp_path / "qatysu.backup"
    out = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
    assert out.exit_code == 0, out.output
    assert backup_file.stat().st_size > 0

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        target_url, cleanup = f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
    else:
        name = f"qatysu_restore_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        target_url = url.rsplit("/", 1)[0] + f"/{name}"

        def cleanup():
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
    target = create_app({"SQLALCHEMY_DATABASE_URI": target_url})
    try:
        with target.app_context():  # the command runs in the current app: the target
            restored = target.test_cli_runner().invoke(args=["restore", "--yes", str(backup_file)])
            assert restored.exit_code == 0, restored.output
            assert _state(db.session) == before
            db.session.remove()
            db.engine.dispose()
    finally:
        if cleanup:
            cleanup()
    assert os.path.exists(backup_file)


def test_restore_refuses_a_missing_file(app, tmp_path):
    out = app.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "nope.backup")])
    assert out.exit_code != 0
