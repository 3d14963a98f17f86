"""A fingerprint of the items of a document: SHA-256 over their normalized content.

Anyone can recompute it from a tagged revision (``specheft fingerprint REV``) and compare
it with the value printed in a signed PDF. Normalized means: only what the items say —
id, kind, title, text, fields, outgoing links — with whitespace folded and keys sorted;
not where they stand (line numbers) and not what others say about them (back-links).

A document whose pages hold trace directives (matrix, summary, item trace) instead of
items certifies the items and links those directives show: its fingerprint covers the
items on its pages plus every item a directive shows, with their outgoing links, so
that any change of coverage changes it (``shown_ids``). A vendor comparison or a
bidder's answers show every requirement as the bidders were asked it, and the stored
answers: the fingerprint covers both (``answer_records``), so that a signed
Angebotsauswertung certifies what was scored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from specheft.model import FIELD_DEFS, LINKS, Kind
from specheft.trace.coverage import matrix_rows, requirement_coverage, select_rows
from specheft.trace.graph import NeedLike, TraceGraph, walk

#: not ``reviewed``: a review record is process, not content; recording one must not
#: change a signed document's fingerprint, nor make the items linked to it suspect
_TEXT_FIELDS = ("title", "content", "status", *(f for f in FIELD_DEFS if f != "reviewed"))
_LINKS = tuple(link.name for link in LINKS)
#: a field with one of these values is left out
_EMPTY: tuple[Any, ...] = (None, "", [], ())
#: what json.dumps(…, ensure_ascii=False, sort_keys=True, separators=(",", ":")) uses,
#: made once (json.dumps makes one per call: a tenth of the fingerprints' time)
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def normalize(need: NeedLike, own: Sequence[str] = ()) -> dict[str, Any]:
    """``own``: the project's own fields ([fields] in specheft.toml), content like the
    built-in ones (their names never clash with those: config/fields.py refuses it)."""
    get = need.get
    item: dict[str, Any] = {"id": need["id"], "type": get("type")}
    for name in (*_TEXT_FIELDS, *own):
        value = get(name)
        # most fields of an item are None: tested first, before the four comparisons
        if value is not None and value not in _EMPTY:
            # = re.sub(r"\s+", " ", …).strip(): str.split's whitespace is re's \s (the
            # same Unicode test in CPython), a quarter of the time per value
            item[name] = " ".join(str(value).split())
    tags = get("tags")
    if tags:
        item["tags"] = sorted(map(str, tags))
    for name in _LINKS:
        value = get(name)
        if value:
            item[name] = sorted(map(str, value))
    return item


def fingerprint(
    needs: Iterable[NeedLike],
    memo: dict[str, str] | None = None,
    own: Sequence[str] = (),
    records: Sequence[Mapping[str, Any]] = (),
) -> tuple[str, int]:
    """(hex digest, number of items) over the given needs, in id order.

    ``memo`` (id → normalized text) keeps each item's text for the next call: a build
    fingerprints several documents over the same items. The payload is the JSON list of
    the normalized items, written item by item (the same text as one ``json.dumps``).
    ``records``: what the document shows besides items (``answer_records``), each with
    an ``id`` of its own (never an item's), in the same list, not counted as items; none:
    the payload of the items alone, as before there were any."""
    texts: list[tuple[str, str]] = []
    for need in needs:
        key = str(need["id"])
        text = memo.get(key) if memo is not None else None
        if text is None:
            text = _JSON.encode(normalize(need, own))
            if memo is not None:
                memo[key] = text
        texts.append((key, text))
    items = len(texts)
    texts.extend((str(record["id"]), _JSON.encode(dict(record))) for record in records)
    texts.sort(key=lambda pair: pair[0])
    payload = "[" + ",".join(text for _, text in texts) + "]"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest(), items


#: The renderers of the vendor directives: they show every requirement as asked, and
#: the stored answers.
VENDOR_RENDERERS = ("vendors", "vendor-answers")
#: The id prefix of an answer file's record: no item id holds a colon.
ANSWERS_PREFIX = "answers:"


def shows_answers(directives: Iterable[Mapping[str, Any]]) -> bool:
    return any(d.get("renderer") in VENDOR_RENDERERS for d in directives)


def answer_records(files: Iterable[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """One record per stored answer file (``(file name, content)``): its JSON, with keys
    sorted and whitespace as ``json`` writes it, so re-saving the file changes nothing
    and any changed answer, effort or comment changes the fingerprint; a file that is no
    JSON by its SHA-256 (the build warns about it and shows the other bidders)."""
    records: list[dict[str, Any]] = []
    for name, data in sorted(files):
        try:
            content = _JSON.encode(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            records.append(
                {"id": ANSWERS_PREFIX + name, "sha256": hashlib.sha256(data).hexdigest()}
            )
            continue
        records.append({"id": ANSWERS_PREFIX + name, "answers": content})
    return records


def shown_ids(graph: TraceGraph, directives: Iterable[Mapping[str, Any]]) -> set[str]:
    """The ids of the items that trace directives show, each given as the attributes of
    its placeholder (``renderer`` and its options): what the directive's tables are made of.

    matrix: its selected rows with their specs, tests, satisfied requirements and phase;
    summary: every active requirement with the specs and tests its counts depend on;
    item trace: the start item and what the walk reaches both ways; vendor comparison
    and answers: every active requirement (what the bidders were asked).
    """
    shown: set[str] = set()
    for directive in directives:
        renderer = directive.get("renderer")
        if renderer == "matrix":
            options = dict(directive.get("options") or {})
            for row in select_rows(matrix_rows(graph, options.get("kind", "req")), options):
                shown.update((row.item.id, *row.specs, *row.tests, *row.satisfies))
                if row.phase is not None:
                    shown.add(row.phase.id)
        elif renderer == "summary":
            for req in graph.of_kind(Kind.REQ):
                cov = requirement_coverage(graph, req)
                shown.update((req.id, *cov.specs, *cov.tests))
        elif renderer in VENDOR_RENDERERS:  # each bidder was asked every requirement
            shown.update(req.id for req in graph.of_kind(Kind.REQ))
        elif renderer == "trace":
            options = dict(directive.get("options") or {})
            start = graph.get(str(options.get("target")))
            if start is None:
                continue  # the build reports the unknown id
            shown.add(start.id)
            depth = int(options.get("depth") or 3)
            for upstream in (True, False):
                items, _ = walk(graph, start, depth, upstream=upstream)
                shown.update(item.id for item in items)
    return shown


def document_needs(
    needs: Iterable[NeedLike],
    docnames: Iterable[str],
    directives: Iterable[Mapping[str, Any]] = (),
    graph: TraceGraph | None = None,
) -> list[NeedLike]:
    """What a document's fingerprint covers: the items on its pages and the items its
    trace directives show (``graph``: the graph of ``needs``, when the caller has it)."""
    pages = set(docnames)
    every = [n for n in needs if not n.get("is_external")]
    wanted = list(directives)
    shown = shown_ids(graph or TraceGraph.from_needs(every), wanted) if wanted else set()
    return [n for n in every if n.get("docname") in pages or str(n["id"]) in shown]
