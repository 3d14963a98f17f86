"""Suspect links: a spec or test whose link target changed since it was reviewed.

A Pflichtenheft item is written against the requirements it satisfies, a test against
the specs and requirements it verifies. When such a target's content changes, the
linking item may no longer fit: it is *suspect* until someone reviews it. The review is
recorded in the linking item's own source, so that it shows in a merge request and
survives reformatting::

    :reviewed: LH-KON-001@3fa9c2 PH-KON-003@91be07

one short fingerprint per link target: the first hex digits of a SHA-256 over the
target's normalized content — title, text, priority and acceptance criterion, whitespace
folded as in a document's fingerprint (``fingerprint.normalize``). Re-wrapping a
paragraph changes nothing; a changed word, priority or criterion does.

A link without a recorded review is not suspect: there is nothing to compare with
(Polarion's fresh link, Doorstop's unstamped one). ``specheft review --all`` records the
current state of every link once — the start of change control for a project.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from specheft.model import Kind
from specheft.trace.fingerprint import normalize
from specheft.trace.graph import Item, TraceGraph
from specheft.trace.ruleset import Hit, rule

FIELD = "reviewed"
#: the hex digits written; a longer recorded fingerprint is compared on its length
SHORT = 6
#: what a review covers of the target: a change of these makes the link suspect
CONTENT_FIELDS = ("title", "content", "priority", "acceptance")
#: the links a kind of item is reviewed along, and the kinds of their targets
REVIEWED_LINKS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    Kind.SPEC: (("satisfies", (Kind.REQ,)),),
    Kind.TEST: (("verifies", (Kind.REQ, Kind.SPEC)),),
}
_TOKEN = re.compile(r"^(?P<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)@(?P<fp>[0-9a-f]{6,64})$")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Record:
    target: str
    fingerprint: str


def parse(value: str) -> tuple[list[Record], list[str]]:
    """The records of a ``:reviewed:`` value and what is wrong with it (one problem per
    malformed or repeated entry)."""
    records: list[Record] = []
    problems: list[str] = []
    seen: set[str] = set()
    for token in _SEPARATORS.split(str(value).strip()):
        if not token:
            continue
        match = _TOKEN.match(token)
        if match is None:
            problems.append(
                f"{token!r} is not ID@FINGERPRINT (an item id, '@' and {SHORT} to 64 "
                "lower-case hex digits)"
            )
        elif match["id"] in seen:
            problems.append(f"names {match['id']} twice")
        else:
            seen.add(match["id"])
            records.append(Record(match["id"], match["fp"]))
    return records, problems


def content(item: Item) -> dict[str, Any]:
    """What a review of ``item`` as a link target covers, normalized."""
    values = {"id": item.id, "title": item.title}
    values.update({name: item.fields[name] for name in CONTENT_FIELDS if name in item.fields})
    normal = normalize(values)
    return {name: normal[name] for name in CONTENT_FIELDS if name in normal}


def content_fingerprint(item: Item) -> str:
    """The full hex digest of :func:`content`; ``:reviewed:`` keeps its first digits."""
    payload = json.dumps(content(item), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def reviewed_targets(graph: TraceGraph, item: Item) -> list[tuple[str, Item]]:
    """(link, target) for every existing target ``item`` is reviewed against, each once,
    in the order the links name them."""
    found: list[tuple[str, Item]] = []
    seen: set[str] = set()
    for link, kinds in REVIEWED_LINKS.get(item.kind, ()):
        for target in graph.targets(item, link, active_only=False):
            if target.kind in kinds and target.id not in seen:
                seen.add(target.id)
                found.append((link, target))
    return found


State = Literal["reviewed", "suspect", "unrecorded"]


@dataclass(frozen=True)
class LinkState:
    item: Item
    link: str
    target: Item
    recorded: str | None  # the fingerprint in :reviewed:, None when there is none
    current: str  # the target's full fingerprint now

    @property
    def state(self) -> State:
        if self.recorded is None:
            return "unrecorded"
        return "reviewed" if self.current.startswith(self.recorded) else "suspect"


def reviewing_items(graph: TraceGraph) -> Iterator[Item]:
    """The active items that are reviewed against their link targets, in id order."""
    for kind in REVIEWED_LINKS:
        yield from graph.of_kind(kind)


def link_states(
    graph: TraceGraph, item: Item, known: dict[str, str] | None = None
) -> list[LinkState]:
    """The review state of each link of ``item`` (a malformed record counts as none);
    ``known`` remembers the targets' fingerprints across calls (a requirement has many
    specs and tests)."""
    records, _ = parse(str(item.get(FIELD) or ""))
    recorded = {r.target: r.fingerprint for r in records}
    known = {} if known is None else known
    states = []
    for link, target in reviewed_targets(graph, item):
        current = known.get(target.id)
        if current is None:
            current = known[target.id] = content_fingerprint(target)
        states.append(LinkState(item, link, target, recorded.get(target.id), current))
    return states


# --- rules ------------------------------------------------------------------------------


@rule(
    "suspect-link",
    "a spec or test whose link target changed since it was reviewed is reviewed again "
    "(:reviewed: in its source; specheft review)",
    "warning",
)
def _suspect_link(graph: TraceGraph, options: object) -> Iterator[Hit]:
    known: dict[str, str] = {}
    for item in reviewing_items(graph):
        value = item.get(FIELD)
        if not value:
            continue  # never reviewed: nothing to compare with
        states = link_states(graph, item, known)
        for state in states:
            if state.state != "suspect":
                continue
            target = state.target
            assert state.recorded is not None
            yield Hit(
                item,
                f":{state.link}: {target.id} changed since {item.id} was reviewed against it "
                f"(its title, text, priority or acceptance criterion: reviewed "
                f"@{state.recorded}, now @{state.current[:SHORT]})",
                f"check that {item.id} still fits {target.id} ('specheft review --list' shows "
                f"what changed), then run 'specheft review {item.id}'",
                field=FIELD,
            )
        linked = {state.target.id for state in states}
        records, _ = parse(str(value))
        for record in records:
            if record.target not in linked and graph.get(record.target) is not None:
                yield Hit(
                    item,
                    f":{FIELD}: names {record.target}, which {item.id} no longer links to",
                    f"run 'specheft review {item.id}' to update the record",
                    field=FIELD,
                )


@rule(
    "reviewed-value",
    "a :reviewed: value lists ID@FINGERPRINT of existing items (written by specheft review)",
)
def _reviewed_value(graph: TraceGraph, options: object) -> Iterator[Hit]:
    for item in graph.items.values():
        value = item.get(FIELD)
        if not value:
            continue
        records, problems = parse(str(value))
        for problem in problems:
            yield Hit(
                item,
                f":{FIELD}: {problem}",
                f"write it as 'LH-KON-001@3fa9c2 …', or let 'specheft review {item.id}' write it",
                field=FIELD,
            )
        for record in records:
            if graph.get(record.target) is None:
                yield Hit(
                    item,
                    f":{FIELD}: names unknown item {record.target}",
                    "check the id for typos, or remove the entry",
                    field=FIELD,
                )
