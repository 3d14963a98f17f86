"""Runs, case results and defects: the data every importer produces and the store keeps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """The result of one test case (or of one test item in one run)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"
    BLOCKED = "blocked"
    DISABLED = "disabled"


#: When several results meet (one case reported twice, a test mapped from several cases,
#: a Playwright test per browser), the higher rank wins: error > failure > blocked >
#: skipped/not run/disabled > passed. A skipped pytest xfail or a disabled CTest test
#: therefore never counts as passed.
RANK: dict[Outcome, int] = {
    Outcome.ERROR: 5,
    Outcome.FAILED: 4,
    Outcome.BLOCKED: 3,
    Outcome.SKIPPED: 2,
    Outcome.NOT_RUN: 2,
    Outcome.DISABLED: 2,
    Outcome.PASSED: 1,
}

#: German words for documents and reports (Abnahmeprotokoll vocabulary).
WORDS_DE: dict[Outcome, str] = {
    Outcome.PASSED: "bestanden",
    Outcome.FAILED: "nicht bestanden",
    Outcome.ERROR: "nicht bestanden (Fehler)",
    Outcome.SKIPPED: "nicht durchgeführt (übersprungen)",
    Outcome.NOT_RUN: "nicht durchgeführt",
    Outcome.BLOCKED: "blockiert",
    Outcome.DISABLED: "nicht durchgeführt (deaktiviert)",
}


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    """The outcome that wins by :data:`RANK` (``not-run`` for none)."""
    return max(outcomes, key=RANK.__getitem__, default=Outcome.NOT_RUN)


@dataclass
class CaseResult:
    """One test case as a report names it, and what it was mapped to.

    ``tests`` are test item ids; ``verifies`` requirement/spec ids named directly by a
    ``verifies`` property (evidence without a test item). ``mapped_by`` says which
    mapping step found them (``property``, ``name``, ``tags``, ``table``).
    """

    name: str
    classname: str = ""
    suite: str = ""
    host: str = ""
    outcome: Outcome = Outcome.PASSED
    flaky: bool = False
    duration: float | None = None
    message: str = ""
    file: str = ""
    line: int | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    attempts: int = 1
    tests: list[str] = field(default_factory=list)
    verifies: list[str] = field(default_factory=list)
    mapped_by: str = ""
    tester: str = ""  # manual results: who ran it, on which day
    executed: str = ""

    @property
    def label(self) -> str:
        """How a person finds the case in the report: ``classname::name [host]``."""
        text = f"{self.classname}::{self.name}" if self.classname else self.name
        return f"{text} [{self.host}]" if self.host else text

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Cases with the same key in one file are attempts of one test (retries)."""
        return (self.file, self.suite, self.host, self.classname, self.name)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "case": self.name,
            "classname": self.classname,
            "suite": self.suite,
            "status": str(self.outcome),
            "file": self.file,
        }
        optional: dict[str, object] = {
            "host": self.host,
            "flaky": self.flaky,
            "duration": self.duration,
            "message": self.message,
            "line": self.line,
            "attempts": self.attempts if self.attempts > 1 else None,
            "tests": self.tests,
            "verifies": self.verifies,
            "mapped_by": self.mapped_by,
            "tester": self.tester,
            "executed": self.executed,
        }
        data.update({k: v for k, v in optional.items() if v not in (None, "", [], False)})
        return data

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CaseResult:
        duration = data.get("duration")
        line = data.get("line")
        attempts = data.get("attempts")
        return cls(
            name=str(data.get("case", "")),
            classname=str(data.get("classname", "")),
            suite=str(data.get("suite", "")),
            host=str(data.get("host", "")),
            outcome=Outcome(str(data.get("status"))),
            flaky=bool(data.get("flaky", False)),
            duration=float(duration) if isinstance(duration, int | float) else None,
            message=str(data.get("message", "")),
            file=str(data.get("file", "")),
            line=line if isinstance(line, int) else None,
            attempts=attempts if isinstance(attempts, int) else 1,
            tests=[str(t) for t in _list(data.get("tests"))],
            verifies=[str(t) for t in _list(data.get("verifies"))],
            mapped_by=str(data.get("mapped_by", "")),
            tester=str(data.get("tester", "")),
            executed=str(data.get("executed", "")),
        )


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


@dataclass
class Source:
    """One imported file: its name (as given, relative to the project if inside) and hash."""

    file: str
    sha256: str


@dataclass
class Run:
    """One import: a test run (``importer`` junit/robot/manual) with its case results."""

    name: str
    date: str
    importer: str
    sources: list[Source]
    imported: str
    environment: str = ""
    sut_version: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    path: str = ""  # the run file, once stored

    @property
    def digest(self) -> str:
        """Identifies the imported content: the same files give the same digest."""
        import hashlib

        joined = "\n".join(sorted(s.sha256 for s in self.sources))
        return hashlib.sha256(f"{self.importer}\n{joined}".encode()).hexdigest()

    @property
    def unmapped(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.tests and not c.verifies]

    def order_key(self) -> tuple[str, str, str]:
        return (self.date, self.imported, self.name)


class DefectStatus(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    VERIFIED = "verified"


CLASS_NAMES_DE = {1: "betriebsverhindernd", 2: "betriebsbehindernd", 3: "leichter Mangel"}


@dataclass
class Defect:
    """A defect (Mangel) with its class 1/2/3 (domain.md §4.4) and where it showed."""

    id: str
    defect_class: int
    status: DefectStatus
    tests: list[str] = field(default_factory=list)
    title: str = ""
    workaround: str = ""
    fix_date: str = ""
    owner: str = ""
    file: str = ""
    line: int | None = None
    sheet: str = ""

    @property
    def open(self) -> bool:
        return self.status == DefectStatus.OPEN

    @property
    def where(self) -> str:
        """``list.csv:3`` or ``list.xlsx:Mängel!3``: the row it was read from."""
        if not self.line:
            return self.file
        return f"{self.file}:{self.sheet}!{self.line}" if self.sheet else f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "class": self.defect_class,
            "status": str(self.status),
        }
        optional: dict[str, object] = {
            "tests": self.tests,
            "title": self.title,
            "workaround": self.workaround,
            "fix_date": self.fix_date,
            "owner": self.owner,
            "file": self.file,  # the defect list it came from, with its line
            "line": self.line,
            "sheet": self.sheet,
        }
        data.update({k: v for k, v in optional.items() if v not in (None, "", [])})
        return data

    @classmethod
    def from_json(cls, data: dict[str, object], file: str = "") -> Defect:
        line = data.get("line")
        number = data.get("class")
        return cls(
            id=str(data["id"]),
            defect_class=number if isinstance(number, int) else 3,
            status=DefectStatus(str(data.get("status"))),
            tests=[str(t) for t in _list(data.get("tests"))],
            title=str(data.get("title", "")),
            workaround=str(data.get("workaround", "")),
            fix_date=str(data.get("fix_date", "")),
            owner=str(data.get("owner", "")),
            file=str(data.get("file") or file),
            line=line if isinstance(line, int) else None,
            sheet=str(data.get("sheet", "")),
        )


@dataclass
class DefectList:
    """One import of a defect list (a snapshot: the latest snapshot of each id counts)."""

    name: str
    date: str
    sources: list[Source]
    imported: str
    defects: list[Defect] = field(default_factory=list)
    path: str = ""

    @property
    def digest(self) -> str:
        import hashlib

        joined = "\n".join(sorted(s.sha256 for s in self.sources))
        return hashlib.sha256(f"defects\n{joined}".encode()).hexdigest()

    def order_key(self) -> tuple[str, str, str]:
        return (self.date, self.imported, self.name)
