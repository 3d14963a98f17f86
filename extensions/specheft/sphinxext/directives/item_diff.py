"""``item-diff``: a change annex — the items of a document added, changed or removed since
one of its baselines, as a redline.

    :::{item-diff} lh-v1.0
    :document: lastenheft
    :::

The argument is a baseline tag of the document, ``latest`` (its newest baseline) or
``previous`` (the version before this one: the newest baseline while the document has
changed since, the one before when it is at its newest — a release's annex shows what
that release changed); without ``:document:`` the document holding the page. One block
per item in document order (removed items where they stood): id (a link to the item),
title, state, the changed fields old → new, the changed links, and title and text with
deleted words struck through and added ones underlined. The items compared and their
states are those of the generated change history (``trace/history.py``
``compare_baselines``); the words come from ``specheft diff``'s word diff.

The baseline's items are not read here: ``specheft build`` reads each baseline's
revision before Sphinx runs (``project/baselines.py``, cached per commit by
``project/since.py``) and names the commit and the cache in its data file. Without git,
in a clone without tags, or before the first baseline the page says so in a sentence and
the build does not warn (CI clones have no tags); a tag that is no baseline of a document
that has baselines is a warning at the directive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from specheft.config.settings import Document
from specheft.errors import did_you_mean
from specheft.labels import label, value_label
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.context.build import build_context
from specheft.sphinxext.directives.base import (
    RENDERERS,
    TraceDirective,
    page_document,
    trace_directives,
    trace_placeholder,
)
from specheft.sphinxext.directives.options import ItemDiffOptions
from specheft.sphinxext.rendering import redline as redline_nodes
from specheft.sphinxext.rendering.baselines import baseline_items, baselines_of
from specheft.sphinxext.rendering.documents import document_docnames, format_date
from specheft.sphinxext.rendering.items import ItemRenderer, renderer_for
from specheft.sphinxext.rendering.redline import deleted, inserted, redline
from specheft.trace.diff import FieldChange, ItemState, compare_items, word_diff
from specheft.trace.fingerprint import shown_ids
from specheft.trace.graph import LINK_NAMES
from specheft.trace.history import Baseline, compare_baselines

logger = sphinx_logging.getLogger(__name__)

#: the newest baseline
LATEST = "latest"
#: the version before this one: the newest baseline of a draft, the one before it when the
#: document is at its newest baseline (a release: the annex shows what it changed)
PREVIOUS = "previous"
KEYWORDS = (LATEST, PREVIOUS)
#: shown as the redline of the block, not as a field line
_REDLINED = ("title", "content")
#: a field whose values both have more words than this is shown as a word diff
_SHORT = 3
#: enumerated fields: their values are shown in the reader's words (must → Muss)
_VALUES = frozenset({"priority", "status", "verification", "level", "solution", "decision"})


class ItemDiff(TraceDirective):
    renderer = "item-diff"
    required_arguments = 1
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "document": lambda arg: (arg or "").strip(),
    }

    def run(self) -> list[nodes.Node]:
        record: ItemDiffOptions = {
            "baseline": self.arguments[0].strip(),
            "document": self.document_option(),
        }
        return [self.placeholder(record)]


def _sentence(text: str, *classes: str) -> list[nodes.Node]:
    return [nodes.paragraph("", text, classes=["specheft-item-diff-note", *classes])]


def _page_order(app: Sphinx, start: str) -> dict[str, int]:
    """docname → its place in the document (the toctrees walked depth first)."""
    order: dict[str, int] = {}

    def walk(docname: str) -> None:
        if docname in order:
            return
        order[docname] = len(order)
        for child in app.env.toctree_includes.get(docname, ()):
            walk(child)

    walk(start)
    return order


def _docname_of(path: str | None, srcdir: str, suffixes: Iterable[str]) -> str | None:
    if not path:
        return None
    if srcdir and path.startswith(f"{srcdir}/"):
        path = path[len(srcdir) + 1 :]
    for suffix in suffixes:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


class _Blocks:
    """The annex's blocks, one per item."""

    def __init__(self, app: Sphinx, fromdocname: str) -> None:
        self.links: ItemRenderer = renderer_for(app, fromdocname)
        self.lang = self.links.lang

    def value(self, name: str, value: str | None, mark: Callable[[str], nodes.Node]) -> nodes.Node:
        if value is None:
            return nodes.Text("")
        shown = value_label(self.lang, name, value) if name in _VALUES else value
        return mark(shown)

    def field(self, change: FieldChange) -> nodes.paragraph:
        para = nodes.paragraph(classes=["specheft-item-diff-field"])
        para += nodes.strong("", f"{self.links.field_label(change.name)}:")
        para += nodes.Text(" ")
        old, new = change.old, change.new
        if old is not None and new is not None and min(len(old.split()), len(new.split())) > _SHORT:
            para.extend(redline(word_diff(old, new)))
        else:
            # set or cleared: the one value, marked; else old → new
            para += self.value(change.name, old, deleted)
            if old is not None and new is not None:
                para += nodes.Text(" → ")
            para += self.value(change.name, new, inserted)
        return para

    def link(self, name: str, added: Iterable[str], removed: Iterable[str]) -> nodes.paragraph:
        para = nodes.paragraph(classes=["specheft-item-diff-field"])
        para += nodes.strong("", f"{self.links.field_label(name)}:")
        para += nodes.Text(" ")
        parts: list[nodes.Node] = [inserted(i) for i in added] + [deleted(i) for i in removed]
        for index, part in enumerate(parts):
            if index:
                para += nodes.Text(", ")
            para += part
        return para

    def block(
        self, item_id: str, state: str, was: ItemState | None, now: ItemState | None
    ) -> nodes.container:
        box = nodes.container(classes=["specheft-item-diff-item", f"specheft-item-diff-{state}"])
        empty = ItemState(item_id, "", None, None, {}, {})
        change = compare_items(was or empty, now or empty)
        fields = {f.name: f for f in change.fields} if change else {}
        values = (now or was or empty).values
        head = nodes.paragraph(classes=["specheft-item-diff-head"])
        # a deleted item has no page to link to: its id as text
        ref = self.links.reference(item_id) if now is not None else nodes.Text(item_id)
        head += nodes.strong("", "", ref)
        head += nodes.Text(" ")
        title = fields.get("title")
        if title is not None:
            head.extend(self.text(title))
        else:
            head += nodes.Text(values.get("title", ""))
        head += nodes.Text(" ")
        head += nodes.inline(
            "", f"({label(self.lang, f'diff.{state}')})", classes=["specheft-item-diff-state"]
        )
        box += head
        if now is not None:  # a deleted item: its title and text struck through suffice
            for name, fc in fields.items():
                if name not in _REDLINED and name != "type":
                    box += self.field(fc)
            for lc in change.links if change else ():
                if lc.name in LINK_NAMES:
                    box += self.link(lc.name, lc.added, lc.removed)
        content = fields.get("content")
        if content is not None:
            box += nodes.paragraph("", "", *self.text(content), classes=["specheft-item-diff-text"])
        elif values.get("content"):
            text = values["content"]
            box += nodes.paragraph("", text, classes=["specheft-item-diff-text"])
        return box

    @staticmethod
    def text(change: FieldChange) -> list[nodes.Node]:
        # a whole text added or removed is one marked run; a changed one a word diff
        if change.old is None:
            return [inserted(change.new or "")]
        if change.new is None:
            return [deleted(change.old)]
        return redline(word_diff(change.old, change.new))


def _released(app: Sphinx, document: Document, latest: Baseline) -> bool:
    """Whether the document is at its newest baseline (its fingerprint unchanged since),
    as its title page tells it."""
    digest, count = build_context(app).fingerprint(document)  # once per build
    return (digest if count else "") == latest.digest


def _baseline(
    app: Sphinx, node: trace_placeholder, document: Document, wanted: str
) -> Baseline | list[nodes.Node]:
    """The baseline ``wanted`` names, or the sentence the page shows instead."""
    lang = settings_of(app).language
    found = baselines_of(app).get(document.name)
    known = found.baselines if found else []
    pattern = document.baseline or "—"
    tags = [b.tag for b in known]
    if not document.baseline:
        example = "lh-v" if wanted in KEYWORDS else wanted.rstrip("0123456789.")
        why = (
            f"document {document.name!r} has no baseline pattern (set baseline = "
            f'"{example}*" in [documents.{document.name}] of conf/specheft.toml)'
        )
    elif wanted in KEYWORDS:
        if not known:  # no tags here (a CI clone) or none yet: nothing to compare with
            return _sentence(
                label(lang, "diff.no_baseline").format(document=document.title, pattern=pattern)
            )
        latest = known[-1]
        if wanted == LATEST or not _released(app, document, latest):
            return latest
        if len(known) > 1:  # released: what this version changed, since the one before
            return known[-2]
        return _sentence(label(lang, "diff.first").format(tag=latest.tag, document=document.title))
    else:
        for baseline in known:
            if baseline.tag == wanted:
                return baseline
        if not known:  # no tags here (a CI clone): nothing to compare with
            return _sentence(label(lang, "diff.missing").format(tag=wanted, pattern=pattern))
        hint = did_you_mean(wanted, [*tags, *KEYWORDS])
        why = f"known baselines of {document.name!r}: {', '.join([*tags, *KEYWORDS])}" + (
            f" ({hint})" if hint else ""
        )
    logger.warning(
        f"item-diff: {wanted!r} is no baseline of document {document.name!r}; {why}",
        location=node,
        type="specheft",
        subtype="item-diff",
    )
    return _sentence(
        label(lang, "diff.unknown").format(tag=wanted, document=document.title),
        "specheft-item-diff-error",
    )


def _current(
    app: Sphinx, document: Document, before: Iterable[str]
) -> tuple[dict[str, ItemState], list[str], Mapping[str, Any]]:
    """The ids the document covers now (as its fingerprint counts them: the items on its
    pages and those its trace directives show), the state of those and of the ids it
    covered at the baseline (``before``), and all items by id.

    Only those items are normalized, and the build's trace graph is reused: at N=1000 the
    annex cost 0.5 s CPU when every item was."""
    context = build_context(app)
    needs = context.needs
    docnames = document_docnames(app.env, document.start)
    directives = trace_directives(app.env, docnames)
    shown = shown_ids(context.graph, directives) if directives else set()
    covered = [
        str(n["id"])
        for n in needs.values()
        if not n.get("is_external") and (n.get("docname") in docnames or str(n["id"]) in shown)
    ]
    wanted = set(covered).union(before)
    own = context.settings.own_fields
    now = {
        i: ItemState.of(needs[i], own=own)
        for i in wanted
        if i in needs and not needs[i].get("is_external")
    }
    return now, covered, needs


def render_item_diff(app: Sphinx, node: trace_placeholder, fromdocname: str) -> list[nodes.Node]:
    options: ItemDiffOptions = node["options"]
    settings = settings_of(app)
    lang = settings.language
    document = page_document(app, options["document"], fromdocname)
    baseline = _baseline(app, node, document, options["baseline"])
    if not isinstance(baseline, Baseline):
        return baseline
    revision = baseline_items(app, baseline.tag)
    if revision is None:
        return _sentence(label(lang, "diff.unavailable").format(tag=baseline.tag))
    state = revision.documents.get(document.name)
    before = state.ids if state else ()
    now, now_ids, needs = _current(app, document, before)
    added, changed, removed = compare_baselines(revision.items, before, now, now_ids)
    if not (added or changed or removed):
        return _sentence(
            label(lang, "diff.none").format(tag=baseline.tag, version=baseline.version)
        )
    # document order: the pages in toctree order, by line; a removed item where it stood
    pages = _page_order(app, document.start)
    srcdir = Path(app.srcdir).name
    suffixes = list(app.config.source_suffix)

    def place(item_id: str) -> tuple[int, int, str]:
        need = needs.get(item_id)
        if need is not None and need.get("docname") in pages:
            return (pages[need["docname"]], int(need.get("lineno") or 0), item_id)
        was = revision.items.get(item_id)
        docname = _docname_of(was.path if was else None, srcdir, suffixes)
        line = (was.line if was else None) or 0
        return (pages.get(docname or "", len(pages)), line, item_id)

    states = {i: "added" for i in added} | {i: "changed" for i in changed}
    states |= {i: "removed" for i in removed}
    counts = [
        label(lang, f"history.{state}").format(count=n)
        for state, n in (
            ("added", len(added)),
            ("changed", len(changed)),
            ("removed", len(removed)),
        )
        if n
    ]
    intro = label(lang, "diff.intro").format(
        tag=baseline.tag,
        version=baseline.version,
        date=format_date(baseline.date, lang) if baseline.date else "—",
        counts=", ".join(counts),
    )
    legend = nodes.paragraph("", "", classes=["specheft-item-diff-legend"])
    legend += nodes.Text(label(lang, "diff.legend"))
    blocks = _Blocks(app, fromdocname)
    annex = nodes.container(classes=["specheft-item-diff", f"specheft-lang-{lang}"])
    annex += nodes.paragraph("", intro, classes=["specheft-item-diff-intro"])
    annex += legend
    for item_id in sorted(states, key=place):
        annex += blocks.block(
            item_id, states[item_id], revision.items.get(item_id), now.get(item_id)
        )
    return [annex]


def setup(app: Sphinx) -> None:
    redline_nodes.setup(app)
    app.add_directive("item-diff", ItemDiff)
    RENDERERS["item-diff"] = render_item_diff
