"""The items of a git revision as kept on disk, one file per commit.

``check --since``, the baselines of ``specheft build`` and ``specheft diff`` build a
revision's items once and keep them in ``_build/.doctrees/since/<commit>.json``; the
``{item-diff}`` annex reads the same files during a build. One format, written and read
here. A revision's sources never change, the code that read them may: a file written by
other code (another specheft, other library versions) is a miss.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from specheft.codekey import code_digest
from specheft.trace.diff import ItemState


@dataclass(frozen=True)
class DocumentState:
    """One document at a revision: its fingerprint and the ids it covers (the items on
    its pages and those its trace directives show, as the fingerprint counts them)."""

    digest: str
    ids: tuple[str, ...]
    own: tuple[str, ...]  # the items on its pages only (what it holds, not what it shows)


@dataclass(frozen=True)
class RevisionItems:
    items: dict[str, ItemState]
    documents: dict[str, DocumentState]  # by document name, as that revision configures them


def encode_revision(revision: RevisionItems) -> bytes:
    data = {
        "version": code_digest(),
        "items": {key: asdict(state) for key, state in revision.items.items()},
        "documents": {name: asdict(state) for name, state in revision.documents.items()},
    }
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def decode_revision(raw: bytes) -> RevisionItems | None:
    """The kept items; None when the data is damaged or was written by other code."""
    try:
        stored = json.loads(raw)
        if stored["version"] != code_digest():
            return None
        return RevisionItems(
            {
                key: ItemState(
                    value["id"],
                    value["kind"],
                    value["path"],
                    value["line"],
                    value["values"],
                    {name: tuple(ids) for name, ids in value["links"].items()},
                )
                for key, value in stored["items"].items()
            },
            {
                name: DocumentState(value["digest"], tuple(value["ids"]), tuple(value["own"]))
                for name, value in stored["documents"].items()
            },
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
