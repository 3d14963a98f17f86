"""The specheft vocabulary as sphinx-needs configuration.

Item kinds become need types, each declaring only its own fields and links, so that
sphinx-needs itself rejects ``:satisfies:`` on a test or ``:level:`` on a requirement
(``needs.undeclared_for_type``) and a link to the wrong kind (``needs.link_target_type``).
Allowed values are JSON schemas of the fields that sphinx-needs validates;
:mod:`.locations` adds file and line to its messages. The per-kind id patterns and
required fields are trace rules (``id-pattern``, ``required-field``): as sphinx-needs
type schemas they cost a tenth of a check (each schema projects every item), and a
missing required field there drops the item, which then breaks every link to it.
"""

from __future__ import annotations

from typing import Any

from specheft.config.settings import Settings
from specheft.labels import label
from specheft.model import FIELD_DEFS, FIELDS, GLOBAL_ID_PATTERN, KINDS, LINKS, FieldDef, Status

#: A non-negative decimal number, with a decimal point or comma.
NUMBER_PATTERN = r"^[0-9]+([.,][0-9]+)?$"


def allowed_values(settings: Settings, name: str) -> list[str] | None:
    """The values a field may take, or None when it is free text."""
    if name == "status":
        return [str(s) for s in Status]
    if name == "area":
        return sorted(settings.areas) or None
    field = FIELD_DEFS.get(name)
    return [str(v) for v in field.values] if field and field.values else None


def _field_schema(field: FieldDef, settings: Settings) -> dict[str, Any]:
    if field.value_type == "integer":
        return {"type": "integer", "minimum": 0}
    if field.value_type == "number":
        # a string, so that a German "2,5" is read (a JSON number would refuse it)
        return {"type": "string", "pattern": NUMBER_PATTERN}
    schema: dict[str, Any] = {"type": "string"}
    if field.value_type == "date":
        schema["format"] = "date"
    allowed = allowed_values(settings, field.name)
    if allowed:
        schema["enum"] = allowed
    return schema


def need_types(settings: Settings) -> list[dict[str, Any]]:
    lang = settings.language
    types = []
    for kind_def in KINDS:
        kind = kind_def.kind
        fields = {
            f.name: {
                "description": label(lang, f"field.{f.name}"),
                "nullable": True,
                "schema": _field_schema(f, settings),
            }
            for f in FIELDS
            if kind in f.kinds
        }
        # the project's own fields ([fields] of specheft.toml): free text, declared on
        # their kinds only, so an undeclared option stays an error as for the built-ins
        fields.update(
            (
                custom.name,
                {"description": custom.label, "nullable": True, "schema": {"type": "string"}},
            )
            for custom in settings.fields
            if kind in custom.kinds
        )
        links = {
            link.name: {
                "description": label(lang, f"link.{link.name}.out"),
                "outgoing": label(lang, f"link.{link.name}.out"),
                "incoming": label(lang, f"link.{link.name}.in"),
                "target_types": [str(t) for t in link.targets],
            }
            for link in LINKS
            if kind in link.sources
        }
        entry: dict[str, Any] = {
            "directive": str(kind),
            "title": label(lang, f"kind.{kind}"),
            "prefix": kind_def.prefix,
            "color": kind_def.color,
            "style": "node",
        }
        if fields:
            entry["fields"] = fields
        if links:
            entry["links"] = links
        types.append(entry)
    return types


def needs_config(settings: Settings) -> dict[str, Any]:
    """All ``needs_*`` values specheft sets; the user's own values are merged in by the caller."""
    return {
        "needs_types": need_types(settings),
        "needs_fields": {
            "status": {
                "description": label(settings.language, "field.status"),
                "nullable": True,
                "schema": {"type": "string", "enum": allowed_values(settings, "status")},
            },
        },
        "needs_id_regex": GLOBAL_ID_PATTERN,
        "needs_id_required": True,
        "needs_build_json": True,
        "needs_reproducible_json": True,
        "needs_title_optional": False,
        "needs_table_style": "DATATABLES",
        # {needflow} with Graphviz, which the trace diagrams use already (PlantUML would
        # need Java and a jar; without them sphinx-needs prints an error into the page)
        "needs_flow_engine": "graphviz",
        # {need}`ID` shows "title (ID)"; sphinx-needs cuts titles after 30 characters
        # ("Datenhaltung in der Europäi...") — in a contract the whole title is read
        "needs_role_need_max_title_length": -1,
    }
