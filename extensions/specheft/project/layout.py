"""Where a specheft project keeps its parts: ``spec/``, ``conf/``, ``_build/``."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from specheft.config.settings import SETTINGS_FILE, Settings, default_settings
from specheft.errors import InputError, Location, UsageError

#: Marks a directory as specheft build output, the only kind specheft may overwrite.
OUTPUT_MARKER = ".specheft-output"


@dataclass(frozen=True)
class Project:
    root: Path
    spec_dir: Path
    conf_dir: Path
    build_dir: Path

    @classmethod
    def at(cls, root: str | Path = ".") -> Project:
        """The project in ``root``; a clear error if it is not one."""
        path = Path(root).expanduser()
        if not path.exists():
            raise UsageError(f"project directory {str(path)!r} does not exist")
        if not path.is_dir():
            raise UsageError(f"{str(path)!r} is not a directory")
        path = path.resolve()
        project = cls(path, path / "spec", path / "conf", path / "_build")
        if not project.spec_dir.is_dir():
            raise InputError(
                "no spec/ directory: a specheft project keeps its Markdown sources in spec/",
                location=Location(str(path)),
                hint="run specheft in the project's root, or create one with 'specheft new DIR'",
            )
        if not (project.conf_dir / "conf.py").is_file():
            raise InputError(
                "no conf/conf.py: a specheft project keeps its Sphinx configuration in conf/",
                location=Location(str(path)),
                hint="create it with 'specheft new DIR', or copy conf/ from the example",
            )
        return project

    @classmethod
    def around(cls, path: str | Path) -> Project | None:
        """The project holding ``path`` (a folder or file, which need not exist yet): the
        nearest folder from it upwards with spec/ and conf/conf.py; None outside any.
        ``--into`` without ``--project`` means this one, not the current directory's."""
        here = Path(path).expanduser().resolve()
        for folder in (here, *here.parents):
            if (folder / "spec").is_dir() and (folder / "conf" / "conf.py").is_file():
                return cls.at(folder)
        return None

    @property
    def settings_file(self) -> Path:
        return self.conf_dir / SETTINGS_FILE

    def settings(self) -> Settings:
        if self.settings_file.exists():
            # imported here: specheft.tables pulls in the rules (~70 ms), which commands
            # that only locate the project (import xlsx --into …) do not need
            from specheft.tables import load_settings

            return load_settings(self.settings_file)
        return default_settings(self.root.name)

    def shown(self, path: Path | str) -> str:
        """``path`` as messages show it: relative to the project, as ``check`` names files
        and compilers do; a path outside the project stays absolute."""
        resolved = Path(path).resolve()
        if resolved.is_relative_to(self.root):
            return resolved.relative_to(self.root).as_posix() or "."
        return str(resolved)

    def doctree_dir(self, purpose: str) -> Path:
        return self.build_dir / ".doctrees" / purpose

    def refuse_sources(self, path: Path, option: str) -> None:
        """A usage error if ``path`` lies in spec/ or conf/: output never mixes with sources."""
        resolved = path.resolve()
        for source in (self.spec_dir, self.conf_dir):
            if resolved == source or source in resolved.parents:
                raise UsageError(
                    f"{option} {path} lies inside the project's sources ({source})",
                    hint="write to _build/ or outside the project",
                )


def claim_output_dir(outdir: Path) -> None:
    """Make sure ``outdir`` is ours to write: new, empty, or written by specheft before."""
    if outdir.exists():
        if not outdir.is_dir():
            raise UsageError(f"output path {str(outdir)!r} exists and is not a directory")
        if any(outdir.iterdir()) and not (outdir / OUTPUT_MARKER).exists():
            raise UsageError(
                f"output directory {str(outdir)!r} is not empty and was not written by specheft",
                hint="choose another --out, or empty the directory first; specheft never "
                "overwrites files it did not write",
            )
    outdir.mkdir(parents=True, exist_ok=True)
    marker = outdir / OUTPUT_MARKER
    try:
        marker.write_text("written by specheft; safe to delete with the build\n", encoding="utf-8")
    except OSError as exc:
        exc.filename = exc.filename or str(marker)  # a full disk fails on close, unnamed
        raise


class RelativePaths(io.TextIOBase):
    """A text stream that shows paths inside the project relative to it.

    Sphinx names every source by its absolute path; ``build`` passes its warnings through
    this, so they read ``spec/…/page.md:12: WARNING: …`` like the findings of ``check``.
    """

    def __init__(self, stream: IO[str], root: Path) -> None:
        self._stream = stream
        self._prefix = str(root) + os.sep

    def write(self, text: str) -> int:
        self._stream.write(text.replace(self._prefix, ""))
        return len(text)

    def flush(self) -> None:
        # io.IOBase.__del__ flushes too, possibly after the target (a test's capture) closed
        if not getattr(self._stream, "closed", False):
            self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()
