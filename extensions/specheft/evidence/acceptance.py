"""Go/No-Go from the evidence: requirements, their tests' latest results, open defects.

Criteria (``[acceptance]``, defaults from the example Lastenheft, 10-abnahme.md):
every active must requirement has all its tests passed in the latest run that ran
them (``should_tests_passed`` adds should requirements); no open class-1 defect; at
most ``max_open_class2`` open class-2 defects, each with a workaround and a fix date.
Every violation is one :class:`Reason` naming the requirement, test, run or defect.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from specheft.errors import UsageError, did_you_mean
from specheft.evidence.config import AcceptanceConfig
from specheft.evidence.model import CLASS_NAMES_DE, Defect, Outcome
from specheft.evidence.store import Store, TestResult
from specheft.model import Kind, Priority
from specheft.trace.coverage import requirement_coverage
from specheft.trace.graph import Item, TraceGraph


@dataclass(frozen=True)
class Reason:
    criterion: str
    message: str
    requirement: str | None = None
    test: str | None = None
    defect: str | None = None
    run: str | None = None
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass
class Decision:
    go: bool
    phase: str | None
    reasons: list[Reason] = field(default_factory=list)
    residual: list[Defect] = field(default_factory=list)  # open defects that allow Go
    requirements: dict[str, int] = field(default_factory=dict)  # priority → in scope
    requirements_passed: dict[str, int] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)  # outcome → tests in scope
    open_defects: dict[int, int] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)

    @property
    def word(self) -> str:
        return "Go" if self.go else "No-Go"

    def to_json(self) -> dict[str, object]:
        return {
            "decision": "go" if self.go else "no-go",
            "with_reservations": self.go and bool(self.residual),
            "phase": self.phase,
            "reasons": [
                {k: v for k, v in asdict(r).items() if v is not None} for r in self.reasons
            ],
            "residual_defects": [d.to_json() for d in self.residual],
            "requirements": self.requirements,
            "requirements_passed": self.requirements_passed,
            "tests": self.tests,
            "open_defects": {str(k): v for k, v in sorted(self.open_defects.items())},
            "runs": self.runs,
        }


_PHRASES = {
    Outcome.PASSED: "passed",
    Outcome.FAILED: "failed",
    Outcome.ERROR: "ended in an error",
    Outcome.SKIPPED: "was skipped",
    Outcome.NOT_RUN: "was not run",
    Outcome.BLOCKED: "was blocked",
    Outcome.DISABLED: "is disabled",
}


def _outcome_text(result: TestResult) -> str:
    text = _PHRASES[result.outcome]
    if result.flaky:
        text += ' only on a rerun (flaky; [acceptance] flaky = "failed")'
    return f"{text} in run {result.run!r} ({result.date})"


def decide(
    graph: TraceGraph,
    store: Store,
    config: AcceptanceConfig | None = None,
    *,
    phase: str | None = None,
) -> Decision:
    """Evaluate the criteria; reasons in requirement, then defect order."""
    if phase is not None:
        phases = [p.id for p in graph.of_kind(Kind.PHASE, active_only=False)]
        if phase not in phases:
            raise UsageError(
                f"--phase {phase}: no such phase; phases: {', '.join(phases) or 'none'}",
                hint=did_you_mean(phase, phases),
            )
    config = config or AcceptanceConfig()
    decision = Decision(go=True, phase=phase, runs=[r.name for r in store.runs])
    latest, direct = store.latest()
    flaky_as = config.flaky
    priorities = [Priority.MUST] if config.must_tests_passed else []
    if config.should_tests_passed:
        priorities.append(Priority.SHOULD)
    outcomes: Counter[str] = Counter()
    counted: set[str] = set()
    for requirement in graph.of_kind(Kind.REQ):
        if requirement.priority not in priorities:
            continue
        if phase is not None:
            own = graph.phase_of(requirement)
            if own is None or own.id != phase:
                continue
        priority = str(requirement.priority)
        decision.requirements[priority] = decision.requirements.get(priority, 0) + 1
        coverage = requirement_coverage(graph, requirement)
        evidence = [direct[i] for i in (requirement.id, *coverage.specs) if i in direct]
        before = len(decision.reasons)

        def reason(message: str, test: str | None = None, run: str | None = None) -> Reason:
            return _requirement_reason(requirement, priority, message, test, run)  # noqa: B023

        if not coverage.tests and not evidence and config.require_tests:
            decision.reasons.append(
                reason("no test case verifies it, so no result can show it passed")
            )
        for test in coverage.tests:
            result = latest.get(test)
            if test not in counted:
                counted.add(test)
                outcomes[str(result.outcome) if result else "no result"] += 1
            if result is None:
                decision.reasons.append(
                    reason(f"test {test} has no result in any imported run", test)
                )
            elif not result.passed(flaky_as):
                message = next((c.message for c in result.cases if c.message), "")
                decision.reasons.append(
                    reason(
                        f"test {test} {_outcome_text(result)}"
                        + (f": {message}" if message else ""),
                        test,
                        result.run,
                    )
                )
        for result in evidence:
            if not result.passed(flaky_as):
                cases = ", ".join(c.label for c in result.cases[:3])
                decision.reasons.append(
                    reason(
                        f"{result.id} is verified directly by {cases}: {_outcome_text(result)}",
                        run=result.run,
                    )
                )
        if len(decision.reasons) == before:
            decision.requirements_passed[priority] = (
                decision.requirements_passed.get(priority, 0) + 1
            )
    decision.tests = dict(sorted(outcomes.items()))

    open_defects = [d for d in store.defects().values() if d.open]
    decision.open_defects = dict(Counter(d.defect_class for d in open_defects))
    by_class = {n: [d for d in open_defects if d.defect_class == n] for n in (1, 2, 3)}
    if len(by_class[1]) > config.max_open_class1:
        for defect in by_class[1]:
            decision.reasons.append(
                _defect_reason(
                    defect,
                    "class-1",
                    f"open class-1 defect ({CLASS_NAMES_DE[1]}); at most "
                    f"{config.max_open_class1} may be open",
                )
            )
    if len(by_class[2]) > config.max_open_class2:
        decision.reasons.append(
            Reason(
                "class-2-limit",
                f"{len(by_class[2])} open class-2 defects ({CLASS_NAMES_DE[2]}): "
                f"{', '.join(d.id for d in by_class[2])}; at most {config.max_open_class2} "
                "may be open",
            )
        )
    for defect in by_class[2]:
        missing = []
        if config.class2_need_workaround and not defect.workaround:
            missing.append("a workaround")
        if config.class2_need_fix_date and not defect.fix_date:
            missing.append("a fix date")
        if missing:
            decision.reasons.append(
                _defect_reason(
                    defect,
                    "class-2-workaround",
                    f"open class-2 defect without {' and '.join(missing)}",
                )
            )
    decision.go = not decision.reasons
    if decision.go:
        decision.residual = [d for d in open_defects if d.defect_class >= 2] + [
            d for d in open_defects if d.defect_class == 1
        ]
    return decision


def _requirement_reason(
    requirement: Item, priority: str, message: str, test: str | None, run: str | None
) -> Reason:
    return Reason(
        "tests-passed",
        f"{priority} requirement {requirement.id}: {message}",
        requirement=requirement.id,
        test=test,
        run=run,
        path=requirement.path,
        line=requirement.line,
    )


def _defect_reason(defect: Defect, criterion: str, text: str) -> Reason:
    tests = f" (tests: {', '.join(defect.tests)})" if defect.tests else ""
    title = f" {defect.title!r}" if defect.title else ""
    return Reason(
        criterion,
        f"defect {defect.id}{title}: {text}{tests}",
        defect=defect.id,
        test=defect.tests[0] if defect.tests else None,
        path=defect.where or None,
    )
