"""Qatysu's counting library: ballots, validation, allocation rules, pabulib I/O, analysis.

Pure Python + NumPy/SciPy (+ PuLP for the exact optimum); no Flask, no database.

>>> from voting import read_pabulib, allocate
>>> instance, profile = read_pabulib("election.pb")          # doctest: +SKIP
>>> allocate("mes", instance, profile).selected             # doctest: +SKIP
"""
from .analysis import compare, format_comparison
from .ballots import MESSAGES, BallotRules, Violation
from .outcome import REASON_CODES, Outcome, Reason, money
from .pabulib import PabulibError, parse_pabulib, read_pabulib
from .pabulib_write import write_pabulib
from .rules.common import RuleOptionError
from .rules.maxutil import SolverError
from .rules.registry import RULES, UnknownRuleError, allocate, get_rule
from .tiebreak import TIE_BREAKS, UnknownTieBreakError, tie_rank
from .types import BORDA_VARIANTS, VOTE_TYPES, Instance, Profile, Project

__version__ = "0.1.0"

__all__ = [
    "BORDA_VARIANTS", "MESSAGES", "REASON_CODES", "RULES", "TIE_BREAKS", "VOTE_TYPES", "BallotRules", "Instance",
    "Outcome", "PabulibError", "Profile", "Project", "Reason", "RuleOptionError", "SolverError",
    "UnknownRuleError", "UnknownTieBreakError", "Violation", "__version__", "allocate", "compare",
    "format_comparison", "get_rule", "money", "parse_pabulib", "read_pabulib", "tie_rank",
    "write_pabulib",
]
