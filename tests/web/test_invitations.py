"""Inviting an official by email: the role is granted when the person registers or signs in, and
the invitation expires."""
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.identity.iin import make_iin
from app.models import RoleInvitation, User
from app.notifications.models import OutboxEmail

from .conftest import PASSWORD

EN = {"Accept-Language": "en"}


def _register(client, email, okrug):
    return client.post("/auth/register", data={
        "full_name": "Dana Seitkali", "email": email, "iin": make_iin(date(1988, 5, 5), "female", 4242),
        "home_area": str(okrug.id), "locale": "en", "password": "a-long-enough-password-9",
        "confirm": "a-long-enough-password-9", "declare_residence": "y"})


def test_an_invited_official_gets_the_role_on_registering(client, log_in, users, areas, okrug):
    log_in(users["admin"])
    page = client.post("/admin/roles", data={"email": "Dana@Akimat.kz", "role": "akimat",
                                             "area_id": areas["Esil district"].id}, headers=EN, follow_redirects=True)
    assert "an invitation is sent" in page.get_data(as_text=True)
    assert "dana@akimat.kz" in page.get_data(as_text=True)  # listed as not yet taken up
    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == "dana@akimat.kz"))
    client.post("/auth/logout")
    assert _register(client, "dana@akimat.kz", okrug).status_code == 302
    dana = db.session.scalar(select(User).where(User.email == "dana@akimat.kz"))
    assert [(g.role, g.area_id) for g in dana.grants] == [("akimat", areas["Esil district"].id)]
    assert db.session.scalar(select(RoleInvitation)).accepted_at is not None


def test_an_existing_account_invited_meanwhile_gets_the_role_on_signing_in(client, users, areas):
    person = users["resident_elsewhere"]
    db.session.add(RoleInvitation(email=person.email, role="expert", area=areas["Esil district"],
                                  invited_by_id=users["admin"].id, expires_at=_later(7)))
    db.session.commit()
    client.post("/auth/login", data={"email": person.email, "password": PASSWORD})
    db.session.expire_all()
    assert [g.role for g in person.grants] == ["expert"]


def test_an_expired_invitation_grants_nothing(client, users, areas, okrug):
    db.session.add(RoleInvitation(email="late@akimat.kz", role="akimat", area=areas["Esil district"],
                                  invited_by_id=users["admin"].id, expires_at=_later(-1)))
    db.session.commit()
    _register(client, "late@akimat.kz", okrug)
    late = db.session.scalar(select(User).where(User.email == "late@akimat.kz"))
    assert late is not None and late.grants == []


def test_a_bad_invitation_is_refused_with_a_message_and_nothing_stored(client, log_in, users, areas):
    log_in(users["admin"])
    page = client.post("/admin/roles", data={"email": "someone@akimat.kz", "role": "deputy",
                                             "area_id": areas["Esil district"].id}, headers=EN)
    assert "A deputy is granted for a maslikhat okrug." in page.get_data(as_text=True)
    client.post("/admin/roles", data={"email": "twice@akimat.kz", "role": "akimat",
                                      "area_id": areas["Esil district"].id})
    again = client.post("/admin/roles", data={"email": "twice@akimat.kz", "role": "akimat",
                                              "area_id": areas["Esil district"].id}, headers=EN)
    assert "already invited" in again.get_data(as_text=True)
    assert [i.email for i in db.session.scalars(select(RoleInvitation))] == ["twice@akimat.kz"]


def _later(days):
    from app.core.clock import utcnow

    return utcnow() + timedelta(days=days)


def test_an_administrator_elsewhere_cannot_invite_into_esil(client, log_in, users, areas):
    log_in(users["admin_elsewhere"])
    client.post("/admin/roles", data={"email": "x@akimat.kz", "role": "akimat", "area_id": areas["Esil district"].id})
    assert db.session.scalar(select(RoleInvitation)) is None
