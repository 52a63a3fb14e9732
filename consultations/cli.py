"""Command line: ``python -m consultations map FOLDER [--json]`` for a Pol.is export folder."""
from __future__ import annotations

import argparse
import json
import sys

from .analysis import MIN_VOTES, opinion_map
from .polis_io import PolisFormatError, read_conversation


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m consultations", description="Qatysu opinion map")
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("map", help="compute the opinion map of a Pol.is export folder")
    m.add_argument("folder", help="folder with comments.csv and votes.csv or participants-votes.csv")
    m.add_argument("--json", action="store_true",
                   help='print {"k": groups, "groups": {"<participant id>": group}} as JSON')
    m.add_argument("--min-votes", type=int, default=MIN_VOTES,
                   help=f"votes a participant needs to be placed in a group (default {MIN_VOTES})")
    m.add_argument("--seed", type=int, default=0, help="seed of the k-means starts (default 0)")
    return p


def main(argv=None) -> int:
    """Entry point; returns the exit status (0 ok, 2 unreadable folder or bad usage)."""
    args = _parser().parse_args(argv)
    if args.min_votes < 1:
        print("error: --min-votes must be at least 1", file=sys.stderr)
        return 2
    try:
        conversation = read_conversation(args.folder)
    except PolisFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = opinion_map(conversation.matrix, excluded=conversation.moderated_out,
                         min_votes=args.min_votes, seed=args.seed)
    if args.json:
        print(json.dumps({"k": result.k, "groups": {str(p): g for p, g in result.groups.items()}}))
        return 0
    text = conversation.comments
    print(f"{args.folder}: {result.n_participants} participants, {result.n_placed} placed "
          f"(at least {result.min_votes} votes), {result.n_statements} statements "
          f"({len(result.excluded)} moderated out), votes from {conversation.votes_source}")
    print(f"{result.k} groups: " + ", ".join(f"{g}: {n}" for g, n in enumerate(result.group_sizes)))
    for g, statements in enumerate(result.representative):
        print(f"\ngroup {g} ({result.group_sizes[g]} participants) stands out by:")
        for r in statements:
            n = r.group.agree if r.direction == "agree" else r.group.disagree
            print(f"  {r.direction:8} {n}/{r.group.seen}  #{r.statement}: {_short(text, r.statement)}")
    if result.consensus:
        print("\nconsensus (a majority of every group):")
        for c in result.consensus:
            n = c.total.agree if c.direction == "agree" else c.total.disagree
            print(f"  {c.direction:8} {n}/{c.total.seen}  #{c.statement}: {_short(text, c.statement)}")
    return 0


def _short(comments, statement) -> str:
    body = comments[statement].text if statement in comments else ""
    return body if len(body) <= 90 else body[:87] + "..."
