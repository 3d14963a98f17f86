"""``specheft serve``: live preview that rebuilds on every change (sphinx-autobuild)."""

from __future__ import annotations

import click

from specheft.cli.app import cli, project_argument


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
    from specheft.project.serve import serve as run_server

    run_server(project_dir, host=host, port=port, open_browser=open_browser, report=_report)
    return 0


def _report(text: str) -> None:
    """A build of the preview that could not run (module level: sent to each rebuild's
    process)."""
    click.echo(text, err=True)
