"""Implementation reports, the area dashboard and each resident's "my participation" page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.clock import today
from app.core.forms import CSRFOnlyForm, date_range_message, parse_day, whole_number
from app.core.permissions import Action, can
from app.extensions import db
from app.implementation import services
from app.models import (
    IMPLEMENTATION_STATUSES,
    Area,
    Budget,
    Comment,
    Milestone,
    Proposal,
    ProposalEvent,
    Support,
)
from app.proposals import own_case
from app.proposals.services import ProposalError
from app.proposals.timeline import event_text
from app.results import charts

bp = Blueprint("implementation", __name__)


def _int(name):
    value = request.form.get(name, "").strip()
    number = whole_number(value.removeprefix("-"))
    return None if number is None else (-number if value.startswith("-") else number)


def _date(name):
    """The date in field ``name``, None when it is empty; a date that is not one or lies outside
    the years a process may have (0001-01-01, 9999-12-31) is refused with a message."""
    given = request.form.get(name, "").strip()
    day = parse_day(given)
    if given and day is None:
        raise ProposalError(date_range_message(), field=name)
    return day


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
                starts, planned = _date("starts_on"), _date("planned_on")
                if not request.form.get("title", "").strip() or starts is None or planned is None:
                    raise ProposalError(_("Give the milestone a title, a start date and a due date."), field="milestone")
                services.add_milestone(proposal, current_user, title=request.form["title"], starts_on=starts,
                                       planned_on=planned)
            else:
                services.report(proposal, current_user, status=request.form.get("status", ""),
                                progress=_int("progress"), spent=_int("spent"), note=request.form.get("note", ""))
        except ProposalError as error:
            db.session.rollback()
            errors[error.field or "form"] = str(error.message)
        else:
            flash(_("The implementation report is saved and shown on the proposal's timeline."), "success")
            return redirect(url_for("implementation.manage", proposal_id=proposal.id))
    return render_template("implementation/manage.html", proposal=proposal,
                           implementation=services.implementation_of(proposal), statuses=IMPLEMENTATION_STATUSES,
                           form=form, errors=errors, today=today(),
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
        services.complete_milestone(milestone, current_user, _date("done_on") or today())
    except ProposalError as error:
        flash(str(error.message), "error")
    return redirect(url_for("implementation.manage", proposal_id=proposal.id))


@bp.route("/areas/<int:area_id>/dashboard")
def dashboard(area_id):
    area = db.get_or_404(Area, area_id)
    data = services.dashboard(area)
    chart = charts.spent_vs_allocated(
        [(r["proposal"].shown_title, r["allocated"], r["implementation"].spent) for r in data["rows"]],
        title=_("Spent against allocated, per project and in total"),
        labels={"total": _("Total"), "allocated": _("Allocated"), "spent": _("Spent")})
    from meetings.services import overdue_in_area

    return render_template("implementation/dashboard.html", area=area, data=data, chart=chart,
                           overdue=overdue_in_area(area))


@bp.route("/me")
@login_required
def participation():
    user = current_user
    authored = set(db.session.scalars(select(Proposal.id).where(Proposal.author_id == user.id)))
    supported = set(db.session.scalars(select(Support.proposal_id).where(Support.user_id == user.id)))
    commented = set(db.session.scalars(select(Comment.proposal_id).where(Comment.author_id == user.id)))
    budgets = services.followed_budgets(user)
    followed = set(db.session.scalars(select(Proposal.id).where(
        Proposal.budget_id.in_([b.id for b in budgets]), Proposal.status.in_(services.TRACKED)))) if budgets else set()
    ids = authored | supported | commented | followed
    events = list(db.session.scalars(
        select(ProposalEvent).where(ProposalEvent.proposal_id.in_(ids))
        .options(selectinload(ProposalEvent.proposal)).order_by(ProposalEvent.created_at.desc(), ProposalEvent.id.desc())
        .limit(60))) if ids else []
    proposals = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids)).order_by(Proposal.id.desc()))) if ids else []
    from app.ballots.services import votes_of
    from meetings.services import registrations_of

    votes = votes_of(user)
    names = {b.id: b for b in db.session.scalars(select(Budget).where(Budget.id.in_([v.budget_id for v in votes])))}
    return render_template("implementation/me.html", events=events, event_text=event_text, proposals=proposals,
                           authored=authored, supported=supported, commented=commented, followed=followed,
                           votes=votes, vote_budgets=names, followed_budgets=budgets, form=CSRFOnlyForm(),
                           registrations=registrations_of(user))


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
