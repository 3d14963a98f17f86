"""The per-build state of the Sphinx layer: the ``specheft`` domain (what each page showed
when it was read) and the build context; an incremental parallel build equals a fresh one.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from specheft.sphinxext.context.domain import SpecheftDomain

from .helpers import item


def _domain(data: dict[str, Any] | None = None) -> SpecheftDomain:
    env: Any = SimpleNamespace(domaindata={} if data is None else {"specheft": data})
    return SpecheftDomain(env)


def _filled() -> SpecheftDomain:
    domain = _domain()
    domain.note_trace_doc("matrix")
    domain.note_referenced("start", {"LH-KON-002", "LH-KON-001"})
    domain.note_referenced("empty", set())
    domain.note_duplicate("copy", "LH-KON-001", 7)
    domain.duplicate_docs = ["copy", "original"]
    domain.fenced["code"] = [(3, "req", "LH-KON-009")]
    domain.references["start"] = []
    domain.project_root = Path("/projekt")
    return domain


def test_domain_notes_per_page_and_clear_doc_forgets_only_that_page():
    domain = _filled()
    assert domain.trace_docs == {"matrix": True}
    assert domain.referenced == {"start": ["LH-KON-001", "LH-KON-002"]}  # sorted, no empties
    assert domain.duplicates == {"copy": [("LH-KON-001", 7)]}
    for docname in ("matrix", "start", "copy", "code"):
        domain.clear_doc(docname)
    assert (domain.trace_docs, domain.referenced, domain.duplicates) == ({}, {}, {})
    assert (domain.fenced, domain.references) == ({}, {})
    # the pages to read again and the project root are facts of the build, not of a page
    assert domain.duplicate_docs == ["copy", "original"]
    assert domain.project_root == Path("/projekt")


def test_domain_merge_takes_the_workers_pages_only():
    main = _filled()
    main.note_duplicate("worker-page", "LH-KON-003", 2)  # noted by the main process
    worker = _domain()
    worker.note_trace_doc("summary")
    worker.note_trace_doc("not-mine")  # a page of another worker's batch
    worker.note_referenced("worker-page", {"LH-KON-009"})
    worker.note_duplicate("worker-page", "LH-KON-004", 5)
    worker.duplicate_docs = ["ignored"]
    worker.fenced["worker-page"] = [(7, "spec", None)]
    worker.fenced["not-mine"] = [(1, "req", None)]
    main.merge_domaindata({"summary", "worker-page"}, worker.data)
    assert main.trace_docs == {"matrix": True, "summary": True}
    assert main.referenced == {
        "start": ["LH-KON-001", "LH-KON-002"],
        "worker-page": ["LH-KON-009"],
    }
    assert main.duplicates["worker-page"] == [("LH-KON-003", 2), ("LH-KON-004", 5)]
    assert main.duplicate_docs == ["copy", "original"]
    assert main.fenced == {"code": [(3, "req", "LH-KON-009")], "worker-page": [(7, "spec", None)]}
    # the worker's lists are not shared with the main process's
    worker.referenced["worker-page"].append("LH-KON-010")
    assert main.referenced["worker-page"] == ["LH-KON-009"]


def test_domain_data_survives_pickling_with_the_environment():
    domain = _filled()
    again = _domain(pickle.loads(pickle.dumps(domain.data)))
    assert again.trace_docs == domain.trace_docs
    assert again.referenced == domain.referenced
    assert again.duplicates == domain.duplicates
    assert again.duplicate_docs == domain.duplicate_docs
    assert again.fenced == domain.fenced
    assert again.project_root == domain.project_root


# --- an incremental parallel build ------------------------------------------------------


def _page(number: int, title: str) -> str:
    return f"# Seite {number}\n\n" + item(
        "req",
        title,
        "Das CRM-System muss zählen.",
        id=f"LH-KON-{number:03d}",
        priority="must",
        phase="PHASE-IMPL",
    )


def _site_text(root: Path) -> dict[str, str]:
    """Every page's article text, without the markup (which names no paths anyway)."""
    pages: dict[str, str] = {}
    for page in sorted((root / "_build" / "html").rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        body = html.split("<article", 1)[-1].split("</article>", 1)[0]
        pages[page.relative_to(root).as_posix()] = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return pages


def _needs(root: Path) -> dict[str, Any]:
    data = json.loads((root / "_build" / "html" / "needs.json").read_text(encoding="utf-8"))
    return dict(data["versions"][data["current_version"]]["needs"])


def test_incremental_parallel_build_after_edits_equals_a_fresh_one(make_project, run_cli):
    # Sphinx reads in parallel only when more than five pages are to be read: the edit
    # touches seven, moving an item, duplicating an id, adding and dropping trace pages
    pages = {f"p{n}.md": _page(n, f"Ziel {n}") for n in range(1, 8)}
    pages["matrix.md"] = "# Matrix\n\n:::{coverage-matrix}\n:::\n"
    pages["verweise.md"] = "# Verweise\n\nSiehe {need}`LH-KON-001` und {need}`LH-KON-005`.\n"
    project = make_project(pages)
    result = run_cli("build", project.root, "-j", "2", "-q", "--no-strict")
    assert result.code == 0, result.output
    for n in range(1, 5):
        project.write(f"spec/p{n}.md", _page(n, f"Ziel {n} geändert"))
    project.write("spec/p5.md", "# Seite 5\n\nLeer.\n")  # LH-KON-005 moves to p6
    project.write("spec/p6.md", _page(6, "Ziel 6") + "\n" + _page(5, "Ziel 5 verschoben"))
    project.write("spec/p7.md", _page(7, "Ziel 7") + "\n" + _page(1, "Kopie"))  # duplicate
    project.write("spec/matrix.md", "# Matrix\n\nKeine Tabelle mehr.\n")
    project.write("spec/verweise.md", "# Verweise\n\n:::{coverage-matrix}\n:::\n")
    _same_as_fresh(project.root, run_cli)
    assert _needs(project.root)["LH-KON-001"]["title"] == "Ziel 1 geändert"
    # one page edited, read serially: what the parallel readers noted in the last build
    # (the new matrix page) still decides which pages are rewritten
    project.write("spec/p2.md", _page(2, "Ziel 2 zum dritten"))
    _same_as_fresh(project.root, run_cli)
    assert "Ziel 2 zum dritten" in _site_text(project.root)["_build/html/verweise.html"]


def _same_as_fresh(root: Path, run_cli: Any) -> None:
    twin = root.parent / "twin"
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns("_build"))
    incremental = run_cli("build", root, "-j", "2", "-q", "--no-strict")
    fresh = run_cli("build", twin, "-j", "2", "-q", "--no-strict", "--fresh")
    assert incremental.code == fresh.code == 0, (incremental.output, fresh.output)
    assert "duplicate id" in incremental.err and "duplicate id" in fresh.err
    assert _needs(root) == _needs(twin)
    assert _site_text(root) == _site_text(twin)


def test_the_build_context_is_made_once_per_build(make_project, run_cli, monkeypatch):
    from specheft.trace.graph import TraceGraph

    made: list[str] = []
    original = TraceGraph.from_needs.__func__  # type: ignore[attr-defined]

    def counting(cls: type[TraceGraph], needs: Any) -> TraceGraph:
        made.append(sys._getframe(1).f_code.co_filename)
        return original(cls, needs)

    monkeypatch.setattr(TraceGraph, "from_needs", classmethod(counting))
    pages = {f"p{n}.md": _page(n, f"Ziel {n}") for n in range(1, 3)}
    pages["trace.md"] = (
        "# Trace\n\n:::{coverage-matrix}\n:::\n\n:::{coverage-summary}\n:::\n\n"
        ":::{item-trace} LH-KON-001\n:::\n"
    )
    project = make_project(pages)
    result = run_cli("build", project.root, "-q", "--no-strict")
    assert result.code == 0, result.output
    # the rules of the build, three directives and every item page share one graph
    # (a document's fingerprint is the library's, with a graph of the document's items)
    in_sphinx_layer = [path for path in made if f"{os.sep}sphinxext{os.sep}" in path]
    assert len(in_sphinx_layer) == 1, made
    assert "LH-KON-002" in project.html("trace")
