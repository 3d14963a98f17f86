"""The command line: a thin layer over the library; every command is a function call.

``main`` turns every expected error into one message on stderr and an exit code
(0 ok, 1 findings, 2 usage or input error); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
from collections.abc import Sequence

import click

# the command modules are imported when their command runs (app.COMMAND_MODULES)
from specheft.cli.app import cli
from specheft.errors import SpecheftError, os_fault
from specheft.gcpause import paused_collection
from specheft.textsafe import printable


def _error(message: str) -> None:
    # messages quote file names and text from the user's tree: no raw control characters
    click.echo(click.style("error: ", fg="red", bold=True) + printable(message), err=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = cli.main(args=args, prog_name="specheft", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:  # UsageError too
        # click quotes the arguments (a path with ESC in it): shown escaped as well
        shown = io.StringIO()
        exc.show(file=shown)
        sys.stderr.write(printable(shown.getvalue()))
        return 2
    except click.Abort as exc:  # click's form of Ctrl-C (and of SIGTERM, see run())
        if isinstance(exc.__cause__, Terminated):
            _error("terminated")
            return 143
        _error("interrupted" if isinstance(exc.__cause__, KeyboardInterrupt) else "aborted")
        return 130
    except SpecheftError as exc:
        if debug:
            raise
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt as exc:
        # Ctrl-C or SIGTERM: the clean-ups ran (a half-written file is removed, the old
        # one stays; the project's lock is released)
        terminated = isinstance(exc, Terminated)
        _error("terminated" if terminated else "interrupted")
        return 143 if terminated else 130
    except Exception as exc:  # a bug, not bad input: say so and how to report it
        if debug:
            raise
        fault = os_fault(exc)  # unless the machine refused: disk full, read-only, …
        if fault is not None:
            _error(str(fault))
            return fault.exit_code
        _error(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  This is a bug in specheft. Run again with --debug and report the traceback."
        )
        return 2
    return result if isinstance(result, int) else 0


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job cancelled, ``kill``), handled like Ctrl-C so that clean-ups run."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def run() -> None:
    # Python's default for SIGTERM ends the process without running any clean-up
    with contextlib.suppress(ValueError):  # not the main thread: leave the default
        signal.signal(signal.SIGTERM, _terminate)
    # The process ends with the command: no cyclic collection outside Sphinx's build
    # (which runs with the collector on, see run_sphinx). After an items build, each
    # full collection walks the whole environment again (~0.5 s at N=5000), for cycles
    # that are freed at exit anyway.
    with paused_collection():
        code = main()
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # done: a late SIGTERM just ends it
    # Leave without tearing down the interpreter: freeing a large build environment object
    # by object takes longer than many a check. Everything was written and closed already.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
