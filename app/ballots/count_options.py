"""The options a budget is counted with, as cities set them (equalshares.net's names): the Method of
Equal Shares' completion, integral start, stop, increment and comparison step, and the tie-break
chain. :func:`settings` checks a combination and turns it into what the count passes to
``voting`` (``BallotConfig.rule_options`` and ``tie_break``); every refusal names its field."""
from flask_babel import lazy_gettext as _l

from app.ballots.adapter import COMPARISONS, COMPLETIONS, STOPS, TIE_BREAKS
from app.core.errors import ServiceError

MES_DEFAULTS = {"completion": "add1-greedy", "integral": False, "stop": "exhaustive", "increment": 1,
                "comparison": "none"}
# The completions that raise every voter's share (Add1): integral, stop and increment are theirs.
ADD1 = ("add1", "add1-greedy", "add1u")
ADD1_OPTIONS = ("integral", "stop", "increment")
# These tie-breaks order every project (the last criterion is the id): nothing after them is used.
ALWAYS_DECIDES = ("id", "cost", "votes", "lottery")
# Criteria that say the same thing, or the opposite: one of each group in a chain.
SAME = ({"cost", "minCost", "maxCost"}, {"votes", "maxVotes"})
CHAIN_LENGTH = 3
CHAIN_FIELDS = ("tie_break", "tie_break_2", "tie_break_3")


def form_values(rule_options: dict | None, tie_break: str) -> dict:
    """The stored options as the settings form shows them (defaults where none is stored)."""
    options = {**MES_DEFAULTS, **{k: v for k, v in (rule_options or {}).items() if k in MES_DEFAULTS}}
    chain = [c for c in (tie_break or "id").split(",") if c][:CHAIN_LENGTH]
    chain += [""] * (CHAIN_LENGTH - len(chain))
    return {**options, **dict(zip(CHAIN_FIELDS, chain))}


def settings(rule: str, budget, chain: list[str], **mes) -> tuple[dict, str]:
    """``(rule_options, tie_break)`` for a rule, the MES options chosen and the tie-break chain
    (empty entries = no further criterion), or a refusal naming every field at fault."""
    mes = {key: MES_DEFAULTS[key] if mes.get(key) is None else mes[key] for key in MES_DEFAULTS}
    problems = []
    if mes["completion"] not in COMPLETIONS:
        problems.append(("completion", _l("Choose one of the completion methods offered.")))
    if mes["stop"] not in STOPS:
        problems.append(("stop", _l("Choose one of the ways Add1 stops.")))
    if mes["comparison"] not in COMPARISONS:
        problems.append(("comparison", _l("Choose one of the comparison steps offered.")))
    changed = [key for key in MES_DEFAULTS if mes[key] != MES_DEFAULTS[key]]
    if rule != "mes":
        problems += [(key, _l("This option belongs to the Method of Equal Shares: choose that counting rule, "
                              "or set this option back to its default.")) for key in changed]
    elif mes["completion"] not in ADD1:
        problems += [(key, _l("This option applies only to the Add1 completions (add1, add1-greedy, Add1u)."))
                     for key in ADD1_OPTIONS if key in changed]
    if rule == "mes" and mes["increment"] > budget.amount:
        problems.append(("increment", _l("The increment cannot be larger than the budget.")))
    problems += _chain_problems(chain)
    if problems:
        raise ServiceError.several(problems)
    criteria = [c for c in chain if c]
    options = dict(mes) if rule == "mes" else {}
    if "lottery" in criteria:
        options["seed"] = budget.id  # the lottery is drawn the same way at every recount
    return options, ",".join(criteria)


def _chain_problems(chain: list[str]) -> list:
    problems, seen = [], []
    for position, criterion in enumerate(chain):
        field = CHAIN_FIELDS[position]
        if not criterion:
            continue
        if criterion not in TIE_BREAKS:
            problems.append((field, _l("Choose one of the tie-breaks offered.")))
        elif position and not chain[position - 1]:
            problems.append((field, _l("Choose the tie-break before this one first.")))
        elif any(previous in ALWAYS_DECIDES for previous in seen):
            problems.append((field, _l("The tie-break before this one decides every tie: nothing after it "
                                       "would be used.")))
        elif criterion in seen or any(criterion in group and group & set(seen) for group in SAME):
            opposite = {criterion, *seen} >= {"minCost", "maxCost"}
            problems.append((field, _l("The lowest and the highest cost cannot both decide a tie.") if opposite
                             else _l("This criterion is already in the chain.")))
        seen.append(criterion)
    if not chain or not chain[0]:
        problems.append(("tie_break", _l("Choose a tie-break.")))
    return problems
