"""The Go/No-Go decision as JUnit XML, for CI dashboards.

One suite per criterion with a failing case per reason, and a case ``decision`` that
fails on No-Go; a Go lists the open defects (Restmängel) in its ``system-out``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from specheft.evidence.acceptance import Decision
from specheft.textsafe import printable, printable_line

CRITERIA = ("tests-passed", "class-1", "class-2-limit", "class-2-workaround")


def render(decision: Decision) -> str:
    root = ET.Element("testsuites", name="specheft accept")
    by_criterion: dict[str, list[ET.Element]] = {c: [] for c in CRITERIA}
    for reason in decision.reasons:
        case = ET.Element(
            "testcase",
            classname=f"specheft.accept.{reason.criterion}",
            name=printable_line(reason.requirement or reason.defect or reason.criterion),
        )
        if reason.path:
            case.set("file", printable_line(reason.path))
        if reason.line:
            case.set("line", str(reason.line))
        message = printable_line(reason.message)
        ET.SubElement(case, "failure", type=reason.criterion, message=message).text = printable(
            str(reason)
        )
        by_criterion.setdefault(reason.criterion, []).append(case)
    total = failures = 0
    for criterion, cases in by_criterion.items():
        suite = ET.SubElement(root, "testsuite", name=criterion)
        if not cases:
            ET.SubElement(suite, "testcase", classname=f"specheft.accept.{criterion}", name="met")
        suite.extend(cases)
        suite.set("tests", str(max(len(cases), 1)))
        suite.set("failures", str(len(cases)))
        suite.set("errors", "0")
        total += max(len(cases), 1)
        failures += len(cases)
    suite = ET.SubElement(root, "testsuite", name="decision", tests="1", errors="0")
    case = ET.SubElement(suite, "testcase", classname="specheft.accept", name="decision")
    if decision.go:
        suite.set("failures", "0")
        if decision.residual:
            ET.SubElement(case, "system-out").text = printable(
                "Go with reservations; open defects: "
                + ", ".join(f"{d.id} (class {d.defect_class})" for d in decision.residual)
            )
    else:
        suite.set("failures", "1")
        ET.SubElement(
            case, "failure", type="no-go", message=f"No-Go: {len(decision.reasons)} reason(s)"
        )
        failures += 1
    total += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
