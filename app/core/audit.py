"""Audit log: every change made by a person who holds an official role (deputy, akimat, expert,
moderator, admin) is appended, with before/after values, to a hash-chained log.

Recording is automatic: a session listener looks at what each flush inserts, updates or
deletes while an official is the current user, so no service can forget to log. Each entry's
hash covers its content and the previous entry's hash; `flask audit verify` recomputes the
chain and names the first entry that was altered, removed or inserted out of order."""
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.orm import Session, joinedload

from app.core.clock import utcnow
from app.extensions import db
from app.models.audit import AuditEntry

GENESIS = "0" * 64
# Tables whose rows are not audited: the log itself, high-volume rows that are not official acts, and
# what would tell how or when someone voted, or what a voter follows (an official's vote, a paper
# entered just after a voter was marked): those are never written to the log.
SKIP = {"audit_log", "notifications", "outbox_emails", "ballots", "voter_participations", "supports",
        "comment_useful", "proposal_events", "sessions", "sealed_envelopes", "electoral_roll", "paper_tallies",
        "budget_follows"}
# Never written to the log, whatever the table.
SECRET_FIELDS = {"password_hash", "change_key_hash", "iin"}


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, dict)):
        return json.loads(json.dumps(value, default=str))
    return str(value)


def entry_hash(prev_hash: str, at: str, actor_id, actor_roles: str, action: str, object_type: str,
               object_id: str, changes: dict) -> str:
    payload = json.dumps([prev_hash, at, actor_id, actor_roles, action, object_type, object_id, changes],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def remember_actor() -> None:
    """Before each request: note whether the user holds an official role, so that flushes
    (which must not load anything themselves) know whom to record."""
    actor = None
    if request.method in ("GET", "HEAD", "OPTIONS"):  # reading changes nothing worth auditing
        g.audit_actor = None
        return
    if getattr(current_user, "is_authenticated", False):
        roles = sorted({grant.role for grant in current_user.grants})
        if roles:
            actor = (current_user.id, ",".join(roles))
    g.audit_actor = actor


def _official():
    """(user id, roles) when the current request's user holds an official role, else None."""
    if not has_request_context():
        return None
    return g.get("audit_actor")


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SECRET_FIELDS:
            continue
        history = state.attrs[key].history
        if action == "create":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, _plain(value)]
        elif action == "delete":
            value = history.unchanged[0] if history.unchanged else (history.deleted[0] if history.deleted else None)
            changes[key] = [_plain(value), None]
        elif history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            changes[key] = [_plain(before), _plain(after)]
    return changes


def _identity(obj) -> str:
    return "/".join(str(v) for v in inspect(obj).identity or ())


@event.listens_for(Session, "before_flush")
def _collect(session, flush_context, instances):
    actor = _official()
    if actor is None:
        return
    pending = session.info.setdefault("audit_pending", [])
    for action, objects in (("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table in SKIP or table is None:
                continue
            changes = _changes(obj, action)
            if changes:
                pending.append((actor, action, table, obj, changes))
    session.info["audit_new"] = [o for o in session.new if getattr(o, "__tablename__", None) not in SKIP]
    session.info["audit_actor"] = actor


@event.listens_for(Session, "after_flush")
def _append(session, flush_context):
    actor = session.info.pop("audit_actor", None)
    pending = session.info.pop("audit_pending", [])
    new = session.info.pop("audit_new", [])
    if actor is None:
        return
    rows = [(actor, action, table, _identity(obj), changes) for actor, action, table, obj, changes in pending]
    rows += [(actor, "create", o.__tablename__, _identity(o), _changes(o, "create")) for o in new]
    if rows:
        _write(session.connection(), rows)


def record(user, action: str, object_type: str, object_id: str, changes: dict) -> None:
    """Append an entry by hand, for an official act the flush listener does not see (rows of a
    skipped table, such as a voter added to the roll with a reason). In the caller's transaction."""
    roles = ",".join(sorted({grant.role for grant in user.grants})) or "resident"
    _write(db.session.connection(), [((user.id, roles), action, object_type, object_id, changes)])


def _write(connection, rows) -> None:
    if connection.dialect.name == "postgresql":
        # One writer at a time appends, so the chain never forks.
        connection.execute(text("SELECT pg_advisory_xact_lock(7402201)"))
    prev = connection.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar() or GENESIS
    for (actor_id, roles), action, table, object_id, changes in rows:
        at = utcnow().replace(microsecond=0)
        digest = entry_hash(prev, at.isoformat(), actor_id, roles, action, table, object_id, changes)
        connection.execute(insert(AuditEntry).values(
            at=at, actor_id=actor_id, actor_roles=roles, action=action, object_type=table,
            object_id=object_id, changes=changes, prev_hash=prev, hash=digest))
        prev = digest


def verify() -> list[str]:
    """Recompute the chain; returns the problems found (empty: intact)."""
    problems, prev = [], GENESIS
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev:
            problems.append(f"entry {entry.id}: does not follow the entry before it (one was removed or inserted)")
        expected = entry_hash(entry.prev_hash, entry.at.isoformat(), entry.actor_id, entry.actor_roles,
                              entry.action, entry.object_type, entry.object_id, entry.changes)
        if expected != entry.hash:
            problems.append(f"entry {entry.id}: its content was altered")
        prev = entry.hash
    return problems


def entries(*, actor: int | None, object_type: str, page: int, per_page: int = 50):
    """One page of the log, newest first, optionally of one actor or one kind of object."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor_id == actor)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def object_types() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)))
