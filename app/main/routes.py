"""Home page, language switch, health check and notifications."""
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from app.core.forms import CSRFOnlyForm, page_arg
from app.core.security import safe_next_url
from app.extensions import db
from app.main.services import processes_for_home
from app.models import Notification, NotificationKind
from app.notifications import KIND_LABELS, mark_all_read, preferences, save_preferences
from app.proposals.timeline import event_text

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    area, processes = processes_for_home(current_user)
    return render_template("main/index.html", area=area, processes=processes)


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", db="ok")
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="degraded", db="unavailable"), 503, {"Retry-After": "30"}


@bp.route("/notifications")
@login_required
def notifications():
    page = db.paginate(
        select(Notification).where(Notification.user_id == current_user.id)
        .options(selectinload(Notification.proposal), selectinload(Notification.event))
        .order_by(Notification.id.desc()),
        page=page_arg(), per_page=30, error_out=False,
    )
    return render_template("main/notifications.html", page=page, event_text=event_text, form=CSRFOnlyForm())


@bp.post("/notifications/read")
@login_required
def notifications_read():
    if CSRFOnlyForm().validate_on_submit():
        mark_all_read(current_user)
    return redirect(url_for("main.notifications"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notification_settings():
    form = CSRFOnlyForm()
    kinds = list(NotificationKind)
    if form.validate_on_submit():
        save_preferences(current_user, {
            kind.value: (f"{kind.value}-in_app" in request.form, f"{kind.value}-email" in request.form)
            for kind in kinds
        })
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("main.notification_settings"))
    rows = []
    for kind in kinds:
        pref = preferences([current_user.id], kind.value).get(current_user.id)
        rows.append((kind.value, KIND_LABELS[kind], pref.in_app if pref else True, pref.email if pref else False))
    return render_template("main/notification_settings.html", rows=rows, form=form)
