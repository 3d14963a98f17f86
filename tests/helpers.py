"""Helpers for tests: mini projects on disk and item sources."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

CONF_PY = """\
from specheft.sphinxext.project_conf import project_conf

globals().update(project_conf(__file__))
"""

SETTINGS = """\
[project]
name = "Mini"
customer = "Muster GmbH"
language = "{language}"

[areas]
KON = "Kontakte"
VTR = "Vertrieb"
"""

PHASES = """\
# Phasen

:::{phase} Konzeption
:id: PHASE-KONZEPT
:order: 2
:::

:::{phase} Implementierung
:id: PHASE-IMPL
:order: 3
:::

:::{phase} Test
:id: PHASE-TEST
:order: 4
:::
"""


def item(kind: str, title: str, body: str = "", **options: str) -> str:
    """MyST source of one item: ``item("req", "T", "Das System muss …", id="LH-KON-001")``."""
    lines = [f":::{{{kind}}} {title}"]
    lines += [f":{name}: {value}" for name, value in options.items()]
    lines += ["", body or "Text.", ":::", ""]
    return "\n".join(lines)


class MiniProject:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.spec = root / "spec"
        self.conf = root / "conf"

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def needs(self, builder: str = "html") -> dict[str, Any]:
        data = json.loads((self.root / "_build" / builder / "needs.json").read_text())
        needs: dict[str, Any] = data["versions"][data["current_version"]]["needs"]
        return needs

    def html(self, page: str = "index") -> str:
        return (self.root / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")

    def snapshot(self) -> dict[str, bytes]:
        """Every file outside _build, for 'nothing was changed' assertions."""
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and "_build" not in p.relative_to(self.root).parts
        }


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` as a test author (no global identity needed); its stdout."""
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=t@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def item_block(text: str, item_id: str) -> str:
    """The whole ``:::{kind}`` block of an item, closing fence and newline included."""
    start = text.rindex(":::{", 0, text.index(f":id: {item_id}\n"))
    end = text.index("\n:::\n", start) + len("\n:::\n")
    return text[start:end]


def without_baselines(toml_text: str) -> str:
    """A specheft.toml from ``specheft new`` without the baseline patterns it writes
    (for tests that set up their own)."""
    return "".join(
        line for line in toml_text.splitlines(keepends=True) if not line.startswith("baseline = ")
    )


def lastenheft_baselines(root: Path) -> Path:
    """A ``specheft new`` project in which only the Lastenheft has baselines (lh-v*)."""
    from specheft.cli import main

    assert main(["new", str(root), "--areas", "KON"]) == 0
    toml = root / "conf/specheft.toml"
    text = without_baselines(toml.read_text(encoding="utf-8"))
    toml.write_text(
        text.replace("[documents.lastenheft]\n", '[documents.lastenheft]\nbaseline = "lh-v*"\n'),
        encoding="utf-8",
    )
    return root


def fake_html_app(monkeypatch: Any) -> Any:
    """An app whose builder stands in for Sphinx's HTML builder, as the collector's
    freeze sees it (it wraps the builder's ``write_doc``, ``prepare_writing`` and
    ``create_translator``)."""
    from specheft.sphinxext.rendering import collector

    class Builder:
        def write_doc(self, docname: str, doctree: object) -> None:
            pass

        def prepare_writing(self, docnames: object) -> None:
            pass

        def create_translator(self, *args: object) -> object:
            return object()

    class App:
        builder = Builder()

    monkeypatch.setattr(collector, "StandaloneHTMLBuilder", Builder)
    return App()


# -- a build stopped by a signal, deterministically -----------------------------------
#: Added to a project's conf.py: a build started with SPECHEFT_TEST_RELEASE set waits at
#: each page it writes until that file exists. A test that signals the build creates
#: the file only after sending the signal, so the build cannot finish first (on a loaded
#: machine it could: the test saw exit code 0).
HOLD_CONF = """
import os as _os
import time as _time


def setup(app):
    release = _os.environ.get("SPECHEFT_TEST_RELEASE")
    if release:

        def hold(*args):
            while not _os.path.exists(release):
                _time.sleep(0.01)

        app.connect("html-page-context", hold)
"""


def signalled_child(release: Path) -> dict[str, Any]:
    """``subprocess.Popen`` arguments for a build that a test stops with a signal: held
    at its pages until ``release`` exists (:data:`HOLD_CONF`), its output unbuffered,
    and Ctrl-C not ignored (a test run started in the background of a shell without job
    control ignores SIGINT, and its children inherit that: the build ran to the end)."""
    import os
    import signal

    def default_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Python then raises KeyboardInterrupt

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SPECHEFT_TEST_RELEASE": str(release)}
    return {"env": env, "preexec_fn": default_sigint}
