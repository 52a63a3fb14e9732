"""Security headers on every kind of response; no inline script or style in any page."""
import re

import pytest


@pytest.mark.parametrize("path", ["/", "/auth/login", "/proposals", "/healthz", "/no-such-page", "/api/v1/areas"])
def test_every_response_forbids_framing_sniffing_and_foreign_scripts(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script_or_style(client, users, open_process, log_in):
    log_in(users["admin"])
    propose_pages = ["/", "/proposals", "/admin/areas", "/admin/", "/meetings", "/auth/profile"]
    for path in propose_pages:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=\"", html), path
        assert not re.search(r"\son[a-z]+=\"", html), path  # no event-handler attributes


def test_session_cookie_is_httponly_and_samesite(client, users):
    response = client.post("/auth/login", data={"email": users["resident"].email, "password": "correct-horse-battery"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


