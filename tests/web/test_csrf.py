"""CSRF beyond the walk in test_authorization_matrix.py (which posts to every route without a token
as a role allowed to act, and checks that nothing changes): no view is exempt, the API has no
unsafe method, and a token from another session does not work."""
import re

import pytest

from app.extensions import csrf

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app):
    found = [(rule.endpoint, method, rule) for rule in app.url_map.iter_rules() for method in rule.methods & UNSAFE]
    return sorted(found, key=lambda item: item[:2])


def test_no_view_or_blueprint_is_exempt_from_csrf():
    assert not csrf._exempt_views and not csrf._exempt_blueprints


def test_the_session_authenticated_api_changes_nothing(app):
    """The API is read-only: no unsafe method under /api/, so a forged cross-site request has
    nothing to do there (and CSRFProtect would refuse one without a token, as the matrix checks)."""
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
