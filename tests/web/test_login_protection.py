"""Lockout after wrong passwords, and password rules. (The lockout shared by several app servers
through Redis is tested in tests/reliability/test_production_shape.py.)"""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.passwords import password_problem, personal_details
from app.extensions import db
from app.models import User
from app.notifications.models import OutboxEmail

from .conftest import PASSWORD

EN = {"Accept-Language": "en"}


def attempt(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password}, headers=EN)


def test_five_wrong_passwords_lock_the_account_and_say_so(client, users):
    email = users["resident"].email
    pages = [attempt(client, email, f"wrong password {n}").get_data(as_text=True) for n in range(5)]
    assert "Wrong email or password." in pages[0] and "lock" not in pages[0]
    assert "2 more wrong attempts lock this account" in pages[2]
    assert "One more wrong attempt locks this account" in pages[3]
    assert "Too many wrong passwords for this account. Try again in 15 minutes" in pages[4]
    # Locked: even the right password is refused now, with the same message, and nobody is logged in.
    right = attempt(client, email, PASSWORD)
    assert right.status_code == 200 and "Too many wrong passwords" in right.get_data(as_text=True)
    assert client.get("/auth/profile").status_code == 302
    # Another account is not affected.
    assert attempt(client, users["deputy"].email, PASSWORD).status_code == 302


def test_unknown_emails_are_locked_alike_so_the_lock_reveals_no_account(client):
    pages = [attempt(client, "nobody@example.kz", "wrong password!").get_data(as_text=True) for _ in range(6)]
    assert "One more wrong attempt" in pages[3] and "Too many wrong passwords" in pages[5]


def test_the_lock_counts_emails_in_any_case_and_a_login_resets_the_count(client, users):
    email = users["resident"].email
    for n in range(4):
        attempt(client, email.upper() if n % 2 else email, "wrong password!")
    assert attempt(client, email, PASSWORD).status_code == 302  # the 5th try is right: in
    client.post("/auth/logout")
    page = attempt(client, email, "wrong password!").get_data(as_text=True)
    assert "Wrong email or password." in page and "lock" not in page  # counting starts again


def test_resetting_the_password_unlocks_the_account(client, users):
    user = users["resident"]
    for _ in range(5):
        attempt(client, user.email, "wrong password!")
    client.post("/auth/reset", data={"email": user.email})
    link = re.search(r"http://localhost(/auth/reset/\S+)", db.session.scalar(select(OutboxEmail)).body).group(1)
    assert client.post(link, data={"password": "seven blue lanterns", "confirm": "seven blue lanterns"}).status_code == 302
    assert attempt(client, user.email, "seven blue lanterns").status_code == 302


@pytest.mark.parametrize("password, problem", [
    ("short", "at least 10 characters"),
    ("x" * 129, "at most 128 characters"),
    ("password123", "one of the most common passwords"),
    ("1234567890", "one of the most common passwords"),
    ("qwertyuiop", "one of the most common passwords"),
    ("aigerim1990", "easy to guess"),
    ("aaaaaaaaaaaa", "easy to guess"),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, problem):
    with app.test_request_context(headers=EN):
        assert problem in str(password_problem(password, ["Aigerim Nurlanova"]))


@pytest.mark.parametrize("password", ["seven blue lanterns", "correct-horse-battery", "Zhasyl-park-2026"])
def test_long_unusual_passwords_are_accepted(app, password):
    with app.test_request_context():
        assert password_problem(password) is None


def test_a_password_built_from_ones_own_name_and_birth_date_is_refused(app):
    mine = personal_details("Dauren Serikbayev", "dauren.s@example.kz", "900315300127")
    with app.test_request_context(headers=EN):
        assert "easy to guess" in str(password_problem("serikbayev900315", mine))
        assert "easy to guess" in str(password_problem("dauren.s900315", mine))


def test_registration_with_a_common_password_is_refused_and_nothing_is_stored(client, areas):
    from app.identity.iin import make_iin

    okrug = areas["Esil district / okrug 7"]
    data = {"full_name": "Aruzhan Bekova", "email": "aruzhan@example.kz", "iin": make_iin(date(1995, 4, 2), "female", 7),
            "home_area": okrug.id, "locale": "en", "password": "iloveyou123", "confirm": "iloveyou123",
            "declare_residence": "y"}
    page = client.post("/auth/register", data=data, headers=EN).get_data(as_text=True)
    assert "the first ones attackers try" in page or "easy to guess" in page
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_changing_to_a_password_made_of_ones_own_email_is_refused(client, users, log_in):
    user = users["resident"]
    log_in(user)
    own = user.email.split("@")[0] + "2026"
    page = client.post("/auth/profile", data={"password-current_password": PASSWORD, "password-password": own,
                                              "password-confirm": own, "password-submit": "y"}, headers=EN)
    assert "easy to guess" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)
