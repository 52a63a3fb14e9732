"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""
from flask import jsonify

from app.api.routes import bp

MAX_ID = 2**31 - 1
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
NAMES = {"type": "object", "properties": {k: {"type": "string"} for k in ("kk", "ru", "en")},
         "required": ["kk", "ru", "en"]}
TIME = {"type": ["string", "null"], "format": "date-time"}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                                          "parameter": {"type": "string"}, "message": {"type": "string"}},
         "required": ["error"]}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _path_id(name, description):
    return {"name": name, "in": "path", "required": True, "description": description, "schema": ID}


def _query(name, description, schema=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or ID}


def _ok(schema, description="OK", media="application/json"):
    return {"200": {"description": description, "content": {media: {"schema": schema}}}}


# The texts of a response (explanations, timeline sentences) follow ?lang=, then Accept-Language.
LANG = {"name": "lang", "in": "query", "required": False, "description": "Language of the texts (kk by default)",
        "schema": {"type": "string", "enum": ["kk", "ru", "en"]}}
NOT_FOUND = {"404": {"description": "No such object", "content": {"application/json": {"schema": _ref("Error")}}}}
BAD = {"400": {"description": "A parameter is not valid", "content": {"application/json": {"schema": _ref("Error")}}}}


def _page_of(name):
    return {"type": "object", "required": ["items", "page", "per_page", "has_next"],
            "properties": {"items": {"type": "array", "items": _ref(name)}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "has_next": {"type": "boolean"}}}


SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Qatysu open data", "version": "1",
             "description": "Read-only data of participatory budgets: areas, processes, proposals with their "
                            "public timelines, town halls and minutes, results with the anonymized ballots, "
                            "and implementation. Times are ISO 8601 (UTC), money is integer tenge; texts are in the language "
                            "asked for by ?lang= or Accept-Language (kk, ru or en; Kazakh by default)."},
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/areas": {"get": {"summary": "All areas", "operationId": "listAreas",
                           "responses": _ok({"type": "object", "properties": {"items": {"type": "array", "items": _ref("Area")}}})}},
        "/areas/{area_id}": {"get": {"summary": "One area", "operationId": "getArea",
                                     "parameters": [_path_id("area_id", "Area id")],
                                     "responses": {**_ok(_ref("Area")), **NOT_FOUND}}},
        "/processes": {"get": {"summary": "Participatory-budgeting processes", "operationId": "listProcesses",
                               "parameters": [_query("area", "Only processes covering this area")],
                               "responses": {**_ok({"type": "object", "properties": {"items": {"type": "array", "items": _ref("Process")}}}),
                                             **BAD, **NOT_FOUND}}},
        "/processes/{process_id}": {"get": {"summary": "One process with its phases and budgets", "operationId": "getProcess",
                                            "parameters": [_path_id("process_id", "Process id")],
                                            "responses": {**_ok(_ref("Process")), **NOT_FOUND}}},
        "/proposals": {"get": {
            "summary": "Public proposals, filtered and sorted like the proposals page", "operationId": "listProposals",
            "parameters": [_query("q", "Words in the title or description", {"type": "string", "maxLength": 100}),
                           _query("area", "Area (and everything inside it)"), _query("budget", "Budget id"),
                           _query("category", "Category code", {"type": "string", "maxLength": 40}),
                           _query("status", "Status", {"type": "string", "enum": [
                               "submitted", "withdrawn", "feasible", "not_feasible", "merged", "on_ballot", "funded",
                               "not_funded", "in_implementation", "completed"]}),
                           _query("sort", "Order", {"type": "string", "enum": ["supports", "newest", "cost"]}),
                           _query("page", "Page number (20 per page)", {"type": "integer", "minimum": 1, "maximum": 10000})],
            "responses": {**_ok(_page_of("Proposal")), **BAD}}},
        "/proposals/{proposal_id}": {"get": {"summary": "One proposal with its timeline and implementation",
                                             "operationId": "getProposal", "parameters": [_path_id("proposal_id", "Proposal id"), LANG],
                                             "responses": {**_ok(_ref("ProposalDetail")), **NOT_FOUND}}},
        "/meetings": {"get": {"summary": "Town halls, newest first", "operationId": "listMeetings",
                              "parameters": [_query("area", "Area (and everything inside it)"),
                                             _query("page", "Page number (100 per page)", {"type": "integer", "minimum": 1, "maximum": 10000})],
                              "responses": {**_ok(_page_of("Meeting")), **BAD, **NOT_FOUND}}},
        "/meetings/{meeting_id}": {"get": {"summary": "One town hall with its agenda and published minutes",
                                           "operationId": "getMeeting", "parameters": [_path_id("meeting_id", "Meeting id")],
                                           "responses": {**_ok(_ref("MeetingDetail")), **NOT_FOUND}}},
        "/processes/{process_id}/export/{dataset}.{fmt}": {"get": {
            "summary": "Open-data export of a process (columns documented in the README)", "operationId": "exportProcess",
            "parameters": [_path_id("process_id", "Process id"),
                           {"name": "dataset", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": ["proposals", "results", "implementation", "council", "council_remarks"]}},
                           {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string", "enum": ["csv", "json"]}}],
            "responses": {"200": {"description": "The dataset", "content": {
                "text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}}},
                **NOT_FOUND}}},
        "/budgets": {"get": {"summary": "Budgets and whether their results are published", "operationId": "listBudgets",
                             "responses": _ok({"type": "object", "properties": {"budgets": {"type": "array", "items": _ref("Budget")}}})}},
        "/budgets/{budget_id}/results": {"get": {
            "summary": "Published result: rule, options, selected project ids and the ballots file hash",
            "operationId": "getResults", "parameters": [_path_id("budget_id", "Budget id"), LANG],
            "responses": {**_ok(_ref("Results")), **NOT_FOUND}}},
        "/budgets/{budget_id}/results.csv": {"get": {
            "summary": "Published result as CSV (project_id, title, votes, cost, funded, explanation)",
            "operationId": "getResultsCsv", "parameters": [_path_id("budget_id", "Budget id"), LANG],
            "responses": {**_ok({"type": "string"}, media="text/csv"), **NOT_FOUND}}},
        "/budgets/{budget_id}/ballots.pb": {"get": {
            "summary": "The anonymized ballots in the pabulib format (voter ids are receipt codes)",
            "operationId": "getBallots", "parameters": [_path_id("budget_id", "Budget id")],
            "responses": {**_ok({"type": "string"}, media="text/plain"), **NOT_FOUND}}},
    },
    "components": {"schemas": {
        "Error": ERROR,
        "Area": {"type": "object", "required": ["id", "kind", "name"], "properties": {
            "id": ID, "parent_id": {"type": ["integer", "null"]}, "kind": {"type": "string"},
            "kato": {"type": ["string", "null"]}, "name": NAMES}},
        "Process": {"type": "object", "required": ["id", "area_id", "year", "title", "status", "phases", "budgets"],
                    "properties": {"id": ID, "area_id": ID, "year": {"type": "integer"}, "title": NAMES,
                                   "status": {"type": "string"}, "support_threshold": {"type": "integer"},
                                   "phases": {"type": "array", "items": {"type": "object", "properties": {
                                       "kind": {"type": "string"}, "starts_at": TIME, "ends_at": TIME}}},
                                   "budgets": {"type": "array", "items": {"type": "object", "properties": {
                                       "id": ID, "area_id": ID, "name": NAMES, "amount": {"type": "integer"},
                                       "project_limit": {"type": ["integer", "null"]}}}}}},
        "Proposal": {"type": "object", "required": ["id", "status", "supports"], "properties": {
            "id": ID, "process_id": ID, "budget_id": ID, "area_id": ID, "status": {"type": "string"},
            "category": {"type": ["string", "null"]}, "title": {"type": ["string", "null"]},
            "estimated_cost": {"type": "integer"}, "final_cost": {"type": ["integer", "null"]},
            "supports": {"type": "integer"}, "comments": {"type": "integer"}, "created_at": TIME,
            "hidden": {"type": "boolean"}}},
        "ProposalDetail": {"allOf": [_ref("Proposal"), {"type": "object", "properties": {
            "description": {"type": ["string", "null"]}, "address": {"type": ["string", "null"]},
            "merged_into": {"type": ["integer", "null"]},
            "timeline": {"type": "array", "items": {"type": "object", "properties": {
                "id": ID, "kind": {"type": "string"}, "at": TIME, "actor_role": {"type": ["string", "null"]},
                "text": {"type": "string"}, "note": {"type": ["string", "null"]}, "data": {"type": "object"}}}},
            "implementation": {"type": ["object", "null"]},
            "council": {"type": ["object", "null"]}}}]},
        "Meeting": {"type": "object", "required": ["id", "title", "starts_at"], "properties": {
            "id": ID, "area_id": ID, "title": {"type": "string"}, "kind": {"type": "string"}, "status": {"type": "string"},
            "starts_at": TIME, "ends_at": TIME, "venue": {"type": ["string", "null"]},
            "address": {"type": ["string", "null"]}, "capacity": {"type": ["integer", "null"]},
            "host": {"type": "string"}, "minutes_published": {"type": "boolean"}}},
        "MeetingDetail": {"allOf": [_ref("Meeting"), {"type": "object", "properties": {
            "agenda": {"type": "array", "items": {"type": "object"}}, "minutes": {"type": ["object", "null"]}}}]},
        "Budget": {"type": "object", "required": ["id", "name", "amount", "results_published"], "properties": {
            "id": ID, "name": NAMES, "amount": {"type": "integer"}, "area": {"type": "object"},
            "process": {"type": "object"}, "results_published": {"type": "boolean"},
            "results_url": {"type": ["string", "null"]}}},
        "Results": {"type": "object", "required": ["rule", "options", "selected", "projects", "ballots_sha256"],
                    "properties": {"budget_id": ID, "rule": {"type": "string"}, "options": {"type": "object"},
                                   "tie_break": {"type": "string"}, "voting_version": {"type": "string"},
                                   "selected": {"type": "array", "items": {"type": "string"}},
                                   "ballots_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                   "n_ballots": {"type": "integer"}, "published_at": TIME,
                                   "projects": {"type": "object", "additionalProperties": {"type": "object"}},
                                   "comparison_step": {"type": ["object", "null"]}}},
    }},
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)
