"""Remembered hits of per-item rules, so a re-check lints only the items that changed.

A per-item rule (the requirement-quality lint) gives the same hits for an item as long
as the item and the options are unchanged. Entries are keyed by rule, a digest of the
options and a digest of everything the item holds; a changed item or option simply
misses. The file is dropped whole when specheft's rule code changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from pathlib import Path

from specheft.fsutil import atomic_write_bytes
from specheft.trace.graph import Item
from specheft.trace.ruleset import CheckOptions

#: (message, hint, priority, line, field) of one hit, without the item.
StoredHit = tuple[str, str | None, str | None, int | None, str | None]


def code_version() -> str:
    """A digest of the rule modules (lint included): a cache from other rule code is never used."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for module in sorted(here.rglob("*.py")):
        digest.update(module.relative_to(here).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def item_key(item: Item) -> str:
    """A digest of what a per-item rule reads of the item (not its links).

    Of the item's pickle, not its ``repr``: other data pickles to other bytes, and the
    same data to the same bytes (or to others, a miss), five times faster; a re-check
    takes the key of every item (0.09 of its 0.45 s of rules at 5,000 requirements)."""
    data = (item.id, item.kind, item.title, item.status, item.path, item.line, item.order)
    return hashlib.sha256(pickle.dumps((data, item.fields), protocol=5)).hexdigest()


def options_key(options: CheckOptions) -> str:
    """A digest of what the per-item rules read: the language, [ids] and [lint]. The items
    inside code blocks are left out: only a whole-project rule reads them, and a new
    fenced example would otherwise drop every remembered hit; so is ``since``, read by a
    whole-project rule only."""
    data = dataclasses.asdict(dataclasses.replace(options, fenced_items=(), since=None))
    text = json.dumps(data, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class HitCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.version = code_version()
        self.old: dict[tuple[str, str, str], tuple[StoredHit, ...]] = {}
        self.new: dict[tuple[str, str, str], tuple[StoredHit, ...]] = {}
        if path is not None and path.exists():
            try:
                with path.open("rb") as handle:
                    version, entries = pickle.load(handle)
                if version == self.version:
                    self.old = entries
            except Exception:  # an unreadable cache is an empty cache
                self.old = {}

    def get(self, key: tuple[str, str, str]) -> tuple[StoredHit, ...] | None:
        hits = self.old.get(key)
        if hits is not None:
            self.new[key] = hits
        return hits

    def put(self, key: tuple[str, str, str], hits: tuple[StoredHit, ...]) -> None:
        self.new[key] = hits

    def save(self) -> None:
        """Write the entries used in this run (so the file never grows stale)."""
        if self.path is None:
            return
        atomic_write_bytes(self.path, pickle.dumps((self.version, self.new), protocol=5))
