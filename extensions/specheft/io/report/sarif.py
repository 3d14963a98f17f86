"""The check report as SARIF 2.1.0, for GitHub/GitLab code scanning annotations."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

from specheft.textsafe import json_text
from specheft.trace.report import CheckReport
from specheft.trace.rules import SEVERITY, Rule, all_rules
from specheft.version import __version__

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note", "off": "none"}


def _default_level(rule: Rule) -> str:
    """The most severe of the rule's default levels (it may differ per priority)."""
    levels = [rule.default.default, *rule.default.per_priority.values()]
    return _LEVEL[max(levels, key=lambda level: SEVERITY[level])]


def as_dict(report: CheckReport) -> dict[str, Any]:
    rules = all_rules()
    used = sorted({f.rule for f in report.findings} | set(rules))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    descriptors = []
    for rule_id in used:
        rule = rules.get(rule_id)
        text = rule.summary if rule else "Sphinx or sphinx-needs reported a problem in the sources"
        descriptors.append(
            {
                "id": rule_id,
                "name": rule_id.replace("-", " ").title().replace(" ", ""),
                "shortDescription": {"text": text},
                "defaultConfiguration": {"level": _default_level(rule) if rule else "error"},
            }
        )
    results = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": _LEVEL[finding.level],
            "message": {
                "text": (f"{finding.item}: " if finding.item else "")
                + finding.message
                + (f" (hint: {finding.hint})" if finding.hint else "")
            },
        }
        if finding.path:
            region = {"startLine": finding.line} if finding.line else {}
            result["locations"] = [
                {
                    "physicalLocation": {
                        # a URI reference: spaces and umlauts in file names percent-encoded
                        # (of the name's bytes: a non-UTF-8 name keeps its bytes, %FF)
                        "artifactLocation": {
                            "uri": quote(os.fsencode(finding.path)),
                            "uriBaseId": "SRCROOT",
                        },
                        **({"region": region} if region else {}),
                    }
                }
            ]
        if finding.item:
            result["partialFingerprints"] = {"specheftItem/v1": f"{finding.rule}:{finding.item}"}
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "specheft",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/specheft/",
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": report.root.as_uri() + "/"}},
                "results": results,
            }
        ],
    }


def render(report: CheckReport) -> str:
    # C1 controls and lone surrogates escaped too: the output is valid, printable JSON
    return json_text(json.dumps(as_dict(report), ensure_ascii=False, indent=2)) + "\n"
