"""Reason codes: every project of every outcome has a translatable ``{"code", "params"}``."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from pabulib_corpus import PABULIB_DIR, election
from test_properties import elections

from voting import REASON_CODES, Instance, Profile, Project, allocate
from voting.outcome import ENGLISH, Reason, plain

CONFIGS = [("greedy", {}), ("greedy-per-cost", {}), ("max-utility", {}), ("mes", {}),
           ("mes", {"completion": "none"}), ("mes", {"completion": "add1"}),
           ("mes", {"completion": "greedy"}), ("mes", {"completion": "budget-increase"}),
           ("mes", {"utility": "cardinality"}), ("phragmen", {}),
           ("greedy", {"min_votes": 2}), ("max-utility", {"min_votes": 2}), ("mes", {"min_votes": 2}),
           ("phragmen", {"min_votes": 2})]

# The web app's sentences (app/results/explanations.py), %-formatted with the params.
WEB_SENTENCES = {
    "funded": "Funded: %(votes)s votes, costs %(cost)s.",
    "funded_mes": "Funded in round %(round)s: its %(votes)s supporters paid %(share)s each.",
    "funded_completion": "Funded when the leftover money was shared: %(votes)s votes, costs %(cost)s.",
    "not_funded_supporters_short": "Not funded: its supporters had %(left)s left, it costs %(cost)s.",
    "not_funded_did_not_fit": "Not funded: did not fit the remaining %(left)s.",
    "not_funded_too_few_votes": "Not funded: fewer than %(min)s votes.",
    "not_funded_too_dear": "Not funded: costs %(cost)s, more than the whole budget.",
    "not_funded": "Not funded.",
}


def check_reasons(instance, outcome, where=""):
    """Every project has a documented code with its params, plain JSON, matching funded-ness."""
    assert list(outcome.reasons) == list(instance.ids), where
    for pid, reason in outcome.reasons.items():
        assert set(reason) == {"code", "params"}, (where, pid)
        code, params = reason["code"], reason["params"]
        assert code in REASON_CODES, (where, pid, code)
        assert set(REASON_CODES[code]) <= set(params), (where, pid, reason)
        for key, value in params.items():
            assert type(value) in (int, float, str), (where, pid, key, value)
            assert not isinstance(value, float) or math.isfinite(value), (where, pid, key, value)
        assert json.loads(json.dumps(params, allow_nan=False)) == params
        funded = outcome.is_funded(pid)
        assert code.startswith("funded" if funded else "not_funded"), (where, pid, funded, reason)
        assert WEB_SENTENCES[code] % params                       # the web app can fill it in
        assert outcome.explanations[pid].startswith("funded" if funded else "not funded")
        if "cost" in params and code != "not_funded":
            assert params["cost"] == plain(instance.project(pid).cost), (where, pid, reason)


def small(costs, budget, ballots, vote_type="approval", weights=None, meta=None):
    instance = Instance([Project(pid, c) for pid, c in costs.items()], budget, meta or {})
    return instance, Profile.from_ballots(instance, vote_type, ballots, weights=weights)


GOLDEN = {
    "dear": small({"big": 500, "small": 40}, 100, [["big"]] * 10 + [["small"]]),
    "nobody": small({"a": 50, "nobody": 10}, 100, [["a"]] * 4),
    "free": small({"free": 0, "a": 30, "b": 80}, 100, [["free", "a"], ["b"], ["a", "b"]]),
    "empty": small({"a": 10, "b": 20}, 25, []),
    "decimal": small({"a": "0.10", "b": "0.25", "c": "0.20"}, "0.30", [["a", "b"], ["c"], ["b"]],
                     meta={"currency": "PLN"}),
    "weighted": small({"a": 40, "b": 35, "c": 30, "d": 20}, 100,
                      [["a", "b"], ["c"], ["c", "d"], ["b", "d"]], weights=[2, 1, 1.5, 3]),
    "cumulative": small({"a": 60, "b": 60, "c": 30}, 100, [{"a": 1, "b": 4}, {"a": 2, "c": 1}, {"c": 5}],
                        "cumulative"),
    "ordinal": small({"a": 10, "b": 10, "c": 10}, 20, [["a", "b", "c"], ["b", "c"], ["c"]], "ordinal"),
    "unequal": small({"x": 300, "y": 250}, 1000, [["x", "y"]] * 2 + [["x"]] * 8 + [["y"]] * 2),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
@pytest.mark.parametrize("rule,opts", CONFIGS)
def test_every_rule_gives_every_project_a_documented_reason(name, rule, opts):
    instance, profile = GOLDEN[name]
    check_reasons(instance, allocate(rule, instance, profile, **opts), (name, rule, opts))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_generated_elections_have_documented_reasons(election_):
    instance, profile = election_
    for rule, opts in CONFIGS:
        check_reasons(instance, allocate(rule, instance, profile, **opts), (rule, opts))


@pytest.mark.skipif(not (PABULIB_DIR / "Poland_Warszawa_2018_rejon_6.pb").exists(), reason="no corpus")
@pytest.mark.parametrize("rule,opts", CONFIGS)
def test_a_real_election_has_documented_reasons(rule, opts):
    instance, profile = election("Poland_Warszawa_2018_rejon_6.pb")
    opts = {**opts, "min_votes": 300} if "min_votes" in opts else opts
    check_reasons(instance, allocate(rule, instance, profile, **opts), (rule, opts))


def test_mes_reasons_carry_round_supporters_and_equal_share():
    instance, profile = small({"x": 300, "y": 900}, 1000, [["x"]] * 6 + [["y"]] * 4)
    out = allocate("mes", instance, profile, completion="none")
    assert out.reasons["x"] == {"code": "funded_mes", "params": {"round": 1, "votes": 6, "share": 50, "cost": 300}}
    assert out.reasons["y"] == {"code": "not_funded_supporters_short", "params": {"left": 400, "cost": 900}}
    assert out.explanations["x"] == "funded in round 1: its 6 supporters paid 50 ₸ each"


def test_mes_unequal_payments_give_the_average_share_with_its_range():
    instance, profile = GOLDEN["unequal"]
    out = allocate("mes", instance, profile, completion="none")
    funded = {pid: out.reasons[pid]["params"] for pid in out.selected}
    unequal = [p for p in funded.values() if "share_min" in p]
    assert unequal, out.reasons
    for p in unequal:
        assert p["share_min"] < p["share"] < p["share_max"]
        assert "on average" in out.explanations[next(k for k, v in funded.items() if v is p)]


def test_greedy_reasons_map_to_funded_and_did_not_fit():
    instance, profile = GOLDEN["dear"]
    out = allocate("greedy", instance, profile)
    assert out.reasons["small"] == {"code": "funded", "params": {
        "votes": 1, "cost": 40, "number": 2, "by": "score", "left_after": 60}}
    assert out.explanations["small"] == "funded as number 2 by score: 1 vote, 60 ₸ left afterwards"
    assert out.reasons["big"] == {"code": "not_funded_did_not_fit", "params": {"left": 100, "cost": 500}}


def test_completion_min_votes_and_too_dear_codes():
    instance, profile = GOLDEN["nobody"]
    out = allocate("mes", instance, profile)
    assert out.reasons["nobody"]["code"] == "funded_completion"
    assert out.explanations["nobody"] == "funded in the greedy completion: 0 votes, 40 ₸ left afterwards"
    out = allocate("mes", instance, profile, min_votes=1)
    assert out.reasons["nobody"] == {"code": "not_funded_too_few_votes", "params": {"min": 1, "votes": 0}}
    assert out.explanations["nobody"] == "not funded: 0 votes, fewer than the 1 required"
    assert allocate("mes", instance, profile, completion="none").reasons["nobody"]["code"] == "not_funded"
    instance, profile = GOLDEN["dear"]
    for rule in ("max-utility", "phragmen"):
        assert allocate(rule, instance, profile).reasons["big"] == {
            "code": "not_funded_too_dear", "params": {"cost": 500}}


def test_phragmen_stop_maps_to_did_not_fit_with_the_next_project():
    instance, profile = small({"a": 60, "b": 50, "c": 20}, 100, [["a"]] * 5 + [["b"]] * 3 + [["c"]])
    out = allocate("phragmen", instance, profile)
    assert out.selected == ["a"]
    assert out.reasons["c"] == {"code": "not_funded_did_not_fit",
                                "params": {"left": 40, "cost": 20, "next": "b"}}
    assert "the count stopped when b (next in line)" in out.explanations["c"]
    assert out.reasons["a"]["code"] == "funded" and out.reasons["a"]["params"]["round"] == 1


def test_max_utility_left_out_projects_did_not_fit_what_the_optimum_left():
    instance, profile = small({"a": 60, "b": 50, "c": 45}, 100, [["a"]] * 5 + [["b"]] * 4 + [["c"]] * 4)
    out = allocate("max-utility", instance, profile)
    assert sorted(out.selected) == ["b", "c"]
    assert out.reasons["a"] == {"code": "not_funded_did_not_fit", "params": {"left": 5, "cost": 60}}
    assert out.explanations["a"] == "not funded: not in the affordable set with the largest total score"
    assert out.reasons["b"]["code"] == "funded" and out.reasons["b"]["params"]["total_score"] == 8


def test_free_projects_and_weighted_votes_are_plain_numbers():
    instance, profile = GOLDEN["free"]
    out = allocate("mes", instance, profile, utility="cardinality")
    assert out.reasons["free"] == {"code": "funded", "params": {"votes": 1, "cost": 0}}
    assert out.explanations["free"] == "funded: it costs nothing and has supporters"
    instance, profile = small({"a": 30, "b": 80}, 100, [["a"], ["b"]], weights=[1.5, 1])
    params = allocate("greedy", instance, profile).reasons["a"]["params"]
    assert params["votes"] == 1.5 and type(params["votes"]) is float


def test_decimal_money_params_are_floats_and_whole_amounts_ints():
    instance, profile = GOLDEN["decimal"]
    out = allocate("greedy", instance, profile)
    assert out.reasons["a"]["params"]["cost"] == 0.1
    assert plain(Fraction(3, 2)) == 1.5 and plain(Fraction(4, 2)) == 2 and type(plain(Fraction(4, 2))) is int
    assert type(plain(np.float64(7.0))) is int and plain(np.int64(3)) == 3 and plain("p1") == "p1"
    with pytest.raises(ValueError):
        plain(float("inf"))


def test_to_dict_carries_reasons_and_round_trips_as_json():
    instance, profile = GOLDEN["weighted"]
    d = allocate("mes", instance, profile).to_dict()
    assert set(d["reasons"]) == set(instance.ids)
    assert json.loads(json.dumps(d, allow_nan=False))["reasons"] == d["reasons"]


def test_every_english_form_renders_from_its_params():
    params = {"votes": 3, "cost": 120, "round": 2, "share": 40, "share_min": 10, "share_max": 55,
              "left": 75, "left_after": 30, "min": 5, "number": 4, "by": "score", "total_score": 12.5,
              "load": Fraction(40), "next": "p9", "prefers_greedy": 10, "prefers_mes": 7}
    for form in ENGLISH:
        code = next(c for c in sorted(REASON_CODES, key=len, reverse=True) if form.startswith(c))
        text = Reason(code, form, **params).english()
        assert "{" not in text and text.startswith("funded" if code.startswith("funded") else "not funded")
    with pytest.raises(ValueError):
        Reason("funded_somehow")
