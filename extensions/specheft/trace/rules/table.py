"""``[rules]`` in specheft.toml, validated once into :class:`RuleOptions`; the typed
options a project's settings give the rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from specheft.config.reader import Reader, Table
from specheft.config.settings import Settings
from specheft.errors import did_you_mean
from specheft.trace.lint.options import LINT_TABLE
from specheft.trace.rules.evaluation import rule_ids
from specheft.trace.ruleset import LEVELS, CheckOptions, FencedItem, RuleLevel, RuleOptions


def parse_rules_table(reader: Reader, data: Mapping[str, Any]) -> RuleOptions:
    """Check ``[rules]``: known rules, each a level or a table of levels per priority."""
    known = rule_ids()
    rules: dict[str, RuleLevel] = {}
    for rule_id, value in data.items():
        if rule_id not in known:
            reader.error(
                "rules",
                rule_id,
                "unknown rule; known rules: " + ", ".join(known),
                did_you_mean(rule_id, known),
            )
        if isinstance(value, str):
            if value not in LEVELS:
                reader.error(
                    "rules",
                    rule_id,
                    f"{value!r} is not a level; allowed: {', '.join(LEVELS)}",
                    did_you_mean(value, LEVELS),
                )
            rules[rule_id] = RuleLevel(value)
        elif isinstance(value, Mapping):
            allowed = ("default", "must", "should", "can")
            per: dict[str, str] = {}
            for key, level in value.items():
                if key not in allowed:
                    reader.error(
                        f"rules.{rule_id}",
                        key,
                        f"unknown key; allowed: {', '.join(allowed)}",
                        did_you_mean(key, allowed),
                    )
                if level not in LEVELS:
                    reader.error(
                        f"rules.{rule_id}",
                        key,
                        f"{level!r} is not a level; allowed: {', '.join(LEVELS)}",
                    )
                per[key] = level
            rules[rule_id] = RuleLevel(per.pop("default", ""), per, inherit=True)
        else:
            reader.error(
                "rules",
                rule_id,
                f"expected a level ({', '.join(LEVELS)}) or a table with default/must/should/can",
            )
    return RuleOptions(rules)


RULES_TABLE = Table("rules", parse_rules_table)


def rule_options(settings: Settings) -> RuleOptions:
    """The project's [rules], as validated when the settings were read."""
    return settings.option(RULES_TABLE)


def check_options(settings: Settings, fenced_items: Iterable[FencedItem] = ()) -> CheckOptions:
    """What the rules read from a project's settings besides their levels."""
    return CheckOptions(
        language=settings.language,
        id_patterns={str(kind): pattern for kind, pattern in settings.id_patterns.items()},
        lint=settings.option(LINT_TABLE),
        fenced_items=tuple(fenced_items),
    )
