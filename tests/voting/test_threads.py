"""voting runs with one BLAS thread whatever the host sets, and gives the host's setting back."""
from __future__ import annotations

import pytest

from voting import Instance, Profile, Project, allocate
from voting._threads import blas_threads, single_blas


def test_allocate_runs_with_one_blas_thread_and_restores_the_host_setting():
    pytest.importorskip("threadpoolctl")
    import scipy.linalg  # noqa: F401  (loads SciPy's BLAS too, so both are checked)
    from threadpoolctl import threadpool_limits
    instance = Instance([Project("a", 60), Project("b", 40)], 100)
    profile = Profile.from_ballots(instance, "approval", [["a"], ["b"], ["a", "b"]])
    allocate("max-utility", instance, profile)   # loads every library a count uses
    seen = []

    @single_blas
    def probe():
        seen.append(blas_threads())
        return allocate("mes", instance, profile)

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        probe()
        after = blas_threads()
    assert all(t == 1 for t in seen[0])
    assert before == after
    assert allocate("mes", instance, profile).selected == ["a", "b"]
