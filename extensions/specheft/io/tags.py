"""An imported cell or attribute as ``:tags:``: shared by the spreadsheet and ReqIF imports."""

from __future__ import annotations

import re

# tags in a cell: sphinx-needs' own separators, or one a line (Alt+Enter in Excel)
_TAG_SEPARATOR = re.compile(r"[,;|\r\n]")
# what sphinx-needs reads in :tags: as a dynamic function or a variant, not as text
_TAG_MARKUP = re.compile(r"\[\[|\]\]|<<|>>|<\{|\}>")
_TAG_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def tags_of(text: str) -> tuple[list[str], str]:
    """The tags of a cell (``a, b; c`` or one a line), in its order; (tags, problem):
    a tag sphinx-needs cannot hold as it is written is a problem, never altered."""
    tags: list[str] = []
    for part in _TAG_SEPARATOR.split(text):
        tag = " ".join(part.split())
        if not tag:
            continue
        markup = _TAG_MARKUP.search(tag)
        if markup:
            return tags, (
                f"the tag {tag!r} holds {markup.group()!r}, which sphinx-needs reads as a "
                "dynamic function or a variant, not as a tag"
            )
        control = _TAG_CONTROL.search(tag)
        if control:
            return tags, f"the tag {tag!r} holds the control character U+{ord(control.group()):04X}"
        tags.append(tag)
    return tags, ""
