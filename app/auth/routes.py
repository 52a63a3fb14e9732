"""Register, log in and out, reset a password, edit the profile."""
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import services, sessions
from app.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from app.ballots.roll import current_rolls
from app.core.areas import area_choices
from app.core.errors import ServiceError, refuse
from app.core.security import safe_next_url
from app.extensions import limiter
from app.notifications.mail import deliver_pending

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    form.home_area.choices = area_choices(services.RESIDENCE_KINDS)
    if request.method == "GET":
        form.locale.data = session.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    if form.validate_on_submit():
        try:
            user = services.register_user(
                full_name=form.full_name.data, email=form.email.data, iin=form.iin.parsed,
                password=form.password.data, home_area_id=form.home_area.data,
                phone=form.phone.data, locale=form.locale.data,
            )
        except ServiceError as refused:
            refuse(refused, form)
        else:
            sessions.log_in(user)
            session["locale"] = user.locale
            flash(_("Welcome to Qatysu! Your account is ready."), "success")
            if not services.may_propose(user):
                flash(
                    _("You can support proposals and vote; proposing projects opens at age %(age)s.",
                      age=current_app.config["MIN_PROPOSER_AGE"]),
                    "info",
                )
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except ServiceError as refused:
            refuse(refused, form)
        else:
            sessions.log_in(user, remember=form.remember.data)
            session["locale"] = user.locale
            flash(_("You are logged in."), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    sessions.log_out(current_user)
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    services.log_out_everywhere(current_user)
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("main.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            form.email.data, lambda token: url_for("auth.reset_password", token=token, _external=True)
        )
        deliver_pending()
        flash(_("If an account uses that email, a reset link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    form.personal = (user.full_name, user.email, user.iin)
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user, prefix="profile")
    form.home_area.choices = area_choices(services.RESIDENCE_KINDS)
    if request.method == "GET":
        form.home_area.data = current_user.home_area_id
    password_form = ChangePasswordForm(prefix="password")
    password_form.personal = (current_user.full_name, current_user.email, current_user.iin)
    if form.submit.data and form.validate_on_submit():
        moved = services.save_profile(current_user, full_name=form.full_name.data, phone=form.phone.data,
                                      home_area_id=form.home_area.data, locale=form.locale.data)
        session["locale"] = form.locale.data
        flash(_("Your profile is saved."), "success")
        if moved and current_rolls(current_user):
            flash(_("Your new home area applies from the next process: where voting is open, you vote where the "
                    "electoral roll put you."), "info")
        return redirect(url_for("auth.profile"))
    if password_form.submit.data and password_form.validate_on_submit():
        if services.change_password(current_user, password_form.current_password.data, password_form.password.data):
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
        password_form.current_password.errors.append(_("The current password is wrong."))
    return render_template("auth/profile.html", form=form, password_form=password_form,
                           rolls=current_rolls(current_user))
