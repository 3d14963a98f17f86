"""What a rule is: its registration, its hits and findings, its level and its options.

The trace rules (:mod:`specheft.trace.rules`) and the lint rules
(:mod:`specheft.trace.lint.checks`) register themselves here with :func:`rule`;
:mod:`specheft.trace.rules` imports both and evaluates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from specheft.trace.changes import Since
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.lint.options import LintOptions

LEVELS = ("off", "info", "warning", "error")
SEVERITY = {"error": 3, "warning": 2, "info": 1, "off": 0}


@dataclass(frozen=True)
class RuleLevel:
    """A rule's level, optionally per priority (``must``/``should``/``can``)."""

    default: str
    per_priority: Mapping[str, str] = field(default_factory=dict)
    inherit: bool = False
    """Written as a table: the rule's built-in per-priority defaults fill what it leaves out."""

    def over(self, builtin: RuleLevel) -> RuleLevel:
        """This level as configured, completed from the rule's built-in default."""
        if not self.inherit:
            return self
        return RuleLevel(
            self.default or builtin.default, {**builtin.per_priority, **self.per_priority}
        )

    def for_priority(self, priority: str | None) -> str:
        if priority is not None and priority in self.per_priority:
            return self.per_priority[priority]
        return self.default


@dataclass(frozen=True)
class RuleOptions:
    """``[rules]`` of specheft.toml, validated: the level of each configured rule."""

    levels: Mapping[str, RuleLevel] = field(default_factory=dict)


FencedItem = tuple[str, int, str, str | None]
"""An item directive inside a code block: (path, line, kind, id or None)."""


@dataclass(frozen=True)
class CheckOptions:
    """What a rule's check reads besides the graph (all of it typed and validated)."""

    language: str = "de"
    """The project language ([project] language): the language of a requirement's body."""
    id_patterns: Mapping[str, str] = field(default_factory=dict)
    """[ids]: the id pattern per kind where the project sets one."""
    lint: LintOptions = field(default_factory=LintOptions)
    fenced_items: tuple[FencedItem, ...] = ()
    """The item directives inside code blocks; no items, so the graph does not know them:
    the Sphinx layer finds them while reading (``syntax.fenced_items``)."""
    since: Since | None = None
    """``check --since REV``: the items at REV and what changed since (rule change-uncovered)."""


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str
    message: str
    item: str | None = None
    path: str | None = None
    line: int | None = None
    hint: str | None = None
    field: str | None = None
    """The option the finding is about, for pointing at its line."""

    @property
    def location(self) -> str:
        if self.path is None:
            return "<project>"
        return f"{self.path}:{self.line}" if self.line else self.path

    def sort_key(self) -> tuple[int, str, str, int, str]:
        return (-SEVERITY[self.level], self.rule, self.path or "", self.line or 0, self.item or "")


@dataclass(frozen=True)
class Hit:
    item: Item
    message: str
    hint: str | None = None
    priority: str | None = None  # decides the level; the item's own priority if None
    line: int | None = None  # a line inside the item (e.g. of a weak word); the item's if None
    field: str | None = None  # the option the hit is about (its line is found in the source)


Check = Callable[[TraceGraph, CheckOptions], Iterable[Hit]]
"""A rule's check: the graph and the typed options in, hits out."""


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    default: RuleLevel
    check: Check
    group: str = "trace"
    per_item: bool = False
    """The hits for an item depend on that item alone (and the options): cacheable."""
    kinds: tuple[str, ...] | None = None
    """The kinds of items a per-item rule looks at; None: every kind."""


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    summary: str,
    default: str = "error",
    *,
    group: str = "trace",
    per_item: bool = False,
    kinds: tuple[str, ...] | None = None,
    **per_priority: str,
) -> Callable[[Check], Check]:
    """Register a rule; ``per_priority`` gives its default level for must/should/can."""

    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(
            rule_id, summary, RuleLevel(default, per_priority), check, group, per_item, kinds
        )
        return check

    return register
