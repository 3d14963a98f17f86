"""Build hook: ship the top-level ``requirements_catalog/`` inside the package.

The catalogue stays where it is in the repository (a specheft project of its own, built
and tested there); wheels carry a copy as ``specheft/requirements_catalog/``, where
``specheft.project.catalog`` looks first. All other metadata is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOG = Path(__file__).resolve().parent / "requirements_catalog"
SKIP = {"_build", "__pycache__", ".doctrees"}


class BuildPyWithCatalog(build_py):
    def run(self) -> None:
        super().run()
        # an editable install reads the catalogue from the source tree instead
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "specheft" / "requirements_catalog"
        for source in sorted(CATALOG.rglob("*")):
            relative = source.relative_to(CATALOG)
            if source.is_file() and not SKIP & set(relative.parts):
                self.mkpath(str((target / relative).parent))
                self.copy_file(str(source), str(target / relative))


setup(cmdclass={"build_py": BuildPyWithCatalog})
