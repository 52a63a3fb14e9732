"""Casting ballots under concurrent load, and counting 100,000 stored ballots.

Issue: "cast ballots through gunicorn (2 workers) with concurrent clients on loopback for a bounded
time and print ballots/s, p50/p99 latency and the ratio against ``/healthz`` measured in the same
run; then count the stored ballots: nothing lost, nothing doubled. Target: a ballot costs at most
4x a ``/healthz`` request; counting 100,000 stored ballots with ``mes`` (load + count + store) in at
most 3x the time ``voting`` alone takes on the same file."

1. Builds a fresh SQLite file in a temporary directory with the Alembic migrations, the demo areas,
   users and processes, plus a benchmark process whose voting phase is open now with two budgets:
   "cast" (10 projects on the ballot, ``--voters`` residents with a cheap password hash so that
   logging in is not what is measured) and "count" (20 projects, ``--ballots`` stored ballots and
   participations, 1-3 approvals each with a skewed popularity). Both: approval, at most 3
   projects, ``mes`` with ``add1-greedy`` completion. The "count" data depends on ``--seed`` only.
2. Serves it with gunicorn (2 sync workers, 127.0.0.1 only) and logs every voter in (untimed:
   login page, login, and for each client's first five the booth; keeps the session cookie and
   CSRF token).
3. ``--clients`` threads (http.client) alternate, in ``--rounds`` slices, between hammering
   ``/healthz`` and casting ballots (random 1-3 projects), ``--seconds`` of each in total or until
   the voters run out; a cast is acknowledged when the answer is 302 to the receipt page. Prints
   throughput and latency percentiles and the cast/healthz ratios (target judged on the p50s).
4. Tries to vote twice: re-casts with sessions that already voted, and a race of concurrent
   casts per fresh voter; then stops gunicorn and checks the database: stored ballots ==
   participations == acknowledged casts, the acknowledged voters are exactly the ones recorded,
   no voter has two participations.
5. Counts the "count" budget in-process: ``app.results.services.count`` end to end (and without the
   rule comparison, and stage by stage), against ``voting.read_pabulib`` + ``voting.allocate``
   on the file ``app.ballots.adapter.ballots_file`` exports; best of ``--repeat``. On FAIL it
   prints a cProfile of one ``count`` (``--profile`` prints it anyway).

Run: ``.venv/bin/python benchmarks/ballots.py`` (1.5-4 minutes on 2 cores). ``--database-url``
runs against an *empty, disposable* PostgreSQL database instead (its tables are dropped at the end
unless ``--keep``). Exit status 1 when a target or a check fails.
"""
import argparse
import cProfile
import hashlib
import http.client
import io
import os
import pstats
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import free_port, stop, wait_until_ready  # noqa: E402

# One BLAS thread (before numpy is first imported, by the app): with OpenBLAS's default of one
# thread per core, MES on 100,000 ballots took 3-11 s instead of 0.9 s whenever anything else used
# the CPU. Set the variable yourself to measure with more threads.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

CAST_TARGET = 4.0  # cast p50 <= 4x /healthz p50, same run, same concurrency
COUNT_TARGET = 3.0  # app count (load + count + store) <= 3x read_pabulib + allocate on the exported file
PASSWORD = "bench-voter-password"
# The roll names voters by an HMAC of the IIN: the database is built and served with the same key.
VOTER_KEY_SECRET = "benchmark-only-voter-key"
CHUNK = 20_000
ALMATY = ZoneInfo("Asia/Almaty")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EN = {"Accept-Language": "en"}


# --- building the database ------------------------------------------------------------------

def _insert(db, table, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(table.insert(), rows[start:start + CHUNK])


def _iins(rng: random.Random, n: int, taken: set[str], first_year: int) -> list[tuple[str, date, str]]:
    """``n`` distinct valid IINs (with birth date and sex) of people born in the 27 years from
    ``first_year``."""
    from app.identity.iin import make_iin

    out = []
    while len(out) < n:
        born = date(first_year, 1, 1) + timedelta(days=rng.randrange(365 * 27))
        sex = rng.choice(("male", "female"))
        iin = make_iin(born, sex, rng.randrange(9_900))
        if iin not in taken:
            taken.add(iin)
            out.append((iin, born, sex))
    return out


def _popular_ballot(rng: random.Random, ids: list[str], weights: list[float]) -> list[str]:
    """1-3 distinct projects, the popular ones more often."""
    k = rng.choices((1, 2, 3), weights=(30, 35, 35))[0]
    chosen: list[str] = []
    while len(chosen) < k:
        pid = rng.choices(ids, weights=weights)[0]
        if pid not in chosen:
            chosen.append(pid)
    return chosen


def build(url: str, n_voters: int, n_ballots: int, seed: int, full_demo: bool = False) -> dict:
    """Migrate, load the demo's areas/users/processes (``full_demo``: the whole demo, with its
    proposals, meetings and published results, for pages worth browsing), add the benchmark
    process. Returns ids. The "count" budget's data comes from its own random generator: the same
    for every --voters."""
    import flask_migrate
    from sqlalchemy import func, inspect, select, text
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.admin.services import set_phase_dates
    from app.ballots import opening
    from app.ballots.roll import age_band
    from app.ballots.sealing import seal
    from app.ballots.services import new_code, receipt_hash
    from app.demo import load_areas, load_demo_data, load_processes, load_users
    from app.extensions import db
    from app.identity.voter_key import voter_key
    from app.models import (
        BallotConfig,
        Budget,
        CountKey,
        PaperTally,
        PhaseKind,
        Process,
        Proposal,
        RollEntry,
        SealedEnvelope,
        User,
        VoterParticipation,
    )
    from app.models.ballots import random_id
    from app.proposals.services import ensure_default_categories

    started = time.perf_counter()
    rngs = {"cast": random.Random(seed), "count": random.Random(seed + 1)}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "VOTER_KEY_SECRET": VOTER_KEY_SECRET})
    with app.test_request_context():
        if inspect(db.engine).get_table_names():
            raise SystemExit(f"{url.split('@')[-1]}: the database has tables; the benchmark needs an empty one")
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        today = datetime.now(ALMATY).date()
        if full_demo:
            demo = load_demo_data(today)
            areas, users = demo["areas"], demo["users"]
        else:
            areas = load_areas()
            users = load_users(areas)
            load_processes(areas, today)
        db.session.commit()
        if url.startswith("sqlite"):
            db.session.execute(text("PRAGMA synchronous = OFF"))  # building only; the server uses defaults

        process = Process(area=areas["Astana"], year=today.year + 1, title_kk="Бенчмарк", title_ru="Бенчмарк",
                          title_en="Ballots benchmark", description="")
        set_phase_dates(process, {
            PhaseKind.PROPOSALS: (today - timedelta(days=40), today - timedelta(days=21)),
            PhaseKind.REVIEW: (today - timedelta(days=20), today - timedelta(days=2)),
            PhaseKind.VOTING: (today - timedelta(days=1), today + timedelta(days=1)),
            PhaseKind.RESULTS: (today + timedelta(days=2), today + timedelta(days=10)),
            PhaseKind.IMPLEMENTATION: (today + timedelta(days=11), today + timedelta(days=300)),
        })
        ensure_default_categories(process)
        db.session.add(process)
        budgets = {}
        for key, area in (("cast", "Esil district"), ("count", "Almaty district")):
            budgets[key] = Budget(process=process, area=areas[area], name_kk=key, name_ru=key,
                                  name_en=f"{key} ({area})", amount=100_000_000, project_limit_tenge=20_000_000)
            db.session.add(budgets[key])
        db.session.flush()
        author = users["resident@qatysu.kz"]
        projects = {}
        for key, n in (("cast", 10), ("count", 20)):
            budget, rng = budgets[key], rngs[key]
            rows = [Proposal(process=process, budget=budget, area=budget.area, author=author,
                             title=f"Project {i + 1}", description="x", description_html="<p>x</p>",
                             address="Astana", estimated_cost=rng.randrange(3_000_000, 20_000_000, 100_000),
                             status="on_ballot") for i in range(n)]
            db.session.add_all(rows)
            db.session.add(BallotConfig(budget=budget, ballot_type="approval", min_projects=1, max_projects=3,
                                        rule="mes", rule_options={"completion": "add1-greedy"}, tie_break="id",
                                        min_votes=1, allow_change=False, min_age=16))
            db.session.flush()
            projects[key] = [str(p.id) for p in rows]
        db.session.commit()
        assert process.is_in_phase(PhaseKind.VOTING), "the benchmark's voting phase is not open"

        taken = set(db.session.scalars(select(User.iin)))
        # Voters of the "cast" budget: residents of Esil's okrugs, cheap hash (login is not measured).
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        okrugs = [a.id for k, a in areas.items() if k.startswith("Esil district / okrug")]
        first = (db.session.scalar(select(func.max(User.id))) or 0) + 1
        now = datetime.now(UTC)
        voters = [{"id": first + i, "email": f"bench.voter.{i}@bench.qatysu.kz", "full_name": f"Сайлаушы {i}",
                   "password_hash": cheap, "iin": iin, "home_area_id": okrugs[i % len(okrugs)],
                   "locale": ("kk", "ru")[i % 2], "is_active_account": True, "created_at": now}
                  for i, (iin, _, _) in enumerate(_iins(rngs["cast"], n_voters, taken, 1951))]
        _insert(db, User.__table__, voters)
        db.session.commit()

        # Voting opens as the akimat opens it: count keys, then the roll of every registered voter.
        official = users["akimat@qatysu.kz"]
        key_file = opening.prepare_keys(process, official)
        opening.open_voting(process, official, key_file)

        # The "count" budget: voters added to its roll (paper voters with no account), their
        # participations and sealed envelopes, as the booth and the polling points write them.
        ids, rng = projects["count"], rngs["count"]
        weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(ids))]
        rng.shuffle(weights)
        budget_id, district = budgets["count"].id, budgets["count"].area_id
        key = db.session.get(CountKey, budget_id)
        receipts: set[str] = set()
        roll, participations, envelopes = [], [], []
        papers = 0
        for iin, born, sex in _iins(rng, n_ballots, taken, 1979):
            channel = "paper" if rng.random() < 0.1 else "online"
            papers += channel == "paper"
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            voter = voter_key(iin)
            roll.append({"budget_id": budget_id, "voter_key": voter, "process_id": process.id, "tier": 0,
                         "district_id": district, "age_band": age_band(age), "sex": sex})
            participations.append({"budget_id": budget_id, "voter_key": voter, "channel": channel, "voted_on": today})
            receipt = new_code()
            while receipt in receipts:
                receipt = new_code()
            receipts.add(receipt)
            choices = {pid: 1 for pid in _popular_ballot(rng, ids, weights)}
            envelopes.append({"id": random_id(), "budget_id": budget_id,
                              "sealed": seal(key.public_key, choices, receipt_hash(receipt), channel, key.envelope_size)})
        rng.shuffle(envelopes)
        _insert(db, RollEntry.__table__, roll)
        _insert(db, VoterParticipation.__table__, participations)
        db.session.add(PaperTally(budget_id=budget_id, voters_marked=papers, papers_entered=papers))
        db.session.flush()
        _insert(db, SealedEnvelope.__table__, envelopes)
        db.session.commit()
        stored = db.session.scalar(select(func.count()).select_from(SealedEnvelope)
                                   .where(SealedEnvelope.budget_id == budget_id))
        assert stored == n_ballots, (stored, n_ballots)
        facts = {
            "cast_budget": budgets["cast"].id, "count_budget": budget_id, "key_file": key_file,
            "cast_projects": projects["cast"], "voters": [v["email"] for v in voters],
            # A voter is recorded by their voter key (an HMAC of the IIN), never by name or id.
            "voter_ids": {v["email"]: voter_key(v["iin"]) for v in voters},
            "build_seconds": time.perf_counter() - started,
        }
        db.session.remove()
        db.engine.dispose()
    return facts


# --- serving ----------------------------------------------------------------------------------


def serve(url: str, workdir: Path, workers: int, config: str = "development",
          **settings: str) -> tuple[subprocess.Popen, int, Path]:
    """gunicorn on a free loopback port; ``settings`` are extra environment variables."""
    port = free_port()
    log = workdir / f"gunicorn-{port}.log"
    env = {**os.environ, "DATABASE_URL": url, "QATYSU_CONFIG": config, "SECRET_KEY": "benchmark-only-secret",
           "VOTER_KEY_SECRET": VOTER_KEY_SECRET,
           "UPLOAD_FOLDER": str(workdir / "uploads"), "LOGIN_RATE_LIMIT": "1000000 per minute", **settings}
    env.pop("TEST_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "60", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    return wait_until_ready(process, port, log)


# --- clients ----------------------------------------------------------------------------------

@dataclass
class Voter:
    email: str
    cookie: str = ""
    token: str = ""


@dataclass
class Sample:
    ms: float
    status: int  # 0: no answer (connection error)
    ok: bool
    voter: str = ""


@dataclass
class Phase:
    label: str
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0


def _request(conn: http.client.HTTPConnection, method: str, path: str, cookie: str = "",
             form: list[tuple[str, str]] | None = None) -> tuple[int, dict, str, str]:
    """(status, headers, body, new session cookie or ""). The sync workers close each connection;
    http.client opens a new one for the next request by itself."""
    headers = dict(EN)
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    new_cookie = ""
    for value in response.headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            new_cookie = value.split(";", 1)[0]
    return response.status, response.headers, text, new_cookie


def _connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def log_in(conn, voter: Voter, budget_id: int, booth: bool) -> None:
    """Login page (session cookie + CSRF token), login; with ``booth`` also the booth page, whose
    token is then used (otherwise the login page's: same session, tokens do not expire)."""
    status, _, page, cookie = _request(conn, "GET", "/auth/login")
    assert status == 200 and cookie, f"login page: HTTP {status}"
    token = CSRF_RE.search(page).group(1)
    status, headers, body, new = _request(conn, "POST", "/auth/login", cookie,
                                          [("email", voter.email), ("password", PASSWORD), ("csrf_token", token)])
    assert status == 302, f"login of {voter.email}: HTTP {status} {body[:300]!r}"
    cookie = new or cookie
    if booth:
        status, _, page, new = _request(conn, "GET", f"/budgets/{budget_id}/vote", cookie)
        assert status == 200, f"booth: HTTP {status}"
        assert "not open now" not in page and "Only residents" not in page, "the booth refuses the benchmark voter"
        cookie, token = new or cookie, CSRF_RE.search(page).group(1)
    voter.cookie, voter.token = cookie, token


def run_threads(n: int, target) -> None:
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def log_in_all(port: int, voters: list[Voter], budget_id: int, clients: int) -> float:
    todo: queue.Queue[Voter] = queue.Queue()
    for v in voters:
        todo.put(v)
    errors: list[str] = []
    started = time.perf_counter()

    def work(i):
        conn, n = _connection(port), 0
        while not errors:
            try:
                voter = todo.get_nowait()
            except queue.Empty:
                break
            try:
                log_in(conn, voter, budget_id, booth=n < 5)  # the booth page for each client's first 5
                n += 1
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(f"{voter.email}: {error!r}")
                conn.close()
        conn.close()

    run_threads(clients, work)
    if errors:
        raise RuntimeError("logging in failed: " + "; ".join(errors[:3]))
    return time.perf_counter() - started


def cast_form(voter: Voter, chosen: list[str]) -> list[tuple[str, str]]:
    return [("csrf_token", voter.token)] + [("chosen", pid) for pid in chosen]


def cast_once(conn, budget_id: int, voter: Voter, chosen: list[str]) -> Sample:
    t0 = time.perf_counter()
    try:
        status, headers, _, _ = _request(conn, "POST", f"/budgets/{budget_id}/vote/cast", voter.cookie,
                                         cast_form(voter, chosen))
    except (OSError, http.client.HTTPException):
        conn.close()
        return Sample((time.perf_counter() - t0) * 1000, 0, False, voter.email)
    ms = (time.perf_counter() - t0) * 1000
    ok = status == 302 and (headers.get("Location") or "").endswith(f"/budgets/{budget_id}/receipt")
    return Sample(ms, status, ok, voter.email)


def hammer_healthz(port: int, clients: int, seconds: float, phase: Phase) -> None:
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def work(_):
        conn, mine = _connection(port), []
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                status, _, _, _ = _request(conn, "GET", "/healthz")
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            mine.append(Sample((time.perf_counter() - t0) * 1000, status, status == 200))
        conn.close()
        with lock:
            phase.samples.extend(mine)

    started = time.perf_counter()
    run_threads(clients, work)
    phase.seconds += time.perf_counter() - started


def voter_queue(voters: list[Voter]) -> queue.Queue:
    todo: queue.Queue[Voter] = queue.Queue()
    for v in voters:
        todo.put(v)
    return todo


def cast_phase(port: int, budget_id: int, projects: list[str], todo: queue.Queue, clients: int,
               seconds: float, seed: int, phase: Phase) -> None:
    """Each client casts one ballot per voter it takes from the queue, until the deadline or the
    voters run out. A request under way at the deadline is finished and counted."""
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def work(i):
        rng, conn, mine = random.Random(seed + i), _connection(port), []
        while time.perf_counter() < deadline:
            try:
                voter = todo.get_nowait()
            except queue.Empty:
                break
            mine.append(cast_once(conn, budget_id, voter, rng.sample(projects, rng.randint(1, 3))))
        conn.close()
        with lock:
            phase.samples.extend(mine)

    started = time.perf_counter()
    run_threads(clients, work)
    phase.seconds += time.perf_counter() - started


def race(port: int, budget_id: int, projects: list[str], voters: list[Voter], per_voter: int) -> list[list[Sample]]:
    """``per_voter`` simultaneous casts by each voter (own connections, released by a barrier)."""
    outcomes = []
    for voter in voters:
        barrier, results, lock = threading.Barrier(per_voter, timeout=30), [], threading.Lock()

        def work(i, voter=voter, barrier=barrier, results=results, lock=lock):
            conn = _connection(port)
            conn.connect()
            barrier.wait()
            sample = cast_once(conn, budget_id, voter, [projects[i % len(projects)]])
            conn.close()
            with lock:
                results.append(sample)

        run_threads(per_voter, work)
        outcomes.append(results)
    return outcomes


# --- numbers ----------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def latency_row(phase: Phase, good_only: bool = True) -> dict:
    ms = [s.ms for s in phase.samples if s.ok or not good_only]
    return {"n": len(ms), "per_s": len(ms) / phase.seconds if phase.seconds else 0.0,
            "mean": statistics.fmean(ms) if ms else float("nan"), "p50": pct(ms, 0.5), "p95": pct(ms, 0.95),
            "p99": pct(ms, 0.99), "max": max(ms) if ms else float("nan"),
            "errors": sum(not s.ok for s in phase.samples)}


def status_counts(samples: list[Sample]) -> str:
    counts: dict[str, int] = {}
    for s in samples:
        key = "ok" if s.ok else (f"HTTP {s.status}" if s.status else "no answer")
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def best(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


# --- storage checks ---------------------------------------------------------------------------

def stored_facts(url: str, budget_id: int) -> dict:
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import SealedEnvelope, VoterParticipation

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        # Cast ballots are sealed envelopes until the count.
        ballots = db.session.scalar(select(func.count()).select_from(SealedEnvelope)
                                    .where(SealedEnvelope.budget_id == budget_id))
        participations = db.session.scalar(select(func.count()).select_from(VoterParticipation)
                                           .where(VoterParticipation.budget_id == budget_id))
        voted = list(db.session.scalars(select(VoterParticipation.voter_key)
                                        .where(VoterParticipation.budget_id == budget_id)))
        doubled = db.session.execute(
            select(VoterParticipation.voter_key, func.count()).where(VoterParticipation.budget_id == budget_id)
            .group_by(VoterParticipation.voter_key).having(func.count() > 1)).all()
        db.session.remove()
        db.engine.dispose()
    return {"ballots": ballots, "participations": participations, "voted": voted, "doubled": doubled}


# --- counting ---------------------------------------------------------------------------------

def counting(url: str, budget_id: int, workdir: Path, repeat: int, profile: bool, key_file: bytes) -> dict:
    from sqlalchemy import func, select

    import voting
    from app import create_app
    from app.admin.services import change_phase_early
    from app.ballots import adapter
    from app.extensions import db
    from app.models import Budget, PhaseKind, Result, User
    from app.results import services as results
    from voting.analysis import DEFAULT_VARIANTS, variant_label

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    out: dict = {"stages": {}, "compare_rules": {}}
    with app.test_request_context():
        budget = db.session.get(Budget, budget_id)
        # Votes are counted once voting has closed: the akimat closes it now, as «Close now» does.
        akimat = db.session.scalar(select(User).where(User.email == "akimat@qatysu.kz"))
        change_phase_early(budget.process, PhaseKind.VOTING, "close", "The benchmark counts now.", akimat)
        options = results.rule_options(budget)
        # The first count opens the sealed envelopes with the commission's key (once); the timed
        # counts below are recounts from the anonymous ballots it wrote.
        t0 = time.perf_counter()
        results.count(budget, key_file=key_file)
        out["open_and_count"] = time.perf_counter() - t0

        # (b) voting alone on the exported file.
        text, sha = adapter.ballots_file(budget)
        path = workdir / "count.pb"
        path.write_text(text, encoding="utf-8")
        out["file_mb"] = path.stat().st_size / 1e6

        def library():
            instance, profile_ = voting.read_pabulib(path)
            return voting.allocate("mes", instance, profile_, completion="add1-greedy", tie_breaking="id",
                                   min_votes=1)

        out["library"], lib_outcome = best(library, repeat)
        out["add1_steps"] = lib_outcome.details.get("add1_steps")

        # (a) the app's count, end to end (a Result row per run).
        def app_count():
            db.session.expire_all()
            return results.count(db.session.get(Budget, budget_id))

        out["app"], result = best(app_count, repeat)
        out["n_ballots"] = result.n_ballots
        out["same_selection"] = sorted(result.selected) == sorted(lib_outcome.selected)
        out["same_sha"] = result.ballots_sha256 == sha

        # ... and without the rule comparison (patched in this process only).
        real_compare = results._compare
        results._compare = lambda *a, **k: {"rules": [], "differing": {}}
        try:
            out["app_no_compare"], _ = best(app_count, repeat)
        finally:
            results._compare = real_compare

        # Stage by stage, as count() runs them.
        db.session.expire_all()
        budget = db.session.get(Budget, budget_id)
        stages = out["stages"]
        t0 = time.perf_counter()
        instance = adapter.instance_for(budget, adapter.ballot_proposals(budget))
        stages["load: instance"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        rows = db.session.execute(select(adapter.Ballot.receipt_hash, adapter.Ballot.choices, adapter.Ballot.channel)
                                  .where(adapter.Ballot.budget_id == budget_id).order_by(adapter.Ballot.id)).all()
        stages["load: SELECT ballots (rows only)"] = time.perf_counter() - t0
        del rows
        t0 = time.perf_counter()
        profile_ = adapter.profile_for(budget, instance)
        stages["load: profile_for (SELECT + Profile)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        hashlib.sha256(adapter.write_pabulib(instance, profile_).encode("utf-8")).hexdigest()
        stages["write_pabulib + sha256"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        voting.allocate("mes", instance, profile_, **options)
        stages["allocate mes add1-greedy"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        voting.compare(instance, profile_, tie_breaking=options["tie_breaking"], min_votes=options["min_votes"])
        stages["compare (6 rules)"] = time.perf_counter() - t0
        for rule_id, opts in DEFAULT_VARIANTS:
            t0 = time.perf_counter()
            voting.allocate(rule_id, instance, profile_, tie_breaking=options["tie_breaking"],
                            min_votes=options["min_votes"], **opts)
            out["compare_rules"][variant_label(rule_id, opts)] = time.perf_counter() - t0
        t0 = time.perf_counter()
        instance2, _ = voting.read_pabulib(path)
        stages["(library) read_pabulib"] = time.perf_counter() - t0
        del instance2

        out["results_rows"] = db.session.scalar(select(func.count()).select_from(Result)
                                                .where(Result.budget_id == budget_id))
        if profile or out["app"] > COUNT_TARGET * out["library"]:
            profiler = cProfile.Profile()
            profiler.enable()
            app_count()
            profiler.disable()
            buffer = io.StringIO()
            stats = pstats.Stats(profiler, stream=buffer)
            stats.sort_stats("cumulative").print_stats(25)
            out["profile"] = buffer.getvalue()
        db.session.remove()
        db.engine.dispose()
    return out


# --- main -------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=5_000, help="residents who log in and may cast")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="time spent on each of /healthz and casting")
    parser.add_argument("--rounds", type=int, default=4, help="alternate /healthz and casting this many times")
    parser.add_argument("--seed", type=int, default=2026, help="random data (the count instance depends on it)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--ballots", type=int, default=100_000, help="stored ballots to count")
    parser.add_argument("--repeat", type=int, default=3, help="counting: best of this many runs")
    parser.add_argument("--profile", action="store_true", help="print the cProfile of count() even on PASS")
    parser.add_argument("--database-url", help="an EMPTY, disposable PostgreSQL database (default: a SQLite "
                                               "file in a temporary directory)")
    parser.add_argument("--wal", action="store_true", help="SQLite: switch the file to WAL (persistent) before "
                                                           "serving, to try that fix")
    parser.add_argument("--keep", action="store_true", help="keep the database (path printed)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="qatysu-ballots-"))
    url = args.database_url or f"sqlite:///{workdir / 'ballots.sqlite3'}"
    if args.wal and not url.startswith("sqlite"):
        parser.error("--wal is for SQLite")
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    failures: list[str] = []
    server = None
    try:
        print(f"building {args.voters:,} voters and {args.ballots:,} stored ballots in {url.split('@')[-1]} ...",
              flush=True)
        facts = build(url, args.voters, args.ballots, args.seed)
        budget_id, projects = facts["cast_budget"], facts["cast_projects"]
        print(f"  built in {facts['build_seconds']:.0f} s", flush=True)

        if args.wal:
            import sqlite3

            with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
                print("  journal_mode:", raw.execute("PRAGMA journal_mode=WAL").fetchone()[0], flush=True)
        server, port, log = serve(url, workdir, args.workers)
        voters = [Voter(email) for email in facts["voters"]]
        seconds = log_in_all(port, voters, budget_id, args.clients)
        print(f"  {len(voters):,} voters logged in (untimed) in {seconds:.0f} s", flush=True)

        # Reserve voters for the race, warm each worker's cast path up, then measure.
        race_voters, warm, timed = voters[:10], voters[10:10 + 4 * args.clients], voters[10 + 4 * args.clients:]
        warmup, health, cast = Phase("warm-up"), Phase("GET /healthz"), Phase("POST /vote/cast")
        cast_phase(port, budget_id, projects, voter_queue(warm), args.clients, 60, 1, warmup)
        todo = voter_queue(timed)
        for n in range(args.rounds):  # interleaved, so that a drifting machine moves both alike
            hammer_healthz(port, args.clients, args.seconds / args.rounds, health)
            cast_phase(port, budget_id, projects, todo, args.clients, args.seconds / args.rounds, 100 + 100 * n, cast)
        cast_left = todo.qsize()
        acknowledged = [s.voter for s in warmup.samples + cast.samples if s.ok]

        # Voting twice: again with sessions that already voted, and racing fresh voters.
        done = {s.voter for s in cast.samples if s.ok}
        again_voters = [v for v in timed if v.email in done][:50]
        conn = _connection(port)
        again = [cast_once(conn, budget_id, v, projects[:1]) for v in again_voters]
        conn.close()
        races = race(port, budget_id, projects, race_voters, per_voter=6)
        race_ok = [sum(s.ok for s in r) for r in races]
        acknowledged += [s.voter for r in races for s in r if s.ok]
        stop(server)
        server = None
        server_log = log.read_text()

        h, c = latency_row(health), latency_row(cast)
        p50_ratio, mean_ratio = c["p50"] / h["p50"], c["mean"] / h["mean"]
        print(f"\n== casting: {args.workers} gunicorn sync workers, {args.clients} concurrent clients, "
              f"{args.seconds:g} s of each in {args.rounds} alternating rounds (127.0.0.1)")
        print(f"{'request':<18} {'done':>6} {'per s':>8} {'mean ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8} {'errors':>6}")
        for phase, row in ((health, h), (cast, c)):
            print(f"{phase.label:<18} {row['n']:>6} {row['per_s']:>8.1f} {row['mean']:>8.2f} {row['p50']:>8.2f} "
                  f"{row['p95']:>8.2f} {row['p99']:>8.2f} {row['max']:>8.2f} {row['errors']:>6}")
        print(f"ballots/s: {c['per_s']:.1f} in {cast.seconds:.1f} s"
              + (" (voters ran out: raise --voters)" if cast_left == 0 else ""))
        print(f"answers: healthz {status_counts(health.samples)}; cast {status_counts(cast.samples)}")
        verdict = "PASS" if p50_ratio <= CAST_TARGET else "FAIL"
        print(f"cast / healthz: p50 {p50_ratio:.1f}x ({verdict}, <= {CAST_TARGET:g}x), mean {mean_ratio:.1f}x, "
              f"throughput {h['per_s'] / c['per_s'] if c['per_s'] else float('inf'):.1f}x")
        if verdict == "FAIL":
            failures.append(f"a ballot costs {p50_ratio:.1f}x /healthz (p50)")
        if c["errors"] or h["errors"]:
            failures.append(f"errors under load: healthz {h['errors']}, cast {c['errors']}")

        stored = stored_facts(url, budget_id)
        expected_voters = {facts["voter_ids"][e] for e in acknowledged}
        recorded = set(stored["voted"])
        lost, unacknowledged = expected_voters - recorded, recorded - expected_voters
        refused_again = sum(s.status == 302 and not s.ok for s in again)
        print(f"\n== storage: {len(acknowledged):,} acknowledged casts ({len(warmup.samples)} warm-up, "
              f"{sum(s.ok for s in cast.samples):,} timed, {sum(race_ok)} from the race)")
        checks = [
            (f"stored ballots {stored['ballots']:,} == acknowledged {len(acknowledged):,}",
             stored["ballots"] == len(acknowledged)),
            (f"participations {stored['participations']:,} == acknowledged {len(acknowledged):,}",
             stored["participations"] == len(acknowledged)),
            (f"acknowledged voters missing from participations: {len(lost)}; recorded but never acknowledged: "
             f"{len(unacknowledged)}", not lost and not unacknowledged),
            (f"voters with two participations: {len(stored['doubled'])}", not stored["doubled"]),
            (f"second ballots with a used session refused: {refused_again}/{len(again)} "
             f"({status_counts(again)})", refused_again == len(again) and all(not s.ok for s in again)),
            (f"race, 6 simultaneous casts per fresh voter: exactly one stored for {race_ok.count(1)}/{len(races)} "
             f"voters (stored per voter: {race_ok})", all(n == 1 for n in race_ok)),
        ]
        for text, ok in checks:
            print(f"  {'PASS' if ok else 'FAIL'}  {text}")
            if not ok:
                failures.append(text)
        print(f"stored == acknowledged: {'PASS' if all(ok for _, ok in checks[:4]) else 'FAIL'}")
        if "Traceback" in server_log or "Error" in server_log:
            print("\ngunicorn log (errors):\n" + "\n".join(server_log.splitlines()[-40:]))

        print(f"\n== counting {args.ballots:,} stored ballots (20 projects, approval, mes + add1-greedy), "
              f"best of {args.repeat}", flush=True)
        counted = counting(url, facts["count_budget"], workdir, args.repeat, args.profile, facts["key_file"])
        ratio, ratio_no_compare = counted["app"] / counted["library"], counted["app_no_compare"] / counted["library"]
        verdict = "PASS" if ratio <= COUNT_TARGET else "FAIL"
        print(f"{'what':<52} {'seconds':>8} {'x voting':>9}")
        print(f"{'voting: read_pabulib + allocate (' + format(counted['file_mb'], '.1f') + ' MB file)':<52} "
              f"{counted['library']:>8.2f} {1:>9.2f}")
        print(f"{'app: results.count (load + count + compare + store)':<52} {counted['app']:>8.2f} {ratio:>9.2f}  "
              f"{verdict} (<= {COUNT_TARGET:g}x)")
        print(f"{'app: results.count without compare (patched)':<52} {counted['app_no_compare']:>8.2f} "
              f"{ratio_no_compare:>9.2f}")
        print(f"{'app: first count (opens the sealed envelopes)':<52} {counted['open_and_count']:>8.2f} "
              f"{counted['open_and_count'] / counted['library']:>9.2f}")
        print("stages (one run each):")
        for label, secs in counted["stages"].items():
            print(f"  {label:<50} {secs:>8.2f}")
        print("compare, rule by rule:")
        for label, secs in counted["compare_rules"].items():
            print(f"  {label:<50} {secs:>8.2f}")
        print(f"same selection as the library: {counted['same_selection']}; same file hash: {counted['same_sha']}; "
              f"{counted['n_ballots']:,} ballots counted; MES Add1 steps: {counted['add1_steps']}")
        if verdict == "FAIL":
            failures.append(f"counting takes {ratio:.1f}x voting alone")
        if not counted["same_selection"] or not counted["same_sha"] or counted["n_ballots"] != args.ballots:
            failures.append("the app's count differs from the library's on the exported file")
        if "profile" in counted:
            print("\ncProfile of one results.count (cumulative):")
            print(counted["profile"])
    finally:
        if server is not None:
            stop(server)
        if args.keep:
            print(f"\ndatabase kept: {url.split('@')[-1]}")
        elif args.database_url:
            _drop_everything(url)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\nRESULT:", "PASS" if not failures else "FAIL")
    for failure in failures:
        print("  -", failure)
    return 1 if failures else 0


def _drop_everything(url: str) -> None:
    """The PostgreSQL database had no tables before the run (checked in build): drop ours."""
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
