"""Developer sessions: ``nox -s tests``, ``nox -s lint``, ``nox -s demo``, ``nox -s bench``."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

PYTHONS = ["3.11", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole test suite (PDF and browser tests need the system packages of .ci/run)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and mypy --strict on the package."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", "extensions", "tests", "noxfile.py")
    session.run("mypy")


@nox.session
def demo(session: nox.Session) -> None:
    """Build the bundled example specification (HTML; pass --format all for the PDFs)."""
    session.install("-e", ".")
    session.run("specheft", "build", ".", *session.posargs)
    session.run("specheft", "check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Time specheft against plain sphinx-needs on generated projects (see tests/bench)."""
    session.install("-e", ".[dev]")
    session.run("python", "tests/bench/run.py", *(session.posargs or ["--n", "1000"]))
