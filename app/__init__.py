"""Qatysu: the application factory, the only place that wires things together."""
import logging
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from app.config import CONFIGS, ROOT
from app.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: str | dict | None = None) -> Flask:
    """Build the app. ``config`` is a name from ``app.config.CONFIGS`` (default: the
    ``QATYSU_CONFIG`` environment variable, else 'development') or a dict of overrides applied
    on top of the testing configuration. Never creates or migrates tables."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    overrides = config if isinstance(config, dict) else {}
    name = "testing" if isinstance(config, dict) else (config or os.environ.get("QATYSU_CONFIG", "development"))
    config_class = CONFIGS[name]
    app.config.from_object(config_class)
    app.config.update(config_class.from_environment())
    app.config.update(overrides)
    app.config["CONFIG_NAME"] = name

    _init_extensions(app)
    app.url_map.converters["int"] = DatabaseId  # before any route is added
    _register_blueprints(app)
    _register_template_helpers(app)

    from app.cli import register_cli
    from app.core.error_pages import register_error_handlers

    register_error_handlers(app)
    register_cli(app)
    from app.core.audit import remember_actor
    from app.core.http_cache import keep_private
    from app.core.security import add_security_headers, drop_nul_characters

    app.before_request(drop_nul_characters)
    app.before_request(remember_actor)
    app.after_request(add_security_headers)
    app.after_request(keep_private)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


class DatabaseId(IntegerConverter):
    """<int:...> in our URLs is a row id: 1 to 2^31-1, so an absurd number is a 404, not a
    database overflow error."""

    def __init__(self, map, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, **kwargs)


def _init_extensions(app: Flask) -> None:
    # Every model registered before anything asks for the schema: those of app/models and of the
    # packages that keep their own (notifications; the components register theirs with their pages).
    from app import models  # noqa: F401
    from app.core.i18n import select_locale
    from app.notifications import models as notification_models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to open this page.")

    @login_manager.user_loader
    def load_user(token: str):
        # The cookie names a server-side session, not the user: see app.auth.sessions.
        from app.auth.sessions import load

        return load(token)


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, connection_record):
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys unless asked, per connection
    # Write-ahead logging lets readers go on while a ballot is written, and NORMAL sync is safe
    # with WAL (a power cut may lose the last commits, never corrupt the file).
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.ballots.routes import bp as ballots_bp
    from app.council.routes import bp as council_bp
    from app.implementation.routes import bp as implementation_bp
    from app.main.routes import bp as main_bp
    from app.notifications.routes import bp as notifications_bp
    from app.proposals.routes import bp as proposals_bp
    from app.results.routes import bp as results_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(proposals_bp)
    app.register_blueprint(ballots_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(implementation_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(council_bp)
    import meetings  # a component: it plugs itself in (pages, notifications, template helpers)

    meetings.init_app(app)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_decimal
    from flask_login import current_user

    from app.core.clock import utcnow
    from app.core.forms import CSRFOnlyForm
    from app.core.i18n import local_date, local_datetime, local_time, locale_code, money, percent, until
    from app.core.labels import (
        audit_action_label,
        audit_object_label,
        decision_label,
        implementation_status_label,
        proposal_status_label,
        role_label,
        rule_explanation,
        rule_name,
        stance_label,
        status_label,
        tie_break_explanation,
        tie_break_name,
        variant_name,
    )
    from app.core.permissions import Action, can
    from app.council.public import summary as council_summary
    from app.models import PUBLIC_STATUSES
    from app.proposals.timeline import event_text

    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["time"] = local_time
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["percent"] = percent
    # Pure helpers are globals so that imported macros see them too.
    app.jinja_env.globals.update(
        phase_status_label=status_label, proposal_status_label=proposal_status_label,
        stance_label=stance_label, role_label=role_label, public_statuses=PUBLIC_STATUSES, now_utc=utcnow,
        rule_name=rule_name, decision_label=decision_label, implementation_status_label=implementation_status_label,
        event_text=event_text, rule_explanation=rule_explanation, variant_name=variant_name,
        until=until, tie_break_name=tie_break_name, audit_action_label=audit_action_label,
        audit_object_label=audit_object_label, tie_break_explanation=tie_break_explanation,
        council_summary=council_summary,
    )

    @app.context_processor
    def inject_helpers():
        from app.notifications.services import unread_count

        return {
            "unread_notifications": unread_count(current_user) if current_user.is_authenticated else 0,
            "can": lambda action, area=None: can(current_user, Action(action), area),
            "current_locale": locale_code(),
            "languages": app.config["LANGUAGES"],
            "csrf_form": CSRFOnlyForm(),

        }
