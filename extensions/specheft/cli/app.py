"""The ``specheft`` command group; each command lives in a module of its own."""

from __future__ import annotations

import difflib
import importlib
import sys
from typing import IO

import click

from specheft.gcpause import paused_collection
from specheft.version import __version__

# Each command's module, imported when the command runs (or ``--help`` lists them all):
# importing them all costs every command, ``check`` included, a tenth of a second more.
# ``export`` and ``import`` gather the subcommands of several format modules.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "accept": ("accept",),
    "build": ("build",),
    "catalog": ("catalog",),
    "check": ("check",),
    "compliance": ("compliance",),
    "diff": ("diff",),
    "export": ("sheets", "reqif"),
    "fingerprint": ("fingerprint",),
    "import": ("sheets", "reqif"),
    "new": ("new",),
    "results": ("results",),
    "review": ("review",),
    "serve": ("serve",),
}


class LazyGroup(click.Group):
    """The ``specheft`` group: a command's module is imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        with paused_collection():  # imports: every object they make stays
            for module in COMMAND_MODULES.get(cmd_name, ()):
                importlib.import_module(f"specheft.cli.{module}")  # registers its commands
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if close:  # click suggests only among loaded commands; ours load on first use
                ctx.fail(f"No such command {name!r}. Did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="specheft")
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for bug reports).")
def cli(debug: bool) -> None:
    """Lastenheft and Pflichtenheft as code: build, check and trace specifications.

    Exit codes: 0 ok, 1 findings or build errors, 2 usage or input error.
    """


project_argument = click.argument(
    "project_dir", required=False, default=".", type=click.Path(file_okay=False, path_type=str)
)


def subcommand_group(name: str, help_text: str) -> click.Group:
    """The group ``name`` under ``specheft`` (``export``, ``import``), made by whichever
    format module registers first and shared by the others."""
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name, help=help_text)
    cli.add_command(group)
    return group


_QUIET = "specheft.quiet"


def _note_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[_QUIET] = True  # shared by the whole context tree: read by stderr_progress
    return value


#: ``-q`` of every command that shows progress while it builds the items (as ``check -q``)
quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_note_quiet,
    help="No progress on a terminal (the output is the same).",
)


def stderr_progress() -> IO[str] | None:
    """Progress goes to stderr only when a person watches it (a terminal), and did not
    ask for quiet (``-q``)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_QUIET):
        return None
    return sys.stderr if sys.stderr.isatty() else None
