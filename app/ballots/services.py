"""Voting rules: who may vote (the roll), what a valid ballot is, and casting it once, sealed.

A cast writes two rows in one transaction: the participation (that this voter voted, on which
day, by which channel) and the sealed envelope (the choices and the receipt's hash, encrypted
to the budget's count key). Nothing joins the two; only the count opens the envelope."""
import hashlib
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.ballots import count_options, roll
from app.ballots.adapter import ballot_proposals, config_for, instance_for, rules_for
from app.ballots.messages import violation_text
from app.ballots.sealing import seal
from app.ballots.snapshot import BallotSnapshot, forget, snapshot
from app.core.clock import today as almaty_today
from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.i18n import local_date, locale_code
from app.extensions import db
from app.identity.voter_key import voter_key
from app.models import BallotConfig, Budget, CountKey, RollEntry, SealedEnvelope, User, VoterParticipation

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back
CODE_LENGTH = 12




def count_key(budget_id: int) -> CountKey | None:
    return db.session.get(CountKey, budget_id)


def voting_opened(budget: Budget) -> bool:
    """Has this budget's voting been opened (its count key confirmed and its roll fixed)?"""
    key = count_key(budget.id)
    return key is not None and key.confirmed_at is not None


def is_locked(budget: Budget) -> bool:
    """The ballot settings are fixed once voting has opened."""
    return voting_opened(budget)


# --- codes ----------------------------------------------------------------------------------

def new_code() -> str:
    """A receipt or change code: 12 characters without look-alikes, shown as XXXX-XXXX-XXXX."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalize_code(text: str | None) -> str | None:
    """A code as typed (any case, with or without dashes or spaces) in its printed form, or None
    when it cannot be one of ours."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.encode("ascii")).hexdigest()


def change_hash(receipt: str, change_code: str) -> str:
    return hashlib.sha256(f"{receipt}:{change_code}".encode("ascii")).hexdigest()


# --- who may vote ------------------------------------------------------------------------------

def _not_open() -> ServiceError:
    return ServiceError(_l("Voting on this budget is not open now."))


def check_voter(user: User, snap: BallotSnapshot | None) -> RollEntry:
    """The one place that decides whether ``user`` votes on a budget: voting is open and they are
    on its roll (fixed when voting opened). Returns their roll entry."""
    if snap is None or not snap.voting_open(utcnow()):
        raise _not_open()
    entry = db.session.get(RollEntry, (snap.budget_id, voter_key(user.iin)))
    if entry is not None:
        return entry
    elsewhere = [e for e in roll.entries_of(user, [snap.process_id]) if e.tier == snap.tier]
    if elsewhere:
        raise ServiceError(_l("In this process you vote on the budget %(budget)s.", budget=elsewhere[0].budget.name))
    if user.home_area is None or snap.area_id not in user.home_area.ancestor_ids:
        raise ServiceError(_l("Only residents of %(area)s vote on this budget.", area=snap.area_names[locale_code()]))
    if user.age_on(snap.voting_last_day) < snap.min_age:
        raise ServiceError(_l("Voting is open to residents aged %(age)s and over.", age=snap.min_age))
    raise ServiceError(_l(
        "You are not on the electoral roll of this budget: it was fixed when voting opened on %(day)s, from the "
        "home areas of the residents registered then. You can still vote on paper at the akimat with your "
        "identity card.", day=local_date(snap.voting_opened_at)))


def check_eligible(user: User, budget: Budget) -> RollEntry:
    return check_voter(user, snapshot(budget.id))


def has_voted(user: User, budget: Budget) -> bool:
    return db.session.get(VoterParticipation, (budget.id, voter_key(user.iin))) is not None


# --- the ballot -------------------------------------------------------------------------------

def normalize_choices(config: BallotConfig, raw: dict) -> dict[str, int] | list[str]:
    """Form values -> the ballot the counting library validates.
    Approval/knapsack: list of ids; cumulative: {id: points}; ranking: ids in rank order."""
    if config.ballot_type in ("approval", "knapsack"):
        return [str(pid) for pid in raw.get("chosen", [])]
    if config.ballot_type == "cumulative":
        return {str(pid): points for pid, points in raw.get("points", {}).items() if points}
    ranks = sorted(((rank, str(pid)) for pid, rank in raw.get("ranks", {}).items() if rank), key=lambda r: r[0])
    return [pid for _, pid in ranks]


def violations(budget: Budget, ballot, proposals=None) -> list:
    """Every problem of ``ballot`` per voting.BallotRules (``proposals``: the ballot's projects,
    when the caller has loaded them already)."""
    instance = instance_for(budget, ballot_proposals(budget) if proposals is None else proposals)
    return rules_for(budget, instance).validate(ballot)


def stored_choices(ballot_type: str, ballot) -> dict[str, int]:
    if isinstance(ballot, dict):
        return {pid: int(points) for pid, points in ballot.items()}
    if ballot_type == "ranking":
        return {pid: position for position, pid in enumerate(ballot, start=1)}
    return {pid: 1 for pid in ballot}


def _check_rules(snap: BallotSnapshot, ballot) -> None:
    problems = snap.rules.validate(ballot)
    if problems:
        raise ServiceError.several((None, violation_text(problem)) for problem in problems)


def _sealed(snap: BallotSnapshot, ballot, receipt: str, channel: str) -> bytes:
    return seal(snap.public_key, stored_choices(snap.ballot_type, ballot), receipt_hash(receipt), channel,
                snap.envelope_size)


# --- casting online -------------------------------------------------------------------------------

def cast_with_snapshot(user: User, snap: BallotSnapshot | None, ballot, *, today: date | None = None
                       ) -> tuple[str, str | None]:
    """An online ballot by a logged-in voter on the roll. Returns (receipt, change code); the
    change code is None unless the budget allows changes. ``snap`` is the budget's vote-day
    snapshot (:mod:`app.ballots.snapshot`), so a cast costs a few statements."""
    entry = check_voter(user, snap)
    _check_rules(snap, ballot)
    receipt = new_code()
    change_code = new_code() if snap.allow_change else None
    db.session.add(VoterParticipation(budget_id=snap.budget_id, voter_key=entry.voter_key, channel="online",
                                      voted_on=today or almaty_today()))
    db.session.add(SealedEnvelope(budget_id=snap.budget_id, sealed=_sealed(snap, ballot, receipt, "online"),
                                  change_key_hash=change_hash(receipt, change_code) if change_code else None))
    _commit_vote(snap.budget_id, entry.voter_key)
    return receipt, change_code


def _commit_vote(budget_id: int, key: str) -> None:
    # No "has voted?" query first: the primary key refuses a second vote, race or not.
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if db.session.get(VoterParticipation, (budget_id, key)) is not None:
            raise ServiceError(_l("This person has already voted on this budget.")) from None
        raise _not_open() from None  # the database refused it: the count has begun


def change(user: User, budget: Budget, receipt: str, change_code: str, ballot) -> None:
    """Replace a ballot's sealed content (where the budget allows changes), proven by the receipt
    and the change code shown only to its voter. The new envelope stays as unreadable."""
    snap = snapshot(budget.id)
    check_voter(user, snap)
    if not snap.allow_change:
        raise ServiceError(_l("Ballots on this budget cannot be changed once cast."))
    if not has_voted(user, budget):
        raise ServiceError(_l("You have not voted on this budget yet."))
    _check_rules(snap, ballot)
    receipt, change_code = normalize_code(receipt), normalize_code(change_code)
    updated = 0
    if receipt and change_code:
        updated = db.session.execute(
            update(SealedEnvelope).where(SealedEnvelope.budget_id == budget.id,
                                         SealedEnvelope.change_key_hash == change_hash(receipt, change_code))
            .values(sealed=_sealed(snap, ballot, receipt, "online"))
        ).rowcount
    if updated != 1:
        db.session.rollback()
        raise ServiceError(_l("The receipt and change code do not match a ballot on this budget."))
    db.session.commit()


# --- configuration ----------------------------------------------------------------------------------

def save_config(budget: Budget, count: dict | None = None, **values) -> BallotConfig:
    """Save the ballot configuration; refused once voting has opened. ``count`` holds the count
    options as the settings page sets them (``chain``: the tie-breaks in order; the Method of
    Equal Shares' options), checked by :func:`app.ballots.count_options.settings`."""
    if is_locked(budget):
        raise ServiceError(_l("The ballot is locked: voting has opened."))
    if count is not None:
        count = dict(count)
        values["rule_options"], values["tie_break"] = count_options.settings(
            values.get("rule", config_for(budget).rule), budget, count.pop("chain"), **count)
    forget(budget.id)
    config = budget.ballot_config
    if config is None:
        # Insert first, then set: on a new row the ORM leaves out a None and the column's default
        # (3 projects) fired, so "no maximum" was lost the first time an official saved it.
        config = BallotConfig(budget_id=budget.id)
        db.session.add(config)
        db.session.flush()
    for key, value in values.items():
        setattr(config, key, value)
    if config.max_projects is not None and config.max_projects < (config.min_projects or 0):
        db.session.rollback()  # nothing is stored, not even the new row
        raise ServiceError(_l("The maximum number of projects cannot be below the minimum."))
    db.session.add(config)
    db.session.commit()
    return config


def votes_of(user: User) -> list[VoterParticipation]:
    """The resident's own participations (for "My participation")."""
    return list(db.session.scalars(select(VoterParticipation).where(VoterParticipation.voter_key == voter_key(user.iin))))
