"""Which pages an incremental build reads, and in which order.

Sphinx clears a page's data only right before reading it again, so an item moved to a
page that sorts earlier would meet its old self ("already exists") and be dropped:
every page about to be read is cleared before the first one is read. Pages whose
findings depend on other pages (a duplicated id, no toctree) are read in every build
until fixed.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from specheft.sphinxext.context.domain import specheft_domain


def toctree_order(env: BuildEnvironment) -> dict[str, int]:
    """docname → position in reading order: the toctrees depth first from the root page,
    then the pages in no toctree, by name."""
    order: dict[str, int] = {}
    stack = [env.config.root_doc]
    while stack:
        docname = stack.pop()
        if docname in order or docname not in env.all_docs:
            continue
        order[docname] = len(order)
        stack.extend(reversed(env.toctree_includes.get(docname, [])))
    for docname in sorted(env.all_docs):
        order.setdefault(docname, len(order))
    return order


def clear_before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Clear every page about to be read before the first is read (Sphinx clears each
    right before reading it, when reading serially)."""
    for docname in docnames:
        if docname in env.all_docs:
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)


def not_included(env: BuildEnvironment) -> set[str]:
    """The pages in no toctree (Sphinx warns about them only in a build that reads a page)."""
    # the same test as Sphinx's check_consistency
    included = set().union(*env.included.values()) if env.included else set()
    return {
        doc
        for doc in env.all_docs
        if doc not in env.files_to_rebuild
        and doc != env.config.root_doc
        and doc not in included
        and "orphan" not in env.metadata.get(doc, {})
    }


def read_again(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages whose findings depend on other pages: those holding a duplicated id, and
    those in no toctree (so that the warning comes back in every build until fixed)."""
    again: set[str] = set(specheft_domain(env).duplicate_docs) | not_included(env)
    return sorted(doc for doc in again if doc in env.found_docs and doc not in added | changed)
