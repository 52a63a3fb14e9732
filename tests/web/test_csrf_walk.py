"""CSRF on every state-changing route: a walk over app.url_map, so a new route is covered the day
it is added. (The per-form tests check that nothing is stored; here: every unsafe method of every
route refuses a request without a token, even from a logged-in admin.)"""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import csrf, db

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def filled(rule) -> str:
    """The rule's URL with every argument set to something plausible (CSRF is checked before the
    view runs, so the objects need not exist)."""
    values = {arg: ("x.jpg" if arg == "name" else "csv" if arg == "fmt" else "proposals" if arg == "dataset"
                    else "x" if rule._converters[arg].__class__.__name__ in ("UnicodeConverter", "PathConverter")
                    else 1)
              for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def unsafe_routes(app):
    found = [(rule.endpoint, method, rule) for rule in app.url_map.iter_rules() for method in rule.methods & UNSAFE]
    return sorted(found, key=lambda item: item[:2])


def row_counts():
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_every_unsafe_route_refuses_a_request_without_a_csrf_token(app, client, users, log_in, monkeypatch):
    log_in(users["admin"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    routes = unsafe_routes(app)
    assert len(routes) > 40  # the walk found the app's forms (a broken walk would pass vacuously)
    before = row_counts()
    let_through = []
    for endpoint, method, rule in routes:
        response = client.open(filled(rule), method=method, data={"title": "forged", "body": "forged"})
        page = response.get_data(as_text=True)
        if response.status_code != 400 or not re.search(r"CSRF|security token|token", page, re.I):
            let_through.append(f"{method} {rule.rule} ({endpoint}): HTTP {response.status_code}")
    assert not let_through, "accepted without a CSRF token:\n" + "\n".join(let_through)
    db.session.expire_all()
    assert row_counts() == before


def test_no_view_or_blueprint_is_exempt_from_csrf():
    assert not csrf._exempt_views and not csrf._exempt_blueprints


def test_the_session_authenticated_api_changes_nothing(app):
    """The API is read-only: no unsafe method under /api/, so a forged cross-site request has
    nothing to do there (and CSRFProtect would refuse one without a token, as tested above)."""
    api = [f"{method} {rule.rule}" for endpoint, method, rule in unsafe_routes(app) if rule.rule.startswith("/api/")]
    assert api == []


@pytest.mark.parametrize("origin_header", [{"Referer": "https://evil.example/"}, {}])
def test_a_token_from_another_session_is_refused(app, client, users, log_in, monkeypatch, origin_header):
    """A token is tied to its session: one taken from the attacker's own session does not work."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    other = app.test_client()
    page = other.get("/auth/login").get_data(as_text=True)
    foreign = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    log_in_page = client.get("/auth/login")
    assert log_in_page.status_code == 200
    response = client.post("/language", data={"locale": "en", "csrf_token": foreign}, headers=origin_header)
    assert response.status_code == 400
