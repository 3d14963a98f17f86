"""Reading the pages faster (#17, ``check --fresh``) changes nothing a user sees.

The read-side speed-ups: MyST's option blocks through a fast path
(``sphinxext/directives/option_block.py``), sphinx-needs' field defaults copied directly
and each need's sections found once per page (``sphinxext/needs/reading.py``), a page's
path looked up once (``sphinxext/docpaths.py``), each page's leftovers frozen for the
garbage collector before the next page is read (``rendering/collector.py``), and no HTML
theme imported by ``check``. The first three are switched off here to read the same
project with the original code: same items, same messages at the same lines.
"""

from __future__ import annotations

import copy
import gc
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from myst_parser.parsers import directives as myst_directives
from myst_parser.parsers.options import options_to_tokens
from sphinx_needs.api import need as needs_api
from sphinx_needs.need_item import NeedLink
from sphinx_needs.needs_schema import FieldLiteralValue, LinksLiteralValue

from specheft.project.layout import Project
from specheft.project.sphinx_run import items_build
from specheft.sphinxext import docpaths
from specheft.sphinxext.needs import reading
from specheft.sphinxext.needs.reading import copy_default
from specheft.sphinxext.rendering import collector

from .helpers import item

REPO = Path(__file__).resolve().parents[1]

#: option blocks the fast path leaves to MyST (comment, quotes, block scalar) and ones it
#: takes (an empty value, a repeated option, trailing spaces)
ODD = (
    "# Sonderfälle\n\n"
    + item(
        "req",
        "Kommentar im Optionsblock",
        "Text.",
        id="LH-ODD-001",
        priority="must # wichtig",
        area="KON",
    )
    + item("req", "Zitierte Quelle", "Text.", id="LH-ODD-002", source="'Vertrieb: Nord'")
    + item("req", "Leerer Status", "Text.", id="LH-ODD-003", status="", area="KON   ")
    + ":::{req} Doppelte Option\n:id: LH-ODD-004\n:area: KON\n:area: VTR\n"
    + ":rationale: |\n  zwei\n\nText.\n:::\n"
)


def _project(tmp_path: Path) -> Project:
    root = tmp_path / "example"
    shutil.copytree(REPO / "conf", root / "conf")
    shutil.copytree(REPO / "spec", root / "spec")
    (root / "spec" / "lastenheft" / "sonderfaelle.md").write_text(ODD, encoding="utf-8")
    return Project.at(root)


def _read(project: Project) -> tuple[str, list[tuple[Any, ...]]]:
    result, needs = items_build(project, fresh=True, jobs=1)
    items = json.dumps([dict(n) for n in needs], sort_keys=True, default=repr)
    messages = sorted((m.path or "", m.line or 0, m.text) for m in result.messages)
    return items, messages


def test_fast_paths_read_what_the_original_code_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    fast = _read(project)
    # both fast paths were in use
    assert getattr(myst_directives, "options_to_tokens") is not options_to_tokens  # noqa: B009
    assert needs_api.deepcopy is copy_default  # type: ignore[attr-defined]
    monkeypatch.setattr(myst_directives, "options_to_tokens", options_to_tokens)
    monkeypatch.setattr(needs_api, "deepcopy", copy.deepcopy)
    name = "get_sections_and_signature_and_needs"
    monkeypatch.setattr(f"sphinx_needs.directives.need.{name}", reading.REPLACED[name])
    monkeypatch.setattr(reading, "install", lambda: False)
    monkeypatch.setattr("specheft.sphinxext.directives.option_block.install", lambda: None)
    original = _read(project)
    assert fast[0] == original[0]
    assert fast[1] == original[1]
    # the odd page was read, with MyST's own complaint about the comment
    assert '"LH-ODD-004"' in fast[0]
    assert any("# comments" in text for _, _, text in fast[1])


@pytest.mark.parametrize(
    "value",
    [
        FieldLiteralValue("x"),
        FieldLiteralValue(3),
        FieldLiteralValue(None),  # type: ignore[arg-type]
        FieldLiteralValue(True),
        FieldLiteralValue(["a", "b"]),
        FieldLiteralValue([["nested"]]),  # type: ignore[arg-type]  # not a flat list: deepcopy's
        LinksLiteralValue([]),
        LinksLiteralValue([NeedLink(id="LH-1")]),  # not empty: deepcopy's
        "plain",
        ["a"],
    ],
)
def test_copy_default_is_a_deep_copy(value: Any) -> None:
    assert reading.install()
    copied = copy_default(value)
    assert copied == copy.deepcopy(value)
    assert type(copied) is type(value)
    inner = getattr(value, "value", value)
    if isinstance(inner, list):
        assert getattr(copied, "value", copied) is not inner  # a change stays with the need


def test_each_page_read_is_frozen_and_given_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before each page the pages read so far are frozen for the collector (a full
    collection while reading walks one page, not all of them); all given back after."""
    counts: list[int] = []
    freeze = collector._freeze_read_page

    def recording(app: Any, docname: str, source: list[str]) -> None:
        freeze(app, docname, source)
        counts.append(gc.get_freeze_count())

    monkeypatch.setattr(collector, "_freeze_read_page", recording)
    before = gc.get_freeze_count()
    items_build(_project(tmp_path), fresh=True, jobs=1)
    assert len(counts) > 10
    assert all(a < b for a, b in itertools.pairwise(counts))
    assert gc.get_freeze_count() == before


def test_check_does_not_import_the_html_theme(tmp_path: Path) -> None:
    """furo (and bs4, soupsieve with it) is imported only by an HTML build that uses it."""
    project = _project(tmp_path)
    script = (
        "import sys\n"
        "from specheft.project.check import run_check\n"
        "from specheft.project.layout import Project\n"
        f"run_check(Project.at({str(project.root)!r}), fresh=True, jobs=1)\n"
        "print(sorted(m for m in ('furo', 'bs4', 'soupsieve') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_doc2path_is_cached_per_page_and_file(tmp_path: Path) -> None:
    """The path of a page is computed once while the page maps to the same file in the
    same source folder, and anew when either changes; a page without a file never."""
    from sphinx.project import Project as SphinxProject

    assert docpaths.install()
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    project = SphinxProject(tmp_path, (".md",))
    project.discover()
    original = docpaths._ORIGINAL[0]
    first = project.doc2path("a", absolute=True)
    assert first == original(project, "a", True)
    assert project.doc2path("a", absolute=True) is first  # the cached answer
    assert project.doc2path("a", absolute=False) == original(project, "a", False)
    project._docname_to_path["a"] = Path("b.md")  # the page maps to another file
    assert project.doc2path("a", absolute=True) == tmp_path / "b.md"
    project.srcdir = type(project.srcdir)(tmp_path / "other")  # another source folder
    assert project.doc2path("a", absolute=True) == tmp_path / "other" / "b.md"
    assert project.doc2path("gone", absolute=True) == original(project, "gone", True)
    assert project.doc2path("gone", absolute=True) is not project.doc2path("gone", True)


def test_serial_reading_does_not_freeze_the_page_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading one page after the other, the freeze comes when the page is purged, before
    anything of it exists: its document (and parser) stay with the collector, so what
    becomes garbage after the page is collected, not kept frozen to the end."""
    from specheft.sphinxext.diagnostics import syntax

    seen: list[bool] = []
    check = syntax._check_doctree

    def recording(app: Any, doctree: Any) -> None:
        seen.append(any(o is doctree for o in gc.get_objects()))
        check(app, doctree)

    monkeypatch.setattr(syntax, "_check_doctree", recording)
    items_build(_project(tmp_path), fresh=True, jobs=1)
    assert len(seen) > 10
    assert all(seen)


def test_need_locations_are_sphinx_needs_own(tmp_path: Path) -> None:
    """Sections, signature and parent need of every need, on the example's pages and on
    a page with API signatures and nested needs, as sphinx-needs' own function finds them."""
    from docutils import nodes
    from docutils.utils import new_document
    from sphinx import addnodes
    from sphinx_needs.directives.need import previous_sibling
    from sphinx_needs.nodes import Need

    assert reading.install()
    original = reading.REPLACED["get_sections_and_signature_and_needs"]
    project = _project(tmp_path)
    result, _ = items_build(project, fresh=True, jobs=1)
    env = result.app.env
    pages = [env.get_doctree(docname) for docname in sorted(env.found_docs)]

    # a page of API documentation: signatures before the needs, needs in needs
    page = new_document("api.md")
    section = nodes.section("", nodes.title("", "API\xa0\xa0Teil"))
    page += section
    outer = Need("", refid="OUT-1")
    signature = addnodes.desc_signature("", "")
    signature += addnodes.desc_name("", "", nodes.Text("do_it"))
    section += [nodes.paragraph("", "x"), signature, nodes.target(), outer]
    outer += [nodes.paragraph("", "y"), nodes.target(), Need("", refid="IN-1")]
    sub = nodes.section("", nodes.title("", "Unter"), nodes.target(), Need("", refid="S-1"))
    section += sub
    pages.append(page)
    compared = 0
    for doctree in pages:
        for node in list(doctree.findall(Need)):
            start = previous_sibling(node)
            assert reading.sections_signature_needs(start) == original(start)
            compared += 1
    assert compared > 300
    assert reading.sections_signature_needs(None) == original(None)
