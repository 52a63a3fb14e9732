"""Allocation rules; see :mod:`voting.rules.registry`."""
from .registry import RULES, UnknownRuleError, allocate, get_rule

__all__ = ["RULES", "UnknownRuleError", "allocate", "get_rule"]
