"""The traceability rules run as part of the build.

They run on the trace graph of the build context (:mod:`specheft.sphinxext.context.build`),
made once after sphinx-needs has resolved every link; rule errors become Sphinx
warnings at the item's line (``[specheft.<rule>]``), so a strict build fails where
``specheft check`` fails. Warnings and infos of the rules are left to ``specheft check``.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.util import logging

from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.needs.priorities import AFTER_NEEDS
from specheft.trace.hitcache import HitCache
from specheft.trace.rules import evaluate
from specheft.trace.sourcelines import SourceLines

logger = logging.getLogger(__name__)

#: Rules whose findings sphinx-needs itself reports in a build (unknown link targets,
#: links to the wrong kind): not repeated there.
_SPHINX_NEEDS_REPORTS = frozenset({"link-kind"})
#: the per-item rules' remembered hits of a build, in its doctree folder
_HIT_CACHE = "specheft-hits.pickle"


def _check(app: Sphinx, builder: Builder) -> None:
    if not app.config.specheft_check_on_build:
        return
    context = build_context(app)
    graph = context.graph
    # the per-item lint hits of unchanged items are remembered beside the environment,
    # as in ``specheft check`` (its own file: paths in a build's graph lack ``spec/``)
    cache = HitCache(Path(app.doctreedir) / _HIT_CACHE)
    evaluation = evaluate(graph, context.rules.levels, options=context.check, cache=cache)
    cache.save()
    lines = SourceLines()
    for finding in evaluation.findings:
        if finding.level != "error" or finding.rule in _SPHINX_NEEDS_REPORTS:
            continue
        item = graph.get(finding.item or "")
        location = None
        if item is not None and item.docname:
            line = finding.line
            if finding.field and line:
                path = Path(app.env.doc2path(item.docname))
                line = lines.option_line(path, line, finding.field) or line
            location = (item.docname, line)
        text = f"{finding.item}: {finding.message}" if finding.item else finding.message
        if finding.hint:
            text += f" (hint: {finding.hint})"
        logger.warning(text, type="specheft", subtype=finding.rule, location=location)
    if evaluation.findings:
        logger.info(
            f"traceability: {evaluation.errors} error(s), {evaluation.warnings} "
            f"warning(s), {evaluation.count('info')} info(s); details: specheft check"
        )


def setup(app: Sphinx) -> None:
    app.add_config_value("specheft_check_on_build", True, "", types=frozenset({bool}))
    # after the build context is made (write-started, priority 550)
    app.connect("write-started", _check, priority=AFTER_NEEDS)
