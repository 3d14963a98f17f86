"""The project's own item fields: ``[fields.<name>]`` of specheft.toml.

A customer's list has columns specheft has no field for (Ansprechpartner, Kostenstelle,
…); declared here, such a column is an option of the item (``:ansprechpartner: …``),
shown on the item, kept in needs.json and carried through every export and import,
instead of being a line of free text. Validated once with the rest of the file; the
Sphinx layer registers the fields with sphinx-needs (``sphinxext/needs/vocabulary``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from specheft.config.reader import Key, Reader, parse_toml
from specheft.errors import ConfigError, Location, did_you_mean
from specheft.fsutil import atomic_write_bytes
from specheft.model import FIELD_DEFS, LINK_DEFS, Kind

#: a field name as it is written on an item (``:name: value``) and in needs.json
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

#: The names sphinx-needs keeps for itself (its core fields and directive options,
#: ``sphinx_needs.data.NeedsCoreFields`` of the pinned release; config/ imports no
#: Sphinx, tests/test_custom_fields.py compares the two) and specheft's own
#: (``result`` is the evidence line of a rendered item, ``links`` the generic link).
RESERVED: frozenset[str] = frozenset(
    {
        *[
            "arch",
            "collapse",
            "constraints",
            "constraints_error",
            "constraints_passed",
            "constraints_results",
            "content",
            "docname",
            "doctype",
            "external_css",
            "external_url",
            "has_dead_links",
            "has_forbidden_dead_links",
            "hide",
            "id",
            "id_complete",
            "id_parent",
            "is_external",
            "is_import",
            "is_modified",
            "is_need",
            "is_part",
            "jinja_content",
            "layout",
            "lineno",
            "lineno_content",
            "modifications",
            "parent_need",
            "parts",
            "post_content",
            "post_template",
            "pre_content",
            "pre_template",
            "section_name",
            "sections",
            "signature",
            "status",
            "style",
            "tags",
            "template",
            "title",
            "type",
            "type_color",
            "type_name",
            "type_prefix",
            "type_style",
        ],
        "links",
        "parent_needs",
        "delete",
        "duplicates",
        "result",
        "text",
        "page",
        "chapter",
    }
)

_KEYS: dict[str, Key] = {
    "label": Key((str,), ""),
    "kinds": Key((list,), None),
}

_KIND_NAMES = tuple(str(kind) for kind in Kind)
#: the fixed columns of ``export xlsx|csv`` (io/sheets/tables.py), case-folded
_HEADERS = frozenset({"id", "title", "text", "status", "chapter", "page"})


@dataclass(frozen=True)
class CustomField:
    """One declared field: free text on the items of ``kinds``."""

    name: str
    label: str
    kinds: tuple[Kind, ...]


def own_field_problem(name: str) -> str | None:
    """Why ``name`` (a ``--map`` target ``field:NAME``) can name no field of the
    project's own, or None."""
    if not FIELD_NAME.match(name):
        return "a field name is lower-case ASCII letters, digits and '_', starting with a letter"
    reason = taken(name)
    return f"{name!r} is {reason}" if reason else None


def label_clash(label: str, others: Iterable[CustomField]) -> str | None:
    """What else heads a column ``label`` in an export (case aside), or None."""
    shown = label.casefold()
    clash = next((c.name for c in others if c.label.casefold() == shown), None)
    if clash is not None:
        return f"the label of [fields.{clash}]"
    if shown in _HEADERS or taken(shown) is not None:
        return "a column of the exports"
    return None


def taken(name: str) -> str | None:
    """Why ``name`` cannot be a project's own field (a built-in has it), or None."""
    if name in FIELD_DEFS:
        return "a built-in field of specheft"
    if name in LINK_DEFS or name.endswith("_back"):
        return "a link of specheft (or its back link)"
    if name in RESERVED:
        return "a field sphinx-needs or specheft keeps for itself"
    return None


def parse_fields(reader: Reader, data: Mapping[str, Any]) -> tuple[CustomField, ...]:
    """``[fields.<name>]`` tables, in the order of the file."""
    found: list[CustomField] = []
    for name, entry in data.items():
        if not FIELD_NAME.match(name):
            _fail(
                reader,
                name,
                "a field name is lower-case ASCII letters, digits and '_', starting with "
                "a letter, at most 40 characters (it is written as :name: on the item)",
                hint=f"e.g. [fields.{derive_name(name) or 'ansprechpartner'}]",
            )
        reason = taken(name)
        if reason is not None:
            _fail(reader, name, f"{name!r} is {reason}", hint=f"e.g. [fields.{name}_kunde]")
        if not isinstance(entry, Mapping):
            _fail(reader, name, f"expected a table [fields.{name}] (label, kinds)")
        table = f"fields.{name}"
        values = reader.keys(table, entry, _KEYS)
        label = " ".join(values["label"].split())
        if values["label"] and not label:
            reader.error(table, "label", "expected a non-empty label")
        # the label heads the field's column in an export: one that names another column
        # would be read back into that column's field by an import
        clash = label_clash(label or name, found)
        if clash is not None:
            reader.error(
                table,
                "label" if values["label"] else None,
                f"the label {label or name!r} is {clash}; an import could not tell them apart",
            )
        kinds_raw = values["kinds"]
        if kinds_raw is None:
            kinds = tuple(Kind)
        else:
            if not kinds_raw:
                reader.error(table, "kinds", "expected at least one item kind (or no key: all)")
            for kind in kinds_raw:
                if not isinstance(kind, str) or kind not in _KIND_NAMES:
                    reader.error(
                        table,
                        "kinds",
                        f"unknown item kind {kind!r}; allowed: {', '.join(_KIND_NAMES)}",
                        did_you_mean(str(kind), _KIND_NAMES),
                    )
            kinds = tuple(Kind(k) for k in dict.fromkeys(kinds_raw))
        found.append(CustomField(name, label or name, kinds))
    return tuple(found)


def _fail(reader: Reader, name: str, message: str, hint: str | None = None) -> NoReturn:
    """A located error about the field ``name``: at its ``[fields.NAME]`` header, else
    at ``NAME = …`` in ``[fields]``, else at the first line naming it (a quoted name)."""
    where = reader.where(f"fields.{name}")
    if where.line is None:
        where = reader.where("fields", name)
    if where.line is None:
        line = next(
            (n for n, text in enumerate(reader.lines, 1) if "fields" in text and name in text),
            None,
        )
        where = Location(where.path, line)
    raise ConfigError(f"fields.{name}: {message}", location=where, hint=hint)


_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
)


def derive_name(header: str) -> str:
    """A field name for a column header or attribute name: lower-case ASCII with German
    umlauts transliterated, other characters ``_`` (``Kostenstelle (Kunde)`` →
    ``kostenstelle_kunde``); "" when nothing is left. The same header always gives the
    same name, so a second import finds the field the first one declared."""
    text = unicodedata.normalize("NFKD", header.translate(_UMLAUTS)).encode("ascii", "ignore")
    name = re.sub(r"[^a-z0-9]+", "_", text.decode().lower()).strip("_")[:40].rstrip("_")
    if name and not name[0].isalpha():
        name = f"f_{name}"[:40].rstrip("_")
    return name


def field_for(
    header: str, declared: Iterable[CustomField], used: Iterable[str] = ()
) -> tuple[str, bool]:
    """The field a column/attribute named ``header`` goes to: (name, already declared).

    A declared field whose label or name is the header (case and spaces aside) is
    taken; else the derived name, suffixed ``_2``, ``_3`` … when a built-in field or
    another name in ``used`` has it; ``field`` when the header has no letter or digit.
    """
    declared = tuple(declared)
    wanted = " ".join(header.split()).casefold()
    for custom in declared:
        if wanted in (custom.label.casefold(), custom.name):
            return custom.name, True
    base = derive_name(header) or "field"
    taken_names = set(used) | {c.name for c in declared}
    name, number = base, 1
    while taken(name) is not None or name in taken_names:
        number += 1
        suffix = f"_{number}"
        name = base[: 40 - len(suffix)] + suffix
    return name, False


def imported_field(header: str, known: list[CustomField]) -> CustomField:
    """The field an importer writes a column/attribute ``header`` into (see
    :func:`field_for`); a new one — for every kind, labelled with the header, or with
    its name when the header heads another column — is appended to ``known``."""
    name, declared = field_for(header, known)
    if declared:
        return next(c for c in known if c.name == name)
    label = " ".join(header.split())
    custom = CustomField(name, name if label_clash(label, known) else label, tuple(Kind))
    known.append(custom)
    return custom


def toml_table(custom: CustomField) -> str:
    """The ``[fields.NAME]`` table declaring ``custom``, as an import appends it."""
    # a JSON string is a TOML basic string (the same escapes); DEL must be escaped too
    label = json.dumps(custom.label, ensure_ascii=False).replace("\x7f", "\\u007f")
    lines = [f"[fields.{custom.name}]", f"label = {label}"]
    if set(custom.kinds) != set(Kind):
        lines.append("kinds = [" + ", ".join(f'"{k}"' for k in custom.kinds) + "]")
    return "\n".join(lines) + "\n"


def appended(path: Path, new: Sequence[CustomField]) -> tuple[bytes, bytes]:
    """(old, new bytes) of the specheft.toml ``path`` with a ``[fields.NAME]`` table per
    field of ``new`` appended: every byte before them kept (BOM, line endings), and the
    result checked as TOML before anything is written, so that an import refuses rather
    than leave a file the next build cannot read (e.g. ``fields = {…}`` inline cannot
    take another table)."""
    where = Location(str(path))
    try:
        old = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read settings: {exc.strerror}", location=where) from None
    try:
        text = old.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 encoded", location=where) from None
    newline = "\r\n" if "\r\n" in text else "\n"
    block = "\n".join(toml_table(custom) for custom in new)
    lead = "" if not text.strip() else (newline if text.endswith("\n") else newline * 2)
    added = text + lead + block.replace("\n", newline)
    data = parse_toml(added.removeprefix("\ufeff"), path)
    fields = data.get("fields")
    if not isinstance(fields, Mapping):  # pragma: no cover - the block makes the table
        raise ConfigError("[fields] is not a table", location=where)
    parse_fields(Reader(path, added.removeprefix("\ufeff")), fields)
    return old, added.encode("utf-8")


@contextmanager
def declaring(path: Path | None, new: Sequence[CustomField]) -> Iterator[None]:
    """Declare ``new`` in ``path`` (see :func:`appended`) for the ``with`` body, which
    writes the pages of an import: if the body fails, the file gets its old bytes back,
    so that the pages and their fields are written together or not at all."""
    if path is None or not new:
        yield
        return
    old, data = appended(path, new)
    atomic_write_bytes(path, data)
    try:
        yield
    except BaseException:
        atomic_write_bytes(path, old)
        raise


#: a value MyST reads back as written when it stands plain after ``:name:`` (MyST reads
#: options as YAML: a leading quote, ``#``, ``>``, ``|``, ``&``, ``*``, ``!``, … or an
#: inner `` #`` would change or break it)
_PLAIN = re.compile(r"[\w(][^#\"'\\\t]*")


def option_value(value: str) -> str:
    """``value`` (one line) as an importer writes it after ``:name:``: plain when MyST
    reads it back unchanged, else a double-quoted YAML string."""
    if _PLAIN.fullmatch(value) and not value.endswith(":"):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return f'"{escaped}"'
