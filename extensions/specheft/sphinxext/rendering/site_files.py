"""The published site holds what its readers need, and nothing of the authors' tools."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx

# (.buildinfo.bak: Sphinx's copy of the previous build's configuration hash, left after a
# configuration change; a fresh build has none)
INTERNAL_FILES = ("schema_violations.json", ".buildinfo.bak")


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


#: an item's text in needs.json as sphinx-needs writes it (``json.dumps``: ASCII only,
#: ``": "`` after a key); the schema's ``"content"`` is an object, not a string
_CONTENT = re.compile(rb'"content": ("(?:[^"\\]|\\.)*")')


def _strip_published_comments(path: Path) -> None:
    """needs.json without the comment lines of the items' texts: each text's JSON string
    replaced in place, the rest of the file copied as it is. Parsing the whole file into
    objects (~5x its size: 150 MB at N=5000) was far above the rest of the build."""
    try:
        if not _contains_percent(path):
            return  # no comment anywhere (0.1 s of every build at N=1000)
        raw = path.read_bytes()
    except OSError:
        return  # not written (no items)
    view = memoryview(raw)
    changed = False
    temporary = path.with_name(path.name + ".tmp")
    try:
        with temporary.open("wb") as out:
            done = 0
            for match in _CONTENT.finditer(raw):
                literal = match.group(1)
                if b"%" not in literal:
                    continue
                content = json.loads(literal)
                stripped = without_comments(content)
                if stripped == content:
                    continue
                out.write(view[done : match.start(1)])
                out.write(json.dumps(stripped).encode("ascii"))  # as sphinx-needs encodes it
                done = match.end(1)
                changed = True
            out.write(view[done:])
        if changed:
            temporary.replace(path)
    finally:
        view.release()
        # unchanged, or stopped half-way (disk full, Ctrl-C): never left in the site
        temporary.unlink(missing_ok=True)


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
