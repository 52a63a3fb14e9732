"""The demo, as `make run` serves it: every kind of page opens for every role in all three
languages (a template error or a missing translation key would show here)."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Budget, Proposal, Result
from meetings.models import Meeting


@pytest.fixture
def demo(ctx):
    from app.demo import DEMO_PASSWORD, load_demo_data

    loaded = load_demo_data()
    return loaded, DEMO_PASSWORD


def _pages(loaded):
    open_budget = loaded["processes"]["open"].budgets[0]
    published = db.session.scalar(select(Result.budget_id).where(Result.published_at.is_not(None)))
    proposal = db.session.scalar(select(Proposal).order_by(Proposal.support_count.desc()))
    funded = db.session.scalar(select(Proposal).where(Proposal.status.in_(["in_implementation", "completed"])))
    meeting = db.session.scalar(select(Meeting).where(Meeting.minutes_published_at.is_not(None)))
    esil = loaded["areas"]["Esil district"]
    return ["/", "/proposals", f"/proposals/{proposal.id}", f"/proposals/{funded.id}", "/meetings",
            "/meetings?when=past", f"/meetings/{meeting.id}", f"/budgets/{published}/results",
            f"/budgets/{published}/results/protocol", f"/budgets/{published}/ballot-lookup",
            f"/areas/{esil.id}/dashboard", f"/budgets/{open_budget.id}/vote", "/me", "/notifications",
            f"/deputies/{loaded['users']['deputy@qatysu.kz'].id}", "/api/v1/budgets",
            f"/api/v1/budgets/{published}/results", f"/meetings/{meeting.id}.ics"]


def test_every_page_of_the_demo_opens_for_every_role_in_every_language(client, demo):
    loaded, password = demo
    pages = _pages(loaded)
    for email in (None, "resident@qatysu.kz", "deputy@qatysu.kz", "akimat@qatysu.kz", "admin@qatysu.kz"):
        if email:
            assert client.post("/auth/login", data={"email": email, "password": password}).status_code == 302
        for locale in ("kk", "ru", "en"):
            client.post("/language", data={"locale": locale})  # saved to the profile when logged in
            for path in pages:
                response = client.get(path)
                needs_login = path in ("/me", "/notifications") or path.endswith("/vote")
                expected = 302 if email is None and needs_login else 200
                assert response.status_code == expected, (email, locale, path, response.status_code)
                if expected == 200 and response.mimetype == "text/html":
                    html = response.get_data(as_text=True)
                    assert f'<html lang="{locale}">' in html, (email, locale, path)
                    # The Content-Security-Policy allows no inline script or style.
                    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=\"", html), (path, email)
        client.post("/auth/logout")


def test_demo_results_are_published_and_verifiable(demo, app):
    runner = app.test_cli_runner()
    for budget in db.session.scalars(select(Budget).join(Result).where(Result.published_at.is_not(None))):
        out = runner.invoke(args=["verify-results", str(budget.id)])
        assert out.exit_code == 0, out.output
