"""Error pages in the user's language; a 500 rolls the session back so nothing half-done stays."""
from flask import jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError
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
    def database_unavailable(error):
        # A database that went away is a temporary outage, not a crash: say so with 503.
        db.session.rollback()
        app.logger.error("database unavailable: %s", error)
        if _wants_json():
            return jsonify(error="database unavailable", status=503), 503
        return render_template("errors/503.html"), 503
