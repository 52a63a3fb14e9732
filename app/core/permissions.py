"""The one place that decides "may this user do X in area Y".

Routes never compare roles themselves: they call :func:`can` or decorate with
:func:`requires`. A grant in an area covers every area inside it; the resident role is implicit
from the user's home area.
"""
from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import or_, select

from app.core.areas import all_areas
from app.extensions import db, login_manager
from app.models import Area, Proposal, Role, RoleGrant, Support, User


class Action(StrEnum):
    MANAGE_AREAS = "manage_areas"
    GRANT_ROLES = "grant_roles"
    MANAGE_PROCESSES = "manage_processes"
    PROPOSE = "propose"
    SUPPORT = "support"
    REVIEW_PROPOSALS = "review_proposals"
    PLACE_ON_BALLOT = "place_on_ballot"
    MODERATE = "moderate"
    SCHEDULE_MEETINGS = "schedule_meetings"
    VOTE = "vote"
    COUNT_AND_PUBLISH = "count_and_publish"
    REPORT_IMPLEMENTATION = "report_implementation"


ALLOWED_ROLES: dict[Action, frozenset[Role]] = {
    Action.MANAGE_AREAS: frozenset({Role.ADMIN}),
    Action.GRANT_ROLES: frozenset({Role.ADMIN}),
    Action.MANAGE_PROCESSES: frozenset({Role.ADMIN, Role.AKIMAT}),
    Action.PROPOSE: frozenset({Role.RESIDENT}),
    Action.SUPPORT: frozenset({Role.RESIDENT}),
    Action.REVIEW_PROPOSALS: frozenset({Role.AKIMAT, Role.EXPERT}),
    Action.PLACE_ON_BALLOT: frozenset({Role.AKIMAT}),
    Action.MODERATE: frozenset({Role.MODERATOR, Role.ADMIN}),
    Action.SCHEDULE_MEETINGS: frozenset({Role.DEPUTY, Role.AKIMAT}),
    Action.VOTE: frozenset({Role.RESIDENT}),
    Action.COUNT_AND_PUBLISH: frozenset({Role.AKIMAT}),
    Action.REPORT_IMPLEMENTATION: frozenset({Role.AKIMAT}),
}


def roles_in(user: User, area: Area | None) -> set[Role]:
    """Every role ``user`` holds that covers ``area`` (None: roles held anywhere)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    held: set[Role] = set()
    # A resident of an okrug is a resident of its district and city too (home inside the area).
    if user.home_area is not None and (area is None or user.home_area.is_within(area)):
        held.add(Role.RESIDENT)
    for grant in user.grants:
        if area is None or grant.area is None or area.is_within(grant.area):
            held.add(Role(grant.role))
    return held


def can(user: User, action: Action, area: Area | None = None) -> bool:
    """May ``user`` do ``action`` in ``area``? With ``area`` None: anywhere at all (for menus)."""
    return bool(roles_in(user, area) & ALLOWED_ROLES[action])


def areas_where(user: User, action: Action) -> list[Area]:
    """The top-most areas where ``user`` may do ``action`` (None in the list = everywhere)."""
    allowed = ALLOWED_ROLES[action]
    found = [g.area for g in user.grants if Role(g.role) in allowed]
    if Role.RESIDENT in allowed and user.home_area is not None:
        found.append(user.home_area)
    return found


def is_nationwide(user: User, action: Action) -> bool:
    """Does ``user`` hold ``action`` for the whole country (a grant with no area)? What is not
    tied to one area — the national MCI, the audit log of every area — needs that."""
    return bool(getattr(user, "is_authenticated", False)) and None in areas_where(user, action)


def areas_in_scope(user: User, action: Action) -> list[Area]:
    """Every area ``user`` may do ``action`` in (whole subtrees of their grants), in tree order."""

    tops = areas_where(user, action)
    areas = all_areas()
    if any(top is None for top in tops):
        return areas
    return [a for a in areas if any(a.is_within(top) for top in tops)]


# --- no one judges their own case -------------------------------------------------------------

def stake_in(user: User, proposal: Proposal) -> str | None:
    """``"author"`` if ``user`` wrote ``proposal``, ``"supporter"`` if they support it, else None.

    An official with a stake never decides on the proposal: review, merge (either side), ballot,
    a town hall's decision in the minutes, implementation reports. Every service that decides
    asks :func:`has_stake`; the pages ask this to say why the form is not there."""
    if user is None or not getattr(user, "is_authenticated", False) or proposal is None:
        return None
    if proposal.author_id == user.id:
        return "author"
    supported = db.session.scalar(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id))
    return "supporter" if supported else None


def has_stake(user: User, proposal: Proposal) -> bool:
    """Did ``user`` write or support ``proposal``? Then they may not decide on it."""
    return stake_in(user, proposal) is not None


def officials_without_stake(action: Action, proposal: Proposal, limit: int = 20) -> list[User]:
    """Who may do ``action`` on ``proposal`` and has no stake in it: the holders of an allowed role
    whose grant covers the proposal's area (named on the page of an official who may not)."""
    roles = [role.value for role in ALLOWED_ROLES[action]]
    covering = or_(RoleGrant.area_id.is_(None), RoleGrant.area_id.in_(proposal.area.ancestor_ids))
    holders = select(RoleGrant.user_id).where(RoleGrant.role.in_(roles), covering)
    supporters = select(Support.user_id).where(Support.proposal_id == proposal.id)
    query = select(User).where(User.id.in_(holders), User.id.not_in(supporters), User.is_active_account)
    if proposal.author_id is not None:
        query = query.where(User.id != proposal.author_id)
    return list(db.session.scalars(query.order_by(User.full_name, User.id).limit(limit)))


def require(action: Action, area: Area | None) -> None:
    """Abort with 401 (anonymous) or 403 unless the current user may do ``action`` in ``area``."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())  # redirect to the login page
    if not can(current_user, action, area):
        abort(403)


def require_scope(action: Action, area: Area | None) -> None:
    """The "nationwide or this area" check: ``area`` None means the whole country (a top-level
    area, a nationwide grant, the national MCI, the audit log), which only a nationwide holder of
    ``action`` may touch; an area needs ``action`` there. Aborts with 401 or 403 otherwise."""
    if area is not None:
        require(action, area)
    elif not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    elif not is_nationwide(current_user, action):
        abort(403)


def requires(action: Action):
    """Decorator for routes that need ``action`` somewhere; the route then checks the exact
    area with :func:`require` once it has loaded the object."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require(action, None)
            return view(*args, **kwargs)

        return wrapped

    return decorator
