"""The check report as JUnit XML: a test suite per rule, a test case per finding.

A rule without findings is one passing test case, so CI dashboards show every rule.
Errors are failures; warnings are skipped cases (yellow, not red); infos pass with
their message in ``system-out``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from specheft.textsafe import printable, printable_line
from specheft.trace.report import CheckReport
from specheft.trace.rules import Finding, all_rules


def render(report: CheckReport, *, strict: bool = False) -> str:
    rules = all_rules()
    by_rule: dict[str, list[Finding]] = {rule_id: [] for rule_id in rules}
    for rule_id, group in groupby(
        sorted(report.findings, key=lambda f: f.rule), key=lambda f: f.rule
    ):
        by_rule.setdefault(rule_id, []).extend(group)
    root = ET.Element("testsuites", name="specheft check")
    total = failures = skipped = 0
    for rule_id, findings in by_rule.items():
        suite = ET.SubElement(root, "testsuite", name=rule_id)
        summary = rules[rule_id].summary if rule_id in rules else "Sphinx build messages"
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="rule", value=summary)
        suite_failures = suite_skipped = 0
        if not findings:
            ET.SubElement(suite, "testcase", classname=f"specheft.{rule_id}", name="all items")
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"specheft.{rule_id}",
                name=printable_line(finding.item or finding.location),
            )
            # XML 1.0 has no way to write most control characters, not even as a
            # character reference: file names and messages get them as visible escapes
            if finding.path:
                case.set("file", printable_line(finding.path))
            if finding.line:
                case.set("line", str(finding.line))
            message = printable(finding.message)
            text = f"{printable_line(finding.location)}: {message}"
            if finding.hint:
                text += f"\nhint: {printable(finding.hint)}"
            if finding.level == "error" or (strict and finding.level == "warning"):
                failure = ET.SubElement(case, "failure", type=finding.level, message=message)
                failure.text = text
                suite_failures += 1
            elif finding.level == "warning":
                ET.SubElement(case, "skipped", message=f"warning: {message}")
                suite_skipped += 1
            else:
                ET.SubElement(case, "system-out").text = text
        cases = max(len(findings), 1)
        suite.set("tests", str(cases))
        suite.set("failures", str(suite_failures))
        suite.set("errors", "0")
        suite.set("skipped", str(suite_skipped))
        total += cases
        failures += suite_failures
        skipped += suite_skipped
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
