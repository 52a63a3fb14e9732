"""“Copy this process to next year”: the set-up comes along under new dates; nothing residents did."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.council import services as council_services
from app.extensions import db
from app.models import BallotConfig, Council, CouncilMember, Criterion, Process, Proposal

from .conftest import make_user

EN = {"Accept-Language": "en"}


def _form(start: date, **overrides):
    data = {"year": "2028", "title_kk": "Астана 2028", "title_ru": "Астана 2028", "title_en": "Astana 2028"}
    for i, kind in enumerate(("proposals", "review", "voting", "results", "implementation")):
        data[f"{kind}-starts_on"] = (start + timedelta(days=30 * i)).isoformat()
        data[f"{kind}-ends_on"] = (start + timedelta(days=30 * i + 29)).isoformat()
    return {**data, **overrides}


def test_the_copy_has_the_budgets_categories_ballot_settings_and_council_but_no_proposals(
        client, log_in, open_process, users, areas):
    budget = open_process.budgets[0]
    db.session.add(BallotConfig(budget_id=budget.id, ballot_type="knapsack", rule="mes", max_projects=None))
    expert = make_user(home=areas["Almaty district / okrug 1"], role="expert", area=areas["Esil district"])
    retired = make_user(home=areas["Almaty district / okrug 1"], role="expert", area=areas["Esil district"])
    db.session.add(Proposal(process=open_process, budget=budget, area=budget.area, author=users["resident"],
                            title="Old", description="d", description_html="d", address="a", estimated_cost=1,
                            status="submitted"))
    db.session.commit()
    council_services.save_settings(open_process, rule="unanimous", revision_days=5, names_public=False)
    council_services.add_member(open_process, expert)
    council_services.add_member(open_process, retired)
    council_services.add_criterion(open_process, scale="score", names={"kk": "Пайда", "ru": "Польза", "en": "Benefit"})
    db.session.delete(retired.grants[0])  # no longer on the council's role
    db.session.commit()
    log_in(users["akimat"])
    form = client.get(f"/admin/processes/{open_process.id}/copy", headers=EN).get_data(as_text=True)
    assert 'value="2028"' in form and "Astana 2028" in form  # next year proposed
    response = client.post(f"/admin/processes/{open_process.id}/copy", data=_form(date.today() + timedelta(days=300)))
    assert response.status_code == 302
    copy = db.session.scalar(select(Process).where(Process.year == 2028))
    assert copy.title_en == "Astana 2028" and copy.area_id == open_process.area_id
    [new_budget] = copy.budgets
    assert (new_budget.amount, new_budget.project_limit_tenge) == (budget.amount, budget.project_limit_tenge)
    assert db.session.get(BallotConfig, new_budget.id).rule == "mes"
    assert [c.code for c in copy.categories] == [c.code for c in open_process.categories]
    council = db.session.get(Council, copy.id)
    assert (council.rule, council.revision_days, council.names_public) == ("unanimous", 5, False)
    assert [c.name_en for c in db.session.scalars(select(Criterion).where(Criterion.process_id == copy.id))] == [
        "Benefit"]
    members = db.session.scalars(select(CouncilMember.user_id).where(CouncilMember.process_id == copy.id)).all()
    assert members == [expert.id]
    assert db.session.scalar(select(func.count(Proposal.id)).where(Proposal.process_id == copy.id)) == 0


def test_overlapping_dates_bring_the_form_back_and_copy_nothing(client, log_in, open_process, users):
    log_in(users["akimat"])
    start = date.today() + timedelta(days=300)
    response = client.post(f"/admin/processes/{open_process.id}/copy", headers=EN,
                           data=_form(start, **{"review-starts_on": start.isoformat()}))
    assert response.status_code == 200
    assert "Each phase must start after the previous one ends." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Process.id))) == 1


def test_an_official_of_another_district_cannot_copy(client, log_in, open_process, users):
    log_in(users["akimat_elsewhere"])
    assert client.get(f"/admin/processes/{open_process.id}/copy").status_code == 403


def test_the_process_page_links_every_export(client, log_in, open_process, users):
    log_in(users["akimat"])
    page = client.get(f"/admin/processes/{open_process.id}", headers=EN).get_data(as_text=True)
    for dataset in ("proposals", "results", "implementation", "council", "council_remarks"):
        for fmt in ("csv", "json"):
            assert f"/api/v1/processes/{open_process.id}/export/{dataset}.{fmt}" in page
