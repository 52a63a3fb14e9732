"""voting.report_money.money_behind replays an MES outcome's rounds: the same money behind every
funded project as the compiled pass reports, and, with Add1 (whose passes do not report it),
enough money behind every funded project to pay for it."""
import numpy as np
import pytest
from pabulib_corpus import PABULIB_DIR

from voting import Instance, Profile, Project, allocate, read_pabulib
from voting.report_money import money_behind


def random_election(seed: int, vote_type: str):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(3, 9)), int(rng.integers(5, 40))
    instance = Instance([Project(str(j + 1), int(rng.integers(1, 50)) * 1000) for j in range(m)],
                        int(rng.integers(20, 120)) * 1000)
    ballots = []
    for _ in range(n):
        chosen = [str(j + 1) for j in rng.choice(m, size=int(rng.integers(1, m)), replace=False)]
        ballots.append({pid: int(rng.integers(1, 6)) for pid in chosen} if vote_type == "cumulative" else chosen)
    return instance, Profile.from_ballots(instance, vote_type, ballots)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("vote_type", ["approval", "cumulative"])
def test_the_replay_gives_the_compiled_passs_money_behind(seed, vote_type):
    instance, profile = random_election(seed, vote_type)
    outcome = allocate("mes", instance, profile, completion="none")
    report = outcome.details["report"]
    replayed = money_behind(instance, profile, outcome)
    assert set(replayed) == set(outcome.details["rounds"])
    for pid, money in replayed.items():
        assert money == pytest.approx(report[pid]["money_behind"], rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("name", ["Netherlands_Amsterdam_166.pb", "Poland_Czestochowa_2024.pb"])
@pytest.mark.parametrize("completion", ["add1-greedy", "add1u"])
def test_with_add1_every_funded_project_had_enough_money_behind_it(name, completion):
    path = PABULIB_DIR / name
    if not path.exists():
        pytest.skip(f"{name} is not in the shared pabulib folder")
    instance, profile = read_pabulib(path)
    outcome = allocate("mes", instance, profile, completion=completion)
    replayed = money_behind(instance, profile, outcome)
    assert replayed and set(replayed) == set(outcome.details["rounds"])
    for pid, money in replayed.items():
        assert money >= float(instance.project(pid).cost) * (1 - 1e-9)
