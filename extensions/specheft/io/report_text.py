"""The human-readable check report: findings grouped by rule, then a summary line."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from ..check import CheckReport
from ..model import Priority
from ..trace.rules import SEVERITY, Finding, all_rules


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(report: CheckReport) -> str:
    parts = []
    for priority in Priority:
        rows = [r for r in report.rows if r.item.priority == priority]
        if not rows:
            continue
        specified = sum(1 for r in rows if r.specs)
        tested = sum(1 for r in rows if r.tests)
        parts.append(
            f"{priority} {len(rows)} (specified {100 * specified // len(rows)} %, "
            f"tested {100 * tested // len(rows)} %)"
        )
    requirements = ", ".join(parts) if parts else "no requirements"
    ev = report.evaluation
    return (
        f"{len(report.graph)} items; requirements: {requirements}; "
        f"{_plural(ev.errors, 'error')}, {_plural(ev.warnings, 'warning')}, "
        f"{_plural(ev.count('info'), 'info')} ({report.seconds:.1f} s)"
    )


def render(
    report: CheckReport, *, style: Callable[[str, str], str] | None = None, show_info: bool = True
) -> str:
    """``style(text, level)`` may colour level words for a terminal."""
    paint = style or (lambda text, level: text)
    rules = all_rules()
    lines: list[str] = []
    findings = [f for f in report.findings if show_info or f.level != "info"]
    by_rule = sorted(
        findings,
        key=lambda f: (
            -max(SEVERITY[g.level] for g in findings if g.rule == f.rule),
            f.rule,
            f.sort_key(),
        ),
    )
    for rule_id, group in groupby(by_rule, key=lambda f: f.rule):
        items: list[Finding] = list(group)
        summary = rules[rule_id].summary if rule_id in rules else "Sphinx reported a problem"
        lines.append(f"{rule_id} — {summary} ({len(items)})")
        for finding in items:
            head = f"{finding.item}: " if finding.item else ""
            lines.append(
                f"  {finding.location}: {paint(finding.level, finding.level)}: "
                f"{head}{finding.message}"
            )
            if finding.hint:
                lines.append(f"      hint: {finding.hint}")
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
