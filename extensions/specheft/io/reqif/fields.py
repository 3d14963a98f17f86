"""``import reqif``: the attributes specheft has no field for become the project's own
fields (``[fields]`` of specheft.toml) instead of a "ReqIF attributes:" list in the text.

An attribute goes to a declared field whose label or name it has (an ``export reqif``
of a project writes the label as LONG-NAME), else to a new field named after it,
declared for every kind by the import. A value of several lines or XHTML with markup
(a list, bold text) cannot be an option: it stays in the text as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from specheft.config.fields import CustomField, imported_field
from specheft.io.reqif.model import Document, Entry
from specheft.model import Kind


def to_fields(documents: list[Document], declared: Sequence[CustomField]) -> list[CustomField]:
    """Move every one-line, plain value of ``extra`` into ``fields`` (in place); the new
    fields this needs, each for every kind, those some item has a value of, in order."""
    known = list(declared)
    by_attr: dict[str, CustomField] = {}
    used: set[str] = set()
    for document in documents:
        for entry in document.items():
            for attr in list(entry.extra):
                custom = by_attr.get(attr)
                if custom is None:
                    custom = by_attr[attr] = imported_field(attr, known)
                if _fits(entry, attr, custom):
                    entry.fields[custom.name] = " ".join(entry.extra.pop(attr).split())
                    used.add(custom.name)
    return [c for c in known[len(declared) :] if c.name in used]


def _fits(entry: Entry, attr: str, custom: CustomField) -> bool:
    value = entry.extra[attr]
    return (
        bool(value.strip())
        and "\n" not in value.strip()
        and attr not in entry.rich
        and Kind(entry.kind) in custom.kinds
        and custom.name not in entry.fields
    )
