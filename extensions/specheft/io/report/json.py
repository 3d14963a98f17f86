"""The check report as JSON: findings, coverage per requirement, counts."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from specheft.textsafe import json_text
from specheft.trace.coverage import by_area, by_priority
from specheft.trace.report import CheckReport
from specheft.version import __version__


def as_dict(report: CheckReport) -> dict[str, Any]:
    return {
        "tool": {"name": "specheft", "version": __version__},
        "project": report.project_name,
        "summary": {
            "items": report.items,
            "errors": report.errors,
            "warnings": report.warnings,
            "infos": report.infos,
            "coverage_by_priority": {k: v.as_dict() for k, v in by_priority(report.rows).items()},
            "coverage_by_area": {k: v.as_dict() for k, v in by_area(report.rows).items()},
            # rules set below their built-in level in specheft.toml, per priority
            "relaxed": report.relaxed,
        },
        "findings": [asdict(f) for f in report.findings],
        "requirements": [
            {
                "id": row.item.id,
                "title": row.item.title,
                "priority": row.item.priority,
                "area": row.item.area,
                "phase": row.phase.id if row.phase else None,
                "specs": list(row.specs),
                "tests": list(row.tests),
                "status": str(row.status),
                "path": row.item.path,
                "line": row.item.line,
            }
            for row in report.rows
        ],
    }


def render(report: CheckReport) -> str:
    # C1 controls and lone surrogates escaped too: the output is valid, printable JSON
    return json_text(json.dumps(as_dict(report), ensure_ascii=False, indent=2)) + "\n"
