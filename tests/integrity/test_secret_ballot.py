"""A ballot secret even from whoever holds the database (issue #14).

200 known voters cast known ballots — online and on paper, some changed after casting, two of
them officials voting through the site — the count opens the envelopes, and then the test plays
the attacker with the whole database: every table, SQLite's rowid, PostgreSQL's ctid and xmin,
the audit log and the published ballots.pb. Pairing voters with ballots by any order found there
must do no better than chance.

The bound: for a random pairing the expected number of voters paired with a ballot equal to
their own is E = sum over contents c of n(c)^2 / N (n(c) ballots with content c among N). With 8
projects and 1 to 3 choices there are 92 contents and E is about 3; the test allows E + 5·sqrt(E)
+ 5 (about 17 of 200). A leak of the casting order pairs nearly all 200."""
import hashlib
import json
import math
import random
import subprocess
import sys
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, text

from app.ballots import paper as paper_service
from app.ballots import services as ballot_service
from app.ballots.sealing import read_key_file
from app.ballots.snapshot import snapshot
from app.extensions import db
from app.models import AuditEntry, Ballot, Result, SealedEnvelope, VoterParticipation
from app.results import services as result_service

from .conftest import KEY_FILES, close_voting, make_user, open_voting
from .helpers import EN, budget_named, city_process, project_ids

N_VOTERS, N_PAPER, N_CHANGED = 200, 24, 30


@pytest.fixture
def election(client, areas, users, log_in):
    """The cast, the changes and the count; returns what the attacker's victims really chose."""
    rng = random.Random(14)
    process = city_process(areas, projects_per_budget=8, allow_change=True)
    budget = budget_named(process, "Esil district")
    ids = project_ids(budget)
    okrugs = [areas[f"Esil district / okrug {n}"] for n in (7, 8, 9)]
    officials = [make_user(home=okrugs[0], role="deputy", area=okrugs[0]),
                 make_user(home=okrugs[1], role="moderator", area=areas["Astana"])]
    voters = officials + [make_user(home=rng.choice(okrugs)) for _ in range(N_VOTERS - len(officials))]
    open_voting(process, users["akimat"])
    truth, receipts, changeable = {}, {}, []

    def choose():
        return rng.sample(ids, rng.randint(1, 3))

    for i, voter in enumerate(voters):
        chosen = choose()
        if i < len(officials):  # officials vote through the site, where their acts are audited
            log_in(voter)
            page = client.post(f"/budgets/{budget.id}/vote/cast", data={"chosen": chosen}, headers=EN,
                               follow_redirects=True).get_data(as_text=True)
            assert "Your receipt code" in page
            client.post("/auth/logout")
            truth[voter.id] = frozenset(chosen)
        elif i < len(officials) + N_PAPER:
            # The worst case at a polling point: the paper is entered right after its voter is marked.
            paper_service.mark_voter(users["akimat"], budget, voter.iin)
            paper_service.enter_paper(users["akimat"], budget, chosen)
            truth[voter.id] = frozenset(chosen)
        else:
            receipt, change_code = ballot_service.cast_with_snapshot(voter, snapshot(budget.id), chosen)
            receipts[voter.id] = receipt
            truth[voter.id] = frozenset(chosen)
            changeable.append((voter, receipt, change_code))
    for voter, receipt, change_code in rng.sample(changeable, N_CHANGED):
        chosen = choose()
        ballot_service.change(voter, budget, receipt, change_code, chosen)
        truth[voter.id] = frozenset(chosen)
    sealed_sizes = {len(s) for s in db.session.scalars(select(SealedEnvelope.sealed))}
    close_voting(process)
    result = result_service.count(budget, users["akimat"], key_file=KEY_FILES[budget.id])
    result_service.publish(result, users["akimat"])
    return {"budget": budget, "voters": voters, "truth": truth, "receipts": receipts, "sealed_sizes": sealed_sizes,
            "result": result, "client": client}


def _bound(truth: dict) -> int:
    contents = Counter(truth.values())
    n = sum(contents.values())
    expected = sum(c * c for c in contents.values()) / n
    return int(expected + 5 * math.sqrt(expected) + 5)


def _matches(voter_order: list[int], ballot_order: list[frozenset], truth: dict) -> int:
    return sum(truth[v] == b for v, b in zip(voter_order, ballot_order))


def test_the_pairing_check_would_catch_a_leak(election):
    """The check below is not vacuous: pairing voters with their own ballots (what a leak of the
    casting order gives) finds every one, far above the bound."""
    truth = election["truth"]
    voters = list(truth)
    assert _matches(voters, [truth[v] for v in voters], truth) == N_VOTERS > 5 * _bound(truth)


def _voter_of_key(voters) -> dict:
    from app.identity.voter_key import voter_key

    return {voter_key(v.iin): v.id for v in voters}


def _orders(dialect: str, table: str, columns: str) -> dict[str, list]:
    """Rows of ``table`` in every storage order the database exposes."""
    orders = {"natural": f"SELECT {columns} FROM {table}"}
    if dialect == "sqlite":
        try:
            db.session.execute(text(f"SELECT rowid FROM {table} LIMIT 1"))
            orders["rowid"] = f"SELECT {columns} FROM {table} ORDER BY rowid"
        except sa.exc.OperationalError:  # a WITHOUT ROWID table has none
            db.session.rollback()
    else:
        orders["ctid"] = f"SELECT {columns} FROM {table} ORDER BY ctid"
        orders["xmin"] = f"SELECT {columns} FROM {table} ORDER BY xmin::text::bigint, ctid"
    return {name: db.session.execute(text(sql)).all() for name, sql in orders.items()}


def test_no_storage_order_lines_voters_up_with_their_ballots(election):
    truth, voters = election["truth"], election["voters"]
    dialect = db.session.get_bind().dialect.name
    keys = _voter_of_key(voters)
    assert db.session.scalar(select(func.count()).select_from(SealedEnvelope)) == 0  # destroyed by the count
    voter_orders = {name: [keys[row[0]] for row in rows]
                    for name, rows in _orders(dialect, "voter_participations", "voter_key").items()}
    ballot_orders = {name: [frozenset(json.loads(row[0]) if isinstance(row[0], str) else row[0]) for row in rows]
                     for name, rows in _orders(dialect, "ballots", "choices").items()}
    if dialect == "sqlite":
        assert "rowid" not in ballot_orders  # WITHOUT ROWID: there is no insertion order to read
    ballot_orders["by id"] = [frozenset(b.choices) for b in db.session.scalars(select(Ballot).order_by(Ballot.id))]
    ballot_orders["by receipt hash"] = [frozenset(b.choices) for b in
                                        db.session.scalars(select(Ballot).order_by(Ballot.receipt_hash))]
    pb = election["client"].get(f"/api/v1/budgets/{election['budget'].id}/ballots.pb").get_data(as_text=True)
    from voting import parse_pabulib

    instance, profile = parse_pabulib(pb)
    ballot_orders["ballots.pb"] = [frozenset(instance.ids[j] for j in profile.ballot(i))
                                   for i in range(profile.n_voters)]
    assert len(ballot_orders["ballots.pb"]) == N_VOTERS
    bound = _bound(truth)
    assert bound < 30
    for v_name, v_order in voter_orders.items():
        for b_name, b_order in ballot_orders.items():
            for flipped in (False, True):
                order = list(reversed(b_order)) if flipped else b_order
                found = _matches(v_order, order, truth)
                assert found <= bound, f"participations by {v_name} vs ballots by {b_name}: {found} of {N_VOTERS}"
    if dialect == "postgresql":
        # Every anonymous ballot was written by one transaction: xmin says nothing about any of them.
        assert db.session.scalar(text("SELECT count(DISTINCT xmin::text) FROM ballots")) == 1


def test_the_rest_of_the_database_holds_no_ballot_and_no_iin(election):
    voters = election["voters"]
    iins = {v.iin for v in voters}
    for table in db.metadata.sorted_tables:
        if table.name == "users":
            continue  # accounts keep their IIN (registration checks it); see the README
        dump = " ".join(map(repr, db.session.execute(select(table)).all()))
        assert not any(iin in dump for iin in iins), f"an IIN in {table.name}"
    # The audit log records officials' acts, never a ballot: no ballot, envelope, participation or
    # roll row, and nothing an official chose (the two officials voted through the site).
    entries = db.session.scalars(select(AuditEntry)).all()
    assert {e.object_type for e in entries}.isdisjoint(
        {"ballots", "sealed_envelopes", "voter_participations", "electoral_roll", "budget_follows"})
    officials = {voters[0].id, voters[1].id}
    for entry in entries:
        blob = json.dumps(entry.changes)
        assert "choices" not in blob and "receipt" not in blob and "sealed" not in blob
        if entry.actor_id in officials:  # their vote left no trace but their sign-ins
            assert entry.object_type in ("login_sessions", "users"), entry.object_type


def test_every_envelope_of_a_budget_has_one_length(election):
    assert len(election["sealed_sizes"]) == 1


def test_receipts_find_the_final_ballots_in_the_published_file(election):
    truth, receipts, client = election["truth"], election["receipts"], election["client"]
    budget = election["budget"]
    pb = client.get(f"/api/v1/budgets/{budget.id}/ballots.pb").get_data(as_text=True)
    from voting import parse_pabulib

    instance, profile = parse_pabulib(pb)
    by_hash = {voter_id: frozenset(instance.ids[j] for j in profile.ballot(i))
               for i, voter_id in enumerate(profile.voter_ids)}
    for voter_id, receipt in receipts.items():
        assert by_hash[hashlib.sha256(receipt.encode()).hexdigest()] == truth[voter_id]
    methods = Counter(profile.columns["voting_method"])
    assert methods == {"internet": N_VOTERS - N_PAPER, "paper": N_PAPER}
    some_voter, some_receipt = next(iter(receipts.items()))
    page = client.get(f"/budgets/{budget.id}/ballot-lookup?receipt={some_receipt}", headers=EN).get_data(as_text=True)
    assert "No ballot on this budget has that receipt code" not in page


def test_the_published_file_recounts_with_python_m_voting_and_pabutools(election, tmp_path):
    budget, result, client = election["budget"], election["result"], election["client"]
    path = tmp_path / "ballots.pb"
    path.write_bytes(client.get(f"/api/v1/budgets/{budget.id}/ballots.pb").get_data())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == result.ballots_sha256
    out = subprocess.run([sys.executable, "-m", "voting", "allocate", str(path), "--rule", "greedy", "--json"],
                         capture_output=True, text=True, check=True)
    assert sorted(json.loads(out.stdout)["selected"]) == sorted(result.selected)
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare

    instance, profile = parse_pabulib(str(path))
    assert sorted(p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)) \
        == sorted(result.selected)


# --- the count and its key ------------------------------------------------------------------------

@pytest.fixture
def sealed(areas, users):
    """Esil's budget after voting, 5 ballots still sealed."""
    process = city_process(areas)
    budget = budget_named(process, "Esil district")
    voters = [make_user(home=areas["Esil district / okrug 8"]) for _ in range(5)]
    open_voting(process, users["akimat"])
    for voter in voters:
        ballot_service.cast_with_snapshot(voter, snapshot(budget.id), project_ids(budget)[:1])
    close_voting(process)
    return budget


def _state():
    return (db.session.scalar(select(func.count()).select_from(SealedEnvelope)),
            db.session.scalar(select(func.count()).select_from(Ballot)),
            db.session.scalar(select(func.count()).select_from(Result)))


def test_the_private_key_is_never_stored(sealed):
    secret = read_key_file(KEY_FILES[sealed.id])[sealed.id]
    raw = bytes(secret)
    import base64

    for table in db.metadata.sorted_tables:
        dump = " ".join(map(repr, db.session.execute(select(table)).all()))
        assert raw.hex() not in dump and base64.b64encode(raw).decode() not in dump, table.name


def test_a_wrong_key_file_is_refused_with_a_clear_message_and_changes_nothing(client, users, areas, sealed, log_in):
    other = city_process(areas)
    open_voting(other, users["akimat"])
    log_in(users["akimat"])
    from io import BytesIO

    for data, message in ((KEY_FILES[other.budgets[0].id], "does not fit this budget"),
                          (b"not a key file", "not a Qatysu count key file")):
        page = client.post(f"/budgets/{sealed.id}/count", data={"key_file": (BytesIO(data), "keys.json")},
                           content_type="multipart/form-data", headers=EN, follow_redirects=True)
        text_ = page.get_data(as_text=True)
        assert message in text_ and "othing was opened" in text_
        assert _state() == (5, 0, 0)
    page = client.get(f"/budgets/{sealed.id}/results/manage", headers=EN).get_data(as_text=True)
    from app.models import CountKey

    assert db.session.get(CountKey, sealed.id).fingerprint in page  # the count page names the key it needs


def test_a_count_that_fails_half_way_leaves_every_envelope_in_place(users, sealed, monkeypatch):
    from app.results import services

    def broken(*args, **kwargs):
        raise RuntimeError("the counting machine broke after opening the envelopes")

    monkeypatch.setattr(services, "allocate", broken)
    with pytest.raises(RuntimeError):
        services.count(sealed, users["akimat"], key_file=KEY_FILES[sealed.id])
    db.session.expire_all()
    assert _state() == (5, 0, 0)
    monkeypatch.undo()
    services.count(sealed, users["akimat"], key_file=KEY_FILES[sealed.id])
    assert _state() == (0, 5, 1)


def test_nothing_can_be_read_before_the_count(sealed):
    """The envelopes hold no project id, receipt or channel in the clear."""
    from app.ballots.adapter import ballot_proposals

    ids = [str(p.id) for p in ballot_proposals(sealed)]
    for blob in db.session.scalars(select(SealedEnvelope.sealed)):
        assert not any(f'"{pid}"'.encode() in blob for pid in ids) and b"online" not in blob
    assert db.session.scalar(select(func.count()).select_from(VoterParticipation)) == 5
