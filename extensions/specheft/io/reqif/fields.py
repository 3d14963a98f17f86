"""``import reqif``: the attributes specheft has no field for become the project's own
fields (``[fields]`` of specheft.toml) instead of a "ReqIF attributes:" list in the text.

An attribute goes to a declared field whose label or name it has (an ``export reqif``
of a project writes the label as LONG-NAME), else to a new field named after it,
declared for every kind by the import. A value of several lines or XHTML with markup
(a list, bold text) cannot be an option: it stays in the text as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from specheft.config.fields import CustomField, imported_field, label_clash
from specheft.io.reqif.model import Document, Entry
from specheft.model import Kind


def to_fields(
    documents: list[Document],
    declared: Sequence[CustomField],
    named: Mapping[str, str] | None = None,
) -> list[CustomField]:
    """Move every one-line, plain value of ``extra`` into ``fields`` (in place); the new
    fields this needs, each for every kind, those some item has a value of, in order.
    ``named``: lower-cased attribute → field name, as ``--map`` names them."""
    known = list(declared)
    named = {k.strip().lower(): v for k, v in (named or {}).items()}
    by_attr: dict[str, CustomField] = {}
    used: set[str] = set()
    for document in documents:
        for entry in document.items():
            for attr in list(entry.extra):
                custom = by_attr.get(attr)
                if custom is None:
                    custom = by_attr[attr] = _field(attr, known, named.get(attr.strip().lower()))
                if _fits(entry, attr, custom):
                    entry.fields[custom.name] = " ".join(entry.extra.pop(attr).split())
                    used.add(custom.name)
    return [c for c in known[len(declared) :] if c.name in used]


def _field(attr: str, known: list[CustomField], name: str | None) -> CustomField:
    """The field for ``attr``: the one ``--map`` names (declared now if need be,
    labelled with the attribute's name), else as :func:`imported_field` finds it."""
    if name is None:
        return imported_field(attr, known)
    custom = next((c for c in known if c.name == name), None)
    if custom is None:
        label = " ".join(attr.split())
        custom = CustomField(
            name, label if label_clash(label, known) is None else name, tuple(Kind)
        )
        known.append(custom)
    return custom


def _fits(entry: Entry, attr: str, custom: CustomField) -> bool:
    value = entry.extra[attr]
    return (
        bool(value.strip())
        and "\n" not in value.strip()
        and attr not in entry.rich
        and Kind(entry.kind) in custom.kinds
        and custom.name not in entry.fields
    )
