"""The opinion map on small hand-made consultations: what a deputy would read off it."""
from __future__ import annotations

import json

import numpy as np
import pytest

from consultations.analysis import opinion_map
from consultations.matrix import VoteMatrix
from consultations.repness import prop_test, two_prop_test

CAMP_SIZE = 10
SPLIT = [f"s{j}" for j in range(10)]  # camp A agrees with s0-s4 and rejects s5-s9; camp B the opposite
SHARED, REJECTED = "parks", "fees"  # everyone agrees with "parks", everyone rejects "fees"
STATEMENTS = SPLIT + [SHARED, REJECTED]


def camps(extra=()):
    """Two clear camps of ten; each member passes on a different split statement so that no two
    stand at the same point. ``extra``: (participant, {statement: vote}) rows added."""
    ids, statements, votes = [], [], []
    for camp, sign in (("a", 1), ("b", -1)):
        for i in range(CAMP_SIZE):
            person = f"{camp}{i}"
            for j, s in enumerate(SPLIT):
                vote = 0 if j == i else (sign if j < 5 else -sign)
                ids.append(person), statements.append(s), votes.append(vote)
            for s, vote in ((SHARED, 1), (REJECTED, -1)):
                ids.append(person), statements.append(s), votes.append(vote)
    for person, row in extra:
        for s, vote in row.items():
            ids.append(person), statements.append(s), votes.append(vote)
    more = sorted({s for _, row in extra for s in row} - set(STATEMENTS))
    return VoteMatrix.from_votes(ids, statements, votes, statements=STATEMENTS + more)


def group_of_camp(result, camp):
    (group,) = {g for p, g in result.groups.items() if p.startswith(camp)}
    return group


def test_two_clear_camps_make_two_groups_exactly_the_camps():
    result = opinion_map(camps())
    assert result.k == 2 and result.group_sizes == (10, 10)
    a, b = group_of_camp(result, "a"), group_of_camp(result, "b")
    assert a != b
    assert {p for p, g in result.groups.items() if g == a} == {f"a{i}" for i in range(10)}
    # The camps stand on opposite sides of the map.
    xa, xb = result.group_centers[a][0], result.group_centers[b][0]
    assert xa * xb < 0 and abs(xa - xb) > 1


def test_representative_statements_are_what_a_group_says_unlike_the_other_with_counts():
    result = opinion_map(camps())
    a = group_of_camp(result, "a")
    rep = result.representative[a]
    assert 1 <= len(rep) <= 5
    assert {r.statement for r in rep} <= set(SPLIT)  # never the statements everybody shares
    assert [r.direction for r in rep] == sorted((r.direction for r in rep), key=["agree", "disagree"].index)
    for r in rep:
        j = SPLIT.index(r.statement)
        assert r.direction == ("agree" if j < 5 else "disagree")
        passed = 1 if j < CAMP_SIZE else 0  # member a{j} passed on s{j}
        n = r.group.agree if r.direction == "agree" else r.group.disagree
        assert (n, r.group.passed, r.group.seen) == (CAMP_SIZE - passed, passed, CAMP_SIZE)
        other = r.rest.agree if r.direction == "agree" else r.rest.disagree
        assert other == 0 and r.rest.seen == CAMP_SIZE
        assert r.p_success == pytest.approx((n + 1) / (CAMP_SIZE + 2))
        assert r.repness > 5 and r.repness_test > 1.2816 and r.p_test > 1.2816
    assert rep[0].best_agree and rep[0].direction == "agree"


def test_consensus_statements_are_agreed_or_rejected_by_every_group_with_counts():
    result = opinion_map(camps())
    assert [(c.statement, c.direction) for c in result.consensus] == [(SHARED, "agree"), (REJECTED, "disagree")]
    shared = result.consensus[0]
    assert (shared.total.agree, shared.total.seen) == (20, 20)
    assert [(g.agree, g.disagree, g.seen) for g in shared.groups] == [(10, 0, 10), (10, 0, 10)]
    assert shared.score == pytest.approx((11 / 12) ** 2)


def test_a_statement_one_group_loves_and_the_other_rejects_is_no_consensus():
    # 30 more camp-A-like voters make "s0" popular overall: still not a consensus
    extra = [(f"x{i}", {s: 1 if j < 5 else -1 for j, s in enumerate(SPLIT)} | {SHARED: 1}) for i in range(30)]
    result = opinion_map(camps(extra))
    assert "s0" not in {c.statement for c in result.consensus}
    assert SHARED in {c.statement for c in result.consensus}


def test_participants_with_fewer_than_seven_votes_are_shown_but_not_placed_in_a_group():
    few = [(f"late{i}", {s: 1 for s in SPLIT[:6]}) for i in range(3)]  # six votes each
    result = opinion_map(camps(few))
    assert result.n_participants == 23 and result.n_placed == 20 and result.min_votes == 7
    assert not any(p.startswith("late") for p in result.groups)
    late = [p for p in result.points if p.participant.startswith("late")]
    assert len(late) == 3 and all(p.group is None and p.votes == 6 for p in late)
    # their votes do not enter the groups' counts
    a = group_of_camp(result, "a")
    assert all(r.group.seen == CAMP_SIZE for r in result.representative[a])


def test_with_fewer_than_seven_statements_voting_on_all_of_them_is_enough():
    m = VoteMatrix.from_dense([[1, 1, -1, -1, 0]] * 4 + [[-1, -1, 1, 1, 0]] * 4 + [[1, 1, np.nan, np.nan, np.nan]])
    result = opinion_map(m)
    assert result.min_votes == 5 and result.n_placed == 8 and result.k == 2


def test_a_moderated_out_statement_moves_nobody_and_is_never_shown():
    hidden = [(f"a{i}", {"hidden": 1}) for i in range(10)] + [(f"b{i}", {"hidden": -1}) for i in range(10)]
    m = camps(hidden)
    flipped = camps([(p, {"hidden": -row["hidden"]}) for p, row in hidden])
    kept, other = opinion_map(m, excluded={"hidden"}), opinion_map(flipped, excluded={"hidden"})
    assert [(p.x, p.y) for p in kept.points] == [(p.x, p.y) for p in other.points]
    shown = {r.statement for g in kept.representative for r in g} | {c.statement for c in kept.consensus}
    assert "hidden" not in shown and kept.excluded == ("hidden",)
    assert "hidden" in {r.statement for g in opinion_map(m).representative for r in g}


def test_the_same_votes_always_give_the_same_map():
    first, second = opinion_map(camps()), opinion_map(camps())
    assert json.dumps(first.to_dict()) == json.dumps(second.to_dict())


def test_agreeing_with_more_statements_moves_a_participant_right():
    m = VoteMatrix.from_dense([[1] * 8, [-1] * 8, [1] * 4 + [-1] * 4, [-1] * 4 + [1] * 4, [1, -1] * 4, [-1, 1] * 4])
    xs = {p.participant: p.x for p in opinion_map(m).points}
    assert xs[0] > 0 > xs[1]


def test_with_too_few_voters_for_significance_each_group_still_gets_its_best_statement():
    m = VoteMatrix.from_dense([[1, 1, 1, 1, -1, -1, -1, 1], [-1, -1, -1, -1, 1, 1, 1, 1]])
    result = opinion_map(m)
    assert result.k == 2
    assert all(len(rep) == 1 for rep in result.representative)


def test_nobody_with_enough_votes_gives_an_empty_map_not_an_error():
    m = VoteMatrix.from_dense([[1, np.nan] + [np.nan] * 8, [np.nan, -1] + [np.nan] * 8])
    result = opinion_map(m)
    assert (result.k, result.groups, result.representative, result.consensus) == (0, {}, (), ())
    assert len(result.points) == 2 and result.min_votes == 2
    assert opinion_map(VoteMatrix.from_dense(np.empty((0, 0)))).k == 0


def test_everyone_voting_alike_is_one_group():
    result = opinion_map(VoteMatrix.from_dense([[1, -1, 1, 0, 1, 1, -1]] * 5))
    assert result.k == 1 and result.group_sizes == (5,) and result.representative == ()
    assert {c.statement for c in result.consensus} == {0, 1, 2, 4, 5, 6}


def test_the_result_is_plain_json():
    data = json.loads(json.dumps(opinion_map(camps()).to_dict()))
    assert data["k"] == 2 and len(data["groups"]) == 20 and len(data["points"]) == 20
    assert set(data["representative"][0][0]) >= {"statement", "direction", "group", "rest", "p_success"}


def test_pol_is_proportion_tests():
    # stats.clj: prop-test and two-prop-test with +1 pseudo-counts
    assert prop_test(0, 0) == pytest.approx(1.0)
    assert prop_test(3, 10) == pytest.approx(2 * np.sqrt(11) * (4 / 11 - 0.5))
    assert two_prop_test(10, 0, 10, 10) == pytest.approx(4.281744, abs=1e-6)
    assert two_prop_test(5, 5, 10, 10) == 0.0
    assert two_prop_test(0, 0, 0, 0) == 0.0  # pooled proportion 1: Pol.is returns 0
