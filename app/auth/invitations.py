"""Inviting an official by email: the role waits for the address, and is granted when its owner
registers or signs in within the invitation's days; after that the invitation has expired."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.clock import utcnow
from app.core.labels import role_label
from app.extensions import db
from app.models import Area, RoleGrant, RoleInvitation, User
from app.notifications.mail import page_url, queue_email

INVITATION_DAYS = 14


def invite(email: str, role: str, area: Area | None, invited_by: User) -> RoleInvitation:
    """Offer ``role`` in ``area`` to ``email`` (no account yet) and write to it. The caller checked the
    role and area as for a grant; the caller commits."""
    invitation = RoleInvitation(email=email, role=role, area=area, invited_by=invited_by,
                                expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    where = area.name if area else _l("Nationwide")
    body = _l("%(name)s invites you to Qatysu as %(role)s (%(area)s). Register with this email address by "
              "%(day)s and the role is yours: %(link)s", name=invited_by.full_name, role=role_label(role),
              area=where, day=invitation.expires_at.date().isoformat(), link=page_url("auth.register"))
    queue_email(email, _l("Qatysu: you are invited as an official"), body, locale=invited_by.locale)
    return invitation


def pending_for(email: str) -> list[RoleInvitation]:
    return list(db.session.scalars(select(RoleInvitation).where(
        RoleInvitation.email == email, RoleInvitation.accepted_at.is_(None), RoleInvitation.expires_at > utcnow())))


def accept(user: User) -> int:
    """Grant ``user`` the roles waiting for their email (not expired). Returns how many; the caller
    commits."""
    count = 0
    if user.id is None:
        db.session.flush()
    for invitation in pending_for(user.email):
        held = any(g.role == invitation.role and g.area_id == invitation.area_id for g in user.grants)
        if not held:
            db.session.add(RoleGrant(user=user, role=invitation.role, area_id=invitation.area_id,
                                     granted_by_id=invitation.invited_by_id))
        invitation.accepted_at, invitation.accepted_by_id = utcnow(), user.id
        count += 1
    return count


def open_invitations() -> list[RoleInvitation]:
    return list(db.session.scalars(select(RoleInvitation).where(RoleInvitation.accepted_at.is_(None))
                                   .order_by(RoleInvitation.created_at.desc()).limit(200)))
