"""How close our opinion map comes to Pol.is's, and how fast it is.

    nice -n 15 .venv/bin/python benchmarks/opinion_map.py            # real conversations + synthetic
    nice -n 15 .venv/bin/python benchmarks/opinion_map.py --repeat 5 --participants 10000 --statements 1000

1. For every Pol.is export folder in ``../shared/polis`` (or ``QATYSU_POLIS_DIR``): read it,
   compute the map (best of ``--repeat`` runs, reading excluded), and print the number of groups
   we find against the number Pol.is found (the distinct values of ``group-id``), the adjusted
   Rand index between our groups and Pol.is's ``group-id`` over the participants both place,
   how many participants that is, and the time.
2. A synthetic consultation of ``--participants`` × ``--statements`` with Bowling Green's
   sparsity: each participant's number of votes is drawn from Bowling Green's distribution of
   votes per participant (scaled to the number of statements), statements are picked with
   probabilities proportional to Bowling Green's votes per statement, votes split agree /
   disagree / pass in Bowling Green's proportions (49 / 17 / 34 %), from two latent camps.
   Target: the map (``opinion_map`` on the built matrix) under 2 s. The matrix build is timed
   apart (the web app builds it from the database once a minute at most).

Exit status 1 when a target fails (2-group conversations: ARI >= 0.8, every conversation: same
k as Pol.is; synthetic map < 2 s).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consultations.analysis import opinion_map
from consultations.matrix import VoteMatrix
from consultations.polis_io import read_conversation

POLIS = Path(os.environ.get("QATYSU_POLIS_DIR", ROOT.parent / "shared" / "polis"))
BOWLING_GREEN = "american-assembly.bowling-green"
TARGET_SECONDS = 2.0
TARGET_ARI = 0.8


def best_of(repeat, fn):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def agreement(result, polis_groups):
    both = [p for p in result.groups if p in polis_groups]
    ari = adjusted_rand_score([polis_groups[p] for p in both], [result.groups[p] for p in both])
    return ari, len(both)


def real_conversations(repeat):
    print(f"{'conversation':34} {'k':>3} {'Pol.is k':>8} {'ARI':>6} {'both':>11} {'map s':>7}")
    failures = 0
    for folder in sorted(p for p in POLIS.iterdir() if p.is_dir()):
        conv = read_conversation(folder)
        seconds, result = best_of(repeat, lambda c=conv: opinion_map(c.matrix, excluded=c.moderated_out))
        polis_k = len(set(conv.polis_groups.values()))
        ari, n_both = agreement(result, conv.polis_groups)
        ok = result.k == polis_k and (polis_k != 2 or ari >= TARGET_ARI)
        failures += not ok
        print(f"{folder.name:34} {result.k:>3} {polis_k:>8} {ari:>6.3f} "
              f"{n_both:>5}/{len(conv.polis_groups):<5} {seconds:>7.3f}  {'PASS' if ok else 'FAIL'}")
    return failures


def synthetic(n_participants, n_statements, seed=20):
    """A consultation with Bowling Green's sparsity (see the module docstring)."""
    bg = read_conversation(POLIS / BOWLING_GREEN).matrix
    rng = np.random.default_rng(seed)
    per_participant = bg.votes_per_participant()
    per_participant = per_participant[per_participant > 0] * (n_statements / bg.shape[1])
    counts = np.clip(np.rint(rng.choice(per_participant, n_participants)), 1, n_statements).astype(int)
    popularity = rng.choice(bg.votes_per_statement().astype(float), n_statements) + 0.5
    camp = rng.random(n_participants) < 0.55
    lean = rng.uniform(-1, 1, n_statements)  # how much camp A agrees more than camp B
    rows, cols = [], []
    # Gumbel top-k: each participant's statements, without replacement, weighted by popularity.
    keys = np.log(popularity) - np.log(-np.log(rng.random((n_participants, n_statements))))
    order = np.argsort(-keys, axis=1)
    for i, c in enumerate(counts):
        rows.append(np.full(c, i))
        cols.append(order[i, :c])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    p_agree = np.clip(0.49 + 0.3 * lean[cols] * np.where(camp[rows], 1, -1), 0.02, 0.95)
    u = rng.random(len(rows))
    votes = np.where(u < p_agree, 1, np.where(u < p_agree + 0.17, -1, 0))
    return rows, cols, votes, camp


def synthetic_benchmark(n_participants, n_statements, repeat):
    t = time.perf_counter()
    rows, cols, votes, camp = synthetic(n_participants, n_statements)
    generated = time.perf_counter() - t
    build, matrix = best_of(repeat, lambda: VoteMatrix.from_votes(
        rows, cols, votes, participants=range(n_participants), statements=range(n_statements)))
    seconds, result = best_of(repeat, lambda: opinion_map(matrix))
    density = matrix.n_votes / (n_participants * n_statements)
    placed = np.array(list(result.groups))
    ari = adjusted_rand_score(camp[placed], [result.groups[p] for p in placed])
    ok = seconds < TARGET_SECONDS
    print(f"\nsynthetic {n_participants:,} x {n_statements:,}: {matrix.n_votes:,} votes "
          f"(density {density:.3f}; Bowling Green 0.124), generated in {generated:.2f} s")
    print(f"  VoteMatrix.from_votes  {build:6.3f} s")
    print(f"  opinion_map            {seconds:6.3f} s  (target < {TARGET_SECONDS:.0f} s: {'PASS' if ok else 'FAIL'})")
    print(f"  {result.n_placed:,} placed, k = {result.k}, ARI against the two planted camps {ari:.3f}")
    return 0 if ok else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeat", type=int, default=3, help="time the best of this many runs (default 3)")
    p.add_argument("--participants", type=int, default=10_000)
    p.add_argument("--statements", type=int, default=1_000)
    args = p.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs\n")
    failures = real_conversations(args.repeat)
    failures += synthetic_benchmark(args.participants, args.statements, args.repeat)
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
