"""Town-hall pages: lists, a meeting, scheduling, registration, minutes, calendars."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.core.areas import all_areas, area_label
from app.core.clock import almaty_moment, local_time, today, utcnow
from app.core.errors import ServiceError, refuse
from app.core.forms import CSRFOnlyForm, row_id, whole_number
from app.core.permissions import Action, can
from app.extensions import db
from app.models import Area, Budget, Category, User
from app.proposals.services import raise_at_meeting
from meetings import calendar, minutes, registrants, services
from meetings.forms import (
    MAX_ACTION_ROWS,
    CorrectionForm,
    MeetingForm,
    MessageForm,
    RaiseProposalForm,
    ReasonForm,
    read_minutes,
)
from meetings.models import DECISIONS, ActionItem, AgendaItem, Meeting, MinutesCorrection, Registration

bp = Blueprint("meetings", __name__)


def _meeting(meeting_id) -> Meeting:
    return db.get_or_404(Meeting, meeting_id, description=_("No such meeting."))


@bp.route("/meetings")
def index():
    area = db.session.get(Area, row_id(request.args.get("area", type=int)))
    deputy_id = row_id(request.args.get("deputy", type=int)) if "deputy" in request.args else None
    when = "past" if request.args.get("when") == "past" else "upcoming"
    items = services.meetings_in(area, deputy_id=deputy_id, upcoming=when == "upcoming")
    areas = [a for a in all_areas() if a.kind != "okrug"]
    return render_template("meetings/index.html", meetings=items, area=area, areas=areas, when=when,
                           deputies=services.people_with_role("deputy"), deputy_id=deputy_id,
                           may_schedule=current_user.is_authenticated and can(current_user, Action.SCHEDULE_MEETINGS))


def _form(meeting: Meeting | None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    by_id = {a.id: a for a in all_areas()}
    form.area_id.choices = [(a.id, area_label(a, by_id)) for a in services.schedulable_areas(current_user)]
    form.cohost_ids.choices = [(u.id, u.full_name) for u in services.people_with_role("deputy")
                               if u.id != current_user.id]
    form.invited_ids.choices = [(u.id, u.full_name) for u in services.people_with_role("akimat")]
    area = db.session.get(Area, row_id(form.area_id.data)) or (meeting.area if meeting else None) or \
        (by_id.get(form.area_id.choices[0][0]) if form.area_id.choices else None)
    form.proposal_ids.choices = [(p.id, _("No. %(n)s", n=p.id) + " — " + p.title) for p in
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
        agenda = [(pid, None) for pid in form.proposal_ids.data or []] + \
            [(None, line) for line in (form.free_items.data or "").splitlines() if line.strip()]
        try:
            saved = services.save_meeting(
                meeting or Meeting(), current_user, area=db.session.get(Area, form.area_id.data),
                title=form.title.data, description=form.description.data or "", kind=form.kind.data,
                venue=form.venue.data, address=form.address.data, online_link=form.online_link.data,
                starts_at=almaty_moment(form.day.data, form.starts.data),
                ends_at=almaty_moment(form.day.data, form.ends.data),
                capacity=form.capacity.data, cohost_ids=form.cohost_ids.data or [],
                invited_ids=form.invited_ids.data or [], agenda=agenda, reason=form.reason.data,
            )
        except ServiceError as error:
            refuse(error, form)
        else:
            flash(_("The meeting is saved."), "success")
            return redirect(url_for("meetings.show", meeting_id=saved.id))
    return render_template("meetings/form.html", form=form, meeting=meeting)


# Everything the meeting page names, loaded with the meeting: one query per list, not per row
# (a town hall of 500 registrants would otherwise cost 500 queries for its hosts' page).
PAGE_OPTIONS = (
    joinedload(Meeting.area), joinedload(Meeting.host), selectinload(Meeting.cohosts), selectinload(Meeting.invited),
    selectinload(Meeting.registrations).joinedload(Registration.user),
    selectinload(Meeting.agenda).joinedload(AgendaItem.proposal),
    selectinload(Meeting.action_items).joinedload(ActionItem.owner),
    selectinload(Meeting.corrections).joinedload(MinutesCorrection.author),
    selectinload(Meeting.corrections).selectinload(MinutesCorrection.proposals),
)


@bp.route("/meetings/<int:meeting_id>")
def show(meeting_id):
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).options(*PAGE_OPTIONS))
    if meeting is None:
        abort(404, description=_("No such meeting."))
    registration = services.registration_of(current_user, meeting)
    waitlist = [r for r in meeting.registrations if r.status == "waitlisted"]
    return render_template(
        "meetings/show.html", meeting=meeting, registration=registration, taken=services.taken_places(meeting),
        waitlist_position=(waitlist.index(registration) + 1) if registration in waitlist else None,
        host=services.is_host(current_user, meeting), now=utcnow(), today=today(), form=CSRFOnlyForm(),
        cancel_form=ReasonForm(), correction_form=CorrectionForm(), message_form=MessageForm(),
        attendees=registrants.attendees(meeting),
    )


def _action(meeting_id, action, success, form=None):
    """Validate a small form of the meeting page (a button carries only its CSRF token), call one
    service, flash what happened, and go back to the meeting."""
    meeting = _meeting(meeting_id)
    form = form or CSRFOnlyForm()
    if not form.validate_on_submit():
        if isinstance(form, CSRFOnlyForm):
            abort(400)
        for errors in form.errors.values():  # CSRFProtect refused a missing token before this
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for("meetings.show", meeting_id=meeting.id))
    try:
        done = action(meeting, form)
    except ServiceError as error:
        refuse(error)
    else:
        flash(success(done) if callable(success) else success, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/register")
@login_required
def register(meeting_id):
    return _action(meeting_id, lambda m, f: services.register(current_user, m), _registered)


def _registered(registration) -> str:
    """Someone third on a waitlist is not told they are registered."""
    if registration.status != "waitlisted":
        return _("You are registered.")
    waitlist = [r for r in registration.meeting.registrations if r.status == "waitlisted"]
    return _("All places are taken: you are on the waitlist, number %(n)s. We will tell you if a place frees up.",
             n=waitlist.index(registration) + 1)


@bp.post("/meetings/<int:meeting_id>/unregister")
@login_required
def unregister(meeting_id):
    return _action(meeting_id, lambda m, f: services.unregister(current_user, m), _("Your registration is cancelled."))


@bp.post("/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id):
    return _action(meeting_id, lambda m, f: services.cancel(m, current_user, f.reason.data or ""),
                   _("The meeting is cancelled and registered residents are told why."), ReasonForm())


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"], endpoint="minutes")
@login_required
def minutes_page(meeting_id):
    """The draft minutes. Shown only while they can be recorded (the meeting has started, is not
    cancelled, is not published); a refused save shows every message and keeps what was typed;
    "another action item" adds a row without JavaScript (nothing is saved then)."""
    meeting = _meeting(meeting_id)
    if not services.is_host(current_user, meeting):
        abort(403)
    form, errors, values = CSRFOnlyForm(), {}, None
    rows = max(3, len(meeting.action_items) + 1)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = request.form
        submitted = whole_number(values.get("action_rows")) or 0
        if values.get("more_rows"):
            rows = min(max(rows, submitted) + 1, MAX_ACTION_ROWS)
        else:
            rows = max(rows, min(submitted, MAX_ACTION_ROWS))
            try:
                minutes.record(meeting, current_user, read_minutes(values, meeting),
                               publish=bool(values.get("publish")))
            except ServiceError as error:
                refuse(error, errors)
            else:
                if meeting.minutes_published:
                    flash(_("The minutes are published and every discussed proposal shows the decision."), "success")
                    return redirect(url_for("meetings.show", meeting_id=meeting.id))
                flash(_("The draft minutes are saved."), "success")
                return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    refusals = {item.id: minutes.may_decide(current_user, item) for item in meeting.agenda if item.proposal_id}
    return render_template("meetings/minutes.html", meeting=meeting, form=form, decisions=DECISIONS,
                           owners=services.possible_owners(meeting), rows=rows, refusals=refusals,
                           limits=services.TEXT_LIMITS, errors=errors, values=values, now=utcnow(),
                           max_rows=MAX_ACTION_ROWS)


@bp.post("/meetings/<int:meeting_id>/corrections")
@login_required
def correction(meeting_id):
    return _action(meeting_id, lambda m, f: minutes.add_correction(m, current_user, f.text.data or "",
                                                                   f.proposal_ids.data or []),
                   _("The correction is appended."), CorrectionForm())


def _hosted(meeting_id) -> Meeting:
    meeting = _meeting(meeting_id)
    if not services.is_host(current_user, meeting):
        abort(403)
    return meeting


@bp.post("/meetings/<int:meeting_id>/messages")
@login_required
def message(meeting_id):
    _hosted(meeting_id)
    return _action(meeting_id, lambda m, f: registrants.write_to_registrants(m, current_user, f.text.data or ""),
                   _("Your message is sent to everyone registered."), MessageForm())


@bp.route("/meetings/<int:meeting_id>/registrants.csv")
@login_required
def registrants_csv(meeting_id):
    meeting = _hosted(meeting_id)
    return Response(registrants.registrants_csv(meeting), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}-registrants.csv"'})


@bp.route("/meetings/<int:meeting_id>/attendance-sheet")
@login_required
def attendance_sheet(meeting_id):
    """The sheet residents sign at the door (printed): the registrants with empty lines."""
    meeting = _hosted(meeting_id)
    listed = [r for r in meeting.registrations if r.status == "registered"]
    return render_template("meetings/attendance_sheet.html", meeting=meeting, listed=listed, blank=10)


@bp.route("/meetings/<int:meeting_id>/protocol")
def protocol(meeting_id):
    """The printable хаттама of published minutes (public, like the minutes on the meeting page)."""
    meeting = _meeting(meeting_id)
    if not meeting.minutes_published:
        abort(404)
    return render_template("meetings/protocol.html", meeting=meeting,
                           attended=len(registrants.attendees(meeting)))


@bp.post("/action-items/<int:item_id>/status")
@login_required
def action_status(item_id):
    item = db.get_or_404(ActionItem, item_id)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    try:
        minutes.set_action_status(item, current_user, request.form.get("status", ""))
    except ServiceError as error:
        refuse(error)
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("meetings.show", meeting_id=item.meeting_id))


@bp.route("/meetings/<int:meeting_id>/raise", methods=["GET", "POST"])
@login_required
def raise_proposal(meeting_id):
    meeting = _meeting(meeting_id)
    if not services.is_host(current_user, meeting):
        abort(403)
    budgets = services.budgets_open_at(meeting)
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
        except ServiceError as error:
            refuse(error)
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
    return render_template("meetings/deputy.html", person=person, okrugs=okrugs, held=held, upcoming=upcoming,
                           open_items=services.open_items_of(person), today=today(), form=CSRFOnlyForm())


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
    return Response(calendar.calendar_for(services.meetings_of_area(area), name=f"Qatysu — {area.name}"),
                    mimetype="text/calendar; charset=utf-8")
