"""Speed of Qatysu's counting library against pabutools, measured in the same process.

    python benchmarks/allocation.py                 # the five largest shared pabulib files
    python benchmarks/allocation.py FILE.pb ...     # chosen files
    python benchmarks/allocation.py --cap 240       # seconds allowed to each pabutools call

For every instance it times, for us and for pabutools on the same parsed data:

* parsing the file (``read_pabulib`` vs ``pabutools.election.parse_pabulib``);
* ``greedy`` (ours with ``utility="cardinality"``, which is pabutools' Cost_Sat greedy);
* ``mes`` with ``add1-greedy`` (pabutools: ``completion_by_rule_combination`` of
  ``method_of_equal_shares(..., voter_budget_increment=1)`` and ``greedy_utilitarian_welfare``
  with the same satisfaction class);
* plain ``mes`` (no completion) as a second point of comparison.

A pabutools call that runs longer than ``--cap`` seconds is interrupted (SIGALRM, same
process); its time is then shown as ``>cap`` and the ratio as a lower bound ``>=``. For
those, the table also shows an *estimate* (pabutools' measured plain-MES time multiplied by
the number of MES passes Add1 needs, which we know exactly), clearly marked as such.
Peak memory for reading the largest file is measured in a fresh subprocess (ru_maxrss) and
with tracemalloc.
"""
from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voting import allocate, read_pabulib

SHARED = Path(os.environ.get("QATYSU_PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def timed(fn, cap=None):
    """(seconds, result) — result is None and seconds is None if ``cap`` was exceeded."""
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


def pabutools_sat(vote_type, utility):
    from pabutools.election import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        Cardinality_Sat,
        Cost_Sat,
    )
    if utility == "cost":
        return Cost_Sat
    if utility == "cardinality":
        return Cardinality_Sat
    return Additive_Borda_Sat if vote_type == "ordinal" else Additive_Cardinal_Sat


def names(alloc):
    return sorted(p.name for p in alloc)


def fmt_t(t, cap):
    return f">{cap:.0f}" if t is None else f"{t:.3f}"


def ratio(ours, theirs, cap):
    if theirs is None:
        return f">={cap / ours:.0f}x"
    return f"{theirs / ours:.1f}x"


def peak_rss_of_parse(path: Path) -> tuple[float, float]:
    """(MB after imports, peak MB after reading) in a fresh process, from VmHWM.

    VmHWM is used rather than ru_maxrss, which Linux carries over from the parent
    across exec and would report this (large) benchmark process instead.
    """
    code = ("import sys; sys.path.insert(0, %r)\n"
            "def hwm():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM'):\n"
            "            return int(line.split()[1]) / 1024\n"
            "import numpy, scipy.sparse\n"
            "from voting import read_pabulib\n"
            "base = hwm()\n"
            "i, p = read_pabulib(%r)\n"
            "print(base, hwm())\n").replace("%r", "{!r}").format(str(ROOT), str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def bench_instance(path: Path, cap: float, repeat: int) -> None:
    """Print the table rows for one instance."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    label = path.stem[:40]

    def best(fn):
        times, res = [], None
        for _ in range(repeat):
            t, res = timed(fn)
            times.append(t)
        return min(times), res

    def row(what, t_ours, t_pb, same, extra=""):
        print(f"| {label} | {what} | {t_ours:.3f} | {fmt_t(t_pb, cap)}{extra} | {ratio(t_ours, t_pb, cap)} | {same} |",
              flush=True)

    def same_as(ours, theirs):
        return "?" if theirs is None else ("yes" if sorted(ours.selected) == names(theirs) else "NO")

    t_ours, (instance, profile) = best(lambda: read_pabulib(path))
    t_pb, parsed = timed(lambda: parse_pabulib(str(path)), cap)
    row(f"parse ({profile.n_voters} votes)", t_ours, t_pb, "-")
    if parsed is None:
        return
    p_inst, p_prof = parsed

    t_ours, ours = best(lambda: allocate("greedy", instance, profile, utility="cardinality"))
    t_pb, theirs = timed(lambda: greedy_utilitarian_welfare(p_inst, p_prof, sat_class=Cost_Sat), cap)
    row("greedy", t_ours, t_pb, same_as(ours, theirs))

    utility = "cost" if profile.is_approval else "score"
    sat = pabutools_sat(profile.vote_type, utility)
    t_ours, ours = best(lambda: allocate("mes", instance, profile, utility=utility, completion="none"))
    t_plain, theirs = timed(lambda: method_of_equal_shares(p_inst, p_prof, sat_class=sat), cap)
    row(f"mes {utility}, no completion", t_ours, t_plain, same_as(ours, theirs))

    t_ours, ours = best(lambda: allocate("mes", instance, profile, utility=utility, completion="add1-greedy"))
    t_pb, theirs = timed(lambda: completion_by_rule_combination(
        p_inst, p_prof, [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": sat}]), cap)
    passes = ours.details.get("add1_steps", 0) + 1
    estimate = "" if t_pb is not None or t_plain is None else \
        f" (estimate: {passes} passes x {t_plain:.1f} s = {passes * t_plain:.0f} s, {passes * t_plain / t_ours:.0f}x)"
    row(f"mes {utility}, add1-greedy ({passes} Add1 shares)", t_ours, t_pb, same_as(ours, theirs), estimate)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--cap", type=float, default=240.0, help="seconds allowed per pabutools call (0: no cap)")
    ap.add_argument("--repeat", type=int, default=3, help="our timings: best of N runs")
    args = ap.parse_args(argv)

    files = [Path(f) for f in args.files] or sorted(SHARED.glob("*.pb"), key=lambda p: p.stat().st_size)[-5:][::-1]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; pabutools cap {args.cap:.0f} s; "
          f"ours: best of {args.repeat}\n")
    print("| instance | what | ours (s) | pabutools (s) | ratio | identical |")
    print("|---|---|---:|---:|---:|:---:|")
    for path in files:
        bench_instance(path, args.cap, args.repeat)

    largest = max(files, key=lambda p: p.stat().st_size)
    base, peak = peak_rss_of_parse(largest)
    tracemalloc.start()
    read_pabulib(largest)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\nMemory reading {largest.name}: peak RSS (VmHWM) {peak:.0f} MB in a fresh process "
          f"({base:.0f} MB after importing numpy/scipy/voting); tracemalloc peak {traced / 2**20:.0f} MB.")
    print(f"This benchmark process: max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          "(includes pabutools' objects).")


if __name__ == "__main__":
    main()
