"""The published site holds what its readers need, and nothing of the authors' tools."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx

INTERNAL_FILES = ("schema_violations.json",)


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def without_comments(content: str) -> str:
    """An item's Markdown without its ``%`` comment lines (outside code fences), as
    the page shows it: the authors' notes are not part of what the item says."""
    kept: list[str] = []
    fence: str | None = None
    for line in content.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None:
            if opening and opening.group(1).startswith(fence) and not line.strip(" `~"):
                fence = None
        elif line.lstrip().startswith("%"):
            continue
        kept.append(line)
    return "\n".join(kept)


def _contains_percent(path: Path) -> bool:
    """Whether the file holds a ``%``, read a MiB at a time: the whole of needs.json as
    bytes and text (31 MB each at N=5000) was the peak memory of the build. In UTF-8 the
    byte of ``%`` is never part of another character."""
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            if b"%" in chunk:
                return True
    return False


def _strip_published_comments(path: Path) -> None:
    try:
        if not _contains_percent(path):
            return  # no comment anywhere: not parsed (0.1 s of every build at N=1000)
        data = json.loads(path.read_text(encoding="utf-8"))
        versions = data["versions"].values()
    except (OSError, ValueError, KeyError, AttributeError):
        return  # not written (no items) or not sphinx-needs' format: nothing to strip
    changed = False
    for version in versions:
        for need in (version.get("needs") or {}).values():
            content = need.get("content")
            if isinstance(content, str) and "%" in content:
                stripped = without_comments(content)
                changed |= stripped != content
                need["content"] = stripped
    if changed:  # sorted like sphinx-needs writes it, so builds stay byte-identical
        path.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


def drop_internal_files(app: Sphinx, exception: BaseException | None) -> None:
    """The published site holds what readers need: not sphinx-needs' validation log (its
    findings are what ``specheft check`` reports), not the authors' ``%`` comments
    (the Markdown sources, comment lines in needs.json) unless ``html_copy_source``."""
    if app.builder.format != "html" or exception is not None:
        return
    for name in INTERNAL_FILES:
        Path(app.outdir, name).unlink(missing_ok=True)
    if not app.config.html_copy_source:  # Sphinx makes the folder anyway; an older build
        shutil.rmtree(Path(app.outdir, "_sources"), ignore_errors=True)  # may have filled it
        _strip_published_comments(Path(app.outdir, "needs.json"))
