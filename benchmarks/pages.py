"""Every page a real user opens on vote and results day, at 1,000 and at city scale, on SQLite
and PostgreSQL.

For each database and each size ("small": 1,000 residents, proposals and ballots; "city":
500,000 residents, 100,000 proposals with 1,000,000 supports, 200,000 sealed ballots in an open
budget and 200,000 counted ones in a published result, 300 funded projects with reports, a town
hall with 500 registrants) this script:

1. builds a fresh database with the Alembic migrations (``_vote_day.build`` for the demo and an
   open vote, then ``_city.add_city``: bulk inserts, not the services one by one);
2. counts the SQL statements of each page in-process (the count must be the same at both sizes);
3. serves it with gunicorn (1 sync worker) and times each page over HTTP, logged in where the
   page needs it: a few warm-up requests, then up to ``--requests`` (at most ``--seconds`` each);
4. prints one table: each page's median, its ratio to ``/healthz`` in the same run, its growth
   from small to city scale, and its statements at both sizes. Targets: at most 10x ``/healthz``,
   at most 1.5x growth.

Run: ``nice .venv/bin/python benchmarks/pages.py`` (city scale takes a while on 2 cores);
``--sizes small`` or ``--databases sqlite`` for a part. Exit status 1 when a target fails."""
import argparse
import http.client
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _city  # noqa: E402
import _vote_day  # noqa: E402
from _gunicorn import stop  # noqa: E402

RATIO_TARGET, GROWTH_TARGET = 10.0, 1.5
DEMO_PASSWORD = "qatysu-demo"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEARCHES = ["балалар алаңы", "жарықтандыру", "детская площадка"]


def pages(facts: dict) -> list[tuple[str, str, str | None]]:
    """(label, path, who is logged in: None, "voter", "deputy" or "resident")."""
    q = [f"/proposals?q={urllib.parse.quote(s)}" for s in SEARCHES]
    return [
        ("/healthz", "/healthz", None), ("home", "/", None), ("proposal list", "/proposals", None),
        ("search: балалар алаңы", q[0], None), ("search: жарықтандыру", q[1], None),
        ("search: детская площадка", q[2], None), ("a proposal page", f"/proposals/{facts['detail']}", None),
        ("booth", f"/budgets/{facts['cast_budget']}/vote", "voter"),
        ("results", f"/budgets/{facts['results_budget']}/results", None),
        ("protocol", f"/budgets/{facts['results_budget']}/results/protocol", None),
        ("ballots.pb", f"/api/v1/budgets/{facts['results_budget']}/ballots.pb", None),
        ("meeting page as host", f"/meetings/{facts['meeting']}", "deputy"),
        ("area dashboard", f"/areas/{facts['area']}/dashboard", None),
        ("/me of a very active resident", "/me", "resident"),
        ("API proposals", "/api/v1/proposals", None), ("API budgets", "/api/v1/budgets", None),
        ("API processes", "/api/v1/processes", None), ("API meetings", "/api/v1/meetings", None),
    ]


def accounts(facts: dict) -> dict:
    return {"voter": (facts["voter"], _vote_day.PASSWORD), "deputy": ("deputy@qatysu.kz", DEMO_PASSWORD),
            "resident": ("resident@qatysu.kz", DEMO_PASSWORD)}


def build(url: str, size_name: str, seed: int) -> dict:
    """The database at ``url`` (empty), filled to ``size_name``; statements per page counted."""
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    size = _city.SIZES[size_name]
    started = time.perf_counter()
    vote_day = _vote_day.build(url, n_voters=5, n_ballots=size["ballots"], seed=seed, full_demo=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "WTF_CSRF_ENABLED": False, "VOTER_KEY_SECRET": _vote_day.VOTER_KEY_SECRET,
                      "RATELIMIT_ENABLED": False})
    with app.test_request_context():
        if url.startswith("sqlite"):
            db.session.execute(db.text("PRAGMA synchronous = OFF"))
        facts = _city.add_city(db, size, random.Random(seed))
        if url.startswith("postgresql"):
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(db.text("VACUUM ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        facts.update(cast_budget=vote_day["cast_budget"], voter=vote_day["voters"][0],
                     build_seconds=time.perf_counter() - started)
        db.session.remove()

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 (before_cursor_execute: the statement)
    facts["queries"] = {}
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
        clients = {None: app.test_client()}
        for who, (email, password) in accounts(facts).items():
            clients[who] = app.test_client()
            answer = clients[who].post("/auth/login", data={"email": email, "password": password})
            assert answer.status_code == 302, (who, answer.status_code)
        for label, path, who in pages(facts):
            clients[who].get(path)  # the first request may fill caches
            statements.clear()
            answer = clients[who].get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            facts["queries"][label] = len(statements)
        event.remove(db.engine, "before_cursor_execute", listener)
        db.session.remove()
        db.engine.dispose()
    return facts


# --- over HTTP ---------------------------------------------------------------------------------

def _send(conn, method, path, cookie="", form=None):
    headers = {"Accept-Language": "kk"}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read()
    for value in response.headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            cookie = value.split(";", 1)[0]
    return response.status, text, cookie


def log_in(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    status, page, cookie = _send(conn, "GET", "/auth/login")
    token = CSRF_RE.search(page.decode()).group(1)
    status, _, cookie = _send(conn, "POST", "/auth/login", cookie,
                              [("email", email), ("password", password), ("csrf_token", token)])
    assert status == 302, (email, status)
    conn.close()
    return cookie


def measure(port: int, path: str, cookie: str, warmup: int, requests: int, seconds: float) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    timings, deadline = [], None
    try:
        for n in range(warmup + requests):
            t0 = time.perf_counter()
            status, body, _ = _send(conn, "GET", path, cookie)
            elapsed = (time.perf_counter() - t0) * 1000
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}: {body[:300]!r}")
            if n == warmup:
                deadline = time.perf_counter() + seconds
            if n >= warmup:
                timings.append(elapsed)
                if time.perf_counter() > deadline and len(timings) >= 5:
                    break
    finally:
        conn.close()
    return timings


def run(url: str, size_name: str, workdir: Path, args) -> dict:
    print(f"  building {size_name} ...", flush=True)
    facts = build(url, size_name, seed=2026)
    print(f"  built in {facts['build_seconds']:.0f} s: {facts['residents']:,} residents, {facts['proposals']:,} "
          f"proposals, {facts['supports']:,} supports, {facts['ballots']:,} counted ballots", flush=True)
    server, port, log = _vote_day.serve(url, workdir, workers=1)
    try:
        cookies = {None: ""}
        for who, (email, password) in accounts(facts).items():
            cookies[who] = log_in(port, email, password)
        facts["median"] = {}
        for label, path, who in pages(facts):
            timings = measure(port, path, cookies[who], args.warmup, args.requests, args.seconds)
            facts["median"][label] = statistics.median(timings)
            print(f"    {label:<32} {facts['median'][label]:9.2f} ms  {facts['queries'][label]:3d} SQL", flush=True)
    finally:
        stop(server)
    return facts


def table(results: dict, sizes: list[str]) -> tuple[list[str], list[str]]:
    """The one table (markdown), and the failed targets."""
    dbs = list(results)
    small, large = sizes[0], sizes[-1]
    head = "| page | " + " | ".join(
        f"{db} {small} ms | {db} {large} ms | {db} × /healthz | {db} growth | {db} SQL" for db in dbs) + " |"
    lines = [head, "|---|" + "---:|" * (5 * len(dbs))]
    failures = []
    for label, _, _ in pages(next(iter(results.values()))[large]):
        cells = []
        for db in dbs:
            a, b = results[db][small], results[db][large]
            ratio = b["median"][label] / b["median"]["/healthz"]
            growth = b["median"][label] / a["median"][label]
            cells += [f"{a['median'][label]:.1f}", f"{b['median'][label]:.1f}", f"{ratio:.1f}", f"{growth:.2f}×",
                      f"{a['queries'][label]} → {b['queries'][label]}"]
            if label != "/healthz":
                if ratio > RATIO_TARGET:
                    failures.append(f"{db}: {label} is {ratio:.1f}× /healthz")
                if growth > GROWTH_TARGET and len(sizes) > 1:
                    failures.append(f"{db}: {label} grows {growth:.2f}×")
                if a["queries"][label] != b["queries"][label]:
                    failures.append(f"{db}: {label} runs more SQL statements with more data")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["small", "city"], choices=list(_city.SIZES))
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="at most this long per page (after warm-up)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="qatysu-pages-"))
    results: dict = {}
    try:
        for db in args.databases:
            results[db] = {}
            cluster = None
            if db == "postgresql":
                from _postgres import Cluster

                cluster = Cluster(max_connections=50)
                cluster.start()
            try:
                for size in args.sizes:
                    print(f"== {db}, {size}", flush=True)
                    if cluster is None:
                        url = f"sqlite:///{workdir / f'pages-{size}.sqlite3'}"
                    else:
                        url = cluster.create_database(f"pages_{size}")
                    results[db][size] = run(url, size, workdir, args)
                    if cluster is None:
                        Path(url.removeprefix("sqlite:///")).unlink()
            finally:
                if cluster is not None:
                    cluster.destroy()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    lines, failures = table(results, args.sizes)
    print(f"\n{date.today().isoformat()}: medians in ms; × /healthz and growth at {args.sizes[-1]} scale\n")
    print("\n".join(lines))
    print("\nRESULT:", "PASS" if not failures else "FAIL")
    for failure in failures:
        print("  -", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
