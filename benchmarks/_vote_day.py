"""The vote day that benchmarks/ballots.py and load.py run on: a database with the demo and a
benchmark process whose voting is open now (two budgets: "cast", with voters who log in and cast,
and "count", with stored ballots), gunicorn serving it, and what was stored afterwards."""
import os
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import free_port, wait_until_ready  # noqa: E402

# One BLAS thread (before numpy is first imported, by the app): with OpenBLAS's default of one
# thread per core, MES on 100,000 ballots took 3-11 s instead of 0.9 s whenever anything else used
# the CPU. Set the variable yourself to measure with more threads.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

PASSWORD = "bench-voter-password"
# The roll names voters by an HMAC of the IIN: the database is built and served with the same key.
VOTER_KEY_SECRET = "benchmark-only-voter-key"
CHUNK = 20_000
ALMATY = ZoneInfo("Asia/Almaty")


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
