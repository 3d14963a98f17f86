"""``[results]`` and ``[acceptance]`` in specheft.toml: validated with the other tables.

Validated when the settings are read (a typo is a ConfigError at its line before any
import or build starts: ``specheft.tables`` hands :data:`RESULTS_TABLE` and
:data:`ACCEPTANCE_TABLE` to the settings reader); :func:`results_config` and
:func:`acceptance_config` give the typed values kept then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specheft.config.reader import Key, Reader, Table
from specheft.config.settings import Settings
from specheft.evidence.mapping import STEPS, TEST_PROPERTIES, VERIFIES_PROPERTIES, MapConfig

DEFAULT_RUNS_DIR = "spec/testkatalog/runs"

RESULTS_KEYS: dict[str, Key] = {
    "runs_dir": Key((str,), DEFAULT_RUNS_DIR),
    "map_order": Key((list,), list(STEPS)),
    "test_properties": Key((list,), list(TEST_PROPERTIES)),
    "verifies_properties": Key((list,), list(VERIFIES_PROPERTIES)),
    "max_mib": Key((int,), 200),
    "map": Key((dict,), {}),
}

ACCEPTANCE_KEYS: dict[str, Key] = {
    "must_tests_passed": Key((bool,), True),
    "should_tests_passed": Key((bool,), False),
    "require_tests": Key((bool,), True),
    "max_open_class1": Key((int,), 0),
    "max_open_class2": Key((int,), 5),
    "class2_need_workaround": Key((bool,), True),
    "class2_need_fix_date": Key((bool,), True),
    "flaky": Key((str,), "passed", choices=("passed", "failed")),
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


def _strings(reader: Reader, table: str, key: str, values: list[Any]) -> None:
    for value in values:
        if not isinstance(value, str) or not value.strip():
            reader.error(table, key, f"expected a list of non-empty strings, got {value!r}")


def parse_results_table(reader: Reader, value: Mapping[str, Any]) -> ResultsConfig:
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
    table = {
        str(key): tuple(t.strip() for t in ([target] if isinstance(target, str) else target))
        for key, target in values["map"].items()
    }
    return ResultsConfig(
        runs_dir=runs_dir.replace("\\", "/"),
        mapping=MapConfig(
            order=tuple(values["map_order"]),
            test_properties=tuple(values["test_properties"]),
            verifies_properties=tuple(values["verifies_properties"]),
            table=table,
        ),
        max_bytes=int(values["max_mib"]) * 1024 * 1024,
    )


def parse_acceptance_table(reader: Reader, value: Mapping[str, Any]) -> AcceptanceConfig:
    values = reader.keys("acceptance", value, ACCEPTANCE_KEYS)
    for key in ("max_open_class1", "max_open_class2"):
        if values[key] < 0:
            reader.error("acceptance", key, f"expected a number ≥ 0, got {values[key]}")
    return AcceptanceConfig(**values)


RESULTS_TABLE = Table("results", parse_results_table)
ACCEPTANCE_TABLE = Table("acceptance", parse_acceptance_table)


def results_config(settings: Settings) -> ResultsConfig:
    return settings.option(RESULTS_TABLE)


def acceptance_config(settings: Settings) -> AcceptanceConfig:
    return settings.option(ACCEPTANCE_TABLE)
