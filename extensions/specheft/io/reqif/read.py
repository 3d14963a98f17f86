"""Reading ReqIF (``.reqif``) and ReqIF archives (``.reqifz``) written by other parties.

lxml parses with ``resolve_entities=False``, ``no_network=True`` and no DTD loading,
and any DOCTYPE is refused before parsing (ReqIF never needs one), so entity bombs
and external references are never expanded or fetched. Archives are checked member
by member (names, symlinks, encryption, declared and actually inflated sizes) before
anything is parsed. Every refusal is a located :class:`InputError` (exit code 2).
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeAlias

from lxml import etree

from specheft.errors import InputError, Location, UnsafeInputError
from specheft.io.reqif import NS, OLD_NS
from specheft.io.reqif.export import CHAPTER, FOREIGN_ID, HEADING_TYPE, NAME, STATUS, TEXT
from specheft.io.reqif.model import Document, Entry
from specheft.io.reqif.xhtml import to_markdown
from specheft.model import FIELD_DEFS, GERMAN_VALUES, GLOBAL_ID_PATTERN, KIND_DEFS, LINK_DEFS, Kind

MiB = 1024 * 1024
MAX_FILE = 200 * MiB
"""Largest .reqif read (and largest total inflated from one .reqifz)."""
MAX_MEMBERS = 10_000

#: priority words of other tools → specheft's must/should/can
PRIORITY_WORDS = {
    **GERMAN_VALUES["priority"],
    "shall": "must",
    "must": "must",
    "should": "should",
    "may": "can",
    "can": "can",
    "high": "must",
    "medium": "should",
    "low": "can",
}
_DOCTYPE = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]
_ID = re.compile(GLOBAL_ID_PATTERN)


#: a SPEC-HIERARCHY: (object identifier, its children) in order
Tree: TypeAlias = list[tuple[str, "Tree"]]


@dataclass
class Parsed:
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)


def read_file(path: Path) -> Parsed:
    """The documents of a .reqif or .reqifz file; warnings for what was approximated."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such file", location=Location(name)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", location=Location(name)) from None
    if head.startswith(b"PK") or path.suffix.lower() == ".reqifz":
        members = _unzip(path)
    else:
        if size > MAX_FILE:
            raise UnsafeInputError(
                f"file is {size // MiB} MiB; ReqIF files above {MAX_FILE // MiB} MiB are refused",
                location=Location(name),
            )
        members = [(name, path.read_bytes())]
    warnings: list[str] = []
    reader = _Reader(warnings)
    for member_name, data in members:
        reader.add(member_name, parse(data, member_name))
    return Parsed(reader.documents(), warnings)


def _unzip(path: Path) -> list[tuple[str, bytes]]:
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a zip archive (.reqifz): {exc}", location=Location(name)) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnsafeInputError(f"{len(infos)} members in the archive", location=Location(name))
        declared = 0
        for info in infos:
            where = Location(f"{name}!{info.filename}")
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            if info.filename.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", info.filename):
                raise UnsafeInputError("absolute member name in the archive", location=where)
            if ".." in parts:
                raise UnsafeInputError("member name with '..' in the archive", location=where)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeInputError("symbolic link in the archive", location=where)
            if info.flag_bits & 0x1:
                raise InputError("encrypted member; export it unencrypted", location=where)
            declared += info.file_size
        if declared > MAX_FILE:
            raise UnsafeInputError(
                f"the archive declares {declared // MiB} MiB uncompressed; "
                f"above {MAX_FILE // MiB} MiB is refused",
                location=Location(name),
            )
        wanted = [i for i in infos if i.filename.lower().endswith(".reqif") and not i.is_dir()]
        if not wanted:
            raise InputError("the archive holds no .reqif file", location=Location(name))
        budget = MAX_FILE
        found = []
        for info in sorted(wanted, key=lambda i: i.filename):
            where = Location(f"{name}!{info.filename}")
            chunks = []
            try:
                # headers can lie: count what is really inflated, stop at the budget
                with archive.open(info) as member:
                    while chunk := member.read(1024 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            raise UnsafeInputError(
                                f"inflates beyond {MAX_FILE // MiB} MiB (zip bomb?)",
                                location=where,
                            )
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise InputError(f"damaged archive member: {exc}", location=where) from None
            found.append((f"{name}!{info.filename}", b"".join(chunks)))
        return found


def parse(data: bytes, name: str) -> etree._Element:
    """The REQ-IF root element of ``data``; located errors for anything else."""
    if not data.strip():
        raise InputError("empty file; expected a ReqIF document", location=Location(name))
    for marker in _DOCTYPE:
        at = data.find(marker)
        if at >= 0:
            line = data[:at].count(b"\n" if marker.startswith(b"<") else "\n".encode("utf-16-le"))
            raise UnsafeInputError(
                "a DOCTYPE is not allowed (entities and DTDs are never expanded or fetched)",
                location=Location(name, line + 1),
                hint="remove the <!DOCTYPE …> part; ReqIF never needs one",
            )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        message = exc.msg or str(exc)
        raise InputError(
            f"not well-formed XML: {message}", location=Location(name, line, column)
        ) from None
    except ValueError as exc:  # e.g. an encoding lxml does not know
        raise InputError(f"cannot parse: {exc}", location=Location(name)) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeInputError("a DOCTYPE is not allowed", location=Location(name))
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if local != "REQ-IF" or namespace != NS:
        if local == "REQ-IF" and namespace == OLD_NS:
            found = "the pre-standard ReqIF namespace 20101201"
            hint = "export from the tool as ReqIF 1.0/1.2 (namespace 20110401)"
        else:
            found = f"root element <{local}>" + (f" in namespace {namespace}" if namespace else "")
            hint = "expected <REQ-IF> in http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"
        raise InputError(
            f"not a ReqIF file: {found}",
            location=Location(name, root.sourceline),
            hint=hint,
        )
    return root


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@dataclass
class _Object:
    identifier: str
    type_name: str
    values: dict[str, str]
    xhtml: dict[str, etree._Element]
    where: str
    type_ref: str = ""
    source: str = ""


class _Reader:
    """Collects the content of one or more REQ-IF roots (several files of a .reqifz
    share one identifier space, so relations may cross files)."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.names: dict[str, str] = {}  # identifier → LONG-NAME of definitions and types
        self.enum_values: dict[str, str] = {}
        self.objects: dict[str, _Object] = {}
        self.relations: list[tuple[str, str, str, str, str]] = []
        self.specs: list[tuple[Document, Tree]] = []

    def add(self, name: str, root: etree._Element) -> None:
        header = root.find(f"{_q('THE-HEADER')}/{_q('REQ-IF-HEADER')}")
        header_id = header.get("IDENTIFIER", "") if header is not None else ""
        content = root.find(f"{_q('CORE-CONTENT')}/{_q('REQ-IF-CONTENT')}")
        if content is None:
            self.warnings.append(f"{name}: no CORE-CONTENT/REQ-IF-CONTENT; nothing to import")
            return
        for element in content.iter():
            local = _local(element.tag)
            ident = element.get("IDENTIFIER")
            if ident is None:
                continue
            if local == "ENUM-VALUE":
                embedded = element.find(f"{_q('PROPERTIES')}/{_q('EMBEDDED-VALUE')}")
                other = embedded.get("OTHER-CONTENT") if embedded is not None else None
                self.enum_values[ident] = element.get("LONG-NAME") or other or ident
            elif local.startswith(("ATTRIBUTE-DEFINITION-", "SPEC-OBJECT-TYPE")) or local in (
                "SPEC-RELATION-TYPE",
                "SPECIFICATION-TYPE",
            ):
                # DOORS 9 writes types without LONG-NAME: the identifier stands in
                self.names[ident] = element.get("LONG-NAME") or ident
        for obj in content.iterfind(f"{_q('SPEC-OBJECTS')}/{_q('SPEC-OBJECT')}"):
            self._object(name, obj)
        for rel in content.iterfind(f"{_q('SPEC-RELATIONS')}/{_q('SPEC-RELATION')}"):
            self.relations.append(
                (
                    rel.get("IDENTIFIER") or "?",
                    self.names.get(_ref(rel, "TYPE"), _ref(rel, "TYPE")),
                    _ref(rel, "SOURCE"),
                    _ref(rel, "TARGET"),
                    f"{name}:{rel.sourceline}",
                )
            )
        for spec in content.iterfind(f"{_q('SPECIFICATIONS')}/{_q('SPECIFICATION')}"):
            title = spec.get("LONG-NAME") or spec.get("IDENTIFIER") or "specification"
            document = Document(
                title, identifier=spec.get("IDENTIFIER") or "", header=header_id, source=name
            )
            self.specs.append((document, _tree(spec)))

    def _object(self, name: str, obj: etree._Element) -> None:
        ident = obj.get("IDENTIFIER") or ""
        where = f"{name}:{obj.sourceline}"
        if ident in self.objects:
            self.warnings.append(f"{where}: duplicate SPEC-OBJECT {ident}; the first is kept")
            return
        values: dict[str, str] = {}
        xhtml: dict[str, etree._Element] = {}
        for value in obj.iterfind(f"{_q('VALUES')}/*"):
            definition = value.find(_q("DEFINITION"))
            ref = definition[0].text.strip() if definition is not None and len(definition) else ""
            attr = self.names.get(ref, ref)
            kind = _local(value.tag).removeprefix("ATTRIBUTE-VALUE-")
            if kind == "XHTML":
                the_value = value.find(_q("THE-VALUE"))
                if the_value is not None:
                    xhtml[attr] = the_value
            elif kind == "ENUMERATION":
                refs = value.findall(f"{_q('VALUES')}/{_q('ENUM-VALUE-REF')}")
                values[attr] = ", ".join(
                    self.enum_values.get((r.text or "").strip(), (r.text or "").strip())
                    for r in refs
                )
            else:
                raw = value.get("THE-VALUE")
                if raw is not None:
                    if kind == "DATE" and raw.endswith("T00:00:00"):
                        raw = raw.removesuffix("T00:00:00")
                    values[attr] = raw
        type_ref = _ref(obj, "TYPE")
        self.objects[ident] = _Object(
            ident, self.names.get(type_ref, type_ref), values, xhtml, where, type_ref, name
        )

    def documents(self) -> list[Document]:
        entries: dict[str, Entry] = {}
        counters: dict[str, int] = {}
        taken: set[str] = set()
        for ident, obj in self.objects.items():
            entries[ident] = self._entry(obj, counters, taken)
        for ident, link_type, source, target, where in self.relations:
            link = link_type.lower()
            if source not in entries or target not in entries:
                missing = source if source not in entries else target
                self.warnings.append(
                    f"{where}: SPEC-RELATION {ident}: {missing} is not in the file; left out"
                )
                continue
            if link not in LINK_DEFS:
                self.warnings.append(
                    f"{where}: SPEC-RELATION {ident}: relation type {link_type!r} has no link "
                    f"kind in specheft ({', '.join(LINK_DEFS)}); left out"
                )
                continue
            entries[source].links.setdefault(link, []).append(entries[target].id)
        documents = []
        for document, tree in self.specs:
            document.children = self._children(tree, entries, set())
            documents.append(document)
        return documents

    def _children(self, tree: Tree, entries: dict[str, Entry], seen: set[str]) -> list[Entry]:
        found = []
        for ref, children in tree:
            entry = entries.get(ref)
            if entry is None:
                self.warnings.append(f"SPEC-HIERARCHY refers to {ref}, which is not in the file")
                continue
            if ref in seen:
                # Polarion reuses objects in several places: the first place keeps it
                self.warnings.append(f"{ref} appears twice in the hierarchy; the first is kept")
                continue
            seen.add(ref)
            entry.children = self._children(children, entries, seen)
            found.append(entry)
        return found

    def _entry(self, obj: _Object, counters: dict[str, int], taken: set[str]) -> Entry:
        names = {k.lower(): k for k in (*obj.values, *obj.xhtml)}
        type_name = obj.type_name.lower()
        is_heading = type_name == HEADING_TYPE or (
            CHAPTER.lower() in names and TEXT.lower() not in names
        )
        if is_heading:
            title = obj.values.get(CHAPTER) or self._text(obj, NAME) or ""
            return Entry("", HEADING_TYPE, title, heading=True, identifier=obj.identifier)
        kind = type_name if type_name in {k.value for k in Kind} else Kind.REQ.value
        title = self._text(obj, NAME)
        text = self._text(obj, TEXT, markdown=True)
        fields: dict[str, str] = {}
        extra: dict[str, str] = {}
        for attr, value in obj.values.items():
            field_name = attr.lower()
            if attr == FOREIGN_ID:
                continue
            if field_name == "priority" or field_name.endswith(".priority"):
                fields["priority"] = PRIORITY_WORDS.get(value.strip().lower(), value)
            elif field_name == STATUS or (
                field_name in FIELD_DEFS and Kind(kind) in FIELD_DEFS[field_name].kinds
            ):
                fields[field_name] = value
            else:
                extra[attr] = value
        for attr in obj.xhtml:
            if attr not in (NAME, TEXT, CHAPTER):
                extra[attr] = self._text(obj, attr, markdown=True)
        foreign = obj.values.get(FOREIGN_ID, "").strip()
        item_id = foreign
        # the kind's default pattern too: sphinx-needs refuses an id that breaks it
        pattern = KIND_DEFS[Kind(kind)].id_pattern
        if not (_ID.match(foreign) and re.match(pattern, foreign)) or foreign in taken:
            prefix = KIND_DEFS[Kind(kind)].prefix
            number = counters[kind] = counters.get(kind, 0) + 1
            middle = "SIT-IMP" if kind == Kind.TEST else "IMP"
            item_id = f"{prefix}{middle}-{number:03d}"
            if foreign:
                extra[FOREIGN_ID] = foreign
                self.warnings.append(
                    f"{obj.where}: SPEC-OBJECT {obj.identifier}: ReqIF.ForeignID {foreign!r} "
                    f"is {'taken' if foreign in taken else 'not a specheft id'}; "
                    f"imported as {item_id}"
                )
        taken.add(item_id)
        return Entry(
            item_id,
            kind,
            title,
            text,
            fields,
            {},
            extra,
            identifier=obj.identifier,
            type_ref=obj.type_ref,
            source=obj.source,
        )

    def _text(self, obj: _Object, attr: str, markdown: bool = False) -> str:
        if attr in obj.xhtml:
            text, notes = to_markdown(obj.xhtml[attr], inline=not markdown)
            for note in notes:
                self.warnings.append(f"{obj.where}: SPEC-OBJECT {obj.identifier}: {note}")
            return text
        return obj.values.get(attr, "")


def _ref(element: etree._Element, child: str) -> str:
    holder = element.find(_q(child))
    if holder is None or not len(holder):
        return ""
    return (holder[0].text or "").strip()


def _tree(node: etree._Element) -> Tree:
    found: Tree = []
    children = node.find(_q("CHILDREN"))
    if children is None:
        return found
    for hierarchy in children.iterfind(_q("SPEC-HIERARCHY")):
        found.append((_ref(hierarchy, "OBJECT"), _tree(hierarchy)))
    return found
