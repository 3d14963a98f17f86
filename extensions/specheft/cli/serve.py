"""``specheft serve``: live preview that rebuilds on every change (sphinx-autobuild)."""

from __future__ import annotations

import socket

import click

from specheft.cli.app import cli, project_argument
from specheft.errors import ToolMissingError, UsageError
from specheft.project.layout import Project, claim_output_dir


@cli.command()
@project_argument
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="0 picks a free port.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
def serve(project_dir: str, host: str, port: int, open_browser: bool) -> int:
    """Serve the HTML build of PROJECT_DIR and rebuild it when spec/ or conf/ change."""
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
    if open_browser:
        args.append("--open-browser")
    autobuild(args)
    return 0


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
