"""Paper ballots, as at a polling station, in two separate steps:

1. the official finds the voter on the roll by IIN and marks them as voting on paper (a voter
   not on the roll is added only with a recorded reason, which the audit log keeps);
2. the ballot papers from the box are entered apart, as anonymous papers, each sealed at once
   like an online ballot.

The official never sees a voter's IIN and that voter's choices together, and the database
refuses more papers than voters marked as voting on paper."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.ballots import roll
from app.ballots.services import _check_rules, _commit_vote, _not_open, _sealed, new_code
from app.ballots.snapshot import snapshot
from app.core.audit import record as audit_record
from app.core.clock import today as almaty_today
from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.permissions import Action, can
from app.extensions import db
from app.identity.iin import InvalidIIN, parse_iin
from app.identity.voter_key import voter_key
from app.models import Budget, PaperTally, RollEntry, SealedEnvelope, User, VoterParticipation

MIN_REASON = 10


def _check_official(official: User, budget: Budget) -> None:
    if not can(official, Action.COUNT_AND_PUBLISH, budget.area):
        raise ServiceError(_l("Only akimat officials of this area enter paper ballots."))


def tally(budget: Budget) -> PaperTally:
    return db.session.get(PaperTally, budget.id) or PaperTally(budget_id=budget.id, voters_marked=0, papers_entered=0)


def mark_voter(official: User, budget: Budget, iin_text: str, *, reason: str = "", today: date | None = None) -> bool:
    """Mark the voter with this IIN as voting on paper. Returns True when the voter was added to
    the roll (with ``reason``), False when they were on it already."""
    _check_official(official, budget)
    snap = snapshot(budget.id)
    if snap is None or not snap.voting_open(utcnow()):
        raise _not_open()
    try:
        iin = parse_iin(iin_text)
    except InvalidIIN:
        raise ServiceError(_l("This IIN is not valid."), field="iin") from None
    key = voter_key(iin.value)
    entry = db.session.get(RollEntry, (budget.id, key))
    added = False
    if entry is None:
        elsewhere = db.session.scalar(select(RollEntry).where(
            RollEntry.process_id == snap.process_id, RollEntry.voter_key == key, RollEntry.tier == snap.tier))
        if elsewhere is not None:
            raise ServiceError(_l("This voter is on the roll of %(budget)s and votes there.",
                                 budget=elsewhere.budget.name), field="iin")
        if iin.age_on(snap.voting_last_day) < snap.min_age:
            raise ServiceError(_l("Voting is open to residents aged %(age)s and over.", age=snap.min_age), field="iin")
        reason = (reason or "").strip()
        if len(reason) < MIN_REASON:
            raise ServiceError(_l(
                "This voter is not on the roll of this budget. Add them only with a reason of at least %(n)s "
                "characters, for example: registered in the district, document shown.", n=MIN_REASON),
                field="reason")
        user = db.session.scalar(select(User).where(User.iin == iin.value))
        entry = RollEntry(budget_id=budget.id, voter_key=key, process_id=snap.process_id, tier=snap.tier,
                          district_id=roll.district_of(user.home_area if user else budget.area),
                          age_band=roll.age_band(iin.age_on(snap.voting_last_day)), sex=iin.sex,
                          added_reason=reason, added_by_id=official.id)
        db.session.add(entry)
        added = True
    if db.session.get(VoterParticipation, (budget.id, key)) is not None:
        db.session.rollback()
        raise ServiceError(_l("This voter has already voted on this budget, online or on paper."), field="iin")
    db.session.add(VoterParticipation(budget_id=budget.id, voter_key=key, channel="paper",
                                      voted_on=today or almaty_today(), entered_by_id=official.id))
    try:
        _count_marked(budget.id)
        if added:
            audit_record(official, "add_to_roll", "electoral_roll", f"{budget.id}",
                         {"budget": budget.id, "reason": reason})
    except IntegrityError:  # another official marked the same voter a moment ago
        db.session.rollback()
        raise ServiceError(_l("This voter has already voted on this budget, online or on paper."),
                          field="iin") from None
    _commit_vote(budget.id, key)
    return added


def _count_marked(budget_id: int) -> None:
    if db.session.get(PaperTally, budget_id) is None:
        db.session.add(PaperTally(budget_id=budget_id, voters_marked=0, papers_entered=0))
        db.session.flush()
    db.session.execute(update(PaperTally).where(PaperTally.budget_id == budget_id)
                       .values(voters_marked=PaperTally.voters_marked + 1))


def enter_paper(official: User, budget: Budget, ballot) -> None:
    """Enter one anonymous ballot paper, sealed at once. Refused when every voter marked as voting
    on paper has a paper already."""
    _check_official(official, budget)
    snap = snapshot(budget.id)
    if snap is None or snap.public_key is None:
        raise _not_open()
    if utcnow() < snap.voting_starts:
        raise _not_open()
    _check_rules(snap, ballot)
    counted = db.session.execute(
        update(PaperTally).where(PaperTally.budget_id == budget.id,
                                 PaperTally.papers_entered < PaperTally.voters_marked)
        .values(papers_entered=PaperTally.papers_entered + 1)).rowcount
    if counted != 1:
        db.session.rollback()
        raise ServiceError(_l("Every voter marked as voting on paper has a ballot paper entered already. "
                             "Mark the voter on the roll first."))
    # A paper has no receipt anyone holds; its hash only keeps the file's rows alike.
    db.session.add(SealedEnvelope(budget_id=budget.id, sealed=_sealed(snap, ballot, new_code(), "paper")))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("The envelopes of this budget have been opened: no more ballots can be entered.")) \
            from None
