"""Test evidence in the documents: the stored runs as the build sees them.

The runs (``spec/testkatalog/runs/``, read by the pure :mod:`specheft.evidence` package)
are not Sphinx sources: pages showing results (items of kind req and test, the trace
and results directives) carry a digest of the run files in their freshness signature,
so adding or changing a run rewrites them in an incremental build. Runs are evidence,
not contract content: no fingerprint depends on them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from specheft.errors import SpecheftError
from specheft.evidence.config import AcceptanceConfig, acceptance_config, results_config
from specheft.evidence.model import Outcome, worst
from specheft.evidence.store import Store, TestResult, load_store
from specheft.labels import label, register
from specheft.model import Kind
from specheft.sphinxext.context import build_state, settings_of
from specheft.sphinxext.rendering.documents import format_date as document_date
from specheft.trace.coverage import requirement_coverage
from specheft.trace.graph import Item, TraceGraph

logger = logging.getLogger(__name__)

register(
    "de",
    {
        "field.result": "Testergebnis",
        "col.result": "Testergebnis",
        "result.passed": "bestanden",
        "result.flaky": "bestanden (erst bei Wiederholung)",
        "result.failed": "nicht bestanden",
        "result.error": "nicht bestanden (Fehler)",
        "result.blocked": "blockiert",
        "result.skipped": "nicht durchgeführt",
        "result.not-run": "nicht durchgeführt",
        "result.disabled": "nicht durchgeführt",
        "result.none": "kein Ergebnis",
        "result.of_tests": "{passed} von {total} Tests bestanden",
        "result.run": "{run}, {date}",
        "summary.verified": "verifiziert bestanden",
    },
)
register(
    "en",
    {
        "field.result": "Test result",
        "col.result": "Test result",
        "result.passed": "passed",
        "result.flaky": "passed (on a rerun)",
        "result.failed": "failed",
        "result.error": "failed (error)",
        "result.blocked": "blocked",
        "result.skipped": "not run",
        "result.not-run": "not run",
        "result.disabled": "not run",
        "result.none": "no result",
        "result.of_tests": "{passed} of {total} tests passed",
        "result.run": "{run}, {date}",
        "summary.verified": "verified passed",
    },
)


def runs_directory(app: Sphinx) -> Path:

    root = Path(app.srcdir).parent
    return root / results_config(settings_of(app)).runs_dir


def runs_digest(app: Sphinx) -> str:
    """A digest of every run file ("" without any): what the result pages depend on."""
    directory = runs_directory(app)
    if not directory.is_dir():
        return ""
    digest = hashlib.sha256()
    found = False
    for path in sorted(directory.glob("*.json")):
        try:
            data = path.read_bytes()
        except OSError:
            data = b"?"
        found = True
        digest.update(path.name.encode() + b"\x1f" + hashlib.sha256(data).digest())
    return digest.hexdigest() if found else ""


def store_of(app: Sphinx) -> Store:
    """The runs of this build, read once (a damaged file is a warning at its place and
    the build goes on without runs: a strict build fails)."""
    state = build_state(app)
    store = state.store
    if store is None:
        directory = runs_directory(app)
        root = Path(app.srcdir).parent
        try:
            store = load_store(directory, root=root)
        except SpecheftError as exc:
            where = exc.location
            logger.warning(
                f"test results are not shown: {exc.message}"
                + (f" (hint: {exc.hint})" if exc.hint else ""),
                location=(
                    f"{root / where.path}:{where.line or 1}"
                    if where is not None and where.path
                    else f"{directory}:1"
                ),
                type="specheft",
                subtype="results",
            )
            store = Store(directory)
        state.store = store
    return store


def acceptance_of(app: Sphinx) -> AcceptanceConfig:

    return acceptance_config(settings_of(app))


def result_pages(
    app: Sphinx, needs: Mapping[str, Any], trace_docs: Iterable[str]
) -> dict[str, str]:
    """docname → the runs digest, for every page that shows results."""
    digest = runs_digest(app)
    if not digest:
        return {}
    store_of(app)  # read (and warn) once, before parallel writers fork
    pages = {
        str(need["docname"])
        for need in needs.values()
        if need.get("type") in (Kind.REQ, Kind.TEST) and need.get("docname")
    }
    pages.update(trace_docs)
    return dict.fromkeys(sorted(pages), digest)


def outcome_word(lang: str, result: TestResult | None) -> str:
    if result is None:
        return label(lang, "result.none")
    if result.outcome is Outcome.PASSED and result.flaky:
        return label(lang, "result.flaky")
    return label(lang, f"result.{result.outcome}")


def format_date(value: str, lang: str) -> str:
    try:
        return document_date(value[:10], lang)
    except ValueError:
        return value


def run_text(lang: str, result: TestResult) -> str:
    return label(lang, "result.run").format(run=result.run, date=format_date(result.date, lang))


@dataclass(frozen=True)
class Verdict:
    """The latest results of an item's tests, summed up for one cell or field."""

    outcome: Outcome | None  # None: no test has a result
    passed: int
    total: int
    latest: TestResult | None  # the result that decides the outcome (the worst, latest)
    flaky: bool = False

    def css(self) -> str:
        return f"specheft-result-{self.outcome or 'none'}"


def verdict(
    tests: Iterable[str],
    latest: Mapping[str, TestResult],
    direct: Iterable[TestResult] = (),
    flaky_as: str = "passed",
) -> Verdict | None:
    """None when there is nothing to show: no tests and no direct evidence."""
    ids = list(tests)
    results = [latest.get(t) for t in ids] + list(direct)
    if not results:
        return None
    known = [r for r in results if r is not None]
    if not known:
        return Verdict(None, 0, len(results), None)
    missing = len(known) < len(results)
    outcome = worst([r.outcome for r in known] + ([Outcome.NOT_RUN] if missing else []))
    passed = sum(r.passed(flaky_as) for r in known)
    if flaky_as == "failed" and outcome is Outcome.PASSED and passed < len(known):
        outcome = Outcome.FAILED
    deciding = [r for r in known if r.outcome is outcome] or known
    pick = max(deciding, key=lambda r: (r.date, r.run))
    flaky = outcome is Outcome.PASSED and any(r.flaky for r in known)
    return Verdict(outcome, passed, len(results), pick, flaky)


def verdict_text(lang: str, found: Verdict, *, single: bool) -> str:
    if found.outcome is None:
        word = label(lang, "result.none")
    elif found.outcome is Outcome.PASSED and found.flaky:
        word = label(lang, "result.flaky")
    else:
        word = label(lang, f"result.{found.outcome}")
    parts = [word]
    if not single:
        parts.append(label(lang, "result.of_tests").format(passed=found.passed, total=found.total))
    if found.latest is not None:
        parts.append(run_text(lang, found.latest))
    return " – ".join(parts)


class Results:
    """The latest results of a build, with the item lookups the pages need."""

    def __init__(self, app: Sphinx) -> None:
        self.store = store_of(app)
        self.latest, self.direct = self.store.latest()
        self.flaky_as = acceptance_of(app).flaky

    @property
    def any(self) -> bool:
        return bool(self.store.runs)

    def of_tests(self, tests: Iterable[str], direct_ids: Iterable[str] = ()) -> Verdict | None:
        evidence = [self.direct[i] for i in direct_ids if i in self.direct]
        return verdict(tests, self.latest, evidence, self.flaky_as)

    def of_requirement(self, graph: TraceGraph, item: Item) -> Verdict | None:
        cov = requirement_coverage(graph, item)
        return self.of_tests(cov.tests, (item.id, *cov.specs))

    def verified(self, graph: TraceGraph, item: Item) -> bool:
        """All its tests (and direct evidence) passed in their latest run."""
        found = self.of_requirement(graph, item)
        return found is not None and found.total > 0 and found.passed == found.total
