"""Lists and quotes nested deeper than markdown-it reads: reported where it stopped."""

from __future__ import annotations

from typing import Any

from sphinx.util import logging as sphinx_logging

logger = sphinx_logging.getLogger(__name__)

_TOO_DEEP = "specheft_too_deep"


def _report_too_deep(md: Any) -> None:
    """markdown-it stops reading a block nested deeper than its ``maxNesting`` (20 levels:
    a list nested ten deep) and skips the rest of that block, and with it all that
    follows on the page, a requirement included, without a word. A marker token is left
    where reading stopped, and rendering it reports the line."""
    original = md.block.tokenize

    def tokenize(state: Any, start: int, end: int) -> None:
        if state.level >= state.md.options.maxNesting:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                token = state.push(_TOO_DEEP, "", 0)
                token.map = [line, line + 1]
        original(state, start, end)

    def render(renderer: Any, token: Any) -> None:
        line = token.map[0] if token.map else None  # MyST made the map 1-based
        logger.warning(
            "lists or quotes nested this deep are not read: this line and all after it in "
            "the same block are left out (at the top level: the rest of the page, its items "
            "included); nest lists at most 9 levels deep",
            type="specheft",
            subtype="item-syntax",
            location=(renderer.sphinx_env.docname, line),
        )

    md.block.tokenize = tokenize
    # MyST's renderer looks its rules up as "render_<token type>"
    md.add_render_rule(f"render_{_TOO_DEEP}", render, fmt="docutils")


#: set on our parser maker: whether the one in place is ours is asked of it, not of a
#: flag here (a flag stays set when a test puts MyST's own back, and is lost when this
#: module is imported anew: the maker was then wrapped in ours again, once per setup)
PATCH_MARK = "__specheft_patch__"


def patch_parser() -> None:
    """Every MyST parser Sphinx makes reports content it drops for nesting depth. Wraps
    MyST's parser maker once: a maker that is already ours is left as it is."""
    from myst_parser.parsers import sphinx_

    create = sphinx_.create_md_parser  # type: ignore[attr-defined]
    if getattr(create, PATCH_MARK, False):
        return

    def create_md_parser(config: Any, renderer: Any) -> Any:
        md = create(config, renderer)
        _report_too_deep(md)
        return md

    create_md_parser.__wrapped__ = create  # type: ignore[attr-defined]
    setattr(create_md_parser, PATCH_MARK, True)
    sphinx_.create_md_parser = create_md_parser  # type: ignore[attr-defined]
