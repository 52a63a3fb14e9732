"""Fixtures for tests of the Flask app: ``app``, ``client``, ``db_session`` and factories.

Tables are created once per session with ``create_all`` (tests may; the app never does) and
emptied after every test, which keeps the PostgreSQL run fast."""
import contextvars
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from app import create_app
from app.admin.services import set_phase_dates
from app.core.markdown import render_markdown
from app.extensions import db, limiter
from app.identity.iin import make_iin
from app.models import PHASE_ORDER, Area, PhaseKind, Proposal, RoleGrant, User, guards

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = generate_password_hash(PASSWORD)  # hashing is slow on purpose: do it once
_serial = iter(range(1, 10**6))


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would: otherwise a request would
    reuse the test's app context, and with it the cached user, locale and database session."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({"TESTING": True, "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads"))})
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        try:
            empty_every_table()
        except sa.exc.IntegrityError:
            # The database's guards refuse to delete what a published result rests on.
            empty_every_table(lift_guards=True)
        limiter.reset()  # login throttles and lockouts are per test


def empty_every_table(lift_guards: bool = False) -> None:
    """Delete every row, in one transaction; ``lift_guards`` removes the database's guards for it
    (a published result's ballots and participations are otherwise kept) and puts them back."""
    db.session.rollback()
    if lift_guards:
        guards.remove(db.session.connection())
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if lift_guards:
        guards.install(db.session.connection())
    db.session.commit()


@pytest.fixture
def ctx(app):
    """An app context for calling services and querying directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def client(app, ctx):
    return app.test_client()


@pytest.fixture
def areas(ctx):
    """Astana with its districts and okrugs, as in the demo."""
    from app.demo import load_areas

    found = load_areas()
    db.session.commit()
    return found


@pytest.fixture
def okrug(areas):
    """Okrug No. 7 of the Esil district: the demo deputy's, where the demo resident lives."""
    return areas["Esil district / okrug 7"]


def make_user(*, home: Area | None, role: str | None = None, area: Area | None = None,
              email: str | None = None, born: date = date(1990, 1, 1), locale: str = "en") -> User:
    n = next(_serial)
    user = User(
        email=email or f"user{n}@example.kz", full_name=f"Test User {n}",
        iin=make_iin(born, "female" if n % 2 else "male", n), home_area=home, locale=locale,
        password_hash=_PASSWORD_HASH,
    )
    db.session.add(user)
    if role:
        db.session.add(RoleGrant(user=user, role=role, area=area))
    db.session.commit()
    return user


@pytest.fixture
def users(areas):
    """One user per role the access tests walk through."""
    esil, almaty = areas["Esil district"], areas["Almaty district"]
    return {
        "resident": make_user(home=areas["Esil district / okrug 7"]),
        "resident_elsewhere": make_user(home=areas["Almaty district / okrug 1"]),
        "akimat": make_user(home=esil, role="akimat", area=areas["Astana"]),
        "akimat_of_district": make_user(home=esil, role="akimat", area=esil),
        "akimat_elsewhere": make_user(home=almaty, role="akimat", area=almaty),
        "deputy": make_user(home=esil, role="deputy", area=areas["Esil district / okrug 7"]),
        "moderator": make_user(home=esil, role="moderator", area=areas["Astana"]),
        "admin": make_user(home=esil, role="admin", area=None),
        "admin_elsewhere": make_user(home=almaty, role="admin", area=almaty),
    }


def login(client, user: User) -> None:
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def log_in(client):
    return lambda user: login(client, user)


@pytest.fixture
def open_process(areas):
    """Astana's process in its proposals phase, with a budget for Esil district."""
    from app.models import Budget, Process
    from app.proposals.services import ensure_default_categories

    process = Process(area=areas["Astana"], year=2027, title_kk="Астана 2027", title_ru="Астана 2027",
                      title_en="Astana 2027")
    start = date.today() - timedelta(days=5)
    set_phase_dates(process, {k: (start + timedelta(days=30 * i), start + timedelta(days=30 * i + 29))
                              for i, k in enumerate(PHASE_ORDER)})
    ensure_default_categories(process)
    db.session.add(process)
    db.session.add(Budget(process=process, area=areas["Esil district"], name_kk="Есіл ауданы",
                          name_ru="район Есиль", name_en="Esil district", amount=100_000_000,
                          project_limit_tenge=20_000_000))
    db.session.commit()
    return process


def move_to_phase(process, kind) -> None:
    """Shift the process's dates so that ``kind`` is running now. Once voting has been opened its
    start and the phases before it are fixed (the database refuses to move them): moving on to a
    later phase then closes voting now and shifts only what follows."""
    from app.admin.services import voting_opened
    from app.core.clock import utcnow

    if voting_opened(process) and PHASE_ORDER.index(kind) > PHASE_ORDER.index(PhaseKind.VOTING):
        close_voting(process)
        phase = process.phase(kind)
        shift = utcnow() - phase.starts_at - timedelta(seconds=1)
        for p in process.phases[PHASE_ORDER.index(PhaseKind.VOTING) + 1:]:
            p.starts_at += shift
            p.ends_at += shift
        db.session.commit()
        return
    phase = process.phase(kind)
    shift = utcnow() - phase.starts_at - timedelta(days=1)
    for p in process.phases:
        p.starts_at += shift
        p.ends_at += shift
    db.session.commit()


# Count key files of budgets opened in a test, by budget id (the counting commission's copy).
KEY_FILES: dict[int, bytes] = {}


def open_voting(process, official=None) -> bytes:
    """Open the process's voting as its akimat official would: make the count keys, confirm them
    with the file, fix the roll. Moves the dates into the voting phase first if needed."""
    from app.ballots import opening
    from app.ballots.snapshot import forget

    if not process.is_in_phase(PhaseKind.VOTING):
        move_to_phase(process, PhaseKind.VOTING)
    if official is None:
        official = make_user(home=process.area, role="akimat", area=process.area)
    key_file = opening.prepare_keys(process, official)
    opening.open_voting(process, official, key_file)
    for budget in process.budgets:
        KEY_FILES[budget.id] = key_file
    forget()
    return key_file


def close_voting(process) -> None:
    """End the voting phase a moment ago (as "Close now" does) and start the results phase."""
    from app.ballots.snapshot import forget
    from app.core.clock import utcnow

    voting, results = process.phase(PhaseKind.VOTING), process.phase(PhaseKind.RESULTS)
    now = utcnow() - timedelta(seconds=1)
    if voting.ends_at > now:
        voting.ends_at = now
        if results.starts_at > now:
            results.starts_at = now
    db.session.commit()
    forget()


def count_votes(budget, actor=None, *, publish: bool = False):
    """Close voting if needed and count with the budget's key file (and publish)."""
    from app.results import services

    if budget.process.is_in_phase(PhaseKind.VOTING):
        close_voting(budget.process)
    result = services.count(budget, actor, key_file=KEY_FILES.get(budget.id))
    if publish:
        services.publish(result, actor)
    return result


@pytest.fixture
def ballot(open_process, users):
    """Esil's budget (100 M ₸) in its voting phase with four projects on the ballot. Voting is not
    opened yet: a test configures the ballot, then calls ``start``."""
    budget = open_process.budgets[0]
    projects = []
    for title, cost in (("Playground", 40_000_000), ("Lighting", 35_000_000), ("Ramps", 30_000_000),
                        ("Trees", 10_000_000)):
        p = Proposal(process=open_process, budget=budget, area=budget.area, author=users["resident"], title=title,
                     description=title, description_html=render_markdown(title), address="Esil",
                     estimated_cost=cost, status="on_ballot")
        db.session.add(p)
        projects.append(p)
    db.session.commit()
    move_to_phase(open_process, PhaseKind.VOTING)
    return budget, projects
