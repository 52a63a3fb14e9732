"""The vote matrix: a pass is a vote, missing is not seen, the last vote counts."""
from __future__ import annotations

import numpy as np
import pytest

from consultations.matrix import AGREE, DISAGREE, PASS, VoteError, VoteMatrix


def test_the_last_vote_on_a_statement_counts():
    m = VoteMatrix.from_votes(["ann", "ann", "bob", "ann"], ["s1", "s2", "s1", "s1"],
                              [AGREE, PASS, DISAGREE, DISAGREE])
    assert m.participants == ("ann", "bob") and m.statements == ("s1", "s2")
    assert np.array_equal(m.to_dense(), [[-1, 0], [-1, np.nan]], equal_nan=True)
    assert m.n_votes == 3


def test_a_pass_is_a_vote_and_missing_is_not_seen():
    m = VoteMatrix.from_dense([[1, 0, np.nan], [np.nan, np.nan, -1]])
    assert m.votes_per_participant().tolist() == [2, 1]
    assert m.votes_per_statement().tolist() == [1, 1, 1]
    assert m.counts(PASS).toarray().tolist() == [[0, 1, 0], [0, 0, 0]]


def test_reading_counts_leaves_the_matrix_intact():
    # counts() prunes its own zeros; it must not prune the matrix it was read from
    m = VoteMatrix.from_dense([[1, -1, 0], [-1, 1, 1]])
    agrees = m.counts(AGREE).toarray()
    disagrees = m.counts(DISAGREE).toarray()
    assert agrees.tolist() == [[1, 0, 0], [0, 1, 1]]
    assert disagrees.tolist() == [[0, 1, 0], [1, 0, 0]]
    assert np.array_equal(m.to_dense(), [[1, -1, 0], [-1, 1, 1]])


def test_fixed_rows_and_columns_keep_statements_nobody_voted_on():
    m = VoteMatrix.from_votes([1], ["b"], [AGREE], participants=[1, 2], statements=["a", "b", "c"])
    assert m.shape == (2, 3) and m.votes_per_statement().tolist() == [0, 1, 0]


@pytest.mark.parametrize("votes, message", [([2], "1, 0 or -1"), ([0.5], "1, 0 or -1")])
def test_a_vote_that_is_not_agree_disagree_or_pass_is_refused(votes, message):
    with pytest.raises(VoteError, match=message):
        VoteMatrix.from_votes([1], ["s"], votes)


def test_a_vote_on_an_unknown_statement_is_refused():
    with pytest.raises(VoteError, match="unknown statement 'zz'"):
        VoteMatrix.from_votes([1], ["zz"], [AGREE], statements=["a"])


def test_ids_of_different_types_stay_different():
    m = VoteMatrix.from_votes([1, "1", 1], ["s", "s", "t"], [AGREE, DISAGREE, PASS])
    assert m.participants == (1, "1")
    assert np.array_equal(m.to_dense(), [[1, 0], [-1, np.nan]], equal_nan=True)
    assert VoteMatrix.from_votes([1], ["s"], [AGREE], participants=["1", 1]).to_dense()[:, 0].tolist()[1] == 1


def test_ids_keep_their_first_seen_order():
    m = VoteMatrix.from_votes([30, 10, 30, 20], [2, 1, 1, 2], [AGREE, AGREE, PASS, DISAGREE])
    assert m.participants == (30, 10, 20) and m.statements == (2, 1)
    assert all(type(p) is int for p in m.participants)  # plain ints, ready for JSON


def test_mismatched_lengths_are_refused():
    with pytest.raises(VoteError, match="same length"):
        VoteMatrix.from_votes([1, 2], ["s"], [AGREE])
