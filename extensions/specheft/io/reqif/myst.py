"""Imported ReqIF documents as MyST pages, written all or none."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from specheft.config.fields import option_value
from specheft.errors import UsageError
from specheft.fsutil import atomic_write_bytes, atomic_write_text
from specheft.io.reqif.export import STATUS, TAGS
from specheft.io.reqif.model import Document, Entry
from specheft.model import FIELDS, LINKS

_FIELD_ORDER = (STATUS, TAGS, *(f.name for f in FIELDS))
_BUILT_IN = frozenset(_FIELD_ORDER)
_COLONS = re.compile(r"^\s*(:{3,})", re.MULTILINE)


def slug(name: str) -> str:
    """A safe folder name for a SPECIFICATION's LONG-NAME (no path parts, no dots first)."""
    text = re.sub(r"[^a-z0-9_-]+", "-", name.lower().replace("ä", "ae").replace("ö", "oe")
                  .replace("ü", "ue").replace("ß", "ss")).strip("-_")  # fmt: skip
    return text[:60] or "reqif"


def pages(documents: list[Document]) -> list[tuple[PurePosixPath, str]]:
    """``(path under spec/, text)`` for each document: ``<slug>/index.md``."""
    found: list[tuple[PurePosixPath, str]] = []
    used: set[str] = set()
    for document in documents:
        name = slug(document.name)
        base, number = name, 1
        while name in used:
            number += 1
            name = f"{base}-{number}"
        used.add(name)
        lines = ["---", "orphan: true", "---", ""]
        _write(document.children, 1, lines)
        found.append((PurePosixPath(name, "index.md"), "\n".join(lines).rstrip("\n") + "\n"))
    return found


def _write(entries: list[Entry], depth: int, lines: list[str]) -> None:
    for entry in entries:
        if entry.heading:
            title = " ".join(entry.title.split()) or "(untitled)"
            lines += [f"{'#' * min(depth, 6)} {title}", ""]
            _write(entry.children, depth + 1, lines)
        else:
            _item(entry, lines)
            # items nested below an item (DOORS object hierarchy) follow it on the page
            _write(entry.children, depth, lines)


def _one_line(value: str) -> str:
    return " ".join(value.split("\n")).strip()


def _item(entry: Entry, lines: list[str]) -> None:
    body = entry.text
    if entry.extra:
        # no field for these in specheft: kept in the text, never dropped
        kept = [f"- **{name}:** {_one_line(value)}" for name, value in sorted(entry.extra.items())]
        body = (body + "\n\n" if body else "") + "ReqIF attributes:\n\n" + "\n".join(kept)
    longest = max((len(m) for m in _COLONS.findall(body)), default=2)
    fence = ":" * max(3, longest + 1)
    lines.append(f"{fence}{{{entry.kind}}} {_one_line(entry.title)}")
    lines.append(f":id: {entry.id}")
    # values quoted where MyST would read them otherwise ("#1 Team" would be a comment)
    for name in _FIELD_ORDER:
        if name in entry.fields:
            lines.append(f":{name}: {option_value(_one_line(entry.fields[name]))}")
    for link in LINKS:
        if entry.links.get(link.name):
            lines.append(f":{link.name}: {', '.join(entry.links[link.name])}")
    # last, the project's own fields (io.reqif.fields), in the order they were given
    for name, value in entry.fields.items():
        if name not in _BUILT_IN:
            lines.append(f":{name}: {option_value(_one_line(value))}")
    lines.append("")
    if body:
        lines += [body, ""]
    lines += [fence, ""]


_ID_LINE = re.compile(r"^\s*:id:\s*(\S+)\s*$", re.MULTILINE)


def project_ids(spec_dir: Path, *, skip: set[Path]) -> set[str]:
    """The item ids written in the project's pages (a quick scan of ``:id:`` lines, no
    build), except in the pages ``skip``."""
    found: set[str] = set()
    for page in spec_dir.rglob("*.md"):
        if page in skip or not page.is_file():
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            found.update(_ID_LINE.findall(page.read_text(encoding="utf-8")))
    return found


def write_all(
    spec_dir: Path, found: Sequence[tuple[PurePosixPath, str | bytes]], *, force: bool = False
) -> list[Path]:
    """Write every page (text) and attachment (bytes) or none: refuse a non-empty target
    folder without ``force``; on a failure half-way the files written so far are put back
    as they were and the folders made for them removed."""
    targets = [(spec_dir / relative, text) for relative, text in found]
    if not force:
        for path, _ in targets:
            folder = path.parent
            if folder.exists() and any(folder.iterdir()):
                raise UsageError(
                    f"{folder} is not empty; nothing was written",
                    hint="import into another project (--into) or pass --force to overwrite",
                )
    before: list[tuple[Path, bytes | None]] = []
    made: list[Path] = []
    try:
        for path, text in targets:
            old = path.read_bytes() if path.is_file() else None
            missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)  # outermost first
            before.append((path, old))
            if isinstance(text, bytes):
                atomic_write_bytes(path, text)
            else:
                atomic_write_text(path, text)
    except BaseException:
        for path, old in reversed(before):
            with contextlib.suppress(OSError):
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write_bytes(path, old)
        for folder in reversed(made):  # innermost first: each is empty again
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return [path for path, _ in targets]
