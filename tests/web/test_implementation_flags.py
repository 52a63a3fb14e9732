"""What the implementation pages flag (issue #18): an overspend on the project page, the dashboard
and the exports; never "late" for a completed project; the dashboard by process and year."""
import json
from datetime import date, timedelta

from app.extensions import db
from app.models import Budget, Milestone, Process, Proposal

from .test_implementation import funded
from .test_proposals import EN

FIXTURES = (funded,)  # another test file's fixture, used here by name


def _report(client, proposal, **data):
    body = {"what": "report", "status": "in_progress", "progress": "60", "spent": "0", **data}
    response = client.post(f"/proposals/{proposal.id}/implementation", data=body)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_an_overspend_is_flagged_on_the_project_page_the_dashboard_and_the_exports(client, users, funded, log_in):
    proposal, _ = funded  # 40 M ₸ allocated
    log_in(users["akimat"])
    _report(client, proposal, spent="45 000 000")
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "Overspent by 5,000,000 ₸" in page
    assert "Overspent by 5,000,000 ₸" in client.get(f"/proposals/{proposal.id}/implementation",
                                                    headers=EN).get_data(as_text=True)
    dashboard = client.get(f"/areas/{proposal.area_id}/dashboard", headers=EN).get_data(as_text=True)
    assert "Overspent by 5,000,000 ₸" in dashboard and "Projects over their allocation: 1" in dashboard
    rows = json.loads(client.get(f"/api/v1/processes/{proposal.process_id}/export/implementation.json")
                      .get_data(as_text=True))
    row = next(r for r in (rows["rows"] if isinstance(rows, dict) else rows) if r["proposal_id"] == proposal.id)
    assert row["overspent_kzt"] == 5_000_000
    csv_text = client.get(f"/api/v1/processes/{proposal.process_id}/export/implementation.csv").get_data(as_text=True)
    assert "overspent_kzt" in csv_text.splitlines()[0]


def test_a_spend_within_the_allocation_is_not_flagged(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    _report(client, proposal, spent="40 000 000")
    assert "Overspent" not in client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)


def test_a_completed_project_is_never_flagged_late(client, users, funded, log_in):
    proposal, _ = funded
    log_in(users["akimat"])
    _report(client, proposal, status="in_progress", progress="50")
    db.session.add(Milestone(proposal_id=proposal.id, title="Frames", starts_on=date.today() - timedelta(days=60),
                             planned_on=date.today() - timedelta(days=30)))
    db.session.commit()
    assert "late" in client.get(f"/areas/{proposal.area_id}/dashboard", headers=EN).get_data(as_text=True)
    _report(client, proposal, status="completed", progress="100")
    for url in (f"/areas/{proposal.area_id}/dashboard", f"/proposals/{proposal.id}",
                f"/proposals/{proposal.id}/implementation"):
        assert ">late<" not in client.get(url, headers=EN).get_data(as_text=True), url


def test_the_dashboard_filters_by_process_and_year(client, users, funded, log_in):
    proposal, _ = funded
    process = db.session.get(Process, proposal.process_id)
    later = Process(area_id=process.area_id, year=process.year + 2, title_kk="Кейін", title_ru="Позже",
                    title_en="Two years later")
    budget = Budget(process=later, area_id=proposal.area_id, name_kk="Б", name_ru="Б", name_en="B", amount=10**8)
    db.session.add_all([later, budget])
    db.session.flush()
    other = Proposal(process=later, budget=budget, area_id=proposal.area_id, author_id=proposal.author_id, title="Later fountain",
                     description="x", description_html="x", address="x", estimated_cost=1_000_000, status="funded")
    db.session.add(other)
    db.session.commit()
    url = f"/areas/{proposal.area_id}/dashboard"
    everything = client.get(url, headers=EN).get_data(as_text=True)
    assert proposal.title in everything and "Later fountain" in everything
    by_year = client.get(f"{url}?year={process.year}", headers=EN).get_data(as_text=True)
    assert proposal.title in by_year and "Later fountain" not in by_year
    by_process = client.get(f"{url}?process={later.id}", headers=EN).get_data(as_text=True)
    assert "Later fountain" in by_process and proposal.title not in by_process.split("<table")[1]
    assert f'<option value="{process.year + 2}"' in everything
    for bad in ("year=abc", "year=99999999999999999999", "process=-1", "process=99999999999999"):
        assert client.get(f"{url}?{bad}").status_code == 200
