"""Give sphinx-needs' messages about one item a file and line, and words for authors.

sphinx-needs 9.1 reports a schema violation (an enum value, a required field, an id
pattern) with the need id and the schema path only. A logging filter on its schema
logger looks the need up, sets the record's location to the need's source line and
rewrites the multi-line report as one line: ``file:line: ERROR: ID: :field: …; allowed: …``.
Its messages about a need that could not be created, a dead or wrong link, an option
the type lacks or no type knows are rewritten the same way, at the option's line.
The texts are understood by :mod:`specheft.sphinxext.needs.messages`.
"""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from specheft.config.settings import Settings
from specheft.errors import did_you_mean
from specheft.model import GERMAN_VALUES, GLOBAL_ID_PATTERN, KINDS, LINK_DEFS
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.diagnostics.item_source import options_of
from specheft.sphinxext.diagnostics.logfilters import install_build_filters
from specheft.sphinxext.needs.data import needs_so_far, needs_view
from specheft.sphinxext.needs.messages import (
    NEED_LOGGERS,
    SCHEMA_LOGGER,
    DeadLink,
    InvalidId,
    MissingId,
    Undeclared,
    WrongTargetKind,
    parse_need_message,
    parse_schema_report,
    parse_unknown_option,
)
from specheft.sphinxext.needs.vocabulary import NUMBER_PATTERN, allowed_values
from specheft.trace.sourcelines import SourceLines, option_line

_VALUE = re.compile(r'^"(?P<value>(?:[^"\\]|\\.)*)" (?P<rest>.*)$')


def describe(violation: dict[str, str], settings: Settings) -> str:
    """One readable sentence for one violation, with the allowed values where known."""
    field = violation.get("field", "")
    schema_message = violation.get("schema message", "")
    user_message = violation.get("user message", "")
    match = _VALUE.match(schema_message)
    value = match.group("value") if match else None
    if field == "id" and value is not None and user_message:
        return f"id {value!r} {user_message}"
    if user_message:
        return user_message
    allowed = allowed_values(settings, field)
    if value is not None and match and "is not one of" in match.group("rest") and allowed:
        text = f":{field}: {value!r} is not allowed; allowed: {', '.join(allowed)}"
        german = {k.casefold(): v for k, v in GERMAN_VALUES.get(field, {}).items()}
        if value.casefold() in german:  # in a German project it would have been read
            meant = german[value.casefold()]
            return f"{text} (did you mean {meant!r}? German words are read in German projects)"
        hint = did_you_mean(value, allowed)
        return f"{text} ({hint})" if hint else text
    if value is not None and match and 'is not a "date"' in match.group("rest"):
        return f":{field}: {value!r} is not a date; write YYYY-MM-DD"
    if value is not None and match and NUMBER_PATTERN in match.group("rest"):
        return f":{field}: {value!r} is not a number; write e.g. 3 or 2,5"
    return f":{field}: {schema_message}" if field else schema_message


class _SchemaLocationFilter(logging.Filter):
    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app
        self._lines = SourceLines()

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        report = parse_schema_report(message)
        if report is None or getattr(record, "location", None):
            return True

        need_id, violations = report.need_id, report.violations
        settings = settings_of(self.app)
        details = "; ".join(describe(v, settings) for v in violations) or message
        record.msg = f"{need_id}: {details}"
        record.args = ()
        need = self._need(need_id)
        if need is not None and need.get("docname"):
            fields = {v.get("field", "") for v in violations}
            line = need.get("lineno")
            field = fields.pop() if len(fields) == 1 else ""
            if field and line:
                path = Path(self.app.env.doc2path(need["docname"]))
                line = self._lines.option_line(path, line, field) or line
            record.location = (need["docname"], line)
        return True

    def _need(self, need_id: str) -> Any:
        try:
            return needs_view(self.app.env).get(need_id)
        except Exception:  # the report must never be lost because the lookup failed
            return None


#: What to write instead of a link option the kind does not have.
_LINK_INSTEAD = {
    ("test", "satisfies"): "tests use :verifies:",
    ("spec", "verifies"): "spec items use :satisfies: (tests verify them)",
    ("req", "satisfies"): "a requirement is linked from its spec items (:satisfies: on the spec)",
    ("req", "verifies"): "a requirement is linked from its tests (:verifies: on the test)",
    ("phase", "phase"): "a phase is named by the items scheduled in it (:phase: on them)",
}
_UMLAUTS = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "ẞ": "SS"})


def suggested_id(written: str) -> str | None:
    """The id the author probably meant: upper case, umlauts spelt out, '-' between parts."""
    text = written.upper().translate(_UMLAUTS)
    text = re.sub(r"[\s_./]+", "-", text.strip())
    text = re.sub(r"[^A-Z0-9-]", "", text).strip("-")
    return text if text != written and re.match(GLOBAL_ID_PATTERN, text) else None


class _NeedMessageFilter(logging.Filter):
    """sphinx-needs' messages about one item, rewritten for authors: the item id first,
    at the line of the option concerned, with what to write instead.

    Idempotent: in a parallel read the record passes the filter in the worker and again
    in the main process; the second time the text no longer matches.
    """

    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app
        self._lines = SourceLines()
        self._targets: dict[tuple[str, int], list[str]] = {}
        self._hints: dict[tuple[str, str, int], str | None] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        with contextlib.suppress(Exception):  # a message is never lost for a failed rewrite
            self._rewrite(record)
        return True

    def _rewrite(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if (key := parse_unknown_option(message)) is not None:
            self._unknown_option(record, key)
            return
        said = parse_need_message(message)
        if isinstance(said, InvalidId):
            hint = suggested_id(said.written)
            text = (
                f"id {said.written!r} is not a valid id, so this item is left out: ids are "
                "upper-case letters A-Z, digits and '-' (no umlauts, no spaces)"
            )
            self._set(record, text + (f"; did you mean {hint!r}?" if hint else ""), "id")
        elif isinstance(said, MissingId):
            kind = self._kind(record)
            example = next((k.id_example for k in KINDS if k.kind == kind), "LH-KON-001")
            self._set(
                record, f"this item has no :id:, so it is left out; add e.g. ':id: {example}'"
            )
        elif isinstance(said, DeadLink):
            self._set(record, self._dead_link(said), said.field)
        elif isinstance(said, WrongTargetKind):
            self._set(record, message, said.field)  # the text says it well
        elif isinstance(said, Undeclared):
            instead = _LINK_INSTEAD.get((said.kind, said.name))
            if instead is None:
                allowed = options_of(said.kind, settings_of(self.app).fields)
                instead = f"allowed: {', '.join(allowed)}"
                if hint := did_you_mean(said.name, allowed):
                    instead += f" ({hint})"
            text = (
                f"{said.need_id}: :{said.name}: is not an option of {said.kind} items, "
                f"so it is ignored; {instead}"
            )
            self._set(record, text, said.name)

    def _unknown_option(self, record: logging.LogRecord, key: str) -> None:
        """The option's own line and the closest allowed option (sphinx-needs names the
        option only, at the directive's line)."""
        kind = self._kind(record)
        if kind is None:
            return
        allowed = options_of(kind, settings_of(self.app).fields)
        hint = did_you_mean(key, allowed)
        text = f"unknown option :{key}: on a {kind} item (ignored); allowed: {', '.join(allowed)}"
        self._set(record, text + (f" ({hint})" if hint else ""), key)

    def _dead_link(self, dead: DeadLink) -> str:
        need_id, target, field = dead.need_id, dead.target, dead.field
        text = f"{need_id}: :{field}: names {target!r}, which is no item"
        parts = [p for p in re.split(r"[\s;]+", target) if p]
        if len(parts) > 1:
            return f"{text}: separate ids with commas (:{field}: {', '.join(parts)})"
        needs = needs_so_far(self.app.env)
        # a renamed item leaves many dead links to it: look each distinct one up once
        key = (field, target, len(needs))
        if key not in self._hints:
            if (field, len(needs)) not in self._targets:
                link = LINK_DEFS.get(field)
                kinds = {str(t) for t in link.targets} if link else None
                self._targets[field, len(needs)] = [
                    k for k, n in needs.items() if kinds is None or n.get("type") in kinds
                ]
            self._hints[key] = did_you_mean(target, self._targets[field, len(needs)])
        hint = self._hints[key]
        return f"{text} ({hint})" if hint else text

    def _source(self, record: logging.LogRecord) -> tuple[list[str], int] | None:
        """The lines of the record's file and its (1-based) line."""
        location = getattr(record, "location", None)
        if isinstance(location, tuple) and len(location) == 2:
            docname, line = location
            if not docname or not isinstance(line, int):
                return None
            path = Path(self.app.env.doc2path(str(docname)))
        elif isinstance(location, str) and (head := location.rpartition(":"))[2].isdigit():
            path, line = Path(head[0]), int(head[2])
        else:
            return None
        return self._lines.lines(path), line

    def _kind(self, record: logging.LogRecord) -> str | None:
        found = self._source(record)
        if found is None or not 0 < found[1] <= len(found[0]):
            return None
        opening = re.match(r"^\s*(?::{3,}|`{3,})\{(?P<kind>[\w-]+)\}", found[0][found[1] - 1])
        return opening.group("kind") if opening else None

    def _set(self, record: logging.LogRecord, text: str, option: str | None = None) -> None:
        record.msg, record.args = text, ()
        found = self._source(record) if option else None
        if found is None or option is None:
            return
        line = option_line(*found, option)
        if line is None:
            return
        location = getattr(record, "location", None)
        if isinstance(location, tuple):
            record.location = (location[0], line)
        else:
            record.location = f"{str(location).rpartition(':')[0]}:{line}"


def setup(app: Sphinx) -> None:
    def filters(app: Sphinx) -> list[tuple[str, logging.Filter]]:
        messages = _NeedMessageFilter(app)
        return [
            (SCHEMA_LOGGER, _SchemaLocationFilter(app)),
            *((name, messages) for name in NEED_LOGGERS),
        ]

    install_build_filters(app, filters)
