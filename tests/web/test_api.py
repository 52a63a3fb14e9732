"""The open-data API: valid OpenAPI 3.1, the documented shapes, 400 for bad parameters and 404
for unknown ids, and no 500 for anything thrown at it."""
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from app.extensions import db

from .test_proposals import propose


def test_openapi_document_is_valid_and_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    documented = {"/api/v1" + path for path in spec["paths"]}
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1") and not rule.rule.endswith("openapi.json")}
    assert routes == documented


def test_proposal_with_timeline_in_iso_times_and_integer_tenge(client, users, open_process, log_in):
    log_in(users["resident"])
    proposal = propose(client, open_process)
    client.post("/auth/logout")
    listing = client.get("/api/v1/proposals?sort=newest").get_json()
    assert [p["id"] for p in listing["items"]] == [proposal.id] and listing["has_next"] is False
    detail = client.get(f"/api/v1/proposals/{proposal.id}").get_json()
    assert detail["estimated_cost"] == 12_000_000 and detail["timeline"][0]["kind"] == "submitted"
    assert detail["timeline"][0]["at"].endswith("+00:00")
    process = client.get(f"/api/v1/processes/{open_process.id}").get_json()
    assert set(process["title"]) == {"kk", "ru", "en"} and process["budgets"][0]["amount"] == 100_000_000


def test_drafts_are_not_in_the_api(client, users, open_process, log_in):
    log_in(users["resident"])
    draft = propose(client, open_process, submit="", save_draft="Save")
    client.post("/auth/logout")
    assert client.get(f"/api/v1/proposals/{draft.id}").status_code == 404
    assert client.get("/api/v1/proposals").get_json()["items"] == []


@pytest.mark.parametrize("query", ["?page=0", "?page=abc", "?sort=random", "?status=draft", "?area=-1", "?budget=1e3"])
def test_bad_parameters_get_400_with_a_json_error(client, query):
    response = client.get("/api/v1/proposals" + query)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_parameter"


@pytest.mark.parametrize("path", ["/api/v1/proposals/999999", "/api/v1/areas/999999", "/api/v1/processes/999999",
                                  "/api/v1/meetings/999999", "/api/v1/budgets/999999/results"])
def test_unknown_ids_get_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.is_json


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["q", "area", "budget", "category", "status", "sort", "page"]),
       value=st.text(max_size=30))
def test_random_parameters_never_cause_a_server_error(client, name, value):
    for path in ("/api/v1/proposals", "/api/v1/meetings", "/api/v1/processes", "/proposals", "/meetings"):
        response = client.get(path, query_string={name: value})
        assert response.status_code < 500, (path, name, value)
    db.session.rollback()




def test_process_exports_in_csv_and_json_with_documented_columns(client, users, open_process, log_in):
    import csv
    import io

    from app.api.exports import COLUMNS

    log_in(users["resident"])
    proposal = propose(client, open_process)
    client.post("/auth/logout")
    for dataset in ("proposals", "results", "implementation"):
        text = client.get(f"/api/v1/processes/{open_process.id}/export/{dataset}.csv").get_data(as_text=True)
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        assert reader.fieldnames == COLUMNS[dataset]
        data = client.get(f"/api/v1/processes/{open_process.id}/export/{dataset}.json").get_json()
        assert all(set(row) == set(COLUMNS[dataset]) for row in data["rows"])
    rows = client.get(f"/api/v1/processes/{open_process.id}/export/proposals.json").get_json()["rows"]
    assert rows[0]["id"] == proposal.id and rows[0]["area_name_kk"] == "Есіл ауданы"
    assert rows[0]["estimated_cost_kzt"] == 12_000_000
    assert client.get(f"/api/v1/processes/{open_process.id}/export/secrets.csv").status_code == 404
