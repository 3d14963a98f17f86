"""A digest of the code that produced a cached result: specheft's own source files and
the versions of the libraries it builds with. A cache written by other code is a miss."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib import metadata
from pathlib import Path

_SKIP_DIRS = {".git", "__pycache__"}
_LIBRARIES = ("sphinx", "sphinx-needs", "myst-parser", "docutils", "xlsxwriter")


@functools.cache  # once per process: the code a process runs does not change under it
def code_key() -> bytes:
    """specheft's source files (path, size, mtime: an edited editable install counts) and
    the libraries' versions."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            if name.endswith((".py", ".toml", ".json", ".css", ".js", ".html", ".txt")):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=-\n".encode())
    return digest.digest()


def code_digest() -> str:
    return code_key().hex()
