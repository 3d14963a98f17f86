"""The neutral form of a ReqIF exchange: what the writer takes and the reader gives."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Entry:
    """One item (``heading is None``) or one heading of a document's hierarchy."""

    id: str
    kind: str
    title: str
    text: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    #: link kind → target ids, in source order
    links: dict[str, list[str]] = field(default_factory=dict)
    #: the ReqIF attributes specheft has no field for (LONG-NAME → text), kept
    extra: dict[str, str] = field(default_factory=dict)
    #: the names in ``extra`` whose XHTML has markup beyond plain text (lists, bold, …):
    #: no field can hold it, it stays in the text (``io.reqif.fields``)
    rich: set[str] = field(default_factory=set)
    children: list[Entry] = field(default_factory=list)
    heading: bool = False
    identifier: str = ""  # the ReqIF IDENTIFIER it came from (import) or got (export)
    #: on import: the SPEC-OBJECT-TYPE identifier and the file (member) it came from;
    #: on export: the page (docname), which the text's image paths are relative to
    type_ref: str = ""
    source: str = ""
    #: on import: the files the text names (images, OLE objects), relative to the page
    attachments: list[str] = field(default_factory=list)


@dataclass
class Document:
    name: str
    children: list[Entry] = field(default_factory=list)
    #: on import: the SPECIFICATION's IDENTIFIER and the REQ-IF-HEADER IDENTIFIER of its file
    identifier: str = ""
    header: str = ""
    source: str = ""

    def items(self) -> list[Entry]:
        """Every non-heading entry, in document order."""
        found: list[Entry] = []
        stack = list(reversed(self.children))
        while stack:
            entry = stack.pop()
            if not entry.heading:
                found.append(entry)
            stack.extend(reversed(entry.children))
        return found
