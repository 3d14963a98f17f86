"""``[tender]`` in specheft.toml: fulfilment codes and their points, weights, knock-outs.

Validated when the settings are read (a typo is a ConfigError at its line before any
build starts: ``specheft.tables`` hands :data:`TENDER_TABLE` to the settings reader);
:func:`tender_config` gives the typed value kept then. The order of ``points``
is the order of the drop-down in the compliance workbook.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from specheft.config.reader import Key, Reader, Table
from specheft.config.settings import AREA_CODE, Settings
from specheft.errors import did_you_mean

DEFAULT_POINTS: Mapping[str, float] = MappingProxyType(
    {
        "standard": 10,
        "configuration": 8,
        "customizing": 5,
        "third-party": 4,
        "roadmap": 2,
        "not-possible": 0,
    }
)
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType({"must": 3, "should": 2, "can": 1})
DEFAULT_ANSWERS_DIR = "spec/tender/answers"
PRIORITIES = ("must", "should", "can")
#: a code is one word of letters, digits and '-' (it stands in a drop-down and in JSON)
CODE = re.compile(r"^[^\W_][\w-]{0,39}$")

TENDER_KEYS: dict[str, Key] = {
    "points": Key((dict,), {}),
    "weights": Key((dict,), {}),
    "area_weights": Key((dict,), {}),
    "knockout": Key((list,), ["not-possible"]),
    "answers_dir": Key((str,), DEFAULT_ANSWERS_DIR),
}


@dataclass(frozen=True)
class TenderConfig:
    points: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_POINTS))
    """fulfilment code → points (Nutzwertanalyse: 0 … best)."""
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    """priority → weight."""
    area_weights: Mapping[str, float] = field(default_factory=dict)
    """area code → weight factor (1 when not given)."""
    knockout: tuple[str, ...] = ("not-possible",)
    """codes that knock a bidder out when given for a must requirement."""
    answers_dir: str = DEFAULT_ANSWERS_DIR

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.points)

    @property
    def best(self) -> float:
        return max(self.points.values(), default=0)

    def weight(self, priority: str | None, area: str | None) -> float:
        """A requirement's weight: its priority's weight times its area's factor."""
        base = self.weights.get(priority or "", 0)
        return base * self.area_weights.get(area or "", 1)


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def parse_tender_table(reader: Reader, value: Mapping[str, Any]) -> TenderConfig:
    values = reader.keys("tender", value, TENDER_KEYS)
    points = values["points"] or dict(DEFAULT_POINTS)
    for code, number in points.items():
        if not CODE.match(code):
            reader.error(
                "tender.points",
                code,
                "a fulfilment code is one word of letters, digits and '-' (at most 40)",
            )
        if not _number(number):
            reader.error("tender.points", code, f"expected points ≥ 0, got {number!r}")
    if len(points) < 2:
        reader.error("tender", "points", "expected at least two fulfilment codes")
    if len(",".join(points)) > 255:
        reader.error("tender", "points", "the codes together are too long for a drop-down")
    for key, number in values["weights"].items():
        if key not in PRIORITIES:
            reader.error(
                "tender.weights", key, f"unknown priority; allowed: {', '.join(PRIORITIES)}"
            )
        if not _number(number):
            reader.error("tender.weights", key, f"expected a weight ≥ 0, got {number!r}")
    for key, number in values["area_weights"].items():
        if not AREA_CODE.match(key):
            reader.error("tender.area_weights", key, "area codes are 2 to 6 capital letters")
        if key not in reader.areas:
            # a typo would silently weigh nothing: the factor of an unknown area is never used
            known = ", ".join(reader.areas) or "none (the project has no [areas] table)"
            reader.error(
                "tender.area_weights",
                key,
                f"not an area of [areas]; areas: {known}",
                did_you_mean(key, reader.areas) if reader.areas else "declare it in [areas]",
            )
        if not _number(number):
            reader.error("tender.area_weights", key, f"expected a weight ≥ 0, got {number!r}")
    knockout = values["knockout"]
    for code in knockout:
        if code not in points:
            reader.error(
                "tender",
                "knockout",
                f"{code!r} is not a fulfilment code of [tender.points]; codes: {', '.join(points)}",
            )
    answers_dir = values["answers_dir"].strip().replace("\\", "/").rstrip("/")
    parts = answers_dir.split("/")
    if not answers_dir or answers_dir.startswith("/") or ".." in parts:
        reader.error(
            "tender", "answers_dir", f"expected a directory inside the project, got {answers_dir!r}"
        )
    elif parts[0] != "spec" or len(parts) < 2:
        # what the documents show is in the sources: a revision, a baseline and a
        # fingerprint read spec/ and conf/ only, so answers elsewhere would be missing there
        reader.error(
            "tender",
            "answers_dir",
            f"expected a directory inside spec/, got {answers_dir!r}",
            f"the answers belong to the sources of the documents that show them (a revision, "
            f"a baseline and `specheft fingerprint REV` read spec/ and conf/); "
            f"the default is {DEFAULT_ANSWERS_DIR!r}",
        )
    return TenderConfig(
        points=dict(points),
        weights={**DEFAULT_WEIGHTS, **values["weights"]},
        area_weights=dict(values["area_weights"]),
        knockout=tuple(knockout),
        answers_dir=answers_dir,
    )


TENDER_TABLE = Table("tender", parse_tender_table)


def tender_config(settings: Settings) -> TenderConfig:
    """The typed ``[tender]`` table (validated when the settings were read)."""
    return settings.option(TENDER_TABLE)
