"""Implementation reports, the area dashboard and each resident's "my participation" page."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import meetings
from app.core.clock import today
from app.core.errors import ServiceError, refuse
from app.core.forms import CSRFOnlyForm, row_id
from app.core.permissions import Action, can
from app.extensions import db
from app.implementation import forms, services
from app.implementation.participation import participation_of
from app.models import (
    IMPLEMENTATION_STATUSES,
    Area,
    Budget,
    ImplementationUpdate,
    Milestone,
    Proposal,
)
from app.proposals import own_case
from app.proposals.timeline import event_text
from app.results import charts

bp = Blueprint("implementation", __name__)


@bp.route("/proposals/<int:proposal_id>/implementation", methods=["GET", "POST"])
@login_required
def manage(proposal_id):
    proposal = db.get_or_404(Proposal, proposal_id)
    if not can(current_user, Action.REPORT_IMPLEMENTATION, proposal.area):
        abort(403)
    form = CSRFOnlyForm()
    errors = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            if request.form.get("what") == "milestone":
                services.add_milestone(proposal, current_user, **forms.read_milestone(request.form))
            elif request.form.get("what") == "procurement":
                services.record_procurement(proposal, current_user, **forms.read_procurement(request.form))
            else:
                services.report(proposal, current_user, **forms.read_report(request.form, request.files))
        except ServiceError as error:
            refuse(error, errors)
        else:
            flash(_("The implementation report is saved and shown on the proposal's timeline."), "success")
            return redirect(url_for("implementation.manage", proposal_id=proposal.id))
    return render_template("implementation/manage.html", proposal=proposal,
                           implementation=services.implementation_of(proposal), statuses=IMPLEMENTATION_STATUSES,
                           form=form, errors=errors, today=today(),
                           typed=request.form if errors else {}, what=request.form.get("what"),
                           refusal=own_case.refusal(current_user, proposal, own_case.IMPLEMENTATION),
                           limits={"note": services.NOTE_LENGTH, "title": services.TITLE_LENGTH})


@bp.post("/milestones/<int:milestone_id>/done")
@login_required
def milestone_done(milestone_id):
    milestone = db.get_or_404(Milestone, milestone_id)
    proposal = db.session.get(Proposal, milestone.proposal_id)
    if not can(current_user, Action.REPORT_IMPLEMENTATION, proposal.area):
        abort(403)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    try:
        services.complete_milestone(milestone, current_user, forms.read_done_on(request.form))
    except ServiceError as error:
        refuse(error)
    return redirect(url_for("implementation.manage", proposal_id=proposal.id))


@bp.post("/implementation-updates/<int:update_id>/correct")
@login_required
def correct_update(update_id):
    update = db.get_or_404(ImplementationUpdate, update_id)
    proposal = db.session.get(Proposal, update.proposal_id)
    if not can(current_user, Action.REPORT_IMPLEMENTATION, proposal.area):
        abort(403)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    try:
        services.correct_update(update, current_user, **forms.read_correction(request.form))
    except ServiceError as error:
        refuse(error)
    else:
        flash(_("The report is corrected; the one it corrects stays in the history."), "success")
    return redirect(url_for("implementation.manage", proposal_id=proposal.id))


@bp.route("/implementation-photos/<name>")
def update_photo(name):
    """A report's photo: only names the upload pipeline generated, of a project the visitor may see."""
    update = db.session.scalar(select(ImplementationUpdate).where(ImplementationUpdate.photo_name == name))
    if update is None or db.session.get(Proposal, update.proposal_id).is_hidden:
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], name, mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.max_age = 86400
    return response


@bp.route("/areas/<int:area_id>/dashboard")
def dashboard(area_id):
    area = db.get_or_404(Area, area_id)
    process_id = row_id(request.args.get("process", type=int))
    year = request.args.get("year", type=int)
    data = services.dashboard(area, process_id=process_id or None,
                              year=year if year is not None and 2000 <= year <= 2100 else None)
    chart = charts.spent_vs_allocated(
        [(r["proposal"].shown_title, r["allocated"], r["implementation"].spent) for r in data["rows"]],
        title=_("Spent against allocated, per project and in total"),
        labels={"total": _("Total"), "allocated": _("Allocated"), "spent": _("Spent")})
    return render_template("implementation/dashboard.html", area=area, data=data, chart=chart,
                           overdue=meetings.overdue_in_area(area))


@bp.route("/me")
@login_required
def participation():
    return render_template("implementation/me.html", event_text=event_text, form=CSRFOnlyForm(),
                           **participation_of(current_user))


@bp.post("/budgets/<int:budget_id>/follow")
@login_required
def follow_budget(budget_id):
    budget = db.get_or_404(Budget, budget_id)
    if CSRFOnlyForm().validate_on_submit():
        services.follow_budget(current_user, budget)
        flash(_("You follow this budget: you will hear of its results and how its funded projects are built."),
              "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("implementation.participation"))


@bp.post("/budgets/<int:budget_id>/unfollow")
@login_required
def unfollow_budget(budget_id):
    budget = db.get_or_404(Budget, budget_id)
    if CSRFOnlyForm().validate_on_submit():
        services.unfollow_budget(current_user, budget)
        flash(_("You no longer follow this budget."), "success")
    return redirect(url_for("implementation.participation"))


def _same_site(url: str | None) -> bool:
    from urllib.parse import urlsplit

    return bool(url) and urlsplit(url).netloc in ("", request.host)
