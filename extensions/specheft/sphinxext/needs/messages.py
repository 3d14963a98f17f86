"""sphinx-needs' log messages about one need, understood: the loggers and the exact texts.

specheft rewrites these messages for authors (the item id first, at the line of the
option concerned, with what to write instead; :mod:`specheft.sphinxext.diagnostics.locations`).
sphinx-needs has no codes for them, only texts, so the texts are pinned here: the heads
as sphinx-needs writes them (9.1: ``api/need.py``, ``directives/need.py``,
``schema/reporting.py``) and one parser per message. If sphinx-needs rewords one, the
parser returns None, the message is shown as sphinx-needs wrote it (no file:line of the
option), and ``tests/test_needs_contract.py`` fails naming the parser to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- the loggers (Sphinx prefixes the module name with "sphinx.") ---------------------

#: Schema violations (enum values, required fields, id patterns) of sealed needs.
SCHEMA_LOGGER = "sphinx.sphinx_needs.schema.process"
#: The ``need`` directives: unknown options, needs that could not be created, links.
NEED_DIRECTIVE_LOGGER = "sphinx.sphinx_needs.directives.need"
#: ``add_need`` itself (needs created by the API or by imports).
NEED_API_LOGGER = "sphinx.sphinx_needs.api.need"
NEED_LOGGERS = (NEED_DIRECTIVE_LOGGER, NEED_API_LOGGER)

# --- the message heads, as sphinx-needs writes them -----------------------------------

#: ``schema/reporting.py``: a multi-line report, one ``key: value`` line per detail.
SCHEMA_HEAD = "Need '{id}' has schema violations:"
#: ``directives/need.py``: prefix of every need that is left out.
NOT_CREATED = "Need could not be created: "
#: ``api/need.py`` (after :data:`NOT_CREATED`); ``{id!r}`` is Python's repr of the id.
BAD_ID = "Given ID {id!r} does not match configured regex"
#: ``api/need.py`` (after :data:`NOT_CREATED`), with ``needs_id_required``.
NO_ID = "No ID defined"
#: ``directives/need.py``: a link to an id that is no need.
DEAD_LINK = "Need '{id}' has unknown outgoing link '{target}' in field '{field}'"
#: ``directives/need.py``: a link to a need of a type the link does not allow.
WRONG_KIND = "Need '{id}' link '{target}' in field '{field}': target need type"
#: ``api/need.py``: an option (``what`` is "Link type" or "Field") the type does not declare.
UNDECLARED = (
    "{what} '{name}' is not declared on need type '{kind}' and cannot be set in need '{id}'"
)
#: ``directives/need.py``: an option no need type knows.
UNKNOWN_OPTION = "Unknown option '{key}'"

_SCHEMA = re.compile(r"^Need '(?P<id>[^']+)' has schema violations:")
_BAD_ID = re.compile(
    r"^Need could not be created: Given ID (?P<id>'(?:[^'\\]|\\.)*'|\"[^\"]*\") "
    r"does not match configured regex"
)
_NO_ID = re.compile(r"^Need could not be created: No ID defined")
_DEAD_LINK = re.compile(
    r"^Need '(?P<id>[^']+)' has unknown outgoing link '(?P<target>.*)' in field '(?P<field>[\w-]+)'"
)
_WRONG_KIND = re.compile(
    r"^Need '(?P<id>[^']+)' link '[^']*' in field '(?P<field>[\w-]+)': target need type"
)
_UNDECLARED = re.compile(
    r"^(?:Link type|Field) '(?P<name>[\w-]+)' is not declared on need type '(?P<kind>[\w-]+)' "
    r"and cannot be set in need '(?P<id>[^']+)'"
)
_UNKNOWN = re.compile(r"^Unknown option '(?P<key>[^']+)'$")


@dataclass(frozen=True)
class SchemaReport:
    """A schema report: the need and one ``{key: value}`` per violation (keys lower case:
    ``severity``, ``field``, ``schema message``, ``user message`` …)."""

    need_id: str
    violations: list[dict[str, str]]


@dataclass(frozen=True)
class InvalidId:
    """The id as written does not match the id pattern; the need is left out."""

    written: str


@dataclass(frozen=True)
class MissingId:
    """A need without ``:id:``; it is left out."""


@dataclass(frozen=True)
class DeadLink:
    """``need_id`` links in ``field`` to ``target``, which is no need."""

    need_id: str
    target: str
    field: str


@dataclass(frozen=True)
class WrongTargetKind:
    """``need_id`` links in ``field`` to a need of a type the link does not allow."""

    need_id: str
    field: str


@dataclass(frozen=True)
class Undeclared:
    """``need_id`` (of type ``kind``) sets the option ``name``, which its type lacks."""

    name: str
    kind: str
    need_id: str


NeedMessage = InvalidId | MissingId | DeadLink | WrongTargetKind | Undeclared


def parse_schema_report(message: str) -> SchemaReport | None:
    """The schema report in ``message`` (:data:`SCHEMA_HEAD`), or None for another message."""
    head = _SCHEMA.match(message)
    if head is None:
        return None
    found: list[dict[str, str]] = []
    for line in message.splitlines()[1:]:
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key == "severity" or not found:  # each violation starts with its severity
            found.append({})
        found[-1][key] = value.strip()
    return SchemaReport(head.group("id"), found)


def parse_need_message(message: str) -> NeedMessage | None:
    """What a message of the need loggers (:data:`NEED_LOGGERS`) says, or None for a
    message not understood here."""
    if bad := _BAD_ID.match(message):
        return InvalidId(bad.group("id")[1:-1])
    if _NO_ID.match(message):
        return MissingId()
    if dead := _DEAD_LINK.match(message):
        return DeadLink(*dead.group("id", "target", "field"))
    if wrong := _WRONG_KIND.match(message):
        return WrongTargetKind(*wrong.group("id", "field"))
    if undeclared := _UNDECLARED.match(message):
        return Undeclared(*undeclared.group("name", "kind", "id"))
    return None


def parse_unknown_option(message: str) -> str | None:
    """The option named by :data:`UNKNOWN_OPTION`, or None for another message."""
    match = _UNKNOWN.match(message)
    return match.group("key") if match else None
