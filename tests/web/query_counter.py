"""Counting the SQL statements a request runs: a page's count must not grow with its rows."""
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def statements():
    """Yields the list of SQL statements run inside the block (text of each)."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def count_for(client, path: str, **kwargs) -> int:
    """The number of statements one GET of ``path`` runs (after a first GET that warms caches)."""
    first = client.get(path, **kwargs)
    assert first.status_code == 200, (path, first.status_code)
    with statements() as seen:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return len(seen)
