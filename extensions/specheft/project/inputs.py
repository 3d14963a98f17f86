"""What a project's items and documents are made of, as one digest: every file in
``spec/``, ``conf/`` and the project's ``extensions/``, by path and content (an edit that
keeps size and timestamp still counts). Nothing else under the project root is read — a
virtual environment or ``node_modules`` beside ``spec/`` would cost seconds per command
and never changes an item."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from specheft.project.layout import Project

_SKIP_DIRS = {".git", "__pycache__", ".ipynb_checkpoints"}


def update_with_sources(digest: Any, project: Project, *, skip: Iterable[Path] = ()) -> None:
    """Feed ``digest`` (a hashlib object) the source folders' files, except ``skip``."""
    skipped = {os.path.abspath(p) for p in skip}
    for base in (project.spec_dir, project.conf_dir, project.root / "extensions"):
        top = os.path.abspath(base)
        digest.update(f"[{os.path.basename(top)}]\0".encode())
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(
                d for d in dirs if d not in _SKIP_DIRS and os.path.join(folder, d) not in skipped
            )
            for name in sorted(files):
                path = os.path.join(folder, name)
                if path in skipped:
                    continue
                digest.update(os.path.relpath(path, top).encode() + b"\0")
                try:
                    with open(path, "rb") as handle:
                        digest.update(hashlib.file_digest(handle, "sha256").digest())
                except OSError:
                    digest.update(b"unreadable\0")  # and the next run reads it again
