"""The production shape (issue #8): app servers hold no state of their own, so a city scales by
adding them. Sessions live in signed cookies; rate limits and lockouts live in Redis when
REDIS_URL is set; each worker keeps a bounded PostgreSQL pool with server-side timeouts."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from _clients import _connection, _request
from _gunicorn import free_port, stop
from _vote_day import serve

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def production_app(monkeypatch, url: str, **env):
    """create_app('production') as gunicorn would build it from the environment."""
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "production-shape-test")
    monkeypatch.setenv("VOTER_KEY_SECRET", "production-shape-voter-key")
    monkeypatch.setenv("DATABASE_URL", url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app("production")


def test_postgresql_connections_carry_the_statement_and_idle_timeouts(cluster, monkeypatch):
    url = cluster.create_database("shape_timeouts")
    app = production_app(monkeypatch, url, DB_STATEMENT_TIMEOUT_MS="300", DB_POOL_SIZE="3")
    from app.extensions import db

    with app.app_context():
        assert db.engine.pool.size() == 3
        assert db.session.execute(sa.text("SHOW statement_timeout")).scalar() == "300ms"
        assert db.session.execute(sa.text("SHOW idle_in_transaction_session_timeout")).scalar() == "1min"
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            db.session.execute(sa.text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 3  # cancelled by the server, not waited out
        db.session.rollback()
        db.engine.dispose()


def test_production_cookies_are_secure_httponly_and_samesite(cluster, monkeypatch):
    app = production_app(monkeypatch, cluster.url("postgres"))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the shared-state tests: redis-server is not installed")
        pytest.skip("redis-server not installed (apt-get install redis-server): shared-state tests skipped")
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                               stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def login_attempt(port: int, email: str, password: str) -> tuple[int, str]:
    conn = _connection(port)
    status, _, page, cookie = _request(conn, "GET", "/auth/login")
    token = CSRF_RE.search(page).group(1)
    status, _, page, _ = _request(conn, "POST", "/auth/login", cookie,
                                  [("email", email), ("password", password), ("csrf_token", token)])
    conn.close()
    return status, page


def test_two_app_servers_share_lockouts_and_throttles_through_redis(cluster, redis_url, tmp_path):
    """Wrong passwords on one server count on the other: an attacker gains nothing by spreading
    attempts over the servers behind the proxy."""
    url = cluster.create_database("shape_redis")
    env = dict(os.environ, DATABASE_URL=url, QATYSU_CONFIG="development", SECRET_KEY="shape")
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    settings = {"REDIS_URL": redis_url, "LOGIN_RATE_LIMIT": "1000 per minute"}
    first = serve(url, tmp_path, 1, **settings)
    second = serve(url, tmp_path, 1, **settings)
    try:
        email = "nobody.here@example.kz"
        for n in range(4):  # two wrong passwords on each server
            status, page = login_attempt((first, second)[n % 2][1], email, f"wrong password {n}")
            assert status == 200 and "Wrong email or password" in page
        assert "One more wrong attempt" in page  # the 4th, counted across both
        status, page = login_attempt(first[1], email, "wrong password 5")
        assert "Too many wrong passwords" in page
        status, page = login_attempt(second[1], email, "wrong password 6")
        assert "Too many wrong passwords" in page  # the other server knows it is locked
    finally:
        stop(first[0])
        stop(second[0])
