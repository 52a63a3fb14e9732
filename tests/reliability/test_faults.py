"""A vote day that goes wrong: a worker is killed mid-cast, the database restarts mid-run.

Issue #8: "while clients cast ballots, one gunicorn worker is killed with SIGKILL; afterwards every
ballot that got a success answer is stored exactly once and no partial ballot exists. Also: the
database restarting mid-run yields clean 503 pages, not stack traces, and service resumes."
"""
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest
from _clients import Sample, Voter, _connection, _request, cast_once, log_in_all, run_threads, voter_queue
from _gunicorn import stop
from _vote_day import build, serve, stored_facts

VOTERS = 320
CLIENTS = 4
KILL_AFTER = (10, 25, 40)  # client 0's casts


@pytest.fixture(scope="module")
def voteday(cluster):
    """A database whose voting phase is open, with VOTERS residents who may cast (cheap hashes)."""
    url = cluster.create_database("faults")
    facts = build(url, n_voters=VOTERS, n_ballots=10, seed=8)
    return url, facts


def worker_pids(master: int) -> set[int]:
    """gunicorn's workers: the processes whose parent is the master."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == master:
            found.add(int(stat.parent.name))
    return found


def wait_for_workers(master: int, n: int, seconds: float = 30) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = worker_pids(master)
        if len(pids) == n:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"gunicorn has {len(worker_pids(master))} workers, expected {n}")


def test_a_killed_worker_loses_no_acknowledged_ballot(voteday, tmp_path):
    url, facts = voteday
    budget, projects = facts["cast_budget"], facts["cast_projects"]
    server, port, log = serve(url, tmp_path, workers=2, config="production")
    try:
        before = wait_for_workers(server.pid, 2)
        voters = [Voter(email) for email in facts["voters"][:240]]
        log_in_all(port, voters, budget, CLIENTS)

        samples: list[Sample] = []
        lock, todo = threading.Lock(), voter_queue(voters)
        killed: list[int] = []

        def cast(i):
            rng, conn, mine = random.Random(i), _connection(port), []
            while True:
                try:
                    voter = todo.get_nowait()
                except Exception:  # noqa: BLE001 (queue.Empty: every voter has had a turn)
                    break
                mine.append(cast_once(conn, budget, voter, rng.sample(projects, rng.randint(1, 3))))
                if i == 0 and len(mine) in KILL_AFTER:
                    # One worker at a time, three times over (its replacement the next times): a
                    # sync worker is often between requests, so one kill alone may catch none.
                    victim = min(worker_pids(server.pid) - set(killed))
                    os.kill(victim, signal.SIGKILL)
                    killed.append(victim)
            conn.close()
            with lock:
                samples.extend(mine)

        run_threads(CLIENTS, cast)
        assert len(killed) == len(KILL_AFTER), "the workers were not killed: the test tested nothing"
        after = wait_for_workers(server.pid, 2)
        assert killed[0] in before and not set(killed) & after, "gunicorn did not replace the killed workers"

        # Whoever got no answer tries again, as a voter would: the ballot is then either stored now
        # or already was (the worker died after committing), and the booth says so.
        unanswered = [s.voter for s in samples if not s.ok]
        conn = _connection(port)
        retries = {email: cast_once(conn, budget, next(v for v in voters if v.email == email), projects[:1])
                   for email in unanswered}
        conn.close()
    finally:
        stop(server)

    acknowledged = {s.voter for s in samples if s.ok} | {e for e, s in retries.items() if s.ok}
    print(f"killed workers {killed}; {len(unanswered)} casts unanswered; retries: "
          f"{sum(s.ok for s in retries.values())} stored now, {sum(not s.ok for s in retries.values())} already stored")
    stored = stored_facts(url, budget)
    ids = facts["voter_ids"]
    assert {ids[e] for e in acknowledged} <= set(stored["voted"]), "an acknowledged ballot was lost"
    assert stored["ballots"] == stored["participations"], "a partial ballot (ballot without participation)"
    assert not stored["doubled"], "a voter was recorded twice"
    # Every voter who tried has exactly one ballot in the end: nothing was lost with the worker.
    assert set(stored["voted"]) == {ids[v.email] for v in voters}
    assert len(acknowledged) >= len(voters) - len(unanswered)
    refused = [s for s in retries.values() if not s.ok]
    assert all(s.status == 302 for s in refused), f"retries answered {[s.status for s in refused]}"
    assert "Traceback" not in log.read_text().replace("WORKER TIMEOUT", "")


PAGES = ["/", "/proposals", "/meetings", "/api/v1/processes", "/healthz"]


def fetch(port: int, path: str, cookie: str = "") -> tuple[int, dict, str]:
    conn = _connection(port)
    try:
        status, headers, body, _ = _request(conn, "GET", path, cookie)
    finally:
        conn.close()
    return status, headers, body


def test_a_database_restart_gives_clean_503_pages_and_service_resumes(voteday, cluster, tmp_path):
    url, facts = voteday
    budget, projects = facts["cast_budget"], facts["cast_projects"]
    server, port, log = serve(url, tmp_path, workers=2, config="production")
    try:
        voters = [Voter(email) for email in facts["voters"][240:250]]
        log_in_all(port, voters, budget, 2)
        pages = PAGES + [f"/budgets/{budget}/vote"]
        for path in pages * 2:  # twice: both workers hold pooled connections when the server goes
            assert fetch(port, path, voters[0].cookie)[0] == 200, path

        cluster.stop("fast")
        try:
            for path in pages * 2:
                for cookie in ("", voters[0].cookie):  # a visitor, and a voter whose session needs the db
                    status, headers, body = fetch(port, path, cookie)
                    who = "voter" if cookie else "visitor"
                    if path == f"/budgets/{budget}/vote" and not cookie:
                        assert status in (302, 503), (path, who, status)  # sent to log in, or 503
                        continue
                    assert status == 503, (path, who, status, body[:300])
                    assert headers.get("Retry-After") == "30"
                    for leak in ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "127.0.0.1"):
                        assert leak not in body, (path, who, leak)
                    if path.startswith("/api/") or path == "/healthz":
                        assert '"status":503' in body.replace(" ", "") or '"db":"unavailable"' in body.replace(" ", "")
                    elif cookie:  # the language the voter chose at login (kept in the signed cookie)
                        assert '<html lang="kk">' in body and "Уақытша қолжетімсіз" in body, (path, who)
                    else:  # the browser's language
                        assert '<html lang="en">' in body and "Temporarily unavailable" in body, (path, who)
            during = cast_once(_connection(port), budget, voters[1], projects[:1])
            assert during.status == 503 and not during.ok
        finally:
            cluster.start()

        for path in pages * 2:  # the pool replaces dead connections (pre-ping): no restart needed
            assert fetch(port, path, voters[0].cookie)[0] == 200, path
        after = cast_once(_connection(port), budget, voters[1], projects[:1])
        assert after.ok, after
    finally:
        stop(server)

    stored = stored_facts(url, budget)
    ids = facts["voter_ids"]
    assert stored["voted"].count(ids[voters[1].email]) == 1
    assert stored["ballots"] == stored["participations"]
