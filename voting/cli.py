"""Command line: ``python -m voting allocate|compare|validate FILE.pb``."""
from __future__ import annotations

import argparse
import json
import sys

from .analysis import compare, format_comparison
from .ballots import BallotRules
from .pabulib import PabulibError, read_pabulib
from .rules.common import RuleOptionError
from .rules.mes import COMPLETIONS
from .rules.registry import RULES, UnknownRuleError, allocate
from .tiebreak import TIE_BREAKS, UnknownTieBreakError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m voting", description="Qatysu counting library")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("allocate", help="run one allocation rule and print the funded project ids")
    a.add_argument("file")
    a.add_argument("--rule", required=True, help=f"one of: {', '.join(sorted(RULES))}")
    a.add_argument("--utility", choices=["cost", "cardinality", "score"])
    a.add_argument("--completion", choices=COMPLETIONS)
    a.add_argument("--tie-break", default="id", choices=list(TIE_BREAKS))
    a.add_argument("--seed", type=int, default=0, help="seed for --tie-break lottery")
    a.add_argument("--borda", choices=["zero-based", "one-based"])
    a.add_argument("--min-votes", type=float, default=0)
    a.add_argument("--json", action="store_true", help="print rule, selected, cost, explanations and reasons as JSON")
    c = sub.add_parser("compare", help="compare the rules side by side")
    c.add_argument("file")
    c.add_argument("--tie-break", default="id", choices=list(TIE_BREAKS))
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
            for key in ("utility", "completion", "borda"):
                if getattr(args, key) is not None:
                    opts[key] = getattr(args, key)
            if args.rule == "phragmen":
                opts.pop("utility", None)
            if args.rule != "mes":
                opts.pop("completion", None)
            outcome = allocate(args.rule, instance, profile, **opts)
            if args.json:
                d = outcome.to_dict()
                print(json.dumps({"rule": d["rule"], "selected": d["selected"], "cost": d["cost"],
                                  "tie_breaking": d["tie_breaking"], "options": d["options"],
                                  "explanations": d["explanations"], "reasons": d["reasons"]},
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
    except (UnknownRuleError, UnknownTieBreakError, RuleOptionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
