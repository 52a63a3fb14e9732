"""Results pages: the public result with its explanations, the protocol, and the official's
count-and-publish page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.ballots.adapter import ballot_proposals, config_for
from app.ballots.forms import CountForm, uploaded_key
from app.ballots.paper import tally as paper_tally
from app.ballots.services import normalize_code
from app.core.errors import ServiceError, refuse
from app.core.forms import CSRFOnlyForm
from app.core.http_cache import page_etag, page_not_modified, private_page
from app.core.i18n import locale_code
from app.core.permissions import Action, can, is_nationwide, require
from app.extensions import db
from app.models import BallotOpening, Budget, ParticipationStats, Proposal, Result
from app.results import charts, services
from app.results.explanations import explanation_text
from app.results.forms import AnnulForm
from app.results.participation import participation

bp = Blueprint("results", __name__)


def _budget(budget_id) -> Budget:
    return db.get_or_404(Budget, budget_id, description=_("No such budget."))


def _rows(result: Result) -> list[dict]:
    proposals = {str(p.id): p for p in db.session.scalars(
        select(Proposal).where(Proposal.id.in_([int(pid) for pid in result.projects])))}
    rows = []
    for pid, data in result.projects.items():
        proposal = proposals.get(pid)
        title = proposal.shown_title if proposal else pid
        rows.append({"id": pid, "proposal": proposal, "title": title,
                     "votes": data["votes"], "cost": int(data["cost"]), "funded": data["funded"],
                     "explanation": explanation_text(data),
                     # equalshares.net's report numbers (a count with the Method of Equal Shares)
                     "effective_votes": data.get("effective_vote_count"), "money_behind": data.get("money_behind")})
    order = {pid: i for i, pid in enumerate(result.selected)}
    return sorted(rows, key=lambda r: (not r["funded"], order.get(r["id"], 0), -r["votes"], int(r["id"])))


def _chart(rows, budget):
    return charts.votes_and_cost(rows, budget.amount, labels={
        "title": _("Votes and cost of every project, with the budget line"), "votes": _("Votes"),
        "cost": _("Cost (funded projects side by side)"), "budget": _("Budget")})


def _version(budget: Budget, result: Result, template: str) -> tuple[str, object]:
    """What a result page shows changes with the result, its statistics, its projects' titles
    (hidden or edited), the annulments, the language and the viewer: two cheap queries."""
    edited, hidden = db.session.execute(select(func.max(Proposal.updated_at), func.max(Proposal.hidden_at))
                                        .where(Proposal.budget_id == budget.id)).one()
    counted = db.session.scalar(select(ParticipationStats.computed_at).where(ParticipationStats.budget_id == budget.id))
    annulled = db.session.scalar(select(func.max(Result.annulled_at)).where(Result.budget_id == budget.id))
    moments = [m for m in (result.published_at, counted, edited, hidden, annulled) if m is not None]
    return page_etag(template, result.id, *moments, locale_code()), max(moments)


def _page(budget: Budget, result: Result, template: str):
    etag, modified = _version(budget, result, template)
    cached = page_not_modified(etag, modified)
    if cached is not None:
        return cached
    rows = _rows(result)
    stats = participation(budget)
    return private_page(render_template(
        template, budget=budget, result=result, rows=rows, chart=_chart(rows, budget), stats=stats,
        spent=sum(r["cost"] for r in rows if r["funded"]), config=config_for(budget),
        annulled=services.annulled_results(budget), opening=db.session.get(BallotOpening, budget.id),
        annul_form=AnnulForm() if is_nationwide(current_user, Action.MANAGE_AREAS) else None,
        age_chart=charts.bars(stats["age_bands"], title=_("Voters by age band")),
        district_chart=charts.bars(stats["districts"], title=_("Voters by district")),
    ), etag, modified)


@bp.route("/budgets/<int:budget_id>/results")
def show(budget_id):
    budget = _budget(budget_id)
    result = services.published_result(budget)
    if result is None:
        return render_template("results/pending.html", budget=budget, annulled=services.annulled_results(budget),
                               may_count=current_user.is_authenticated
                               and can(current_user, Action.COUNT_AND_PUBLISH, budget.area)), 404
    return _page(budget, result, "results/show.html")


@bp.route("/budgets/<int:budget_id>/results/protocol")
def protocol(budget_id):
    budget = _budget(budget_id)
    result = services.published_result(budget)
    if result is None:
        abort(404)
    return _page(budget, result, "results/protocol.html")


@bp.route("/budgets/<int:budget_id>/ballot-lookup")
def lookup(budget_id):
    """Anyone holding a receipt can see that ballot's content (never who cast it) — after the
    count, from the published ballots: until then every ballot is sealed."""
    budget = _budget(budget_id)
    code = request.args.get("receipt", "")[:40]
    receipt = normalize_code(code)
    published = services.published_result(budget) is not None
    ballot = services.published_ballot(budget, receipt) if published and receipt else None
    names = {str(p.id): p for p in ballot_proposals(budget)}
    return render_template("results/lookup.html", budget=budget, code=code, receipt=receipt, ballot=ballot,
                           names=names, config=config_for(budget), published=published)


@bp.route("/budgets/<int:budget_id>/results/manage")
@login_required
def manage(budget_id):
    budget = _budget(budget_id)
    require(Action.COUNT_AND_PUBLISH, budget.area)
    result = services.latest_result(budget)
    if result is not None and result.annulled_at is not None:
        result = None  # an annulled count is never published again: count anew
    rows = _rows(result) if result else []
    return render_template("results/manage.html", budget=budget, result=result, rows=rows,
                           published=services.published_result(budget), n_ballots=services.ballot_count(budget),
                           form=CSRFOnlyForm(), count_form=CountForm(), config=config_for(budget),
                           key=services.needs_key(budget), opening=db.session.get(BallotOpening, budget.id),
                           envelopes=services.envelope_count(budget), votes=services.participation_count(budget),
                           paper=paper_tally(budget))


@bp.post("/budgets/<int:budget_id>/count")
@login_required
def count(budget_id):
    budget = _budget(budget_id)
    require(Action.COUNT_AND_PUBLISH, budget.area)
    form = CountForm()
    if form.validate_on_submit():
        try:
            services.count(budget, current_user, key_file=uploaded_key(form.key_file))
        except ServiceError as error:
            refuse(error)
        else:
            flash(_("The votes are counted. Check the result, then publish it."), "success")
    return redirect(url_for("results.manage", budget_id=budget.id))


@bp.post("/results/<int:result_id>/annul")
@login_required
def annul(result_id):
    result = db.get_or_404(Result, result_id)
    require(Action.MANAGE_AREAS, None)
    if not is_nationwide(current_user, Action.MANAGE_AREAS):
        abort(403)
    form = AnnulForm()
    if form.validate_on_submit():
        try:
            services.annul(result, current_user, form.reason.data)
        except ServiceError as error:
            refuse(error)
        else:
            flash(_("The result is annulled. A recount from the same ballots can now be published."), "success")
    else:
        flash(_("Give the reason for the annulment (at least %(n)s characters).", n=services.MIN_ANNUL_REASON),
              "error")
    return redirect(url_for("results.show", budget_id=result.budget_id))


@bp.post("/results/<int:result_id>/publish")
@login_required
def publish(result_id):
    result = db.get_or_404(Result, result_id)
    require(Action.COUNT_AND_PUBLISH, result.budget.area)
    if CSRFOnlyForm().validate_on_submit():
        try:
            services.publish(result, current_user)
        except ServiceError as error:
            refuse(error)
            return redirect(url_for("results.manage", budget_id=result.budget_id))
        flash(_("The results are published."), "success")
    return redirect(url_for("results.show", budget_id=result.budget_id))
