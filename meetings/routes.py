"""Town-hall pages: lists, a meeting, scheduling, registration, minutes, calendars."""
from datetime import date, datetime, time

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.areas import all_areas, area_label
from app.core.clock import almaty_moment, local_time, today, utcnow
from app.core.forms import CSRFOnlyForm, date_range_message, parse_day, row_id, whole_number
from app.core.permissions import Action, can
from app.extensions import db
from app.models import Area, Budget, Category, PhaseKind, RoleGrant, User
from app.proposals.services import ProposalError, raise_at_meeting
from meetings import calendar, services
from meetings.forms import CorrectionForm, MeetingForm, RaiseProposalForm, ReasonForm
from meetings.models import DECISIONS, ActionItem, Meeting

bp = Blueprint("meetings", __name__)


def _meeting(meeting_id) -> Meeting:
    return db.get_or_404(Meeting, meeting_id, description=_("No such meeting."))


def _people(role: str) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == role)))
        .order_by(User.full_name)))


@bp.route("/meetings")
def index():
    area = db.session.get(Area, row_id(request.args.get("area", type=int)))
    deputy_id = row_id(request.args.get("deputy", type=int)) if "deputy" in request.args else None
    when = "past" if request.args.get("when") == "past" else "upcoming"
    items = services.meetings_in(area, deputy_id=deputy_id, upcoming=when == "upcoming")
    areas = [a for a in all_areas() if a.kind != "okrug"]
    return render_template("meetings/index.html", meetings=items, area=area, areas=areas, when=when,
                           deputies=_people("deputy"), deputy_id=deputy_id,
                           may_schedule=current_user.is_authenticated and can(current_user, Action.SCHEDULE_MEETINGS))


def _local(day: date, at: time) -> datetime:
    return almaty_moment(day, at)


def _form(meeting: Meeting | None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    by_id = {a.id: a for a in all_areas()}
    form.area_id.choices = [(a.id, area_label(a, by_id)) for a in services.schedulable_areas(current_user)]
    form.cohost_ids.choices = [(u.id, u.full_name) for u in _people("deputy") if u.id != current_user.id]
    form.invited_ids.choices = [(u.id, u.full_name) for u in _people("akimat")]
    area = db.session.get(Area, row_id(form.area_id.data)) or (meeting.area if meeting else None) or \
        (by_id.get(form.area_id.choices[0][0]) if form.area_id.choices else None)
    form.proposal_ids.choices = [(p.id, f"No. {p.id} — {p.title}") for p in
                                 (services.discussable_proposals(area) if area else [])]
    if meeting is not None and request.method == "GET":
        start, end = local_time(meeting.starts_at), local_time(meeting.ends_at)
        form.day.data, form.starts.data, form.ends.data = start.date(), start.time(), end.time()
        form.cohost_ids.data = [u.id for u in meeting.cohosts]
        form.invited_ids.data = [u.id for u in meeting.invited]
        form.proposal_ids.data = [i.proposal_id for i in meeting.agenda if i.proposal_id]
        form.free_items.data = "\n".join(i.title for i in meeting.agenda if not i.proposal_id and i.title)
    return form


@bp.route("/meetings/new", methods=["GET", "POST"])
@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id=None):
    meeting = _meeting(meeting_id) if meeting_id else None
    if meeting is None and not can(current_user, Action.SCHEDULE_MEETINGS):
        abort(403)
    if meeting is not None and not services.is_host(current_user, meeting):
        abort(403)
    form = _form(meeting)
    if form.validate_on_submit():
        area = db.session.get(Area, form.area_id.data)
        agenda = [(pid, None) for pid in form.proposal_ids.data or []] + \
            [(None, line) for line in (form.free_items.data or "").splitlines() if line.strip()]
        try:
            saved = services.save_meeting(
                meeting or Meeting(), current_user, area=area, title=form.title.data,
                description=form.description.data or "", kind=form.kind.data, venue=form.venue.data,
                address=form.address.data, online_link=form.online_link.data,
                starts_at=_local(form.day.data, form.starts.data), ends_at=_local(form.day.data, form.ends.data),
                capacity=form.capacity.data, cohost_ids=form.cohost_ids.data or [],
                invited_ids=form.invited_ids.data or [], agenda=agenda, reason=form.reason.data,
            )
        except services.MeetingError as error:
            db.session.rollback()
            field = getattr(form, error.field, None) if error.field else None
            if field is not None:
                field.errors = list(field.errors) + [error.message]
            else:
                flash(str(error.message), "error")
        else:
            flash(_("The meeting is saved."), "success")
            return redirect(url_for("meetings.show", meeting_id=saved.id))
    return render_template("meetings/form.html", form=form, meeting=meeting)


@bp.route("/meetings/<int:meeting_id>")
def show(meeting_id):
    meeting = _meeting(meeting_id)
    registration = services.registration_of(current_user, meeting)
    waitlist = [r for r in meeting.registrations if r.status == "waitlisted"]
    return render_template(
        "meetings/show.html", meeting=meeting, registration=registration, taken=services.taken_places(meeting),
        waitlist_position=(waitlist.index(registration) + 1) if registration in waitlist else None,
        host=services.is_host(current_user, meeting), now=utcnow(), form=CSRFOnlyForm(), cancel_form=ReasonForm(),
        correction_form=CorrectionForm(),
    )


def _action(meeting_id, action, success):
    meeting = _meeting(meeting_id)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    try:
        action(meeting)
    except services.MeetingError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(success, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/register")
@login_required
def register(meeting_id):
    return _action(meeting_id, lambda m: services.register(current_user, m), _("You are registered."))


@bp.post("/meetings/<int:meeting_id>/unregister")
@login_required
def unregister(meeting_id):
    return _action(meeting_id, lambda m: services.unregister(current_user, m), _("Your registration is cancelled."))


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id):
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refused_form(meeting_id, form)
    return _action(meeting_id, lambda m: services.cancel(m, current_user, form.reason.data or ""),
                   _("The meeting is cancelled and registered residents are told why."))


def _refused_form(meeting_id, form):
    """A small form on the meeting page that did not validate: back to the page with its message
    (a form without its CSRF token is refused by CSRFProtect before it gets here)."""
    meeting = _meeting(meeting_id)
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "error")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


def _read_minutes(meeting: Meeting) -> dict:
    decisions = {}
    for item in meeting.agenda:
        if f"note-{item.id}" not in request.form and f"decision-{item.id}" not in request.form:
            continue  # not on this host's form (a proposal they may not decide on): left as it is
        cost = request.form.get(f"cost-{item.id}", "").strip()
        decisions[item.id] = {
            "decision": request.form.get(f"decision-{item.id}") or None,
            "note": request.form.get(f"note-{item.id}", ""),
            "title": request.form.get(f"title-{item.id}", ""),
            "description": request.form.get(f"description-{item.id}", ""),
            "cost": whole_number(cost, max_digits=13),
        }
    actions = []
    for n in range(min(whole_number(request.form.get("action_rows")) or 0, 50)):
        what = request.form.get(f"what-{n}", "").strip()
        if not what:
            continue
        owner = request.form.get(f"owner-{n}", "")
        given = request.form.get(f"due-{n}", "").strip()
        due = parse_day(given)
        if due is None:
            raise services.MeetingError(date_range_message() if given else _("Give each action item a due date."),
                                        field="action_items")
        actions.append({"what": what, "owner_id": row_id(whole_number(owner)), "due_on": due,
                        "status": request.form.get(f"status-{n}", "open")})
    attendance = request.form.get("attendance_count", "0").strip()
    if whole_number(attendance, max_digits=7) is None:
        raise services.MeetingError(_("Attendance is a whole number."), field="attendance_count")
    return {"attendance_count": whole_number(attendance, max_digits=7),
            "attended_user_ids": [n for n in map(row_id, map(whole_number, request.form.getlist("attended"))) if n],
            "summary": request.form.get("summary", ""), "decisions": decisions, "action_items": actions}


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id):
    meeting = _meeting(meeting_id)
    if not services.is_host(current_user, meeting):
        abort(403)
    form = CSRFOnlyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.save_minutes(meeting, current_user, **_read_minutes(meeting))
            if request.form.get("publish"):
                services.publish_minutes(meeting, current_user)
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            if meeting.minutes_published:
                flash(_("The minutes are published and every discussed proposal shows the decision."), "success")
                return redirect(url_for("meetings.show", meeting_id=meeting.id))
            flash(_("The draft minutes are saved."), "success")
            return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    owners = _people("akimat") + _people("deputy")
    refusals = {item.id: services.may_decide(current_user, item) for item in meeting.agenda if item.proposal_id}
    return render_template("meetings/minutes.html", meeting=meeting, form=form, decisions=DECISIONS,
                           owners=owners, rows=max(3, len(meeting.action_items) + 1), refusals=refusals,
                           limits=services.TEXT_LIMITS)


@bp.post("/meetings/<int:meeting_id>/corrections")
@login_required
def correction(meeting_id):
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _refused_form(meeting_id, form)
    return _action(meeting_id, lambda m: services.add_correction(m, current_user, form.text.data or ""),
                   _("The correction is appended."))


@bp.post("/action-items/<int:item_id>/status")
@login_required
def action_status(item_id):
    item = db.get_or_404(ActionItem, item_id)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    try:
        services.set_action_status(item, current_user, request.form.get("status", ""))
    except services.MeetingError as error:
        flash(str(error.message), "error")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("meetings.show", meeting_id=item.meeting_id))


@bp.route("/meetings/<int:meeting_id>/raise", methods=["GET", "POST"])
@login_required
def raise_proposal(meeting_id):
    meeting = _meeting(meeting_id)
    if not services.is_host(current_user, meeting):
        abort(403)
    budgets = [b for b in db.session.scalars(select(Budget).where(Budget.area_id.in_(meeting.area.ancestor_ids)))
               if b.process.is_in_phase(PhaseKind.PROPOSALS)]
    form = RaiseProposalForm()
    form.budget_id.choices = [(b.id, f"{b.name} — {b.process.title}") for b in budgets]
    process_ids = {b.process_id for b in budgets}
    form.category_id.choices = [(0, _("(choose a category)"))] + [
        (c.id, c.name) for c in db.session.scalars(select(Category).where(Category.process_id.in_(process_ids)))]
    if form.validate_on_submit():
        try:
            proposal = raise_at_meeting(
                current_user, db.session.get(Budget, form.budget_id.data), meeting.title, title=form.title.data,
                description=form.description.data, category=db.session.get(Category, form.category_id.data or 0),
                address=form.address.data, cost=form.estimated_cost.data)
        except ProposalError as error:
            flash(str(error.message), "error")
        else:
            flash(_("The proposal is submitted on behalf of the meeting."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("meetings/raise.html", form=form, meeting=meeting)


@bp.route("/deputies/<int:user_id>")
def deputy(user_id):
    person = db.get_or_404(User, user_id)
    okrugs = [g.area for g in person.grants if g.role == "deputy" and g.area is not None]
    if not okrugs:
        abort(404)
    held = services.meetings_in(None, deputy_id=person.id, upcoming=False)
    upcoming = services.meetings_in(None, deputy_id=person.id, upcoming=True)
    open_items = db.session.scalars(select(ActionItem).where(ActionItem.owner_id == person.id,
                                                             ActionItem.status == "open")
                                    .order_by(ActionItem.due_on)).all()
    return render_template("meetings/deputy.html", person=person, okrugs=okrugs, held=held, upcoming=upcoming,
                           open_items=open_items, today=today(), form=CSRFOnlyForm())


@bp.route("/action-items/overdue")
@login_required
def overdue():
    if not can(current_user, Action.COUNT_AND_PUBLISH):
        abort(403)
    return render_template("meetings/overdue.html", items=services.overdue_action_items(current_user),
                           today=today(), form=CSRFOnlyForm())


@bp.route("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id):
    meeting = _meeting(meeting_id)
    return Response(calendar.calendar_for([meeting], name=meeting.title), mimetype="text/calendar; charset=utf-8")


@bp.route("/areas/<int:area_id>/meetings.ics")
def area_ics(area_id):
    area = db.get_or_404(Area, area_id)
    items = list(db.session.scalars(select(Meeting).where(Meeting.area_id.in_(area.subtree_select()))
                                    .order_by(Meeting.starts_at)))
    return Response(calendar.calendar_for(items, name=f"Qatysu — {area.name}"),
                    mimetype="text/calendar; charset=utf-8")
