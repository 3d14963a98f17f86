"""An incremental site holds what a fresh one holds: nothing of pages that are gone.

Sphinx writes the pages it re-read and leaves every other file of the output folder as
it is. A page that was deleted or renamed kept its old HTML (and its copied source, its
images and downloads when no other page uses them) in the site, published with the
rest: a reader could land on a requirement that no longer exists. And its search index
kept a word that no page contains any more, with an empty list of pages, and lost the
``{index}`` entries of the pages it did not rewrite (both fixed in ``IndexBuilder``).

The files of the pages are recorded per output folder, next to the environment: before
any page is written (what is about to be written is added, so a build stopped half-way
still knows them) and once the build has finished. A file recorded earlier that no page
of the finished build stands for is removed, unless this build wrote it under another
name (a generated page) or the user's ``html_extra_path`` holds it: only files that a
page of specheft's builds wrote are ever removed. Folders left empty go too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder

from specheft.fsutil import atomic_write_text

RECORD_FILE = "specheft-pages.json"

#: per build: the record before it, and as it is on disk while pages are written
_RECORDS: weakref.WeakKeyDictionary[Sphinx, tuple[set[str], set[str]]] = weakref.WeakKeyDictionary()
#: per build: the generated pages it wrote (genindex, search, …), relative paths
_GENERATED: weakref.WeakKeyDictionary[Sphinx, set[str]] = weakref.WeakKeyDictionary()

_ORIGINAL: dict[str, Any] = {}


# --- the search index -------------------------------------------------------------------


def _prune(self: Any, docnames: Iterable[str]) -> None:
    """``IndexBuilder.prune``, and then the words no page is left for are dropped.

    Sphinx takes the rewritten and the deleted pages out of each word's pages and keeps
    a word with none (written to ``searchindex.js`` as ``[]``); a fresh build never has
    one. Nothing else changes: a word with a page left is kept as Sphinx keeps it. The
    pages' index entries (``{index}``) follow the pages kept, in the order of the page
    names, as a fresh build feeds them.
    """
    keep = set(docnames)
    _ORIGINAL["prune"](self, keep)
    for mapping in (self._mapping, self._title_mapping):
        for word in [word for word, pages in mapping.items() if not pages]:
            del mapping[word]
    entries = self._index_entries
    if entries:
        kept = sorted((page, found) for page, found in entries.items() if page in keep)
        entries.clear()
        entries.update(kept)


class _Loaded:
    """A format that answers with data already read (the stream is read once)."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def load(self, stream: Any) -> Any:
        return self.data


def _load(self: Any, stream: Any, format: Any) -> None:
    """``IndexBuilder.load``, and the pages' index entries are read back too.

    Sphinx reads the words and titles of the pages it does not rewrite from the old
    ``searchindex.js`` but not their index entries: it keeps those in the environment,
    which is saved before the pages are written (and fed), so an incremental build's
    index lost the entries of every page it did not rewrite.
    """
    if isinstance(format, str):
        format = self.formats[format]
    frozen = format.load(stream)
    _ORIGINAL["load"](self, stream, _Loaded(frozen))  # raises on an old or foreign index
    found = frozen.get("indexentries")
    if not isinstance(found, dict):
        return
    names = frozen["docnames"]
    entries: dict[str, list[tuple[str, str, str]]] = {}
    for entry, uses in found.items():  # lowercase already, as freeze() writes them
        for page, target, main in uses:
            entries.setdefault(names[page], []).append((entry, target, "main" if main else ""))
    self._index_entries.clear()
    self._index_entries.update(entries)


_REPLACEMENTS: dict[str, Any] = {"prune": _prune, "load": _load}


def install() -> bool:
    """Replace ``prune`` and ``load`` of ``sphinx.search.IndexBuilder`` (once per
    process); False if one is not Sphinx's own any more (another release or someone
    else's patch: left alone)."""
    from sphinx.search import IndexBuilder

    if not all(hasattr(IndexBuilder, name) for name in ("feed", "freeze", "formats")):
        return False
    done = True
    for name, ours in _REPLACEMENTS.items():
        current = getattr(IndexBuilder, name)
        if current is ours:
            continue
        # the entries read back need the pruning of ours (a gone page's would stay)
        foreign = getattr(current, "__qualname__", "") != f"IndexBuilder.{name}"
        if foreign or (name == "load" and IndexBuilder.prune is not _prune):
            done = False
            continue
        _ORIGINAL[name] = current  # put back by someone since: replaced again, not stacked
        ours.__wrapped__ = current  # for the patch guard
        setattr(IndexBuilder, name, ours)
    return done


# --- the pages' files -------------------------------------------------------------------


def _pages_builder(builder: Builder) -> StandaloneHTMLBuilder | None:
    """The builder when it writes a file per page (html, dirhtml, …; not singlehtml)."""
    # (by name: an items build does not load the singlehtml builder's module at all)
    if isinstance(builder, StandaloneHTMLBuilder) and not any(
        cls.__name__ == "SingleFileHTMLBuilder" for cls in type(builder).__mro__
    ):
        return builder
    return None


def _record_file(app: Sphinx) -> Path:
    # one record per output folder: builds into another --out share the environment
    out = hashlib.sha256(str(Path(app.outdir).resolve()).encode()).hexdigest()[:12]
    return Path(app.doctreedir) / RECORD_FILE.replace(".json", f"-{out}.json")


def _read_record(app: Sphinx) -> set[str]:
    try:
        data = json.loads(_record_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()  # no record (a site of an older specheft): nothing is removed
    return {name for name in data if isinstance(name, str)} if isinstance(data, list) else set()


def _write_record(app: Sphinx, names: set[str]) -> None:
    with contextlib.suppress(OSError):  # no record: these files are not removed later
        atomic_write_text(_record_file(app), json.dumps(sorted(names), indent=0))


def _relative(builder: StandaloneHTMLBuilder, path: str | os.PathLike[str]) -> str:
    return Path(os.path.relpath(path, builder.outdir)).as_posix()


def _page_files(builder: StandaloneHTMLBuilder) -> set[str]:
    """The files that the pages of this build stand for, relative to the output folder:
    each page, its copied source, the images and downloads any page uses."""
    env = builder.env
    files = set()
    copy_source = builder.copysource and builder.config.html_copy_source
    suffix = builder.config.html_sourcelink_suffix
    for docname in env.all_docs:
        files.add(_relative(builder, builder.get_outfilename(docname)))
        if copy_source:  # as StandaloneHTMLBuilder.get_doc_context names it
            source = docname + str(env.doc2path(docname, False))[len(docname) :]
            files.add(f"_sources/{source}" + ("" if source.endswith(suffix) else suffix))
    # every candidate of every image (the builder copies one of each): more, never less
    files.update(f"{builder.imagedir}/{name}" for _docs, name in env.images.values())
    files.update(f"_downloads/{Path(dest).as_posix()}" for _docs, dest in env.dlfiles.values())
    return files


def _note_pages(app: Sphinx, builder: Builder) -> None:
    """Before the first page is written: the record holds this build's pages too."""
    pages = _pages_builder(builder)
    if pages is None:
        return
    previous = _read_record(app)
    ahead = previous | _page_files(pages)
    if ahead != previous:
        _write_record(app, ahead)
    _RECORDS[app] = (previous, ahead)
    _GENERATED[app] = set()


def _note_generated(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """A page generated by Sphinx or an extension (no source page): never removed."""
    generated = _GENERATED.get(app)
    builder = _pages_builder(app.builder)
    if generated is not None and builder is not None and doctree is None:
        generated.add(_relative(builder, builder.get_outfilename(pagename)))


def _extra_files(app: Sphinx) -> set[str]:
    """The files ``html_extra_path`` copies into the site, relative to it."""
    found = set()
    for entry in app.config.html_extra_path:
        folder = Path(app.confdir, entry)
        if folder.is_file():
            found.add(folder.name)
        for directory, _dirs, names in os.walk(folder):
            base = Path(directory).relative_to(folder)
            found.update((base / name).as_posix() for name in names)
    return found


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def remove_gone_pages(app: Sphinx, exception: BaseException | None) -> None:
    """After a build: the files of pages that are gone leave the site (see the module)."""
    records = _RECORDS.pop(app, None)
    generated = _GENERATED.pop(app, set())
    builder = _pages_builder(app.builder)
    if records is None or builder is None or exception is not None:
        return  # a failed build: the record keeps what may be in the site
    previous, on_disk = records
    current = _page_files(builder)
    gone = previous - current - generated
    live = current | generated | _extra_files(app) if gone else set()
    by_case = {name.casefold(): name for name in live}
    outdir = Path(app.outdir)
    for name in sorted(gone - live):
        path = outdir / name
        if ".." in Path(name).parts or not path.is_file() or path.is_symlink():
            continue  # only files a page wrote, inside the site
        twin = by_case.get(name.casefold())
        if twin is not None and _same_file(path, outdir / twin):
            continue  # renamed in case only (Vtr.md to vtr.md) where case is not told apart
        with contextlib.suppress(OSError):
            path.unlink()
        for folder in path.parents:  # as a fresh build: no folder of nothing
            if folder == outdir or outdir not in folder.parents:
                break
            try:
                folder.rmdir()
            except OSError:
                break  # not empty
    if current != on_disk:
        _write_record(app, current)


def setup(app: Sphinx) -> None:
    install()
    app.connect("write-started", _note_pages)
    app.connect("html-page-context", _note_generated)
    app.connect("build-finished", remove_gone_pages)
