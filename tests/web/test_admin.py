from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Budget, McIRate, PhaseChange, Process, RoleGrant

PHASES = ("proposals", "review", "voting", "results", "implementation")


def _process_form(area_id, start: date, **overrides):
    data = {"area_id": area_id, "year": 2027, "title_kk": "Есіл 2027", "title_ru": "Есиль 2027",
            "title_en": "Esil 2027", "description": ""}
    for i, kind in enumerate(PHASES):
        data[f"{kind}-starts_on"] = (start + timedelta(days=10 * i)).isoformat()
        data[f"{kind}-ends_on"] = (start + timedelta(days=10 * i + 9)).isoformat()
    data.update(overrides)
    return data


def test_official_creates_a_process_whose_phase_follows_from_the_dates(client, users, areas, log_in):
    log_in(users["akimat_of_district"])
    response = client.post("/admin/processes/new",
                           data=_process_form(areas["Esil district"].id, date.today() - timedelta(days=2)))
    assert response.status_code == 302
    process = db.session.scalar(select(Process))
    assert process.status() == "proposals"
    first = process.phases[0]
    # Phases start at midnight Almaty time (UTC+5), stored in UTC.
    assert first.starts_at.hour == 19 and first.starts_at.tzinfo == UTC
    assert process.status(first.ends_at + timedelta(days=15)) == "voting"
    assert process.status(datetime(2000, 1, 1, tzinfo=UTC)) == "upcoming"


def test_overlapping_or_inverted_phases_are_refused_and_nothing_stored(client, users, areas, log_in):
    log_in(users["akimat_of_district"])
    start = date.today()
    overlapping = _process_form(areas["Esil district"].id, start,
                                **{"review-starts_on": (start + timedelta(days=5)).isoformat()})
    response = client.post("/admin/processes/new", data=overlapping, headers={"Accept-Language": "en"})
    assert "must start after the previous one ends" in response.get_data(as_text=True)
    inverted = _process_form(areas["Esil district"].id, start,
                             **{"voting-ends_on": (start + timedelta(days=15)).isoformat()})
    response = client.post("/admin/processes/new", data=inverted, headers={"Accept-Language": "en"})
    assert "cannot end before it starts" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Process.id))) == 0


def test_official_cannot_create_a_process_for_another_district(client, users, areas, log_in):
    log_in(users["akimat_of_district"])
    response = client.post("/admin/processes/new",
                           data=_process_form(areas["Almaty district"].id, date.today()))
    assert response.status_code == 200  # not among the offered areas: refused by the form
    assert db.session.scalar(select(func.count(Process.id))) == 0


def _make_process(client, areas, start):
    client.post("/admin/processes/new", data=_process_form(areas["Esil district"].id, start))
    return db.session.scalar(select(Process))


def test_closing_a_phase_early_needs_a_reason_and_records_it(client, users, areas, log_in):
    log_in(users["akimat_of_district"])
    process = _make_process(client, areas, date.today() - timedelta(days=2))
    no_reason = client.post(f"/admin/processes/{process.id}/phases/proposals/close", data={"reason": ""})
    assert no_reason.status_code == 302
    assert db.session.scalar(select(func.count(PhaseChange.id))) == 0
    client.post(f"/admin/processes/{process.id}/phases/proposals/close", data={"reason": "Enough proposals"})
    db.session.expire_all()
    change = db.session.scalar(select(PhaseChange))
    assert (change.action, change.reason, change.actor_id) == ("close", "Enough proposals", users["akimat_of_district"].id)
    assert db.session.get(Process, process.id).status() == "between"
    page = client.get(f"/admin/processes/{process.id}").get_data(as_text=True)
    assert "Enough proposals" in page


def test_opening_the_next_phase_early_closes_the_running_one(client, users, areas, log_in):
    log_in(users["akimat_of_district"])
    process = _make_process(client, areas, date.today() - timedelta(days=2))
    client.post(f"/admin/processes/{process.id}/phases/review/open", data={"reason": "All proposals are in",
                                                                          "confirm": "y"})
    db.session.expire_all()
    assert db.session.get(Process, process.id).status() == "review"


def test_skipping_a_phase_is_refused(client, users, areas, log_in):
    log_in(users["akimat_of_district"])
    process = _make_process(client, areas, date.today() - timedelta(days=2))
    response = client.post(f"/admin/processes/{process.id}/phases/results/open",
                           data={"reason": "Skip review please"}, headers={"Accept-Language": "en"},
                           follow_redirects=True)
    assert "Open the phases before this one first." in response.get_data(as_text=True)
    # Voting opens only with the count keys, on its own page.
    response = client.post(f"/admin/processes/{process.id}/phases/voting/open",
                           data={"reason": "Skip review please"}, headers={"Accept-Language": "en"},
                           follow_redirects=True)
    assert "Voting opens with the count keys" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Process, process.id).status() == "proposals"
    assert db.session.scalar(select(func.count(PhaseChange.id))) == 0


def test_budget_limit_in_mci_follows_the_years_rate_until_proposals_open(client, users, areas, log_in):
    log_in(users["admin"])
    process = _make_process(client, areas, date.today() + timedelta(days=3))
    response = client.post(f"/admin/processes/{process.id}/budgets/new", data={
        "area_id": areas["Esil district"].id, "name_kk": "Есіл", "name_ru": "Есиль", "name_en": "Esil",
        "amount": 300_000_000, "limit_value": 5000, "limit_unit": "mci"})
    assert response.status_code == 302
    budget = db.session.scalar(select(Budget))
    assert budget.project_limit() == 5000 * 4325  # 2027 has no entry yet: latest statutory rate
    client.post("/admin/mci", data={"year": 2027, "tenge": 4500})
    assert db.session.get(McIRate, 2027).tenge == 4500
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).project_limit() == 5000 * 4500
    page = client.get(f"/admin/processes/{process.id}").get_data(as_text=True)
    assert "22,500,000 ₸" in page  # the admin reads English


def test_budget_limit_above_the_budget_or_outside_the_area_is_refused(client, users, areas, log_in):
    log_in(users["admin"])
    process = _make_process(client, areas, date.today())
    base = {"name_kk": "a", "name_ru": "a", "name_en": "a", "amount": 1_000_000, "limit_unit": "tenge"}
    too_high = client.post(f"/admin/processes/{process.id}/budgets/new",
                           data={**base, "area_id": areas["Esil district"].id, "limit_value": 2_000_000},
                           headers={"Accept-Language": "en"})
    assert "cannot be more than the whole budget" in too_high.get_data(as_text=True)
    elsewhere = client.post(f"/admin/processes/{process.id}/budgets/new",
                            data={**base, "area_id": areas["Almaty district"].id},
                            headers={"Accept-Language": "en"})
    assert elsewhere.status_code == 200
    assert db.session.scalar(select(func.count(Budget.id))) == 0


def test_admin_grants_a_deputy_only_for_an_okrug(client, users, areas, log_in):
    log_in(users["admin"])
    target = users["resident"]
    district = client.post("/admin/roles", data={"email": target.email, "role": "deputy",
                                                 "area_id": areas["Esil district"].id},
                           headers={"Accept-Language": "en"})
    assert "granted for a maslikhat okrug" in district.get_data(as_text=True)
    okrug = client.post("/admin/roles", data={"email": target.email.upper(), "role": "deputy",
                                              "area_id": areas["Esil district / okrug 8"].id})
    assert okrug.status_code == 302
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == target.id))
    assert grant.granted_by_id == users["admin"].id
    client.post(f"/admin/roles/{grant.id}/revoke")
    assert db.session.scalar(select(func.count(RoleGrant.id)).where(RoleGrant.user_id == target.id)) == 0


@pytest.mark.parametrize("role", ["akimat", "expert", "moderator", "deputy"])
def test_only_administrators_are_granted_nationwide(client, users, log_in, role):
    """The form offers "Nationwide" for every role; the database allows it only for admins, so
    another role granted nationwide used to fail with a server error."""
    log_in(users["admin"])
    before = db.session.scalar(select(func.count(RoleGrant.id)))
    response = client.post("/admin/roles", data={"email": users["resident"].email, "role": role, "area_id": 0},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Only administrators are granted nationwide" in page or "granted for a maslikhat okrug" in page
    assert db.session.scalar(select(func.count(RoleGrant.id))) == before


def test_admin_adds_an_area_and_moving_it_updates_the_subtree_paths(client, users, areas, log_in):
    log_in(users["admin"])
    data = {"parent_id": areas["Nura district"].id, "kind": "okrug", "kato": "", "name_kk": "Жаңа",
            "name_ru": "Новый", "name_en": "New okrug"}
    assert client.post("/admin/areas/new", data=data).status_code == 302
    from app.models import Area
    new = db.session.scalar(select(Area).where(Area.name_en == "New okrug"))
    assert new.is_within(areas["Nura district"])
    nura = areas["Nura district"]
    client.post(f"/admin/areas/{nura.id}/edit", data={"parent_id": 0, "kind": "district", "kato": "",
                                                      "name_kk": nura.name_kk, "name_ru": nura.name_ru, "name_en": "Nura"})
    db.session.expire_all()
    assert db.session.get(Area, new.id).path == f"/{nura.id}/{new.id}/"
    cycle = client.post(f"/admin/areas/{nura.id}/edit", data={"parent_id": new.id, "kind": "district", "kato": "",
                                                              "name_kk": "x", "name_ru": "x", "name_en": "x"},
                        headers={"Accept-Language": "en"})
    assert "cannot be placed inside itself" in cycle.get_data(as_text=True)
