"""HTTP caching where it is safe, so a reverse proxy or a CDN can carry a results-day rush.

- Open data (the API, ``ballots.pb``, the exports) is the same for everyone: ``public`` with a
  short ``max-age``, an ``ETag`` from the body and, where the data has a date, ``Last-Modified``;
  a conditional request gets ``304``.
- A public page (published results, the protocol) carries the visitor's CSRF token in its
  language switcher, so no shared cache may keep it: ``private, no-cache`` with an ``ETag`` made
  from what the page shows (checked before rendering, so a ``304`` costs a few queries).
- Every other page seen by someone logged in is ``private, no-store`` (:func:`keep_private`)."""
import hashlib
from datetime import datetime

from flask import Response, make_response, request, session
from flask_login import current_user

OPEN_DATA_MAX_AGE = 60


def open_data(response: Response, last_modified: datetime | None = None,
              max_age: int = OPEN_DATA_MAX_AGE) -> Response:
    """Mark a successful GET of open data cacheable by anyone, and answer 304 when it may."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.direct_passthrough:
        return response
    response.add_etag()
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)


def page_etag(*parts) -> str | None:
    """An ETag for a page from what it shows, the language and who looks at it; None while a
    message waits to be shown once (that page is not to be kept)."""
    if session.get("_flashes"):
        return None
    viewer = current_user.get_id() if current_user.is_authenticated else "-"
    text = "|".join(str(p) for p in (*parts, viewer))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def page_not_modified(etag: str | None, last_modified: datetime | None) -> Response | None:
    """A 304 answer when the browser already holds this page, else None (render it)."""
    if etag is None:
        return None
    response = Response(status=200)
    _private_revalidated(response, etag, last_modified)
    response = response.make_conditional(request)
    return response if response.status_code == 304 else None


def private_page(response, etag: str | None, last_modified: datetime | None) -> Response:
    """Headers of a rendered page that a browser may keep and revalidate."""
    response = make_response(response)
    if etag is None:
        response.cache_control.no_store = True
        return response
    _private_revalidated(response, etag, last_modified)
    return response


def _private_revalidated(response: Response, etag: str, last_modified: datetime | None) -> None:
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")


def keep_private(response: Response) -> Response:
    """No page seen by someone logged in is kept by any cache, unless a view said otherwise. The
    session cookie says who is logged in without asking the database, which may be the very thing
    that is down (the 503 page must still be sent)."""
    if "Cache-Control" not in response.headers and session.get("_user_id"):
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response
