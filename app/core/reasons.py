"""Why each project was funded or not, in the reader's language.

The counting library gives every project a reason code with plain numbers; this module holds the
translatable sentence for each code (and for the forms a rule's numbers tell apart, such as
supporters who paid unequal shares). The library's English text is never shown."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.i18n import money

REASON_SENTENCES = {
    "funded": _l("Funded: %(votes)s, costs %(cost)s."),
    "funded_mes": _l("Funded in round %(round)s: its %(supporters)s paid %(share)s each."),
    "funded_mes_unequal": _l("Funded in round %(round)s: its %(supporters)s paid %(share)s on average "
                             "(from %(share_min)s to %(share_max)s: those with less left paid all they had)."),
    "funded_completion": _l("Funded when the leftover money was shared: %(votes)s, costs %(cost)s."),
    "not_funded_supporters_short": _l("Not funded: its supporters had %(left)s left, it costs %(cost)s."),
    "not_funded_did_not_fit": _l("Not funded: did not fit the remaining %(left)s."),
    "not_funded_too_few_votes": _l("Not funded: fewer than %(min)s votes."),
    "not_funded_too_dear": _l("Not funded: costs %(cost)s, more than the whole budget."),
    "not_funded": _l("Not funded."),
}
MONEY = ("cost", "share", "share_min", "share_max", "left")


def _form(code: str, params: dict) -> str:
    """The sentence a reason's numbers call for: equal shares said only when they were equal."""
    if code == "funded_mes" and "share_min" in params and round(params["share_min"]) != round(params["share_max"]):
        return "funded_mes_unequal"
    return code


def reason_text(reason: dict | None) -> str | None:
    """The sentence for ``{"code", "params"}`` as the library gives it; None for an unknown code."""
    reason = reason or {}
    code = reason.get("code")
    if code not in REASON_SENTENCES:
        return None
    params = dict(reason.get("params") or {})
    form = _form(code, params)
    if "votes" in params:
        n = round(float(params["votes"]))
        params["supporters"] = ngettext("%(num)s supporter", "%(num)s supporters", n)
        params["votes"] = ngettext("%(num)s vote", "%(num)s votes", n)
    if "min" in params:
        params["min"] = round(float(params["min"]))
    for key in MONEY:
        if key in params:
            params[key] = money(round(float(params[key])))
    try:
        return str(REASON_SENTENCES[form]) % params
    except (KeyError, TypeError, ValueError):
        return None
