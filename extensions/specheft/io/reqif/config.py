"""``[reqif]`` in specheft.toml: which attributes of a customer's file the answer fills.

Validated with the other tables when the settings are read (a typo is a ConfigError
at its line) into a :class:`ReqifConfig`, ``settings.option(REQIF_TABLE)``::

    [reqif]
    comment = "Supplier Comment"          # LONG-NAME or IDENTIFIER of the answer text
    status = "Supplier Status"            # … of the answer status
    [reqif.status_values]                 # solution of the Pflichtenheft item → value
    standard = "Accepted"
    customizing = "Accepted with changes"
    none = "Not covered"                  # no Pflichtenheft item satisfies it

Without ``comment``/``status`` the attributes the file marks ``IS-EDITABLE="true"``
are used (see :mod:`specheft.project.reqif`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specheft.config.reader import Key, Reader, Table
from specheft.model import Solution

#: the key of ``status_values`` for a requirement that no Pflichtenheft item satisfies
UNCOVERED = "none"
STATUS_KEYS = (*(s.value for s in Solution), UNCOVERED)

REQIF_KEYS: dict[str, Key] = {
    "comment": Key((str,), ""),
    "status": Key((str,), ""),
    "status_values": Key((dict,), {}),
}


@dataclass(frozen=True)
class ReqifConfig:
    comment: str = ""
    status: str = ""
    status_values: Mapping[str, str] = field(default_factory=dict)


def parse_reqif_table(reader: Reader, value: Mapping[str, Any]) -> ReqifConfig:
    values = reader.keys("reqif", value, REQIF_KEYS)
    for key in ("comment", "status"):
        if key in value and not values[key].strip():
            reader.error("reqif", key, "expected an attribute name, got an empty string")
    for key, text in values["status_values"].items():
        if key not in STATUS_KEYS:
            reader.error(
                "reqif.status_values",
                key,
                f"unknown solution {key!r}; allowed: {', '.join(STATUS_KEYS)}",
            )
        if not isinstance(text, str) or not text.strip():
            reader.error("reqif.status_values", key, f"expected a value name, got {text!r}")
    return ReqifConfig(
        comment=values["comment"].strip(),
        status=values["status"].strip(),
        status_values={str(k): str(v).strip() for k, v in values["status_values"].items()},
    )


REQIF_TABLE = Table("reqif", parse_reqif_table)
