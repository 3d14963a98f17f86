"""Links in the sources cannot run script in the built site.

MyST already renders ``[x](javascript:…)`` as text, but reStructuredText inside
``{eval-rst}`` (and any extension that makes references) can still produce a
``javascript:``, ``vbscript:`` or ``data:`` link, which runs when a reader of the site
clicks it. Such a link is reduced to its text, with a warning at its line.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

_logger = logging.getLogger(__name__)
# browsers ignore whitespace and control characters inside a scheme ("java\tscript:")
_STRIP = re.compile(r"[\x00-\x20]+")
_UNSAFE = ("javascript:", "vbscript:", "data:")


def unsafe(uri: str) -> bool:
    return _STRIP.sub("", uri).lower().startswith(_UNSAFE)


def _check(app: Sphinx, doctree: nodes.document) -> None:
    for ref in list(doctree.findall(nodes.reference)):
        uri = ref.get("refuri", "")
        if uri and unsafe(uri):
            _logger.warning(
                f"link to {uri[:40]!r} removed: links that run script are not allowed",
                location=ref,
                type="specheft",
                subtype="link",
            )
            ref.replace_self(nodes.Text(ref.astext()))


def setup(app: Sphinx) -> None:
    app.connect("doctree-read", _check)
