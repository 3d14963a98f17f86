"""The full HTML build's speed-ups (issue 17) change nothing in what is written.

``sphinxext/rendering/collector.py`` freezes the build's long-lived objects for the write
phase and releases each written page; these tests pin that the site stays byte-identical,
that pages are freed without the cyclic collector, and that the freeze ends with the build.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import weakref
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from specheft.sphinxext.rendering import collector, navigation

from .helpers import REPO, fake_html_app


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and p.suffix in (".html", ".json", ".js", ".css", ".txt")
        # sphinx-needs' schema report records how long validation took
        and p.name != "schema_violations.json"
    }


def test_example_site_is_identical_without_the_collector_steps(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = tmp_path / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)

    frozen_while_writing: list[int] = []
    real_release = collector.release

    def spy(doctree: nodes.document) -> None:
        frozen_while_writing.append(gc.get_freeze_count())
        real_release(doctree)

    monkeypatch.setattr(collector, "release", spy)
    assert run_cli("build", root, "--fresh").code == 0
    optimised = _digests(root / "_build/html")
    # every page was released, each while the build's objects were frozen
    pages = [p for p in optimised if p.endswith(".html")]
    not_written_from_a_doctree = {"genindex.html", "search.html", "permalink.html"}
    assert len(frozen_while_writing) == len(set(pages) - not_written_from_a_doctree)
    assert min(frozen_while_writing) > 10_000
    assert gc.get_freeze_count() == 0  # given back at build-finished

    shutil.rmtree(root / "_build")
    monkeypatch.setattr(collector, "_freeze", lambda app, *args: None)
    assert run_cli("build", root, "--fresh").code == 0
    plain = _digests(root / "_build/html")
    assert "needs.json" in plain and "searchindex.js" in plain and len(plain) > 30
    assert optimised == plain


def _page() -> tuple[nodes.document, list[weakref.ref[nodes.Node]]]:
    document = new_document("page.md", get_default_settings(Parser))
    section = nodes.section(ids=["s"])
    para = nodes.paragraph()
    para += nodes.Text("Firmen anlegen")
    section += nodes.title("", "Titel")
    section += para
    document += section
    document.note_explicit_target(section)
    return document, [weakref.ref(n) for n in (document, section, para)]


def test_a_released_page_is_freed_without_the_cyclic_collector():
    gc.disable()
    try:
        document, refs = _page()
        del document
        assert all(ref() is not None for ref in refs)  # the cycles keep an unreleased page

        document, refs = _page()
        kept = refs[2]()  # a node someone still holds keeps its own content
        collector.release(document)
        del document
        assert refs[0]() is None and refs[1]() is None
        assert kept is not None and kept.astext() == "Firmen anlegen" and kept.parent is None
    finally:
        gc.enable()
        gc.collect()


@pytest.mark.parametrize("exception", [None, RuntimeError("stopped")])
def test_the_freeze_ends_with_the_build(exception, monkeypatch):
    app = fake_html_app(monkeypatch)
    original, prepare = app.builder.write_doc, app.builder.prepare_writing
    create = app.builder.create_translator
    try:
        collector._freeze(app)
        assert gc.get_freeze_count() > 0
        assert app.builder.write_doc.__wrapped__ == original
        collector._unfreeze(app, exception)
        assert gc.get_freeze_count() == 0
        assert app.builder.write_doc == original
        assert app.builder.prepare_writing == prepare
        assert app.builder.create_translator == create
    finally:
        gc.unfreeze()


def _compare_navigation_with_furos(app, pagename, templatename, context, doctree):
    if "furo_navigation_tree" not in context:
        return
    furos = navigation._compute_navigation_tree._specheft_original(context)  # type: ignore[attr-defined]
    app._nav_pages.append((pagename, context["furo_navigation_tree"] == furos))


@pytest.fixture
def navigation_compared(monkeypatch):
    """Every page's sidebar next to furo's own for it; counts the precomputed ones."""
    import specheft.sphinxext as extension

    results: list[tuple[str, bool]] = []
    precomputed: list[str] = []
    setup, page = extension.setup, navigation.Navigation.page

    def setup_and_compare(app):
        app._nav_pages = results
        app.connect("html-page-context", _compare_navigation_with_furos, priority=999)
        return setup(app)

    def counted(self, pagename):
        text = page(self, pagename)
        if text is not None:
            precomputed.append(pagename)
        return text

    monkeypatch.setattr(extension, "setup", setup_and_compare)
    monkeypatch.setattr(navigation.Navigation, "page", counted)
    return results, precomputed


def test_the_example_sidebars_equal_furos(tmp_path, run_cli, navigation_compared):
    results, precomputed = navigation_compared
    root = tmp_path / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    assert run_cli("build", root, "--fresh").code == 0
    assert len(results) > 40 and all(same for _, same in results), results
    assert len(precomputed) >= len(results) - 3  # all but the root page and genindex/search


NESTED = {
    "a/index.md": "# A\n\n```{toctree}\neins\nb/index\n```\n",
    "a/eins.md": "# Eins\n",
    "a/b/index.md": "# B\n\n```{toctree}\nzwei\n../eins\n```\n",  # eins linked twice
    "a/b/zwei.md": "# Zwei\n\n## Abschnitt\n",
    "c.md": "# C\n",
}


def test_sidebars_of_nested_and_twice_linked_pages_equal_furos(
    make_project, run_cli, navigation_compared
):
    results, precomputed = navigation_compared
    index = (
        "# Mini\n\n```{toctree}\n:caption: Teile\nphasen\na/index\n```\n\n"
        "```{toctree}\n:hidden:\nc\n```\n"
    )
    project = make_project(NESTED, index=index)
    assert run_cli("build", project.root, "--fresh").code == 0
    pages = dict(results)
    assert {"a/b/zwei", "a/eins", "c", "phasen"} <= set(pages)
    assert all(pages.values()), results
    assert "a/b/zwei" in precomputed and "a/eins" not in precomputed  # linked twice: furo's


def test_a_warning_while_pages_are_written_still_fails_the_strict_build(make_project, run_cli):
    # a reference is resolved only when its page is written, with the build's objects frozen
    page = "# Seite\n\nSiehe {doc}`gibt-es-nicht`.\n"
    project = make_project({"seite.md": page})
    result = run_cli("build", project.root, "--fresh")
    assert result.code == 1, result.output
    assert "seite.md:3" in result.output and "gibt-es-nicht" in result.output
    assert gc.get_freeze_count() == 0


def test_check_reads_with_the_loaded_state_frozen_and_gives_it_back(make_project, run_cli):
    """While pages are read (check and build alike), what was alive before is out of the
    collector's reach — a quarter of a serial check --fresh was spent re-scanning it —
    and given back at build-finished, also when the check fails."""
    from specheft.sphinxext.rendering import collector as module

    seen: list[int] = []
    original = module._freeze_for_reading

    def spy(app, env, docnames):  # type: ignore[no-untyped-def]
        original(app, env, docnames)
        seen.append(gc.get_freeze_count())

    monkey = pytest.MonkeyPatch()
    monkey.setattr(module, "_freeze_for_reading", spy)
    try:
        project = make_project({"a.md": "# A\n\n:::{req} Titel\n:id: LH-KON-001\n:::\n"})
        result = run_cli("check", "--fresh", "-j", "1", project.root)
        assert result.code in (0, 1), result.output
    finally:
        monkey.undo()
    assert seen and seen[0] > 0
    assert gc.get_freeze_count() == 0
