"""``specheft serve``: the live preview (sphinx-autobuild) of a project's HTML build.

Runs until interrupted; sphinx-autobuild watches the sources, serves the site and tells
the open pages to reload. The builds are specheft's own, each in a process forked from
the server, which finds Sphinx, sphinx-needs and specheft imported already: the first in
a child the server waits for (so that the server's heap holds no build), each rebuild in
the process sphinx-autobuild forks for it. sphinx-autobuild's own builder starts
``python -m sphinx`` for every change instead: a new interpreter importing everything
again, unpickling the environment with the garbage collector running and freeing it
object by object at the end — about 1.5 s of CPU more than ``specheft build`` per
rebuild at N=1000 (#17).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, cast

from specheft.errors import SpecheftError, ToolMissingError, UsageError
from specheft.forked import flush_standard_streams
from specheft.gcpause import collecting, paused_collection
from specheft.project.baselines import compute_baselines, write_baselines
from specheft.project.layout import Project, RelativePaths, claim_output_dir
from specheft.project.lock import ProjectBusy

#: How long a rebuild waits for another specheft command to release the project.
BUSY_WAIT_S = 600.0
#: The results of the builds in forked processes, kept so that the process does not
#: free the environment object by object before it reports back (it ends right after).
_KEPT: list[Any] = []


Report = Callable[[str], None]


def build_once(
    root: Path, outdir: Path, baselines: str, report: Report, *, keep: bool = False
) -> bool:
    """One non-strict HTML build of the preview into ``outdir``. Sphinx's progress and
    warnings go to stdout and stderr; what went wrong otherwise to ``report``, without
    a traceback (the server keeps serving the last site).

    Waits while another specheft command holds the project (a rebuild is not skipped:
    the open page would stay stale until the next save). ``keep``: the build's result
    stays referenced (a process about to end). True when the build succeeded."""
    from specheft.project.sphinx_run import run_sphinx

    project = Project.at(root)
    warnings = cast(IO[str], RelativePaths(sys.stderr, project.root))
    deadline = time.monotonic() + BUSY_WAIT_S
    waiting = False
    try:
        while True:
            try:
                result = run_sphinx(
                    project,
                    "html",
                    outdir,
                    purpose="serve",
                    strict=False,
                    warning=warnings,
                    confoverrides={"specheft_baselines": baselines},
                )
                break
            except ProjectBusy as exc:
                if time.monotonic() > deadline:
                    raise
                if not waiting:
                    report(f"waiting: {exc.message}")
                    waiting = True
                time.sleep(1.0)
    except SpecheftError as exc:
        report(f"error: {exc}")
        return False
    except Exception as exc:  # a bug: the server keeps serving the last site
        report(f"internal error: {type(exc).__name__}: {exc}")
        return False
    if keep:
        _KEPT.append(result)
    if result.statuscode != 0:
        report(f"the build reported {result.warnings} problem(s)")
    return result.statuscode == 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class InProcessBuilder:
    """Stands in for sphinx-autobuild's ``Builder``: called with the changed paths (none
    for the first build), builds (a rebuild in the calling process, the first build in a
    child of it) and says so as sphinx-autobuild does. A module-level class:
    sphinx-autobuild sends it to the process it forks for a rebuild by pickling it, with
    ``report`` (so: a module-level function). It takes no pre- or post-build commands;
    serve sets none."""

    def __init__(
        self,
        sphinx_args: list[str],
        *,
        url_host: str,
        root: Path,
        outdir: Path,
        baselines: str,
        report: Report,
        **_commands: Any,
    ) -> None:
        self.sphinx_args = sphinx_args
        self.uri = f"http://{url_host}"
        self.root, self.outdir, self.baselines = root, outdir, baselines
        self.report = report
        self.server_pid = os.getpid()

    def __call__(self, *, changed_paths: Sequence[Path] = ()) -> None:
        from sphinx_autobuild.utils import show_message

        if changed_paths:
            shown = [p.as_posix() for p in changed_paths[:5] if p.exists()]
            if shown:
                show_message(f"Detected changes ({', '.join(shown)})")
            show_message("Rebuilding...")
        forked = os.getpid() != self.server_pid
        if not forked:
            _first_build(self.root, self.outdir, self.baselines, self.report)
        else:
            # The server's handlers came along with the fork and would let a Ctrl-C or a
            # SIGTERM (the server stopping) wait for the end of the build; dying of the
            # signal instead would break sphinx-autobuild's process pool (a traceback).
            # So the build stops, and the call returns.
            signal.signal(signal.SIGINT, _interrupt)
            signal.signal(signal.SIGTERM, _interrupt)
            try:
                # a forked process ends after this build: its environment is not freed
                build_once(self.root, self.outdir, self.baselines, self.report, keep=True)
            except KeyboardInterrupt:
                self.report("rebuild interrupted")
                return
        # (a forked process's streams are flushed as it ends, right after this call)
        show_message(f"Serving on {self.uri}")


def _first_build(root: Path, outdir: Path, baselines: str, report: Report) -> None:
    """The first build, in a child of the server: the server's heap stays as lean as
    after the imports. A rebuild's process is forked from the server, and one forked from
    a server that had built itself wrote its pages ~20 % slower (its heap holds the
    first build's remains: scattered free memory, shared pages copied on write), which
    cost more than the whole gain of not starting a new interpreter (#17). The modules the
    build loaded are imported into the server afterwards, so that rebuilds find them."""
    read, write = os.pipe()
    flush_standard_streams()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its effects are tested
        code = 1
        try:
            os.close(read)
            signal.signal(signal.SIGINT, _interrupt)
            signal.signal(signal.SIGTERM, _interrupt)
            try:
                code = 0 if build_once(root, outdir, baselines, report, keep=True) else 1
            except KeyboardInterrupt:
                code = 130
            with os.fdopen(write, "w", encoding="utf-8") as modules:
                modules.write("\n".join(name for name in list(sys.modules)))
        finally:
            flush_standard_streams()
            os._exit(code)  # no clean-up of the server's state inherited by the child
    os.close(write)
    try:
        # meanwhile (a second core) the modules every build loads; the rest after it
        _import_all(["sphinx.application", "specheft.sphinxext.compat"])
        with os.fdopen(read, encoding="utf-8") as modules:
            names = modules.read().split("\n")
        _, status = os.waitpid(pid, 0)
    except BaseException:  # Ctrl-C, SIGTERM: the build stops with the server
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        raise
    if os.waitstatus_to_exitcode(status) == 130:
        raise KeyboardInterrupt
    _import_all(names)
    # what the server holds now stays: no collection walks it, and a forked rebuild's
    # collections do not touch (and so copy) its pages
    gc.freeze()


def _import_all(names: list[str]) -> None:
    """Import the modules ``names`` (as the first build loaded them) into the server."""
    with paused_collection():
        for name in names:
            if name and name not in sys.modules:
                with contextlib.suppress(Exception):
                    importlib.import_module(name)


def serve(
    project_dir: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    report: Report,
) -> None:
    """Serve the HTML build of the project in ``project_dir`` and rebuild it when spec/ or
    conf/ change (``port`` 0: a free port). A missing sphinx-autobuild is reported first.
    sphinx-autobuild and Sphinx print their progress; a build that could not run is
    told to ``report`` (a module-level function: it goes to each rebuild's process)."""
    try:
        from sphinx_autobuild.__main__ import main as autobuild
    except ImportError:
        raise ToolMissingError(
            "live preview needs sphinx-autobuild",
            hint="pip install 'specheft[serve]'",
        ) from None
    project = Project.at(project_dir)
    project.settings()
    if port:
        _require_free(host, port)  # before the first build, not after it
    outdir = project.build_dir / "serve"
    claim_output_dir(outdir)
    args = [
        str(project.spec_dir),
        str(outdir),
        "-c",
        str(project.conf_dir),
        "-d",
        str(project.doctree_dir("serve")),
        "--watch",
        str(project.conf_dir),
        "--host",
        host,
        "--port",
        str(port),
    ]
    # the documents' baselines as the build shows them (read once, before serving)
    baselines = write_baselines(project, compute_baselines(project))
    args += ["-D", f"specheft_baselines={baselines}"]
    if open_browser:
        args.append("--open-browser")
    import sphinx_autobuild.__main__ as autobuild_main

    # a package the theme imports sets the root logger to INFO (logging.basicConfig):
    # without this, every change would also be logged by watchfiles, which sphinx-autobuild
    # announces itself
    logging.getLogger("watchfiles").setLevel(logging.WARNING)

    if hasattr(autobuild_main, "Builder"):  # else its own builder (a later release)
        autobuild_main.Builder = functools.partial(
            InProcessBuilder,
            root=project.root,
            outdir=outdir,
            baselines=str(baselines),
            report=report,
        )
    # a server runs for hours: its cyclic garbage is collected (the command line pauses
    # the collector for commands that end soon)
    with collecting():
        autobuild(args)


def _require_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                hint="another program uses the port; choose another with --port (0: any free)",
            ) from None
