"""The voting booth, opening voting, paper ballots, ballot configuration and receipts."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.ballots import opening, readiness, services
from app.ballots import paper as paper_service
from app.ballots.adapter import ballot_proposals, config_for
from app.ballots.count_options import CHAIN_FIELDS
from app.ballots.forms import (
    BALLOT_TYPE_LABELS,
    RULE_LABELS,
    TIE_BREAK_LABELS,
    BallotConfigForm,
    OpenVotingForm,
    PaperBallotForm,
    PaperVoterForm,
    PrepareKeysForm,
    settings_of,
    uploaded_key,
)
from app.ballots.messages import violation_text
from app.ballots.snapshot import snapshot
from app.core.errors import ServiceError, refuse
from app.core.forms import CSRFOnlyForm, whole_number
from app.core.permissions import Action, can, require
from app.extensions import db
from app.models import Budget, PhaseKind, Process

bp = Blueprint("ballots", __name__)


def _budget(budget_id) -> Budget:
    """The budget with what every booth request reads: its process and phases, area, ballot settings."""
    budget = db.session.scalar(
        select(Budget).where(Budget.id == budget_id)
        .options(joinedload(Budget.process).selectinload(Process.phases), joinedload(Budget.area),
                 joinedload(Budget.ballot_config)))
    if budget is None:
        abort(404, _("No such budget."))
    return budget


def _read_ballot(config, proposals=None, *, ids=None) -> tuple[object, dict]:
    """The ballot from the booth form, and what to show back in the inputs. ``config`` needs
    only a ``ballot_type``; the ballot's project ids come from ``proposals`` or ``ids``."""
    ids = ids if ids is not None else {str(p.id) for p in proposals}
    if config.ballot_type in ("approval", "knapsack"):
        chosen = [pid for pid in request.form.getlist("chosen") if pid in ids]
        return services.normalize_choices(config, {"chosen": chosen}), {"chosen": set(chosen)}
    values, bad = {}, []
    for pid in ids:
        raw = request.form.get(f"p{pid}", "").strip()
        if not raw:
            continue
        number = whole_number(raw, max_digits=6)
        if number is None:
            bad.append(pid)
            continue
        values[pid] = number
    key = "points" if config.ballot_type == "cumulative" else "ranks"
    if config.ballot_type == "ranking" and len(set(values.values())) != len(values):
        bad.append("duplicate-rank")
    return (services.normalize_choices(config, {key: values}), {key: values, "bad": bad})


def _totals(config, proposals, ballot) -> dict:
    chosen = set(ballot if not isinstance(ballot, dict) else ballot.keys())
    return {"count": len(chosen), "cost": sum(p.cost for p in proposals if str(p.id) in chosen),
            "points": sum(ballot.values()) if isinstance(ballot, dict) else None}


@bp.route("/budgets/<int:budget_id>/vote", methods=["GET", "POST"])
@login_required
def booth(budget_id):
    budget = _budget(budget_id)
    config = config_for(budget)
    proposals = ballot_proposals(budget, with_photos=True)
    voted = services.has_voted(current_user, budget)
    try:
        services.check_eligible(current_user, budget)
        refusal = None
    except ServiceError as error:
        refusal = error.messages[0]
    ballot, shown, problems = [], {"chosen": set(), "points": {}, "ranks": {}}, []
    step = "choose"
    if request.method == "POST":
        if refusal or not CSRFOnlyForm().validate_on_submit():
            abort(400)
        ballot, read = _read_ballot(config, proposals)
        shown.update(read)
        if read.get("bad"):
            problems.append(_("Enter whole numbers, and give each rank only once."))
        problems += [violation_text(v) for v in services.violations(budget, ballot, proposals)]
        action = request.form.get("action", "check")
        if action == "back":  # from the confirmation, with every choice kept
            problems = []
        elif not problems and action == "review":
            step = "confirm"
        elif not problems:
            flash(_("Your ballot is valid. Review it and cast it when you are ready."), "success")
    return _booth_page(budget, config, proposals, ballot, shown, problems, step, refusal, voted)


def _booth_page(budget, config, proposals, ballot, shown, problems, step, refusal, voted, change_error=None):
    return render_template(
        "ballots/booth.html", budget=budget, config=config, proposals=proposals, shown=shown, problems=problems,
        totals=_totals(config, proposals, ballot), step=step, refusal=refusal, voted=voted, form=CSRFOnlyForm(),
        type_label=BALLOT_TYPE_LABELS[config.ballot_type], change_error=change_error,
    )


@bp.post("/budgets/<int:budget_id>/vote/cast")
@login_required
def cast(budget_id):
    # The CSRF token was checked before the view by CSRFProtect (every POST is); no form needed.
    if request.form.get("receipt") and request.form.get("change_key"):
        return _change(budget_id)
    snap = snapshot(budget_id)
    if snap is None:
        abort(404)
    ballot, _shown = _read_ballot(snap, ids=snap.proposal_ids)
    try:
        receipt, change_key = services.cast_with_snapshot(current_user, snap, ballot)
    except ServiceError as error:
        refuse(error)
        return redirect(url_for("ballots.booth", budget_id=budget_id))
    # Shown once, on the next page only: the server keeps no link between voter and receipt.
    session["receipt"] = {"budget": budget_id, "receipt": receipt, "change_key": change_key}
    return redirect(url_for("ballots.receipt", budget_id=budget_id))


def _change(budget_id):
    budget = _budget(budget_id)
    config, proposals = config_for(budget), ballot_proposals(budget, with_photos=True)
    ballot, read = _read_ballot(config, proposals)
    try:
        services.change(current_user, budget, request.form["receipt"], request.form["change_key"], ballot)
    except ServiceError as error:
        if not config.allow_change:
            refuse(error)
            return redirect(url_for("ballots.booth", budget_id=budget_id))
        # A mistyped code loses nothing: the same confirmation again, the choices and the
        # receipt as typed kept, the message beside the codes. Nothing was stored (the service
        # rolled back).
        shown = {"chosen": set(), "points": {}, "ranks": {}, **read}
        return _booth_page(budget, config, proposals, ballot, shown, [], "confirm", None, True,
                           change_error=error.messages[0]), 422
    flash(_("Your ballot is changed."), "success")
    return redirect(url_for("ballots.booth", budget_id=budget_id))


@bp.route("/budgets/<int:budget_id>/receipt")
@login_required
def receipt(budget_id):
    budget = _budget(budget_id)
    data = session.pop("receipt", None)
    if not data or data.get("budget") != budget.id:
        return redirect(url_for("ballots.booth", budget_id=budget.id))
    return render_template("ballots/receipt.html", budget=budget, receipt=data["receipt"], change_key=data["change_key"])


@bp.route("/budgets/<int:budget_id>/paper", methods=["GET", "POST"])
@login_required
def paper(budget_id):
    """Step 1 at a polling point: find the voter on the roll by IIN and mark them as voting on paper."""
    budget = _budget(budget_id)
    require(Action.COUNT_AND_PUBLISH, budget.area)
    form = PaperVoterForm()
    if form.validate_on_submit():
        try:
            added = paper_service.mark_voter(current_user, budget, form.iin.data, reason=form.reason.data or "")
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The voter was added to the roll with the reason given, and marked as voting on paper.")
                  if added else _("The voter is marked as voting on paper. Hand them a ballot paper."), "success")
            return redirect(url_for("ballots.paper", budget_id=budget.id))
    return render_template("ballots/paper.html", budget=budget, form=form, tally=paper_service.tally(budget))


@bp.route("/budgets/<int:budget_id>/paper/ballots", methods=["GET", "POST"])
@login_required
def paper_ballots(budget_id):
    """Step 2, apart: enter the anonymous ballot papers from the box, each sealed at once."""
    budget = _budget(budget_id)
    require(Action.COUNT_AND_PUBLISH, budget.area)
    config = config_for(budget)
    proposals = ballot_proposals(budget, with_photos=True)
    form = PaperBallotForm()
    shown = {"chosen": set(), "points": {}, "ranks": {}}
    problems = []
    if form.validate_on_submit():
        ballot, read = _read_ballot(config, proposals)
        shown.update(read)
        try:
            paper_service.enter_paper(current_user, budget, ballot)
        except ServiceError as error:
            problems = [str(message) for message in error.messages]  # listed above the ballot, as in the booth
        else:
            flash(_("The ballot paper is entered and sealed."), "success")
            return redirect(url_for("ballots.paper_ballots", budget_id=budget.id))
    return render_template("ballots/paper_ballots.html", budget=budget, config=config, proposals=proposals,
                           form=form, shown=shown, problems=problems, tally=paper_service.tally(budget))


# --- opening voting: the count keys and the roll ---------------------------------------------------

def _process(process_id) -> Process:
    process = db.get_or_404(Process, process_id, description=_("No such process."))
    require(Action.COUNT_AND_PUBLISH, process.area)
    return process


@bp.route("/processes/<int:process_id>/voting")
@login_required
def opening_page(process_id):
    process = _process(process_id)
    return render_template("ballots/opening.html", process=process, keys=opening.keys_of(process),
                           voting=process.phase(PhaseKind.VOTING),
                           is_open=opening.is_open(process), prepare_form=PrepareKeysForm(), open_form=OpenVotingForm(),
                           not_ready=readiness.problems(process, PhaseKind.VOTING))


@bp.post("/processes/<int:process_id>/voting/keys")
@login_required
def prepare_keys(process_id):
    process = _process(process_id)
    if not PrepareKeysForm().validate_on_submit():
        abort(400)
    try:
        data = opening.prepare_keys(process, current_user)
    except ServiceError as error:
        refuse(error)
        return redirect(url_for("ballots.opening_page", process_id=process.id))
    # Shown once, as a download: the server keeps only the public keys.
    return Response(data, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="qatysu-count-keys-process-{process.id}.json"',
        "Cache-Control": "no-store"})


@bp.post("/processes/<int:process_id>/voting/open")
@login_required
def open_voting(process_id):
    process = _process(process_id)
    form = OpenVotingForm()
    if form.validate_on_submit():
        try:
            readiness.check_confirmed(process, PhaseKind.VOTING, form.confirm.data)
            size = opening.open_voting(process, current_user, uploaded_key(form.key_file),
                                       reason=form.reason.data or "")
        except ServiceError as error:
            refuse(error)
        else:
            flash(_("Voting is open. The electoral roll is fixed: %(n)s voters.", n=size), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("ballots.opening_page", process_id=process.id))


@bp.route("/budgets/<int:budget_id>/ballot-config", methods=["GET", "POST"])
@login_required
def configure(budget_id):
    budget = _budget(budget_id)
    require(Action.MANAGE_PROCESSES, budget.area)
    config = config_for(budget)
    form = BallotConfigForm(data=settings_of(config))
    locked = services.is_locked(budget)
    if form.validate_on_submit():
        try:
            services.save_config(
                budget, ballot_type=form.ballot_type.data, min_projects=form.min_projects.data,
                max_projects=form.max_projects.data, max_points=form.max_points.data,
                max_points_per_project=form.max_points_per_project.data, rule=form.rule.data,
                min_votes=form.min_votes.data, allow_change=form.allow_change.data, min_age=form.min_age.data,
                count={"chain": [form[name].data for name in CHAIN_FIELDS], "completion": form.completion.data,
                       "integral": form.integral.data, "stop": form.stop.data, "increment": form.increment.data,
                       "comparison": form.comparison.data},
            )
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The ballot settings are saved."), "success")
            return redirect(url_for("ballots.configure", budget_id=budget.id))
    return render_template("ballots/configure.html", budget=budget, form=form, locked=locked,
                           rule_labels=RULE_LABELS, tie_labels=TIE_BREAK_LABELS,
                           may_count=can(current_user, Action.COUNT_AND_PUBLISH, budget.area))
