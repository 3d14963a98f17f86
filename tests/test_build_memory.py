"""The HTML build's peak memory (issue 17): what a large page or needs.json costs.

At N=5000 the peak of ``specheft build`` was, in turn, reading the whole needs.json
(31 MB as bytes and as text) only to look for a ``%``, and the page of the coverage
matrix: its context formatted by Sphinx's ``emit`` for a debug message (the page's HTML,
several times) while its doctree was kept until the file was written.
"""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path
from typing import Any

import pytest
from docutils import nodes

import specheft.sphinxext as extension
from specheft.sphinxext.rendering import collector, site_files

from .helpers import fake_html_app


def _needs_json(path: Path, content: str, padding: int) -> None:
    needs = {f"R-{n:05d}": {"content": "Text", "title": "x" * 200} for n in range(padding)}
    needs["R-99999"] = {"content": content, "title": "letzte"}
    path.write_text(json.dumps({"versions": {"": {"needs": needs}}}, sort_keys=True))


def test_needs_json_is_scanned_for_a_percent_sign_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "needs.json"
    _needs_json(path, "Text", padding=12_000)
    assert path.stat().st_size > 2 * (1 << 20)
    before = path.read_bytes()

    def whole(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(Path, "read_text", whole)
    monkeypatch.setattr(Path, "read_bytes", whole)
    site_files._strip_published_comments(path)
    monkeypatch.undo()
    assert path.read_bytes() == before


def test_a_percent_sign_after_the_first_chunk_is_found_and_the_comment_stripped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "needs.json"
    _needs_json(path, "Text\n% Notiz der Autoren\nmehr", padding=12_000)
    assert path.read_bytes().index(b"%") > 1 << 20  # beyond the first MiB read
    site_files._strip_published_comments(path)
    needs = json.loads(path.read_text())["versions"][""]["needs"]
    assert needs["R-99999"]["content"] == "Text\nmehr"
    assert needs["R-00000"]["content"] == "Text"


def test_the_page_context_has_a_short_repr_and_stays_one_when_copied() -> None:
    context = collector._PageContext(body="<p>" + "x" * 100_000 + "</p>", title="T")
    page = context.copy()
    page["extra"] = 1
    assert isinstance(page, collector._PageContext)
    assert repr(page) == "<page context of 3 entries>"
    assert dict(page)["body"] == context["body"]  # Jinja renders from a plain copy


@pytest.fixture
def seen_by_a_late_handler(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """Per page written from a doctree: its name, the length of its context's repr, and
    how many children its doctree still has after the last html-page-context handler."""
    seen: list[tuple[str, int, int]] = []
    setup = extension.setup

    def record(app: Any, pagename: str, templatename: str, context: Any, doctree: Any) -> None:
        if isinstance(doctree, nodes.document):
            seen.append((pagename, len(repr(context)), len(doctree.children)))

    def setup_and_record(app: Any) -> Any:
        app.connect("html-page-context", record, priority=999)
        return setup(app)

    monkeypatch.setattr(extension, "setup", setup_and_record)
    return seen


def test_a_page_is_released_before_its_template_is_rendered(
    make_project: Any, run_cli: Any, seen_by_a_late_handler: list[tuple[str, int, int]]
) -> None:
    body = "Ein langer Absatz. " * 2000
    project = make_project({"lang.md": f"# Lang\n\n{body}\n"})
    assert run_cli("build", project.root, "--fresh").code == 0
    pages = {name: (length, children) for name, length, children in seen_by_a_late_handler}
    assert "lang" in pages and "index" in pages
    assert all(children == 0 for _, children in pages.values()), pages
    assert pages["lang"][0] < 100  # not the page's 38,000 characters of HTML
    page = (project.root / "_build/html/lang.html").read_text(encoding="utf-8")
    assert page.count("Ein langer Absatz.") == 2000


@pytest.fixture
def pages_alive_after_writing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many of the written pages' first paragraphs are still alive once all pages are
    written (at html-collect-pages, before the build ends and everything is unfrozen)."""
    kept: list[weakref.ref[nodes.Node]] = []
    alive: list[int] = []
    setup = extension.setup

    def remember(app: Any, pagename: str, templatename: str, context: Any, doctree: Any) -> None:
        if isinstance(doctree, nodes.document):
            paragraph = doctree.next_node(nodes.paragraph)
            if paragraph is not None:
                kept.append(weakref.ref(paragraph))

    def count(app: Any) -> list[Any]:
        alive.append(sum(1 for ref in kept if ref() is not None))
        alive.append(len(kept))
        return []

    def setup_and_count(app: Any) -> Any:
        app.connect("html-page-context", remember, priority=1)
        app.connect("html-collect-pages", count)
        return setup(app)

    monkeypatch.setattr(extension, "setup", setup_and_count)
    return alive


def test_written_pages_are_freed_although_reading_froze_them(
    make_project: Any, run_cli: Any, pages_alive_after_writing: list[int]
) -> None:
    pages = {f"seite{n}.md": f"# Seite {n}\n\nAbsatz {n}.\n\n## Teil\n\nMehr.\n" for n in range(6)}
    project = make_project(pages)
    assert run_cli("build", project.root, "--fresh").code == 0
    alive, written = pages_alive_after_writing
    assert written >= 6
    assert alive == 0, f"{alive} of {written} written pages still alive"


def _reference_strip(data: dict[str, Any]) -> str:
    """The comments stripped the simple way: the whole file parsed (the code before)."""
    for version in data["versions"].values():
        for need in version["needs"].values():
            if isinstance(need.get("content"), str):
                need["content"] = site_files.without_comments(need["content"])
    return json.dumps(data, sort_keys=True)


def test_comments_are_stripped_in_place_as_parsing_the_whole_file_would(tmp_path: Path) -> None:
    contents = [
        "Text\n% Notiz\nmehr",
        '% "zitiert" \\ mit Backslash\nÄnderung über €',
        "100 % Abdeckung, kein Kommentar",
        "```\n% im Codeblock bleibt\n```\n  % eingerückt geht",
        "",
        "nur Text",
    ]
    needs = {
        f"R-{n:03d}": {"content": text, "title": f"Titel {n} %", "tags": ["a"]}
        for n, text in enumerate(contents)
    }
    data = {
        "current_version": "1.0",
        "versions": {
            "1.0": {
                "needs": needs,
                "needs_schema": {"properties": {"content": {"type": "string"}}},
            }
        },
    }
    path = tmp_path / "needs.json"
    path.write_text(json.dumps(data, sort_keys=True))
    site_files._strip_published_comments(path)
    assert path.read_text() == _reference_strip(data)
    assert not (tmp_path / "needs.json.tmp").exists()
    # nothing to strip: the file is left as it is
    unchanged = json.dumps({"versions": {"1.0": {"needs": {"A": {"content": "5 % mehr"}}}}})
    path.write_text(unchanged)
    site_files._strip_published_comments(path)
    assert path.read_text() == unchanged and not (tmp_path / "needs.json.tmp").exists()


def test_stripping_stopped_half_way_leaves_needs_json_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while the stripped copy is written (disk full, Ctrl-C) keeps the file as
    sphinx-needs wrote it and leaves no ``needs.json.tmp`` in the published site."""
    text = json.dumps({"versions": {"1.0": {"needs": {"A": {"content": "a\n% b"}}}}})
    path = tmp_path / "needs.json"
    path.write_text(text)

    def stopped(content: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(site_files, "without_comments", stopped)
    with pytest.raises(KeyboardInterrupt):
        site_files._strip_published_comments(path)
    assert path.read_text() == text
    assert not (tmp_path / "needs.json.tmp").exists()


class _Garbage:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_garbage_frozen_while_reading_is_collected_when_writing_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = fake_html_app(monkeypatch)
    try:
        garbage = _Garbage()
        ref = weakref.ref(garbage)
        collector._freeze_for_reading(app, None, [])
        del garbage  # alive when reading froze it, garbage afterwards (a page's parser)
        gc.collect()
        assert ref() is not None  # frozen: no collection reaches it
        collector._freeze(app)
        assert ref() is None
        collector._unfreeze(app, None)
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_the_translators_fragments_are_dropped_before_the_page_context_handlers(
    make_project: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's HTML is joined into the context's ``body`` before ``html-page-context``;
    the translator's lists of its fragments (at N=10000 tens of MB for the matrix page)
    are gone before the other handlers and the template allocate on top of them."""
    from sphinx.builders.html import StandaloneHTMLBuilder

    made: list[Any] = []
    create = StandaloneHTMLBuilder.create_translator

    def create_and_keep(self: Any, *args: Any) -> Any:
        translator = create(self, *args)
        made.append(translator)
        return translator

    seen: dict[str, tuple[int, ...]] = {}
    setup = extension.setup

    def look(app: Any, pagename: str, templatename: str, context: Any, doctree: Any) -> None:
        for translator in made:
            if getattr(translator, "document", None) is doctree:
                seen[pagename] = tuple(
                    len(getattr(translator, name)) for name in ("body", "fragment", "html_body")
                )
                if pagename == "lang":  # the HTML was joined before the event
                    assert context["body"].count("Ein langer Absatz.") == 400

    def setup_and_look(app: Any) -> Any:
        app.connect("html-page-context", look, priority=2)  # right after the drop
        return setup(app)

    monkeypatch.setattr(StandaloneHTMLBuilder, "create_translator", create_and_keep)
    monkeypatch.setattr(extension, "setup", setup_and_look)
    body = "Ein langer Absatz. " * 200
    project = make_project({"lang.md": f"# Lang\n\n{body}\n\n## Mehr\n\n{body}\n"})
    result = run_cli("build", project.root, "--fresh")
    assert result.code == 0, result.output
    assert "lang" in seen and "index" in seen
    assert all(lengths == (0, 0, 0) for lengths in seen.values()), seen
    page = (project.root / "_build/html/lang.html").read_text(encoding="utf-8")
    assert page.count("Ein langer Absatz.") == 400
