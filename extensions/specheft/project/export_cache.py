"""The export cache: ``export xlsx|csv`` bytes kept for inputs that did not change.

An export is a pure function of the project's files, the code that builds and writes
it (specheft and its libraries), the git state printed on the cover and the command's
options; the export is deterministic (dated by the commit, never by the clock). The
cache key is a SHA-256 over all of them — every file in ``spec/``, ``conf/`` and
``extensions/`` except the output file, *by content* (``project/inputs.py``: an edit
that keeps the size and the timestamp still changes the key), and specheft's own source
files by path, size and modification time (``specheft/codekey.py``). When the
key matches, the bytes written last time are the bytes a fresh export writes
(``tests/test_sheets_speed.py`` checks this after random edits). One slot per
format/table/document, in ``_build/.export/``; a damaged slot is a miss.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from specheft.codekey import code_key
from specheft.fsutil import atomic_write_bytes
from specheft.project.inputs import update_with_sources
from specheft.project.layout import Project

_FORMAT = b"specheft-export-cache 1\n"


def inputs_key(project: Project, *, skip: Iterable[Path], extra: Iterable[str]) -> str:
    """SHA-256 over the code, ``extra`` and the project's sources (``project/inputs.py``)."""
    digest = hashlib.sha256(code_key())
    for part in extra:
        digest.update(part.encode() + b"\0")
    update_with_sources(digest, project, skip=skip)
    return digest.hexdigest()


class Slot:
    """One cached export, ``_build/.export/<name>.bin``: key, bytes and table counts
    (and ``<name>.tables``: the tables)."""

    def __init__(self, build_dir: Path, name: str, key: str) -> None:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        self.path = build_dir / ".export" / f"{safe}.bin"
        self.key = key

    def load(self) -> tuple[bytes, list[tuple[str, int]]] | None:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return None
        if not raw.startswith(_FORMAT):
            return None
        try:
            key, data, counts = pickle.loads(raw[len(_FORMAT) :])  # our own file
        except Exception:  # a damaged or foreign file: a miss, rewritten below
            return None
        if key != self.key or not isinstance(data, bytes):
            return None
        return data, [(str(k), int(n)) for k, n in counts]

    def store(self, data: bytes, counts: list[tuple[str, int]], tables: list[Any]) -> None:
        """The export's bytes and counts, and beside them its tables (read only when a
        caller asks for them: :meth:`tables`)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path.with_suffix(".tables"), pickle.dumps((self.key, tables)))
        atomic_write_bytes(self.path, _FORMAT + pickle.dumps((self.key, data, counts)))

    def tables(self) -> list[Any]:
        """The tables stored with the bytes of the same key (empty if they are gone)."""
        try:
            key, tables = pickle.loads(self.path.with_suffix(".tables").read_bytes())
        except Exception:  # removed or damaged since: the bytes are still right
            return []
        return list(tables) if key == self.key else []
