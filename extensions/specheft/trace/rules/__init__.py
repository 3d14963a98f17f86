"""Traceability rules and their evaluation.

A rule is a function over the graph that yields hits (item, message, hint); the
level of each hit — off, info, warning or error — comes from the project's
``[rules]`` table, optionally per priority of the requirement concerned. Every rule
is a single pass over the items and their links, so checking stays linear.

One module per concern: ``requirements`` (coverage of requirements), ``items`` (ids,
fields, refinement), ``scope``, ``phases``, ``links``; ``evaluation`` runs them with the
lint rules (:mod:`specheft.trace.lint.checks`) and the review rules
(:mod:`specheft.trace.suspect`); ``table`` validates ``[rules]``. The rule types live in
:mod:`specheft.trace.ruleset`. A new rule: a function decorated with ``@rule`` in the
module of its concern.
"""

from __future__ import annotations

from specheft.trace.rules.evaluation import (
    Evaluation,
    all_rules,
    evaluate,
    relaxed_rules,
    rule_ids,
)
from specheft.trace.rules.table import (
    RULES_TABLE,
    check_options,
    parse_rules_table,
    rule_options,
)
from specheft.trace.ruleset import (
    RULES,
    SEVERITY,
    CheckOptions,
    Finding,
    Hit,
    Rule,
    RuleLevel,
    RuleOptions,
    rule,
)

__all__ = [
    "RULES",
    "RULES_TABLE",
    "SEVERITY",
    "CheckOptions",
    "Evaluation",
    "Finding",
    "Hit",
    "Rule",
    "RuleLevel",
    "RuleOptions",
    "all_rules",
    "check_options",
    "evaluate",
    "parse_rules_table",
    "relaxed_rules",
    "rule",
    "rule_ids",
    "rule_options",
]
