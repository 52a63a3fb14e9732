"""Every admin route refuses visitors, residents and officials of another area, and a refused
request changes nothing."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.admin.services import set_phase_dates
from app.extensions import db
from app.models import PHASE_ORDER, Budget, Process, RoleGrant
from app.proposals.services import ensure_default_categories

from .conftest import make_user

ROUTE_ARGS = {"kind": "voting", "action": "open"}


@pytest.fixture
def esil_objects(areas, users):
    """A process and budget of Esil district and a grant there: the objects routes act on."""
    esil = areas["Esil district"]
    process = Process(area=esil, year=2027, title_kk="Есіл", title_ru="Есиль", title_en="Esil")
    start = date.today() - timedelta(days=3)
    set_phase_dates(process, {k: (start + timedelta(days=10 * i), start + timedelta(days=10 * i + 9))
                              for i, k in enumerate(PHASE_ORDER)})
    ensure_default_categories(process)
    db.session.add(process)
    budget = Budget(process=process, area=esil, name_kk="б", name_ru="б", name_en="b", amount=1_000_000)
    db.session.add(budget)
    target = make_user(home=areas["Esil district / okrug 8"])
    grant = RoleGrant(user=target, role="expert", area=esil)
    db.session.add(grant)
    db.session.commit()
    return {"area_id": areas["Esil district / okrug 7"].id, "process_id": process.id,
            "budget_id": budget.id, "grant_id": grant.id, "category_id": process.categories[0].id}


def admin_routes(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")),
        key=lambda rule: rule.rule,
    )


def _urls(app, objects):
    for rule in admin_routes(app):
        values = {name: (objects[name] if name in objects else ROUTE_ARGS[name]) for name in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        yield rule.endpoint, path, method


def _snapshot():
    from app.extensions import db as _db

    counts = tuple(_db.session.scalar(select(func.count()).select_from(t)) for t in _db.metadata.sorted_tables)
    phases = tuple(_db.session.execute(select(Process.id).order_by(Process.id)).scalars())
    return counts, phases


def _post_data():
    return {"reason": "because we say so", "email": "x@example.kz", "role": "expert", "area_id": 1,
            "year": 2030, "tenge": 9999, "name_kk": "x", "name_ru": "x", "name_en": "x", "kind": "city",
            "amount": 5, "parent_id": 0}


def test_the_walk_covers_every_admin_route(app):
    assert len(admin_routes(app)) >= 15


def test_anonymous_visitors_are_sent_to_log_in_everywhere(app, client, esil_objects):
    before = _snapshot()
    for endpoint, path, method in _urls(app, esil_objects):
        response = client.open(path, method=method, data=_post_data())
        assert response.status_code == 302, endpoint
        assert "/auth/login" in response.headers["Location"], endpoint
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["resident", "resident_elsewhere", "deputy", "moderator"])
def test_people_without_an_admin_role_are_refused_everywhere(app, client, users, esil_objects, log_in, who):
    log_in(users[who])
    before = _snapshot()
    for endpoint, path, method in _urls(app, esil_objects):
        response = client.open(path, method=method, data=_post_data())
        assert response.status_code == 403, (endpoint, who)
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["akimat_elsewhere", "admin_elsewhere"])
def test_officials_of_another_area_cannot_touch_this_areas_objects(app, client, users, esil_objects, log_in, who):
    log_in(users[who])
    before = _snapshot()
    for endpoint, path, method in _urls(app, esil_objects):
        rule_has_object = any(key in path for key in ("/processes/", "/budgets/", "/areas/", "/roles/", "/categories/"))
        if not rule_has_object or path.endswith("/new"):
            continue
        response = client.open(path, method=method, data=_post_data())
        assert response.status_code == 403, (endpoint, who, path)
    assert _snapshot() == before


def test_akimat_official_of_another_district_does_not_see_this_districts_process(client, users, esil_objects, log_in):
    log_in(users["akimat_elsewhere"])
    html = client.get("/admin/processes").get_data(as_text=True)
    assert f"/admin/processes/{esil_objects['process_id']}" not in html


def test_area_scoped_admin_cannot_set_the_national_mci_or_grant_nationwide(client, users, log_in):
    log_in(users["admin_elsewhere"])
    assert client.get("/admin/mci").status_code == 403
    response = client.post("/admin/roles", data={"email": users["resident"].email, "role": "admin", "area_id": 0})
    assert response.status_code in (200, 403)
    assert db.session.scalar(select(func.count(RoleGrant.id)).where(RoleGrant.area_id.is_(None))) == 1


def test_officials_of_the_area_and_admins_get_in(client, users, esil_objects, log_in):
    log_in(users["akimat_of_district"])
    assert client.get(f"/admin/processes/{esil_objects['process_id']}").status_code == 200
    assert client.get("/admin/areas").status_code == 403  # areas are for administrators
    client.post("/auth/logout")
    log_in(users["admin"])
    for path in ("/admin/", "/admin/areas", "/admin/processes", "/admin/roles", "/admin/mci",
                 f"/admin/processes/{esil_objects['process_id']}", f"/admin/budgets/{esil_objects['budget_id']}/edit",
                 f"/admin/areas/{esil_objects['area_id']}/edit", "/admin/processes/new", "/admin/areas/new"):
        assert client.get(path).status_code == 200, path


def test_only_nationwide_administrators_read_the_audit_log_of_every_area(client, users, log_in):
    log_in(users["admin_elsewhere"])
    assert client.get("/admin/audit").status_code == 403
    assert "/admin/audit" not in client.get("/admin/").get_data(as_text=True)
    client.post("/auth/logout")
    log_in(users["admin"])
    assert client.get("/admin/audit").status_code == 200
    assert "/admin/audit" in client.get("/admin/").get_data(as_text=True)
