"""Backups: PostgreSQL through pg_dump / pg_restore (custom format), SQLite through its online
backup API (a consistent copy while the app keeps running)."""
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from app.extensions import db


class BackupError(RuntimeError):
    pass


def _libpq_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(target: Path) -> Path:
    """Write a backup of the app's database to ``target``."""
    url = make_url(str(db.engine.url))
    target = Path(target)
    if url.get_backend_name() == "sqlite":
        raw = db.engine.raw_connection()
        try:
            with sqlite3.connect(target) as dest:
                raw.driver_connection.backup(dest)
        finally:
            raw.close()
        return target
    if url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), _libpq_url(url)])
        return target
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore(source: Path) -> None:
    """Replace the app's database content with the backup in ``source``."""
    url = make_url(str(db.engine.url))
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("restore needs a database file, not an in-memory database")
        db.engine.dispose()  # no pooled connection may keep the old content open
        src, dest = sqlite3.connect(source), sqlite3.connect(url.database)
        try:
            src.backup(dest)
        finally:
            src.close()
            dest.close()
        return
    if url.get_backend_name() == "postgresql":
        db.engine.dispose()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname", _libpq_url(url), str(source)])
        return
    raise BackupError(f"no restore method for {url.get_backend_name()}")


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client)")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")
