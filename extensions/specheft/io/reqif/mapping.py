"""``import reqif --map FILE``: how another tool's names become specheft's.

A small TOML file; every table is optional, keys are the names as the ReqIF file has
them (an attribute's or type's LONG-NAME, else its IDENTIFIER; case does not matter)::

    [attributes]              # attribute → id | title | text | a specheft field
    "Absolute Number" = "id"  #   | field:NAME (a field of the project's own)
    "Object Text" = "text"
    "Kundenpriorität" = "priority"
    "Begründung" = "rationale"

    [relations]               # relation type → link kind, or "attribute" (kept on the item)
    "Satisfies" = "refines"
    "Child Of" = "attribute"

    [types]                   # SPEC-OBJECT-TYPE → item kind, or "heading"
    "Information" = "heading"
    "Exclusion" = "excl"

    [priorities]              # enumeration value or word → must | should | can
    "P1" = "must"

    [statuses]                # workflow state → a specheft status
    "In Clarification" = "review"

What the map names wins over the built-in guesses; anything it does not name is read as
without a map. A wrong table, key or target is a located error (exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specheft.config.fields import own_field_problem
from specheft.config.reader import Reader, read_map
from specheft.errors import did_you_mean
from specheft.model import FIELD_DEFS, LINK_DEFS, Kind, Priority, Status

HEADING = "heading"
OWN_FIELD = "field:"  # an [attributes] target: "field:NAME", the project's own field
KEEP = "attribute"
ATTRIBUTE_TARGETS = ("id", "title", "text", "status", "tags", *FIELD_DEFS)
_TABLES = ("attributes", "relations", "types", "priorities", "statuses")


@dataclass(frozen=True)
class ImportMap:
    """Lower-cased source name → target, per table."""

    attributes: Mapping[str, str] = field(default_factory=dict)
    relations: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)
    priorities: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    #: the kind of objects whose type names no specheft kind (``--kind``)
    default_kind: str = Kind.REQ.value

    def own_fields(self) -> dict[str, str]:
        """Lower-cased attribute name → the field of the project's own it goes to."""
        return {
            attr: target.removeprefix(OWN_FIELD)
            for attr, target in self.attributes.items()
            if target.startswith(OWN_FIELD)
        }


def _table(
    reader: Reader, data: Mapping[str, Any], name: str, allowed: tuple[str, ...]
) -> dict[str, str]:
    raw = data.get(name, {})
    if not isinstance(raw, Mapping):
        reader.error("", name, f"must be a table ([{name}]), got {type(raw).__name__}")
    found: dict[str, str] = {}
    for key, value in raw.items():
        if name == "attributes" and isinstance(value, str) and value.startswith(OWN_FIELD):
            problem = own_field_problem(value.strip().removeprefix(OWN_FIELD))
            if problem:
                reader.error(name, key, f"{value!r}: {problem}")
            found[str(key).strip().lower()] = value.strip()
            continue
        if not isinstance(value, str) or value.strip() not in allowed:
            reader.error(
                name,
                key,
                f"{value!r} is not allowed; allowed: {', '.join(allowed)}",
                did_you_mean(str(value), allowed),
            )
        found[str(key).strip().lower()] = value.strip()
    return found


def load_map(path: Path, default_kind: str = Kind.REQ.value) -> ImportMap:
    """The map in ``path``; a located error for anything wrong in it."""
    data, reader = read_map(path, _TABLES)
    kinds = tuple(k.value for k in Kind if k is not Kind.CATALOG)
    return ImportMap(
        attributes=_table(reader, data, "attributes", ATTRIBUTE_TARGETS),
        relations=_table(reader, data, "relations", (*LINK_DEFS, KEEP)),
        types=_table(reader, data, "types", (*kinds, HEADING)),
        priorities=_table(reader, data, "priorities", tuple(p.value for p in Priority)),
        statuses=_table(reader, data, "statuses", tuple(s.value for s in Status)),
        default_kind=default_kind,
    )
