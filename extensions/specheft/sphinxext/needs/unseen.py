"""A build whose warnings nobody sees skips sphinx-needs' work that only warns.

``export xlsx|csv|reqif`` (and ``fingerprint``, ``review``, ``catalog add``,
``compliance``, ``results``, ``accept``, ``export reqif --answer-to``, the revisions of
``diff`` and ``check --since``) read the items with the check builder but show none of
its warnings. After sphinx-needs has read the needs, three steps of every build only warn:
its schema validation of every need (``process_schemas``), its link check
(``check_links``: target types, link conditions, dead links — ``has_dead_links`` is set
before, by ``build_backlinks``) and specheft's resolving of the kept references
(``checkbuilder.resolve_references``). Together about a fifth of an export after a
one-title edit at 15,500 items. They all run after the environment is pickled: the
cache such a build leaves is the one a check leaves, and the next check warns of
everything again (it runs all three over every need and page).

:func:`skipping` says whether the current build skips them (the check builder sets it
for ``write``, from the config value ``specheft_warnings_unseen``, which takes no
re-reading: it is not part of what a page is read into). :func:`install` replaces
``sphinx_needs.directives.need.check_links`` by :func:`_check_links`, which runs the
original unless the build skips it; installing again replaces nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: whether the running build's warnings are unseen (set for its write phase only)
_SKIP: list[bool] = []
_ORIGINAL: dict[str, Any] = {}


def skipping() -> bool:
    """Whether the build running now skips the steps that only warn."""
    return bool(_SKIP)


@contextmanager
def unseen() -> Iterator[None]:
    """While the block runs, the steps that only warn are skipped."""
    _SKIP.append(True)
    try:
        yield
    finally:
        _SKIP.pop()


def _check_links(needs: Any, config: Any, schema: Any) -> None:
    """``check_links(needs, config, schema)``, nothing when no one sees its warnings."""
    if skipping():
        return
    _ORIGINAL["check_links"](needs, config, schema)


def install() -> bool:
    """Replace sphinx-needs' ``check_links``; True if the replacement is in place."""
    from sphinx_needs.directives import need

    current = getattr(need, "check_links", None)
    if current is _check_links:
        return True
    if current is None or getattr(current, "__module__", "") != need.__name__:
        return False  # renamed, or someone else replaced it: leave it alone
    _ORIGINAL["check_links"] = current
    need.check_links = _check_links
    return True
