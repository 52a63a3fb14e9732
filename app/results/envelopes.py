"""Opening the sealed envelopes, once, at the first count.

The counting commission's key file is read in memory for this request only. Every envelope is
opened in a random order and checked against the ballot rules (an envelope that holds no valid
ballot is spoiled, and the number is published); the anonymous ballots are written in a fresh
random order, the envelopes destroyed, and the opening recorded — all in the caller's
transaction, so a failure half-way leaves every envelope in place."""
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from app.ballots.adapter import ballot_from_choices, ballot_proposals, config_for, instance_for, rules_for
from app.ballots.sealing import KeyFileError, SealError, public_hex, read_key_file, unseal
from app.core.errors import ServiceError
from app.extensions import db
from app.models import Ballot, BallotOpening, Budget, CountKey, SealedEnvelope, User
from app.models.ballots import random_id


def open_envelopes(budget: Budget, actor: User | None, key_file: bytes) -> BallotOpening:
    key = db.session.get(CountKey, budget.id)
    if key is None or key.confirmed_at is None:
        raise ServiceError(_l("Voting on this budget was never opened: there are no envelopes to open."))
    if db.session.get(BallotOpening, budget.id) is not None:
        raise ServiceError(_l("The envelopes of this budget are opened already."))
    try:
        secret = read_key_file(key_file).get(budget.id)
    except KeyFileError:
        raise ServiceError(_l("This is not a Qatysu count key file: nothing was opened.")) from None
    if secret is None or public_hex(secret) != key.public_key:
        raise ServiceError(_l("This key file does not fit this budget: its count needs the key with fingerprint "
                             "%(fingerprint)s. Nothing was opened.", fingerprint=key.fingerprint))
    vote_type = config_for(budget).ballot_type
    rules = rules_for(budget, instance_for(budget, ballot_proposals(budget)))
    envelopes = list(db.session.scalars(select(SealedEnvelope.sealed).where(SealedEnvelope.budget_id == budget.id)))
    shuffle = secrets.SystemRandom().shuffle
    shuffle(envelopes)
    ballots, seen, spoiled = [], set(), 0
    for sealed in envelopes:
        try:
            content = unseal(secret, sealed)
        except SealError:
            spoiled += 1
            continue
        choices = content["choices"]
        valid = all(isinstance(v, int) and not isinstance(v, bool) for v in choices.values())
        if not valid or content["receipt_hash"] in seen or rules.validate(ballot_from_choices(vote_type, choices)):
            spoiled += 1
            continue
        seen.add(content["receipt_hash"])
        ballots.append({"id": random_id(), "budget_id": budget.id, "choices": choices, "channel": content["channel"],
                        "receipt_hash": content["receipt_hash"]})
    shuffle(ballots)
    if ballots:
        db.session.execute(insert(Ballot), ballots)
    db.session.execute(delete(SealedEnvelope).where(SealedEnvelope.budget_id == budget.id))
    opening = BallotOpening(budget_id=budget.id, envelopes=len(envelopes), spoiled=spoiled,
                            fingerprint=key.fingerprint, opened_by_id=actor.id if actor else None)
    db.session.add(opening)
    db.session.flush()
    return opening
