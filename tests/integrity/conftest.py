"""tests/integrity plays the attacker: each test reproduces an attack on the count, the secret
ballot or the accounts, and shows it refused with nothing changed.

The fixtures are the web tests' own (app, client, areas, users, open_process, ...), so an attack
is staged exactly like the behaviour the web tests guard."""
import pytest

from tests.web.conftest import *  # noqa: F401,F403
from tests.web.conftest import (
    _clean_tables,  # noqa: F401 (autouse: empties the tables after each test)
    empty_every_table,
)


@pytest.fixture
def race_app(app, tmp_path):
    """An app on a database several threads can use at once: a SQLite file, or the test
    PostgreSQL server (whose rows are emptied afterwards, guards lifted)."""
    from app import create_app
    from app.demo import load_areas
    from app.extensions import db

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    sqlite = url.startswith("sqlite")
    if sqlite:
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    race = create_app({"SQLALCHEMY_DATABASE_URI": url,
                       "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 25, "max_overflow": 5}})
    with race.test_request_context():
        if sqlite:
            db.create_all()
        race.areas = load_areas()
        db.session.commit()
    yield race
    with race.app_context():
        if not sqlite:
            empty_every_table(lift_guards=True)
        db.engine.dispose()
