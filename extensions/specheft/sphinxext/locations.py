"""Give sphinx-needs' schema messages a file and line.

sphinx-needs 9.1 reports a schema violation (an enum value, a required field, an id
pattern) with the need id and the schema path only. A logging filter on its schema
logger looks the need up, sets the record's location to the need's source line and
rewrites the multi-line report as one line: ``file:line: ERROR: ID: :field: …; allowed: …``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sphinx.application import Sphinx

from ..errors import did_you_mean
from ..fsutil import source_lines
from ..settings import Settings
from .vocabulary import allowed_values

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
        from . import settings_of

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


def setup(app: Sphinx) -> None:
    installed: list[_SchemaLocationFilter] = []

    def install(app: Sphinx) -> None:
        flt = _SchemaLocationFilter(app)
        logging.getLogger(_SCHEMA_LOGGER).addFilter(flt)
        installed.append(flt)

    def uninstall(app: Sphinx, exception: BaseException | None) -> None:
        while installed:
            logging.getLogger(_SCHEMA_LOGGER).removeFilter(installed.pop())

    app.connect("builder-inited", install)
    app.connect("build-finished", uninstall, priority=999)
