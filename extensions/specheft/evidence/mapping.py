"""Which test item a reported case belongs to: the mapping steps, first hit wins.

Steps (their order is configurable in ``[results] map_order``):

``property``  a case property naming test ids (``specheft_id``, ``test_id``, ``test_key``)
              or requirement/spec ids directly (``verifies``);
``name``      a known test id as a token of the case name or classname
              (``[TC-SIT-012]``, ``test_TC_SIT_012_login``: ``_`` and ``-`` fold, case too);
``tags``      Robot Framework tags naming test (or requirement/spec) ids;
``table``     ``[results.map]`` in specheft.toml: ``"classname::name" = "TC-SIT-012"``.

An id named explicitly (a property, the table) that the project does not know is an
error (:class:`UnknownId`, with a did-you-mean); a token or tag that names nothing is
not — such a case stays unmapped and is listed, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from specheft.errors import did_you_mean
from specheft.evidence.model import CaseResult

STEPS = ("property", "name", "tags", "table")
TEST_PROPERTIES = ("specheft_id", "test_id", "test_key")
VERIFIES_PROPERTIES = ("verifies",)
_CHAIN = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*")
_SPLIT = re.compile(r"[\s,;]+")
_MAX_SEGMENTS = 8


def fold(text: str) -> str:
    """``tc_sit_012`` and ``TC-SIT-012`` alike: upper case, ``_`` → ``-``."""
    return text.upper().replace("_", "-")


@dataclass(frozen=True)
class MapConfig:
    order: tuple[str, ...] = STEPS
    test_properties: tuple[str, ...] = TEST_PROPERTIES
    verifies_properties: tuple[str, ...] = VERIFIES_PROPERTIES
    table: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class UnknownId:
    """An id a report or the mapping table names that the project does not have."""

    id: str
    file: str
    line: int | None
    case: str
    via: str
    hint: str | None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.case}: {self.via} names unknown id {self.id!r}"
        return f"{text} ({self.hint})" if self.hint else text


class Known:
    """The project's ids: test items, and the requirements/specs a case may verify."""

    def __init__(self, tests: Iterable[str], targets: Iterable[str] = ()) -> None:
        self.tests = frozenset(tests)
        self.targets = frozenset(targets)
        self._folded_tests = {fold(t): t for t in self.tests}
        self._folded_targets = {fold(t): t for t in self.targets}

    def test(self, token: str) -> str | None:
        return self._folded_tests.get(fold(token.strip()))

    def target(self, token: str) -> str | None:
        return self._folded_targets.get(fold(token.strip()))

    def tokens(self, text: str) -> list[str]:
        """The known test ids in ``text``, as whole ``-``/``_``-separated tokens, in order."""
        found: list[str] = []
        for chain in _CHAIN.findall(fold(text)):
            segments = chain.split("-")
            i = 0
            while i < len(segments):
                hit = None
                for j in range(min(len(segments), i + _MAX_SEGMENTS), i + 1, -1):
                    hit = self._folded_tests.get("-".join(segments[i:j]))
                    if hit:
                        i = j
                        break
                if hit is None:
                    i += 1
                elif hit not in found:
                    found.append(hit)
        return found

    def suggest(self, token: str, *, tests: bool = True) -> str | None:
        pool = self.tests if tests else self.tests | self.targets
        return did_you_mean(fold(token), pool)


def _values(text: str) -> list[str]:
    return [v for v in _SPLIT.split(text) if v]


def map_cases(
    cases: Iterable[CaseResult], known: Known, config: MapConfig | None = None
) -> list[UnknownId]:
    """Fill each case's ``tests``/``verifies``/``mapped_by``; return the unknown ids named."""
    config = config or MapConfig()
    unknown: list[UnknownId] = []
    test_props = {p.casefold() for p in config.test_properties}
    verifies_props = {p.casefold() for p in config.verifies_properties}
    for case in cases:
        for step in config.order:
            tests: list[str] = []
            verifies: list[str] = []
            if step == "property":
                for name, value in case.properties:
                    key = name.casefold()
                    if key in test_props:
                        for token in _values(value):
                            if hit := known.test(token):
                                tests.append(hit)
                            else:
                                hint = known.suggest(token)
                                unknown.append(_unknown_in_property(case, name, token, hint))
                    elif key in verifies_props:
                        for token in _values(value):
                            if hit := known.target(token):
                                verifies.append(hit)
                            elif hit := known.test(token):
                                tests.append(hit)
                            else:
                                hint = known.suggest(token, tests=False)
                                unknown.append(_unknown_in_property(case, name, token, hint))
            elif step == "name":
                tests = known.tokens(case.name) or known.tokens(case.classname)
            elif step == "tags":
                for tag in case.tags:
                    if hit := known.test(tag):
                        tests.append(hit)
                    elif hit := known.target(tag):
                        verifies.append(hit)
            elif step == "table":
                for key in _table_keys(case):
                    if key in config.table:
                        tests = [known.test(t) or t for t in config.table[key]]
                        break
            if tests or verifies:
                case.tests = list(dict.fromkeys(tests))
                case.verifies = list(dict.fromkeys(verifies))
                case.mapped_by = step
                break
    return unknown


def _unknown_in_property(case: CaseResult, name: str, token: str, hint: str | None) -> UnknownId:
    return UnknownId(token, case.file, case.line, case.label, f"property {name!r}", hint)


def _table_keys(case: CaseResult) -> list[str]:
    keys = []
    if case.classname:
        keys += [f"{case.classname}::{case.name}", f"{case.classname}.{case.name}"]
    keys.append(case.name)
    return keys


def unknown_table_ids(config: MapConfig, known: Known) -> list[tuple[str, str, str | None]]:
    """``(table key, id, did-you-mean)`` for each id in ``[results.map]`` the project lacks."""
    return [
        (key, test, known.suggest(test))
        for key, tests in config.table.items()
        for test in tests
        if known.test(test) is None
    ]
