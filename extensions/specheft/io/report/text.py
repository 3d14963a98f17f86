"""The human-readable check report: findings grouped by rule, then a summary line."""

from __future__ import annotations

from collections.abc import Callable

from specheft.textsafe import printable, printable_line
from specheft.trace.coverage import by_priority, percent_text
from specheft.trace.report import CheckReport
from specheft.trace.rules import SEVERITY, Finding, all_rules


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary_line(report: CheckReport) -> str:
    parts = []
    for priority, counts in by_priority(report.rows).items():
        if not counts.total:
            continue
        parts.append(
            f"{priority} {counts.total} (specified {percent_text(counts.specified, counts.total)}"
            f", tested {percent_text(counts.tested, counts.total)})"
        )
    requirements = ", ".join(parts) if parts else "no requirements"
    relaxed = report.relaxed
    # a green check under relaxed rules must say so: it proves less than the defaults would
    note = (
        "; relaxed in specheft.toml: "
        + ", ".join(f"{rule_id} ({_levels(levels)})" for rule_id, levels in relaxed.items())
        if relaxed
        else ""
    )
    return printable(  # a priority is the user's text until validated
        f"{report.items} items; requirements: {requirements}; "
        f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}, "
        f"{_plural(report.infos, 'info')}{note} ({report.seconds:.1f} s)"
    )


def _levels(levels: dict[str, str]) -> str:
    if list(levels) == ["default"]:
        return levels["default"]
    return ", ".join(f"{key} {level}" for key, level in levels.items())


def render(
    report: CheckReport,
    *,
    style: Callable[[str, str], str] | None = None,
    show_info: bool = False,
) -> str:
    """Findings grouped by rule, most severe rule first; infos are counted, not listed,
    unless ``show_info``. ``style(text, level)`` may colour level words for a terminal."""
    paint = style or (lambda text, level: text)
    rules = all_rules()
    groups: dict[str, list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault(finding.rule, []).append(finding)
    worst = {rule: max(SEVERITY[f.level] for f in found) for rule, found in groups.items()}
    lines: list[str] = []
    for rule_id in sorted(groups, key=lambda r: (-worst[r], r)):
        found = groups[rule_id]
        summary = rules[rule_id].summary if rule_id in rules else "Sphinx reported a problem"
        listed = [f for f in found if show_info or f.level != "info"]
        infos = len(found) - len(listed)
        note = f"; {_plural(infos, 'info')} not listed, see --verbose" if infos else ""
        lines.append(f"{rule_id} — {summary} ({len(found)}{note})")
        for finding in listed:
            # file names, ids and messages come from the user's tree: controls escaped
            head = f"{printable(finding.item)}: " if finding.item else ""
            lines.append(
                f"  {printable_line(finding.location)}: {paint(finding.level, finding.level)}: "
                f"{head}{printable(finding.message)}"
            )
            if finding.hint:
                lines.append(f"      hint: {printable(finding.hint)}")
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
