"""How fast the proposals listing and a proposal page stay as the data grows.

For each size (1,000 and 100,000 proposals; 10 supports per proposal on average, so 1,000,000
supports at 100,000) this script:

1. builds a fresh SQLite database in a temporary directory with the Alembic migrations (the schema
   and indexes production gets, not ``create_all``), loads the Astana demo and bulk-inserts users,
   proposals, supports (power-law), comments and timeline events, keeping ``support_count`` and
   ``comment_count`` equal to the rows inserted;
2. counts the SQL statements each page runs (in-process test client): the count must not grow
   with the data (no N+1);
3. serves the app with gunicorn (1 sync worker, 127.0.0.1 only) and times each URL: 20 warm-up
   requests, then 200 sequential requests; median and p95 in milliseconds;
4. prints a table per size with each URL's ratio to ``/healthz`` measured in the same run, the
   growth from 1,000 to 100,000 proposals, and PASS/FAIL against the targets:
   every listing URL costs at most 10x ``/healthz``, and no URL grows by more than 1.5x.

Run: ``.venv/bin/python benchmarks/pages.py`` (about 3-5 minutes on 2 cores). ``--sizes 1000``
runs one size; ``--requests``/``--warmup`` change the sample; ``--keep`` keeps the databases.
Exit status 1 when a target fails.
"""
import argparse
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import free_port, stop, wait_until_ready  # noqa: E402

LISTING_TARGET = 10.0  # listing median <= 10x /healthz median
GROWTH_TARGET = 1.5  # median at the largest size <= 1.5x the median at the smallest
SUPPORTS_PER_PROPOSAL = 10  # 100,000 proposals -> 1,000,000 supports
CHUNK = 50_000


def urls(detail_id: int) -> list[tuple[str, str]]:
    """(label, path); the first is the baseline, the listing ones start with /proposals?."""
    return [
        ("healthz", "/healthz"),
        ("listing", "/proposals"),
        ("newest", "/proposals?sort=newest"),
        ("cost+status", "/proposals?sort=cost&status=submitted"),
        ("category", "/proposals?category=lighting"),
        ("page 50", "/proposals?page=50"),
        ("proposal page", f"/proposals/{detail_id}"),
    ]


def is_listing(label: str) -> bool:
    return label not in ("healthz", "proposal page")


# --- building the database ------------------------------------------------------------------

TITLES = [
    ("kk", "{street}, {house} үй ауласына балалар алаңы"),
    ("kk", "{street} бойындағы жаяу жүргіншілер жолын жарықтандыру"),
    ("kk", "{street}, {house} үй маңында ағаш отырғызу"),
    ("kk", "{street} бойындағы арықтарды тазалау"),
    ("ru", "Детская площадка во дворе: {street}, {house}"),
    ("ru", "Освещение тротуара: {street}, дома {house}–{house2}"),
    ("ru", "Пандус у подъездов: {street}, {house}"),
    ("ru", "Скамейки и урны в сквере: {street}, {house}"),
]
STREETS = ["Сарыарқа даңғылы", "Тұран даңғылы", "Қабанбай батыр даңғылы", "Сығанақ көшесі", "ул. Кунаева",
           "пр. Абылай хана", "ул. Иманова", "Жеңіс даңғылы", "ул. Бейбитшилик", "Ұлы Дала даңғылы",
           "ул. Сейфуллина", "Момышұлы даңғылы", "ул. Орынбор", "Мәңгілік Ел даңғылы"]
DESCRIPTIONS = {
    "kk": "Біздің аулада балалар көп, бірақ {what} жоқ немесе ескірген. Кешке қараңғы, қыста тайғанақ.\n\n"
          "Ұсынатынымыз:\n\n- жобалау-сметалық құжаттама\n- ескі жабдықты бөлшектеу\n- жаңасын орнату\n\n"
          "Көршілер, қолдаңыздар! ОСИ келісті, тұрғындар күтіп-ұстауға көмектеседі.",
    "ru": "Во дворе много детей и пожилых, а {what} нет или всё сломано. Вечером темно, зимой скользко.\n\n"
          "Что предлагаем:\n\n- проектно-сметная документация\n- демонтаж старого\n- монтаж нового\n\n"
          "Соседи, поддержите! С ОСИ согласовано, жители готовы следить за порядком.",
}
WHAT = {"kk": ["алаң", "шам", "орындық", "арық", "ағаш"], "ru": ["площадки", "фонарей", "скамеек", "арыков",
                                                            "деревьев"]}
COMMENT_BODIES = [("for", "Толық қолдаймын, өте керек!"), ("for", "Поддерживаю, давно пора."),
                  ("against", "Смета кажется завышенной."), ("neutral", "Кім күтіп-ұстайды?"),
                  ("neutral", "А кто будет обслуживать?")]
# ~90% submitted or feasible, the rest spread over the other public statuses and a few drafts.
STATUSES = [("submitted", 70), ("feasible", 20), ("not_feasible", 4), ("withdrawn", 3), ("on_ballot", 2),
            ("draft", 1)]


def _insert(db, table, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(table.insert(), rows[start:start + CHUNK])


def _power_law_counts(rng: random.Random, n: int, total: int, cap: int) -> list[int]:
    """Supports per proposal: Zipf-like by a random rank, summing to about ``total``."""
    weights = [1.0 / (rank + 1) ** 0.7 for rank in range(n)]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    for i in rng.sample(range(n), k=min(n, max(0, total - sum(counts)))):
        if counts[i] < cap:
            counts[i] += 1
    rng.shuffle(counts)
    return counts


def build(db_path: Path, n: int, rng: random.Random, extra_sql: list[str] = ()) -> dict:
    """Migrate, load the demo and bulk-insert ``n`` proposals, then run ``extra_sql`` (to try an
    index before writing its migration). Returns facts for the report."""
    import flask_migrate
    from sqlalchemy import event, func, select, text

    from app import create_app
    from app.core.markdown import render_markdown
    from app.demo import load_demo_data
    from app.extensions import db
    from app.models import Comment, Proposal, ProposalEvent, Support, User

    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "TESTING": True,
                      "SQLALCHEMY_ENGINE_OPTIONS": {}})
    facts: dict = {}
    with app.test_request_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        loaded = load_demo_data()
        process = loaded["processes"]["open"]
        budgets = [(b.id, b.area_id) for b in process.budgets]
        category_ids = [c.id for c in process.categories]
        db.session.commit()
        db.session.execute(text("PRAGMA synchronous = OFF"))  # building only; the server uses defaults

        # Users: enough distinct supporters for the most supported proposal.
        n_users = max(2_000, n // 5)
        first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
        now = datetime.now(UTC)
        password_hash = "pbkdf2:sha256:1$bench$" + "0" * 64  # never used to log in
        okrug_ids = [a.id for key, a in loaded["areas"].items() if "okrug" in key]
        _insert(db, User.__table__, [
            {"id": first_user + i, "email": f"bench.{i}@bench.qatysu.kz", "full_name": f"Тұрғын {i}",
             "password_hash": password_hash, "iin": f"9{i:011d}", "home_area_id": okrug_ids[i % len(okrug_ids)],
             "locale": ("kk", "ru")[i % 2], "is_active_account": True, "created_at": now}
            for i in range(n_users)
        ])

        # Proposals.
        first_proposal = (db.session.scalar(select(func.max(Proposal.id))) or 0) + 1
        support_counts = _power_law_counts(rng, n, n * SUPPORTS_PER_PROPOSAL, n_users)
        target = first_proposal + max(range(n), key=support_counts.__getitem__)
        html = {lang: render_markdown(DESCRIPTIONS[lang].format(what=WHAT[lang][0])) for lang in DESCRIPTIONS}
        statuses = [s for s, weight in STATUSES for _ in range(weight)]
        commented = set(rng.sample(range(n), k=n // 20))
        proposals, comments, events = [], [], []
        comment_id = (db.session.scalar(select(func.max(Comment.id))) or 0) + 1
        for i in range(n):
            pid = first_proposal + i
            lang, title = TITLES[i % len(TITLES)]
            street = rng.choice(STREETS)
            house = rng.randint(1, 120)
            budget_id, area_id = rng.choice(budgets)
            status = "feasible" if pid == target else rng.choice(statuses)
            cost = rng.randrange(1_500_000, 20_000_000, 10_000)
            created = now - timedelta(days=60) + timedelta(seconds=i * 5_000_000 / n + rng.random())
            n_comments = 45 if pid == target else (rng.randint(1, 4) if i in commented else 0)
            if status == "draft":
                n_comments = 0
            description = DESCRIPTIONS[lang].format(what=rng.choice(WHAT[lang]))
            proposals.append({
                "id": pid, "process_id": process.id, "budget_id": budget_id, "area_id": area_id,
                "author_id": first_user + rng.randrange(n_users), "category_id": rng.choice(category_ids),
                "title": title.format(street=street, house=house, house2=house + 6), "description": description,
                "description_html": html[lang], "address": f"{street}, {house}", "estimated_cost": cost,
                "final_cost": cost + 200_000 if status in ("feasible", "on_ballot") else None,
                "status": status, "status_reason": "Учаскеде 2027 жылы жөндеу жоспарланған."
                if status == "not_feasible" else None, "merged_into_id": None,
                "support_count": support_counts[i], "comment_count": n_comments,
                "created_at": created, "submitted_at": None if status == "draft" else created,
                "updated_at": created, "hidden_at": None, "hidden_reason": None, "hidden_by_id": None,
            })
            if status != "draft":
                events.append({"proposal_id": pid, "kind": "submitted", "actor_id": proposals[-1]["author_id"],
                               "actor_role": "resident", "note": None, "data": {}, "created_at": created})
            if status in ("feasible", "on_ballot", "not_feasible"):
                events.append({"proposal_id": pid, "kind": "reviewed_not_feasible" if status == "not_feasible"
                               else "reviewed_feasible", "actor_id": loaded["users"]["expert@qatysu.kz"].id,
                               "actor_role": "expert", "note": proposals[-1]["status_reason"],
                               "data": {} if status == "not_feasible" else {"cost": cost + 200_000},
                               "created_at": created + timedelta(days=2)})
            for c in range(n_comments):
                stance, body = COMMENT_BODIES[(i + c) % len(COMMENT_BODIES)]
                parent = comment_id - 1 if c % 3 == 2 else None  # every third one replies
                comments.append({
                    "id": comment_id, "proposal_id": pid, "author_id": first_user + rng.randrange(n_users),
                    "parent_id": parent, "stance": stance, "body": body, "body_html": f"<p>{body}</p>",
                    "useful_count": 0, "created_at": created + timedelta(hours=c + 1), "edited_at": None,
                    "deleted_at": None, "hidden_at": None, "hidden_reason": None, "hidden_by_id": None,
                })
                comment_id += 1
        _insert(db, Proposal.__table__, proposals)
        _insert(db, ProposalEvent.__table__, events)
        _insert(db, Comment.__table__, comments)
        del proposals, events, comments

        # Supports: each proposal's supporters are a run of distinct users from a random start.
        chunk, total = [], 0
        for i, count in enumerate(support_counts):
            start = rng.randrange(n_users)
            for j in range(count):
                chunk.append({"proposal_id": first_proposal + i, "user_id": first_user + (start + j) % n_users,
                              "created_at": now})
            if len(chunk) >= CHUNK:
                _insert(db, Support.__table__, chunk)
                total += len(chunk)
                chunk = []
        _insert(db, Support.__table__, chunk)
        total += len(chunk)
        db.session.commit()
        for statement in extra_sql:
            db.session.execute(text(statement))
        db.session.commit()

        mismatched = db.session.scalar(text(
            "SELECT count(*) FROM proposals p WHERE p.support_count != "
            "(SELECT count(*) FROM supports s WHERE s.proposal_id = p.id)"))
        assert mismatched == 0, f"{mismatched} proposals have support_count out of step"
        facts.update(
            proposals=db.session.scalar(select(func.count(Proposal.id))),
            supports=total, users=db.session.scalar(select(func.count(User.id))),
            comments=db.session.scalar(select(func.count(Comment.id))),
            events=db.session.scalar(select(func.count(ProposalEvent.id))),
            detail_id=target, build_seconds=time.perf_counter() - started,
        )

        # SQL statements per page, in-process: must be the same at every size (no N+1).
        statements = []
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731 (before_cursor_execute: statement)
        event.listen(engine, "before_cursor_execute", listener)
        client = app.test_client()
        facts["queries"] = {}
        for label, path in urls(target):
            client.get(path)  # first request may load caches
            statements.clear()
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            facts["queries"][label] = len(statements)
        event.remove(engine, "before_cursor_execute", listener)
        db.session.remove()
        engine.dispose()
    return facts


# --- serving and timing -----------------------------------------------------------------------

def serve(db_path: Path, workdir: Path, wsgi: str = "wsgi:app") -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log = workdir / "gunicorn.log"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db_path}", QATYSU_CONFIG="development",
               SECRET_KEY="benchmark-only-secret", UPLOAD_FOLDER=str(workdir / "uploads"))
    env.pop("TEST_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", wsgi],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    return wait_until_ready(process, port, log)


def measure(port: int, path: str, warmup: int, requests: int) -> list[float]:
    """Milliseconds per request (sent, answered and read). http.client reconnects by itself when
    the sync worker closes the connection, as gunicorn's sync workers do after each response."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    try:
        for n in range(warmup + requests):
            t0 = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}: {body[:300]!r}")
            if n >= warmup:
                timings.append(elapsed)
    finally:
        conn.close()
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# --- report -------------------------------------------------------------------------------------

def print_size(n: int, facts: dict, results: dict) -> None:
    base = results["healthz"]["median"]
    print(f"\n== {n:,} proposals: {facts['supports']:,} supports, {facts['users']:,} users, "
          f"{facts['comments']:,} comments, {facts['events']:,} events (built in {facts['build_seconds']:.0f} s)")
    print(f"{'URL':<40} {'median ms':>10} {'p95 ms':>9} {'x healthz':>10} {'SQL':>4}  target")
    for label, path in urls(facts["detail_id"]):
        r = results[label]
        ratio = r["median"] / base
        verdict = ("PASS" if ratio <= LISTING_TARGET else "FAIL") + f" (<= {LISTING_TARGET:g}x)" \
            if is_listing(label) else ""
        print(f"{path:<40} {r['median']:>10.2f} {r['p95']:>9.2f} {ratio:>10.1f} {facts['queries'][label]:>4}  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the databases (their path is printed)")
    parser.add_argument("--extra-sql", action="append", default=[], metavar="SQL",
                        help="run after building, e.g. to try an index: --extra-sql 'CREATE INDEX ...'")
    parser.add_argument("--wsgi", default="wsgi:app", help="gunicorn app to serve (default: wsgi:app)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="qatysu-bench-"))
    rng = random.Random(2026)
    all_results, all_facts, failures = {}, {}, []
    try:
        for n in args.sizes:
            db_path = workdir / f"pages-{n}.sqlite3"
            print(f"building {n:,} proposals in {db_path} ...", flush=True)
            facts = build(db_path, n, rng, args.extra_sql)
            server, port, log = serve(db_path, workdir, args.wsgi)
            try:
                results = {}
                for label, path in urls(facts["detail_id"]):
                    timings = measure(port, path, args.warmup, args.requests)
                    results[label] = {"median": statistics.median(timings), "p95": p95(timings)}
            finally:
                stop(server)
            all_results[n], all_facts[n] = results, facts
            print_size(n, facts, results)
            for label, r in results.items():
                if is_listing(label) and r["median"] > LISTING_TARGET * results["healthz"]["median"]:
                    failures.append(f"{n:,}: {label} is {r['median'] / results['healthz']['median']:.1f}x /healthz")
            if not args.keep:
                db_path.unlink()

        if len(args.sizes) > 1:
            small, large = min(args.sizes), max(args.sizes)
            print(f"\n== growth from {small:,} to {large:,} proposals (median {large:,} / median {small:,})")
            print(f"{'URL':<40} {'growth':>7} {'SQL':>9}  target")
            for label, path in urls(all_facts[large]["detail_id"]):
                growth = all_results[large][label]["median"] / all_results[small][label]["median"]
                queries = f"{all_facts[small]['queries'][label]} -> {all_facts[large]['queries'][label]}"
                verdict = "PASS" if growth <= GROWTH_TARGET else "FAIL"
                if label != "healthz":
                    print(f"{path.split('/proposals/')[0] + ('/proposals/<id>' if label == 'proposal page' else ''):<40}"
                          f" {growth:>6.2f}x {queries:>9}  {verdict} (<= {GROWTH_TARGET:g}x)")
                    if growth > GROWTH_TARGET:
                        failures.append(f"{label} grows {growth:.2f}x")
                    if all_facts[large]["queries"][label] != all_facts[small]["queries"][label]:
                        failures.append(f"{label} runs more SQL statements with more data")
    finally:
        if args.keep:
            print(f"\ndatabases kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\nRESULT:", "PASS" if not failures else "FAIL")
    for failure in failures:
        print("  -", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
