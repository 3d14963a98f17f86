"""Writing ReqIF 1.2 with lxml (the ``reqif`` package's writer emits non-well-formed XML
for ``&``/``<`` in names and renames the XHTML prefix, so it is not used).

Everything in the file is derived from the items: identifiers from item ids (a DOORS or
Polarion merge-back recognises the objects in the next export), times from the last
commit (``SOURCE_DATE_EPOCH`` or 1970 outside git), order from the documents. The same
sources give byte-identical files.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from specheft.config.fields import CustomField
from specheft.errors import UsageError
from specheft.io.reqif import NS, XHTML_NS
from specheft.io.reqif.model import Document, Entry
from specheft.io.reqif.xhtml import ImageRef, default_image, from_markdown
from specheft.model import FIELDS, LINKS, Status
from specheft.version import __version__

#: ProSTEP ReqIF Implementation Guide names that DOORS and Polarion map without setup
FOREIGN_ID = "ReqIF.ForeignID"
NAME = "ReqIF.Name"
TEXT = "ReqIF.Text"
CHAPTER = "ReqIF.ChapterName"
HEADING_TYPE = "heading"
STATUS = "status"
#: sphinx-needs' tags (every kind): one string, comma-separated, as written in `:tags:`
TAGS = "tags"
#: XML 1.0 cannot hold these characters at all; they become U+FFFD
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_MAX_STRING = 1_000_000


@dataclass(frozen=True)
class Attr:
    """One attribute definition of a spec object type."""

    name: str  # LONG-NAME
    datatype: str  # string | xhtml | date | integer | enum
    values: tuple[str, ...] = ()
    label: str = ""  # the LONG-NAME when it is not ``name``: a project's own field

    @property
    def long_name(self) -> str:
        return self.label or self.name


def _attrs_of(kind: str, custom: Sequence[CustomField] = ()) -> list[Attr]:
    attrs = [Attr(FOREIGN_ID, "string"), Attr(NAME, "xhtml"), Attr(TEXT, "xhtml")]
    attrs.append(Attr(STATUS, "enum", tuple(Status)))
    attrs.append(Attr(TAGS, "string"))
    for f in FIELDS:
        if kind not in f.kinds:
            continue
        if f.values is not None:
            attrs.append(Attr(f.name, "enum", tuple(f.values)))
        elif f.value_type in ("date", "integer"):
            attrs.append(Attr(f.name, f.value_type))
        else:
            attrs.append(Attr(f.name, "string"))
    # the project's own fields ([fields]): a string each, LONG-NAME the label, so that
    # the other tool shows the column as the project names it and an import finds it
    attrs += [Attr(c.name, "string", label=c.label) for c in custom if kind in c.kinds]
    return attrs


def _heading_attrs() -> list[Attr]:
    return [Attr(CHAPTER, "string")]


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    return _NOT_XML.sub("\ufffd", str(value))


# --- items → documents ----------------------------------------------------------------


def documents_from_needs(
    needs: Iterable[Mapping[str, Any]] | Iterable[Any], custom: Sequence[CustomField] = ()
) -> list[Document]:
    """Group the items by document (the first folder of their page under spec/) and by
    the headings above them; pages in name order, items in source order; ``custom``:
    the project's own fields, carried as item fields."""
    rows = []
    for need in needs:
        if need.get("is_external") or not need.get("docname"):
            continue
        rows.append((str(need["docname"]), int(need.get("lineno") or 0), need))
    rows.sort(key=lambda r: (r[0], r[1], str(r[2]["id"])))
    documents: dict[str, Document] = {}
    headings: dict[tuple[str, ...], Entry] = {}
    for docname, _, need in rows:
        doc_name = docname.split("/", 1)[0]
        document = documents.setdefault(doc_name, Document(doc_name))
        siblings = document.children
        path: tuple[str, ...] = (doc_name,)
        # sphinx-needs lists the sections innermost first
        for section in reversed(need.get("sections") or ()):
            path = (*path, str(section))
            heading = headings.get(path)
            if heading is None:
                digest = hashlib.sha256("\x1f".join(path).encode()).hexdigest()[:16]
                heading = Entry(
                    id="",
                    kind=HEADING_TYPE,
                    title=str(section),
                    heading=True,
                    identifier=f"H-{digest}",
                )
                headings[path] = heading
                siblings.append(heading)
            siblings = heading.children
        siblings.append(_entry(need, custom))
    return list(documents.values())


def _entry(need: Any, custom: Sequence[CustomField] = ()) -> Entry:
    kind = str(need.get("type") or "")
    fields: dict[str, str] = {}
    status = need.get("status")
    if status:
        fields[STATUS] = _text(status)
    tags = need.get("tags")
    if tags:
        fields[TAGS] = _text(tags)
    for f in FIELDS:
        value = need.get(f.name)
        if kind in f.kinds and value not in (None, "", [], ()):
            fields[f.name] = _text(value)
    for c in custom:
        value = need.get(c.name)
        if kind in c.kinds and value not in (None, "", [], ()):
            fields[c.name] = _text(value)
    links = {}
    for link in LINKS:
        value = need.get(link.name)
        if value:
            targets = [value] if isinstance(value, str) else list(value)
            links[link.name] = [str(t) for t in targets]
    return Entry(
        id=str(need["id"]),
        kind=kind,
        title=_text(need.get("title") or ""),
        text=_text(need.get("content") or "").strip("\n"),
        fields=fields,
        links=links,
        identifier=f"SO-{need['id']}",
        source=str(need.get("docname") or ""),  # the page: images are relative to it
    )


# --- documents → XML ------------------------------------------------------------------


def _e(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)


def xhtml_div(text: str) -> etree._Element:
    """Plain text (a title) as ``<xhtml:div>``: a ``<p>`` per paragraph, ``<br/>`` per
    line break, carried literally. Item text is Markdown: :func:`from_markdown`."""
    div = etree.Element(f"{{{XHTML_NS}}}div")
    for paragraph in _PARAGRAPH.split(text) if text else [""]:
        p = etree.SubElement(div, f"{{{XHTML_NS}}}p")
        lines = paragraph.split("\n")
        p.text = lines[0]
        for line in lines[1:]:
            br = etree.SubElement(p, f"{{{XHTML_NS}}}br")
            br.tail = line
    return div


def _date(value: str) -> str:
    # xsd:dateTime; a project writes plain dates (2026-03-01)
    return value if "T" in value else f"{value}T00:00:00"


def export_time(root: Path) -> str:
    from specheft.gitinfo import commit_time

    stamp = commit_time(root)
    if stamp:
        return stamp
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    seconds = int(epoch) if epoch.isdigit() else 0
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Media:
    """The images named in item text: their ``<object data>`` is the path below spec/
    (``lastenheft/img/plan.png``), and the files found there are packed into a
    ``.reqifz`` under that name. URLs and paths leaving spec/ stay as written."""

    def __init__(self, spec_dir: Path | None = None) -> None:
        self.spec_dir = spec_dir.resolve() if spec_dir else None
        self.files: dict[str, Path] = {}
        self.missing: dict[str, str] = {}  # member → the item that names it

    def image(self, entry: Entry) -> ImageRef:
        page = PurePosixPath(entry.source).parent

        def place(src: str) -> tuple[str, str]:
            data, mime = default_image(src)
            if not src or _URL.match(src):
                return data, mime
            # Sphinx reads "/img/x.png" from the source folder, others from the page's
            joined = src.lstrip("/") if src.startswith("/") else f"{page}/{src}"
            member = posixpath.normpath(joined)
            if member == ".." or member.startswith("../"):
                return data, mime
            if self.spec_dir is not None:
                path = (self.spec_dir / member).resolve()
                if path.is_file() and path.is_relative_to(self.spec_dir):
                    self.files[member] = path
                else:
                    self.missing.setdefault(member, entry.id)
            return member, mime

        return place


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def render(
    documents: list[Document],
    *,
    title: str,
    when: str,
    custom: Sequence[CustomField] = (),
    media: Media | None = None,
) -> bytes:
    """The ReqIF file for ``documents`` (UTF-8, XML declaration, indented); ``custom``:
    the project's own fields, a string attribute each on the types of their kinds;
    ``media`` collects the images the text names (packed by :func:`zipped`)."""
    media = media or Media()
    root = etree.Element(f"{{{NS}}}REQ-IF", nsmap={None: NS, "xhtml": XHTML_NS})
    header = _e(_e(root, "THE-HEADER"), "REQ-IF-HEADER", IDENTIFIER="specheft-header")
    for tag, value in (
        ("COMMENT", "written by specheft"),
        ("CREATION-TIME", when),
        ("REQ-IF-TOOL-ID", "specheft"),
        ("REQ-IF-VERSION", "1.0"),
        ("SOURCE-TOOL-ID", f"specheft {__version__}"),
        ("TITLE", _text(title)),
    ):
        _e(header, tag).text = value
    content = _e(_e(root, "CORE-CONTENT"), "REQ-IF-CONTENT")
    stamp = {"LAST-CHANGE": when}

    kinds = sorted({e.kind for d in documents for e in d.items()})
    types: dict[str, list[Attr]] = {k: _attrs_of(k, custom) for k in kinds}
    has_headings = any(c.heading for d in documents for c in _walk(d.children))
    if has_headings:
        types[HEADING_TYPE] = _heading_attrs()

    # datatypes: one each for string, xhtml, date, integer; one enumeration per field
    datatypes = _e(content, "DATATYPES")
    _e(
        datatypes,
        "DATATYPE-DEFINITION-STRING",
        IDENTIFIER="DT-STRING",
        **stamp,
        **{"LONG-NAME": "string", "MAX-LENGTH": str(_MAX_STRING)},
    )
    _e(
        datatypes,
        "DATATYPE-DEFINITION-XHTML",
        IDENTIFIER="DT-XHTML",
        **stamp,
        **{"LONG-NAME": "xhtml"},
    )
    _e(
        datatypes,
        "DATATYPE-DEFINITION-DATE",
        IDENTIFIER="DT-DATE",
        **stamp,
        **{"LONG-NAME": "date"},
    )
    _e(
        datatypes,
        "DATATYPE-DEFINITION-INTEGER",
        IDENTIFIER="DT-INTEGER",
        **stamp,
        **{"LONG-NAME": "integer", "MIN": "-2147483648", "MAX": "2147483647"},
    )
    enums: dict[str, tuple[str, ...]] = {}
    for attrs in types.values():
        for a in attrs:
            if a.datatype == "enum":
                enums[a.name] = a.values
    for name in sorted(enums):
        enum = _e(
            datatypes,
            "DATATYPE-DEFINITION-ENUMERATION",
            IDENTIFIER=f"DT-ENUM-{name}",
            **stamp,
            **{"LONG-NAME": name},
        )
        values = _e(enum, "SPECIFIED-VALUES")
        for key, value in enumerate(enums[name]):
            ev = _e(
                values,
                "ENUM-VALUE",
                IDENTIFIER=f"EV-{name}-{_ncname(value)}",
                **stamp,
                **{"LONG-NAME": value},
            )
            props = _e(_e(ev, "PROPERTIES"), "EMBEDDED-VALUE", KEY=str(key))
            props.set("OTHER-CONTENT", value)

    spec_types = _e(content, "SPEC-TYPES")
    for kind in sorted(types):
        st = _e(
            spec_types, "SPEC-OBJECT-TYPE", IDENTIFIER=f"ST-{kind}", **stamp, **{"LONG-NAME": kind}
        )
        defs = _e(st, "SPEC-ATTRIBUTES")
        for a in types[kind]:
            tag = {
                "string": "STRING",
                "xhtml": "XHTML",
                "date": "DATE",
                "integer": "INTEGER",
                "enum": "ENUMERATION",
            }[a.datatype]
            ad = _e(
                defs,
                f"ATTRIBUTE-DEFINITION-{tag}",
                IDENTIFIER=_ad(kind, a.name),
                **stamp,
                **{"LONG-NAME": a.long_name},
            )
            if a.datatype == "enum":
                ad.set("MULTI-VALUED", "false")
            ref = "DT-ENUM-" + a.name if a.datatype == "enum" else f"DT-{tag}"
            _e(_e(ad, "TYPE"), f"DATATYPE-DEFINITION-{tag}-REF").text = ref
    exported = {e.id for d in documents for e in d.items()}
    link_kinds = sorted({k for d in documents for e in d.items() for k in e.links})
    for link in link_kinds:
        _e(
            spec_types,
            "SPEC-RELATION-TYPE",
            IDENTIFIER=f"RT-{link}",
            **stamp,
            **{"LONG-NAME": link},
        )
    _e(
        spec_types,
        "SPECIFICATION-TYPE",
        IDENTIFIER="SPT-document",
        **stamp,
        **{"LONG-NAME": "document"},
    )

    objects = _e(content, "SPEC-OBJECTS")
    for document in documents:
        for entry in _walk(document.children):
            _object(objects, entry, types, stamp, media)

    relations = _e(content, "SPEC-RELATIONS")
    for document in documents:
        for entry in document.items():
            for link in sorted(entry.links):
                for target in entry.links[link]:
                    if target not in exported:
                        continue  # outside this export (--document, external items)
                    rel = _e(
                        relations,
                        "SPEC-RELATION",
                        IDENTIFIER=f"SR-{entry.id}-{link}-{target}",
                        **stamp,
                    )
                    _e(_e(rel, "SOURCE"), "SPEC-OBJECT-REF").text = entry.identifier
                    _e(_e(rel, "TARGET"), "SPEC-OBJECT-REF").text = f"SO-{target}"
                    _e(_e(rel, "TYPE"), "SPEC-RELATION-TYPE-REF").text = f"RT-{link}"

    specifications = _e(content, "SPECIFICATIONS")
    for document in documents:
        spec = _e(
            specifications,
            "SPECIFICATION",
            IDENTIFIER=f"SP-{_ncname(document.name)}",
            **stamp,
            **{"LONG-NAME": document.name},
        )
        _e(_e(spec, "TYPE"), "SPECIFICATION-TYPE-REF").text = "SPT-document"
        if document.children:
            _hierarchy(_e(spec, "CHILDREN"), document.children, stamp)
    _e(content, "SPEC-RELATION-GROUPS")

    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def _ncname(value: str) -> str:
    # identifiers are xsd:ID: letters, digits, - _ .; anything else as its code point
    return re.sub(r"[^A-Za-z0-9._-]", lambda m: f"_{ord(m.group()):x}_", value)


def _ad(kind: str, name: str) -> str:
    return f"AD-{kind}-{_ncname(name)}"


def _walk(entries: list[Entry]) -> Iterable[Entry]:
    for entry in entries:
        yield entry
        yield from _walk(entry.children)


def _object(
    parent: etree._Element,
    entry: Entry,
    types: dict[str, list[Attr]],
    stamp: dict[str, str],
    media: Media,
) -> None:
    obj = _e(parent, "SPEC-OBJECT", IDENTIFIER=entry.identifier, **stamp)
    values = _e(obj, "VALUES")
    kind = entry.kind
    if entry.heading:
        _string(values, _ad(kind, CHAPTER), entry.title)
    else:
        attrs = {a.name: a for a in types[kind]}
        _string(values, _ad(kind, FOREIGN_ID), entry.id)
        _xhtml(values, _ad(kind, NAME), entry.title)
        if entry.text:
            av = _e(values, "ATTRIBUTE-VALUE-XHTML")
            _e(_e(av, "DEFINITION"), "ATTRIBUTE-DEFINITION-XHTML-REF").text = _ad(kind, TEXT)
            _e(av, "THE-VALUE").append(from_markdown(entry.text, media.image(entry)))
        for name, value in entry.fields.items():
            a = attrs.get(name)
            if a is None:
                continue
            ref = _ad(kind, name)
            if a.datatype == "enum":
                if value not in a.values:
                    continue  # `specheft check` reports it; not representable here
                av = _e(values, "ATTRIBUTE-VALUE-ENUMERATION")
                _e(_e(av, "DEFINITION"), "ATTRIBUTE-DEFINITION-ENUMERATION-REF").text = ref
                _e(_e(av, "VALUES"), "ENUM-VALUE-REF").text = f"EV-{name}-{_ncname(value)}"
            elif a.datatype == "date":
                av = _e(values, "ATTRIBUTE-VALUE-DATE", **{"THE-VALUE": _date(value)})
                _e(_e(av, "DEFINITION"), "ATTRIBUTE-DEFINITION-DATE-REF").text = ref
            elif a.datatype == "integer":
                av = _e(values, "ATTRIBUTE-VALUE-INTEGER", **{"THE-VALUE": value})
                _e(_e(av, "DEFINITION"), "ATTRIBUTE-DEFINITION-INTEGER-REF").text = ref
            else:
                _string(values, ref, value)
    _e(_e(obj, "TYPE"), "SPEC-OBJECT-TYPE-REF").text = f"ST-{kind}"


def _string(values: etree._Element, ref: str, value: str) -> None:
    av = _e(values, "ATTRIBUTE-VALUE-STRING", **{"THE-VALUE": value})
    _e(_e(av, "DEFINITION"), "ATTRIBUTE-DEFINITION-STRING-REF").text = ref


def _xhtml(values: etree._Element, ref: str, value: str) -> None:
    av = _e(values, "ATTRIBUTE-VALUE-XHTML")
    _e(_e(av, "DEFINITION"), "ATTRIBUTE-DEFINITION-XHTML-REF").text = ref
    _e(av, "THE-VALUE").append(xhtml_div(value))


def _hierarchy(parent: etree._Element, entries: list[Entry], stamp: dict[str, str]) -> None:
    for entry in entries:
        node = _e(parent, "SPEC-HIERARCHY", IDENTIFIER=f"SH-{entry.identifier}", **stamp)
        _e(_e(node, "OBJECT"), "SPEC-OBJECT-REF").text = entry.identifier
        if entry.children:
            _hierarchy(_e(node, "CHILDREN"), entry.children, stamp)


def zipped(name: str, data: bytes, when: str, media: Media | None = None) -> bytes:
    """A ``.reqifz``: the ``.reqif`` member, then the images of ``media`` under the
    names the XHTML gives them (sorted), all dated by ``when`` (not the clock)."""
    stamp = datetime.fromisoformat(when.replace("Z", "+00:00"))
    date_time = (max(stamp.year, 1980), *stamp.timetuple()[1:6])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        files = sorted(media.files.items()) if media else []
        for member, content in [(name, data), *((m, p.read_bytes()) for m, p in files)]:
            info = zipfile.ZipInfo(member, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def select(documents: list[Document], name: str | None) -> list[Document]:
    if name is None:
        return documents
    chosen = [d for d in documents if d.name == name]
    if not chosen:
        names = ", ".join(d.name for d in documents) or "none"
        raise UsageError(f"no document {name!r}; the project has: {names}")
    return chosen


__all__ = ["Media", "documents_from_needs", "render", "select", "zipped"]
