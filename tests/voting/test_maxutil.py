"""max-utility: the solver's answer is used only when CBC proved it optimal; ties among optima
follow the tie-break; a time limit gives a clear error."""
from __future__ import annotations

import pytest

from voting import Instance, Profile, Project, SolverError, allocate


def test_ties_among_optima_follow_the_tie_break_rank():
    # {a, d} and {b, c} both score 4 within the budget of 100
    instance = Instance([Project("a", 50), Project("b", 50), Project("c", 50), Project("d", 50)], 100)
    ballots = [["a"], ["a"], ["b"], ["b"], ["c"], ["c"], ["d"], ["d"]]
    profile = Profile.from_ballots(instance, "approval", ballots)
    assert sorted(allocate("max-utility", instance, profile).selected) == ["a", "b"]
    lottery = {tuple(sorted(allocate("max-utility", instance, profile, tie_breaking="lottery", seed=s).selected))
               for s in range(6)}
    assert len(lottery) > 1
    for s in range(3):
        again = allocate("max-utility", instance, profile, tie_breaking="lottery", seed=s).selected
        assert again == allocate("max-utility", instance, profile, tie_breaking="lottery", seed=s).selected


def test_a_time_limit_that_stops_cbc_is_an_error_not_an_answer(monkeypatch):
    import pulp

    def stopped_by_the_limit(self, prob, **kw):
        # what CBC reports when the time limit stops it with a feasible, unproven answer
        for v in prob.variables():
            v.varValue = 0
        prob.status, prob.sol_status = pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
        return prob.status

    monkeypatch.setattr(pulp.PULP_CBC_CMD, "actualSolve", stopped_by_the_limit)
    instance = Instance([Project("a", 60), Project("b", 50)], 100)
    profile = Profile.from_ballots(instance, "approval", [["a"], ["b"], ["a"]])
    with pytest.raises(SolverError, match="time limit of 5 s"):
        allocate("max-utility", instance, profile, time_limit=5)
