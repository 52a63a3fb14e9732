"""No one judges their own case: what an official with a stake in a proposal is told.

The rule itself is :func:`app.core.permissions.has_stake`; this module words the refusal — why (you
wrote it, you support it) and who else can (the officials of the area without a stake, or the
meeting's other hosts) — for the services that refuse and the pages that leave the form out."""
from babel.lists import format_list
from flask_babel import lazy_gettext as _l

from app.core.errors import ServiceError
from app.core.i18n import locale_code
from app.core.permissions import Action, has_stake, officials_without_stake, stake_in
from app.models import Proposal, User

REVIEW, MERGE, BALLOT, MINUTES, IMPLEMENTATION = "review", "merge", "ballot", "minutes", "implementation"
ACTIONS = {REVIEW: Action.REVIEW_PROPOSALS, MERGE: Action.REVIEW_PROPOSALS, BALLOT: Action.PLACE_ON_BALLOT,
           IMPLEMENTATION: Action.REPORT_IMPLEMENTATION}

# (stake, what) -> the first sentence; whole sentences, so each language words them its own way.
WHY = {
    ("author", REVIEW): _l("You wrote this proposal, so you cannot review it."),
    ("supporter", REVIEW): _l("You support this proposal, so you cannot review it."),
    ("author", MERGE): _l("You wrote proposal No. %(n)s, so you cannot merge it."),
    ("supporter", MERGE): _l("You support proposal No. %(n)s, so you cannot merge it."),
    ("author", BALLOT): _l("You wrote this proposal, so you cannot place it on the ballot."),
    ("supporter", BALLOT): _l("You support this proposal, so you cannot place it on the ballot."),
    ("author", MINUTES): _l("You wrote proposal No. %(n)s, so you cannot record the town hall's decision on it."),
    ("supporter", MINUTES): _l("You support proposal No. %(n)s, so you cannot record the town hall's decision on it."),
    ("author", IMPLEMENTATION): _l("You wrote this proposal, so you cannot report its implementation."),
    ("supporter", IMPLEMENTATION): _l("You support this proposal, so you cannot report its implementation."),
}
OTHERS = _l("In %(area)s, these officials can: %(names)s.")
NOBODY = _l("No other official in %(area)s can do it; an administrator can grant the role to someone "
            "without a stake in this proposal.")
OTHER_HOSTS = _l("These hosts of the meeting can: %(names)s.")
NO_OTHER_HOST = _l("No other host of this meeting can, so the published minutes will say that no decision "
                   "was taken on it because its hosts had a stake.")


def names(people: list[User]) -> str:
    return format_list([person.full_name for person in people], locale=locale_code())


def refusal(user: User, proposal: Proposal, what: str, *, hosts: list[User] | None = None) -> str | None:
    """Why ``user`` may not do ``what`` on ``proposal`` and who can instead; None when they have no
    stake. For the minutes, ``hosts`` are the meeting's hosts: those without a stake are named."""
    stake = stake_in(user, proposal)
    if stake is None:
        return None
    why = WHY[(stake, what)] % {"n": proposal.id} if what in (MERGE, MINUTES) else WHY[(stake, what)]
    if what == MINUTES:
        others = [h for h in hosts or [] if h.id != user.id and stake_in(h, proposal) is None]
        then = OTHER_HOSTS % {"names": names(others)} if others else NO_OTHER_HOST
    else:
        others = [o for o in officials_without_stake(ACTIONS[what], proposal) if o.id != user.id]
        area = proposal.area.name
        then = OTHERS % {"area": area, "names": names(others)} if others else NOBODY % {"area": area}
    return f"{why} {then}"


def check(user: User, proposal: Proposal, what: str) -> None:
    """Refuse an official who wrote or supports ``proposal``, saying who else can."""
    if has_stake(user, proposal):
        raise ServiceError(refusal(user, proposal, what))
