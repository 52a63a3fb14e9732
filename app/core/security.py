"""Small security helpers shared by blueprints."""
from urllib.parse import urlsplit

from flask import abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths may be redirect targets (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


LINK_MESSAGE = _l("A link starts with https:// or http:// and names a site, like https://meet.example.kz/okrug-7.")


def web_link(text: str | None) -> str | None:
    """``text`` as a web address we may show as a link (scheme in lower case), or None when it is
    anything else: "javascript:" or "data:" would run in the visitor's page, and an address
    without a site, with spaces or control characters is not one."""
    text = (text or "").strip()
    if not text or any(c.isspace() or not c.isprintable() for c in text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # e.g. "http://[::1" (a broken IPv6 address)
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return parts.scheme.lower() + text[len(parts.scheme):]


# Everything is served by us: no inline script or style, no framing, no plug-ins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def drop_nul_characters() -> None:
    """Before each request: no text a person types contains a NUL character, and PostgreSQL
    refuses one in a text column, so a crafted "\x00" in any field or query parameter would end
    in a server error (on SQLite it would be stored). Remove them from query parameters and form
    fields; a URL path with one names nothing (404)."""
    if "\x00" in request.path:
        abort(404)
    names = ("args", "form") if request.method in ("POST", "PUT", "PATCH") else ("args",)
    for name in names:
        values = getattr(request, name)
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            setattr(request, name, ImmutableMultiDict(
                [(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in values.items(multi=True)]))


def add_security_headers(response):
    """Headers every response carries (issue: security headers on every page)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response
