"""Faults under attack: every route answers hostile input — NUL characters, numbers too large
for the database, negative and fractional numbers, very long text, empty fields — with a page
or a refusal (2xx, 3xx, 4xx), never a server error. Run on PostgreSQL as well: it refuses NUL
in text and out-of-range integers where SQLite stores them, so some faults show only there.

Each POST is sent by a role the authorization matrix allows to act, with the matrix's valid body
and one field at a time replaced, so that the hostile value gets past the permission checks to
the forms and services behind them."""
from urllib.parse import urlencode

from .authorization_table import ADM, ANON, MATRIX, RES, build_world, rebuild, snapshot
from .test_authorization_matrix import _act_as, _request

HOSTILE = ["a\x00b", "9" * 23, "-1", "1.5", "x" * 5000, ""]
QUERY_PARAMETERS = ["area", "deputy", "page", "q", "category", "status", "budget", "sort", "receipt", "comments",
                    "when", "type", "actor", "process", "next"]


def _answer(client, problems, label, **request):
    try:
        response = client.open(**request)
    except Exception as error:  # the test client re-raises what would be a 500
        from app.extensions import db

        db.session.rollback()
        problems.append(f"{label}: {type(error).__name__}: {str(error)[:120]}")
        return
    if response.status_code >= 500:
        problems.append(f"{label}: {response.status_code}")


def test_no_form_field_can_make_a_post_route_fail(app, client, areas):
    world = build_world(areas)
    problems = []
    for (rule, method), row in sorted(MATRIX.items()):
        if method != "POST" or not row.data:
            continue
        role = sorted(row.changes or row.allow or {ANON})[0]
        before = snapshot()
        path, data = _request(row, rule, world)
        for name in data:
            for value in HOSTILE:
                _act_as(client, world.get(role))
                _, data = _request(row, rule, world)  # afresh: an uploaded file is read by each request
                _answer(client, problems, f"POST {rule} as {role}, {name}={value[:12]!r}", path=path, method="POST",
                        data={**data, name: value})
        if snapshot() != before:
            world, _ = rebuild()
    assert not problems, "\n".join(problems)


def test_no_query_parameter_can_make_a_page_fail(app, client, areas):
    world = build_world(areas)
    problems = []
    for (rule, method), row in sorted(MATRIX.items()):
        if method != "GET":
            continue
        path = _request(row, rule, world)[0].split("?")[0]
        for role in (ANON, RES, ADM):
            for value in HOSTILE:
                _act_as(client, world.get(role))
                query = urlencode({name: value for name in QUERY_PARAMETERS})
                _answer(client, problems, f"GET {rule}?…={value[:12]!r} as {role}", path=f"{path}?{query}",
                        method="GET")
    _act_as(client, None)
    _answer(client, problems, "a NUL in the path", path="/photos/a%00b.jpg", method="GET")
    assert not problems, "\n".join(problems)
