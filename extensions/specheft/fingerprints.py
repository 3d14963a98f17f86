"""``specheft fingerprint``: the fingerprint of each document, now or at a git revision.

The value equals the one printed in the document's PDF when built from the same
sources, so anyone can check that a signed PDF matches a tagged revision.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
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


#: The attributes of a trace placeholder that decide what it shows (not docutils' own).
_DIRECTIVE_KEYS = ("renderer", "options", "by", "target", "depth")


def trace_directives(env: Any, docnames: Iterable[str]) -> list[dict[str, Any]]:
    """The trace directives on the given pages, as the attributes of their placeholders.

    Read from the pickled doctrees, which keep the placeholders (they are replaced only
    in the written copy), so a needs-only build gives the same as a full one."""
    from .sphinxext.directives.base import trace_placeholder

    found: list[dict[str, Any]] = []
    for docname in sorted(docnames):
        try:
            doctree = env.get_doctree(docname)
        except OSError:
            continue  # a page in no build (e.g. removed since): it shows nothing
        for node in doctree.findall(trace_placeholder):
            found.append({k: node[k] for k in _DIRECTIVE_KEYS if k in node.attributes})
    return found


def document_fingerprint(env: Any, needs: Iterable[Any], document: Document) -> tuple[str, int]:
    """(digest, number of items) of a document: its items and what its directives show.

    The digest is empty when the document covers no item: a checksum over nothing
    certifies nothing, and no page and no command may present it as one."""
    from .sphinxext.deliverables import document_docnames
    from .trace.fingerprint import document_needs, fingerprint

    docnames = document_docnames(env, document.start)
    covered = document_needs(needs, docnames, trace_directives(env, docnames))
    if not covered:
        return "", 0
    return fingerprint(covered)


def project_needs(project: Project) -> list[Any]:
    return _needs_build(project)[1]


def fingerprints(project: Project, names: tuple[str, ...] = ()) -> list[DocumentFingerprint]:
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
            if hasattr(tarfile, "data_filter"):
                archive.extractall(tmp, filter="data")  # no links or paths outside tmp
            else:  # Python < 3.11.4 (Debian 12's 3.11.2) has no filters: plain files only
                safe = [
                    member
                    for member in archive.getmembers()
                    if (member.isfile() or member.isdir())
                    and not Path(member.name).is_absolute()
                    and ".." not in Path(member.name).parts
                ]
                archive.extractall(tmp, members=safe)  # members checked above
        root = Path(tmp) / relative
        if not (root / "spec").is_dir():
            raise InputError(f"revision {revision!r} has no specheft project at {relative}/")
        return fingerprints(Project.at(root), names)
