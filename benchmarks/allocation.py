"""Speed and agreement of Qatysu's counting library, side by side with pabutools and
pabumeasures, in one run (issue #16, "Measured").

    PYTHONPATH=. python benchmarks/allocation.py                  # everything below
    PYTHONPATH=. python benchmarks/allocation.py --cap 60         # seconds per pabutools call
    PYTHONPATH=. python benchmarks/allocation.py --only corpus    # or: passes, national, agreement
    bash benchmarks/pabumeasures_build.sh /tmp/pm && \\
        PYTHONPATH=.:/tmp/pm/src python benchmarks/allocation.py --only passes

Sections:

1. **corpus** — every shared pabulib file and a few random small elections: MES (cost utility
   for approval ballots, the voters' points otherwise) + Add1 + greedy, our compute time and
   pabutools' whole process (parse + rule) on the same file, capped at ``--cap`` seconds
   (then shown as ``>cap`` and the ratio as a lower bound).
2. **passes** — one plain MES pass (cost utility, ballots read as approvals) against
   pabumeasures' C++ ``mes_cost`` on the five largest files, same data, best of 5.
3. **national** — a generated 1,000,000-ballot, 200-project approval election: a plain-Python
   read of the file, our parse, MES + Add1 + greedy, and the peak memory of the whole process.
4. **agreement** — our outcome for every ``status: ok`` entry of ``reference_outcomes.json``
   (pabutools) and ``mes_peers_outcomes.json`` (equalshares.net tool, pabutools' Add1), and
   whether it is identical (the tool's documented quirks are listed, not counted as agreement).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "voting"))

import numpy as np  # noqa: E402

from voting import Instance, Profile, Project, allocate, read_pabulib, write_pabulib  # noqa: E402

SHARED = Path(os.environ.get("QATYSU_PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def timed(fn, cap=None):
    """(seconds, result); (None, None) when ``cap`` seconds passed first."""
    if cap:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, cap)
    t = time.perf_counter()
    try:
        result = fn()
        return time.perf_counter() - t, result
    except Timeout:
        return None, None
    finally:
        if cap:
            signal.setitimer(signal.ITIMER_REAL, 0)


def best(fn, repeat, cpu=None):
    """Best wall time of ``repeat`` calls and the last result; with a list ``cpu``, the best
    CPU time of the process is appended to it (steadier than wall time on a shared machine)."""
    times, cpus, res = [], [], None
    for _ in range(repeat):
        c = time.process_time()
        t, res = timed(fn)
        cpus.append(time.process_time() - c)
        times.append(t)
    if cpu is not None:
        cpu.append(min(cpus))
    return min(times), res


def ours_options(profile):
    return {"utility": "cost" if profile.is_approval else "score", "completion": "add1-greedy"}


def pabutools_whole(path: Path, profile, cap):
    """pabutools' parse + MES with Add1 + greedy, as one timed call."""
    from pabutools.election import Additive_Borda_Sat, Additive_Cardinal_Sat, Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    sat = Cost_Sat if profile.is_approval else (Additive_Borda_Sat if profile.vote_type == "ordinal"
                                                  else Additive_Cardinal_Sat)

    def whole():
        inst, prof = parse_pabulib(str(path))
        return completion_by_rule_combination(inst, prof, [method_of_equal_shares, greedy_utilitarian_welfare],
                                              [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}])
    return timed(whole, cap)


def small_elections(k=5, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for s in range(k):
        m, n = 35, 30
        inst = Instance([Project(str(j), int(rng.integers(20, 400)) * 1000) for j in range(m)], 1_800_000,
                        {"description": f"random small {s}"})
        ballots = [[str(j) for j in range(m) if rng.random() < 0.25] for _ in range(n)]
        out.append((f"random 30 voters x 35 projects, B=1.8M #{s}", inst, Profile.from_ballots(inst, "approval", ballots)))
    return out


def section_corpus(args, tmp: Path):
    print("\n## 1. MES + Add1 + greedy on every shared file and random small elections\n")
    print(f"pabutools: parse + rule in one call, capped at {args.cap:.0f} s; ours: compute time, best of "
          f"{args.repeat} (parse shown apart)\n")
    print("| instance | voters | ours parse (s) | ours MES+Add1+greedy (s) | same, CPU (s) | Add1 shares / passes | "
          "pabutools whole (s) | ours whole (s) | ratio | identical |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
    cases = [(p.stem, p, None, None) for p in sorted(SHARED.glob("*.pb"), key=lambda p: p.stat().st_size)]
    for label, inst, prof in small_elections():
        path = tmp / f"small_{len(cases)}.pb"
        write_pabulib(inst, prof, path)
        cases.append((label, path, inst, prof))
    worst = 0.0
    for label, path, _, _ in cases:
        t_parse, (inst, prof) = best(lambda path=path: read_pabulib(path), args.repeat)
        opts = ours_options(prof)
        cpu = []
        t_ours, out = best(lambda i=inst, p=prof, o=opts: allocate("mes", i, p, **o), args.repeat, cpu)
        worst = max(worst, t_ours)
        t_pb, theirs = pabutools_whole(path, prof, args.cap) if args.cap > 0 else (None, None)
        whole = t_parse + t_ours
        if t_pb is None:
            ratio, same = (f">={args.cap / whole:.0f}x" if args.cap > 0 else "-"), "?"
        else:
            ratio = f"{t_pb / whole:.0f}x"
            same = "yes" if sorted(out.selected) == sorted(p.name for p in theirs) else "NO"
        pb = f">{args.cap:.0f}" if t_pb is None and args.cap > 0 else ("-" if t_pb is None else f"{t_pb:.2f}")
        print(f"| {label[:44]} | {prof.n_voters} | {t_parse:.3f} | {t_ours:.3f} | {cpu[0]:.3f} | "
              f"{out.details.get('add1_steps', 0) + 1} / {out.details.get('add1_passes', 0) + 1} | {pb} | "
              f"{whole:.3f} | {ratio} | {same} |", flush=True)
    print(f"\nSlowest MES + Add1 + greedy compute: {worst:.3f} s.")


def section_passes(args):
    print("\n## 2. One plain MES pass against pabumeasures' C++ (five largest files)\n")
    try:
        from pabumeasures import _core
    except ImportError:
        print("pabumeasures is not importable: build it with benchmarks/pabumeasures_build.sh and put its src/ "
              "on PYTHONPATH (its PyPI sdist needs the OR-Tools C++ SDK).")
        return
    from voting.rules.common import Context
    from voting.rules.mes import _run as mes_pass
    from voting.rules.mes_core import MesData
    print("| instance | voters | pabumeasures mes_cost (ms) | ours: one pass (ms) | ours: allocate, setup included (ms) "
          "| ratio (pass) | identical |")
    print("|---|---:|---:|---:|---:|---:|:---:|")
    files = sorted(SHARED.glob("*.pb"), key=lambda p: p.stat().st_size)[-5:][::-1]
    for path in files:
        inst, prof = read_pabulib(path)
        A = prof.utility("cardinality", inst).tocsc()
        embs = [_core.ProjectEmbedding(int(p.cost), p.id, [int(x) for x in A.indices[A.indptr[j]:A.indptr[j + 1]]])
                for j, p in enumerate(inst.projects) if 0 < p.cost <= inst.budget]
        election = _core.Election(int(inst.budget), prof.n_voters, embs)
        cmp = _core.ProjectComparator(_core.Comparator.COST, _core.Ordering.ASCENDING)
        t_c, res = best(lambda e=election, c=cmp: _core.mes_cost(e, c), 5)
        approval = Profile("approval", (prof.matrix > 0).astype(float), prof.voter_ids, prof.weights)
        ctx = Context(inst, approval, "cost", "zero-based", "id", 0, 0)
        positive = ctx.U.getnnz(axis=0) > 0
        data = MesData(ctx, [j for j in range(len(inst)) if positive[j] and inst.costs[j] > 0])
        share = inst.budget / Fraction(prof.n_voters)
        mes_pass(data, share)
        t_o, _ = best(lambda d=data, s=share: mes_pass(d, s), 5)
        t_a, out = best(lambda i=inst, a=approval: allocate("mes", i, a, utility="cost", completion="none"), 3)
        same = "yes" if sorted(e.name for e in res) == sorted(out.selected) else "NO"
        print(f"| {path.stem[:36]} | {prof.n_voters} | {t_c * 1e3:.1f} | {t_o * 1e3:.1f} | {t_a * 1e3:.1f} | "
              f"{t_c / t_o:.1f}x | {same} |", flush=True)


def generate_national(path: Path, n=1_000_000, m=200, seed=1):
    """A national approval election: n ballots of 1-5 projects, skewed popularity."""
    rng = np.random.default_rng(seed)
    pop = rng.pareto(1.2, m) + 0.05
    pop /= pop.sum()
    costs = rng.integers(20, 600, m) * 10_000
    lengths = rng.integers(1, 6, n)
    picks = rng.choice(m, size=(n, 5), p=pop) + 1
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"META\nkey;value\ndescription;generated national election\ncountry;Kazakhstan\nunit;Kazakhstan\n"
                 f"instance;2026\nnum_projects;{m}\nnum_votes;{n}\nbudget;{int(costs.sum() // 6)}\n"
                 "vote_type;approval\nrule;greedy\ndate_begin;01.03.2026\ndate_end;31.03.2026\nmax_length;5\n")
        fh.write("PROJECTS\nproject_id;cost;name\n")
        fh.writelines(f"{j + 1};{costs[j]};Project {j + 1}\n" for j in range(m))
        fh.write("VOTES\nvoter_id;vote\n")
        for start in range(0, n, 100_000):
            fh.write("".join(f"{i + 1};{','.join(map(str, sorted(set(picks[i, :lengths[i]].tolist()))))}\n"
                             for i in range(start, min(n, start + 100_000))))


NATIONAL_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
path = {path!r}

def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out

def plain():
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            fields = line.rstrip("\\n").split(";")

from voting import allocate, read_pabulib
reads = [timed(plain) for _ in range(3)]
parses = []
for _ in range(3):
    inst = prof = None             # one profile in memory at a time: the peak stays the count's
    w, c, (inst, prof) = timed(lambda: read_pabulib(path))
    parses.append((w, c))
w, c, out = timed(lambda: allocate("mes", inst, prof))
hwm = [int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")][0] / 1024
print(min(r[0] for r in reads), min(r[1] for r in reads), min(p[0] for p in parses), min(p[1] for p in parses),
      w, c, hwm, out.details["add1_steps"], out.details["add1_passes"])
"""


def section_national(args, tmp: Path):
    print("\n## 3. A national election: 1,000,000 approval ballots, 200 projects\n")
    path = tmp / "national.pb"
    generate_national(path)
    code = NATIONAL_CHILD.format(root=str(ROOT), path=str(path))
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    fields = first.stdout.split()
    plain, plain_cpu, parse, parse_cpu, count, count_cpu, hwm = (float(x) for x in fields[:7])
    steps, passes = int(fields[7]), int(fields[8])
    print(f"file {path.stat().st_size / 1e6:.1f} MB; wall (CPU) seconds, the read and the parse best of 3: "
          f"plain-Python read (lines split on ';') {plain:.2f} ({plain_cpu:.2f}); our parse {parse:.2f} "
          f"({parse_cpu:.2f}) = {parse / plain:.1f}x the read ({parse_cpu / plain_cpu:.1f}x in CPU); "
          f"MES + Add1 + greedy {count:.2f} ({count_cpu:.2f}), {steps + 1} Add1 shares, {passes + 1} passes; "
          f"parse + count {parse + count:.2f} ({parse_cpu + count_cpu:.2f}) = {(parse + count) / plain:.1f}x "
          f"the read ({(parse_cpu + count_cpu) / plain_cpu:.1f}x in CPU); peak memory of the process (VmHWM) "
          f"{hwm:.0f} MB.")


def section_agreement(args):
    print("\n## 4. Identical outcomes\n")
    from pabulib_corpus import election, reference
    from pabulib_reference_map import options_for
    from test_peers import DEVIATIONS, SETS, cases
    agree = disagree = 0
    bad = []
    for name, entries in reference().items():
        for key, e in entries.items():
            if key == "_parse" or e.get("status") != "ok":
                continue
            instance, profile = election(name)
            rule, options, how = options_for(key)
            out = allocate(rule, instance, profile, **options)
            if how == "set":
                same = sorted(out.selected) == sorted(e["selected"]) and out.cost == Fraction(e["total_cost"])
            else:
                same = abs(out.details["total_score"] - float(Fraction(e["welfare"]))) <= 1e-9 * max(
                    1.0, abs(out.details["total_score"]))
            agree += same
            disagree += not same
            if not same:
                bad.append(f"{name} {key}")
    print(f"pabutools 1.2.3 (reference_outcomes.json, every 'ok' entry): {agree} identical, {disagree} different"
          + (": " + ", ".join(bad) if bad else ""))
    ok = dev = other = 0
    others = []
    for param in cases():
        name, label, entry = param.values
        instance, profile = election(name)
        try:
            if label == "pabutools-add1":
                out = allocate("mes", instance, profile, utility="cost", completion="add1")
            else:
                out = allocate("mes", instance, profile, utility="cost", tie_breaking="maxVotes,minCost",
                               **SETS[label])
            got = sorted(out.selected)
            same = entry["status"] == "ok" and got == sorted(entry["selected"])
        except ValueError:   # UnresolvedTieError: the tool stopped with an error too
            same = entry["status"] == "error"
        if same:
            ok += 1
        elif (name, label) in DEVIATIONS:
            dev += 1
        else:
            other += 1
            others.append(f"{name} {label}")
    ees_ok = ees_bad = 0
    for name, entries in json.loads((SHARED / "mes_peers_outcomes.json").read_text())["outcomes"].items():
        for util, key in (("cardinality", "cardinal"), ("cost", "cost")):
            for completion in ("none", "add-one", "add-opt"):
                e = entries.get(f"spp:ees-{key}-{completion}", {})
                if e.get("status") != "ok" or e.get("seconds", 0) > args.ees_cap:
                    continue
                instance, profile = election(name)
                out = allocate("ees", instance, profile, utility=util, completion=completion)
                same = sorted(out.selected) == sorted(e["selected"]) and \
                    out.details["budget_increases"] == e["budget_increases"]
                ees_ok += same
                ees_bad += not same
    print(f"mes_peers_outcomes.json, the paper's EES code (none / add-one / add-opt, cases it ran in under "
          f"{args.ees_cap:g} s): {ees_ok} identical (selection and number of budget increases), {ees_bad} different")
    print(f"mes_peers_outcomes.json (equalshares.net sets a-f with maxVotes,minCost; pabutools Add1): {ok} identical, "
          f"{dev} different by the tool's documented quirks (tests/voting/test_peers.py DEVIATIONS), {other} other"
          + (": " + ", ".join(others) if others else ""))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cap", type=float, default=60.0, help="seconds per pabutools call (0: do not run pabutools)")
    ap.add_argument("--repeat", type=int, default=3, help="our timings: best of N")
    ap.add_argument("--ees-cap", type=float, default=5.0, help="agreement: EES cases the paper's code ran in <= s")
    ap.add_argument("--only", choices=["corpus", "passes", "national", "agreement"], action="append")
    args = ap.parse_args(argv)
    import tempfile
    only = args.only or ["corpus", "passes", "national", "agreement"]
    print(f"# benchmarks/allocation.py, {datetime.date.today().isoformat()}: python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        if "corpus" in only:
            section_corpus(args, Path(tmp))
        if "passes" in only:
            section_passes(args)
        if "national" in only:
            section_national(args, Path(tmp))
        if "agreement" in only:
            section_agreement(args)


if __name__ == "__main__":
    main()
