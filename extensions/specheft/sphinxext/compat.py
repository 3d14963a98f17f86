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
    """Let ``chunks(docnames, nproc)`` split the pages for parallel reading
    (``sphinx.builders.make_chunks``, looked up by ``Builder._read_parallel`` each time,
    Sphinx 7–9), for this builder only and only while it reads: Sphinx's batches are
    equal in the number of pages, not in their size, and more than there are processes;
    each later batch's process starts from the environment the earlier ones filled and
    sends all of it back again."""
    import sphinx.builders

    module: Any = sphinx.builders
    read_parallel = builder._read_parallel

    def balanced(docnames: list[str], nproc: int) -> None:
        sphinx_chunks = module.make_chunks
        module.make_chunks = lambda docs, n, maxbatch=10: chunks(docs, n)
        try:
            read_parallel(docnames, nproc)
        finally:
            module.make_chunks = sphinx_chunks

    builder._read_parallel = balanced


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
