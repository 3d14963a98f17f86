"""Evaluating every registered rule over a graph: levels, groups, remembered hits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from specheft.model import Priority
from specheft.trace import suspect
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.hitcache import HitCache, item_key, options_key
from specheft.trace.lint import checks
from specheft.trace.rules import changes, items, links, phases, requirements, scope
from specheft.trace.ruleset import (
    RULES,
    SEVERITY,
    CheckOptions,
    Finding,
    Hit,
    Rule,
    RuleLevel,
)


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
    # the items each set of kinds selects, in the graph's order: the per-item rules
    # share one set (the requirement-quality lint), so one pass over the graph serves all
    chosen: dict[tuple[str, ...] | None, list[Item]] = {}
    for current in all_rules().values():
        if wanted is not None and current.group not in wanted:
            continue
        configured = levels.get(current.id)
        level_of = configured.over(current.default) if configured else current.default
        if cache is not None and current.per_item:
            if item_keys is None:  # once per evaluation, shared by the per-item rules
                item_keys = {}
                opts = options_key(options)
            kinds = current.kinds
            selected = chosen.get(kinds)
            if selected is None:
                selected = chosen[kinds] = [
                    item for item in graph.items.values() if kinds is None or item.kind in kinds
                ]
            for item in selected:
                if item.id not in item_keys:
                    item_keys[item.id] = item_key(item)
            hits: Iterable[Hit] = _cached_hits(current, selected, options, cache, item_keys, opts)
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
    selected: Iterable[Item],
    options: CheckOptions,
    cache: HitCache,
    item_keys: Mapping[str, str],
    opts: str,
) -> list[Hit]:
    """The rule's hits on the ``selected`` items (those of its kinds): remembered ones for
    known items, computed ones for the rest."""
    hits: list[Hit] = []
    unknown: dict[str, Item] = {}
    keys: dict[str, tuple[str, str, str]] = {}
    for item in selected:
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


#: The modules whose rules register when imported (here), in the order of listing.
_RULE_MODULES = tuple(
    module.__name__
    for module in (requirements, items, scope, phases, links, checks, suspect, changes)
)


def all_rules() -> dict[str, Rule]:
    """Every registered rule, in the order they are listed: the trace rules, the
    requirement-quality rules, the review rules."""
    rank = {name: index for index, name in enumerate(_RULE_MODULES)}
    ordered = sorted(RULES.items(), key=lambda entry: rank.get(entry[1].check.__module__, 99))
    return dict(ordered)


def rule_ids() -> tuple[str, ...]:
    return tuple(all_rules())
