"""Ballot configuration and paper-ballot forms (the booth reads its inputs by hand because
the fields depend on the projects on the ballot)."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.forms import NUMBER_REQUIRED, REQUIRED

BALLOT_TYPE_LABELS = {
    "approval": _l("Approval: choose projects (within a minimum and maximum number)"),
    "knapsack": _l("Knapsack: choose projects whose total cost fits the budget"),
    "cumulative": _l("Cumulative: distribute points among projects"),
    "ranking": _l("Ranking: rank projects in order of preference"),
}
RULE_LABELS = {
    "greedy": _l("Most votes first (greedy): fund projects by votes while money remains"),
    "mes": _l("Method of Equal Shares: every voter controls an equal share of the budget, so "
              "groups of residents get projects in proportion to their size"),
    "greedy-per-cost": _l("Most votes per tenge first"),
    "max-utility": _l("Most total votes that fit the budget (exact optimum)"),
    "phragmen": _l("Sequential Phragmén (approval ballots)"),
}
TIE_BREAK_LABELS = {
    "id": _l("By proposal number, compared as text (as pabutools does)"),
    "cost": _l("Lowest cost first"),
    "votes": _l("Most votes first"),
    "lottery": _l("Seeded lottery"),
}


class BallotConfigForm(FlaskForm):
    ballot_type = SelectField(_l("Ballot type"), choices=list(BALLOT_TYPE_LABELS.items()))
    min_projects = IntegerField(_l("Minimum number of projects"), default=1,
                                validators=[NUMBER_REQUIRED, NumberRange(min=0, max=100)])
    max_projects = IntegerField(_l("Maximum number of projects (empty: no maximum)"), default=3,
                                validators=[Optional(), NumberRange(min=1, max=100)])
    max_points = IntegerField(_l("Points each voter distributes (cumulative)"),
                              validators=[Optional(), NumberRange(min=1, max=1000)])
    max_points_per_project = IntegerField(_l("Most points for one project (cumulative)"),
                                          validators=[Optional(), NumberRange(min=1, max=1000)])
    rule = SelectField(_l("Counting rule"), choices=list(RULE_LABELS.items()))
    tie_break = SelectField(_l("Tie-break"), choices=list(TIE_BREAK_LABELS.items()))
    min_votes = IntegerField(_l("Minimum votes for a project to be funded"), default=1,
                             validators=[NUMBER_REQUIRED, NumberRange(min=0, max=10**7)])
    allow_change = BooleanField(_l("Voters may change their ballot until voting closes"))
    min_age = IntegerField(_l("Minimum voting age"), default=16,
                           validators=[NUMBER_REQUIRED, NumberRange(min=14, max=120)])
    submit = SubmitField(_l("Save the ballot"))


class PaperVoterForm(FlaskForm):
    iin = StringField(_l("Voter's IIN"), validators=[REQUIRED, Length(max=20)])
    reason = TextAreaField(_l("Reason to add a voter who is not on the roll"), validators=[Optional(), Length(max=500)],
                           description=_l("Only for a voter not on the roll, for example: registered in the "
                                          "district, document shown. The audit log keeps it."))
    submit = SubmitField(_l("Mark as voting on paper"))


class PaperBallotForm(FlaskForm):
    submit = SubmitField(_l("Enter this ballot paper"))


KEY_FILE = FileField(_l("Count key file"), validators=[FileRequired(message=_l("Choose the count key file."))])


class OpenVotingForm(FlaskForm):
    key_file = KEY_FILE
    saved = BooleanField(_l("The counting commission has this file, saved where it is safe; I know it cannot be "
                            "made again."), validators=[DataRequired(message=_l("Confirm that the file is saved."))])
    reason = StringField(_l("Reason to open voting before its date"), validators=[Optional(), Length(max=500)])
    confirm = BooleanField(_l("I have read what is not ready and open it anyway"))
    submit = SubmitField(_l("Open voting"))


class PrepareKeysForm(FlaskForm):
    submit = SubmitField(_l("Make the count keys and download the file"))


class CountForm(FlaskForm):
    key_file = FileField(_l("Count key file"))
    submit = SubmitField(_l("Count the votes"))


def uploaded_key(field) -> bytes:
    """The uploaded key file's bytes, read into memory for this request only (never saved); a file
    larger than any key file reads as empty, which the services refuse as not a key file."""
    storage = field.data
    if not storage:
        return b""
    limit = current_app.config["MAX_KEY_FILE_BYTES"]
    data = storage.read(limit + 1)
    return b"" if len(data) > limit else data
