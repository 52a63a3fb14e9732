"""Voters with identical ballots are merged before MES runs; a hash collision must never merge
different ballots."""
from __future__ import annotations

import numpy as np

from voting import Instance, Profile, Project, allocate
from voting.rules import mes_merge
from voting.rules.mes_merge import merge_identical_voters


def election():
    rng = np.random.default_rng(5)
    instance = Instance([Project(str(j), int(rng.integers(5, 60)) * 100) for j in range(8)], 12_000)
    ballots = [[str(j) for j in range(8) if rng.random() < 0.3] for _ in range(30)]
    ballots = ballots * 3 + [["0"], ["0"], ["1", "2"]]
    return instance, Profile.from_ballots(instance, "approval", ballots)


def test_identical_ballots_become_one_voter_with_their_total_weight():
    instance, profile = election()
    U = profile.utility("cardinality", instance)
    merged, weights = merge_identical_voters(U, profile.weights)
    assert merged.shape[0] < U.shape[0] and weights.sum() == profile.n_voters
    assert len({tuple(merged.indices[merged.indptr[i]:merged.indptr[i + 1]]) for i in range(merged.shape[0])}) \
        == merged.shape[0]


def test_a_hash_collision_merges_nothing_and_the_outcome_stays_exact(monkeypatch):
    instance, profile = election()
    honest = {c: allocate("mes", instance, profile, completion=c).selected for c in ("none", "add1-greedy")}
    # every row gets the same hash: the row-by-row check must refuse to merge
    monkeypatch.setattr(mes_merge, "_row_keys", lambda indptr, indices, bits: np.zeros(len(indptr) - 1, dtype=np.uint64))
    U = profile.utility("cardinality", instance)
    merged, weights = merge_identical_voters(U, profile.weights)
    assert merged is U and weights is profile.weights
    for completion, selected in honest.items():
        assert allocate("mes", instance, profile, completion=completion).selected == selected
        assert allocate("mes", instance, profile, completion=completion, engine="exact").selected == selected
