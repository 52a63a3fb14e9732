"""Ballot problems from ``voting.BallotRules`` in the voter's language.

The library returns a stable code and the numbers; each code has a translatable sentence here,
so the booth never shows the library's English text."""
from flask_babel import lazy_gettext as _l

from app.core.i18n import money

VIOLATION_SENTENCES = {
    "unknown_project": _l("Project No. %(project)s is not on this ballot."),
    "duplicate_project": _l("Project No. %(project)s is chosen more than once."),
    "too_few_projects": _l("Choose at least %(min)s project(s); you chose %(count)s."),
    "too_many_projects": _l("Choose at most %(max)s project(s); you chose %(count)s."),
    "over_budget": _l("The projects you chose cost %(total)s together, more than the %(limit)s available."),
    "under_min_cost": _l("The projects you chose cost %(total)s together; choose projects worth at least %(min)s."),
    "too_many_points": _l("You gave %(total)s points in total; at most %(max)s may be given."),
    "too_few_points": _l("You gave %(total)s points in total; give at least %(min)s."),
    "points_above_max": _l("You gave %(points)s points to project No. %(project)s; at most %(max)s per project."),
    "points_below_min": _l("You gave %(points)s points to project No. %(project)s; at least %(min)s per project."),
    "points_not_number": _l("The points for project No. %(project)s must be a number."),
    "ranking_too_long": _l("Rank at most %(max)s project(s); you ranked %(count)s."),
    "ranking_too_short": _l("Rank at least %(min)s project(s); you ranked %(count)s."),
}
MONEY_PARAMS = {"over_budget": ("total", "limit"), "under_min_cost": ("total", "min")}


def violation_text(violation) -> str:
    """One ``voting.Violation`` as a sentence in the current language."""
    sentence = VIOLATION_SENTENCES.get(violation.code)
    if sentence is None:
        return violation.message
    params = dict(violation.params)
    for key in MONEY_PARAMS.get(violation.code, ()):
        params[key] = money(int(float(params[key])))
    return str(sentence) % params

