"""The result of ``specheft check`` as plain data: findings, coverage, counts.

Made by :func:`specheft.project.check.run_check` (which runs Sphinx); read by the report
formats in :mod:`specheft.io.report` and by anything else that wants the findings. It holds
no Sphinx object, no settings and no project: whatever a format needs is copied in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from specheft.trace.coverage import RequirementCoverage
from specheft.trace.graph import TraceGraph
from specheft.trace.rules import Evaluation, Finding


@dataclass
class CheckReport:
    #: ``[project] name`` of specheft.toml
    project_name: str
    #: the project's root directory (finding paths are relative to it)
    root: Path
    graph: TraceGraph
    evaluation: Evaluation
    #: coverage per requirement, in the graph's order
    rows: list[RequirementCoverage] = field(default_factory=list)
    #: rules set below their built-in level in specheft.toml (see ``relaxed_rules``)
    relaxed: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def findings(self) -> list[Finding]:
        return self.evaluation.findings

    @property
    def items(self) -> int:
        return len(self.graph)

    @property
    def errors(self) -> int:
        return self.evaluation.errors

    @property
    def warnings(self) -> int:
        return self.evaluation.warnings

    @property
    def infos(self) -> int:
        return self.evaluation.count("info")

    def exit_code(self, strict: bool = False) -> int:
        """1 on errors (or on warnings when ``strict``), else 0."""
        if self.errors or (strict and self.warnings):
            return 1
        return 0
