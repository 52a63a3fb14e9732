"""Each person's notifications and their choice of what to receive."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.forms import CSRFOnlyForm, page_arg
from app.notifications import services, subjects
from app.notifications.models import NotificationKind

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@login_required
def index():
    page, about = services.page_of(current_user, page_arg())
    return render_template("notifications/index.html", page=page, about=about, notice=subjects.notice,
                           form=CSRFOnlyForm())


@bp.post("/notifications/read")
@login_required
def read():
    if CSRFOnlyForm().validate_on_submit():
        services.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = CSRFOnlyForm()
    if form.validate_on_submit():
        services.save_preferences(current_user, {
            kind.value: (f"{kind.value}-in_app" in request.form, f"{kind.value}-email" in request.form)
            for kind in NotificationKind
        })
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", rows=services.settings_of(current_user), form=form)
