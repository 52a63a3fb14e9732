"""The council's forms: its settings, members, criteria, assignments, and a member's judgement."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from app.core.forms import NUMBER_REQUIRED, REQUIRED, TextLength, whole_number

RULES = [("majority", _l("By a majority of the members assigned to the proposal")),
         ("unanimous", _l("Unanimously by the members assigned to the proposal"))]
SCALES = [("pass_fail", _l("Pass or fail")), ("score", _l("A score from 1 to 5"))]


class SettingsForm(FlaskForm):
    rule = RadioField(_l("The council decides"), choices=RULES, default="majority")
    revision_days = IntegerField(_l("Days the author may revise after the remarks"), default=4,
                                 validators=[NUMBER_REQUIRED, NumberRange(min=0, max=30)])
    names_public = BooleanField(_l("Publish the members' names with their remarks"), default=True)


class MemberForm(FlaskForm):
    email = EmailField(_l("Email of a person with the expert council role"),
                       validators=[REQUIRED, TextLength(max=254)])


class CriterionForm(FlaskForm):
    name_kk = StringField(_l("Name in Kazakh"), validators=[REQUIRED, TextLength(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[REQUIRED, TextLength(max=200)])
    name_en = StringField(_l("Name in English"), validators=[REQUIRED, TextLength(max=200)])
    scale = RadioField(_l("Judged as"), choices=SCALES, default="pass_fail")


class AssignForm(FlaskForm):
    proposal = IntegerField(_l("Proposal No."), validators=[NUMBER_REQUIRED, NumberRange(min=1, max=2**31 - 1)])
    member_id = SelectField(_l("Member"), coerce=int)


class RoundRobinForm(FlaskForm):
    per_proposal = IntegerField(_l("Members per proposal"), default=3,
                                validators=[NUMBER_REQUIRED, NumberRange(min=1, max=50)])


class JudgeForm(FlaskForm):
    verdict = RadioField(_l("Your recommendation"), validators=[Optional()],
                         choices=[("approve", _l("Recommend")), ("reject", _l("Do not recommend"))])
    remark = TextAreaField(_l("Remark for the author"), validators=[Optional(), TextLength(max=3000)])


def read_scores(form_data, criteria) -> dict[int, int | None]:
    """criterion id -> the value chosen (None when missing or not a number; the service says so)."""
    return {c.id: whole_number(form_data.get(f"criterion-{c.id}"), max_digits=1) for c in criteria}
