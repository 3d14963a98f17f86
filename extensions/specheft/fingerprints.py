"""``specheft fingerprint``: the fingerprint of each document, now or at a git revision.

The value equals the one printed in the document's PDF when built from the same
sources, so anyone can check that a signed PDF matches a tagged revision.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, ToolMissingError, UsageError
from .gitinfo import SAFE_CONFIG, toplevel
from .project import Project
from .settings import Document


@dataclass(frozen=True)
class DocumentFingerprint:
    document: Document
    digest: str
    items: int


def _needs_build(project: Project) -> tuple[Any, list[Any]]:
    """(env, items) of ``project`` from a needs-only build (``specheft check``'s cache)."""
    from .sphinxext.runner import items_build

    result, needs = items_build(project)
    return result.app.env, needs


def project_needs(project: Project) -> list[Any]:
    return _needs_build(project)[1]


def fingerprints(project: Project, names: tuple[str, ...] = ()) -> list[DocumentFingerprint]:
    from .sphinxext.deliverables import document_fingerprint

    settings = project.settings()
    documents = [settings.document(n) for n in names] or list(settings.deliverables())
    env, needs = _needs_build(project)
    return [DocumentFingerprint(doc, *document_fingerprint(env, needs, doc)) for doc in documents]


def fingerprints_at(
    project: Project, revision: str, names: tuple[str, ...] = ()
) -> list[DocumentFingerprint]:
    """The fingerprints of the project's sources as committed in ``revision``."""
    top = toplevel(project.root)
    if top is None:
        raise ToolMissingError(
            "a revision needs git and a git repository",
            hint=f"{project.root} is not inside a git work tree",
        )
    done = subprocess.run(
        ["git", *SAFE_CONFIG, "-C", str(top), "archive", "--format=tar", revision],
        capture_output=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(
            f"unknown git revision {revision!r}", hint=f"git said: {said[-1]}" if said else None
        )
    relative = project.root.resolve().relative_to(top.resolve())
    with tempfile.TemporaryDirectory(prefix="specheft-rev-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
            archive.extractall(tmp, filter="data")  # no links or paths outside tmp
        root = Path(tmp) / relative
        if not (root / "spec").is_dir():
            raise InputError(f"revision {revision!r} has no specheft project at {relative}/")
        return fingerprints(Project.at(root), names)
