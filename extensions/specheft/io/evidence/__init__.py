"""Reports of test evidence: plain text, JUnit XML, the manual results sheet.

:data:`DECISION_FORMATS` lists the formats of ``specheft accept --format``; a new one is
a function over the :class:`~specheft.evidence.acceptance.Decision` and one entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from specheft.evidence.acceptance import Decision

# Each format module is imported when used: every command line start reads the table.


def _text(decision: Decision) -> str:
    from specheft.io.evidence.text import decision_text

    return decision_text(decision)


def _json(decision: Decision) -> str:
    import json

    from specheft.textsafe import json_text

    dumped = json.dumps(decision.to_json(), ensure_ascii=False, indent=2, sort_keys=True)
    return json_text(dumped) + "\n"


def _junit(decision: Decision) -> str:
    from specheft.io.evidence import junit

    return junit.render(decision)


#: The formats of ``specheft accept --format``, in the order the help lists them.
DECISION_FORMATS: dict[str, Callable[[Decision], str]] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
}
