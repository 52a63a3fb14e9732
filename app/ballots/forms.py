"""Ballot configuration and paper-ballot forms (the booth reads its inputs by hand because
the fields depend on the projects on the ballot)."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.ballots.count_options import form_values
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
    "maxVotes": _l("Most votes (maxVotes)"),
    "minCost": _l("Lowest cost (minCost)"),
    "maxCost": _l("Highest cost (maxCost)"),
}
NO_MORE_TIE_BREAKS = _l("Nothing more: a tie left here stops the count, naming the projects")
# The options of the Method of Equal Shares, with the names equalshares.net's compute tool gives them.
COMPLETION_LABELS = {
    "add1-greedy": _l("Add1, then greedy (add1-greedy): raise every voter's share step by step while the outcome "
                      "fits the budget, then fund what still fits, as the greedy rule would"),
    "add1": _l("Add1 (add1): raise every voter's share step by step while the outcome fits the budget, and stop "
               "there"),
    "add1u": _l("Add1, then utilitarian (Add1u): raise every voter's share step by step, then fund the projects "
                "with the most votes that still fit"),
    "greedy": _l("Greedy (greedy): after the equal shares, fund what still fits, as the greedy rule would"),
    "utilitarian": _l("Utilitarian (utilitarian): after the equal shares, fund the projects with the most votes "
                      "that still fit"),
    "none": _l("None (none): only what the equal shares pay for, even if money is left"),
}
STOP_LABELS = {
    "exhaustive": _l("Stop when exhaustive (exhaustive): stop raising the shares as soon as no other project fits "
                     "the money left"),
    "over-budget": _l("Stop when over budget (over-budget): keep raising the shares until the next step would "
                      "spend more than the budget"),
}
COMPARISON_LABELS = {
    "none": _l("None (none): the outcome of equal shares is used as it is"),
    "satisfaction": _l("Popularity by voter satisfaction (satisfaction): the greedy outcome is used instead if "
                       "more voters have more of their projects funded by it"),
    "exclusionRatio": _l("Popularity by exclusion ratio (exclusionRatio): the greedy outcome is used instead if "
                         "more voters have a project funded only by it than only by equal shares"),
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
    completion = SelectField(_l("Completion method"), choices=list(COMPLETION_LABELS.items()), default="add1-greedy",
                             description=_l("Equal shares may leave money unspent; the completion says how the "
                                            "rest of the budget is used."))
    integral = BooleanField(_l("Use integral endowments (integral)"),
                            description=_l("Add1 starts from each voter's share rounded down to whole tenge, as "
                                           "equalshares.net recommends."))
    stop = SelectField(_l("When Add1 stops"), choices=list(STOP_LABELS.items()), default="exhaustive",
                       description=_l("Add1 raises the shares until one of these happens."))
    increment = IntegerField(_l("Budget increment in tenge (increment)"), default=1,
                             validators=[Optional(), NumberRange(min=1, max=10**12)],
                             description=_l("How many tenge Add1 adds to every voter's share at each step."))
    comparison = SelectField(_l("Comparison step"), choices=list(COMPARISON_LABELS.items()), default="none",
                             description=_l("Compares the outcome of equal shares with the greedy one (most votes "
                                            "first) and uses the greedy one if more voters prefer it."))
    tie_break = SelectField(_l("Tie-break"), choices=list(TIE_BREAK_LABELS.items()),
                            description=_l("Decides between tied projects; the next criteria are used only while "
                                           "projects stay tied. A tie that no criterion decides stops the count "
                                           "with a message naming the projects."))
    tie_break_2 = SelectField(_l("Then, if still tied"), choices=[("", NO_MORE_TIE_BREAKS), *TIE_BREAK_LABELS.items()],
                              default="")
    tie_break_3 = SelectField(_l("Then, if still tied"), choices=[("", NO_MORE_TIE_BREAKS), *TIE_BREAK_LABELS.items()],
                              default="")
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


SETTINGS = ("ballot_type", "min_projects", "max_projects", "max_points", "max_points_per_project", "rule",
            "min_votes", "allow_change", "min_age")


def settings_of(config) -> dict:
    """A stored ballot configuration as the settings form shows it, count options included."""
    return {**{name: getattr(config, name) for name in SETTINGS},
            **form_values(config.rule_options, config.tie_break)}
