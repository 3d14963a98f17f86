"""Traceability rules and their evaluation.

A rule is a function over the graph that yields hits (item, message, hint); the
level of each hit — off, info, warning or error — comes from the project's
``[rules]`` table, optionally per priority of the requirement concerned. Every rule
is a single pass over the items and their links, so checking stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from specheft.config.reader import Reader, Table
from specheft.config.settings import Settings
from specheft.errors import did_you_mean
from specheft.model import FIELDS, KIND_DEFS, LINK_DEFS, Kind, Priority
from specheft.trace import suspect
from specheft.trace.coverage import requirement_coverage
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.hitcache import HitCache, item_key, options_key
from specheft.trace.lint import checks
from specheft.trace.lint.options import LINT_TABLE
from specheft.trace.ruleset import (
    LEVELS,
    RULES,
    SEVERITY,
    CheckOptions,
    FencedItem,
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
    "relaxed_rules",
    "rule",
    "rule_ids",
    "rule_options",
]


def _priority_word(item: Item) -> str:
    """'must' etc.; never an invalid value that sphinx-needs already reported."""
    return item.priority if item.priority in _PRIORITIES else "a"


_PRIORITIES = frozenset(str(p) for p in Priority)


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(ids)


# --- coverage of requirements -------------------------------------------------------


@rule(
    "req-satisfied",
    "a requirement is satisfied by at least one Pflichtenheft item",
    must="error",
    should="error",
    can="info",
)
def _req_satisfied(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for req in graph.of_kind(Kind.REQ):
        if not requirement_coverage(graph, req).specs:
            yield Hit(
                req,
                f"{_priority_word(req)} requirement is not satisfied by any Pflichtenheft item",
                f"add a spec item with ':satisfies: {req.id}'",
            )


@rule(
    "req-verified",
    "a requirement is verified by at least one test, directly or through a spec that satisfies it",
    must="error",
    should="info",
    can="info",
)
def _req_verified(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for req in graph.of_kind(Kind.REQ):
        cov = requirement_coverage(graph, req)
        if not cov.tests:
            hint = f"add a test with ':verifies: {req.id}'"
            if cov.specs:
                hint = (
                    f"add a test with ':verifies: {cov.specs[0]}' (its spec) or "
                    f"':verifies: {req.id}'"
                )
            yield Hit(
                req,
                f"{_priority_word(req)} requirement is not verified by any test case",
                hint,
            )


@rule("req-phase", "every requirement is assigned to a project phase")
def _req_phase(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for req in graph.of_kind(Kind.REQ):
        if not req.links.get("phase"):
            yield Hit(
                req,
                "requirement is not assigned to a phase",
                "add ':phase: PHASE-…' naming the phase in which it is delivered",
            )


# --- the items themselves ---------------------------------------------------------------


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@rule("id-pattern", "an item's id matches the id pattern of its kind ([ids] in specheft.toml)")
def _id_pattern(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    patterns = options.id_patterns
    for item in graph.items.values():
        definition = KIND_DEFS.get(item.kind)  # type: ignore[call-overload]
        if definition is None:
            continue
        pattern = patterns.get(item.kind, definition.id_pattern)
        if not _compiled(pattern).match(item.id):
            yield Hit(
                item,
                f"id {item.id!r} does not match the id pattern of {item.kind} items {pattern}",
                f"an id like {definition.id_example}",
                field="id",
            )


_LEVEL_IN_ID = re.compile(r"(?:^|-)(SIT|UAT)(?:-|$)", re.IGNORECASE)


@rule("test-level", "a test whose id names a test level (TC-SIT-…, TC-UAT-…) has that :level:")
def _test_level(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.of_kind("test", active_only=False):
        level = item.get("level")
        if not level:
            continue  # a missing level is the rule required-field's
        named = _LEVEL_IN_ID.search(item.id)
        if named and named.group(1).lower() != str(level).lower():
            yield Hit(
                item,
                f"id {item.id} names the test level {named.group(1).upper()}, but :level: is "
                f"{level}",
                f"set ':level: {named.group(1).lower()}', or give the test an id of its level",
                field="level",
            )


_REQUIRED = {kind: tuple(f.name for f in FIELDS if kind in f.required_on) for kind in KIND_DEFS}


@rule(
    "required-field",
    "an item sets the fields its kind requires (a requirement's priority, a test's level, …)",
)
def _required_field(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.items.values():
        for name in _REQUIRED.get(item.kind, ()):  # type: ignore[call-overload]
            value = item.order if name == "order" else item.get(name)
            if value in (None, "", [], ()):
                yield Hit(
                    item,
                    f"{item.kind} items must set :{name}:",
                    f"add ':{name}: …' below the directive line",
                )


@rule(
    "refines-cycle",
    "refinements form a hierarchy: no requirement refines itself, directly or in a cycle",
    "warning",
)
def _refines_cycle(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # iterative depth-first search (hierarchies can be deep); each cycle reported once,
    # at its smallest id, so the finding does not move between runs
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset[str]] = set()
    for root in graph.of_kind("req", active_only=False):
        if state.get(root.id) or not root.links.get("refines"):
            continue
        stack = [(root.id, _refined(graph, root.id))]  # the current path, with what is left
        state[root.id] = 1
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[current] = 2
                continue
            if child not in graph.items:
                continue  # an unknown target is link-kind's finding
            if state.get(child) == 1:
                path = [entry[0] for entry in stack]
                cycle = path[path.index(child) :]
                members = frozenset(cycle)
                if members in reported:
                    continue
                reported.add(members)
                start = cycle.index(min(cycle))
                ordered = cycle[start:] + cycle[:start]
                first = graph.items[ordered[0]]
                if len(ordered) == 1:
                    message = f"{first.id} refines itself"
                else:
                    message = "refinements form a cycle: " + " → ".join([*ordered, ordered[0]])
                yield Hit(
                    first,
                    message,
                    "a requirement refines a broader one; remove one link of the cycle",
                    field="refines",
                )
            elif not state.get(child):
                state[child] = 1
                stack.append((child, _refined(graph, child)))


def _refined(graph: TraceGraph, item_id: str) -> Iterator[str]:
    return iter(sorted(set(graph.items[item_id].links.get("refines", ()))))


# --- scope ----------------------------------------------------------------------------


@rule("scope-conflict", "nothing satisfies or verifies an exclusion (Abgrenzung)")
def _scope_conflict(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.items.values():
        if not item.active:
            continue
        for link in ("satisfies", "verifies"):
            for target in graph.targets(item, link):
                if target.kind == Kind.EXCL:
                    yield Hit(
                        item,
                        f"{link} exclusion {target.id} ({target.title!r}): "
                        "excluded scope must not be delivered or tested",
                        f"remove {target.id} from :{link}:, or change the Lastenheft if the "
                        "scope really changed",
                    )


@rule(
    "spec-unrequested",
    "every Pflichtenheft item satisfies at least one requirement "
    "(otherwise it is unrequested scope)",
)
def _spec_unrequested(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for spec in graph.of_kind(Kind.SPEC):
        if not any(t.kind == Kind.REQ for t in graph.targets(spec, "satisfies")):
            yield Hit(
                spec,
                "Pflichtenheft item satisfies no active requirement (unrequested scope)",
                "add ':satisfies: LH-…' or remove the item",
            )


@rule("test-unlinked", "every test case verifies at least one spec item or requirement")
def _test_unlinked(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for test in graph.of_kind(Kind.TEST):
        if not any(t.kind in (Kind.SPEC, Kind.REQ) for t in graph.targets(test, "verifies")):
            yield Hit(
                test,
                "test case verifies no active spec item or requirement",
                "add ':verifies: PH-…' or ':verifies: LH-…'",
            )


# --- phases and links -------------------------------------------------------------------


@rule("phase-order", "a test is not scheduled in an earlier phase than what it verifies")
def _phase_order(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for test in graph.of_kind(Kind.TEST):
        phase = graph.phase_of(test)
        if phase is None or phase.order is None:
            continue
        for target in graph.targets(test, "verifies"):
            target_phase = graph.phase_of(target)
            if (
                target_phase is not None
                and target_phase.order is not None
                and phase.order < target_phase.order
            ):
                yield Hit(
                    test,
                    f"is scheduled in {phase.id} (order {phase.order}), earlier than "
                    f"{target.id} in {target_phase.id} (order {target_phase.order})",
                    f"move the test to {target_phase.id} or later",
                    priority=target.priority,
                )


@rule(
    "spec-phase",
    "every Pflichtenheft item is assigned to a project phase (when it is delivered)",
)
def _spec_phase(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for spec in graph.of_kind(Kind.SPEC):
        if not spec.links.get("phase"):
            yield Hit(
                spec,
                "Pflichtenheft item is not assigned to a phase",
                "add ':phase: PHASE-…' naming the phase in which it is delivered",
            )


@rule(
    "spec-phase-order",
    "a Pflichtenheft item is not scheduled in a later phase than the requirements it satisfies",
)
def _spec_phase_order(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # delivering later than the Lastenheft asks is a contract deviation, not a detail;
    # one finding per item and priority (the level depends on the requirement's priority)
    for spec in graph.of_kind(Kind.SPEC):
        phase = graph.phase_of(spec)
        if phase is None or phase.order is None:
            continue  # spec-phase's or required-field's finding
        late: dict[str | None, list[tuple[Item, Item]]] = {}
        for req in graph.targets(spec, "satisfies"):
            req_phase = graph.phase_of(req)
            if (
                req.kind == Kind.REQ
                and req_phase is not None
                and req_phase.order is not None
                and phase.order > req_phase.order
            ):
                late.setdefault(req.priority, []).append((req, req_phase))
        for priority, pairs in _by_rank(late):
            pairs.sort(key=lambda pair: (pair[1].order or 0, pair[0].id))
            earliest = pairs[0][1]
            named = _first_three([f"{r.id} ({p.id}, order {p.order})" for r, p in pairs])
            yield Hit(
                spec,
                f"is scheduled in {phase.id} (order {phase.order}), later than "
                f"{_priority_word(pairs[0][0])} requirement{'s' if len(pairs) > 1 else ''} "
                f"{named} require{'' if len(pairs) > 1 else 's'}",
                f"deliver it in {earliest.id} or earlier, or agree a later phase in the Lastenheft",
                priority=priority,
                field="phase",
            )


_PRIORITY_RANK = {str(p): rank for rank, p in enumerate(Priority)}


def _first_three(labels: list[str]) -> str:
    """The first three labels, then how many more: a finding stays one line."""
    more = f" and {len(labels) - 3} more" if len(labels) > 3 else ""
    return ", ".join(labels[:3]) + more


def _by_rank(groups: dict[str | None, list[Any]]) -> list[tuple[str | None, list[Any]]]:
    """Groups keyed by priority, must first (then should, can, anything else)."""
    return sorted(groups.items(), key=lambda kv: (_PRIORITY_RANK.get(kv[0] or "", 9), kv[0] or ""))


@rule(
    "req-test-phase",
    "a requirement's verification is scheduled: at least one of its tests has a :phase:",
    must="error",
    should="info",
    can="off",
)
def _req_test_phase(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # reported at the tests (that is where :phase: goes), once per test and priority of
    # the requirements it leaves unscheduled (the level depends on that priority)
    unscheduled: dict[str, dict[str | None, list[Item]]] = {}
    only: dict[str, bool] = {}
    for req in graph.of_kind(Kind.REQ):
        tests = requirement_coverage(graph, req).tests
        if tests and not any(graph.phase_of(graph.items[t]) for t in tests):
            for test_id in tests:
                if not graph.items[test_id].links.get("phase"):
                    unscheduled.setdefault(test_id, {}).setdefault(req.priority, []).append(req)
                    only[test_id] = only.get(test_id, True) and len(tests) == 1
    for test_id in sorted(unscheduled):
        for priority, reqs in _by_rank(unscheduled[test_id]):
            word = _priority_word(reqs[0])
            plural = "s" if len(reqs) > 1 else ""
            named = _first_three([r.id for r in reqs])
            if only[test_id]:
                message = (
                    f"is the only test of {word} requirement{plural} {named} and has no "
                    ":phase:, so its verification is not scheduled"
                )
            else:
                message = (
                    f"has no :phase:, and no other test of {word} requirement{plural} "
                    f"{named} has one, so its verification is not scheduled"
                )
            yield Hit(
                graph.items[test_id],
                message,
                "add ':phase: PHASE-…' naming the phase in which the test runs",
                priority=priority,
            )


@rule(
    "req-uat",
    "a requirement that is tested is accepted by at least one UAT test, not by SIT tests only",
    must="warning",
    should="off",
    can="off",
)
def _req_uat(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for req in graph.of_kind(Kind.REQ):
        tests = [graph.items[t] for t in requirement_coverage(graph, req).tests]
        if tests and not any(str(t.get("level") or "").lower() == "uat" for t in tests):
            yield Hit(
                req,
                f"{_priority_word(req)} requirement is verified by SIT tests only "
                f"({_ids(t.id for t in tests)}); no acceptance test (UAT) of the customer",
                f"add a UAT test with ':verifies: {req.id}' (an inspection of the SIT "
                "protocol counts), or set the level of req-uat in [rules]",
            )


@rule("phase-order-unique", "no two phases share one :order:")
def _phase_order_unique(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    # with a shared order, "earlier" and "later" between the two phases mean nothing
    by_order: dict[int, list[Item]] = {}
    for phase in graph.of_kind(Kind.PHASE):
        if phase.order is not None:
            by_order.setdefault(phase.order, []).append(phase)
    for order, phases in sorted(by_order.items()):
        if len(phases) < 2:
            continue
        for phase in phases:
            others = _ids(p.id for p in phases if p is not phase)
            yield Hit(
                phase,
                f"has :order: {order}, like {others}",
                "give every phase its own :order: (the sequence in which the phases run)",
                field="order",
            )


@rule("link-kind", "links only between the kinds allowed, and only to existing items")
def _link_kind(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.items.values():
        for link, targets in item.links.items():
            definition = LINK_DEFS.get(link)
            if definition is None:
                continue
            if item.kind not in definition.sources:
                yield Hit(
                    item,
                    f"a {item.kind} item may not use :{link}: (allowed from: "
                    f"{_ids(definition.sources)})",
                )
                continue
            for target_id in targets:
                target = graph.get(target_id)
                if target is None:
                    yield Hit(
                        item, f":{link}: names unknown item {target_id}", "check the id for typos"
                    )
                elif target.kind not in definition.targets:
                    yield Hit(
                        item,
                        f":{link}: {target_id} is a {target.kind} item; allowed "
                        f"targets: {_ids(definition.targets)}",
                    )


@rule("inactive-linked", "rejected or obsolete items are no longer linked", "warning")
def _inactive_linked(graph: TraceGraph, options: CheckOptions) -> Iterator[Hit]:
    for item in graph.items.values():
        if not item.active:
            continue
        for link in item.links:
            for target in graph.targets(item, link, active_only=False):
                if not target.active:
                    yield Hit(
                        item,
                        f":{link}: {target.id} has status {target.status!r} and is "
                        "ignored by coverage",
                        f"remove the link to {target.id}",
                    )


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class Evaluation:
    findings: list[Finding] = field(default_factory=list)

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")


def evaluate(
    graph: TraceGraph,
    levels: Mapping[str, RuleLevel] | None = None,
    *,
    groups: Iterable[str] | None = None,
    options: CheckOptions | None = None,
    cache: HitCache | None = None,
) -> Evaluation:
    """Run every rule (of ``groups``, default all) and return the findings, most severe
    first. With a ``cache``, per-item rules check only the items it does not know."""
    levels = levels or {}
    options = options or CheckOptions()
    wanted = set(groups) if groups is not None else None
    findings = []
    item_keys: dict[str, str] | None = None
    opts = ""
    for current in all_rules().values():
        if wanted is not None and current.group not in wanted:
            continue
        configured = levels.get(current.id)
        level_of = configured.over(current.default) if configured else current.default
        if cache is not None and current.per_item:
            if item_keys is None:  # once per evaluation, shared by the per-item rules
                item_keys = {}
                opts = options_key(options)
            for item in graph.items.values():
                if item.id not in item_keys and (
                    current.kinds is None or item.kind in current.kinds
                ):
                    item_keys[item.id] = item_key(item)
            hits: Iterable[Hit] = _cached_hits(current, graph, options, cache, item_keys, opts)
        else:
            hits = current.check(graph, options)
        for hit in hits:
            level = level_of.for_priority(hit.priority or hit.item.priority)
            if level == "off":
                continue
            findings.append(
                Finding(
                    current.id,
                    level,
                    hit.message,
                    hit.item.id,
                    hit.item.path,
                    hit.line or hit.item.line,
                    hit.hint,
                    hit.field,
                )
            )
    findings.sort(key=Finding.sort_key)
    return Evaluation(findings)


def _cached_hits(
    current: Rule,
    graph: TraceGraph,
    options: CheckOptions,
    cache: HitCache,
    item_keys: Mapping[str, str],
    opts: str,
) -> list[Hit]:
    """The rule's hits: remembered ones for known items, computed ones for the rest."""
    hits: list[Hit] = []
    unknown: dict[str, Item] = {}
    keys: dict[str, tuple[str, str, str]] = {}
    for item in graph.items.values():
        if current.kinds is not None and item.kind not in current.kinds:
            continue
        key = keys[item.id] = (current.id, opts, item_keys[item.id])
        stored = cache.get(key)
        if stored is None:
            unknown[item.id] = item
        else:
            hits += [Hit(item, m, h, p, line, f) for m, h, p, line, f in stored]
    fresh: dict[str, list[Hit]] = {item_id: [] for item_id in unknown}
    for hit in current.check(TraceGraph(unknown.values()), options):
        fresh[hit.item.id].append(hit)
    for item_id, found in fresh.items():
        cache.put(
            keys[item_id], tuple((h.message, h.hint, h.priority, h.line, h.field) for h in found)
        )
        hits += found
    return hits


def relaxed_rules(levels: Mapping[str, RuleLevel]) -> dict[str, dict[str, str]]:
    """The rules configured below their built-in level: rule → {priority: level}.

    Keys are must/should/can for rules whose level depends on priority, else "default".
    A check that passes under relaxed rules proves less, and its report says so.
    """
    result: dict[str, dict[str, str]] = {}
    known = all_rules()
    for rule_id, configured in levels.items():
        current = known.get(rule_id)
        if current is None:
            continue
        builtin = current.default
        effective = configured.over(builtin)
        keyed = bool(builtin.per_priority or effective.per_priority)
        keys: tuple[str | None, ...] = tuple(str(p) for p in Priority) if keyed else (None,)
        lowered = {
            key or "default": effective.for_priority(key)
            for key in keys
            if SEVERITY[effective.for_priority(key)] < SEVERITY[builtin.for_priority(key)]
        }
        if lowered:
            result[rule_id] = lowered
    return result


#: The modules whose rules register when this one is imported, in the order of listing.
_RULE_MODULES = (__name__, checks.__name__, suspect.__name__)


def all_rules() -> dict[str, Rule]:
    """Every registered rule, in the order they are listed: the trace rules above, the
    requirement-quality rules, the review rules (registered when this module imports them)."""
    rank = {name: index for index, name in enumerate(_RULE_MODULES)}
    ordered = sorted(RULES.items(), key=lambda entry: rank.get(entry[1].check.__module__, 99))
    return dict(ordered)


def rule_ids() -> tuple[str, ...]:
    return tuple(all_rules())


# --- [rules] in specheft.toml -------------------------------------------------------------


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
