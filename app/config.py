"""Configuration classes.

SQLite under ``instance/`` is the embedded default; ``DATABASE_URL`` selects PostgreSQL
(``postgresql+psycopg://user:pass@host/db``). Secrets always come from the environment.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    """The configuration cannot run safely (e.g. production without secrets)."""


def _normalize_db_url(url: str) -> str:
    # Heroku-style URLs say postgres://; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _local_secret_key(name: str = "secret_key") -> str:
    """A per-installation random key kept in instance/, so dev sessions (and voter keys) survive
    restarts without a secret ever being committed."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / name
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Keys the HMAC that names voters on the roll (app/identity/voter_key.py). Losing or changing
    # it during a process makes the roll unreadable: keep it with the other production secrets.
    VOTER_KEY_SECRET = os.environ.get("VOTER_KEY_SECRET")
    MAX_KEY_FILE_BYTES = 64 * 1024  # a count key file is about 300 bytes per budget
    SQLALCHEMY_DATABASE_URI = _normalize_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'qatysu.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "app" / "translations")
    LANGUAGES = ("kk", "ru", "en")
    WTF_CSRF_TIME_LIMIT = None  # tokens live with the session; long forms must not expire
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_LOCKOUT = os.environ.get("LOGIN_LOCKOUT", "5 per 15 minutes")  # wrong passwords per email
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # A login lasts this long at most, "remember me" included (app.auth.sessions).
    LOGIN_SESSION_DAYS = int(os.environ.get("LOGIN_SESSION_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=LOGIN_SESSION_DAYS)
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BALLOT_SNAPSHOT_SECONDS = float(os.environ.get("BALLOT_SNAPSHOT_SECONDS", "5"))
    MIN_PROPOSER_AGE = int(os.environ.get("MIN_PROPOSER_AGE", "18"))
    MIN_REGISTRATION_AGE = int(os.environ.get("MIN_REGISTRATION_AGE", "16"))
    PASSWORD_RESET_MAX_AGE = 3600
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    MAX_PHOTO_BYTES = int(os.environ.get("MAX_PHOTO_MB", "8")) * 1024 * 1024
    MAX_PHOTOS = 5
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024  # five photos and the form
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "noreply@qatysu.kz")
    SMTP_HOST = os.environ.get("SMTP_HOST")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USER = os.environ.get("SMTP_USER")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"

    @classmethod
    def from_environment(cls) -> dict:
        """Settings read at start-up (not at import), after checking they are safe to run."""
        return {}


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
    VOTER_KEY_SECRET = os.environ.get("VOTER_KEY_SECRET") or _local_secret_key("voter_key_secret")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-secret"
    VOTER_KEY_SECRET = "testing-only-voter-key-secret"
    SQLALCHEMY_DATABASE_URI = _normalize_db_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    )
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "100000 per minute"  # tests that check throttling lower it
    BALLOT_SNAPSHOT_SECONDS = 0  # tests change budgets between requests; one test turns it on
    SERVER_NAME = "localhost"


def postgres_engine_options() -> dict:
    """A pool per gunicorn worker, and server-side limits so that one runaway query or a worker
    stuck in a transaction cannot hold a vote day's connections and locks."""
    statement_ms = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "15000"))
    idle_ms = int(os.environ.get("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "60000"))
    return {
        "pool_pre_ping": True,  # a restarted database costs one failed request, not a worker restart
        "pool_size": int(os.environ.get("DB_POOL_SIZE", "5")),
        "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", "10")),
        "pool_timeout": int(os.environ.get("DB_POOL_TIMEOUT", "10")),
        "pool_recycle": 1800,
        "connect_args": {
            "options": f"-c statement_timeout={statement_ms} -c idle_in_transaction_session_timeout={idle_ms}",
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
        },
    }


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def from_environment(cls) -> dict:
        missing = [name for name in ("SECRET_KEY", "VOTER_KEY_SECRET", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise ConfigError(
                "Production configuration refuses to start without: " + ", ".join(missing)
            )
        url = _normalize_db_url(os.environ["DATABASE_URL"])
        settings = {"SECRET_KEY": os.environ["SECRET_KEY"], "VOTER_KEY_SECRET": os.environ["VOTER_KEY_SECRET"],
                    "SQLALCHEMY_DATABASE_URI": url}
        if url.startswith("postgresql"):
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = postgres_engine_options()
        return settings


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
