"""Voting rules: who may vote, what a valid ballot is, casting it once and in secret."""
import hashlib
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.ballots.snapshot import snapshot
from app.extensions import db
from app.i18n import locale_code
from app.identity.iin import IIN, InvalidIIN, parse_iin
from app.models import (
    Area,
    Ballot,
    BallotConfig,
    Budget,
    PhaseKind,
    User,
    VoterParticipation,
)
from app.models.types import utcnow
from app.permissions import Action, can
from app.results.adapter import ballot_proposals, config_for, instance_for, rules_for

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back
AGE_BANDS = ((16, 17, "16-17"), (18, 29, "18-29"), (30, 44, "30-44"), (45, 59, "45-59"), (60, 200, "60+"))


class BallotError(Exception):
    """A refused ballot action; ``messages`` are for the voter (several for an invalid ballot)."""

    def __init__(self, *messages):
        super().__init__(*messages)  # lazy strings stay lazy: rendered in the reader's language
        self.messages = list(messages)


def is_locked(budget: Budget) -> bool:
    """The configuration is fixed once the voting phase has opened."""
    voting = budget.process.phase(PhaseKind.VOTING)
    return voting is not None and voting.starts_at <= utcnow()


def age_band(age: int) -> str:
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def district_of(area: Area | None) -> int | None:
    """The district (or city) containing ``area``, for turnout by district."""
    while area is not None and area.kind not in ("district", "city", "region"):
        area = area.parent
    return area.id if area is not None else None


def check_eligible(user: User, budget: Budget, *, today: date | None = None) -> None:
    """Residence in the budget's area, the minimum age, and the voting phase."""
    check_voter(user, snapshot(budget.id), today=today)


def check_voter(user: User, snap, *, today: date | None = None) -> None:
    """The one place that decides who may vote on a budget (``snap``: its vote-day snapshot)."""
    if not snap.voting_open(utcnow()):
        raise BallotError(_l("Voting on this budget is not open now."))
    if user.home_area is None or snap.area_id not in user.home_area.ancestor_ids:
        raise BallotError(_l("Only residents of %(area)s vote on this budget.", area=snap.area_names[locale_code()]))
    if user.age_on(today or date.today()) < snap.min_age:
        raise BallotError(_l("Voting is open to residents aged %(age)s and over.", age=snap.min_age))


def has_voted(iin: str, budget: Budget) -> bool:
    return db.session.get(VoterParticipation, (budget.id, iin)) is not None


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


def _stored_choices(ballot_type: str, ballot) -> dict[str, int]:
    if isinstance(ballot, dict):
        return {pid: int(points) for pid, points in ballot.items()}
    if ballot_type == "ranking":
        return {pid: position for position, pid in enumerate(ballot, start=1)}
    return {pid: 1 for pid in ballot}


def new_receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def cast(user: User, budget: Budget, ballot, *, today: date | None = None) -> tuple[str, str | None]:
    """An online ballot by a logged-in resident. Returns (receipt, change_key); change_key is
    None unless the budget allows changes."""
    return cast_with_snapshot(user, snapshot(budget.id), ballot, today=today)


def cast_paper(official: User, budget: Budget, iin_text: str, ballot, *, today: date | None = None) -> str:
    """A paper ballot entered by an akimat official for the resident with this IIN (who checked
    their identity and residence at the polling point). Returns the receipt."""
    if not can(official, Action.COUNT_AND_PUBLISH, budget.area):
        raise BallotError(_l("Only akimat officials of this area enter paper ballots."))
    if not budget.process.is_in_phase(PhaseKind.VOTING):
        raise BallotError(_l("Voting on this budget is not open now."))
    try:
        iin = parse_iin(iin_text)
    except InvalidIIN:
        raise BallotError(_l("This IIN is not valid.")) from None
    today = today or date.today()
    minimum = config_for(budget).min_age
    if iin.age_on(today) < minimum:
        raise BallotError(_l("Voting is open to residents aged %(age)s and over.", age=minimum))
    user = db.session.scalar(select(User).where(User.iin == iin.value))
    if user is not None and not can(user, Action.VOTE, budget.area):
        raise BallotError(_l("This resident is registered in another area."))
    receipt, _ = _store(budget, ballot, iin=iin, user_id=user.id if user else None,
                        district_id=district_of(user.home_area) if user else budget.area_id,
                        channel="paper", today=today, entered_by=official)
    return receipt


def _store(budget: Budget, ballot, *, iin: IIN, user_id: int | None, district_id: int | None, channel: str,
           today: date, entered_by: User | None = None) -> tuple[str, str | None]:
    """Store one ballot and the record that this person voted, in one transaction.

    The primary key of VoterParticipation (budget, IIN) makes a second ballot impossible even
    when requests race; the loser gets a clear refusal and stores nothing."""
    problems = violations(budget, ballot)
    if problems:
        raise BallotError(*problems)
    config = config_for(budget)
    return _insert(budget.id, config.ballot_type, config.allow_change, ballot, iin=iin, user_id=user_id,
                   district_id=district_id, channel=channel, today=today, entered_by=entered_by)


def cast_with_snapshot(user: User, snap, ballot, *, today: date | None = None) -> tuple[str, str | None]:
    """:func:`cast` from a :mod:`app.ballots.snapshot` of the budget (the vote-day fast path):
    the same checks — voting window, residence, age, every ballot rule — without reloading
    the budget for each ballot."""
    today = today or date.today()
    check_voter(user, snap, today=today)
    iin = parse_iin(user.iin)
    problems = snap.rules.validate(ballot)
    if problems:
        raise BallotError(*problems)
    return _insert(snap.budget_id, snap.ballot_type, snap.allow_change, ballot, iin=iin, user_id=user.id,
                   district_id=district_of(user.home_area), channel="online", today=today)


def _insert(budget_id: int, ballot_type: str, allow_change: bool, ballot, *, iin: IIN, user_id: int | None,
            district_id: int | None, channel: str, today: date, entered_by: User | None = None):
    # No "has voted?" query first: the primary key refuses a second ballot below, race or not.
    change_key = secrets.token_urlsafe(9) if allow_change and channel == "online" else None
    receipt = new_receipt()
    db.session.add(VoterParticipation(
        budget_id=budget_id, iin=iin.value, user_id=user_id, channel=channel, voted_on=today,
        district_id=district_id, age_band=age_band(iin.age_on(today)), sex=iin.sex,
        entered_by_id=entered_by.id if entered_by else None,
    ))
    db.session.add(Ballot(receipt=receipt, budget_id=budget_id, choices=_stored_choices(ballot_type, ballot),
                          channel=channel, change_key_hash=_hash(change_key) if change_key else None))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise BallotError(_l("This person has already voted on this budget.")) from None
    return receipt, change_key


def change(user: User, budget: Budget, receipt: str, change_key: str, ballot) -> None:
    """Replace a ballot's choices in place (where the budget allows changes), proven by the
    change code shown only to its voter."""
    config = config_for(budget)
    if not config.allow_change:
        raise BallotError(_l("Ballots on this budget cannot be changed once cast."))
    check_eligible(user, budget)
    if not has_voted(user.iin, budget):
        raise BallotError(_l("You have not voted on this budget yet."))
    problems = violations(budget, ballot)
    if problems:
        raise BallotError(*problems)
    updated = db.session.execute(
        update(Ballot).where(Ballot.receipt == receipt.strip().upper(), Ballot.budget_id == budget.id,
                             Ballot.change_key_hash == _hash(change_key.strip()))
        .values(choices=_stored_choices(config.ballot_type, ballot))
    ).rowcount
    if updated != 1:
        db.session.rollback()
        raise BallotError(_l("The receipt and change code do not match a ballot on this budget."))
    db.session.commit()


def find_ballot(budget: Budget, receipt: str) -> Ballot | None:
    return db.session.get(Ballot, receipt.strip().upper()) if receipt else None


def save_config(budget: Budget, **values) -> BallotConfig:
    """Save the ballot configuration; refused once voting has opened."""
    if is_locked(budget):
        raise BallotError(_l("The ballot is locked: voting has opened."))
    from app.ballots.snapshot import forget

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
        raise BallotError(_l("The maximum number of projects cannot be below the minimum."))
    db.session.add(config)
    db.session.commit()
    return config


def running_counts(budget: Budget) -> dict[str, int]:
    """Votes per project so far (shown in the booth only where the budget allows it)."""
    totals: dict[str, int] = {}
    for choices in db.session.scalars(select(Ballot.choices).where(Ballot.budget_id == budget.id)):
        for pid in choices:
            totals[pid] = totals.get(pid, 0) + 1
    return totals
