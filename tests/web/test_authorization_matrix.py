"""The authorization matrix: every route of ``app.url_map`` × every method × every role.

``MATRIX`` below is the one explicit table of who may do what. Each row names a route (its rule
and method), the roles that are *allowed*, how everybody else is *refused*, which objects fill
the URL, the form body of a POST, and which allowed roles *change the database* with it.

The roles: a visitor; a resident of okrug 7 and one of Almaty district; the deputy of okrug 7 and
the deputy of okrug 8; an akimat official of Esil district and one of Almaty district; a moderator
for Astana; a nationwide administrator and an administrator of Almaty district; and two
stakeholder officials, who may do what their role allows except decide on a proposal they wrote
or support (issue #13: no one judges their own case): an akimat official of Esil district who
supports the proposals the other officials review, place on the ballot and report on, and wrote
the duplicate they merge; and the deputy of okrug 8, co-host of the held meeting, who supports the
proposal on its agenda.

What the walk asserts for each (route, role), as a person using the site would notice it:

* allowed: a 2xx answer, or a redirect that is not to the login page and carries no error
  message (a row's ``done`` names the two exceptions: logging out says "You are logged out."
  and a password reset ends on the login page). A POST whose form comes back (200) with a
  validation message counts as allowed: the role was let in, and the form — not the permission
  — said no (e.g. a deputy of another okrug gets the meeting form back because okrug 7 is not
  among the areas offered to him); ``changes`` then says that nothing may be stored.
* refused, one kind per row, the same for every refused role of that row:
  ``403``; ``404`` where the app hides that the object exists (a draft and its photo are private
  to the author); ``400`` where a form is not for this person (the booth's "check my ballot" for
  someone who may not vote); ``flash`` where an action button answers by sending the person back
  to the page with an error message (the proposal, comment, meeting and casting actions do this;
  the message says who may do it); ``info`` for "new proposal" when no budget of the person's
  area takes proposals. A row's ``stake`` names how a stakeholder official is refused where the
  role lets them in and the stake does not (the service's message instead of a 403). An anonymous visitor is sent to the login page instead, except on the
  public routes, where the row says what a visitor gets.
* the database: every table is compared row by row before and after each request. Only the roles
  in a row's ``changes`` may change anything; every other request — refused or allowed but with
  nothing to do — must leave every row as it was.

URL parameters are filled from one world in Esil district / okrug 7 (``build_world``, in
authorization_world.py): a process
in each phase, proposals in every state the actions need, comments, a report, a photo, meetings
(upcoming, held, with published minutes), an action item, ballots, a counted and a published
result, a funded project with a milestone. After a request that changed the database the world
is rebuilt, so every request meets the same state.
"""
from __future__ import annotations

import pytest

from .authorization_table import (
    ANON,
    EVERYONE,
    MATRIX,
    ROLES,
    STAKEHOLDERS,
    Row,
    build_world,
    changed_tables,
    rebuild,
    snapshot,
)

# --- the walk ------------------------------------------------------------------------------------------

def routes(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_the_matrix_names_every_route_exactly_once(app):
    present = routes(app)
    missing = sorted(present - MATRIX.keys())
    gone = sorted(MATRIX.keys() - present)
    assert not missing, f"routes without a row in MATRIX: {missing}"
    assert not gone, f"MATRIX rows for routes that no longer exist: {gone}"
    for key, row in MATRIX.items():
        assert row.allow <= EVERYONE and row.changes <= row.allow, key
        assert row.refuse in ("403", "404", "400", "flash", "info") and row.anon in ("login", "404"), key
        assert row.stake.keys() <= STAKEHOLDERS - row.allow and set(row.stake.values()) <= {"flash"}, key
        assert key[1] != "GET" or not row.changes, key


def outcome(client, response) -> str:
    """What the person sees: ok, login, flash (sent back with an error), info (sent elsewhere with
    an explanation), or the status code."""
    if response.status_code in (301, 302, 303):
        location = response.headers["Location"]
        if "/auth/login" in location:
            return "login"
        with client.session_transaction() as session:
            categories = {category for category, _ in session.get("_flashes", [])}
        return "flash" if "error" in categories else "info" if "info" in categories else "ok"
    if 200 <= response.status_code < 300:
        return "ok"
    return str(response.status_code)


def expected(row: Row, role: str) -> str:
    if role in row.allow:
        return row.done
    if role in row.stake:
        return row.stake[role]
    return row.anon if role == ANON else row.refuse


def _request(row: Row, rule: str, world: dict) -> tuple[str, dict | None]:
    values = {name: key[1:] if key.startswith("=") else world[key] for name, key in row.args.items()}
    path = rule
    for name, value in values.items():
        value = value.id if hasattr(value, "id") else value
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<path:{name}>", str(value))
        path = path.replace(f"<{name}>", str(value))
    assert "<" not in path, f"no value for a parameter of {rule}"
    data = row.data(world) if callable(row.data) else row.data
    if data is not None:
        data = {k: (v(world) if callable(v) else v) for k, v in data.items()}
    return path + row.query, data


def _act_as(client, user) -> None:
    """Start every request from a fresh cookie of ``user``'s session (None: a visitor). The
    sessions themselves are rows of the world (``build_world``), so only a request that ends one
    (logging out) changes them."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.session_token
            session["_fresh"] = True


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(app, client, areas, role):
    world = build_world(areas)
    before = snapshot()
    problems = []
    for (rule, method), row in sorted(MATRIX.items()):
        path, data = _request(row, rule, world)
        _act_as(client, world.get(role))
        response = client.open(path, method=method, data=data, headers={"Accept-Language": "en"})
        got, want = outcome(client, response), expected(row, role)
        after = snapshot()
        changed = changed_tables(before, after)
        must_change = role in row.changes
        if got != want:
            problems.append(f"{method} {rule}: expected {want}, got {got} ({response.status_code})")
        elif must_change and not changed:
            problems.append(f"{method} {rule}: allowed but nothing was stored")
        elif changed and not must_change:
            problems.append(f"{method} {rule}: changed {changed} though it should change nothing")
        if changed:
            world, before = rebuild()
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_every_post_route_refuses_a_request_without_its_csrf_token(app, client, areas, monkeypatch):
    """The same walk with CSRF protection on (as in production), each POST sent by a role the
    matrix allows to change something: without the form's token it is refused with 400 and
    nothing changes — a forged cross-site request cannot act for a logged-in person."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    world = build_world(areas)
    before = snapshot()
    problems = []
    for (rule, method), row in sorted(MATRIX.items()):
        if method != "POST":
            continue
        role = sorted(row.changes or row.allow or {ANON})[0]
        path, data = _request(row, rule, world)
        _act_as(client, world.get(role))
        response = client.post(path, data=data, headers={"Accept-Language": "en"})
        if response.status_code != 400:
            problems.append(f"POST {rule} as {role}: {response.status_code}")
        changed = changed_tables(before, snapshot())
        if changed:
            problems.append(f"POST {rule} as {role} changed {changed}")
            world, before = rebuild()
    assert not problems, "\n".join(problems)
