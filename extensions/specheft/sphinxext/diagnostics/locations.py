"""Give sphinx-needs' schema messages a file and line.

sphinx-needs 9.1 reports a schema violation (an enum value, a required field, an id
pattern) with the need id and the schema path only. A logging filter on its schema
logger looks the need up, sets the record's location to the need's source line and
rewrites the multi-line report as one line: ``file:line: ERROR: ID: :field: …; allowed: …``.
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
from specheft.fsutil import source_lines
from specheft.model import GERMAN_VALUES, GLOBAL_ID_PATTERN, KINDS, LINK_DEFS
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.diagnostics.logfilters import install_build_filters
from specheft.sphinxext.diagnostics.syntax import options_of
from specheft.sphinxext.needs.vocabulary import allowed_values

_SCHEMA_LOGGER = "sphinx.sphinx_needs.schema.process"
_HEAD = re.compile(r"^Need '(?P<id>[^']+)' has schema violations:")
_VALUE = re.compile(r'^"(?P<value>(?:[^"\\]|\\.)*)" (?P<rest>.*)$')


def _violations(message: str) -> list[dict[str, str]]:
    """Split the report into one dict per violation (keys: field, schema message, …)."""
    found: list[dict[str, str]] = []
    for line in message.splitlines()[1:]:
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key == "severity" or not found:
            found.append({})
        found[-1][key] = value.strip()
    return found


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
    return f":{field}: {schema_message}" if field else schema_message


class _SchemaLocationFilter(logging.Filter):
    def __init__(self, app: Sphinx) -> None:
        super().__init__()
        self.app = app
        self._lines: dict[str, list[str]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        head = _HEAD.match(message)
        if not head or getattr(record, "location", None):
            return True

        need_id = head.group("id")
        settings = settings_of(self.app)
        violations = _violations(message)
        details = "; ".join(describe(v, settings) for v in violations) or message
        record.msg = f"{need_id}: {details}"
        record.args = ()
        need = self._need(need_id)
        if need is not None and need.get("docname"):
            fields = {v.get("field", "") for v in violations}
            line = need.get("lineno")
            field = fields.pop() if len(fields) == 1 else ""
            if field and line:
                line = self._option_line(need["docname"], line, field) or line
            record.location = (need["docname"], line)
        return True

    def _option_line(self, docname: str, start: int, field: str) -> int | None:
        """The line of ``:field:`` in the directive that starts at ``start``."""
        lines = self._lines.get(docname)
        if lines is None:
            try:
                path = self.app.env.doc2path(docname)
                lines = self._lines[docname] = source_lines(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                return None
        option = re.compile(rf"^\s*:{re.escape(field)}:")
        for number in range(start, min(start + 40, len(lines))):
            text = lines[number]  # 0-based index of the line after the directive start
            if option.match(text):
                return number + 1
            if not re.match(r"^\s*:[\w-]+:", text):
                break  # options end at the first line that is not an option
        return None

    def _need(self, need_id: str) -> Any:
        from sphinx_needs.data import SphinxNeedsData

        try:
            return SphinxNeedsData(self.app.env).get_needs_view().get(need_id)
        except Exception:  # the report must never be lost because the lookup failed
            return None


_NEED_LOGGERS = ("sphinx.sphinx_needs.directives.need", "sphinx.sphinx_needs.api.need")
_BAD_ID = re.compile(
    r"^Need could not be created: Given ID (?P<id>'(?:[^'\\]|\\.)*'|\"[^\"]*\") "
    r"does not match configured regex"
)
_NO_ID = re.compile(r"^Need could not be created: No ID defined")
_DEAD_LINK = re.compile(
    r"^Need '(?P<id>[^']+)' has unknown outgoing link '(?P<target>.*)' in field '(?P<field>[\w-]+)'"
)
_WRONG_KIND = re.compile(
    r"^Need '[^']+' link '[^']*' in field '(?P<field>[\w-]+)': target need type"
)
_UNDECLARED = re.compile(
    r"^(?:Link type|Field) '(?P<name>[\w-]+)' is not declared on need type '(?P<kind>[\w-]+)' "
    r"and cannot be set in need '(?P<id>[^']+)'"
)
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
        self._lines: dict[str, list[str]] = {}
        self._targets: dict[tuple[str, int], list[str]] = {}
        self._hints: dict[tuple[str, str, int], str | None] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        with contextlib.suppress(Exception):  # a message is never lost for a failed rewrite
            self._rewrite(record)
        return True

    def _rewrite(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if bad := _BAD_ID.match(message):
            written = bad.group("id")[1:-1]
            hint = suggested_id(written)
            text = (
                f"id {written!r} is not a valid id, so this item is left out: ids are "
                "upper-case letters A-Z, digits and '-' (no umlauts, no spaces)"
            )
            self._set(record, text + (f"; did you mean {hint!r}?" if hint else ""), "id")
        elif _NO_ID.match(message):
            kind = self._kind(record)
            example = next((k.id_example for k in KINDS if k.kind == kind), "LH-KON-001")
            self._set(
                record, f"this item has no :id:, so it is left out; add e.g. ':id: {example}'"
            )
        elif dead := _DEAD_LINK.match(message):
            self._set(record, self._dead_link(dead), dead.group("field"))
        elif wrong := _WRONG_KIND.match(message):
            self._set(record, message, wrong.group("field"))  # the text says it well
        elif undeclared := _UNDECLARED.match(message):
            name, kind, need_id = undeclared.group("name", "kind", "id")
            instead = _LINK_INSTEAD.get((kind, name))
            if instead is None:
                allowed = options_of(kind)
                instead = f"allowed: {', '.join(allowed)}"
                if hint := did_you_mean(name, allowed):
                    instead += f" ({hint})"
            text = (
                f"{need_id}: :{name}: is not an option of {kind} items, so it is ignored; {instead}"
            )
            self._set(record, text, name)

    def _dead_link(self, match: re.Match[str]) -> str:
        need_id, target, field = match.group("id", "target", "field")
        text = f"{need_id}: :{field}: names {target!r}, which is no item"
        parts = [p for p in re.split(r"[\s;]+", target) if p]
        if len(parts) > 1:
            return f"{text}: separate ids with commas (:{field}: {', '.join(parts)})"
        from sphinx_needs.data import SphinxNeedsData

        data = SphinxNeedsData(self.app.env)
        # the view would start the post-processing that reports this very link again
        needs = data.get_needs_view() if data.needs_is_post_processed else data.get_needs_mutable()
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
            key, path = str(docname), Path(self.app.env.doc2path(str(docname)))
        elif isinstance(location, str) and (head := location.rpartition(":"))[2].isdigit():
            key, path, line = head[0], Path(head[0]), int(head[2])
        else:
            return None
        if key not in self._lines:
            try:
                self._lines[key] = source_lines(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                self._lines[key] = []
        return self._lines[key], line

    def _kind(self, record: logging.LogRecord) -> str | None:
        found = self._source(record)
        if found is None or not 0 < found[1] <= len(found[0]):
            return None
        opening = re.match(r"^\s*(?::{3,}|`{3,})\{(?P<kind>[\w-]+)\}", found[0][found[1] - 1])
        return opening.group("kind") if opening else None

    def _set(self, record: logging.LogRecord, text: str, option: str | None = None) -> None:
        record.msg, record.args = text, ()
        found = self._source(record) if option else None
        if found is None:
            return
        lines, start = found
        option_re = re.compile(rf"^\s*:{re.escape(option or '')}:")
        for index in range(start, min(start + 60, len(lines))):
            if option_re.match(lines[index]):
                location = getattr(record, "location", None)
                if isinstance(location, tuple):
                    record.location = (location[0], index + 1)
                else:
                    record.location = f"{str(location).rpartition(':')[0]}:{index + 1}"
                return
            if not re.match(r"^\s*:[\w-]+:", lines[index]):
                return  # options end at the first line that is not an option


def setup(app: Sphinx) -> None:
    def filters(app: Sphinx) -> list[tuple[str, logging.Filter]]:
        messages = _NeedMessageFilter(app)
        return [
            (_SCHEMA_LOGGER, _SchemaLocationFilter(app)),
            *((name, messages) for name in _NEED_LOGGERS),
        ]

    install_build_filters(app, filters)
