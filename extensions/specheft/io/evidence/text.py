"""Plain-text reports of test evidence: import summaries, the run list, Go/No-Go."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from specheft.evidence.acceptance import Decision
from specheft.evidence.model import CLASS_NAMES_DE, RANK, DefectList, Run
from specheft.evidence.store import Store
from specheft.textsafe import printable_line

if TYPE_CHECKING:  # the result type only: this writer does not depend on the use case
    from specheft.project.results import ImportResult

# Names, messages and file names come from imported reports: every line is made
# printable (an ESC in a test name must not drive the terminal), and each field is one
# line (a line feed in a case name must not fake another line of the report).

_UNMAPPED_SHOWN = 50


def _counts(outcomes: Counter[str]) -> str:
    rank = {str(o): r for o, r in RANK.items()}
    order = sorted(outcomes, key=lambda o: -rank.get(o, 0))
    return ", ".join(f"{o} {outcomes[o]}" for o in order)


def import_summary(result: ImportResult) -> str:
    entry = result.entry
    if result.already is not None:
        return printable_line(
            f"Already imported as {entry.name!r} ({entry.path}); nothing written "
            "(the same files give the same run)."
        )
    if isinstance(entry, DefectList):
        open_by_class = Counter(d.defect_class for d in entry.defects if d.open)
        classes = ", ".join(f"class {k}: {open_by_class[k]}" for k in sorted(open_by_class))
        lines = [
            f"Imported defect list {entry.name!r} ({entry.date}): {len(entry.defects)} defects, "
            f"open: {classes or 'none'}",
            f"  written to {entry.path}",
        ]
        return "\n".join(printable_line(line) for line in lines)
    run: Run = entry
    mapped = [c for c in run.cases if c.tests or c.verifies]
    tests = {t for c in mapped for t in c.tests}
    outcomes = Counter(str(c.outcome) for c in run.cases)
    flaky = sum(c.flaky for c in run.cases)
    lines = [
        f"Run {run.name!r} ({run.date}, {run.importer}): {len(run.cases)} cases "
        f"({_counts(outcomes)}{f'; {flaky} flaky' if flaky else ''}); "
        f"{len(mapped)} mapped to {len(tests)} test items, {len(result.unmapped)} unmapped"
    ]
    if result.unmapped:
        lines.append("Cases that map to no test item (listed, not counted):")
        for case in result.unmapped[:_UNMAPPED_SHOWN]:
            where = f"{case.file}:{case.line}" if case.line else case.file
            lines.append(f"  {where}: {case.label} ({case.outcome})")
        if len(result.unmapped) > _UNMAPPED_SHOWN:
            lines.append(f"  … and {len(result.unmapped) - _UNMAPPED_SHOWN} more")
        lines.append(
            "  hint: put the test id into the case name ([TC-SIT-001]) or a property "
            "(specheft_id), or map it in [results.map] of specheft.toml"
        )
    if result.defects:
        lines.append(
            f"  {result.defects} defect(s) from the sheet stored as {run.name + ' (defects)'!r}"
        )
    if result.refused:
        lines.append("--strict: unmapped cases; nothing written.")
    elif result.written is not None:
        lines.append(f"  written to {run.path}")
    return "\n".join(printable_line(line) for line in lines)


def store_listing(store: Store) -> str:
    if not store.runs and not store.defect_lists:
        return f"No runs imported yet ({store.directory})."
    lines = []
    for run in store.runs:
        outcomes = Counter(str(c.outcome) for c in run.cases)
        extra = ", ".join(
            x
            for x in (run.environment, f"version {run.sut_version}" if run.sut_version else "")
            if x
        )
        lines.append(
            f"{run.date}  run {run.name!r} ({run.importer}{', ' + extra if extra else ''}): "
            f"{len(run.cases)} cases ({_counts(outcomes)})  {run.path}"
        )
    for defects in store.defect_lists:
        opened = sum(d.open for d in defects.defects)
        lines.append(
            f"{defects.date}  defect list {defects.name!r}: {len(defects.defects)} defects, "
            f"{opened} open  {defects.path}"
        )
    return "\n".join(printable_line(line) for line in lines)


def decision_text(decision: Decision) -> str:
    scope = f" for {decision.phase}" if decision.phase else ""
    reserve = (
        " (with reservations: open defects remain)" if decision.go and decision.residual else ""
    )
    lines = [f"{decision.word}{scope}{reserve}"]
    if decision.reasons:
        lines.append(f"{len(decision.reasons)} reason(s):")
        lines += [f"  {reason}" for reason in decision.reasons]
    if decision.residual:
        lines.append("Open defects (Restmängel):")
        for defect in decision.residual:
            fix = f", fix by {defect.fix_date}" if defect.fix_date else ""
            lines.append(
                f"  {defect.id} class {defect.defect_class} "
                f"({CLASS_NAMES_DE[defect.defect_class]}){fix}"
            )
    requirements = ", ".join(
        f"{p} {n} (all tests passed: {decision.requirements_passed.get(p, 0)})"
        for p, n in decision.requirements.items()
    )
    tests = ", ".join(f"{o} {n}" for o, n in decision.tests.items())
    defects = ", ".join(f"class {k}: {v}" for k, v in sorted(decision.open_defects.items()))
    lines.append(
        f"Requirements: {requirements or 'none in scope'}; their tests: {tests or 'none'}; "
        f"open defects: {defects or 'none'}; runs: {len(decision.runs)}"
    )
    return "\n".join(printable_line(line) for line in lines) + "\n"
