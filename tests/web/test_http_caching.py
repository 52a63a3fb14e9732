"""HTTP caching where it is safe: open data (results, ballots.pb, the exports, the public API) is
public with an ETag, Last-Modified where it has a date, and a conditional request gets 304; the
results pages are kept only by the visitor's browser; nothing seen logged in is stored by a cache."""
import pytest

from .conftest import count_votes
from .test_voting import EN, cast_many


@pytest.fixture
def published(client, users, areas, ballot):
    budget, projects = ballot
    cast_many(budget, projects, [(0,), (0, 1), (2, 3)], areas)
    count_votes(budget, publish=True)
    return budget


def open_data_paths(budget) -> list[str]:
    return [f"/api/v1/budgets/{budget.id}/results", f"/api/v1/budgets/{budget.id}/ballots.pb",
            f"/api/v1/budgets/{budget.id}/results.csv", "/api/v1/budgets",
            f"/api/v1/processes/{budget.process_id}/export/proposals.csv",
            f"/api/v1/processes/{budget.process_id}/export/results.json", "/api/v1/proposals", "/api/v1/areas"]


def test_open_data_is_public_with_an_etag_and_a_conditional_request_gets_304(client, published):
    for path in open_data_paths(published):
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers.get("ETag"), path
        assert "public" in first.headers["Cache-Control"] and "max-age" in first.headers["Cache-Control"], path
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", path


def test_the_published_ballots_and_results_carry_their_publication_date(client, published):
    for path in (f"/api/v1/budgets/{published.id}/ballots.pb", f"/api/v1/budgets/{published.id}/results"):
        first = client.get(path)
        assert first.headers.get("Last-Modified"), path
        again = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert again.status_code == 304, path


def test_the_results_page_and_protocol_are_revalidated_with_304_and_kept_only_by_the_browser(client, published):
    for path in (f"/budgets/{published.id}/results", f"/budgets/{published.id}/results/protocol"):
        first = client.get(path, headers=EN)
        assert first.status_code == 200 and "online: 3" in first.get_data(as_text=True)
        cache_control = first.headers["Cache-Control"]
        assert "private" in cache_control and "public" not in cache_control, path
        assert first.headers.get("ETag") and first.headers.get("Last-Modified"), path
        again = client.get(path, headers={**EN, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
        other_language = client.get(path, headers={"Accept-Language": "ru", "If-None-Match": first.headers["ETag"]})
        assert other_language.status_code == 200, path


def test_a_hidden_project_changes_the_results_page(client, published, users):
    from app.core.clock import utcnow
    from app.extensions import db
    from app.models import Proposal

    path = f"/budgets/{published.id}/results"
    first = client.get(path, headers=EN)
    proposal = db.session.query(Proposal).filter_by(budget_id=published.id).first()
    proposal.hidden_at, proposal.hidden_reason, proposal.hidden_by_id = utcnow(), "Personal data", users["moderator"].id
    db.session.commit()
    assert client.get(path, headers={**EN, "If-None-Match": first.headers["ETag"]}).status_code == 200


def test_the_results_page_seen_logged_in_is_never_kept_for_another(client, published, users, log_in):
    path = f"/budgets/{published.id}/results"
    anonymous = client.get(path, headers=EN)
    log_in(users["admin"])
    flashed = client.get(path, headers=EN)  # shows "logged in" once: that page is not kept at all
    assert "no-store" in flashed.headers["Cache-Control"] and "ETag" not in flashed.headers
    mine = client.get(path, headers=EN)
    assert mine.headers["ETag"] != anonymous.headers["ETag"]  # the admin's page has the annulment form
    assert "private" in mine.headers["Cache-Control"]
    assert client.get(path, headers={**EN, "If-None-Match": anonymous.headers["ETag"]}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/proposals", "/me", "/notifications"])
def test_pages_seen_logged_in_are_not_stored_by_any_cache(client, users, log_in, open_process, path):
    log_in(users["resident"])
    response = client.get(path)
    assert response.status_code == 200, path
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control and "private" in cache_control and "public" not in cache_control
