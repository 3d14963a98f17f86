"""Keep Python's cyclic garbage collector from re-scanning the whole build on every page.

Measured on the benchmark project (N=1000, 3,107 items, 37 pages): a quarter of the
CPU time of an HTML build went to 20 full collections of the collector during the
write phase, each traversing every object of the build — the environment, the needs,
every page's cached doctree — while the garbage they found was the pages just written.
The count of full collections follows the objects allocated per page (what survives
two young collections is promoted, and a full one runs once those exceed a quarter of
the old objects), so it does not shrink with a larger project, while each one costs
in proportion to it.

Two steps remove that cost and change nothing in the output:

* when writing starts, everything alive is moved out of the collector's reach
  (``gc.freeze``, after one last collection): the environment and the needs stay alive
  to the end of the build anyway; later full collections only look at what was made
  since. ``gc.unfreeze`` at ``build-finished`` gives them back (tests build many projects
  in one process).
* a written page's doctree is released at once: its nodes refer back to their parent
  and to the document, so without a full collection they would never be freed — and
  frozen ones not even by one. After ``write_doc`` the back-references are cut, so
  reference counting frees the page; a node someone else still holds keeps its own
  subtree intact.

Two more steps lower the peak memory of the write phase, which is the page holding the
coverage matrix (at N=5000 a doctree of ~150,000 nodes and 5.5 MB of HTML):

* the page's context gets a short ``repr``: Sphinx's ``emit`` formats the arguments of
  every event for a debug message, also when that message is not shown — for
  ``html-page-context`` the page's whole HTML, several copies of it at once;
* the page's doctree is released once the last ``html-page-context`` handler has seen it,
  before the template is rendered and the file written (the doctree is not used after
  that event), instead of after ``write_doc``;
* the translator's three lists of the page's HTML fragments (``body``, ``fragment``,
  ``html_body``; joined into the context's ``body`` before the event) are dropped at the
  first ``html-page-context`` handler instead of when ``write_doc`` returns: at N=10000
  the matrix page's fragments are tens of MB, and they were alive under the handlers'
  and the template's allocations.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from specheft.sphinxext.needs.priorities import FIRST_LOOK, LAST_LOOK, LATER

_FROZEN = "_specheft_gc_frozen"
_READ_FROZEN = "_specheft_gc_frozen_for_reading"


def release(doctree: nodes.document) -> None:
    """Cut the back-references (parent, document) of every node of a written page, and
    empty the document, so that reference counting frees the page.

    The nodes are walked with a list as stack, not ``findall()``: its generators nest
    one level per tree level, and at N=10000 collecting the nodes through them was half
    of this function's 3 % of the build."""
    stack: list[nodes.Node] = [doctree]
    pop, push = stack.pop, stack.extend
    while stack:
        node = pop()
        push(node.children)  # the same nodes findall() yields (a Text has none)
        node.parent = None
        node.__dict__.pop("_document", None)
    doctree.__dict__.clear()  # ids, transformer, reporter: cycles through the document
    doctree.children = []


def _released(doctree: nodes.document) -> bool:
    return doctree.__dict__.keys() == {"children"} and not doctree.children


def _releasing(write_doc: Callable[[str, nodes.document], None]) -> Any:
    def write_and_release(docname: str, doctree: nodes.document) -> None:
        write_doc(docname, doctree)
        if not _released(doctree):  # normally done at html-page-context already
            release(doctree)

    write_and_release.__wrapped__ = write_doc  # type: ignore[attr-defined]
    return write_and_release


class _PageContext(dict[str, Any]):
    """A page's template context whose ``repr`` does not copy the page's HTML.

    ``handle_page`` starts each page's context as a copy of the builder's global context,
    so making that one a ``_PageContext`` makes every page's one; Jinja renders from a
    plain dict copy of it, so the pages are the same."""

    def copy(self) -> _PageContext:
        return _PageContext(self)

    def __repr__(self) -> str:
        return f"<page context of {len(self)} entries>"


#: the translator's lists of the page's HTML, joined into the context's ``body`` before
#: ``html-page-context``; nobody reads them after that event
_FRAGMENT_LISTS = ("body", "fragment", "html_body")


def _remembering_translators(create_translator: Callable[..., Any]) -> Any:
    """``create_translator`` noting (weakly) each translator it makes, so that the page's
    one can be found by its document at ``html-page-context``."""
    made: list[weakref.ref[Any]] = []

    def create(*args: Any, **kwargs: Any) -> Any:
        translator = create_translator(*args, **kwargs)
        made.append(weakref.ref(translator))
        return translator

    create.__wrapped__ = create_translator  # type: ignore[attr-defined]
    create.made = made  # type: ignore[attr-defined]
    return create


def _drop_fragments(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if not getattr(app, _FROZEN, False) or not isinstance(doctree, nodes.document):
        return
    made: list[weakref.ref[Any]] | None = getattr(app.builder.create_translator, "made", None)
    if made is None:
        return
    for ref in made:
        translator = ref()
        if translator is not None and getattr(translator, "document", None) is doctree:
            for name in _FRAGMENT_LISTS:
                if isinstance(getattr(translator, name, None), list):
                    setattr(translator, name, [])  # rebound: a list someone else holds stays
    made.clear()


def _short_repr_context(prepare_writing: Callable[[Any], None]) -> Any:
    def prepare(docnames: Any) -> None:
        prepare_writing(docnames)
        builder = prepare_writing.__self__  # type: ignore[attr-defined]
        builder.globalcontext = _PageContext(builder.globalcontext)

    prepare.__wrapped__ = prepare_writing  # type: ignore[attr-defined]
    return prepare


def _release_before_rendering(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if getattr(app, _FROZEN, False) and isinstance(doctree, nodes.document):
        release(doctree)


def _freeze(app: Sphinx, *args: Any) -> None:
    builder = app.builder
    # the HTML builders write each page once and drop its doctree; the others (LaTeX
    # assembles documents from several pages, the check builder writes nothing) are
    # left as they are
    if not isinstance(builder, StandaloneHTMLBuilder) or getattr(app, _FROZEN, False):
        return
    builder.write_doc = _releasing(builder.write_doc)  # type: ignore[method-assign]
    builder.prepare_writing = _short_repr_context(builder.prepare_writing)  # type: ignore[method-assign]
    builder.create_translator = _remembering_translators(builder.create_translator)  # type: ignore[method-assign]
    if getattr(app, _READ_FROZEN, False):
        # what reading froze is given back first: some of it became garbage after its
        # freeze, and frozen garbage is never collected. With the freezes at source-read
        # each page's MyST renderer (alive then, holding the page's top section) kept
        # every written page alive: peak RSS at N=1000 294 instead of 177 MB, at N=5000
        # over 1 GB; with them at the page's purge still 208 MB at N=1000
        gc.unfreeze()
        setattr(app, _READ_FROZEN, False)
    gc.collect()
    gc.freeze()
    setattr(app, _FROZEN, True)


def _freeze_for_reading(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Before the pages are read: what is alive now (Sphinx, the extensions, a cached
    environment) is moved out of the collector's reach, for this process and for the
    reading workers it forks. A ``check --fresh`` at N=1000 spent a quarter of its CPU
    time (serial reading; a tenth reading in parallel) re-scanning it."""
    if getattr(app, _READ_FROZEN, False):
        return
    # no collection first: it would scan a freshly loaded environment once more, which
    # cost a re-check more than it saved; what is garbage now (the purged entries of the
    # pages about to be read) is small, and is freed at build-finished
    gc.freeze()
    setattr(app, _READ_FROZEN, True)


_PURGED = "_specheft_gc_frozen_at_purge"


def _freeze_read_page(app: Sphinx, docname: str, source: list[str]) -> None:
    """Before each page is read: what the pages read so far left alive (their items, the
    doctrees serial reading keeps) is moved out of the collector's reach too, after one
    collection of only what was made since the last page (their garbage is not frozen).
    Otherwise each full collection while reading walks every page read so far: at N=1000
    five of them, 0.4 s of a 4.3 s ``check --fresh -j 1``; now ~37 small ones, 0.04 s.

    Serial reading freezes when the page is purged, before anything of it exists: at
    ``source-read`` the page's document and parser are alive already and, frozen, would
    be kept after the page until the build ends. A parallel worker purges nothing and
    freezes here; it ends after its few pages."""
    if getattr(app, _READ_FROZEN, False) and getattr(app, _PURGED, None) != docname:
        gc.collect()
        gc.freeze()


def _freeze_purged_page(app: Sphinx, env: Any, docname: str) -> None:
    if getattr(app, _READ_FROZEN, False):
        gc.collect()
        gc.freeze()
        setattr(app, _PURGED, docname)


def before_reading_in_place(app: Sphinx, docname: str) -> None:
    """Before this process reads a page while workers read the others
    (:func:`specheft.sphinxext.compat.read_sharing`; every page was purged before the
    workers forked): the freeze of serial reading's purge, before anything of the page
    exists. At ``source-read`` the page's document would be frozen alive, and, unlike a
    worker's, this process's frozen pages stay until the build ends."""
    _freeze_purged_page(app, app.env, docname)


def _unfreeze(app: Sphinx, exception: BaseException | None) -> None:
    if getattr(app, _READ_FROZEN, False):
        gc.unfreeze()
        setattr(app, _READ_FROZEN, False)
    if getattr(app, _FROZEN, False):
        gc.unfreeze()
        setattr(app, _FROZEN, False)
        builder = app.builder
        for name in ("write_doc", "prepare_writing", "create_translator"):
            wrapped = getattr(getattr(builder, name), "__wrapped__", None)
            if wrapped is not None:
                setattr(builder, name, wrapped)


def setup(app: Sphinx) -> None:
    # after everyone's write-started handlers: the needs are sealed and the build
    # context made (they belong to what is frozen, not to what is collected per page)
    app.connect("write-started", _freeze, priority=LATER)
    # after sphinx-needs and specheft prepared the environment for reading
    app.connect("env-before-read-docs", _freeze_for_reading, priority=LATER + 1)
    app.connect("env-purge-doc", _freeze_purged_page)
    app.connect("source-read", _freeze_read_page)  # in parallel workers
    # after every other handler that looks at the page's doctree (sphinx-needs' and
    # MathJax's assets, furo's and specheft's sidebar)
    app.connect("html-page-context", _release_before_rendering, priority=LAST_LOOK)
    # before every other handler: they and the template allocate on top of what is alive
    app.connect("html-page-context", _drop_fragments, priority=FIRST_LOOK)
    app.connect("build-finished", _unfreeze)
