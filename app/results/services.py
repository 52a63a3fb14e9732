"""Counting a budget's ballots with its configured rule, publishing, annulling and verifying.

The first count of a budget opens its sealed envelopes with the counting commission's key (see
:mod:`app.results.envelopes`); every count after that reads the anonymous ballots it wrote."""
import hashlib
import inspect
from datetime import datetime
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.ballots.adapter import (
    DEFAULT_VARIANTS,
    VOTING_VERSION,
    SolverError,
    UnresolvedTieError,
    allocate,
    compare,
    config_for,
    election,
    get_rule,
    money_behind,
    variant_label,
    write_pabulib,
)
from app.ballots.count_options import ALWAYS_DECIDES
from app.ballots.services import receipt_hash
from app.core.audit import record as audit_record
from app.core.clock import utcnow
from app.core.errors import ServiceError
from app.core.permissions import Action, can, is_nationwide
from app.extensions import db
from app.models import (
    Ballot,
    BallotOpening,
    Budget,
    CountKey,
    PhaseKind,
    Proposal,
    ProposalStatus,
    Result,
    SealedEnvelope,
    User,
    VoterParticipation,
)
from app.proposals.services import transition
from app.results.envelopes import open_envelopes
from app.results.participation import store as store_participation


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
        raise ServiceError(_l("Votes are counted and published after voting closes."))


def needs_key(budget: Budget) -> CountKey | None:
    """The count key the next count needs (its envelopes are still sealed), or None."""
    key = db.session.get(CountKey, budget.id)
    if key is None or key.confirmed_at is None or db.session.get(BallotOpening, budget.id) is not None:
        return None
    return key


def count(budget: Budget, actor: User | None = None, key_file: bytes | None = None) -> Result:
    """Run the configured rule over the ballots and keep the result (unpublished). The first count
    opens the envelopes with ``key_file`` (the counting commission's count key file), in the same
    transaction: if anything fails, every envelope stays sealed and nothing is stored."""
    if actor is not None and not can(actor, Action.COUNT_AND_PUBLISH, budget.area):
        raise ServiceError(_l("Only akimat officials of this area count the votes."))
    check_voting_closed(budget)
    if needs_key(budget) is not None:
        if not key_file:
            raise ServiceError(_l("Upload the count key file to open the envelopes."))
        open_envelopes(budget, actor, key_file)
    try:
        return _tally(budget, actor)
    except Exception:
        db.session.rollback()
        raise


def _tally(budget: Budget, actor: User | None) -> Result:
    instance, profile = election(budget)
    if not len(instance):
        raise ServiceError(_l("No project is on this budget's ballot."))
    text = write_pabulib(instance, profile)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    config = config_for(budget)
    options = rule_options(budget)
    outcome = _allocate(config.rule, instance, profile, options)
    votes = dict(zip(instance.ids, (profile.matrix != 0).sum(axis=0).A1.astype(int).tolist()))
    reasons = getattr(outcome, "reasons", {}) or {}
    report = outcome.details.get("report") or {}
    # The money behind each project funded in a round, replayed: the library's report has it from
    # its compiled pass only (0 after Add1).
    behind = money_behind(instance, profile, outcome) if report else {}
    projects = {
        pid: {"votes": votes[pid], "score": _plain(outcome.scores.get(pid, 0)), "cost": _plain(instance.project(pid).cost),
              "funded": pid in outcome.selected_set, "explanation": outcome.explanations.get(pid, ""),
              "reason": reasons.get(pid), **_report(report.get(pid), behind.get(pid))}
        for pid in instance.ids
    }
    comparison = _comparison_data(_compare(instance, profile, config.rule, options, outcome))
    if outcome.details.get("comparison"):
        comparison["step"] = _step(outcome.details["comparison"])
    opening = db.session.get(BallotOpening, budget.id)
    result = Result(
        budget_id=budget.id, rule=config.rule, options={k: v for k, v in options.items() if k != "tie_breaking"},
        tie_break=config.tie_break, voting_version=VOTING_VERSION, ballots_sha256=sha, n_ballots=profile.n_voters,
        spoiled=opening.spoiled if opening else 0,
        selected=list(outcome.selected), projects=projects, comparison=comparison,
        computed_by_id=actor.id if actor else None,
    )
    db.session.add(result)
    store_participation(budget)
    db.session.commit()
    return result


def _allocate(rule_id: str, instance, profile, options: dict):
    """The configured rule's outcome, or a refusal in words when the count cannot give one: a tie
    the ballot's tie-break chain leaves (equalshares.net stops there too), or a solver stopped
    before it proved the optimum. The caller rolls back: nothing is stored."""
    try:
        return allocate(rule_id, instance, profile, **options)
    except UnresolvedTieError as tie:
        names = {p.id: p.name for p in instance.projects}
        projects = [str(_l("No. %(n)s «%(title)s»", n=pid, title=names.get(pid, pid))) for pid in tie.project_ids]
        raise ServiceError(_l("The count stopped: projects %(projects)s are still tied after every tie-break of "
                              "this ballot (%(chain)s). Nothing is stored. The ballot settings are fixed since "
                              "voting opened: the counting commission decides how to proceed.",
                              projects=", ".join(projects), chain=", ".join(str(tie.chain).split(",")))) from None
    except SolverError:
        raise ServiceError(_l("The count stopped: the solver did not prove the best set of projects within its "
                              "time limit. Nothing is stored. Count again when the server is less busy.")) from None


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
    # A tie the ballot's chain leaves in a compared rule is decided by the proposal number: the
    # comparison only informs. The configured outcome is the same under that chain (it met no
    # such tie, or the count would have stopped), so it is reused.
    chain = options["tie_breaking"]
    if not any(c in ALWAYS_DECIDES for c in chain.split(",")):
        chain += ",id"
    common = {"tie_breaking": chain, "min_votes": options["min_votes"]}
    configured = _with_defaults(rule_id, {**options, "tie_breaking": chain})
    reuse = {variant_label(variant, opts): outcome for variant, opts in DEFAULT_VARIANTS
             if variant == rule_id and _with_defaults(variant, {**common, **opts}) == configured}
    try:
        return compare(instance, profile, precomputed=reuse, **common)
    except SolverError:  # the exact optimum, beside the configured rule, is left out of the table
        variants = [(variant, opts) for variant, opts in DEFAULT_VARIANTS if variant != "max-utility"]
        return compare(instance, profile, variants=variants, precomputed=reuse, **common)


def _report(numbers: dict | None, behind: float | None) -> dict:
    """equalshares.net's per-project numbers of an MES count, as the results page shows them."""
    if not numbers:
        return {}
    return {"effective_vote_count": numbers["effective_vote_count"],
            "money_behind": round(behind if behind is not None else numbers["money_behind"], 6)}


def _step(step: dict) -> dict:
    """The comparison step as plain JSON: how many voters prefer each outcome, which was used."""
    return {"method": step["method"], "prefers_mes": step["prefers_mes"], "prefers_greedy": step["prefers_greedy"],
            "used": step["used"], "mes_selected": list(step["mes_selected"]),
            "greedy_selected": list(step["greedy_selected"]), "greedy_cost": _plain(step["greedy_cost"])}


def _comparison_data(comparison: dict) -> dict:
    """The rule comparison as plain JSON: label, projects funded, money used, voters served."""
    rules = [{"label": summary.label, "selected": list(summary.outcome.selected), "funded": summary.funded,
              "cost": _plain(summary.cost) if not isinstance(summary.cost, float) else summary.cost,
              "voters_served": float(summary.voters_served)}
             for summary in comparison["rules"]]
    return {"rules": rules, "differing": {pid: list(labels) for pid, labels in comparison["differing"].items()}}


def publish(result: Result, actor: User | None, now: datetime | None = None) -> None:
    """Publish a count: mark every ballot project funded or not funded (timeline events and
    notifications carry the explanation). Exactly once per budget: the row is claimed with a
    conditional update and the database's partial unique index refuses a second published result,
    so simultaneous requests publish one."""
    budget = result.budget
    if actor is not None and not can(actor, Action.COUNT_AND_PUBLISH, budget.area):
        raise ServiceError(_l("Only akimat officials of this area publish results."))
    check_voting_closed(budget)
    already = _l("This budget's results are already published.")
    if result.annulled_at is not None or published_result(budget) is not None:
        raise ServiceError(already)
    try:
        claimed = db.session.execute(
            update(Result).where(Result.id == result.id, Result.published_at.is_(None))
            .values(published_at=now or utcnow(), published_by_id=actor.id if actor else None)).rowcount
        if claimed != 1:
            raise ServiceError(already)
        if actor is not None:
            audit_record(actor, "publish", "results", str(result.id), {"budget": budget.id,
                                                                       "selected": list(result.selected)})
        try:
            _decide_projects(budget, result, actor)
        except ServiceError:  # a project of the ballot changed under the publication: nothing is published
            raise ServiceError(_l("A project of this ballot was changed meanwhile; reload the page.")) from None
        store_participation(budget)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(already) from None
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(result)


def _decide_projects(budget: Budget, result: Result, actor: User | None) -> None:
    proposals = {str(p.id): p for p in db.session.scalars(
        select(Proposal).where(Proposal.budget_id == budget.id, Proposal.status == ProposalStatus.ON_BALLOT.value))}
    for pid, data in result.projects.items():
        proposal = proposals.get(pid)
        if proposal is None:
            continue
        funded = data["funded"]
        transition(proposal, ProposalStatus.FUNDED if funded else ProposalStatus.NOT_FUNDED, actor=actor,
                   kind="funded" if funded else "not_funded", role="akimat", votes=data["votes"],
                   **({"outcome": data["reason"]} if data.get("reason") else {}))


MIN_ANNUL_REASON = 10


def annul(result: Result, admin: User, reason: str, now: datetime | None = None) -> None:
    """The only way back from a published result: a nationwide administrator annuls it with a
    reason, which the results page, the audit log and every project's timeline show (authors and
    supporters are told). The ballots stay; a recount from them can then be published."""
    if not is_nationwide(admin, Action.MANAGE_AREAS):
        raise ServiceError(_l("Only a nationwide administrator annuls a published result."))
    reason = (reason or "").strip()
    if len(reason) < MIN_ANNUL_REASON:
        raise ServiceError(_l("Give the reason for the annulment (at least %(n)s characters).", n=MIN_ANNUL_REASON))
    if result.published_at is None or result.annulled_at is not None:
        raise ServiceError(_l("Only the published result in force can be annulled."))
    started = db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.budget_id == result.budget_id,
        Proposal.status.in_([ProposalStatus.IN_IMPLEMENTATION.value, ProposalStatus.COMPLETED.value])))
    if started:
        raise ServiceError(_l("Implementation has started on %(n)s of this budget's projects: stop it before the "
                             "result can be annulled.", n=started))
    claimed = db.session.execute(
        update(Result).where(Result.id == result.id, Result.published_at.is_not(None), Result.annulled_at.is_(None))
        .values(annulled_at=now or utcnow(), annulled_by_id=admin.id, annul_reason=reason)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise ServiceError(_l("Only the published result in force can be annulled."))
    audit_record(admin, "annul", "results", str(result.id), {"budget": result.budget_id, "reason": reason})
    for proposal in db.session.scalars(select(Proposal).where(
            Proposal.budget_id == result.budget_id,
            Proposal.status.in_([ProposalStatus.FUNDED.value, ProposalStatus.NOT_FUNDED.value]))):
        transition(proposal, ProposalStatus.ON_BALLOT, actor=admin, kind="result_annulled", role="admin",
                   reason=reason)
    store_participation(result.budget)
    db.session.commit()
    db.session.refresh(result)


def published_result(budget: Budget) -> Result | None:
    """The published result in force (not annulled)."""
    return db.session.scalar(select(Result).where(Result.budget_id == budget.id, Result.published_at.is_not(None),
                                                  Result.annulled_at.is_(None)))



def published_ballot(budget: Budget, receipt: str) -> Ballot | None:
    """The anonymous ballot cast with ``receipt`` (a normalized code), found by its hash."""
    return db.session.scalar(select(Ballot).where(Ballot.budget_id == budget.id,
                                                  Ballot.receipt_hash == receipt_hash(receipt)))

def annulled_results(budget: Budget) -> list[Result]:
    return list(db.session.scalars(select(Result).where(Result.budget_id == budget.id,
                                                        Result.annulled_at.is_not(None)).order_by(Result.id)))


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
    """Opened, anonymous ballots."""
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget.id))


def envelope_count(budget: Budget) -> int:
    """Sealed envelopes waiting for the count."""
    return db.session.scalar(select(func.count()).select_from(SealedEnvelope)
                             .where(SealedEnvelope.budget_id == budget.id))


def participation_count(budget: Budget) -> int:
    return db.session.scalar(select(func.count()).select_from(VoterParticipation)
                             .where(VoterParticipation.budget_id == budget.id))
