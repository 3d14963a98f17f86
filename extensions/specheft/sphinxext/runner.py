"""Run Sphinx in-process on a specheft project (used by the CLI and the tests)."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import BuildFailed, ConfigError, SpecheftError
from ..project import Project, claim_output_dir


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PROGRESS = re.compile(
    r"^(Running Sphinx|updating environment|reading sources|writing output|build succeeded"
    r"|build finished|loading pickled environment)"
)


class ProgressStream(io.TextIOBase):
    """Passes Sphinx's progress lines through and drops its chatter (config dumps, assets)."""

    def __init__(self, target: IO[str]) -> None:
        self.target = target
        self.buffer_text = ""

    def isatty(self) -> bool:  # Sphinx colours and redraws lines only on a terminal
        return bool(getattr(self.target, "isatty", lambda: False)())

    def write(self, text: str) -> int:
        self.buffer_text += text
        while True:
            match = re.search(r"[\r\n]", self.buffer_text)
            if match is None:
                break
            segment = self.buffer_text[: match.end()]
            self.buffer_text = self.buffer_text[match.end():]
            plain = _ANSI.sub("", segment).strip()
            if plain and _PROGRESS.match(plain):
                self.target.write(segment)
                self.target.flush()
        return len(text)

    def flush(self) -> None:
        self.target.flush()


@dataclass(frozen=True)
class BuildResult:
    outdir: Path
    builder: str
    warnings: int
    statuscode: int


def run_sphinx(
    project: Project,
    builder: str,
    outdir: Path,
    *,
    purpose: str | None = None,
    strict: bool = True,
    status: IO[str] | None = sys.stdout,
    warning: IO[str] | None = sys.stderr,
    confoverrides: dict[str, Any] | None = None,
    fresh: bool = False,
    parallel: int = 1,
    tags: tuple[str, ...] = (),
) -> BuildResult:
    """Build ``project`` with ``builder`` into ``outdir``.

    With ``strict`` every warning makes the build fail (exit status 1), but only after
    the whole build ran, so that the user sees all problems at once.
    """
    from sphinx.application import Sphinx
    from sphinx.errors import ConfigError as SphinxConfigError
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from sphinx.util.console import color_terminal, nocolor

    if not color_terminal():
        nocolor()
    claim_output_dir(outdir)
    doctrees = project.doctree_dir(purpose or builder)
    try:
        with patch_docutils(project.conf_dir), docutils_namespace():
            app = Sphinx(
                srcdir=project.spec_dir,
                confdir=project.conf_dir,
                outdir=outdir,
                doctreedir=doctrees,
                buildername=builder,
                confoverrides=confoverrides or {},
                status=ProgressStream(status) if status is not None else None,
                warning=warning,
                freshenv=fresh,
                warningiserror=strict,
                tags=list(tags),
                verbosity=0,
                parallel=parallel,
            )
            app.build(force_all=fresh)
            return BuildResult(outdir, builder, app._warncount, app.statuscode)
    except SphinxConfigError as exc:
        raise ConfigError(str(exc).removeprefix("Configuration error: ").strip()) from None
    except SpecheftError:
        raise
    except SphinxError as exc:
        raise BuildFailed(f"{exc.category}: {exc}") from exc


def require_success(result: BuildResult) -> BuildResult:
    if result.statuscode != 0:
        raise BuildFailed(
            f"the build reported {result.warnings} problem(s); see the messages above",
            hint="fix them, or build with --no-strict to treat warnings as warnings",
        )
    return result
