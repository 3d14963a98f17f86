"""``[results]`` and ``[acceptance]`` in specheft.toml: validated with the other tables.

Validated when the settings are read (a typo is a ConfigError at its line before any
import or build starts); :func:`results_config` and :func:`acceptance_config` give the
typed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specheft.config.settings import TABLE_VALIDATORS, Settings, _Key, _Reader
from specheft.evidence.mapping import STEPS, TEST_PROPERTIES, VERIFIES_PROPERTIES, MapConfig

DEFAULT_RUNS_DIR = "spec/testkatalog/runs"

RESULTS_KEYS: dict[str, _Key] = {
    "runs_dir": _Key((str,), DEFAULT_RUNS_DIR),
    "map_order": _Key((list,), list(STEPS)),
    "test_properties": _Key((list,), list(TEST_PROPERTIES)),
    "verifies_properties": _Key((list,), list(VERIFIES_PROPERTIES)),
    "max_mib": _Key((int,), 200),
    "map": _Key((dict,), {}),
}

ACCEPTANCE_KEYS: dict[str, _Key] = {
    "must_tests_passed": _Key((bool,), True),
    "should_tests_passed": _Key((bool,), False),
    "require_tests": _Key((bool,), True),
    "max_open_class1": _Key((int,), 0),
    "max_open_class2": _Key((int,), 5),
    "class2_need_workaround": _Key((bool,), True),
    "class2_need_fix_date": _Key((bool,), True),
    "flaky": _Key((str,), "passed", choices=("passed", "failed")),
}


@dataclass(frozen=True)
class ResultsConfig:
    runs_dir: str = DEFAULT_RUNS_DIR
    mapping: MapConfig = field(default_factory=MapConfig)
    max_bytes: int = 200 * 1024 * 1024


@dataclass(frozen=True)
class AcceptanceConfig:
    """The Go/No-Go criteria; the defaults are the example Lastenheft's (10-abnahme.md)."""

    must_tests_passed: bool = True
    should_tests_passed: bool = False
    require_tests: bool = True
    max_open_class1: int = 0
    max_open_class2: int = 5
    class2_need_workaround: bool = True
    class2_need_fix_date: bool = True
    flaky: str = "passed"


def _strings(reader: _Reader, table: str, key: str, values: list[Any]) -> None:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            reader.error(table, key, f"expected a list of non-empty strings, got {value!r}")


def validate_results_table(reader: _Reader, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        reader.error("", "results", f"must be a table ([results]), got {type(value).__name__}")
    values = reader.keys("results", value, RESULTS_KEYS)
    for key in ("map_order", "test_properties", "verifies_properties"):
        _strings(reader, "results", key, values[key])
    for step in values["map_order"]:
        if step not in STEPS:
            reader.error(
                "results",
                "map_order",
                f"unknown mapping step {step!r}; allowed: {', '.join(STEPS)}",
            )
    runs_dir = values["runs_dir"].strip()
    if (
        not runs_dir
        or runs_dir.startswith(("/", "\\"))
        or ".." in runs_dir.replace("\\", "/").split("/")
    ):
        reader.error(
            "results", "runs_dir", f"expected a directory inside the project, got {runs_dir!r}"
        )
    if values["max_mib"] < 1:
        reader.error(
            "results", "max_mib", f"expected a positive size in MiB, got {values['max_mib']}"
        )
    for key, target in values["map"].items():
        targets = [target] if isinstance(target, str) else target
        if (
            not isinstance(targets, list)
            or not targets
            or not all(isinstance(t, str) and t.strip() for t in targets)
        ):
            reader.error(
                "results.map", key, f"expected a test id or a list of test ids, got {target!r}"
            )
    return values


def validate_acceptance_table(reader: _Reader, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        reader.error(
            "", "acceptance", f"must be a table ([acceptance]), got {type(value).__name__}"
        )
    values = reader.keys("acceptance", value, ACCEPTANCE_KEYS)
    for key in ("max_open_class1", "max_open_class2"):
        if values[key] < 0:
            reader.error("acceptance", key, f"expected a number ≥ 0, got {values[key]}")
    return values


TABLE_VALIDATORS["results"] = validate_results_table
TABLE_VALIDATORS["acceptance"] = validate_acceptance_table


def results_config(settings: Settings) -> ResultsConfig:
    raw = settings.tables.get("results")
    if not raw:
        return ResultsConfig()
    values = {**{k: v.default for k, v in RESULTS_KEYS.items()}, **raw}
    table = {
        str(key): tuple(t.strip() for t in ([target] if isinstance(target, str) else target))
        for key, target in values["map"].items()
    }
    return ResultsConfig(
        runs_dir=values["runs_dir"].strip().replace("\\", "/"),
        mapping=MapConfig(
            order=tuple(values["map_order"]),
            test_properties=tuple(values["test_properties"]),
            verifies_properties=tuple(values["verifies_properties"]),
            table=table,
        ),
        max_bytes=int(values["max_mib"]) * 1024 * 1024,
    )


def acceptance_config(settings: Settings) -> AcceptanceConfig:
    raw = settings.tables.get("acceptance") or {}
    return AcceptanceConfig(**{k: raw[k] for k in ACCEPTANCE_KEYS if k in raw})
