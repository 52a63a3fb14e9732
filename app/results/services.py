"""Counting a budget's ballots with its configured rule, publishing and verifying the result."""
import hashlib
import inspect
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import Ballot, Budget, PhaseKind, Proposal, ProposalStatus, Result, User
from app.models.types import utcnow
from app.permissions import Action, can
from app.proposals.services import transition
from app.results.adapter import config_for, election, write_pabulib
from voting import __version__ as voting_version
from voting import allocate, compare, get_rule
from voting.analysis import DEFAULT_VARIANTS, variant_label


class ResultError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def rule_options(budget: Budget) -> dict:
    """The options the count runs with: the configured ones plus tie-break and minimum votes."""
    config = config_for(budget)
    options = dict(config.rule_options or {})
    options["tie_breaking"] = config.tie_break
    options["min_votes"] = config.min_votes
    return options


def _plain(value):
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else float(value)


def check_voting_closed(budget: Budget) -> None:
    """Ballots are counted and published only once voting has closed: a tally taken or shown
    while people still vote would inform (or discourage) the rest, and ballots cast after a
    publication would not be in the published file."""
    voting = budget.process.phase(PhaseKind.VOTING)
    if voting is not None and utcnow() < voting.ends_at:
        raise ResultError(_l("Votes are counted and published after voting closes."))


def count(budget: Budget, actor: User | None = None) -> Result:
    """Run the configured rule over the stored ballots and keep the result (unpublished)."""
    if actor is not None and not can(actor, Action.COUNT_AND_PUBLISH, budget.area):
        raise ResultError(_l("Only akimat officials of this area count the votes."))
    check_voting_closed(budget)
    instance, profile = election(budget)
    if not len(instance):
        raise ResultError(_l("No project is on this budget's ballot."))
    text = write_pabulib(instance, profile)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    config = config_for(budget)
    options = rule_options(budget)
    outcome = allocate(config.rule, instance, profile, **options)
    votes = dict(zip(instance.ids, (profile.matrix != 0).sum(axis=0).A1.astype(int).tolist()))
    reasons = getattr(outcome, "reasons", {}) or {}
    projects = {
        pid: {"votes": votes[pid], "score": _plain(outcome.scores.get(pid, 0)), "cost": _plain(instance.project(pid).cost),
              "funded": pid in outcome.selected_set, "explanation": outcome.explanations.get(pid, ""),
              "reason": reasons.get(pid)}
        for pid in instance.ids
    }
    comparison = _compare(instance, profile, config.rule, options, outcome)
    result = Result(
        budget_id=budget.id, rule=config.rule, options={k: v for k, v in options.items() if k != "tie_breaking"},
        tie_break=config.tie_break, voting_version=voting_version, ballots_sha256=sha, n_ballots=profile.n_voters,
        selected=list(outcome.selected), projects=projects, comparison=_comparison_data(comparison),
        computed_by_id=actor.id if actor else None,
    )
    db.session.add(result)
    db.session.commit()
    return result


def _with_defaults(rule_id: str, options: dict) -> dict:
    """The options a rule actually runs with, its keyword defaults filled in."""
    params = inspect.signature(get_rule(rule_id)).parameters
    filled = {name: p.default for name, p in params.items()
              if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty}
    filled.update(options)
    return filled


def _compare(instance, profile, rule_id: str, options: dict, outcome) -> dict:
    """voting.compare's table, reusing the outcome already computed for the configured rule
    (on 100,000 ballots the MES run is most of the counting time)."""
    common = {"tie_breaking": options["tie_breaking"], "min_votes": options["min_votes"]}
    configured = _with_defaults(rule_id, options)
    reuse = {variant_label(variant, opts): outcome for variant, opts in DEFAULT_VARIANTS
             if variant == rule_id and _with_defaults(variant, {**common, **opts}) == configured}
    return compare(instance, profile, precomputed=reuse, **common)


def _comparison_data(comparison: dict) -> dict:
    """The rule comparison as plain JSON: label, projects funded, money used, voters served."""
    rules = [{"label": summary.label, "selected": list(summary.outcome.selected), "funded": summary.funded,
              "cost": _plain(summary.cost) if not isinstance(summary.cost, float) else summary.cost,
              "voters_served": float(summary.voters_served)}
             for summary in comparison["rules"]]
    return {"rules": rules, "differing": {pid: list(labels) for pid, labels in comparison["differing"].items()}}


def publish(result: Result, actor: User | None) -> None:
    """Publish a count: mark every ballot project funded or not funded (timeline events and
    notifications carry the explanation). A budget publishes once."""
    budget = result.budget
    if actor is not None and not can(actor, Action.COUNT_AND_PUBLISH, budget.area):
        raise ResultError(_l("Only akimat officials of this area publish results."))
    check_voting_closed(budget)
    if published_result(budget) is not None:
        raise ResultError(_l("This budget's results are already published."))
    proposals = {str(p.id): p for p in db.session.scalars(
        select(Proposal).where(Proposal.budget_id == budget.id, Proposal.status == ProposalStatus.ON_BALLOT.value))}
    for pid, data in result.projects.items():
        proposal = proposals.get(pid)
        if proposal is None:
            continue
        funded = data["funded"]
        transition(proposal, ProposalStatus.FUNDED if funded else ProposalStatus.NOT_FUNDED, actor=actor,
                   kind="funded" if funded else "not_funded", role="akimat", note=data["explanation"],
                   votes=data["votes"])
    result.published_at = utcnow()
    result.published_by_id = actor.id if actor else None
    db.session.commit()


def published_result(budget: Budget) -> Result | None:
    return db.session.scalar(select(Result).where(Result.budget_id == budget.id, Result.published_at.is_not(None)))


def latest_result(budget: Budget) -> Result | None:
    return db.session.scalar(select(Result).where(Result.budget_id == budget.id).order_by(Result.id.desc()).limit(1))


def verify(result: Result) -> list[str]:
    """Recount from the stored ballots and compare; returns the differences (empty: verified)."""
    budget = result.budget
    instance, profile = election(budget)
    problems = []
    sha = hashlib.sha256(write_pabulib(instance, profile).encode("utf-8")).hexdigest()
    if sha != result.ballots_sha256:
        problems.append(f"ballots file hash {sha} differs from the published {result.ballots_sha256}")
    options = dict(result.options)
    options["tie_breaking"] = result.tie_break
    outcome = allocate(result.rule, instance, profile, **options)
    if sorted(outcome.selected) != sorted(result.selected):
        problems.append(f"recount selects {sorted(outcome.selected)}, published {sorted(result.selected)}")
    return problems


def ballot_count(budget: Budget) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget.id))
