"""``specheft serve``: the live preview (sphinx-autobuild) of a project's HTML build.

Runs until interrupted; sphinx-autobuild prints its own progress and serves the site.
"""

from __future__ import annotations

import socket
from pathlib import Path

from specheft.errors import ToolMissingError, UsageError
from specheft.project.baselines import compute_baselines, write_baselines
from specheft.project.layout import Project, claim_output_dir


def serve(
    project_dir: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
) -> None:
    """Serve the HTML build of the project in ``project_dir`` and rebuild it when spec/ or
    conf/ change (``port`` 0: a free port). A missing sphinx-autobuild is reported first."""
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
