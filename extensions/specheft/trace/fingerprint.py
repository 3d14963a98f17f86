"""A fingerprint of the items of a document: SHA-256 over their normalized content.

Anyone can recompute it from a tagged revision (``specheft fingerprint REV``) and compare
it with the value printed in a signed PDF. Normalized means: only what the items say —
id, kind, title, text, fields, outgoing links — with whitespace folded and keys sorted;
not where they stand (line numbers) and not what others say about them (back-links).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from ..model import FIELD_DEFS, LINKS
from .graph import NeedLike

_TEXT_FIELDS = ("title", "content", "status", *FIELD_DEFS)
_LINKS = tuple(link.name for link in LINKS)
_SPACE = re.compile(r"\s+")


def normalize(need: NeedLike) -> dict[str, Any]:
    item: dict[str, Any] = {"id": need["id"], "type": need.get("type")}
    for name in _TEXT_FIELDS:
        value = need.get(name)
        if value not in (None, "", [], ()):
            item[name] = _SPACE.sub(" ", str(value)).strip()
    tags = need.get("tags")
    if tags:
        item["tags"] = sorted(str(t) for t in tags)
    for name in _LINKS:
        value = need.get(name)
        if value:
            item[name] = sorted(str(v) for v in value)
    return item


def fingerprint(needs: Iterable[NeedLike]) -> tuple[str, int]:
    """(hex digest, number of items) over the given needs, in id order."""
    items = sorted((normalize(n) for n in needs), key=lambda i: str(i["id"]))
    payload = json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest(), len(items)
