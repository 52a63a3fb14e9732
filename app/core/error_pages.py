"""Error pages in the user's language; a 500 rolls the session back so nothing half-done stays."""
from flask import current_app, jsonify, make_response, render_template, request, session
from flask_babel import force_locale
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.datastructures import ImmutableMultiDict

from app.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_error_handlers(app):
    def page(code: int):
        def handler(error):
            if code >= 500:
                db.session.rollback()
            if code == 413:
                # The body was refused unread; the page's own forms (language switcher, logout)
                # would try to read it again and fail the same way, so it counts as empty.
                request.form = request.files = ImmutableMultiDict()
            if _wants_json():
                response = jsonify(error=getattr(error, "name", "error"), status=code)
            else:
                response = make_response(render_template(f"errors/{code}.html"))
            response.status_code = code
            # Keep headers the error carries, such as Allow on 405 (RFC 9110) or Retry-After on 429.
            for name, value in getattr(error, "get_headers", lambda: [])():
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response

        return handler

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, page(code))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # A database that went away is a temporary outage, not a crash: say so with 503, and ask
        # clients to come back shortly.
        try:
            db.session.rollback()
        except (OperationalError, InterfaceError):
            pass  # the connection is gone; the pool replaces it once the server is back
        app.logger.error("database unavailable: %s", error)
        if _wants_json():
            response = jsonify(error="database unavailable", status=503)
        else:
            response = make_response(_outage_page())
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        return response


def _outage_page() -> str:
    """The 503 page without touching the database: no user, no notifications, and a language
    taken from the session or the browser instead of the user's saved choice."""
    languages = current_app.config["LANGUAGES"]
    lang = session.get("locale")
    if lang not in languages:
        lang = request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        return current_app.jinja_env.get_template("errors/503.html").render(lang=lang)
