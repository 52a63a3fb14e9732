"""Voters as HTTP clients of the benchmark's gunicorn: logging in, casting, hammering /healthz,
racing; and the numbers made of their samples (percentiles, status counts, best of n)."""
import http.client
import queue
import random
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from _vote_day import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EN = {"Accept-Language": "en"}


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
