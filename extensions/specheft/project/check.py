"""``specheft check`` as a library call: build the items only, then evaluate the rules.

The Sphinx run uses the ``needs`` builder (no HTML) and does not run the rules
itself; its warnings (bad field values, unknown links, …) become findings of the
rule ``build`` so that every problem is reported in one list, with one exit code.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path
from typing import IO

from specheft.gcpause import paused_collection
from specheft.project.baselines import latest_baselines
from specheft.project.layout import Project
from specheft.project.since import LATEST, items_at, resolve, since_baselines
from specheft.trace.changes import Since
from specheft.trace.coverage import coverage
from specheft.trace.diff import diff_snapshots, snapshot
from specheft.trace.graph import TraceGraph
from specheft.trace.hitcache import HitCache
from specheft.trace.report import CheckReport
from specheft.trace.rules import Finding, check_options, evaluate, relaxed_rules, rule_options
from specheft.trace.sourcelines import SourceLines

BUILD_RULE = "build"
_ITEM_IN_MESSAGE = re.compile(r"^(?:Need ')?(?P<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)'?[: ]")


def _relative(path: str | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def build_findings(messages: list, root: Path) -> list[Finding]:  # type: ignore[type-arg]
    """Sphinx's warnings as findings of the rule ``build`` (always errors: input is broken)."""
    findings = []
    for message in messages:
        match = _ITEM_IN_MESSAGE.match(message.text)
        item = match.group("id") if match else None
        text = message.text.removeprefix(f"{item}: ") if item else message.text
        kind = ".".join(p for p in (message.type, message.subtype) if p)
        if kind and not text.endswith(f"[{kind}]"):  # Sphinx appends it when show_warning_types
            text += f" [{kind}]"
        findings.append(
            Finding(BUILD_RULE, "error", text, item, _relative(message.path, root), message.line)
        )
    return findings


def run_check(
    project: Project,
    *,
    jobs: int | None = None,
    fresh: bool = False,
    progress: IO[str] | None = None,
    since: str | None = None,
) -> CheckReport:
    """Build the items and evaluate every rule; Sphinx's progress lines go to ``progress``.

    The result is the pure :class:`~specheft.trace.report.CheckReport` that every report
    format reads; nothing is printed. ``since``: a git revision whose items the rule
    change-uncovered compares with (resolved first: a wrong one fails before the build);
    ``LATEST``: each document's own latest baseline tag."""
    from specheft.project import export_snapshot, items_cache
    from specheft.project.sphinx_run import items_build

    started = time.perf_counter()
    settings = project.settings()
    baseline = None
    latest: list[tuple[str, str, str]] = []
    if since == LATEST:  # each document against its own latest baseline
        repo, tags = latest_baselines(project)
        latest = [(name, tag.name, tag.commit) for name, tag in tags]
    elif since is not None:
        baseline = resolve(project, since)
    key = items_cache.items_key(project)
    result, needs = items_build(project, fresh=fresh, jobs=jobs, progress=progress)
    srcdir = project.spec_dir.relative_to(project.root).as_posix()
    from specheft.sphinxext.diagnostics.syntax import fenced_items
    from specheft.sphinxext.needs.data import plain_needs

    options = check_options(settings, fenced_items(result.app.env, project.root))
    if baseline is not None and since is not None:
        before = items_at(project, *baseline, since)  # a build of the revision
        after = snapshot(needs, srcdir, settings.own_fields)
        changes = diff_snapshots(before, after, since, "working tree")
        options = replace(options, since=Since(since, before, changes))
    elif latest:
        found = since_baselines(project, repo, latest, result.app.env, needs)
        options = replace(options, since=found)
    with paused_collection():
        plain = plain_needs(needs)
        graph = TraceGraph.from_needs(plain, srcdir=srcdir)
        # for results import, accept, … and (its export part) export xlsx|csv
        items_cache.store_if_unchanged(
            project,
            key,
            graph,
            export=lambda: export_snapshot.make(plain, result.app.env, settings.own_fields),
        )
        cache = HitCache(project.doctree_dir("check") / "specheft-hits.pickle")
        levels = rule_options(settings).levels
        evaluation = evaluate(graph, levels, options=options, cache=cache)
        cache.save()
        from_build = build_findings(list(result.messages), project.root)
        # a wrong link is reported by sphinx-needs already; do not say it twice
        reported = {f.item for f in from_build if f.item}
        evaluation.findings[:] = [
            f for f in evaluation.findings if not (f.rule == "link-kind" and f.item in reported)
        ]
        lines = SourceLines()
        evaluation.findings[:] = [
            replace(f, line=lines.option_line(project.root / f.path, f.line, f.field) or f.line)
            if f.field and f.path and f.line
            else f
            for f in evaluation.findings
        ]
        evaluation.findings[:0] = from_build
        evaluation.findings.sort(key=Finding.sort_key)
        return CheckReport(
            project_name=settings.project.name,
            root=project.root,
            graph=graph,
            evaluation=evaluation,
            rows=coverage(graph),
            relaxed=relaxed_rules(levels),
            seconds=time.perf_counter() - started,
        )
