"""The one door between the app and the counting library ``voting``: budgets and ballot rows
become a ``voting.Instance`` and ``Profile``, and the library's rules and comparisons are reached
through the names below. Nothing else in app/ imports ``voting`` (tests/test_architecture.py).

It lives with the ballots because casting validates a ballot against the same instance the count
reads; results (the count) depend on ballots, never the reverse."""
import hashlib
import json
from fractions import Fraction

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import joinedload, selectinload

from app.core.clock import local_date
from app.extensions import db
from app.models import Ballot, BallotConfig, Budget, PhaseKind, Proposal, ProposalStatus
from voting import (
    TIE_BREAKS,
    BallotRules,
    Instance,
    Profile,
    Project,
    RuleOptionError,
    SolverError,
    allocate,
    compare,
    get_rule,
    write_pabulib,
)
from voting import __version__ as VOTING_VERSION
from voting.analysis import DEFAULT_VARIANTS, variant_label
from voting.report_money import money_behind
from voting.rules.mes import COMPLETIONS, STOPS
from voting.rules.mes_options import COMPARISONS
from voting.tiebreak import UnresolvedTieError

# What the count and the booth use of the library, through this one module.
__all__ = ["BallotRules", "COMPARISONS", "COMPLETIONS", "DEFAULT_VARIANTS", "Instance", "Profile", "RuleOptionError",
           "STOPS", "SolverError", "TIE_BREAKS", "UnresolvedTieError", "VOTING_VERSION", "allocate",
           "ballot_from_choices", "ballot_proposals", "ballots_file", "money_behind", "compare", "config_for", "election", "get_rule",
           "instance_for", "profile_for", "rules_for", "variant_label", "write_pabulib"]

# Ballot types as stored -> pabulib vote types used by the counting library.
VOTE_TYPES = {"approval": "approval", "knapsack": "approval", "cumulative": "cumulative", "ranking": "ordinal"}


def config_for(budget: Budget) -> BallotConfig:
    """The budget's ballot configuration (the defaults until an official saves one)."""
    return budget.ballot_config or BallotConfig(
        budget_id=budget.id, ballot_type="approval", min_projects=1, max_projects=3, rule="greedy",
        rule_options={}, tie_break="id", min_votes=1, allow_change=False, min_age=16,
    )


def ballot_proposals(budget: Budget, *, with_photos: bool = False) -> list[Proposal]:
    """The projects on the ballot, in a stable order (by id); ``with_photos`` for pages that
    show them (casting a ballot does not need them)."""
    loads = [joinedload(Proposal.category)] + ([selectinload(Proposal.photos)] if with_photos else [])
    return list(db.session.scalars(
        select(Proposal).where(
            Proposal.budget_id == budget.id,
            Proposal.status.in_([ProposalStatus.ON_BALLOT.value, ProposalStatus.FUNDED.value,
                                 ProposalStatus.NOT_FUNDED.value, ProposalStatus.IN_IMPLEMENTATION.value,
                                 ProposalStatus.COMPLETED.value]),
        ).options(*loads).order_by(Proposal.id)
    ))


def instance_for(budget: Budget, proposals: list[Proposal]) -> Instance:
    """The counting library's view of the budget: one project per proposal, id = proposal id."""
    config = config_for(budget)
    meta = {
        "description": f"Qatysu participatory budget: {budget.name_en} ({budget.process.title_en})",
        "country": "Kazakhstan", "unit": budget.area.name_en, "instance": str(budget.process.year),
        "currency": "KZT", "language": "kk", "vote_type": VOTE_TYPES[config.ballot_type],
        "rule": config.rule, "budget": str(budget.amount),
    }
    if config.min_projects:
        meta["min_length"] = str(config.min_projects)
    if config.max_projects:
        meta["max_length"] = str(config.max_projects)
    if config.ballot_type == "knapsack":
        meta["max_sum_cost"] = str(budget.amount)
    if config.ballot_type == "cumulative" and config.max_points:
        meta["max_sum_points"] = str(config.max_points)
    if config.ballot_type == "cumulative" and config.max_points_per_project:
        meta["max_points"] = str(config.max_points_per_project)
    voting = budget.process.phase(PhaseKind.VOTING)
    if voting is not None:  # pabulib dates are dd.mm.yyyy, the days voting began and ended (Almaty)
        meta["date_begin"] = f"{local_date(voting.starts_at):%d.%m.%Y}"
        meta["date_end"] = f"{local_date(voting.last_moment):%d.%m.%Y}"
    projects = [Project(id=str(p.id), cost=p.cost, name=p.title,
                        category=p.category.code if p.category else None) for p in proposals]
    return Instance(projects=projects, budget=Fraction(budget.amount), meta=meta,
                    project_columns=["project_id", "cost", "name", "category"])


def rules_for(budget: Budget, instance: Instance) -> BallotRules:
    config = config_for(budget)
    return BallotRules(
        vote_type=VOTE_TYPES[config.ballot_type], min_length=config.min_projects or None,
        max_length=config.max_projects, knapsack=config.ballot_type == "knapsack",
        max_cost=Fraction(budget.amount) if config.ballot_type == "knapsack" else None,
        max_total_points=config.max_points if config.ballot_type == "cumulative" else None,
        max_points=config.max_points_per_project if config.ballot_type == "cumulative" else None,
        min_points=0 if config.ballot_type == "cumulative" else None,
        instance=instance,
    )



def ballot_from_choices(vote_type: str, choices: dict):
    """A stored ballot ({project id: value}) as the counting library takes it."""
    if vote_type == "cumulative":
        return dict(choices)
    if vote_type in ("ordinal", "ranking"):
        return sorted(choices, key=choices.__getitem__)
    return list(choices)


# pabulib's voting_method values for our channels.
VOTING_METHODS = {"online": "internet", "paper": "paper"}


def profile_for(budget: Budget, instance: Instance) -> Profile:
    """Every opened ballot of the budget, each under the hash of its receipt code, in the random
    order the count wrote them (by their random ids): the file says nothing about when or in which
    order ballots were cast."""
    # Plain rows, decoded here: the ORM's per-row JSON processing was most of the time taken
    # to count 100,000 ballots.
    table = Ballot.__table__
    rows = db.session.execute(
        select(table.c.receipt_hash, cast(table.c.choices, Text), table.c.channel)
        .where(table.c.budget_id == budget.id).order_by(table.c.id)
    ).all()
    vote_type = VOTE_TYPES[config_for(budget).ballot_type]
    ballots, receipts, channels = [], [], []
    index = instance.index
    for receipt, raw, channel in rows:
        choices = json.loads(raw) if isinstance(raw, str) else raw
        ballots.append(ballot_from_choices(vote_type, {pid: value for pid, value in choices.items() if pid in index}))
        receipts.append(receipt)
        channels.append(VOTING_METHODS[channel])
    return Profile.from_ballots(instance, vote_type, ballots, voter_ids=receipts,
                                columns={"voting_method": channels})


def election(budget: Budget) -> tuple[Instance, Profile]:
    instance = instance_for(budget, ballot_proposals(budget))
    return instance, profile_for(budget, instance)


def ballots_file(budget: Budget) -> tuple[str, str]:
    """The anonymized ballots as a pabulib file, and its SHA-256."""
    instance, profile = election(budget)
    text = write_pabulib(instance, profile)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()
