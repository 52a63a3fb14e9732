"""Forms for scheduling, registering, minutes and corrections."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from app.core.errors import ServiceError
from app.core.forms import (
    NUMBER_REQUIRED,
    REQUIRED,
    MoneyField,
    TextLength,
    date_range_message,
    day_in_range,
    parse_day,
    read_money,
    row_id,
    row_ids,
    too_long,
    whole_number,
)
from app.core.security import LINK_MESSAGE, web_link

AGENDA_LINE = 300  # AgendaItem.title


def each_line_fits(form, field):
    """Every free agenda item (one per line) fits its column."""
    for line in (field.data or "").splitlines():
        problem = too_long(line.strip(), AGENDA_LINE)
        if problem:
            raise ValidationError(problem)


def link_field(form, field):
    if field.data and web_link(field.data) is None:
        raise ValidationError(LINK_MESSAGE)


def _normal_link(value):
    return (web_link(value) or value) if value else value


KIND_CHOICES = [("in_person", _l("In person")), ("online", _l("Online")), ("hybrid", _l("In person and online"))]


class MeetingForm(FlaskForm):
    area_id = SelectField(_l("Okrug or area"), coerce=int)
    title = StringField(_l("Title"), validators=[REQUIRED, TextLength(min=5, max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), TextLength(max=5000)])
    kind = RadioField(_l("Format"), choices=KIND_CHOICES, default="in_person")
    venue = StringField(_l("Venue"), validators=[Optional(), TextLength(max=200)],
                        description=_l("E.g. School No. 54, assembly hall."))
    address = StringField(_l("Address"), validators=[Optional(), TextLength(max=300)])
    online_link = StringField(_l("Online link"), validators=[Optional(), TextLength(max=500), link_field],
                              filters=[_normal_link],
                              description=_l("A web address, like https://meet.example.kz/okrug-7."))
    day = DateField(_l("Date"), validators=[REQUIRED, day_in_range])
    starts = TimeField(_l("Starts at (Almaty time)"), validators=[REQUIRED])
    ends = TimeField(_l("Ends at (Almaty time)"), validators=[REQUIRED])
    capacity = IntegerField(_l("Places (empty: no limit)"), validators=[Optional(), NumberRange(min=1, max=100_000)])
    # Not validated against the choices (an agenda keeps proposals that are no longer offered; the
    # service checks), but each id must be one the database can hold.
    cohost_ids = SelectMultipleField(_l("Co-hosting deputies"), coerce=int, validate_choice=False, validators=[row_ids])
    invited_ids = SelectMultipleField(_l("Invited akimat officials"), coerce=int, validate_choice=False,
                                      validators=[row_ids])
    proposal_ids = SelectMultipleField(_l("Proposals on the agenda"), coerce=int, validate_choice=False,
                                       validators=[row_ids])
    free_items = TextAreaField(_l("Other agenda items (one per line)"),
                               validators=[Optional(), TextLength(max=3000), each_line_fits])
    reason = TextAreaField(_l("Reason for the change (sent to registered residents)"),
                           validators=[Optional(), TextLength(max=1000)])
    submit = SubmitField(_l("Save the meeting"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[REQUIRED, TextLength(min=5, max=1000)])
    submit = SubmitField(_l("Cancel the meeting"))


class CorrectionForm(FlaskForm):
    text = TextAreaField(_l("Correction"), validators=[REQUIRED, TextLength(min=5, max=3000)])
    # The agenda proposals it concerns (the service checks they are on the agenda).
    proposal_ids = SelectMultipleField(_l("The proposals it concerns"), coerce=int, validate_choice=False,
                                       validators=[row_ids])
    submit = SubmitField(_l("Append the correction"))


class MessageForm(FlaskForm):
    text = TextAreaField(_l("Message to everyone registered"), validators=[REQUIRED, TextLength(min=5, max=2000)])
    submit = SubmitField(_l("Send to the registrants"))


class RaiseProposalForm(FlaskForm):
    budget_id = SelectField(_l("Budget"), coerce=int)
    title = StringField(_l("Title"), validators=[REQUIRED, TextLength(min=5, max=200)])
    description = TextAreaField(_l("Description"), validators=[REQUIRED, TextLength(min=30, max=10_000)])
    category_id = SelectField(_l("Category"), coerce=int)
    address = StringField(_l("Address or place"), validators=[REQUIRED, TextLength(max=300)])
    estimated_cost = MoneyField(_l("Estimated cost, tenge"), validators=[NUMBER_REQUIRED, NumberRange(min=1, max=10**13)])
    submit = SubmitField(_l("Submit the proposal"))


MAX_ACTION_ROWS = 50


def read_minutes(values, meeting) -> dict:
    """The minutes form, written by hand (a decision per agenda item, any number of action items),
    as :func:`meetings.minutes.save_minutes` takes it. ``values`` is the request's form data. A
    due date or an attendance that is not one is refused here, with the field it concerns."""
    decisions = {}
    for item in meeting.agenda:
        if f"note-{item.id}" not in values and f"decision-{item.id}" not in values:
            continue  # not on this host's form (a proposal they may not decide on): left as it is
        decisions[item.id] = {
            "decision": values.get(f"decision-{item.id}") or None,
            "note": values.get(f"note-{item.id}", ""),
            "title": values.get(f"title-{item.id}", ""),
            "description": values.get(f"description-{item.id}", ""),
            "cost": read_money(values.get(f"cost-{item.id}"), f"cost-{item.id}"),
        }
    actions = []
    for n in range(min(whole_number(values.get("action_rows")) or 0, MAX_ACTION_ROWS)):
        what = values.get(f"what-{n}", "").strip()
        if not what:
            continue
        given = values.get(f"due-{n}", "").strip()
        due = parse_day(given)
        if due is None:
            raise ServiceError(date_range_message() if given else _l("Give each action item a due date."),
                               field="action_items")
        given_owner = values.get(f"owner-{n}", "").strip()
        if not given_owner:
            raise ServiceError(_l("Choose who owns each action item."), field="action_items")
        owner = row_id(whole_number(given_owner))  # 0, found nowhere, when it cannot be an id
        actions.append({"what": what, "owner_id": owner, "due_on": due,
                        "status": values.get(f"status-{n}", "open")})
    attendance = whole_number(values.get("attendance_count", "0").strip(), max_digits=7)
    if attendance is None:
        raise ServiceError(_l("Attendance is a whole number."), field="attendance_count")
    return {"attendance_count": attendance,
            "attended_user_ids": [n for n in map(row_id, map(whole_number, values.getlist("attended"))) if n],
            "summary": values.get("summary", ""), "decisions": decisions, "action_items": actions}
