"""Command line: ``python -m voting allocate|compare|validate FILE.pb``."""
from __future__ import annotations

import argparse
import json
import sys

from .analysis import compare, format_comparison
from .ballots import BallotRules
from .pabulib import PabulibError, read_pabulib
from .rules.common import RuleOptionError
from .rules.maxutil import SolverError
from .rules.mes import COMPLETIONS, STOPS
from .rules.mes_options import COMPARISONS
from .rules.registry import RULES, UnknownRuleError, allocate
from .tiebreak import TIE_BREAKS, UnknownTieBreakError, UnresolvedTieError

TIE_HELP = f"a tie-break or a chain of them, e.g. 'maxVotes,minCost' (known: {', '.join(TIE_BREAKS)})"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m voting", description="Qatysu counting library")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("allocate", help="run one allocation rule and print the funded project ids")
    a.add_argument("file")
    a.add_argument("--rule", required=True, help=f"one of: {', '.join(sorted(RULES))}")
    a.add_argument("--utility", choices=["cost", "cardinality", "score"])
    a.add_argument("--completion", choices=list(COMPLETIONS) + ["add-one", "add-opt"],
                   help="MES completion (add1u: Add1 then utilitarian completion, as equalshares.net); "
                        "for --rule ees: none, add-one or add-opt (Streamlining Equal Shares)")
    a.add_argument("--integral", action="store_true", help="Add1 starts from the integral share floor(B/n)")
    a.add_argument("--stop", choices=STOPS, help="Add1 stops at the first exhaustive outcome (default) "
                   "or only when over budget")
    a.add_argument("--increment", help="per-voter step of Add1 (default 1)")
    a.add_argument("--comparison", choices=COMPARISONS,
                   help="comparison step: use greedy when more voters prefer it")
    a.add_argument("--tie-break", default="id", help=TIE_HELP)
    a.add_argument("--seed", type=int, default=0, help="seed for --tie-break lottery")
    a.add_argument("--borda", choices=["zero-based", "one-based"])
    a.add_argument("--min-votes", type=float, default=0)
    a.add_argument("--json", action="store_true", help="print rule, selected, cost, explanations and reasons as JSON")
    c = sub.add_parser("compare", help="compare the rules side by side")
    c.add_argument("file")
    c.add_argument("--tie-break", default="id", help=TIE_HELP)
    c.add_argument("--min-votes", type=float, default=0)
    v = sub.add_parser("validate", help="check a file and every ballot against its META rules")
    v.add_argument("file")
    return p


def main(argv=None) -> int:
    """Entry point; returns the exit status (0 ok, 1 invalid ballots or wrong META counts,
    2 bad file or usage)."""
    args = _parser().parse_args(argv)
    try:
        instance, profile = read_pabulib(args.file)
    except (OSError, PabulibError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "allocate":
            opts = {"tie_breaking": args.tie_break, "seed": args.seed, "min_votes": args.min_votes}
            for key in ("utility", "completion", "borda", "stop", "increment", "comparison"):
                if getattr(args, key) is not None:
                    opts[key] = getattr(args, key)
            if args.integral:
                opts["integral"] = True
            if args.rule == "phragmen":
                opts.pop("utility", None)
            if args.rule != "mes":
                for key in ("stop", "increment", "comparison", "integral") + (("completion",) if args.rule != "ees"
                                                                              else ()):
                    opts.pop(key, None)
            outcome = allocate(args.rule, instance, profile, **opts)
            if args.json:
                d = outcome.to_dict()
                print(json.dumps({"rule": d["rule"], "selected": d["selected"], "cost": d["cost"],
                                  "tie_breaking": d["tie_breaking"], "options": d["options"],
                                  "explanations": d["explanations"], "reasons": d["reasons"],
                                  "details": _plain_details(outcome.details)},
                                 ensure_ascii=False, indent=1))
            else:
                print("\n".join(outcome.selected))
            return 0
        if args.command == "compare":
            result = compare(instance, profile, tie_breaking=args.tie_break, min_votes=args.min_votes)
            print(format_comparison(result, instance))
            return 0
        rules = BallotRules.from_meta(instance, profile.vote_type)
        report = rules.validate_profile(profile)
        print(f"{args.file}: {len(instance)} projects, {report['ballots']} ballots, "
              f"{report['invalid']} breaking the META rules")
        problems = report["invalid"]
        for key, actual in (("num_projects", len(instance)), ("num_votes", profile.n_voters)):
            stated = instance.meta.get(key)
            if stated is not None and stated.strip() != str(actual):
                print(f"  META says {key}={stated} but the file has {actual}")
                problems += 1
        for code, count in report["by_code"].items():
            print(f"  {code}: {count}")
        for voter, violations in report["examples"][:10]:
            for v in violations:
                print(f"  voter {voter}: {v.message}")
        return 1 if problems else 0
    except (UnknownRuleError, UnknownTieBreakError, RuleOptionError, UnresolvedTieError, SolverError,
            ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _plain_details(details: dict) -> dict:
    """The JSON-ready part of ``Outcome.details`` (report numbers, comparison, Add1 figures)."""
    keep = ("voter_budget", "add1_steps", "add1_passes", "report", "comparison", "rounds", "total_score",
            "completion")
    return {k: v for k, v in details.items() if k in keep}
