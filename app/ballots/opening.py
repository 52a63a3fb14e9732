"""Opening a process's voting: the count keys for the counting commission, and the roll.

Two steps, so that a lost key cannot pass unnoticed:

1. :func:`prepare_keys` makes one X25519 key pair per budget, keeps the public halves (pending)
   and returns the private halves as the count key file, which the server does not keep.
2. :func:`open_voting` takes that file back: each private key must match its pending public key,
   which proves the file was saved whole. Then the keys are confirmed, the electoral roll is
   fixed, and voting is open (early, with a reason, if its date has not come)."""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.ballots import roll
from app.ballots.adapter import ballot_proposals
from app.ballots.sealing import (
    KeyFileError,
    envelope_size,
    fingerprint,
    key_file,
    new_private_key,
    public_hex,
    read_key_file,
)
from app.ballots.snapshot import forget
from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.permissions import Action, can
from app.extensions import db
from app.models import PHASE_ORDER, CountKey, PhaseChange, PhaseKind, Process, User


def may_open(user: User, process: Process) -> bool:
    """Akimat officials of the process's whole area open its voting (and hand the keys on)."""
    return can(user, Action.COUNT_AND_PUBLISH, process.area)


def keys_of(process: Process) -> dict[int, CountKey]:
    return {b.id: key for b in process.budgets if (key := db.session.get(CountKey, b.id)) is not None}


def is_open(process: Process) -> bool:
    keys = keys_of(process)
    return bool(keys) and all(k.confirmed_at is not None for k in keys.values())


def _check(process: Process, actor: User, now: datetime) -> None:
    if not may_open(actor, process):
        raise ServiceError(_l("Only akimat officials of %(area)s open its voting.", area=process.area.name))
    voting = process.phase(PhaseKind.VOTING)
    if voting is None:
        raise ServiceError(_l("This process has no voting phase."))
    if now >= voting.ends_at:
        raise ServiceError(_l("The voting phase of this process has ended."))
    if not process.budgets:
        raise ServiceError(_l("This process has no budget to vote on."))
    if any(k.confirmed_at is not None for k in keys_of(process).values()):
        raise ServiceError(_l("Voting on this process is open already; its count keys cannot change."))
    for earlier in PHASE_ORDER[:PHASE_ORDER.index(PhaseKind.VOTING)]:
        phase = process.phase(earlier)
        if phase is not None and phase.starts_at > now:
            raise ServiceError(_l("Open the phases before voting first."))


def prepare_keys(process: Process, actor: User, now: datetime | None = None) -> bytes:
    """New count key pairs for every budget of the process (replacing keys prepared before and not
    confirmed). Returns the key file; only the public keys are stored."""
    now = now or utcnow()
    _check(process, actor, now)
    private = []
    for budget in process.budgets:
        secret = new_private_key()
        key = db.session.get(CountKey, budget.id) or CountKey(budget_id=budget.id)
        key.public_key = public_hex(secret)
        key.fingerprint = fingerprint(key.public_key)
        key.prepared_by_id, key.prepared_at = actor.id, now
        db.session.add(key)
        private.append({"budget": budget.id, "name": budget.name_kk, "private": secret})
    db.session.commit()
    return key_file({"id": process.id, "title": process.title_kk, "year": process.year,
                     "prepared_at": now.isoformat(timespec="seconds")}, private)


def open_voting(process: Process, actor: User, key_file_data: bytes, *, reason: str = "",
                now: datetime | None = None) -> int:
    """Confirm the count keys with the saved key file, fix the roll and open voting. Returns the
    number of entries on the roll. Changes nothing if any check fails."""
    now = now or utcnow()
    _check(process, actor, now)
    keys = keys_of(process)
    if len(keys) != len(process.budgets):
        raise ServiceError(_l("Prepare the count keys first, save the file, then open voting with it."))
    try:
        held = read_key_file(key_file_data)
    except KeyFileError:
        raise ServiceError(_l("This is not a Qatysu count key file.")) from None
    for budget in process.budgets:
        key = keys[budget.id]
        secret = held.get(budget.id)
        if secret is None or public_hex(secret) != key.public_key:
            raise ServiceError(_l(
                "This key file does not hold the prepared count key of %(budget)s (fingerprint %(fingerprint)s). "
                "Use the file saved when the keys were last prepared, or prepare them again.",
                budget=budget.name, fingerprint=key.fingerprint))
    voting = process.phase(PhaseKind.VOTING)
    if voting.starts_at > now:
        if len(reason.strip()) < 5:
            raise ServiceError(_l("Voting opens before its date: give a reason of at least 5 characters."),
                              field="reason")
        process.phase_changes.append(PhaseChange(
            phase_kind=PhaseKind.VOTING.value, action="open", reason=reason.strip(), actor=actor,
            previous_starts_at=voting.starts_at, previous_ends_at=voting.ends_at, changed_at=now))
        current = process.current_phase(now)
        if current is not None:
            current.ends_at = now
        voting.starts_at = now
        db.session.flush()
    size = roll.build_roll(process)
    for budget in process.budgets:
        key = keys[budget.id]
        key.envelope_size = envelope_size(str(p.id) for p in ballot_proposals(budget))
        key.confirmed_by_id, key.confirmed_at = actor.id, now
    db.session.commit()
    forget()
    return size
