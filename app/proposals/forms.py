"""Forms for proposals, supports, comments, review and moderation."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import NumberRange, Optional

from app.core.errors import refuse
from app.core.forms import NUMBER_REQUIRED, REQUIRED, MoneyField, TextLength, row_ids
from app.proposals import pending

STANCE_CHOICES = [("for", _l("For")), ("against", _l("Against")), ("neutral", _l("Neutral"))]


class ProposalForm(FlaskForm):
    budget_id = SelectField(_l("Budget"), coerce=int)
    title = StringField(_l("Title"), validators=[REQUIRED, TextLength(min=5, max=200)])
    description = TextAreaField(
        _l("Description"), validators=[REQUIRED, TextLength(min=30, max=10_000)],
        description=_l("What should be built or improved, where, and who will benefit. "
                       "Put two asterisks on each side of a word to make it bold; lists and links work too."),
    )
    category_id = SelectField(_l("Category"), coerce=int)
    address = StringField(_l("Address or place"), validators=[REQUIRED, TextLength(max=300)],
                          description=_l("Street and house, courtyard, or a landmark."))
    estimated_cost = MoneyField(
        _l("Estimated cost, tenge"), validators=[NUMBER_REQUIRED, NumberRange(min=1, max=10**13)]
    )
    photos = MultipleFileField(_l("Photos or a sketch (up to 5: JPEG, PNG or WebP)"))
    remove_photos = SelectMultipleField(
        _l("Remove photos"), coerce=int, option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False), validate_choice=False, validators=[row_ids],
    )
    save_draft = SubmitField(_l("Save as a draft"))
    submit = SubmitField(_l("Submit the proposal"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[REQUIRED, TextLength(min=5, max=2000)])
    submit = SubmitField(_l("Send"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[REQUIRED, TextLength(min=2, max=5000)])
    stance = RadioField(_l("Your position"), choices=STANCE_CHOICES, default="neutral")
    parent_id = HiddenField()
    submit = SubmitField(_l("Publish the comment"))


class ReviewForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("feasible", _l("Feasible")),
                                                   ("not_feasible", _l("Not feasible"))], validators=[REQUIRED])
    final_cost = MoneyField(_l("Final cost estimate, tenge"),
                              validators=[Optional(), NumberRange(min=1, max=10**13)])
    reason = TextAreaField(_l("Explanation for the author"), validators=[Optional(), TextLength(max=2000)])
    submit = SubmitField(_l("Record the review"))


class MergeForm(FlaskForm):
    into = IntegerField(_l("Number of the proposal to merge into"),
                        validators=[NUMBER_REQUIRED, NumberRange(min=1, max=2**31 - 1)])
    note = TextAreaField(_l("Note"), validators=[Optional(), TextLength(max=1000)])
    submit = SubmitField(_l("Merge"))


def validate_keeping_photos(form):
    """``(valid, kept photos)``: on a POST every photo sent (and those kept from the last try) is
    kept until the form is accepted, so an error elsewhere does not lose it; a file that is no
    photo is refused under its field (after validating, which would clear the field's errors)."""
    if request.method != "POST" or not form.is_submitted():
        return False, []
    kept, refusal = pending.keep(current_user, request.files.getlist(form.photos.name), request.form.getlist("kept_photo"))
    valid = form.validate_on_submit()
    if refusal is not None:
        refuse(refusal, form)
    return valid and refusal is None, kept

def still_kept(kept):
    """Those not attached by a save that went through (an attached one is gone from the table)."""
    return pending.claimable(current_user, [photo.token for photo in kept]) if kept else []
