"""Home page, language switch and health check."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.auth.services import set_locale
from app.core.security import safe_next_url
from app.extensions import db
from app.main.services import processes_for_home, published_budgets

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    area, processes = processes_for_home(current_user)
    return render_template("main/index.html", area=area, processes=processes, published=published_budgets(processes))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every site; the icon is a static file (a 404 filled the logs)."""
    return current_app.send_static_file("favicon.ico")


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            set_locale(current_user, locale)
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", db="ok")
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="degraded", db="unavailable"), 503, {"Retry-After": "30"}
