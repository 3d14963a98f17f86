"""Use cases of test evidence: import results and defects into the project, decide Go/No-Go.

Plain functions over :mod:`specheft.evidence` (pure) and the project's items, which
come from the same items-only build as ``specheft check`` (sharing its cache) or
from a ``needs.json``. Nothing is printed here; nothing is written unless the whole
import is valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from specheft.errors import ConfigError, InputError, Location, UsageError, did_you_mean
from specheft.evidence.acceptance import Decision, decide
from specheft.evidence.config import acceptance_config, results_config
from specheft.evidence.defects import read_defects
from specheft.evidence.junit import read_report
from specheft.evidence.manual import read_manual
from specheft.evidence.mapping import Known, map_cases, unknown_table_ids
from specheft.evidence.model import CaseResult, DefectList, Run, Source
from specheft.evidence.store import Store, load_store, now_utc, write_entries, write_entry
from specheft.evidence.table import read_table
from specheft.fsutil import inside
from specheft.model import Kind
from specheft.project.layout import Project
from specheft.trace.graph import TraceGraph


def load_graph(
    project: Project, *, needs_json: Path | None = None, progress: IO[str] | None = None
) -> TraceGraph:
    """The project's items: from ``needs_json`` if given, else an items-only build."""
    srcdir = project.spec_dir.relative_to(project.root).as_posix()
    if needs_json is not None:
        return TraceGraph.from_needs_json(needs_json, srcdir=srcdir)
    from specheft.project.items_cache import cached_graph
    from specheft.project.sphinx_run import items_build

    def build() -> TraceGraph:
        # results and accept show none of the build's warnings (a check of the same cache does)
        _, needs = items_build(project, progress=progress, warnings=False)
        return TraceGraph.from_needs(needs, srcdir=srcdir)

    return cached_graph(project, build)


GraphSource = TraceGraph | Callable[[], TraceGraph]
"""The items, or how to get them: loaded only after the input files proved readable,
so that a broken file is reported at once, not after a build."""


def _resolve(graph: GraphSource) -> TraceGraph:
    return graph if isinstance(graph, TraceGraph) else graph()


def known_ids(graph: TraceGraph) -> Known:
    tests = [i.id for i in graph.of_kind(Kind.TEST, active_only=False)]
    targets = [
        i.id for kind in (Kind.REQ, Kind.SPEC) for i in graph.of_kind(kind, active_only=False)
    ]
    return Known(tests, targets)


def runs_directory(project: Project) -> Path:
    config = results_config(project.settings())
    return inside(project.root, Path(config.runs_dir))


def open_store(project: Project) -> Store:
    return load_store(runs_directory(project), root=project.root)


def _stored_name(path: Path, root: Path) -> str:
    """How a run file names its source: relative to the project, else the bare file name
    (an absolute path of one machine means nothing in a shared repository)."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return path.name


def _sha256(path: Path, display: str) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror}", location=Location(display)) from None
    return digest.hexdigest()


def _check_date(date: str | None) -> str | None:
    if date is None:
        return None
    try:
        return dt.date.fromisoformat(date).isoformat()
    except ValueError:
        raise UsageError(f"--date {date!r} is not a date (YYYY-MM-DD)") from None


@dataclass
class ImportResult:
    entry: Run | DefectList
    written: Path | None = None
    already: Run | DefectList | None = None  # the earlier import of the same content
    unmapped: list[CaseResult] = field(default_factory=list)
    refused: bool = False  # --strict and unmapped cases: nothing written
    defects: int = 0  # defects written with a manual sheet

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0


def _unique_name(store: Store, name: str) -> None:
    if name in store.names():
        entries: list[Run | DefectList] = [*store.runs, *store.defect_lists]
        other = next(e for e in entries if e.name == name)
        raise UsageError(
            f"a run named {name!r} exists already ({other.path}) with other content",
            hint="name this import differently (--run, or --name for a defect list); "
            "earlier imports are never rewritten",
        )


def _table_check(project: Project, known: Known) -> None:
    config = results_config(project.settings())
    bad = unknown_table_ids(config.mapping, known)
    if not bad:
        return
    key, test, hint = bad[0]
    path = project.settings_file
    line = None
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if text.lstrip().startswith((f'"{key}"', f"'{key}'", f"{key} ")):
                line = number
                break
    except OSError:
        pass
    raise ConfigError(
        f"results.map: {key!r} names unknown test id {test!r}",
        location=Location(str(path), line),
        hint=hint,
    )


def import_junit(
    project: Project,
    files: list[Path],
    graph: GraphSource,
    *,
    run_name: str | None = None,
    environment: str = "",
    sut_version: str = "",
    date: str | None = None,
    strict: bool = False,
) -> ImportResult:
    """Read, map and store one run from ``files``; an error leaves the tree untouched."""
    if not files:
        raise UsageError("name at least one JUnit/xUnit or Robot output.xml file")
    settings = project.settings()
    config = results_config(settings)
    date = _check_date(date)
    store = open_store(project)
    cases: list[CaseResult] = []
    sources: list[Source] = []
    importers: set[str] = set()
    dates: list[str] = []
    seen: dict[str, str] = {}
    for path in files:
        display = str(path)
        report = read_report(path, name=display, max_bytes=config.max_bytes)
        sha = _sha256(path, display)
        if sha in seen:
            raise UsageError(f"{display} and {seen[sha]} are the same file content")
        seen[sha] = display
        stored = _stored_name(path, project.root)
        for case in report.cases:
            case.file = stored
        cases.extend(report.cases)
        sources.append(Source(stored, sha))
        importers.add(report.importer)
        if report.date:
            dates.append(report.date)
    importer = "+".join(sorted(importers))
    run = Run(
        name=run_name or "",
        date=date or (min(dates) if dates else _today()),
        importer=importer,
        sources=sources,
        imported=now_utc(),
        environment=environment,
        sut_version=sut_version,
        cases=cases,
    )
    earlier = store.find_digest(run.digest)
    if earlier is not None:
        return ImportResult(earlier, already=earlier)
    known = known_ids(_resolve(graph))
    _table_check(project, known)
    unknown = map_cases(cases, known, config.mapping)
    if unknown:
        first = unknown[0]
        listed = "\n".join(f"  {u}" for u in unknown[:20])
        more = f"\n  … and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        raise InputError(
            f"{len(unknown)} unknown id(s) named in the report; nothing imported:\n{listed}{more}",
            location=Location(_display_of(files, first.file), first.line),
            item=first.id,
            hint="correct the ids in the test code, or add the test items to the specification",
        )
    if not run.name:
        stem = files[0].stem
        stem = stem if len(files) == 1 else f"{stem} +{len(files) - 1}"
        run.name = _free_name(store, stem, run.date)
    _unique_name(store, run.name)
    result = ImportResult(run, unmapped=run.unmapped)
    if strict and result.unmapped:
        result.refused = True
        return result
    result.written = write_entry(store, run)
    run.path = _stored_name(result.written, project.root)
    return result


def _display_of(files: list[Path], stored: str) -> str:
    """The name the user typed for the file stored as ``stored``."""
    for path in files:
        if path.as_posix().endswith(stored) or path.name == stored:
            return str(path)
    return stored


def import_defects(
    project: Project,
    path: Path,
    graph: GraphSource,
    *,
    name: str | None = None,
    date: str | None = None,
) -> ImportResult:
    """Read a defect list (CSV) and store it as a snapshot; unknown test ids are errors."""
    display = str(path)
    date = _check_date(date)
    stored = _stored_name(path, project.root)
    defects = read_defects(path, name=display, stored=stored)
    store = open_store(project)
    entry = DefectList(
        name=name or "",
        date=date or _today(),
        sources=[Source(stored, _sha256(path, display))],
        imported=now_utc(),
        defects=defects,
    )
    earlier = store.find_digest(entry.digest)
    if earlier is not None:
        return ImportResult(earlier, already=earlier)
    known = known_ids(_resolve(graph))
    for defect in defects:
        for index, test in enumerate(defect.tests):
            hit = known.test(test)
            if hit is None:
                raise InputError(
                    f"unknown test id {test!r}",
                    location=Location(display, defect.line, sheet=defect.sheet or None),
                    item=defect.id,
                    hint=did_you_mean(test.upper().replace("_", "-"), known.tests)
                    or "list test item ids (TC-…) in the tests column, separated by ',' or ';'",
                )
            defect.tests[index] = hit
    if not entry.name:
        entry.name = _numbered(store, f"{path.stem} {entry.date}")
    _unique_name(store, entry.name)
    result = ImportResult(entry)
    result.written = write_entry(store, entry)
    entry.path = _stored_name(result.written, project.root)
    return result


def import_manual(
    project: Project,
    path: Path,
    graph: GraphSource,
    *,
    run_name: str | None = None,
    environment: str = "",
    sut_version: str = "",
    date: str | None = None,
) -> ImportResult:
    """A manual results sheet (CSV/XLSX) as one run, and its defects as a defect list."""
    display = str(path)
    date = _check_date(date)
    stored = _stored_name(path, project.root)
    read_table(path, display, stored)  # a broken file is reported before the build
    sha = _sha256(path, display)
    store = open_store(project)
    run = Run(
        name=run_name or "",
        date="",
        importer="manual",
        sources=[Source(stored, sha)],
        imported=now_utc(),
        environment=environment,
        sut_version=sut_version,
    )
    earlier = store.find_digest(run.digest)
    if earlier is not None:
        return ImportResult(earlier, already=earlier)
    sheet = read_manual(path, known_ids(_resolve(graph)), name=display, stored=stored)
    run.cases = sheet.cases
    run.date = date or (max(sheet.dates) if sheet.dates else _today())
    if not run.name:
        run.name = _free_name(store, path.stem, run.date)
    _unique_name(store, run.name)
    entries: list[Run | DefectList] = [run]
    if sheet.defects:
        defects = DefectList(f"{run.name} (defects)", run.date, run.sources, run.imported)
        defects.defects = sheet.defects
        _unique_name(store, defects.name)
        entries.append(defects)
    written = write_entries(store, entries)
    run.path = _stored_name(written[0], project.root)
    result = ImportResult(run, written=written[0])
    if len(written) > 1:
        result.defects = len(sheet.defects)
    return result


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _free_name(store: Store, stem: str, date: str) -> str:
    """``stem``, else ``stem date``, else that with the first free `` (n)``, n from 2."""
    return _numbered(store, stem if stem not in store.names() else f"{stem} {date}")


def _numbered(store: Store, name: str) -> str:
    """``name`` if no stored entry has it, else ``name (n)`` with the first free n from 2."""
    base, number = name, 2
    while name in store.names():
        name = f"{base} ({number})"
        number += 1
    return name


def accept(project: Project, graph: GraphSource, *, phase: str | None = None) -> Decision:
    """The Go/No-Go decision from the stored runs and defect lists."""
    settings = project.settings()
    store = open_store(project)  # a damaged run file is reported before the build
    return decide(_resolve(graph), store, acceptance_config(settings), phase=phase)


@dataclass(frozen=True)
class TemplateWritten:
    target: Path
    #: the number of test items the sheet lists
    rows: int


def write_template(
    project: Project,
    *,
    level: str = "uat",
    fmt: str = "xlsx",
    out: Path | None = None,
    phase: str | None = None,
    force: bool = False,
    needs_json: Path | None = None,
    progress: IO[str] | None = None,
) -> TemplateWritten:
    """The sheet for manual test results of ``level`` (xlsx or csv), written to ``out``
    (default _build/LEVEL-ergebnisse.FMT, -results in English); an existing file only
    with ``force`` (it may hold results)."""
    from specheft.evidence.template import template_rows
    from specheft.fsutil import atomic_write_bytes
    from specheft.io.evidence.sheet import csv_text, xlsx_bytes

    language = "en" if project.settings().language == "en" else "de"
    stem = f"{level}-{'results' if language == 'en' else 'ergebnisse'}.{fmt}"
    target = out if out is not None else project.build_dir / stem
    project.refuse_sources(target, "--out")
    if (target.exists() or target.is_symlink()) and not force:
        raise UsageError(
            f"{target} exists already; not overwriting it (it may hold results)",
            hint="use --force to replace it, or --out for another file",
        )
    graph = load_graph(project, needs_json=needs_json, progress=progress)
    if phase is not None:
        phases = [p.id for p in graph.of_kind(Kind.PHASE, active_only=False)]
        if phase not in phases:
            raise UsageError(f"--phase {phase}: no such phase", hint=did_you_mean(phase, phases))
    rows = template_rows(graph, level, phase)
    if fmt == "xlsx":
        data = xlsx_bytes(rows, language, level)
    else:
        data = b"\xef\xbb\xbf" + csv_text(rows, language).encode("utf-8")
    atomic_write_bytes(target, data)
    return TemplateWritten(target, len(rows))


def outcome_counts(cases: list[CaseResult]) -> Counter[str]:
    return Counter(str(c.outcome) for c in cases)
