"""export xlsx|csv straight after an edit, no check between (#16): the export builds the
items, writes the bytes an export of a fresh copy of the project writes, and leaves the
items cache and the export snapshot for the next export — also an ``export csv``, which
made no trace graph before and so left nothing: every following export built again."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specheft.project import sphinx_run
from specheft.project.export import export_sheets
from specheft.project.layout import Project

from .helpers import MiniProject
from .test_export_snapshot import _INDEX, _PAGES, _SETTINGS, _VARIANTS, _hit, random_edits
from .test_sheets_speed import _rewrite


def _export(root: Path, variant: tuple[str, str, str | None], out: Path) -> bytes:
    """One export, never from the export cache (the bytes are what the export makes)."""
    fmt, kind, document = variant
    shutil.rmtree(root / "_build" / ".export", ignore_errors=True)
    target = out.with_suffix(f".{fmt}")
    written = export_sheets(Project.at(root), fmt, target=target, kind=kind, document=document)
    assert not written.cached
    return target.read_bytes()


def _fresh(root: Path, variant: tuple[str, str, str | None], where: Path) -> bytes:
    """The export of a copy of the project's sources with no _build at all."""
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(root, where, ignore=shutil.ignore_patterns("_build"))
    return _export(where, variant, where.parent / "fresh")


def _no_build(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the export built the items although the last export left them")


def test_exports_after_random_edits_equal_fresh_exports_and_leave_the_next_one_no_build(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    root = mini.root
    rng = random.Random(5000)
    edits = rng.sample(random_edits(mini, rng), 7)
    out, copy = root.parent / "out", root.parent / "copy"
    # the first export of all builds every page; each after an edit, the edited ones
    for number, edit in enumerate([lambda: None, *edits]):
        edit()
        assert not _hit(root), f"edit {number}: the snapshot still matched"
        first, second = rng.sample(_VARIANTS, 2)
        assert _export(root, first, out) == _fresh(root, first, copy), f"edit {number}: {first}"
        assert _hit(root), f"edit {number}: export {first} left nothing for the next export"
        with monkeypatch.context() as patch:
            patch.setattr(sphinx_run, "items_build", _no_build)
            again = _export(root, second, out)
        assert again == _fresh(root, second, copy), f"edit {number}: {second} after {first}"


@pytest.mark.parametrize("kind", ["requirements", "coverage"])
def test_the_second_csv_export_after_an_edit_starts_no_sphinx(
    make_project: Callable[..., MiniProject], kind: str
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    root = mini.root
    _rewrite(root / "spec/kon.md", lambda t: t.replace("Frau Müller", "Herr Meier"))
    first = export_sheets(Project.at(root), "csv", target=root.parent / "a.csv", kind=kind)
    assert not first.cached
    shutil.rmtree(root / "_build" / ".export")  # not the export cache: the snapshot
    code = f"""
        import json, sys
        from specheft.cli import main
        code = main(["export", "csv", "--kind", {kind!r}, "--out", "../b.csv"])
        print(json.dumps([code, sorted(sys.modules)]))
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    code_, modules = json.loads(done.stdout.splitlines()[-1])
    assert code_ == 0
    assert "specheft.project.export_snapshot" in modules  # it did run
    loaded = [
        m
        for m in modules
        if m.split(".")[0] in ("sphinx", "sphinx_needs", "myst_parser", "docutils")
    ]
    assert loaded == []
    assert (root.parent / "b.csv").read_bytes() == (root.parent / "a.csv").read_bytes()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_no_collection_while_the_tables_are_made_after_an_items_build(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """The items build turns the collector on again when it ends (and unfreezes the
    environment): the export pauses it again for its tables, which a full collection over
    the build's objects had cost ~0.4 s CPU at N=5000."""
    import gc

    from specheft.io.sheets import export as sheets_export

    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    seen: list[bool] = []
    for name in ("collect", "collect_table"):
        original = getattr(sheets_export, name)

        def watched(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            seen.append(gc.isenabled())
            return _original(*args, **kwargs)

        monkeypatch.setattr(sheets_export, name, watched)
    assert gc.isenabled()
    _export(mini.root, (fmt, "requirements", None), mini.root.parent / "out")
    assert seen == [False]  # one table or workbook, made with the collector paused
    assert gc.isenabled()  # and running again afterwards


def test_no_collection_while_the_reqif_is_made_after_the_items_build(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from specheft.io.reqif import export as reqif_export
    from specheft.project.export import export_reqif

    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    seen: list[bool] = []
    original = reqif_export.render

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(reqif_export, "render", watched)
    assert gc.isenabled()
    export_reqif(Project.at(mini.root), target=mini.root.parent / "out.reqif")
    assert seen == [False]
    assert gc.isenabled()
