"""Property tests (hypothesis): budget feasibility, exhaustiveness, optimality, round trips,
and agreement with pabutools on generated elections."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting import Instance, Profile, Project, allocate, parse_pabulib, write_pabulib

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = [("greedy", {}), ("greedy-per-cost", {}), ("max-utility", {}), ("mes", {}),
         ("mes", {"completion": "none"}), ("mes", {"completion": "add1"}), ("phragmen", {})]


@st.composite
def elections(draw, vote_types=("approval", "cumulative", "ordinal", "choose-1")):
    m = draw(st.integers(1, 7))
    ids = draw(st.lists(st.from_regex(r"[A-Za-z0-9 ;\"'.,]{1,6}", fullmatch=True)
                        .map(str.strip).filter(lambda s: s and "," not in s and s.lower() != "none"),
                        min_size=m, max_size=m, unique=True))
    costs = draw(st.lists(st.integers(1, 100), min_size=m, max_size=m))
    budget = draw(st.integers(1, 300))
    vote_type = draw(st.sampled_from(vote_types))
    n = draw(st.integers(0, 12))
    ballots = []
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=1 if vote_type == "choose-1" else m))
        if vote_type == "cumulative":
            ballots.append({pid: draw(st.integers(1, 5)) for pid in chosen})
        else:
            ballots.append(chosen)
    instance = Instance([Project(pid, c, name=f"{pid} name") for pid, c in zip(ids, costs)], budget,
                        {"description": "generated", "vote_type": vote_type})
    return instance, Profile.from_ballots(instance, vote_type, ballots)


@SETTINGS
@given(elections())
def test_every_outcome_fits_the_budget(election):
    instance, profile = election
    for rule, opts in RULES:
        out = allocate(rule, instance, profile, **opts)
        assert out.cost == instance.total_cost(out.selected) <= instance.budget, (rule, opts)
        assert len(set(out.selected)) == len(out.selected)
        assert set(out.explanations) == set(instance.ids)


@SETTINGS
@given(elections())
def test_greedy_and_completed_mes_leave_no_affordable_project_unfunded(election):
    instance, profile = election
    for rule, opts in [("greedy", {}), ("greedy-per-cost", {}), ("mes", {}), ("mes", {"completion": "greedy"})]:
        out = allocate(rule, instance, profile, **opts)
        left = instance.budget - out.cost
        assert all(p.cost > left for p in instance.projects if p.id not in out.selected_set), (rule, opts)


@SETTINGS
@given(elections())
def test_max_utility_is_never_beaten_on_total_score(election):
    instance, profile = election
    for utility in ("score", "cardinality", "cost"):
        best = allocate("max-utility", instance, profile, utility=utility)
        for rule, opts in RULES:
            if rule in ("max-utility", "phragmen"):
                continue
            out = allocate(rule, instance, profile, **{**opts, "utility": utility})
            total = sum(best.scores[p] for p in out.selected)
            assert total <= best.details["total_score"] + 1e-9, (rule, opts, utility)


@SETTINGS
@given(elections())
def test_pabulib_write_then_read_is_the_identity(election):
    instance, profile = election
    again_instance, again_profile = parse_pabulib(write_pabulib(instance, profile))
    assert again_instance.projects == instance.projects
    assert again_instance.budget == instance.budget
    assert (again_profile.matrix != profile.matrix).nnz == 0
    assert list(again_profile.voter_ids) == list(profile.voter_ids)
    for i in range(profile.n_voters):
        assert again_profile.ballot(i) == profile.ballot(i)


def _pabutools(instance, profile):
    from pabutools.election.pabulib import parse_pabulib_from_string
    return parse_pabulib_from_string(write_pabulib(instance, profile))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(("approval", "cumulative")))
def test_agrees_with_pabutools_on_generated_elections(election):
    from pabutools.election import Additive_Cardinal_Sat, Cardinality_Sat, Cost_Sat
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )
    instance, profile = election
    if profile.n_voters == 0 or (profile.vote_type == "cumulative" and (profile.ballot_lengths() == 0).any()):
        return  # pabutools cannot read empty profiles or empty cumulative ballots
    p_inst, p_prof = _pabutools(instance, profile)
    names = lambda alloc: sorted(p.name for p in alloc)
    sats = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}
    if profile.vote_type == "cumulative":
        sats = {"score": Additive_Cardinal_Sat, "cost": Cost_Sat}
    for utility, sat in sats.items():
        ours = allocate("mes", instance, profile, utility=utility, completion="none")
        assert sorted(ours.selected) == names(method_of_equal_shares(p_inst, p_prof, sat_class=sat)), utility
        ours = allocate("greedy-per-cost", instance, profile, utility=utility)
        assert sorted(ours.selected) == names(greedy_utilitarian_welfare(p_inst, p_prof, sat_class=sat))
        ours = allocate("mes", instance, profile, utility=utility, completion="add1-greedy")
        theirs = completion_by_rule_combination(
            p_inst, p_prof, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}])
        assert sorted(ours.selected) == names(theirs), utility
    if profile.vote_type == "approval":
        assert sorted(allocate("phragmen", instance, profile).selected) == names(sequential_phragmen(p_inst, p_prof))


@pytest.mark.parametrize("scale", [1, 100])
def test_float_and_exact_mes_engines_agree_on_random_elections(scale):
    # scale=100 gives voters large shares, so Add1 skips many provably repeated steps;
    # the exact engine never skips, so this checks the skipping too.
    rng = np.random.default_rng(3 + scale)
    for _ in range(8):
        m, n = 8, 60
        instance = Instance([Project(str(j), int(rng.integers(5, 60)) * scale) for j in range(m)], 150 * scale)
        ballots = [[str(j) for j in range(m) if rng.random() < 0.3] for _ in range(n)]
        profile = Profile.from_ballots(instance, "approval", ballots)
        for utility in ("cost", "cardinality"):
            fast = allocate("mes", instance, profile, utility=utility, completion="add1")
            exact = allocate("mes", instance, profile, utility=utility, completion="add1", engine="exact")
            assert fast.selected == exact.selected and fast.cost == exact.cost
            assert fast.details["add1_steps"] == exact.details["add1_steps"]
            assert fast.cost <= Fraction(150 * scale)


def test_add1_skipping_matches_the_exact_engine_with_points_and_rankings():
    rng = np.random.default_rng(11)
    for vote_type in ("cumulative", "ordinal"):
        for _ in range(4):
            m, n = 7, 40
            instance = Instance([Project(str(j), int(rng.integers(5, 60)) * 100) for j in range(m)], 15000)
            ballots = []
            for _ in range(n):
                chosen = [str(j) for j in rng.permutation(m)[: rng.integers(1, 4)]]
                ballots.append({p: int(rng.integers(1, 4)) for p in chosen} if vote_type == "cumulative" else chosen)
            profile = Profile.from_ballots(instance, vote_type, ballots)
            fast = allocate("mes", instance, profile, completion="add1")
            exact = allocate("mes", instance, profile, completion="add1", engine="exact")
            assert fast.selected == exact.selected, vote_type
            assert fast.details["add1_steps"] == exact.details["add1_steps"]
