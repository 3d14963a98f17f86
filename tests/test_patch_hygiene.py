"""What specheft changes in the process stays bounded build after build.

Once, late in a CI run, seven builds on one worker stopped with a RecursionError while
reading. Cause: ``sphinx.locale.init`` adds each Sphinx application's message catalogues
as fallbacks to those of the applications before it; the chain grew by two links per
build, and a lookup of a word the first catalogue lacks walks it recursively. Each
build now starts with no catalogues (``compat.fresh_translations``). The replacements
specheft installs in Sphinx, sphinx-needs, MyST and furo are asked whether they are in
place by the replaced attribute itself, so none can stack or stay out. The suite's
guard (tests/conftest.py, tests/patchstate.py) fails any test that leaves either changed.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specheft.cli import main

from . import patchstate
from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject


def _install_all() -> None:
    from specheft.sphinxext import docpaths
    from specheft.sphinxext.diagnostics import nesting
    from specheft.sphinxext.directives import option_block
    from specheft.sphinxext.incremental import duplicates
    from specheft.sphinxext.needs import nodematch, patches, reading
    from specheft.sphinxext.rendering import gone_pages, navigation

    option_block.install()
    docpaths.install()
    assert patches.install()
    assert reading.install()
    assert nodematch.install()
    nesting.patch_parser()
    duplicates.install_duplicate_notes()
    navigation._furo()
    assert gone_pages.install()


def _owner_and_name(where: str) -> tuple[Any, str]:
    for module_name, class_name, attribute in patchstate.TARGETS:
        if where == f"{module_name}.{class_name + '.' if class_name else ''}{attribute}":
            owner: Any = sys.modules[module_name]
            return (getattr(owner, class_name) if class_name else owner), attribute
    raise KeyError(where)


def _depths() -> dict[str, int]:
    return {where: depth for where, (_id, depth) in patchstate.replaced().items()}


def test_each_replacement_is_in_place_once_after_installing_twice() -> None:
    _install_all()
    first = patchstate.replaced()
    _install_all()
    assert patchstate.replaced() == first  # the same objects: nothing wrapped again
    assert set(first) >= {
        f"{module}.{cls + '.' if cls else ''}{name}" for module, cls, name in patchstate.TARGETS
    }
    assert set(_depths().values()) == {1}, _depths()
    from specheft.sphinxext import docpaths
    from specheft.sphinxext.directives import option_block

    assert len(option_block._ORIGINAL) == len(docpaths._ORIGINAL) == 1


@pytest.mark.parametrize(
    "where", [f"{m}.{c + '.' if c else ''}{n}" for m, c, n in patchstate.TARGETS]
)
def test_a_replacement_put_back_by_someone_is_installed_again_once(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_all()
    owner, name = _owner_and_name(where)
    ours = getattr(owner, name)
    original = patchstate.innermost(ours)
    assert original is not ours and not patchstate.ours(original)
    with monkeypatch.context() as undo:
        undo.setattr(owner, name, original)  # a test's monkeypatch of the original
        assert _depths()[where] == 0
        _install_all()  # the next build's setup
        assert _depths()[where] == 1
        assert patchstate.innermost(getattr(owner, name)) is original
        _install_all()
        assert _depths()[where] == 1
    # the monkeypatch undone: the replacement from before, once; and once more after setup
    assert getattr(owner, name) is ours
    _install_all()
    assert set(_depths().values()) == {1}, _depths()


def test_pickling_replaced_again_after_dataclasses_own_were_put_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sphinx_needs.need_item import NeedLink

    _install_all()
    ours = NeedLink.__getstate__
    assert patchstate.ours(ours)
    with monkeypatch.context() as undo:
        undo.setattr(NeedLink, "__getstate__", dataclasses._dataclass_getstate)  # type: ignore[attr-defined]
        undo.setattr(NeedLink, "__setstate__", dataclasses._dataclass_setstate)  # type: ignore[attr-defined]
        _install_all()
        assert patchstate.ours(NeedLink.__dict__["__getstate__"])
        assert patchstate.ours(NeedLink.__dict__["__setstate__"])
    assert NeedLink.__getstate__ is ours


# --- the guard: what it reports --------------------------------------------------------


def test_the_guard_reports_a_stacked_replacement_a_taken_out_one_and_the_recursion_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from myst_parser.parsers import sphinx_

    _install_all()
    before = patchstate.snapshot()
    assert patchstate.problems(before, patchstate.snapshot()) == []
    current = sphinx_.create_md_parser  # type: ignore[attr-defined]

    @functools.wraps(current)
    def again(*args: Any) -> Any:
        return current(*args)

    again.__module__ = "specheft.sphinxext.diagnostics.nesting"
    with monkeypatch.context() as changed:
        changed.setattr(sphinx_, "create_md_parser", again)
        changed.setattr(sys, "getrecursionlimit", lambda: 123)
        found = patchstate.problems(before, patchstate.snapshot())
    assert found == [
        f"sys.getrecursionlimit() changed from {before['limit']} to 123",
        "myst_parser.parsers.sphinx_.create_md_parser goes through 2 of specheft's "
        "replacements (stacked)",
    ]
    with monkeypatch.context() as changed:
        changed.setattr(sphinx_, "create_md_parser", patchstate.innermost(current))
        found = patchstate.problems(before, patchstate.snapshot())
    assert found == [
        "myst_parser.parsers.sphinx_.create_md_parser: specheft's replacement was taken "
        "out and not put back"
    ]


def test_the_guard_reports_a_growing_catalogue_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    import gettext

    from sphinx import locale

    before = patchstate.snapshot()
    chain = gettext.NullTranslations()
    for _ in range(patchstate.CHAIN_LIMIT):
        chain.add_fallback(gettext.NullTranslations())
    monkeypatch.setitem(locale.translators, ("general", "test-catalogue"), chain)
    found = patchstate.problems(before, patchstate.snapshot())
    assert found == [
        "Sphinx's message catalogue chain ('general', 'test-catalogue') grew to "
        f"{patchstate.CHAIN_LIMIT + 1} links"
    ]


# --- Sphinx's message catalogues, build after build -----------------------------------


def _project(root: Path, language: str) -> MiniProject:
    project = MiniProject(root)
    project.write("conf/conf.py", CONF_PY)
    project.write("conf/specheft.toml", SETTINGS.format(language=language))
    project.write("spec/index.md", "# Mini\n\n```{toctree}\nphasen\n```\n")
    project.write("spec/phasen.md", PHASES)
    return project


def _quiet(run: Callable[[], int], capsys: pytest.CaptureFixture[str]) -> int:
    code = run()
    capsys.readouterr()
    return code


def test_the_catalogue_chains_stay_as_long_build_after_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """They grew by two links per build: a RecursionError after some 450 builds in one
    process (fewer when the lookup happens deep in a build)."""
    from sphinx import locale

    project = _project(tmp_path / "p", "de")
    lengths = []
    for _ in range(3):
        assert _quiet(lambda: main(["check", "--fresh", str(project.root)]), capsys) == 0
        lengths.append(patchstate.translator_chains())
    assert lengths[0] == lengths[1] == lengths[2]
    assert lengths[0][("general", "sphinx")] >= 1  # Sphinx's German catalogue was loaded
    assert max(lengths[0].values()) <= patchstate.CHAIN_LIMIT
    assert str(locale._("Search")) == "Suche"


def test_an_english_project_built_after_a_german_one_has_sphinx_s_english_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The German catalogue of the build before stayed first in the chain."""
    german = _project(tmp_path / "de", "de")
    english = _project(tmp_path / "en", "en")
    assert _quiet(lambda: main(["check", "--fresh", str(german.root)]), capsys) == 0
    args = ["build", str(english.root), "--format", "html"]
    assert _quiet(lambda: main(args), capsys) == 0
    [search] = english.root.rglob("search.html")
    page = search.read_text(encoding="utf-8")
    assert "<title>Search - Mini" in page and "Suche" not in page
