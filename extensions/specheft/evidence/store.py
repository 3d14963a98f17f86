"""Runs and defect lists as plain JSON files in the project (``spec/testkatalog/runs/``).

One file per import, keys sorted, one value per line: a new import adds a file, diffs
stay readable, and no import ever rewrites an older one. The file name starts with the
run's date, so a directory listing is the history; it ends with the first 12 hex digits
of the content digest, which makes a re-import of the same report idempotent.
Sphinx reads only ``.md``/``.rst`` sources, so the files do not disturb the build.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specheft.errors import InputError, Location, UsageError
from specheft.evidence.model import (
    CaseResult,
    Defect,
    DefectList,
    Outcome,
    Run,
    Source,
    worst,
)
from specheft.fsutil import atomic_write_text, writable_dir
from specheft.textsafe import json_text

RUN_FORMAT = "specheft-run/1"
DEFECTS_FORMAT = "specheft-defects/1"
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    folded = (
        text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    )
    return _SLUG.sub("-", folded).strip("-")[:40] or "run"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class TestResult:
    """The result of one test item (or the direct evidence for one requirement) in one run."""

    id: str
    outcome: Outcome
    flaky: bool
    run: str
    date: str
    cases: list[CaseResult] = field(default_factory=list)

    def passed(self, flaky_counts_as: str = "passed") -> bool:
        if self.outcome is not Outcome.PASSED:
            return False
        return not (self.flaky and flaky_counts_as == "failed")


def results_of(run: Run) -> tuple[dict[str, TestResult], dict[str, TestResult]]:
    """Per test id and per directly verified requirement/spec id: the run's result."""
    tests: dict[str, list[CaseResult]] = {}
    direct: dict[str, list[CaseResult]] = {}
    for case in run.cases:
        for test in case.tests:
            tests.setdefault(test, []).append(case)
        for target in case.verifies:
            direct.setdefault(target, []).append(case)

    def combine(key: str, cases: list[CaseResult]) -> TestResult:
        outcome = worst(c.outcome for c in cases)
        flaky = outcome is Outcome.PASSED and any(c.flaky for c in cases)
        return TestResult(key, outcome, flaky, run.name, run.date, cases)

    return (
        {k: combine(k, v) for k, v in tests.items()},
        {k: combine(k, v) for k, v in direct.items()},
    )


@dataclass
class Store:
    """Everything imported so far, oldest first."""

    directory: Path
    runs: list[Run] = field(default_factory=list)
    defect_lists: list[DefectList] = field(default_factory=list)

    def latest(self) -> tuple[dict[str, TestResult], dict[str, TestResult]]:
        """The latest result per test id and per directly verified id (later runs win)."""
        tests: dict[str, TestResult] = {}
        direct: dict[str, TestResult] = {}
        for run in self.runs:
            run_tests, run_direct = results_of(run)
            tests.update(run_tests)
            direct.update(run_direct)
        return tests, direct

    def history(self, test: str) -> list[TestResult]:
        return [r for run in self.runs if (r := results_of(run)[0].get(test)) is not None]

    def defects(self) -> dict[str, Defect]:
        """The latest record of every defect id (later lists win)."""
        latest: dict[str, Defect] = {}
        for defect_list in self.defect_lists:
            for defect in defect_list.defects:
                latest[defect.id] = defect
        return dict(sorted(latest.items()))

    def find_digest(self, digest: str) -> Run | DefectList | None:
        entries: list[Run | DefectList] = [*self.runs, *self.defect_lists]
        return next((e for e in entries if e.digest == digest), None)

    def names(self) -> set[str]:
        return {r.name for r in self.runs} | {d.name for d in self.defect_lists}


def _location(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def load_store(directory: Path, *, root: Path | None = None) -> Store:
    """Read every ``*.json`` in ``directory`` (none if it does not exist)."""
    store = Store(directory)
    if not directory.is_dir():
        return store
    for path in sorted(directory.glob("*.json")):
        name = _location(path, root)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON: {exc.msg}",
                location=Location(name, exc.lineno, exc.colno),
                hint="run files are written by 'specheft results import'; restore it from git",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot be read: {exc}", location=Location(name)) from None
        kind = data.get("specheft") if isinstance(data, dict) else None
        try:
            if kind == RUN_FORMAT:
                store.runs.append(_run_from_json(data, name))
            elif kind == DEFECTS_FORMAT:
                store.defect_lists.append(_defects_from_json(data, name))
            else:
                raise InputError(
                    f'not a specheft run or defect list ("specheft": {kind!r}, expected '
                    f"{RUN_FORMAT!r} or {DEFECTS_FORMAT!r})",
                    location=Location(name, 1),
                    hint="keep only files written by 'specheft results import' in this directory",
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"damaged run file: {type(exc).__name__}: {exc}",
                location=Location(name),
                hint="run files are written by 'specheft results import'; restore it from git",
            ) from None
    store.runs.sort(key=Run.order_key)
    store.defect_lists.sort(key=DefectList.order_key)
    return store


def _sources(data: dict[str, Any]) -> list[Source]:
    return [Source(str(s["file"]), str(s["sha256"])) for s in data.get("sources", [])]


def _sources_json(sources: list[Source]) -> list[dict[str, str]]:
    """The inverse of :func:`_sources`."""
    return [{"file": s.file, "sha256": s.sha256} for s in sources]


def _run_from_json(data: dict[str, Any], name: str) -> Run:
    return Run(
        name=str(data["name"]),
        date=str(data["date"]),
        importer=str(data["importer"]),
        sources=_sources(data),
        imported=str(data.get("imported", "")),
        environment=str(data.get("environment", "")),
        sut_version=str(data.get("sut_version", "")),
        cases=[CaseResult.from_json(c) for c in data.get("cases", [])],
        path=name,
    )


def _defects_from_json(data: dict[str, Any], name: str) -> DefectList:
    return DefectList(
        name=str(data["name"]),
        date=str(data["date"]),
        sources=_sources(data),
        imported=str(data.get("imported", "")),
        defects=[Defect.from_json(d, name) for d in data.get("defects", [])],
        path=name,
    )


def _dump(data: dict[str, Any]) -> str:
    # C1 controls from a report are written as \u escapes: readable in any editor and diff
    return json_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)) + "\n"


def run_json(run: Run) -> str:
    return _dump(
        {
            "specheft": RUN_FORMAT,
            "name": run.name,
            "date": run.date,
            "importer": run.importer,
            "imported": run.imported,
            "environment": run.environment,
            "sut_version": run.sut_version,
            "sources": _sources_json(run.sources),
            "cases": [c.to_json() for c in run.cases],
        }
    )


def defects_json(defects: DefectList) -> str:
    return _dump(
        {
            "specheft": DEFECTS_FORMAT,
            "name": defects.name,
            "date": defects.date,
            "imported": defects.imported,
            "sources": _sources_json(defects.sources),
            "defects": [d.to_json() for d in defects.defects],
        }
    )


def file_name(date: str, name: str, digest: str) -> str:
    return f"{date}_{slug(name)}_{digest[:12]}.json"


def write_entries(store: Store, entries: list[Run | DefectList]) -> list[Path]:
    """Write several new files all or none (a manual sheet's run and its defects)."""
    from specheft.fsutil import Transaction

    writable_dir(store.directory, "the runs directory ([results] runs_dir)")
    transaction = Transaction()
    paths = []
    for entry in entries:
        path = store.directory / file_name(entry.date, entry.name, entry.digest)
        if path.exists() or path.is_symlink():
            raise UsageError(
                f"{path} exists already; an import never rewrites an earlier one",
                hint="name it differently (--run)",
            )
        text = run_json(entry) if isinstance(entry, Run) else defects_json(entry)
        transaction.write_text(path, text)
        paths.append(path)
    transaction.commit()
    return paths


def write_entry(store: Store, entry: Run | DefectList) -> Path:
    """Write a new run/defect list atomically; never replace a file that exists."""
    text = run_json(entry) if isinstance(entry, Run) else defects_json(entry)
    writable_dir(store.directory, "the runs directory ([results] runs_dir)")
    path = store.directory / file_name(entry.date, entry.name, entry.digest)
    if path.exists() or path.is_symlink():
        raise UsageError(
            f"{path} exists already; an import never rewrites an earlier one",
            hint="name it differently (--run, or --name for a defect list)",
        )
    atomic_write_text(path, text)  # a hidden .NAME.specheft-*.tmp beside it, then renamed
    return path
