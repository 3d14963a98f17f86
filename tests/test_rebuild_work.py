"""What a rebuild after a small edit does not do again (#17): the work it saves, with the
results unchanged. The results themselves are guarded by the freshness tests
(tests/test_incremental_random.py, test_build_state.py, test_cache_consistency.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from specheft.trace.fingerprint import fingerprint, normalize

from .helpers import item

PAGES = {
    "anf.md": "# Anforderungen\n\n"
    + "".join(
        item("req", f"Ziel {n}", "Das CRM-System muss zählen.", id=f"LH-KON-{n:03d}")
        for n in range(1, 4)
    ),
    "bericht.md": "# Bericht\n\n:::{coverage-matrix}\n:::\n",
    "text.md": "# Text\n\nNur Text.\n",
}


def test_fingerprint_with_a_memo_is_the_one_json_text_of_all_items() -> None:
    needs: list[dict[str, Any]] = [
        {"id": "B-2", "type": "req", "title": "Zwei  Wörter", "satisfies": ["A-1"]},
        {"id": "A-1", "type": "spec", "title": "Eins", "content": "Text\n mit Zeilen"},
    ]
    items = sorted((normalize(n) for n in needs), key=lambda i: str(i["id"]))
    whole = json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    expected = (hashlib.sha256(whole.encode("utf-8")).hexdigest(), 2)
    memo: dict[str, str] = {}
    assert fingerprint(needs) == expected
    assert fingerprint(needs, memo) == expected
    assert set(memo) == {"A-1", "B-2"}
    assert fingerprint(needs, memo) == expected  # from the memo


def test_trace_directives_load_only_pages_that_hold_one(
    make_project: Callable[..., Any], run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from specheft.project.layout import Project
    from specheft.project.sphinx_run import items_build
    from specheft.sphinxext.directives.base import trace_directives

    project = make_project(PAGES)
    assert run_cli("check", project.root).code in (0, 1)
    result, _needs = items_build(Project.at(project.root))
    env = result.app.env
    loaded: list[str] = []
    original = type(env).get_doctree

    def counting(self: Any, docname: str) -> Any:
        loaded.append(docname)
        return original(self, docname)

    monkeypatch.setattr(type(env), "get_doctree", counting)
    found = trace_directives(env, sorted(env.found_docs))
    assert [d["renderer"] for d in found] == ["matrix"]
    assert loaded == ["bericht"]


def test_the_git_state_is_asked_once_per_build(
    make_project: Callable[..., Any], run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import specheft.sphinxext.context as context

    asked: list[Any] = []
    original = context.git_state

    def counting(root: Any) -> Any:
        asked.append(root)
        return original(root)

    monkeypatch.setattr(context, "git_state", counting)
    project = make_project(PAGES)
    assert run_cli("build", project.root, "-q", "--no-strict").code == 0
    # the page signatures and the start page of every document show it
    assert len(asked) == 1


def test_needs_json_without_a_percent_sign_is_not_parsed_again(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specheft.sphinxext.rendering import site_files

    path = tmp_path / "needs.json"
    path.write_text('{"versions": {"": {"needs": {"A": {"content": "Text"}}}}}')

    def no_parse(text: str) -> Any:
        raise AssertionError("parsed")

    monkeypatch.setattr(site_files.json, "loads", no_parse)
    site_files._strip_published_comments(path)
    monkeypatch.undo()
    path.write_text('{"versions": {"": {"needs": {"A": {"content": "Text\\n% Notiz"}}}}}')
    site_files._strip_published_comments(path)
    assert json.loads(path.read_text())["versions"][""]["needs"]["A"]["content"] == "Text"
