"""Admin forms: areas, processes with their phases, budgets, role grants, MCI rates."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, Regexp

from app.core.forms import NUMBER_REQUIRED, REQUIRED, MoneyField, TextLength, day_in_range
from app.core.labels import AREA_KIND_LABELS, PHASE_LABELS, ROLE_LABELS
from app.models import GRANTABLE_ROLES, PhaseKind


class AreaForm(FlaskForm):
    parent_id = SelectField(_l("Inside"), coerce=int)
    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in AREA_KIND_LABELS.items()])
    kato = StringField(
        _l("KATO code"),
        validators=[Optional(), TextLength(max=9), Regexp(r"^\d{9}$", message=_l("A KATO code has 9 digits."))],
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[REQUIRED, TextLength(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[REQUIRED, TextLength(max=200)])
    name_en = StringField(_l("Name in English"), validators=[REQUIRED, TextLength(max=200)])
    submit = SubmitField(_l("Save"))


class PhaseDatesForm(FlaskForm):
    class Meta:
        csrf = False  # nested inside a form that carries the token

    starts_on = DateField(_l("Starts on"), validators=[REQUIRED, day_in_range])
    ends_on = DateField(_l("Ends on (inclusive)"), validators=[REQUIRED, day_in_range])


class ProcessForm(FlaskForm):
    area_id = SelectField(_l("Area"), coerce=int)
    year = IntegerField(_l("Year"), validators=[NUMBER_REQUIRED, NumberRange(min=2000, max=2100)])
    title_kk = StringField(_l("Title in Kazakh"), validators=[REQUIRED, TextLength(max=200)])
    title_ru = StringField(_l("Title in Russian"), validators=[REQUIRED, TextLength(max=200)])
    title_en = StringField(_l("Title in English"), validators=[REQUIRED, TextLength(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), TextLength(max=5000)])
    support_threshold = IntegerField(
        _l("Supports a proposal needs before review"), default=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000)], description=_l("0: no threshold."),
    )
    voting_scope = RadioField(
        _l("Ballots per voter"), default="one",
        choices=[("one", _l("One: each person votes on one budget of the process, the one of their district")),
                 ("district_and_city", _l("Two: their district's budget and the city-wide budget, one ballot each"))],
    )
    proposals = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.PROPOSALS])
    review = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.REVIEW])
    voting = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.VOTING])
    results = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.RESULTS])
    implementation = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.IMPLEMENTATION])
    submit = SubmitField(_l("Save"))


class PhaseChangeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown in the process history)"),
        validators=[REQUIRED, TextLength(min=5, max=1000)],
    )
    confirm = BooleanField(_l("I have read what is not ready and open it anyway"))
    submit = SubmitField(_l("Confirm"))


class BudgetForm(FlaskForm):
    area_id = SelectField(_l("Area"), coerce=int)
    name_kk = StringField(_l("Name in Kazakh"), validators=[REQUIRED, TextLength(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[REQUIRED, TextLength(max=200)])
    name_en = StringField(_l("Name in English"), validators=[REQUIRED, TextLength(max=200)])
    amount = MoneyField(
        _l("Amount, tenge"), validators=[NUMBER_REQUIRED, NumberRange(min=1, max=10**14)]
    )
    limit_value = MoneyField(
        _l("Cost limit per project"), validators=[Optional(), NumberRange(min=1, max=10**14)]
    )
    limit_unit = RadioField(
        _l("Limit entered in"),
        choices=[("tenge", _l("tenge")), ("mci", _l("MCI (monthly calculation index)"))],
        default="tenge",
    )
    submit = SubmitField(_l("Save"))


class GrantForm(FlaskForm):
    email = EmailField(_l("User's email"), validators=[REQUIRED, TextLength(max=254)])
    role = SelectField(_l("Role"), choices=[(r.value, ROLE_LABELS[r.value]) for r in GRANTABLE_ROLES])
    area_id = SelectField(_l("Area"), coerce=int)
    submit = SubmitField(_l("Grant"))


class McIForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[NUMBER_REQUIRED, NumberRange(min=2000, max=2100)])
    tenge = MoneyField(_l("MCI, tenge"), validators=[NUMBER_REQUIRED, NumberRange(min=1, max=10**6)])
    submit = SubmitField(_l("Save"))


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[REQUIRED, TextLength(max=40), Regexp(r"^[a-z0-9_]{2,40}$",
                       message=_l("Use 2 to 40 lowercase Latin letters, digits or underscores."))])
    name_kk = StringField(_l("Name in Kazakh"), validators=[REQUIRED, TextLength(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[REQUIRED, TextLength(max=200)])
    name_en = StringField(_l("Name in English"), validators=[REQUIRED, TextLength(max=200)])
    submit = SubmitField(_l("Add the category"))


class BulkForm(FlaskForm):
    """One action and one reason for the proposals ticked in the list (``ids``, read by hand)."""
    action = RadioField(_l("What to do with the chosen proposals"), choices=[
        ("feasible", _l("Reviewed: feasible, at their current cost estimate")),
        ("ballot", _l("Place on the ballot")),
        ("reject", _l("Reviewed: not feasible"))], validators=[REQUIRED])
    reason = TextAreaField(_l("Reason, written on each proposal's timeline"),
                           validators=[Optional(), TextLength(max=2000)])


class CopyProcessForm(FlaskForm):
    """The new year, titles and dates of a process copied from last year's."""
    year = IntegerField(_l("Year"), validators=[NUMBER_REQUIRED, NumberRange(min=2000, max=2100)])
    title_kk = StringField(_l("Title in Kazakh"), validators=[REQUIRED, TextLength(max=200)])
    title_ru = StringField(_l("Title in Russian"), validators=[REQUIRED, TextLength(max=200)])
    title_en = StringField(_l("Title in English"), validators=[REQUIRED, TextLength(max=200)])
    proposals = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.PROPOSALS])
    review = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.REVIEW])
    voting = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.VOTING])
    results = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.RESULTS])
    implementation = FormField(PhaseDatesForm, label=PHASE_LABELS[PhaseKind.IMPLEMENTATION])
    submit = SubmitField(_l("Copy the process"))
