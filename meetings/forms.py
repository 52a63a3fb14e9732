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
from wtforms.validators import Length, NumberRange, Optional

from app.forms import NUMBER_REQUIRED, REQUIRED

KIND_CHOICES = [("in_person", _l("In person")), ("online", _l("Online")), ("hybrid", _l("In person and online"))]


class MeetingForm(FlaskForm):
    area_id = SelectField(_l("Okrug or area"), coerce=int)
    title = StringField(_l("Title"), validators=[REQUIRED, Length(min=5, max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    kind = RadioField(_l("Format"), choices=KIND_CHOICES, default="in_person")
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)],
                        description=_l("E.g. School No. 54, assembly hall."))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    online_link = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    day = DateField(_l("Date"), validators=[REQUIRED])
    starts = TimeField(_l("Starts at (Almaty time)"), validators=[REQUIRED])
    ends = TimeField(_l("Ends at (Almaty time)"), validators=[REQUIRED])
    capacity = IntegerField(_l("Places (empty: no limit)"), validators=[Optional(), NumberRange(min=1, max=100_000)])
    cohost_ids = SelectMultipleField(_l("Co-hosting deputies"), coerce=int, validate_choice=False)
    invited_ids = SelectMultipleField(_l("Invited akimat officials"), coerce=int, validate_choice=False)
    proposal_ids = SelectMultipleField(_l("Proposals on the agenda"), coerce=int, validate_choice=False)
    free_items = TextAreaField(_l("Other agenda items (one per line)"), validators=[Optional(), Length(max=3000)])
    reason = TextAreaField(_l("Reason for the change (sent to registered residents)"),
                           validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Save the meeting"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[REQUIRED, Length(min=5, max=1000)])
    submit = SubmitField(_l("Cancel the meeting"))


class CorrectionForm(FlaskForm):
    text = TextAreaField(_l("Correction"), validators=[REQUIRED, Length(min=5, max=3000)])
    submit = SubmitField(_l("Append the correction"))


class RaiseProposalForm(FlaskForm):
    budget_id = SelectField(_l("Budget"), coerce=int)
    title = StringField(_l("Title"), validators=[REQUIRED, Length(min=5, max=200)])
    description = TextAreaField(_l("Description"), validators=[REQUIRED, Length(min=30, max=10_000)])
    category_id = SelectField(_l("Category"), coerce=int)
    address = StringField(_l("Address or place"), validators=[REQUIRED, Length(max=300)])
    estimated_cost = IntegerField(_l("Estimated cost, tenge"), validators=[NUMBER_REQUIRED, NumberRange(min=1, max=10**13)])
    submit = SubmitField(_l("Submit the proposal"))
