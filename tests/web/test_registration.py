from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.identity.iin import make_iin
from app.models import User


def _form(areas, **overrides):
    data = {
        "full_name": "Асель Нұрланқызы",
        "email": "Asel@Example.kz",
        "iin": make_iin(date(1995, 5, 5), "female", 321),
        "phone": "+7 701 234 56 78",
        "home_area": areas["Esil district / okrug 7"].id,
        "locale": "en",
        "password": "a long enough password",
        "confirm": "a long enough password",
        "declare_residence": "y",
    }
    data.update(overrides)
    return data


def _user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_registration_creates_a_verified_resident_and_logs_in(client, areas):
    response = client.post("/auth/register", data=_form(areas, locale="ru"))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "asel@example.kz"  # stored lower-case: unique regardless of case
    assert user.verification_method == "iin-declared" and user.verified_at is not None
    assert user.check_password("a long enough password")
    assert user.password_hash != "a long enough password"
    assert user.locale == "ru"
    assert client.get("/auth/profile").status_code == 200


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("iin", "12345", "exactly 12 digits"),
        ("iin", "950505801234", "7th digit"),
        ("iin", "951305401234", "real birth date"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("password", "short", "at least 10 characters"),
        ("confirm", "something else entirely", "do not match"),
        ("full_name", "", "Please fill in this field"),
        ("declare_residence", "", "confirm where you live"),
        ("phone", "call me", "phone number"),
    ],
)
def test_bad_input_is_refused_with_a_field_message_and_nothing_stored(client, areas, field, value, message):
    response = client.post("/auth/register", data=_form(areas, **{field: value}), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _user_count() == 0


def test_iin_with_wrong_check_digit_is_refused(client, areas):
    good = make_iin(date(1995, 5, 5), "female", 321)
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    response = client.post("/auth/register", data=_form(areas, iin=bad), headers={"Accept-Language": "en"})
    assert "does not match the others" in response.get_data(as_text=True)
    assert _user_count() == 0


def test_duplicate_email_in_other_case_is_refused(client, areas):
    client.post("/auth/register", data=_form(areas))
    client.post("/auth/logout")
    again = _form(areas, email="ASEL@example.KZ", iin=make_iin(date(1991, 1, 1), "male", 77))
    response = client.post("/auth/register", data=again, headers={"Accept-Language": "en"})
    assert "already exists" in response.get_data(as_text=True)
    assert _user_count() == 1


def test_duplicate_iin_is_refused(client, areas):
    client.post("/auth/register", data=_form(areas))
    client.post("/auth/logout")
    response = client.post("/auth/register", data=_form(areas, email="other@example.kz"),
                           headers={"Accept-Language": "en"})
    assert "Each person registers once" in response.get_data(as_text=True)
    assert _user_count() == 1


def test_too_young_to_register_is_told_why(client, areas):
    child = make_iin(date(date.today().year - 12, 1, 1), "male", 5)
    response = client.post("/auth/register", data=_form(areas, iin=child), headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert "aged 16 and over" in text and "age of 1" in text
    assert _user_count() == 0


def test_sixteen_year_old_may_register_but_is_told_proposing_waits_until_18(client, areas):
    teen = make_iin(date(date.today().year - 17, 1, 1), "female", 9)
    response = client.post("/auth/register", data=_form(areas, iin=teen), headers={"Accept-Language": "en"},
                           follow_redirects=True)
    assert "proposing projects opens at age 18" in response.get_data(as_text=True)
    assert _user_count() == 1


def test_home_area_must_be_a_district_or_okrug(client, areas):
    response = client.post("/auth/register", data=_form(areas, home_area=areas["Astana"].id),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert _user_count() == 0


def test_registration_form_labels_every_input(client, areas):
    html = client.get("/auth/register").get_data(as_text=True)
    for name in ("full_name", "email", "iin", "phone", "home_area", "password", "confirm"):
        assert f'<label for="{name}"' in html
