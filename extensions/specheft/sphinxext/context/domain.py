"""What specheft learns about each page while reading it: the ``specheft`` domain.

Sphinx pickles domain data with the environment, clears a page's entries before reading
it again (``clear_doc``) and merges what parallel readers learnt (``merge_domaindata``):
the same life cycle as the page's items, so an incremental build and a ``-j`` build see
what a fresh serial one sees. Modelled on ``sphinx.ext.todo``'s domain.
"""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path
from typing import Any, ClassVar, cast

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.builders import Builder
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment

#: docname → where on that page a definition lost its id to another: [(id, line)]
Duplicates = dict[str, list[tuple[str, int]]]
#: docname → the item directives inside its code blocks: [(line, kind, id or None)]
FencedItems = dict[str, list[tuple[int, str, str | None]]]


class SpecheftDomain(Domain):
    """Read-phase facts per page; no directives or roles of its own."""

    name = "specheft"
    label = "specheft"
    initial_data: ClassVar[dict[str, Any]] = {
        # pages with a directive that shows data of every item (matrix, summary, …)
        "trace_docs": {},
        # docname → ids of the items its text references ({need}, {need_incoming}, …)
        "referenced": {},
        # docname → [(id, line)] of the definitions on that page that lost their id
        "duplicates": {},
        # docname → copies of its reference nodes, resolved by the check builder
        "references": {},
        # docname → the item directives inside its code blocks (rule lint-fenced-item)
        "fenced": {},
        # the pages holding a duplicated id in the last build (read again next time);
        # a fact of the whole build, not of one page: set once all pages are read
        "duplicate_docs": [],
        # docname → SHA-256 of its source file as last read (incremental/content.py)
        "sources": {},
        # the folder holding the sources and the configuration, set at builder-inited of
        # every build (the environment may come from another place on disk)
        "project_root": None,
    }

    @property
    def trace_docs(self) -> dict[str, bool]:
        # a dict, not a set: the same merge as the other per-page entries
        return cast("dict[str, bool]", self.data.setdefault("trace_docs", {}))

    @property
    def referenced(self) -> dict[str, list[str]]:
        return cast("dict[str, list[str]]", self.data.setdefault("referenced", {}))

    @property
    def duplicates(self) -> Duplicates:
        return cast("Duplicates", self.data.setdefault("duplicates", {}))

    @property
    def references(self) -> dict[str, list[nodes.Node]]:
        return cast("dict[str, list[nodes.Node]]", self.data.setdefault("references", {}))

    @property
    def fenced(self) -> FencedItems:
        return cast("FencedItems", self.data.setdefault("fenced", {}))

    @property
    def sources(self) -> dict[str, str]:
        return cast("dict[str, str]", self.data.setdefault("sources", {}))

    @property
    def project_root(self) -> Path | None:
        root = self.data.get("project_root")
        return Path(root) if root is not None else None

    @project_root.setter
    def project_root(self, root: Path) -> None:
        self.data["project_root"] = str(root)

    @property
    def duplicate_docs(self) -> list[str]:
        return cast("list[str]", self.data.setdefault("duplicate_docs", []))

    @duplicate_docs.setter
    def duplicate_docs(self, docnames: list[str]) -> None:
        self.data["duplicate_docs"] = list(docnames)

    def note_trace_doc(self, docname: str) -> None:
        self.trace_docs[docname] = True

    def note_referenced(self, docname: str, ids: Set[str]) -> None:
        if ids:
            self.referenced[docname] = sorted(ids)
        else:
            self.referenced.pop(docname, None)

    def note_duplicate(self, docname: str, need_id: str, line: int) -> None:
        self.duplicates.setdefault(docname, []).append((need_id, line))

    def clear_doc(self, docname: str) -> None:
        self.trace_docs.pop(docname, None)
        self.referenced.pop(docname, None)
        self.duplicates.pop(docname, None)
        self.references.pop(docname, None)
        self.fenced.pop(docname, None)
        self.sources.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata.get("trace_docs", {}):
                self.trace_docs[docname] = True
            if docname in otherdata.get("referenced", {}):
                self.referenced[docname] = list(otherdata["referenced"][docname])
            if otherdata.get("duplicates", {}).get(docname):
                # extended, not replaced: the main process may already have noted a
                # duplicate of this page (an id another worker brought first)
                self.duplicates.setdefault(docname, []).extend(otherdata["duplicates"][docname])
            for key in ("references", "fenced", "sources"):
                theirs = otherdata.get(key, {})
                if docname in theirs:
                    self.data.setdefault(key, {})[docname] = theirs[docname]

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        return []  # nothing to refer to


def specheft_domain(env: BuildEnvironment) -> SpecheftDomain:
    """The ``specheft`` domain of this environment."""
    return cast("SpecheftDomain", env.get_domain(SpecheftDomain.name))
