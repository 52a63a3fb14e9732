"""A vote-day peak: residents browsing and casting at once, on PostgreSQL-backed gunicorn.

Issue #8: "starts PostgreSQL-backed gunicorn on loopback, drives a bounded mix of browsing (home,
listing, proposal page, results) and ballot casting with concurrent clients, prints requests/s,
p50/p95/p99 and errors per endpoint, and the ratio of each endpoint to /healthz from the same run;
then checks the database: ballots stored = ballots acknowledged."

1. Starts a throwaway PostgreSQL cluster from Debian's packages (``--database-url`` uses an *empty,
   disposable* database instead), migrates it, loads the whole demo (proposals, town halls,
   published results) and the ballots benchmark's open budget with ``--voters`` residents.
2. Serves it as in production: gunicorn, ``--workers`` sync workers, ``QATYSU_CONFIG=production``
   (pool settings and statement timeout), 127.0.0.1 only. Logs every voter in (untimed).
3. ``--clients`` threads send a weighted mix (MIX below) for ``--seconds`` in ``--rounds`` slices,
   alternating with slices of ``/healthz`` alone at the same concurrency. Half the clients browse
   logged in (a voter's session), half anonymously; a cast takes the next voter who has not voted.
   ``/healthz`` is also part of the mix, so each endpoint has two baselines from the same run:
   ``/healthz`` under the same mixed load, and ``/healthz`` alone.
4. Stops gunicorn and checks the database: stored ballots == participations == acknowledged
   casts (a cast is acknowledged by a 302 to the receipt page), and nobody voted twice.

PASS when no request failed, nothing was lost or doubled, and every endpoint's p95 is under
``--p95-ms`` (1,000 ms: a page at the peak answers within a second).

Run: ``.venv/bin/python benchmarks/load.py`` (about 3 minutes on 2 cores; client threads share
the machine with the server, so the figures are a floor for real hardware).
"""
import argparse
import queue
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clients import (  # noqa: E402
    Phase,
    Sample,
    Voter,
    _connection,
    _request,
    cast_once,
    hammer_healthz,
    latency_row,
    log_in_all,
    run_threads,
    status_counts,
    voter_queue,
)
from _gunicorn import stop  # noqa: E402
from _postgres import Cluster  # noqa: E402
from _vote_day import _drop_everything, build, serve, stored_facts  # noqa: E402

# (label, weight): a vote-day peak is mostly reading about projects, then voting.
MIX = [
    ("GET /", 15),
    ("GET /proposals", 20),
    ("GET /proposals/<id>", 25),
    ("GET /budgets/<id>/results", 10),
    ("GET /budgets/<id>/vote", 10),
    ("POST /vote/cast", 15),
    ("GET /healthz", 5),
]
CAST = "POST /vote/cast"


def browse_targets(url: str, cast_budget: int) -> dict:
    """Ids the clients browse: the demo's public proposals and the budgets with published results."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Proposal, Result

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        proposals = list(db.session.scalars(
            select(Proposal.id).where(Proposal.hidden_at.is_(None), Proposal.budget_id != cast_budget)))
        results = list(db.session.scalars(select(Result.budget_id).where(Result.published_at.is_not(None))))
        db.session.remove()
        db.engine.dispose()
    if not proposals or not results:
        raise SystemExit("the demo has no proposals or no published results to browse")
    return {"proposals": proposals, "results": results}


def path_for(label: str, rng: random.Random, targets: dict, budget_id: int) -> str:
    if label == "GET /proposals/<id>":
        return f"/proposals/{rng.choice(targets['proposals'])}"
    if label == "GET /budgets/<id>/results":
        return f"/budgets/{rng.choice(targets['results'])}/results"
    if label == "GET /budgets/<id>/vote":
        return f"/budgets/{budget_id}/vote"
    return label.split(" ", 1)[1]


def mixed_phase(port: int, budget_id: int, projects: list[str], targets: dict, todo: queue.Queue,
                browsers: list[Voter], clients: int, seconds: float, seed: int, phases: dict[str, Phase]) -> None:
    """Every client draws from MIX until the deadline; casts stop (and are not drawn) once the
    voters run out. A request under way at the deadline is finished and counted."""
    lock = threading.Lock()
    labels, weights = zip(*MIX)
    deadline = time.perf_counter() + seconds

    def work(i):
        rng, conn, mine = random.Random(seed + i), _connection(port), []
        cookie = browsers[i].cookie if i % 2 == 0 else ""  # half logged in, half visitors
        while time.perf_counter() < deadline:
            label = rng.choices(labels, weights)[0]
            if label == CAST:
                try:
                    voter = todo.get_nowait()
                except queue.Empty:
                    continue
                sample = cast_once(conn, budget_id, voter, rng.sample(projects, rng.randint(1, 3)))
            else:
                t0 = time.perf_counter()
                who = browsers[i].cookie if label == "GET /budgets/<id>/vote" else cookie  # the booth needs a login
                try:
                    status = _request(conn, "GET", path_for(label, rng, targets, budget_id), who)[0]
                except OSError:
                    conn.close()
                    status = 0
                sample = Sample((time.perf_counter() - t0) * 1000, status, status == 200)
            mine.append((label, sample))
        conn.close()
        with lock:
            for label, sample in mine:
                phases[label].samples.append(sample)

    started = time.perf_counter()
    run_threads(clients, work)
    elapsed = time.perf_counter() - started
    for phase in phases.values():
        phase.seconds += elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="time of the mixed load in total")
    parser.add_argument("--rounds", type=int, default=3, help="alternate the mix and /healthz alone this often")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--voters", type=int, default=4_000, help="residents who log in and may cast once")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--p95-ms", type=float, default=1000.0, help="PASS needs every endpoint's p95 under this")
    parser.add_argument("--database-url", help="an EMPTY, disposable PostgreSQL database (default: a cluster "
                                               "of our own from Debian's postgresql package)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="qatysu-load-"))
    cluster = server = None
    failures: list[str] = []
    try:
        if args.database_url:
            url = "postgresql+psycopg://" + args.database_url.split("://", 1)[1]
        else:
            cluster = Cluster(max_connections=args.workers * 15 + 20)
            cluster.start()
            url = cluster.create_database("qatysu_load")
        print(f"building the demo and {args.voters:,} voters in {url.split('@')[-1]} ...", flush=True)
        facts = build(url, args.voters, 10, args.seed, full_demo=True)
        budget_id, projects = facts["cast_budget"], facts["cast_projects"]
        targets = browse_targets(url, budget_id)
        print(f"  built in {facts['build_seconds']:.0f} s: {len(targets['proposals']):,} proposals to browse, "
              f"{len(targets['results'])} published results", flush=True)

        server, port, log = serve(url, workdir, args.workers, config="production")
        voters = [Voter(email) for email in facts["voters"]]
        seconds = log_in_all(port, voters, budget_id, min(args.clients, 8))
        print(f"  {len(voters):,} voters logged in (untimed) in {seconds:.0f} s", flush=True)

        # Each client's browsing session belongs to a voter kept out of the casting queue.
        browsers, casters = voters[:args.clients], voters[args.clients:]
        warm = {label: Phase(label) for label, _ in MIX}
        todo = voter_queue(casters)
        mixed_phase(port, budget_id, projects, targets, todo, browsers, args.clients, 5, 1, warm)
        phases = {label: Phase(label) for label, _ in MIX}
        alone = Phase("GET /healthz alone")
        for n in range(args.rounds):
            hammer_healthz(port, args.clients, args.seconds / args.rounds / 4, alone)
            mixed_phase(port, budget_id, projects, targets, todo, browsers, args.clients,
                        args.seconds / args.rounds, 100 * (n + 1), phases)
        voters_left = todo.qsize()
        stop(server)
        server = None
        server_log = log.read_text()

        acknowledged = [s.voter for p in (warm[CAST], phases[CAST]) for s in p.samples if s.ok]
        base_mix, base_alone = latency_row(phases["GET /healthz"])["p50"], latency_row(alone)["p50"]
        total = sum(len(p.samples) for p in phases.values())
        elapsed = phases[CAST].seconds
        print(f"\n== vote-day peak: {args.workers} gunicorn sync workers (production config) on PostgreSQL, "
              f"{args.clients} concurrent clients, {args.seconds:g} s of the mix in {args.rounds} rounds (127.0.0.1)")
        print(f"{'endpoint':<28} {'done':>6} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8} {'errors':>6} {'x hz mix':>8} {'x hz alone':>10}")
        for label, _ in MIX + [("GET /healthz alone", 0)]:
            phase = alone if label.endswith("alone") else phases[label]
            row = latency_row(phase)
            print(f"{label:<28} {row['n']:>6} {row['per_s']:>7.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                  f"{row['p99']:>8.1f} {row['max']:>8.1f} {row['errors']:>6} {row['p50'] / base_mix:>8.1f} "
                  f"{row['p50'] / base_alone:>10.1f}")
            if row["errors"]:
                failures.append(f"{label}: {row['errors']} errors ({status_counts(phase.samples)})")
            if row["p95"] > args.p95_ms:
                failures.append(f"{label}: p95 {row['p95']:.0f} ms > {args.p95_ms:.0f} ms")
        print(f"all endpoints: {total:,} requests, {total / elapsed:.0f} requests/s; "
              f"ballots/s {latency_row(phases[CAST])['per_s']:.1f}"
              + (" (voters ran out: raise --voters)" if voters_left == 0 else ""))

        stored = stored_facts(url, budget_id)
        recorded, expected = set(stored["voted"]), {facts["voter_ids"][e] for e in acknowledged}
        print(f"\n== storage: {len(acknowledged):,} acknowledged casts")
        checks = [
            (f"stored ballots {stored['ballots']:,} == acknowledged {len(acknowledged):,}",
             stored["ballots"] == len(acknowledged)),
            (f"participations {stored['participations']:,} == acknowledged {len(acknowledged):,}",
             stored["participations"] == len(acknowledged)),
            (f"acknowledged voters missing: {len(expected - recorded)}; recorded but never acknowledged: "
             f"{len(recorded - expected)}", recorded == expected),
            (f"voters with two participations: {len(stored['doubled'])}", not stored["doubled"]),
        ]
        for text, ok in checks:
            print(f"  {'PASS' if ok else 'FAIL'}  {text}")
            if not ok:
                failures.append(text)
        if "Traceback" in server_log:
            print("\ngunicorn log (errors):\n" + "\n".join(server_log.splitlines()[-40:]))
            failures.append("the server logged a traceback")
    finally:
        if server is not None:
            stop(server)
        if cluster is not None:
            cluster.destroy()
        elif args.database_url:
            _drop_everything(url)
        shutil.rmtree(workdir, ignore_errors=True)

    print("\nRESULT:", "PASS" if not failures else "FAIL")
    for failure in failures:
        print("  -", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
