"""Why each project was funded or not, in the reader's language.

The counting library gives every project a reason code with its numbers; this module holds
the translatable sentence for each code. Its English explanation is the fallback."""
from flask_babel import lazy_gettext as _l

from app.core.i18n import money

REASON_SENTENCES = {
    "funded": _l("Funded: %(votes)s votes, costs %(cost)s."),
    "funded_mes": _l("Funded in round %(round)s: its %(votes)s supporters paid %(share)s each."),
    "funded_completion": _l("Funded when the leftover money was shared: %(votes)s votes, costs %(cost)s."),
    "not_funded_supporters_short": _l("Not funded: its supporters had %(left)s left, it costs %(cost)s."),
    "not_funded_did_not_fit": _l("Not funded: did not fit the remaining %(left)s."),
    "not_funded_too_few_votes": _l("Not funded: fewer than %(min)s votes."),
    "not_funded_too_dear": _l("Not funded: costs %(cost)s, more than the whole budget."),
    "not_funded": _l("Not funded."),
}
MONEY = ("cost", "share", "left")


def explanation_text(data: dict) -> str:
    """The sentence for one project of a stored result (``data['reason']`` = code + params)."""
    reason = data.get("reason") or {}
    sentence = REASON_SENTENCES.get(reason.get("code"))
    if sentence is None:
        return data.get("explanation", "")
    params = dict(reason.get("params", {}))
    for key in MONEY:
        if key in params:
            params[key] = money(round(float(params[key])))
    try:
        return str(sentence) % params
    except (KeyError, TypeError, ValueError):
        return data.get("explanation", "")
