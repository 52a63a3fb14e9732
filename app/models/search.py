"""The full-text index of proposals, kept by the database itself.

- SQLite: an FTS5 table ``proposal_search`` with the ``trigram`` tokenizer (any three letters
  match, so a Kazakh or Russian word with another ending still finds its stem), one row per
  proposal (``rowid`` = the proposal's id), filled and kept current by triggers on ``proposals``:
  written, edited, hidden (a hidden proposal's text leaves the index) or deleted.
- PostgreSQL: the ``pg_trgm`` extension and a GIN trigram index over the same text, which
  ``ILIKE`` uses; a hidden proposal is left out by the query.

``create_all`` installs it with the tables (tests); migration 0012 calls :func:`install` and
:func:`remove`. The queries are in :mod:`app.proposals.search`."""
from sqlalchemy import event, text

from app.extensions import db

TABLE = "proposal_search"
GIN_INDEX = "ix_proposals_search_trgm"
# What a proposal is found by: the same text on both databases.
PG_DOCUMENT = "(title || ' ' || description || ' ' || coalesce(address, ''))"

_SQLITE_ROW = ("SELECT {row}.id, CASE WHEN {row}.hidden_at IS NULL THEN {row}.title ELSE '' END, "
               "CASE WHEN {row}.hidden_at IS NULL THEN {row}.description || ' ' || coalesce({row}.address, '') "
               "ELSE '' END")
SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, body, tokenize = 'trigram')",
    f"INSERT INTO {TABLE} (rowid, title, body) " + _SQLITE_ROW.format(row="proposals") + " FROM proposals",
    "CREATE TRIGGER IF NOT EXISTS search_proposal_written AFTER INSERT ON proposals BEGIN "
    f"INSERT INTO {TABLE} (rowid, title, body) " + _SQLITE_ROW.format(row="NEW") + "; END",
    "CREATE TRIGGER IF NOT EXISTS search_proposal_edited AFTER UPDATE OF title, description, address, hidden_at "
    f"ON proposals BEGIN DELETE FROM {TABLE} WHERE rowid = OLD.id; "
    f"INSERT INTO {TABLE} (rowid, title, body) " + _SQLITE_ROW.format(row="NEW") + "; END",
    "CREATE TRIGGER IF NOT EXISTS search_proposal_deleted AFTER DELETE ON proposals BEGIN "
    f"DELETE FROM {TABLE} WHERE rowid = OLD.id; END",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS search_proposal_written", "DROP TRIGGER IF EXISTS search_proposal_edited",
                 "DROP TRIGGER IF EXISTS search_proposal_deleted", f"DROP TABLE IF EXISTS {TABLE}"]
POSTGRESQL = ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
              f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON proposals USING gin ({PG_DOCUMENT} gin_trgm_ops)"]
POSTGRESQL_REMOVE = [f"DROP INDEX IF EXISTS {GIN_INDEX}"]


def install(connection) -> None:
    """Create the index (and fill it from the proposals there are) on this connection's database."""
    for statement in POSTGRESQL if connection.dialect.name == "postgresql" else SQLITE:
        connection.execute(text(statement))


def remove(connection) -> None:
    for statement in POSTGRESQL_REMOVE if connection.dialect.name == "postgresql" else SQLITE_REMOVE:
        connection.execute(text(statement))


def not_in_models(name: str, type_: str) -> bool:
    """For Alembic's comparison: the index is DDL of its own, not a model (FTS5 keeps its rows in
    shadow tables ``proposal_search_*``)."""
    return not ((type_ == "table" and (name == TABLE or name.startswith(TABLE + "_")))
                or (type_ == "index" and name == GIN_INDEX))


def include_name(name, type_, parent_names) -> bool:
    return not_in_models(name, type_)


@event.listens_for(db.metadata, "after_create")
def _install_with_tables(target, connection, **kw):
    install(connection)


@event.listens_for(db.metadata, "before_drop")
def _remove_with_tables(target, connection, **kw):
    remove(connection)
