"""export xlsx|csv without Sphinx (``project/export_snapshot.py``): after a check, or after
an export that built the items, the export rebuilds the items from the items cache and
the snapshot beside it, imports no Sphinx, and writes the very bytes of an export that
builds the items — after random edits, with hyperlinks, the project's own fields, trace
directives on a document's pages and --document; a damaged, foreign or stale snapshot is a
miss (the items are built), never an error."""

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

from specheft.project import export_snapshot, items_cache, sphinx_run
from specheft.project.check import run_check
from specheft.project.export import export_sheets
from specheft.project.fingerprint import fingerprints
from specheft.project.layout import Project

from .helpers import SETTINGS, MiniProject, item
from .test_sheets import PAGES
from .test_sheets_speed import _rewrite, _same_length_edit

_SETTINGS = (
    SETTINGS.format(language="de").replace(
        "[project]\n", '[project]\nurl = "https://spec.example/"\n'
    )
    + """
[fields.ansprechpartner]
label = "Ansprechpartner"
kinds = ["req"]

[fields.kostenstelle]

[documents.lastenheft]
title = "Lastenheft"
start = "kon"

[documents.bericht]
title = "Bericht"
start = "bericht"
"""
)
_PAGES = {
    **PAGES,
    "kon.md": PAGES["kon.md"]
    + item(
        "req",
        "Ansprechpartner",
        "Das System soll Ansprechpartner führen.",
        id="LH-KON-003",
        priority="should",
        area="KON",
        ansprechpartner="Frau Müller",
        kostenstelle="4711",
        origin="Workshop",
    ),
    "bericht.md": "# Bericht\n\n:::{coverage-matrix}\n:priority: must\n:::\n\n"
    ":::{item-trace} LH-KON-002\n:::\n",
}
_INDEX = "# Mini\n\n```{toctree}\nkon\nph\nab\nbericht\nphasen\n```\n"

#: (format, --kind, --document) of the exports compared
_VARIANTS = [
    ("xlsx", "requirements", None),
    ("xlsx", "requirements", "bericht"),
    ("xlsx", "requirements", "lastenheft"),
    ("csv", "requirements", None),
    ("csv", "specs", "lastenheft"),
    ("csv", "coverage", None),
    ("csv", "coverage", "lastenheft"),
]


def _snapshot_file(root: Path) -> Path:
    return items_cache.export_path(Project.at(root))


def _export(root: Path, fmt: str, kind: str, document: str | None, out: Path) -> bytes:
    shutil.rmtree(root / "_build" / ".export", ignore_errors=True)  # not the export cache
    written = export_sheets(Project.at(root), fmt, target=out, kind=kind, document=document)
    assert not written.cached
    return out.read_bytes()


def _no_build(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the export built the items although the snapshot matched")


def _hit(root: Path) -> bool:
    project = Project.at(root)
    key = items_cache.items_key(project)
    return export_snapshot.load(project, key, "spec") is not None


def _compare(root: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """Every variant from the snapshot (no items build) equals the one that builds."""
    out = root.parent / "out"
    snapshot = _snapshot_file(root)
    kept = snapshot.read_bytes()
    for fmt, kind, document in _VARIANTS:
        snapshot.write_bytes(kept)
        with monkeypatch.context() as patch:
            patch.setattr(sphinx_run, "items_build", _no_build)
            fast = _export(root, fmt, kind, document, out.with_suffix(f".{fmt}"))
        snapshot.unlink()
        built = _export(root, fmt, kind, document, out.with_suffix(f".{fmt}"))
        assert fast == built, f"{step}: {fmt} --kind {kind} --document {document}"
    snapshot.write_bytes(kept)


def random_edits(mini: MiniProject, rng: random.Random) -> list[Callable[[], object]]:
    """Edits of the project of _PAGES/_SETTINGS/_INDEX, each changing what an export or a
    fingerprint shows: a letter, a priority, an own field, a field removed, a link, an
    exclusion, a trace directive's options and target, the settings' url and a
    document's start, a new page."""
    root = mini.root
    kon, ph, bericht = root / "spec/kon.md", root / "spec/ph.md", root / "spec/bericht.md"

    def new_page() -> None:
        page = item("req", "Neu", "Das System soll X.", id="LH-VTR-009", priority="can")
        mini.write("spec/neu.md", "# Neu\n\n" + page)
        _rewrite(root / "spec/index.md", lambda t: t.replace("bericht\n", "bericht\nneu\n"))

    return [
        lambda: _rewrite(kon, lambda t: _same_length_edit(t, rng)),
        lambda: _rewrite(kon, lambda t: t.replace(":priority: can", ":priority: must", 1)),
        lambda: _rewrite(kon, lambda t: t.replace("Frau Müller", "Herr Meier")),
        lambda: _rewrite(kon, lambda t: t.replace(":origin: Workshop\n", "")),
        lambda: _rewrite(
            ph, lambda t: t.replace(":satisfies: LH-KON-001", ":satisfies: LH-VTR-001")
        ),
        lambda: _rewrite(root / "spec/ab.md", lambda t: t.replace("Kein ERP", "Kein DMS")),
        lambda: _rewrite(bericht, lambda t: t.replace(":priority: must", ":priority: can")),
        lambda: _rewrite(bericht, lambda t: t.replace("LH-KON-002", "LH-KON-001")),
        lambda: _rewrite(
            root / "conf/specheft.toml", lambda t: t.replace("spec.example", "x.example")
        ),
        lambda: _rewrite(
            root / "conf/specheft.toml", lambda t: t.replace('start = "kon"', 'start = "ph"')
        ),
        new_page,
    ]


def test_export_from_the_snapshot_equals_the_built_export_after_random_edits(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    root = mini.root
    project = Project.at(root)
    run_check(project)
    assert _hit(root)  # the check left it
    _compare(root, monkeypatch, "after the first check")
    rng = random.Random(16)
    edits = random_edits(mini, rng)
    rng.shuffle(edits)
    for number, edit in enumerate(edits):
        edit()
        assert not _hit(root), f"edit {number}: the snapshot still matched"
        if number % 2:
            run_check(project)  # the check leaves it...
        else:  # ...and so does an export that had to build the items
            _export(root, "xlsx", "requirements", None, root.parent / "first.xlsx")
        assert _hit(root), f"edit {number}: nothing left for the next export"
        _compare(root, monkeypatch, f"edit {number}")


def test_cover_fingerprints_from_the_snapshot_equal_the_fingerprint_command(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    project = Project.at(mini.root)
    run_check(project)
    out = mini.root.parent / "fp.xlsx"
    assert _hit(mini.root)
    export_sheets(project, "xlsx", target=out)
    cover = openpyxl.load_workbook(out, read_only=True)["Cover"]
    got = {
        str(key).removeprefix("Fingerprint "): str(value)
        for key, value in cover.iter_rows(values_only=True)
        if str(key).startswith("Fingerprint ")
    }
    with monkeypatch.context() as patch:  # the command's value from the items build
        patch.setattr(export_snapshot, "load", lambda *args: None)
        built = fingerprints(project)
    expected = {
        f.document.name: f"{f.digest} ({f.items} items)" if f.digest else "–" for f in built
    }
    assert got == expected and got["bericht"] != "–"


def test_an_export_after_a_check_imports_no_sphinx(
    make_project: Callable[..., MiniProject],
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    run_check(Project.at(mini.root))
    code = """
        import json, sys
        from specheft.cli import main
        codes = [main(["export", "xlsx", "--out", "../a.xlsx"]),
                 main(["export", "csv", "--kind", "coverage", "--out", "../a.csv"])]
        print(json.dumps([codes, sorted(sys.modules)]))
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=mini.root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    codes, modules = json.loads(done.stdout.splitlines()[-1])
    assert codes == [0, 0]
    assert "specheft.project.export_snapshot" in modules  # it did run
    loaded = [
        m
        for m in modules
        if m.split(".")[0] in ("sphinx", "sphinx_needs", "myst_parser", "docutils")
    ]
    assert loaded == []


@pytest.mark.parametrize("damage", ["cut", "foreign", "garbage", "other-key", "no-graph"])
def test_a_damaged_or_foreign_snapshot_is_a_miss(
    make_project: Callable[..., MiniProject], damage: str
) -> None:
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    root = mini.root
    project = Project.at(root)
    run_check(project)
    out = root.parent / "a.xlsx"
    good = _export(root, "xlsx", "requirements", None, out)
    path = _snapshot_file(root)
    key = items_cache.items_key(project)
    if damage == "cut":
        path.write_bytes(path.read_bytes()[:-10])
    elif damage == "foreign":  # a pickle of something else under the right key
        items_cache.write_keyed(path, key, {"not": "a snapshot"})
    elif damage == "garbage":
        path.write_bytes(b"\x00\x01garbage")
    elif damage == "other-key":  # another code version or other sources
        items_cache.write_keyed(path, "0" * 64, items_cache.read_keyed(path, key))
    else:  # the graph beside it is gone
        (path.parent / "specheft-items.pickle").unlink()
    assert not _hit(root)
    assert _export(root, "xlsx", "requirements", None, out) == good  # built, same bytes
    assert _hit(root)  # and left again


def test_the_snapshot_key_follows_the_code(
    make_project: Callable[..., MiniProject], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot never answers for another version of specheft (code_key)."""
    mini = make_project(_PAGES, settings=_SETTINGS, index=_INDEX)
    run_check(Project.at(mini.root))
    assert _hit(mini.root)
    monkeypatch.setattr(items_cache, "code_key", lambda: b"another version")
    assert not _hit(mini.root)


def test_the_snapshot_is_the_same_whatever_order_the_pages_were_read_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A parallel read merges the workers' pages in the order they finish: the file the
    check writes must not depend on it."""
    import pickle
    from types import SimpleNamespace

    from docutils import nodes

    from specheft.sphinxext.directives import base

    monkeypatch.setattr(base, "trace_directives_by_page", lambda env: {})
    pages = {"a": ["b", "c"], "b": [], "c": ["d"], "d": []}

    def env(order: list[str]) -> SimpleNamespace:
        return SimpleNamespace(
            titles={name: nodes.title(text=f"Seite {name}") for name in order},
            toctree_includes={name: pages[name] for name in order if pages[name]},
        )

    made = [
        pickle.dumps(export_snapshot.make([], env(order), ()))
        for order in (["a", "b", "c", "d"], ["d", "b", "a", "c"], ["c", "a", "d", "b"])
    ]
    assert made[0] == made[1] == made[2]
    assert export_snapshot.make([], env(["b", "a"]), ())[2] == {"a": "Seite a", "b": "Seite b"}
