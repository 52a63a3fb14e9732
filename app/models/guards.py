"""What the database itself refuses, whatever the code above it does.

The services check every rule first and explain a refusal in the user's language; these
triggers are the last line, for a bug, a forgotten code path or a hand-typed SQL statement:

- one ballot per voter on the roll (that is the participation's primary and foreign key, not here);
- once a budget's voting has opened (its count key is confirmed): its amount, limit, area and
  ballot settings, the projects on its ballot and their costs, its roll (it may only grow) and
  its participations are fixed, and the key itself cannot change; ballots are sealed only while
  voting is open;
- once its envelopes are opened: no more envelopes or participations, the anonymous ballots are
  written once and never changed, and the process's phases up to the end of voting cannot move;
- a published result never changes (except to be annulled, once) and is never deleted.

Each guard is one condition, rendered as a SQLite trigger (``WHEN``) and as a PostgreSQL trigger
with a PL/pgSQL function. ``create_all`` installs them with the tables (tests); migrations call
:func:`install` and :func:`remove` with the version they were written for."""
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event, text

from app.extensions import db

BALLOT_STATUSES = "('on_ballot', 'funded', 'not_funded', 'in_implementation', 'completed')"
KEY_CONFIRMED = ("EXISTS (SELECT 1 FROM count_keys k WHERE k.budget_id = {budget} "
                 "AND k.confirmed_at IS NOT NULL)")
OPENED = "EXISTS (SELECT 1 FROM ballot_openings o WHERE o.budget_id = {budget})"
PROCESS_KEY_CONFIRMED = ("EXISTS (SELECT 1 FROM count_keys k JOIN budgets b ON b.id = k.budget_id "
                         "WHERE b.process_id = {process} AND k.confirmed_at IS NOT NULL)")
PROCESS_OPENED = ("EXISTS (SELECT 1 FROM ballot_openings o JOIN budgets b ON b.id = o.budget_id "
                  "WHERE b.process_id = {process})")
PUBLISHED = "EXISTS (SELECT 1 FROM results r WHERE r.budget_id = {budget} AND r.published_at IS NOT NULL)"


@dataclass(frozen=True)
class Guard:
    name: str
    table: str
    event: str  # INSERT, UPDATE or DELETE
    # The refusal condition, given ``changed(*columns)`` for this dialect ("col:json" for JSON).
    condition: Callable[[Callable[..., str]], str]
    message: str


GUARDS_V1 = (
    Guard("results_published_final", "results", "UPDATE",
          lambda ch: "OLD.annulled_at IS NOT NULL OR (OLD.published_at IS NOT NULL AND " + ch(
              "budget_id", "rule", "options:json", "tie_break", "voting_version", "ballots_sha256", "n_ballots",
              "spoiled", "selected:json", "projects:json", "comparison:json", "computed_at", "published_at",
              "published_by_id") + ")",
          "published is final: a published result changes only by annulment"),
    Guard("results_published_kept", "results", "DELETE", lambda ch: "OLD.published_at IS NOT NULL",
          "published is final: a published result is never deleted"),
    Guard("ballots_immutable", "ballots", "UPDATE", lambda ch: "1 = 1", "an opened ballot never changes"),
    Guard("ballots_kept", "ballots", "DELETE", lambda ch: PUBLISHED.format(budget="OLD.budget_id"),
          "the ballots of a published result are kept"),
    Guard("ballots_written_once", "ballots", "INSERT", lambda ch: OPENED.format(budget="NEW.budget_id"),
          "the envelopes of this budget were opened already"),
    Guard("envelopes_while_open", "sealed_envelopes", "INSERT",
          lambda ch: "NOT " + KEY_CONFIRMED.format(budget="NEW.budget_id") + " OR "
          + OPENED.format(budget="NEW.budget_id"),
          "ballots are sealed only while voting is open"),
    Guard("envelopes_unopened", "sealed_envelopes", "UPDATE",
          lambda ch: OPENED.format(budget="OLD.budget_id") + " OR " + ch("id", "budget_id"),
          "an envelope changes only its sealed content, before the count"),
    Guard("participations_while_open", "voter_participations", "INSERT",
          lambda ch: "NOT " + KEY_CONFIRMED.format(budget="NEW.budget_id") + " OR "
          + OPENED.format(budget="NEW.budget_id"),
          "votes are recorded only while voting is open"),
    Guard("participations_fixed", "voter_participations", "UPDATE", lambda ch: "1 = 1",
          "a participation never changes"),
    Guard("participations_kept", "voter_participations", "DELETE",
          lambda ch: KEY_CONFIRMED.format(budget="OLD.budget_id"), "a participation is never removed"),
    Guard("roll_fixed", "electoral_roll", "UPDATE", lambda ch: KEY_CONFIRMED.format(budget="OLD.budget_id"),
          "the electoral roll is fixed once voting opens"),
    Guard("roll_kept", "electoral_roll", "DELETE", lambda ch: KEY_CONFIRMED.format(budget="OLD.budget_id"),
          "the electoral roll only grows once voting opens"),
    Guard("budgets_locked", "budgets", "UPDATE",
          lambda ch: KEY_CONFIRMED.format(budget="OLD.id") + " AND " + ch(
              "process_id", "area_id", "amount", "project_limit_tenge", "project_limit_mci", "project_limit_fixed"),
          "a budget is fixed once its voting opens"),
    Guard("budgets_kept", "budgets", "DELETE", lambda ch: KEY_CONFIRMED.format(budget="OLD.id"),
          "a budget whose voting opened is kept"),
    Guard("ballot_config_insert_locked", "ballot_configs", "INSERT",
          lambda ch: KEY_CONFIRMED.format(budget="NEW.budget_id"), "the ballot is fixed once voting opens"),
    Guard("ballot_config_update_locked", "ballot_configs", "UPDATE",
          lambda ch: KEY_CONFIRMED.format(budget="OLD.budget_id"), "the ballot is fixed once voting opens"),
    Guard("ballot_config_delete_locked", "ballot_configs", "DELETE",
          lambda ch: KEY_CONFIRMED.format(budget="OLD.budget_id"), "the ballot is fixed once voting opens"),
    Guard("count_key_fixed", "count_keys", "UPDATE", lambda ch: "OLD.confirmed_at IS NOT NULL",
          "a confirmed count key never changes"),
    Guard("count_key_kept", "count_keys", "DELETE", lambda ch: "OLD.confirmed_at IS NOT NULL",
          "a confirmed count key is kept"),
    Guard("phases_after_opening", "phases", "UPDATE",
          lambda ch: "((OLD.kind IN ('proposals', 'review') AND " + ch("starts_at", "ends_at", "kind") + ")"
          " OR (OLD.kind = 'voting' AND " + ch("starts_at", "kind") + "))"
          " AND " + PROCESS_KEY_CONFIRMED.format(process="OLD.process_id"),
          "the phases before voting and its start are fixed once voting opens"),
    Guard("phases_after_count", "phases", "UPDATE",
          lambda ch: "OLD.kind IN ('proposals', 'review', 'voting') AND " + ch("starts_at", "ends_at", "kind")
          + " AND " + PROCESS_OPENED.format(process="OLD.process_id"),
          "the phases up to the end of voting are fixed once the ballots are opened"),
    Guard("phases_kept", "phases", "DELETE", lambda ch: PROCESS_KEY_CONFIRMED.format(process="OLD.process_id"),
          "the phases of a process whose voting opened are kept"),
    Guard("proposals_on_live_ballot", "proposals", "UPDATE",
          lambda ch: KEY_CONFIRMED.format(budget="OLD.budget_id") + " AND ("
          f"(OLD.status IN {BALLOT_STATUSES} AND " + ch("estimated_cost", "final_cost", "budget_id") + ")"
          f" OR (OLD.status NOT IN {BALLOT_STATUSES} AND NEW.status IN {BALLOT_STATUSES})"
          f" OR (OLD.status IN {BALLOT_STATUSES} AND NEW.status NOT IN {BALLOT_STATUSES}))",
          "the projects on a ballot and their costs are fixed once voting opens"),
)
GUARDS = {1: GUARDS_V1}
CURRENT = 1


def _changed(dialect: str):
    def changed(*columns: str) -> str:
        parts = []
        for column in columns:
            name, _, kind = column.partition(":")
            if dialect == "postgresql":
                cast = "::text" if kind == "json" else ""
                parts.append(f"NEW.{name}{cast} IS DISTINCT FROM OLD.{name}{cast}")
            else:
                parts.append(f"NEW.{name} IS NOT OLD.{name}")
        return "(" + " OR ".join(parts) + ")"

    return changed


def _statements(guard: Guard, dialect: str) -> list[str]:
    condition = guard.condition(_changed(dialect))
    message = guard.message.replace("'", "''")
    name = f"guard_{guard.name}"
    if dialect == "postgresql":
        returned = "OLD" if guard.event == "DELETE" else "NEW"
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; END IF; "
            f"RETURN {returned}; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {guard.table}",
            f"CREATE TRIGGER {name} BEFORE {guard.event} ON {guard.table} FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} BEFORE {guard.event} ON {guard.table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def install(connection, version: int = CURRENT) -> None:
    """Create (or replace) the guards of ``version`` on this connection's database."""
    for guard in GUARDS[version]:
        for statement in _statements(guard, connection.dialect.name):
            connection.execute(text(statement))


def remove(connection, version: int = CURRENT) -> None:
    for guard in GUARDS[version]:
        name = f"guard_{guard.name}"
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {guard.table}"))
            connection.execute(text(f"DROP FUNCTION IF EXISTS {name}()"))
        else:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


def names(version: int = CURRENT) -> set[str]:
    return {f"guard_{guard.name}" for guard in GUARDS[version]}


@event.listens_for(db.metadata, "after_create")
def _install_with_tables(target, connection, **kw):
    install(connection)


@event.listens_for(db.metadata, "before_drop")
def _remove_with_tables(target, connection, **kw):
    remove(connection)
