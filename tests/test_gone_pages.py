"""Pages that are gone leave nothing in the site (sphinxext/rendering/gone_pages.py).

A page deleted or renamed (its toctree entry changed with it) kept its old HTML in
``_build/html`` after an incremental build, with its copied source, its images and
downloads; ``searchindex.js`` kept the words of deleted text with no page. After every
build the site must equal a fresh build of the same sources, file for file and byte for
byte, and a file that no page of specheft wrote (the user's ``html_extra_path``) stays.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

#: a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
REQS = "spec/lastenheft/05-anforderungen"
#: a redirect the user puts where the deleted page was (html_extra_path): never removed
REDIRECT = b'<meta http-equiv="refresh" content="0; url=04-umfang.html">\n'


def _tree(site: Path) -> dict[str, bytes]:
    """Every file and folder of ``site`` (a folder as ``name/``: an empty one counts)."""
    return {
        p.relative_to(site).as_posix() + ("/" if p.is_dir() else ""): (
            b"" if p.is_dir() else p.read_bytes()
        )
        for p in site.rglob("*")
    }


def _differences(one: Path, other: Path) -> list[str]:
    first, second = _tree(one), _tree(other)
    return sorted(
        name for name in first.keys() | second.keys() if first.get(name) != second.get(name)
    )


def _project(root: Path, run_cli: Callable[..., Any], *, extras: bool) -> Path:
    """``specheft new --areas KON,VTR``; with ``extras``: copied sources, an extra path,
    an image and a download on the page that will be deleted, an image on the page that
    will be renamed."""
    assert run_cli("new", root, "--areas", "KON,VTR").code == 0
    if extras:
        conf = root / "conf/conf.py"
        conf.write_text(
            conf.read_text(encoding="utf-8")
            + 'html_copy_source = True\nhtml_extra_path = ["extra"]\n',
            encoding="utf-8",
        )
        (root / "conf/extra").mkdir()
        (root / "conf/extra/robots.txt").write_text("User-agent: *\n", encoding="utf-8")
        (root / "spec/lastenheft/ziel.png").write_bytes(PNG)
        (root / "spec/lastenheft/ziele.txt").write_text("Kennzahlen\n", encoding="utf-8")
        (root / f"{REQS}/vertrieb.png").write_bytes(PNG + b"\0")
        with (root / "spec/lastenheft/03-ziele.md").open("a", encoding="utf-8") as page:
            page.write(
                "\nDie Durchlaufzeit eines Angebots sinkt um Zielwertquartil.\n\n"
                "![Ziel](ziel.png)\n\n{download}`Kennzahlen <ziele.txt>`\n"
            )
        with (root / f"{REQS}/vtr.md").open("a", encoding="utf-8") as page:
            page.write("\n![Vertrieb](vertrieb.png)\n")
    return root


def _rename_and_delete(root: Path, *, extras: bool) -> None:
    """vtr.md renamed to vertrieb.md, 03-ziele.md deleted: the toctrees follow."""
    (root / f"{REQS}/vtr.md").rename(root / f"{REQS}/vertrieb.md")
    toc = root / f"{REQS}/index.md"
    toc.write_text(toc.read_text(encoding="utf-8").replace("\nvtr\n", "\nvertrieb\n"))
    (root / "spec/lastenheft/03-ziele.md").unlink()
    toc = root / "spec/lastenheft/index.md"
    toc.write_text(toc.read_text(encoding="utf-8").replace("\n03-ziele\n", "\n"))
    if extras:
        (root / "spec/lastenheft/ziel.png").unlink()
        (root / "conf/extra/lastenheft").mkdir()
        (root / "conf/extra/lastenheft/03-ziele.html").write_bytes(REDIRECT)


def _fresh_twin(root: Path, tmp_path: Path, run_cli: Callable[..., Any], *args: str) -> Path:
    twin = tmp_path / "fresh" / root.name  # the same folder name: the site may name it
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns("_build"))
    result = run_cli("build", twin, "-q", "--no-strict", "--fresh", *args)
    assert result.code == 0, result.err
    return twin


def _empty_words(index: Path) -> list[str]:
    text = index.read_text(encoding="utf-8")
    data = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    return [
        word for key in ("terms", "titleterms") for word, pages in data[key].items() if pages == []
    ]


@pytest.mark.parametrize("extras", [False, True], ids=["plain", "extras"])
def test_a_renamed_and_a_deleted_page_leave_nothing_in_the_site(
    extras: bool, tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = _project(tmp_path / "inc" / "proj", run_cli, extras=extras)
    build = ("build", root, "-q", "--no-strict")
    assert run_cli(*build).code == 0
    site = root / "_build/html"
    assert (site / "lastenheft/03-ziele.html").exists()
    if extras:
        assert (site / "_sources/lastenheft/03-ziele.md.txt").exists()
        assert [p.name for p in (site / "_images").iterdir()] != []
    _rename_and_delete(root, extras=extras)
    assert run_cli(*build).code == 0

    assert not (site / "lastenheft/05-anforderungen/vtr.html").exists()
    assert (site / "lastenheft/05-anforderungen/vertrieb.html").exists()
    assert _empty_words(site / "searchindex.js") == []
    twin = _fresh_twin(root, tmp_path, run_cli)
    assert _differences(site, twin / "_build/html") == []
    if extras:  # the user's file where the page was stays, and so does the renamed page's image
        assert (site / "lastenheft/03-ziele.html").read_bytes() == REDIRECT
        assert not (site / "_sources/lastenheft/03-ziele.md.txt").exists()
        assert (site / "robots.txt").exists()
    else:
        assert not (site / "lastenheft/03-ziele.html").exists()

    # and back: the pages come again, the record follows
    (root / f"{REQS}/vertrieb.md").rename(root / f"{REQS}/vtr.md")
    toc = root / f"{REQS}/index.md"
    toc.write_text(toc.read_text(encoding="utf-8").replace("\nvertrieb\n", "\nvtr\n"))
    assert run_cli(*build).code == 0
    assert not (site / "lastenheft/05-anforderungen/vertrieb.html").exists()
    shutil.rmtree(twin.parent)
    twin = _fresh_twin(root, tmp_path, run_cli)
    assert _differences(site, twin / "_build/html") == []


def test_a_folder_of_gone_pages_goes_and_dirhtml_follows(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose pages all moved is not left empty; ``--builder dirhtml`` (a folder
    per page) removes the gone page's folder."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = _project(tmp_path / "inc" / "proj", run_cli, extras=False)
    dirhtml = ("build", root, "-q", "--no-strict", "--builder", "dirhtml")
    assert run_cli(*dirhtml).code == 0
    assert run_cli("build", root, "-q", "--no-strict").code == 0
    assert (root / "_build/dirhtml/lastenheft/05-anforderungen/vtr/index.html").exists()
    # the requirements pages move up into lastenheft/, their folder goes
    folder = root / REQS
    for name in ("kon.md", "vtr.md"):
        (folder / name).rename(root / "spec/lastenheft" / name)
    (folder / "index.md").rename(root / "spec/lastenheft/05-anforderungen.md")
    folder.rmdir()
    toc = root / "spec/lastenheft/index.md"
    toc.write_text(
        toc.read_text(encoding="utf-8").replace(
            "\n05-anforderungen/index\n", "\n05-anforderungen\n"
        )
    )
    assert run_cli(*dirhtml).code == 0
    assert run_cli("build", root, "-q", "--no-strict").code == 0
    assert not (root / "_build/html/lastenheft/05-anforderungen").exists()
    assert not (root / "_build/dirhtml/lastenheft/05-anforderungen/vtr").exists()
    twin = _fresh_twin(root, tmp_path, run_cli)
    assert run_cli("build", twin, "-q", "--no-strict", "--fresh", "--builder", "dirhtml").code == 0
    assert _differences(root / "_build/html", twin / "_build/html") == []
    assert _differences(root / "_build/dirhtml", twin / "_build/dirhtml") == []


def test_serve_s_build_removes_a_deleted_page(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``specheft serve`` rebuilds in its own folder with the same build: a page deleted
    while it runs is gone from the preview."""
    from specheft.project.baselines import compute_baselines, write_baselines
    from specheft.project.layout import Project
    from specheft.project.serve import build_once

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = _project(tmp_path / "inc" / "proj", run_cli, extras=False)
    project = Project.at(root)
    baselines = str(write_baselines(project, compute_baselines(project)))
    outdir = tmp_path / "preview"
    reports: list[str] = []
    assert build_once(root, outdir, baselines, reports.append), reports
    assert (outdir / "lastenheft/05-anforderungen/vtr.html").exists()
    _rename_and_delete(root, extras=False)
    assert build_once(root, outdir, baselines, reports.append), reports
    assert not (outdir / "lastenheft/05-anforderungen/vtr.html").exists()
    assert not (outdir / "lastenheft/03-ziele.html").exists()
    assert (outdir / "lastenheft/05-anforderungen/vertrieb.html").exists()
    assert _empty_words(outdir / "searchindex.js") == []


def test_without_a_record_nothing_is_removed(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    """Without the record (a site an older specheft built) nothing is removed: only
    files that specheft knows a page wrote ever go."""
    root = _project(tmp_path / "inc" / "proj", run_cli, extras=False)
    build = ("build", root, "-q", "--no-strict")
    assert run_cli(*build).code == 0
    records = list((root / "_build/.doctrees/html").glob("specheft-pages-*.json"))
    assert len(records) == 1
    assert "lastenheft/03-ziele.html" in json.loads(records[0].read_text(encoding="utf-8"))
    records[0].unlink()
    _rename_and_delete(root, extras=False)
    assert run_cli(*build).code == 0
    assert (root / "_build/html/lastenheft/03-ziele.html").exists()  # unknown: kept
    assert "lastenheft/03-ziele.html" not in json.loads(records[0].read_text(encoding="utf-8"))


def test_a_page_renamed_in_case_only_is_not_removed(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    """vtr.md renamed to Vtr.md: where a file system does not tell case apart (macOS,
    Windows) the old name and the new one are one file, which must stay. Simulated here
    with a hard link (one file under both names), as such a file system shows it."""
    root = _project(tmp_path / "inc" / "proj", run_cli, extras=False)
    build = ("build", root, "-q", "--no-strict")
    assert run_cli(*build).code == 0
    folder = root / "_build/html/lastenheft/05-anforderungen"
    (root / f"{REQS}/vtr.md").rename(root / f"{REQS}/Vtr.md")
    toc = root / f"{REQS}/index.md"
    toc.write_text(toc.read_text(encoding="utf-8").replace("\nvtr\n", "\nVtr\n"))
    (folder / "Vtr.html").hardlink_to(folder / "vtr.html")
    assert run_cli(*build).code == 0
    assert (folder / "vtr.html").exists() and (folder / "Vtr.html").samefile(folder / "vtr.html")


def test_index_entries_of_pages_not_rewritten_stay_in_the_search_index(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sphinx read back the words of the pages it did not rewrite, not their ``{index}``
    entries: after an edit elsewhere the search found them no more; a deleted page's
    entries go with it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    root = _project(tmp_path / "inc" / "proj", run_cli, extras=False)
    entry = "\n```{index} Vertriebsgebiet\n```\n\nVertriebsgebiete werden gepflegt.\n"
    for page in ("04-umfang.md", "03-ziele.md"):
        with (root / "spec/lastenheft" / page).open("a", encoding="utf-8") as file:
            file.write(entry + "\n```{index} single: Zebra; Abc\n```\n")
    build = ("build", root, "-q", "--no-strict")
    assert run_cli(*build).code == 0
    site = root / "_build/html"
    with (root / "spec/lastenheft/02-ausgangssituation.md").open("a", encoding="utf-8") as file:
        file.write(entry)
    assert run_cli(*build).code == 0  # only that page is rewritten
    twin = _fresh_twin(root, tmp_path, run_cli)
    assert _differences(site, twin / "_build/html") == []
    shutil.rmtree(twin.parent)
    _rename_and_delete(root, extras=False)
    assert run_cli(*build).code == 0
    twin = _fresh_twin(root, tmp_path, run_cli)
    assert _differences(site, twin / "_build/html") == []


def test_a_page_written_by_a_failed_build_goes_once_its_source_is_gone(
    tmp_path: Path, run_cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record names a build's pages before they are written: a build that fails
    after writing a new page (here: while writing the inventory) still leaves it known,
    so the next build removes it when its source is gone."""
    from sphinx.builders.html import StandaloneHTMLBuilder

    root = _project(tmp_path / "inc" / "proj", run_cli, extras=False)
    build = ("build", root, "-q", "--no-strict")
    assert run_cli(*build).code == 0
    (root / "spec/lastenheft/08-neu.md").write_text("# Neu\n\nEine neue Seite.\n", encoding="utf-8")
    toc = root / "spec/lastenheft/index.md"
    toc.write_text(
        toc.read_text(encoding="utf-8").replace("\n07-abnahme\n", "\n07-abnahme\n08-neu\n")
    )

    def broken(self: Any) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(StandaloneHTMLBuilder, "dump_inventory", broken)
        assert run_cli(*build).code != 0
    page = root / "_build/html/lastenheft/08-neu.html"
    assert page.exists()
    (root / "spec/lastenheft/08-neu.md").unlink()
    toc.write_text(toc.read_text(encoding="utf-8").replace("\n08-neu\n", "\n"))
    assert run_cli(*build).code == 0
    assert not page.exists()
