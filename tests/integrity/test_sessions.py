"""Sessions that end when they should (issue #13, attack 6).

The attack: a session cookie copied before a logout or a password change (from a shared computer,
a proxy log, a stolen laptop) kept opening /me and posting forms. Here the copy is a second test
client carrying the same cookies, and the session ends on the server, so no app server — whichever
gets the request — accepts it again."""
import re

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import User
from app.notifications.models import OutboxEmail

from .conftest import PASSWORD, make_user

EN = {"Accept-Language": "en"}
NEW_PASSWORD = "another-long-password-7"
COOKIES = ("session", "remember_token")


def logged_in(app, user, *, remember=False):
    client = app.test_client()
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client


def copy_of(app, client, names=COOKIES):
    """A second browser holding a copy of ``client``'s cookies as they are now."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def opens_me(client) -> bool:
    response = client.get("/me", headers=EN)
    if response.status_code == 302:
        assert "/auth/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def renames(client, user, name) -> bool:
    """Post the profile form; True when the name was stored."""
    response = client.post("/auth/profile", headers=EN, data={
        "profile-full_name": name, "profile-phone": "", "profile-home_area": str(user.home_area_id),
        "profile-locale": "en", "profile-submit": "1"})
    db.session.expire_all()
    stored = db.session.get(User, user.id).full_name == name
    if not stored:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    return stored


def change_password(client):
    response = client.post("/auth/profile", headers=EN, data={
        "password-current_password": PASSWORD, "password-password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD, "password-submit": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_a_copy_of_the_cookie_stops_working_after_logout(app, users):
    resident = users["resident"]
    browser = logged_in(app, resident)
    copy = copy_of(app, browser)
    assert opens_me(copy)  # the copy works while the session lives: the attack is real

    browser.post("/auth/logout")

    assert not opens_me(browser)
    assert not opens_me(copy)
    assert not renames(copy, resident, "Renamed By Thief")


def test_a_copy_of_the_remember_me_cookie_stops_working_after_logout(app, users):
    resident = users["resident"]
    browser = logged_in(app, resident, remember=True)
    remembered = copy_of(app, browser, names=("remember_token",))
    assert remembered.get_cookie("remember_token") is not None
    assert opens_me(remembered)  # "remember me" brings the browser back without a session cookie

    browser.post("/auth/logout")

    stale = copy_of(app, remembered, names=("remember_token",))  # its cookie from before the logout
    assert not opens_me(stale)
    assert not renames(stale, resident, "Renamed By Thief")


def test_logout_ends_only_that_session(app, users):
    resident = users["resident"]
    laptop, phone = logged_in(app, resident), logged_in(app, resident)
    laptop.post("/auth/logout")
    assert opens_me(phone)
    assert renames(phone, resident, "Renamed On The Phone")


def test_a_password_change_ends_every_other_session_and_keeps_the_current_one(app, users):
    resident = users["resident"]
    intruder = logged_in(app, resident)  # someone who learnt the old password
    owner = logged_in(app, resident)
    assert opens_me(intruder)

    change_password(owner)

    assert not opens_me(intruder)
    assert not renames(intruder, resident, "Renamed By Intruder")
    assert opens_me(owner)
    assert renames(owner, resident, "Renamed By Owner")


def test_a_password_reset_ends_every_session(app, users):
    resident = users["resident"]
    first, second = logged_in(app, resident), logged_in(app, resident, remember=True)
    copy = copy_of(app, second)
    visitor = app.test_client()
    visitor.post("/auth/reset", data={"email": resident.email})
    body = db.session.scalars(select(OutboxEmail.body).order_by(OutboxEmail.id.desc())).first()
    link = re.search(r"http://localhost(/auth/reset/\S+)", body).group(1)

    response = visitor.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302

    for client in (first, second, copy):
        assert not opens_me(client)
    assert not renames(copy, resident, "Renamed By Thief")
    assert not opens_me(copy_of(app, second, names=("remember_token",)))


def test_log_out_everywhere_ends_every_session_including_this_one(app, users):
    resident, other = users["resident"], users["resident_elsewhere"]
    here, there = logged_in(app, resident), logged_in(app, resident, remember=True)
    copy = copy_of(app, here)
    someone_else = logged_in(app, other)

    response = here.post("/auth/logout-everywhere", headers=EN)
    assert response.status_code == 302
    page = here.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "You are logged out on every device." in page

    for client in (here, there, copy, copy_of(app, there, names=("remember_token",))):
        assert not opens_me(client)
        assert not renames(client, resident, "Renamed After Everywhere")
    assert opens_me(someone_else)  # other people's sessions are theirs
    assert logged_in(app, resident) is not None  # and the account itself still logs in


def test_the_profile_page_offers_log_out_everywhere(app, users):
    page = logged_in(app, users["resident"]).get("/auth/profile", headers=EN).get_data(as_text=True)
    assert 'action="/auth/logout-everywhere"' in page and "Log out everywhere" in page


def test_a_cookie_with_only_a_user_id_opens_nothing(app, users):
    """A session cookie naming the account by its id — what the cookie held before sessions were
    kept on the server — is not a session any more."""
    resident = users["resident"]
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(resident.id)
        session["_fresh"] = True
    assert not opens_me(client)
    assert not renames(client, resident, "Renamed By Forgery")


def test_a_deactivated_account_is_refused_with_a_live_session(app, users):
    resident = users["resident"]
    browser = logged_in(app, resident)
    resident.is_active_account = False
    db.session.commit()
    assert not opens_me(browser)
    assert not renames(browser, resident, "Renamed While Deactivated")
    refused = app.test_client().post("/auth/login", data={"email": resident.email, "password": PASSWORD})
    assert refused.status_code == 200


def test_the_database_holds_no_usable_session_token(app, users):
    """Only a hash of each token is stored: a copy of the database opens no session."""
    from app.models import LoginSession

    browser = logged_in(app, users["resident"])
    cookie = browser.get_cookie("session").value
    stored = db.session.scalars(select(LoginSession.token_hash)).all()
    assert len(stored) == 1 and stored[0] not in cookie
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_the_session_is_checked_in_the_same_query_that_loads_the_user(app, users):
    from app.auth import sessions

    resident_id = users["resident"].id
    token = sessions.create(users["resident"])
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        db.session.expunge_all()
        user = app.login_manager._user_callback(token)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert user is not None and user.id == resident_id
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1, statements


@pytest.mark.parametrize("token", ["", "x", "1", "0" * 5000, "é" * 10, "\x00"])
def test_a_made_up_token_opens_nothing(app, users, token):
    make_user(home=users["resident"].home_area)
    assert app.login_manager._user_callback(token) is None
