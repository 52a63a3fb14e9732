"""The demo city, loaded by `flask demo-data` (and by `make run` on an empty database, through the
same command). The story, in the order it is told:

1. city.py — Astana's districts and okrugs, one account per role, an open process and a finished one;
2. proposals.py (with residents.py) — neighbours propose, support, discuss; officials review, merge;
3. results.py (with implementation.py) — the finished process is voted, counted, published, built;
4. meetings.py — a town hall whose minutes changed proposals, and one coming with a waitlist.

What the story says (names, texts, numbers) is in data/, apart from the code that loads it.
Idempotent: each part looks for what it made before and does nothing the second time."""
from datetime import date

from app.core import clock
from app.demo.city import load_areas, load_processes, load_users
from app.demo.data.city import DEMO_PASSWORD
from app.demo.meetings import load_demo_meetings
from app.demo.proposals import load_demo_proposals
from app.demo.results import load_demo_results
from app.extensions import db

__all__ = ["DEMO_PASSWORD", "load_areas", "load_demo_data", "load_processes", "load_users"]


def load_demo_data(today: date | None = None) -> dict:
    """Create (or find) every demo object and commit; returns what was loaded, for the command's report."""
    areas = load_areas()
    users = load_users(areas)
    processes = load_processes(areas, today or clock.today())
    db.session.commit()
    proposals = load_demo_proposals(users, areas, processes)
    ballots = load_demo_results(users, areas, processes)
    meetings = load_demo_meetings(users, areas, processes)
    return {"areas": areas, "users": users, "processes": processes, "proposals": proposals, "ballots": ballots,
            "meetings": meetings}
