"""Browser tests: Debian's Chromium driven by Playwright against the app served by gunicorn.

The server is the production setup in miniature: gunicorn with two workers on a free loopback
port, a fresh SQLite file migrated with ``flask db upgrade`` and filled with ``flask demo-data``,
the production configuration (CSRF on, secure cookies, secret key from the environment).
Without /usr/bin/chromium (or without the playwright package) every test here is skipped with
one clear reason; ``.ci/run`` installs Chromium so CI always runs them.
"""
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))  # the servers' start/stop helpers, shared with the benchmarks
from _gunicorn import free_port, stop, wait_until_ready  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
HEADLESS_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Screenshots of every step; gitignored. E2E_OUTPUT moves them elsewhere.
OUTPUT = Path(os.environ.get("E2E_OUTPUT", ROOT / "tests" / "e2e" / "output"))
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _why_skipped() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM}: browser tests skipped"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: browser tests skipped"
    return None


SKIP_REASON = _why_skipped()


def pytest_collection_modifyitems(config, items):
    if SKIP_REASON is None:
        return
    marker = pytest.mark.skip(reason=SKIP_REASON)
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(marker)


def pytest_report_header(config):
    return SKIP_REASON or f"browser tests: {CHROMIUM}, screenshots in {OUTPUT}"


def pytest_terminal_summary(terminalreporter):
    if SKIP_REASON:
        terminalreporter.write_line(SKIP_REASON, yellow=True, bold=True)


class Server:
    """The running app: its base URL and direct access to its SQLite file (for the clock)."""

    def __init__(self, url: str, db_path: Path):
        self.url = url
        self.db_path = db_path

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        with sqlite3.connect(self.db_path, timeout=10) as conn:
            rows = conn.execute(statement, params).fetchall()
        conn.close()
        return rows


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """gunicorn serving a migrated database with the Astana demo data, on a free loopback port."""
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    home = tmp_path_factory.mktemp("e2e-server")
    db_path = home / "qatysu.sqlite3"
    env = {
        **os.environ,
        "QATYSU_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "VOTER_KEY_SECRET": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{db_path}",
        "UPLOAD_FOLDER": str(home / "uploads"),
        # Every test logs in several people from 127.0.0.1; the throttle has its own tests.
        "LOGIN_RATE_LIMIT": "10000 per minute",
    }
    env.pop("TEST_DATABASE_URL", None)
    bin_dir = Path(sys.executable).parent
    flask = [str(bin_dir / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo-data"]):
        done = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    port = free_port()
    log = home / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--access-logfile", "-",
             "wsgi:app"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_ready(process, port, log)
        yield Server(f"http://127.0.0.1:{port}", db_path)
    finally:
        stop(process)  # gunicorn's graceful stop, then SIGKILL to its process group if it lingers
        if OUTPUT.exists():  # the server's log beside the screenshots, for when a step fails
            shutil.copy(log, OUTPUT / "gunicorn.log")


@pytest.fixture(scope="session")
def browser():
    if SKIP_REASON:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=HEADLESS_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def requests_seen() -> list[str]:
    """Every URL any page of any test asked for."""
    return []


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
# A Kazakh browser unless a test says otherwise; the app falls back to Kazakh anyway.


@pytest.fixture
def new_page(browser, server, requests_seen):
    """``new_page(device=LAPTOP, **context_options)``: a page in a fresh browser context (its own
    cookies). Every request is recorded, and the test fails if one leaves loopback or if the
    page breaks the Content-Security-Policy."""
    contexts, problems = [], []

    def make(device=None, **options):
        context = browser.new_context(base_url=server.url, **{"locale": "kk-KZ", **(device or LAPTOP), **options})
        context.set_default_timeout(15_000)

        def record(request):
            requests_seen.append(request.url)
            host = urlsplit(request.url).hostname
            if urlsplit(request.url).scheme in ("http", "https", "ws", "wss") and host not in LOOPBACK:
                problems.append(f"request left loopback: {request.url}")

        context.on("request", record)
        page = context.new_page()
        page.on("console", lambda message: problems.append(f"console: {message.text}")
                if "Content Security Policy" in message.text else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture(scope="session")
def ids(server):
    """Ids the steps navigate by (the Esil district budget of the open process, okrug No. 7) and
    the demo residents of Esil district who vote besides our resident and neighbour."""
    (process_id,) = server.sql("SELECT id FROM processes WHERE title_en = 'Astana participatory budget'")[0]
    (budget_id,) = server.sql("SELECT id FROM budgets WHERE process_id = ? AND name_en = 'Esil district'",
                              (process_id,))[0]
    (okrug_id,) = server.sql("SELECT id FROM areas WHERE name_en = 'Okrug No. 7'")[0]
    (esil_id,) = server.sql("SELECT id FROM areas WHERE name_en = 'Esil district'")[0]
    voters = [email for (email,) in server.sql(
        "SELECT u.email FROM users u JOIN areas a ON a.id = u.home_area_id "
        "WHERE a.parent_id = ? AND u.email LIKE 'resident.%@demo.qatysu.kz' ORDER BY u.id", (esil_id,))]
    return {"process": process_id, "budget": budget_id, "okrug": okrug_id, "esil": esil_id, "voters": voters}
