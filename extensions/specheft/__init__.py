"""specheft: Lastenheft and Pflichtenheft as code, on Sphinx and sphinx-needs.

Importing the package stays cheap (no Sphinx import) so that the CLI and the
trace core start fast; Sphinx loads the extension through :func:`setup`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

from specheft.version import __version__

__all__ = ["__version__", "setup"]


def setup(app: Sphinx) -> dict[str, Any]:
    """Sphinx entry point: ``extensions = ["specheft"]``."""
    from specheft.sphinxext import setup as _setup

    return _setup(app)
