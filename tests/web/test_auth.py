import re

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import User
from app.notifications.models import OutboxEmail

from .conftest import PASSWORD


def test_login_with_email_in_any_case_and_logout(client, users):
    user = users["resident"]
    response = client.post("/auth/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/auth/profile").status_code == 200
    client.post("/auth/logout")
    assert client.get("/auth/profile").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, users):
    response = client.post("/auth/login", data={"email": users["resident"].email, "password": "nope-nope-nope"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Wrong email or password." in response.get_data(as_text=True)
    unknown = client.post("/auth/login", data={"email": "nobody@example.kz", "password": "nope-nope-nope"},
                          headers={"Accept-Language": "en"})
    assert "Wrong email or password." in unknown.get_data(as_text=True)


def test_login_redirects_only_to_local_pages(client, users):
    data = {"email": users["resident"].email, "password": PASSWORD}
    response = client.post("/auth/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] in ("/", "http://localhost/")


@pytest.mark.parametrize("target", ["/\\evil.example/", "/\\/evil.example/", "/\t/evil.example/", "/%09/evil.example",
                                    "/\n/evil.example/", " //evil.example/", "\\\\evil.example", "https:evil.example"])
def test_login_is_not_an_open_redirect_through_what_browsers_turn_into_another_host(client, users, target):
    """Browsers read a backslash as a slash and drop tabs and newlines in URLs, so "/\\evil" and
    "/<tab>/evil" would leave the site."""
    from urllib.parse import quote, urljoin, urlsplit

    data = {"email": users["resident"].email, "password": PASSWORD}
    location = client.post(f"/auth/login?next={quote(target, safe='')}", data=data).headers["Location"]
    as_a_browser_reads_it = "".join(location.split()).replace("\\", "/")
    assert urlsplit(urljoin("http://localhost/", as_a_browser_reads_it)).netloc == "localhost", (target, location)


@pytest.fixture
def throttled(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "10 per minute")
    limiter.reset()
    yield
    limiter.reset()


def test_repeated_login_attempts_are_throttled(client, users, throttled):
    data = {"email": users["resident"].email, "password": "wrong-password!"}
    codes = [client.post("/auth/login", data=data, headers={"Accept-Language": "en"}).status_code for _ in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    page = client.post("/auth/login", data=data, headers={"Accept-Language": "en"})
    assert "Too many attempts" in page.get_data(as_text=True)


def test_forms_without_a_csrf_token_are_refused_and_nothing_is_stored(app, client, areas, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/auth/register", data={"full_name": "X", "email": "x@example.kz"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert client.post("/language", data={"locale": "en"}).status_code == 400


def test_password_reset_by_emailed_single_use_link(client, users):
    user = users["resident"]
    response = client.post("/auth/reset", data={"email": user.email}, headers={"Accept-Language": "en"},
                           follow_redirects=True)
    assert "a reset link is on its way" in response.get_data(as_text=True)
    email = db.session.scalar(select(OutboxEmail))
    assert email.recipient == user.email and email.sent_at is not None  # logged in development
    link = re.search(r"http://localhost(/auth/reset/\S+)", email.body).group(1)
    new = {"password": "brand new password", "confirm": "brand new password"}
    assert client.post(link, data=new).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("brand new password")
    again = client.post(link, data={"password": "third password!!", "confirm": "third password!!"},
                        headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "invalid or has expired" in again.get_data(as_text=True)


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client):
    response = client.post("/auth/reset", data={"email": "ghost@example.kz"}, headers={"Accept-Language": "en"},
                           follow_redirects=True)
    assert "a reset link is on its way" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0


def test_forged_reset_token_is_refused(client):
    response = client.get("/auth/reset/not-a-token", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "invalid or has expired" in response.get_data(as_text=True)


def test_profile_changes_name_area_and_language(client, users, areas, log_in):
    user = users["resident"]
    log_in(user)
    response = client.post("/auth/profile", data={
        "profile-full_name": "New Name", "profile-phone": "", "profile-locale": "en",
        "profile-home_area": areas["Nura district"].id, "profile-submit": "Save",
    })
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.full_name, user.locale, user.home_area_id) == ("New Name", "en", areas["Nura district"].id)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_password_change_needs_the_current_password(client, users, log_in):
    user = users["resident"]
    log_in(user)
    wrong = client.post("/auth/profile", data={
        "password-current_password": "not it at all", "password-password": "another password!",
        "password-confirm": "another password!", "password-submit": "x",
    }, headers={"Accept-Language": "en"})
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    ok = client.post("/auth/profile", data={
        "password-current_password": PASSWORD, "password-password": "another password!",
        "password-confirm": "another password!", "password-submit": "x",
    })
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("another password!")
