"""Reading JUnit/xUnit XML and Robot Framework ``output.xml`` as real tools write them.

One streaming pass over the hardened parser of :mod:`specheft.io.safe.xml` (no DTD, no
entities, no network, size and depth limits). What the producers do differently:

* root ``<testsuites>`` or ``<testsuite>``, suites nested (Robot ``--xunit``);
* properties as ``value="…"`` or as element text, and ``[[PROPERTY|name=value]]`` lines
  in ``system-out`` (the Jenkins/Xray convention);
* pytest ``xfail`` is ``<skipped type="pytest.xfail">`` — skipped, not passed;
* CTest ``status="disabled"`` / ``status="notrun"`` with no child element;
* Surefire ``flakyFailure``/``flakyError`` (passed on a rerun → passed, flaky) and
  ``rerunFailure``/``rerunError`` (failed every rerun → failed);
* the same case reported again in one file (TestNG retries, gotestsum ``--rerun-fails``):
  attempts of one case — passed if any attempt passed (flaky when another did not);
* Playwright writes each test once per browser project, in suites told apart by
  ``hostname``: those are different cases (the test's result is the worst of them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from specheft.errors import InputError, Location
from specheft.evidence.model import CaseResult, Outcome, worst
from specheft.io.limits import MiB
from specheft.io.safe.xml import XmlEvent, iter_xml, local_name

MAX_BYTES = 200 * MiB
"""Default size cap of one report (a 10,000-case pytest report is about 3 MiB)."""

JUNIT_ROOTS = ("testsuites", "testsuite")
ROBOT_ROOT = "robot"
_PROPERTY_LINE = re.compile(r"\[\[PROPERTY\|([^=\]\r\n]+)=([^\]\r\n]*)\]\]")
_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})")
_MESSAGE_LIMIT = 500
_ROBOT_STATUS = {
    "PASS": Outcome.PASSED,
    "FAIL": Outcome.FAILED,
    "SKIP": Outcome.SKIPPED,
    "NOT RUN": Outcome.NOT_RUN,
    "NOT_RUN": Outcome.NOT_RUN,
}
# CTest's status attribute; "run" and "fail" agree with the child elements
_STATUS_ATTRIBUTE = {
    "disabled": Outcome.DISABLED,
    "notrun": Outcome.NOT_RUN,
    "not run": Outcome.NOT_RUN,
    "fail": Outcome.FAILED,
    "failed": Outcome.FAILED,
}
_NOT_JUNIT_HINTS = {
    "testng-results": "TestNG also writes JUnit reports: import junitreports/TEST-*.xml",
    "assemblies": "xUnit.net: write JUnit XML with a JUnit logger (e.g. JunitXml.TestLogger)",
    "test-run": "NUnit 3: convert to JUnit XML (e.g. with nunit3-junit.xslt) first",
}


@dataclass
class Report:
    """The cases of one file, in the order the file lists them, retries merged."""

    file: str
    importer: str  # "junit" or "robot"
    cases: list[CaseResult] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # YYYY-MM-DD found in timestamps

    @property
    def date(self) -> str | None:
        return min(self.dates) if self.dates else None


def date_of(stamp: str | None) -> str | None:
    """``2027-08-10T09:15:02Z`` or Robot's ``20270810 09:15:02.123`` → ``2027-08-10``."""
    if not stamp:
        return None
    match = _DATE.match(stamp)
    if match is None:
        return None
    year, month, day = match.groups()
    if not ("01" <= month <= "12" and "01" <= day <= "31"):
        return None
    return f"{year}-{month}-{day}"


def _seconds(value: str | None) -> float | None:
    if not value:
        return None
    text = value.strip()
    # Surefire once wrote "1,234.567" (grouping); others a decimal comma
    text = text.replace(",", "") if "," in text and "." in text else text.replace(",", ".")
    try:
        seconds = float(text)
    except ValueError:
        return None
    return round(seconds, 6) if seconds >= 0 and seconds == seconds else None


def _message(element: Element) -> str:
    text = element.get("message") or (element.text or "").strip().partition("\n")[0]
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _properties(element: Element) -> list[tuple[str, str]]:
    found = []
    for prop in element:
        if local_name(prop.tag) != "property":
            continue
        name = (prop.get("name") or "").strip()
        value = prop.get("value")
        if value is None:
            value = prop.text or ""
        if name:
            found.append((name, value.strip()))
    return found


def read_report(path: Path, *, name: str | None = None, max_bytes: int = MAX_BYTES) -> Report:
    """Read one JUnit/xUnit or Robot ``output.xml`` file; located errors for bad input.

    Raises :class:`InputError` for an empty, malformed or truncated file and for XML
    that is no test report (naming its root), :class:`UnsafeInputError` for DTD
    entities, external references or a file over ``max_bytes``.
    """
    display = name or str(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = -1  # iter_xml reports it
    if 0 <= size <= 4096 and path.is_file():
        try:
            if not path.read_bytes().strip(b" \t\r\n\xef\xbb\xbf"):
                raise InputError("is empty: no test report in it", location=Location(display))
        except OSError:
            pass
    report: Report | None = None
    try:
        events = iter_xml(path, name=display, events=("start", "end"), max_bytes=max_bytes)
        first = next(events)
        root = local_name(first.element.tag)
        if root in JUNIT_ROOTS:
            report = Report(display, "junit")
            _read_junit(report, first, events)
        elif root == ROBOT_ROOT:
            report = Report(display, "robot")
            _read_robot(report, first, events)
        else:
            raise InputError(
                f"is XML but not a JUnit/xUnit report: the root element is <{root}>; "
                "expected <testsuites> or <testsuite> (JUnit/xUnit) or <robot> "
                "(Robot Framework output.xml)",
                location=Location(display, first.line, first.column),
                hint=_NOT_JUNIT_HINTS.get(root),
            )
    except InputError as exc:
        if "no element found" in exc.message and size != 0:
            raise InputError(
                "not well-formed XML: the file ends before its elements are closed "
                "(truncated? was the test run still writing it?)",
                location=exc.location,
            ) from None
        raise
    report.cases = merge_attempts(report.cases)
    return report


def _read_junit(report: Report, first: XmlEvent, events: Iterator[XmlEvent]) -> None:
    suites: list[tuple[str, str]] = []  # (name, hostname) of the open <testsuite>s
    parents: list[Element] = []
    for event in _with_first(first, events):
        element = event.element
        tag = local_name(element.tag)
        if event.event == "start":
            parents.append(element)
            if tag == "testsuite":
                suites.append((element.get("name") or "", element.get("hostname") or ""))
            if tag in JUNIT_ROOTS and (stamp := date_of(element.get("timestamp"))):
                report.dates.append(stamp)
            continue
        parents.pop()
        if tag == "testcase":
            suite_names = [s for s, _ in suites if s]
            host = next((h for _, h in reversed(suites) if h), "")
            report.cases.append(
                _junit_case(element, report.file, event.line, " / ".join(suite_names), host)
            )
            if parents:
                parents[-1].remove(element)  # keep memory flat on 100,000 cases
        elif tag == "testsuite":
            suites.pop()
            element.clear()


def _with_first(first: XmlEvent, events: Iterator[XmlEvent]) -> Iterator[XmlEvent]:
    yield first
    yield from events


def _junit_case(element: Element, file: str, line: int, suite: str, host: str) -> CaseResult:
    outcomes: list[Outcome] = []
    message = ""
    flaky = False
    attempts = 1
    properties: list[tuple[str, str]] = []
    for child in element:
        tag = local_name(child.tag)
        if tag in ("error", "failure", "skipped"):
            outcome = {
                "error": Outcome.ERROR,
                "failure": Outcome.FAILED,
                "skipped": Outcome.SKIPPED,
            }[tag]
            outcomes.append(outcome)
            if not message or outcome is not Outcome.SKIPPED:
                message = _message(child) or message
        elif tag in ("flakyFailure", "flakyError"):
            flaky = True
            attempts += 1
            message = message or _message(child)
        elif tag in ("rerunFailure", "rerunError"):
            attempts += 1
        elif tag == "properties":
            properties.extend(_properties(child))
        elif tag in ("system-out", "system-err") and child.text and "[[PROPERTY|" in child.text:
            properties.extend(
                (m.group(1).strip(), m.group(2).strip())
                for m in _PROPERTY_LINE.finditer(child.text)
            )
    status = (element.get("status") or element.get("result") or "").strip().lower()
    if status in _STATUS_ATTRIBUTE:  # first: of equal rank, CTest's own word wins
        outcomes.insert(0, _STATUS_ATTRIBUTE[status])
    outcome = worst(outcomes) if outcomes else Outcome.PASSED
    return CaseResult(
        name=element.get("name") or "",
        classname=element.get("classname") or element.get("class") or "",
        suite=suite,
        host=host,
        outcome=outcome,
        flaky=flaky and outcome is Outcome.PASSED,
        duration=_seconds(element.get("time")),
        message=message,
        file=file,
        line=line,
        properties=properties,
        attempts=attempts,
    )


def _read_robot(report: Report, first: XmlEvent, events: Iterator[XmlEvent]) -> None:
    if stamp := date_of(first.element.get("generated")):
        report.dates.append(stamp)
    suites: list[str] = []
    parents: list[Element] = []
    for event in _with_first(first, events):
        element = event.element
        tag = local_name(element.tag)
        if event.event == "start":
            parents.append(element)
            if tag == "suite":
                suites.append(element.get("name") or "")
            continue
        parents.pop()
        if tag == "test":
            report.cases.append(_robot_case(element, report, event.line, ".".join(suites)))
            if parents:
                parents[-1].remove(element)
        elif tag == "suite":
            suites.pop()
            element.clear()


def _robot_case(element: Element, report: Report, line: int, suite: str) -> CaseResult:
    tags: list[str] = []
    status: Element | None = None
    for child in element:
        tag = local_name(child.tag)
        if tag == "tag" and child.text:
            tags.append(child.text.strip())
        elif tag == "tags":  # some versions group them
            tags.extend((t.text or "").strip() for t in child if local_name(t.tag) == "tag")
        elif tag == "status":
            status = child  # the test's own status is its last direct <status>
    outcome = Outcome.NOT_RUN
    message = ""
    duration = None
    if status is not None:
        outcome = _ROBOT_STATUS.get((status.get("status") or "").upper(), Outcome.NOT_RUN)
        message = _message(status)
        duration = _seconds(status.get("elapsed"))
        start = status.get("start") or status.get("starttime")
        if duration is None:  # Robot < 7: "20270812 08:30:04.420" … "08:30:06.730"
            duration = _robot_elapsed(start, status.get("endtime"))
        if stamp := date_of(start):
            report.dates.append(stamp)
    return CaseResult(
        name=element.get("name") or "",
        classname=suite,
        suite=suite,
        outcome=outcome,
        duration=duration,
        message=message,
        file=report.file,
        line=int(own) if (own := element.get("line") or "").isdigit() else line,
        tags=[t for t in tags if t],
    )


def _robot_elapsed(start: str | None, end: str | None) -> float | None:
    import datetime as dt

    try:
        first = dt.datetime.strptime(start or "", "%Y%m%d %H:%M:%S.%f")
        last = dt.datetime.strptime(end or "", "%Y%m%d %H:%M:%S.%f")
    except ValueError:
        return None
    return round((last - first).total_seconds(), 6)


def merge_attempts(cases: list[CaseResult]) -> list[CaseResult]:
    """One result per case: repeats of a case in one file are its attempts (retries).

    Passed if any attempt passed — flaky when another attempt did not pass; otherwise
    the worst outcome. The first attempt's position and line are kept.
    """
    groups: dict[tuple[str, str, str, str, str], list[CaseResult]] = {}
    for case in cases:
        groups.setdefault(case.key, []).append(case)
    if len(groups) == len(cases):
        return cases
    merged = []
    for attempts in groups.values():
        if len(attempts) == 1:
            merged.append(attempts[0])
            continue
        first = attempts[0]
        outcomes = [a.outcome for a in attempts]
        passed = [a for a in attempts if a.outcome is Outcome.PASSED]
        if passed:
            first.outcome = Outcome.PASSED
            first.flaky = any(o is not Outcome.PASSED for o in outcomes) or any(
                a.flaky for a in attempts
            )
            failures = [a.message for a in attempts if a.outcome is not Outcome.PASSED]
            first.message = failures[0] if failures else first.message
        else:
            last_worst = worst(outcomes)
            first.outcome = last_worst
            first.flaky = False
            first.message = next(
                (a.message for a in attempts if a.outcome is last_worst and a.message), ""
            )
        first.attempts = sum(a.attempts for a in attempts)
        known = set(first.properties)
        for other in attempts[1:]:
            first.properties.extend(p for p in other.properties if p not in known)
            known.update(other.properties)
        durations = [a.duration for a in attempts if a.duration is not None]
        first.duration = round(sum(durations), 6) if durations else None
        merged.append(first)
    return merged
