"""Elections built on purpose to fool floating point: every rule against engine="exact" and pabutools.

Random elections never hit these cases; each family below puts a decision on a remainder of
1e-15..1e-10 of a voter's share, on a tie broken only by such a remainder, or on supporters
holding almost exactly a project's cost, with budgets of 1e7..1e12 and exact (integer or
decimal) costs. pabutools computes in exact fractions, so it must agree with us everywhere.
"""
from __future__ import annotations

from fractions import Fraction

import pytest

from voting import Instance, Profile, Project, allocate, write_pabulib
from voting.types import format_amount

RULES = [("greedy", {}), ("greedy-per-cost", {}), ("max-utility", {}), ("phragmen", {}),
         ("mes", {"completion": "none"}), ("mes", {"completion": "greedy"}),
         ("mes", {"completion": "none", "utility": "cardinality"}),
         ("mes", {"completion": "greedy", "utility": "cardinality"})]


def remainder_election(share, rel, cheaper="b", n=40):
    """Voter 0 keeps ``rel * share`` after paying for y and z; projects a and b tie exactly
    except that b (or a, with ``cheaper="a"``) is also supported by voter 0, whose tiny
    remainder makes it cheaper. Funding one leaves the other unaffordable.

    y: voters 0..24 (each pays share/2); z: voter 0 and voters 25..29 (voter 0 pays all but
    the remainder); a, b: voters 30..32, cost 0.6 * share * 3."""
    share = Fraction(share)
    r = Fraction(rel) * share
    other = "a" if cheaper == "b" else "b"
    costs = {"y": 25 * share / 2, "z": 6 * share / 2 - 6 * r, "a": 18 * share / 10, "b": 18 * share / 10}
    ballots = [[] for _ in range(n)]
    for i in range(25):
        ballots[i].append("y")
    for i in [0, 25, 26, 27, 28, 29]:
        ballots[i].append("z")
    for i in (30, 31, 32):
        ballots[i] += ["a", "b"]
    ballots[0].append(cheaper)
    instance = Instance([Project(k, format_amount(v)) for k, v in costs.items()], share * n)
    return instance, Profile.from_ballots(instance, "approval", ballots), cheaper, other


def close_cost_election(share, rel, sign):
    """After y, ten voters hold share/2 each; project q costs 5 * share -/+ rel * share, so
    its supporters can pay it with almost nothing to spare (or miss it by a hair)."""
    share = Fraction(share)
    costs = {"y": 20 * share / 2, "q": 5 * share + sign * Fraction(rel) * share, "t": 3 * share}
    ballots = [["y"] for _ in range(20)] + [[] for _ in range(10)]
    for i in range(10):
        ballots[i].append("q")
    for i in range(20, 24):
        ballots[i].append("t")
    instance = Instance([Project(k, format_amount(v)) for k, v in costs.items()], share * 30)
    return instance, Profile.from_ballots(instance, "approval", ballots)


def pabutools_outcome(instance, profile, rule, opts):
    from pabutools.election import Cardinality_Sat, Cost_Sat, Cost_Sqrt_Sat  # noqa: F401
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        max_additive_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )
    p_inst, p_prof = parse_pabulib_from_string(write_pabulib(instance, profile))
    sat = {"cost": Cost_Sat, "cardinality": Cardinality_Sat}[opts.get("utility", "cost")]
    if rule == "greedy":
        return greedy_utilitarian_welfare(p_inst, p_prof, sat_class=Cost_Sat)
    if rule == "greedy-per-cost":
        return greedy_utilitarian_welfare(p_inst, p_prof, sat_class=Cardinality_Sat)
    if rule == "max-utility":
        return max_additive_utilitarian_welfare(p_inst, p_prof, sat_class=Cardinality_Sat)
    if rule == "phragmen":
        return sequential_phragmen(p_inst, p_prof)
    if opts["completion"] == "none":
        return method_of_equal_shares(p_inst, p_prof, sat_class=sat)
    if opts["completion"] == "greedy":
        return completion_by_rule_combination(p_inst, p_prof, [method_of_equal_shares, greedy_utilitarian_welfare],
                                              [{"sat_class": sat}, {"sat_class": sat}])
    return completion_by_rule_combination(
        p_inst, p_prof, [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}])


def ours(instance, profile, rule, opts, **more):
    if rule == "greedy":
        opts = {**opts, "utility": "cardinality"}
    return allocate(rule, instance, profile, **opts, **more)


def check_all_rules(instance, profile, rules=RULES, pabutools=True):
    for rule, opts in rules:
        auto = ours(instance, profile, rule, opts)
        if rule == "mes":
            exact = ours(instance, profile, rule, opts, engine="exact")
            assert auto.selected == exact.selected, (rule, opts)
        if pabutools:
            theirs = sorted(p.name for p in pabutools_outcome(instance, profile, rule, opts))
            if rule == "max-utility":   # optima can tie: compare the welfare
                total = sum(len([1 for i in range(profile.n_voters) if instance.index[p] in profile.ballot(i)])
                            for p in theirs)
                assert auto.details["total_score"] == total, (rule, opts)
            else:
                assert sorted(auto.selected) == theirs, (rule, opts)


def test_a_remainder_of_2e_14_of_the_budget_is_not_rounded_away():
    """The issue's trap: voter 0 keeps 0.0098 of a 1e10 share (2.4e-15 of the budget); a float
    engine that stores it as 0 sees a and b tie and funds a by id; exactly, b is cheaper."""
    n, s = 400, 10**10
    costs = {"y": "1250000000000", "z": "254999999999.5", "a": "60000000000", "b": "60000000000"}
    ballots = [[] for _ in range(n)]
    for i in range(250):
        ballots[i].append("y")
    for i in [0] + list(range(250, 300)):
        ballots[i].append("z")
    for i in range(300, 310):
        ballots[i] += ["a", "b"]
    ballots[0].append("b")
    instance = Instance([Project(k, v) for k, v in costs.items()], n * s)
    profile = Profile.from_ballots(instance, "approval", ballots)
    for completion in ("none", "greedy", "add1", "add1-greedy"):
        auto = allocate("mes", instance, profile, completion=completion)
        exact = allocate("mes", instance, profile, completion=completion, engine="exact")
        assert auto.selected[:3] == exact.selected[:3] == ["y", "z", "b"], completion
        assert auto.selected == exact.selected and auto.cost == exact.cost
    check_all_rules(instance, profile, RULES[4:6])


@pytest.mark.parametrize("share", [10**7, 10**8, 10**10])
@pytest.mark.parametrize("rel", ["1e-15", "1e-13", "1e-12", "1e-10"])
@pytest.mark.parametrize("cheaper", ["a", "b"])
def test_ties_broken_only_by_a_tiny_remainder(share, rel, cheaper):
    instance, profile, winner, loser = remainder_election(share, Fraction(rel), cheaper)
    for utility in ("cost", "cardinality"):
        out = allocate("mes", instance, profile, completion="none", utility=utility)
        assert winner in out.selected and loser not in out.selected, (utility, out.selected)
    check_all_rules(instance, profile, pabutools=share == 10**8 or rel == "1e-15")


@pytest.mark.parametrize("rel", ["1e-15", "1e-12", "1e-10"])
def test_remainder_traps_under_add1_agree_with_pabutools(rel):
    """Small shares so pabutools' one-unit Add1 finishes; the remainder still decides."""
    instance, profile, winner, loser = remainder_election(1000, Fraction(rel), "b")
    opts = {"completion": "add1-greedy"}
    auto = ours(instance, profile, "mes", opts)
    assert auto.selected == ours(instance, profile, "mes", opts, engine="exact").selected
    assert sorted(auto.selected) == sorted(p.name for p in pabutools_outcome(instance, profile, "mes", opts))


@pytest.mark.parametrize("share", [10**7, 10**9])
@pytest.mark.parametrize("rel", ["1e-15", "1e-12", "1e-10"])
@pytest.mark.parametrize("sign", [-1, 1])
def test_supporters_holding_almost_exactly_the_cost(share, rel, sign):
    instance, profile = close_cost_election(share, Fraction(rel), sign)
    out = allocate("mes", instance, profile, completion="none")
    assert ("q" in out.selected) == (sign < 0)
    check_all_rules(instance, profile, pabutools=share == 10**7)


@pytest.mark.parametrize("budget", [10**9, 10**12])
def test_large_integer_budgets_with_add1_agree_with_the_exact_engine(budget):
    """Shares of 1e7..1e10 per voter: Add1 must not step one unit at a time, and the jumps
    (verified by pass signatures) must land on the same outcome as the exact engine."""
    instance, profile, _, _ = remainder_election(Fraction(budget, 40), Fraction("1e-13"), "b")
    for completion in ("add1", "add1-greedy"):
        auto = allocate("mes", instance, profile, completion=completion)
        exact = allocate("mes", instance, profile, completion=completion, engine="exact")
        assert auto.selected == exact.selected and auto.details["voter_budget"] == exact.details["voter_budget"]
        assert auto.cost <= instance.budget
