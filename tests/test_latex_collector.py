"""LaTeX builds pause the cyclic garbage collector while the documents are written
(``sphinxext/rendering/latex_collector.py``): at N=5000 its full collections over the
assembled document took 20 of the PDF's 71 s on the Sphinx side."""

from __future__ import annotations

import gc
from typing import Any

from .bench import generate as gen


def _build(root: Any, builder: str, out: Any, monkeypatch: Any) -> list[bool]:
    """Whether the collector was on each time a page was rendered during the build."""
    from specheft.cli import main
    from specheft.sphinxext.rendering import items

    seen: list[bool] = []
    real = items._render_doctree

    def render(app: Any, doctree: Any, docname: str) -> None:
        seen.append(gc.isenabled())
        real(app, doctree, docname)

    with monkeypatch.context() as patch:
        patch.setattr(items, "_render_doctree", render)
        assert main(["build", str(root), "--builder", builder, "--out", str(out), "-q"]) == 0
    return seen


def test_latex_writing_runs_without_collections_and_gives_the_collector_back(tmp_path, monkeypatch):
    root = tmp_path / "specheft"
    gen.generate(root, 12, "specheft")
    assert gc.isenabled()
    seen = _build(root, "latex", tmp_path / "latex", monkeypatch)
    assert seen and not any(seen)  # paused while the documents were assembled
    assert gc.isenabled()  # and on again after the build
    seen = _build(root, "html", tmp_path / "html", monkeypatch)
    assert seen and all(seen)  # HTML builds keep collecting (they free each page)
    assert gc.isenabled()
