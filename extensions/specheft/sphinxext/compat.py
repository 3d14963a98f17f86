"""Sphinx's private attributes that specheft reads, behind one door.

Sphinx offers no public way to ask these; each is used because the public alternative
would be wrong (the merged configuration instead of what ``conf.py`` set) or missing.
``tests/test_needs_contract.py`` checks that each still exists, so a Sphinx upgrade
that renames one fails there, naming the function here to fix.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def conf_py_values(config: Config) -> Mapping[str, Any]:
    """What ``conf.py`` itself set (and ``-D`` overrides), not the defaults of Sphinx and
    its extensions: a value specheft supplies yields to an explicit one only
    (``Config._raw_config``, Sphinx 7–9)."""
    raw: Mapping[str, Any] = config._raw_config
    return raw


def warning_count(app: Sphinx) -> int:
    """How many warnings this build has logged (``Sphinx._warncount``, Sphinx 7–9; what
    Sphinx's own "build succeeded, N warnings" line counts)."""
    return int(app._warncount)


def fresh_translations() -> None:
    """Forget the message catalogues of earlier Sphinx applications in this process
    (``sphinx.locale.translators``, Sphinx 7–9), so that the next one loads its own, as
    in a process of its own. ``sphinx.locale.init`` adds each application's catalogues
    as fallbacks to the ones already there, never replacing them: in a long-lived
    process (the test suite, a library caller) the chain grew by two links per build,
    every lookup of a word the first catalogue lacks walked it recursively (a
    RecursionError after some 450 builds), and a project in English built after one in
    German got Sphinx's German words ("Suche"). Sphinx's own test applications clear it
    the same way when they end."""
    from sphinx import locale

    locale.translators.clear()


def builder_translations(builder: Any) -> Any:
    """The builder's gettext translations for its theme, or None (``Builder._translator``,
    Sphinx 7–9; what Sphinx installs into the theme's Jinja environment)."""
    return getattr(builder, "_translator", None)


def balance_parallel_reading(
    builder: Any, chunks: Callable[[Sequence[str], int], list[list[str]]]
) -> None:
    """Read in parallel the way of :func:`read_sharing`, with the pages split into
    batches by ``chunks(docnames, nproc)`` (heaviest first), for this builder only: it
    replaces the builder's ``Builder._read_parallel`` (Sphinx 7–9), which Sphinx calls
    with the pages to read and the number of processes."""

    def read_parallel(docnames: list[str], nproc: int) -> None:
        read_sharing(builder, docnames, chunks(docnames, nproc))

    builder._read_parallel = read_parallel


def read_sharing(builder: Any, docnames: list[str], batches: list[list[str]]) -> None:
    """Sphinx's parallel reading (``Builder._read_parallel``, Sphinx 7–9), except that
    of two batches this process reads the first itself instead of waiting for a worker.

    Sphinx forks one worker per batch and sits idle while they read; each worker then
    pickles its whole environment and this process unpickles and merges it: at N=1000
    about 3 MB, 0.1 s of this process's time per worker after reading (the last one's
    with nothing else to do), and a pickling in the worker. Here one worker less is
    forked and its batch is read in place as serial reading would, between the other
    worker's fork and its merge. The batches should come heaviest first: the worker, with
    the lighter one, pickles its environment on top. Only for two batches: with more,
    every merge would come after this process's own reading, on the build's path, where
    Sphinx merges each worker's environment while the others still read; so then all
    batches are read by workers, as in Sphinx (and the need nodes still come back
    packed: :mod:`specheft.sphinxext.needs.nodestore`). As in Sphinx, every
    page is purged before anything is read, the pages' doctrees go to disk (not kept in
    memory), the workers' messages are replayed when their environment is merged, and a
    progress line advances per batch."""
    import pickle

    from sphinx.locale import __
    from sphinx.util import logging as sphinx_logging
    from sphinx.util.display import status_iterator
    from sphinx.util.parallel import ParallelTasks

    from specheft.sphinxext.needs.nodestore import pack_worker_nodes
    from specheft.sphinxext.rendering.collector import before_reading_in_place

    app = builder._app
    env = builder.env
    if not batches:
        return
    own, theirs = (batches[0], batches[1:]) if len(batches) == 2 else ([], batches)
    progress = status_iterator(
        batches, __("reading sources... "), "purple", len(batches), builder.config.verbosity
    )
    for docname in docnames:  # all at once: the workers fork from the purged environment
        builder.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)

    def read_process(docs: list[str]) -> bytes:
        env._app = app
        for docname in docs:
            builder.read_doc(docname, _cache=False)
        if getattr(builder, "packs_worker_nodes", False):
            pack_worker_nodes(env)  # unpickled here only if used (a check drops them)
        return pickle.dumps(env, pickle.HIGHEST_PROTOCOL)

    def merge(docs: list[str], otherenv: bytes) -> None:
        env.merge_info_from(docs, pickle.loads(otherenv), app)
        next(progress)

    tasks = ParallelTasks(max(1, len(theirs)))
    try:
        for batch in theirs:
            tasks.add_task(read_process, batch, merge)  # forked now, before reading here
        for docname in own:
            before_reading_in_place(app, docname)
            builder.read_doc(docname, _cache=False)
        if own:
            next(progress)
    except BaseException:
        tasks.terminate()  # (join() does so itself)
        raise
    tasks.join()
    sphinx_logging.getLogger(__name__).info("")


@contextlib.contextmanager
def builtin_extensions_without(names: frozenset[str]) -> Iterator[None]:
    """Sphinx applications made meanwhile do not load these of Sphinx's own extensions
    (``sphinx.application.builtin_extensions``, read by ``Sphinx.__init__``, Sphinx 7–9)."""
    import sphinx.application

    module: Any = sphinx.application
    complete = module.builtin_extensions
    module.builtin_extensions = tuple(name for name in complete if name not in names)
    try:
        yield
    finally:
        module.builtin_extensions = complete
