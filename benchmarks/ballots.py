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
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _clients import (  # noqa: E402
    Phase,
    Voter,
    _connection,
    best,
    cast_once,
    cast_phase,
    hammer_healthz,
    latency_row,
    log_in_all,
    race,
    status_counts,
    voter_queue,
)
from _gunicorn import stop  # noqa: E402
from _vote_day import _drop_everything, build, serve, stored_facts  # noqa: E402

CAST_TARGET = 4.0  # cast p50 <= 4x /healthz p50, same run, same concurrency
COUNT_TARGET = 3.0  # app count (load + count + store) <= 3x read_pabulib + allocate on the exported file


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


if __name__ == "__main__":
    sys.exit(main())
