"""Reading ReqIF (``.reqif``) and ReqIF archives (``.reqifz``) written by other parties.

lxml parses with ``resolve_entities=False``, ``no_network=True`` and no DTD loading,
and any DOCTYPE is refused before parsing (ReqIF never needs one), so entity bombs
and external references are never expanded or fetched. Archives are checked member
by member (names, symlinks, encryption, declared and actually inflated sizes) before
anything is parsed. Every refusal is a located :class:`InputError` (exit code 2).
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeAlias
from urllib.parse import unquote

from lxml import etree

from specheft.errors import InputError, Location, UnsafeInputError
from specheft.io.limits import MiB, read_capped, unreadable
from specheft.io.reqif import NS, OLD_NS
from specheft.io.reqif.export import CHAPTER, FOREIGN_ID, HEADING_TYPE, NAME, STATUS, TAGS
from specheft.io.reqif.mapping import HEADING, KEEP, ImportMap
from specheft.io.reqif.model import Document, Entry
from specheft.io.reqif.myst import slug
from specheft.io.reqif.xhtml import to_markdown
from specheft.io.tags import tags_of
from specheft.model import (
    FIELD_DEFS,
    GERMAN_VALUES,
    GLOBAL_ID_PATTERN,
    KIND_DEFS,
    LINK_DEFS,
    Kind,
    Status,
)

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
    "mandatory": "must",
    "essential": "must",
    "worthwhile": "should",
    "desirable": "should",
    "optional": "can",
    "hoch": "must",
    "mittel": "should",
    "niedrig": "can",
}
#: workflow states of other tools → specheft's status (others are kept as an attribute)
STATUS_WORDS = {
    **{s.value: s.value for s in Status},
    **GERMAN_VALUES["status"],
    "new": "draft",
    "proposed": "draft",
    "open": "draft",
    "in review": "review",
    "reviewed": "review",
    "approved": "agreed",
    "accepted": "agreed",
    "released": "agreed",
    "freigegeben": "agreed",
    "postponed": "deferred",
    "deleted": "obsolete",
}
#: attribute names (lower case, "reqif." removed) that hold the id, title, text, priority
FOREIGN_NAMES = ("foreignid", "id", "identifier", "req id", "requirement id", "object identifier")
TITLE_NAMES = ("name", "title", "heading", "object heading", "summary", "short text",
               "kurztext", "titel", "überschrift")  # fmt: skip
TEXT_NAMES = ("text", "object text", "description", "requirement text", "anforderungstext",
              "beschreibung", "body", "content", "notes", "statement")  # fmt: skip
TEXT_ENDINGS = ("txt", " text", "-text", "_text", ".text", "description")
PRIORITY_NAMES = ("priority", "priorität", "prio", "binding force", "bindingforce",
                  "verbindlichkeit", "obligation")  # fmt: skip
PRIORITY_KINDS = FIELD_DEFS["priority"].kinds
HEADING_TYPES = (HEADING_TYPE, "headline", "überschrift", "chapter", "kapitel", "section")
_DOCTYPE = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]
_ID = re.compile(GLOBAL_ID_PATTERN)


#: a SPEC-HIERARCHY: (object identifier, its children, its line) in order
Tree: TypeAlias = list[tuple[str, "Tree", int]]


@dataclass
class Parsed:
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)
    reader: _Reader | None = None

    def attachment_files(
        self, page_paths: list[PurePosixPath]
    ) -> list[tuple[PurePosixPath, bytes]]:
        """The files the pages' Markdown names (images, OLE objects), each beside the
        page of its document (``page_paths`` in document order, as :func:`pages` gives)."""
        if self.reader is None:
            return []
        found: dict[PurePosixPath, bytes] = {}
        for document, page in zip(self.documents, page_paths, strict=False):
            for entry in document.items():
                for relative in entry.attachments:
                    found[page.parent / relative] = self.reader.files.content[relative]
        return sorted(found.items())

    def avoiding(self, taken: set[str]) -> Parsed:
        """The same file with item ids that are not in ``taken`` (the project's own):
        a ForeignID or fallback id that is taken gets the next free number."""
        if self.reader is None or not taken:
            return self
        reader = self.reader
        reader.warnings = list(reader.parse_warnings)
        return Parsed(reader.documents(taken), reader.warnings, reader)


def read_file(path: Path, mapping: ImportMap | None = None) -> Parsed:
    """The documents of a .reqif or .reqifz file; warnings for what was approximated."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise unreadable(name, exc) from None
    archive = head.startswith(b"PK") or path.suffix.lower() == ".reqifz"
    if archive:
        members = _unzip(path)
    else:
        members = [(name, read_capped(path, name, MAX_FILE, limit_of="ReqIF files"))]
    warnings: list[str] = []
    reader = _Reader(warnings, mapping or ImportMap(), _Attachments(path, archive))
    for member_name, data in members:
        reader.add(member_name, parse(data, member_name))
    reader.parse_warnings = list(warnings)
    return Parsed(reader.documents(), reader.warnings, reader)


def unzip_members(path: Path) -> list[tuple[str, bytes]]:
    """The ``.reqif`` members of a ``.reqifz`` as ``("path!member", bytes)``, checked."""
    return _unzip(path)


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
    long_name: str = ""


class _Reader:
    """Collects the content of one or more REQ-IF roots (several files of a .reqifz
    share one identifier space, so relations may cross files)."""

    def __init__(
        self, warnings: list[str], mapping: ImportMap, files: _Attachments | None = None
    ) -> None:
        self.warnings = warnings
        self.files = files or _Attachments(None, False)
        #: (object, attribute, as Markdown) → text, the warnings and files it gave
        self.converted: dict[tuple[str, str, bool], tuple[str, list[str], list[str]]] = {}
        self.map = mapping
        self.priority_words = {**PRIORITY_WORDS, **mapping.priorities}
        self.status_words = {**STATUS_WORDS, **mapping.statuses}
        self.names: dict[str, str] = {}  # identifier → LONG-NAME of definitions and types
        self.enum_values: dict[str, str] = {}
        self.objects: dict[str, _Object] = {}
        self.relations: list[tuple[str, str, str, str, str]] = []
        self.specs: list[tuple[Document, Tree]] = []
        self.headers: dict[str, str] = {}  # member name → REQ-IF-HEADER IDENTIFIER
        self.parse_warnings: list[str] = []

    def add(self, name: str, root: etree._Element) -> None:
        header = root.find(f"{_q('THE-HEADER')}/{_q('REQ-IF-HEADER')}")
        header_id = header.get("IDENTIFIER", "") if header is not None else ""
        self.headers[name] = header_id
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
                # OTHER-CONTENT is a tool's own (in-STEP: "foo", ProR: a colour): not a name
                self.enum_values[ident] = element.get("LONG-NAME") or ident
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
            ident,
            self.names.get(type_ref, type_ref),
            values,
            xhtml,
            where,
            type_ref,
            name,
            obj.get("LONG-NAME") or "",
        )

    def documents(self, project_ids: set[str] | None = None) -> list[Document]:
        entries: dict[str, Entry] = {}
        counters: dict[str, int] = {}
        taken: set[str] = set(project_ids or ())
        for ident, obj in self.objects.items():
            self.files.used = []
            entries[ident] = self._entry(obj, counters, taken)
            entries[ident].attachments = list(dict.fromkeys(self.files.used))
        for ident, link_type, source, target, where in self.relations:
            head = f"{where}: SPEC-RELATION {ident} ({link_type})"
            if source not in entries:
                self.warnings.append(f"{head}: its source {source} is not in the file; left out")
                continue
            origin = entries[source]
            if origin.heading:
                self.warnings.append(f"{head}: its source is a heading; left out")
                continue
            if target not in entries:
                # a link into another module or file: kept on the item, reported
                self.warnings.append(
                    f"{head}: its target {target} is not in the file; kept as an attribute "
                    f"of {origin.id or origin.title!r}"
                )
                _keep(origin, f"Relation {link_type} (outside the file)", target)
                continue
            goal = entries[target]
            link, reverse = _link_kind(link_type, self.map.relations)
            if reverse:  # "verified by", "is refined by": the other way round
                origin, goal = goal, origin
            allowed = LINK_DEFS.get(link or "")
            if (
                link is None
                or allowed is None
                or origin.heading
                or goal.heading
                or Kind(origin.kind) not in allowed.sources
                or Kind(goal.kind) not in allowed.targets
            ):
                self.warnings.append(
                    f"{head}: no specheft link kind fits ({origin.kind or 'heading'} → "
                    f"{goal.kind or 'heading'}); kept as an attribute of "
                    f"{origin.id or origin.title!r}"
                )
                _keep(origin, f"Relation {link_type}", goal.id or goal.title)
                continue
            origin.links.setdefault(link, []).append(goal.id)
        documents = []
        seen: set[str] = set()
        for document, tree in self.specs:
            document.children = self._children(tree, entries, seen, document.source)
            documents.append(document)
        # objects in no SPECIFICATION (DOORS Next exports of a bare module, EA): kept
        loose = [e for i, e in entries.items() if i not in seen and not e.heading]
        if loose:
            name = "Objects in no specification"
            first = self.objects[loose[0].identifier].source
            self.warnings.append(
                f"{first}: {len(loose)} SPEC-OBJECT(s) are in no SPECIFICATION's hierarchy "
                f"({', '.join(e.identifier for e in loose[:3])}{', …' if len(loose) > 3 else ''}); "
                f"imported into the page {name!r}"
            )
            documents.append(
                Document(name, loose, header=self.headers.get(first, ""), source=first)
            )
        return documents

    def _children(
        self, tree: Tree, entries: dict[str, Entry], seen: set[str], name: str
    ) -> list[Entry]:
        found = []
        for ref, children, line in tree:
            entry = entries.get(ref)
            if entry is None:
                # a dangling OBJECT reference: its children move up a level, not lost
                self.warnings.append(
                    f"{name}:{line}: SPEC-HIERARCHY refers to {ref}, which is not in the file; "
                    "left out"
                )
                found.extend(self._children(children, entries, seen, name))
                continue
            if ref in seen:
                # Polarion reuses objects in several places: the first place keeps it
                self.warnings.append(
                    f"{name}:{line}: SPEC-OBJECT {ref} appears twice in the hierarchies; "
                    "the first place is kept"
                )
                continue
            seen.add(ref)
            entry.children = self._children(children, entries, seen, name)
            found.append(entry)
        return found

    def _entry(self, obj: _Object, counters: dict[str, int], taken: set[str]) -> Entry:
        # attribute names differ by tool (DOORS 9: identifiers only; EA, ProR: free
        # names): the ProSTEP names first, then the usual words, case-insensitive
        names = {_norm(k): k for k in (*obj.values, *obj.xhtml)}
        # --map names first: attribute → id/title/text/field, type → kind/heading
        targets = {
            k: self.map.attributes[k.strip().lower()]
            for k in (*obj.values, *obj.xhtml)
            if k.strip().lower() in self.map.attributes
        }
        mapped = {target: attr for attr, target in targets.items()}
        # the guesses below look only at what the map leaves
        names = {n: k for n, k in names.items() if k not in targets}
        type_name = obj.type_name.lower()
        type_kind = self.map.types.get(type_name.strip())
        chapter = names.get(_norm(CHAPTER))
        text_attr = (
            mapped.get("text")
            or _first(names, TEXT_NAMES)
            or next((k for n, k in names.items() if n.endswith(TEXT_ENDINGS)), None)
        )
        text = self._text(obj, text_attr, markdown=True) if text_attr else ""
        # DOORS 9: an object with an Object Heading and no Object Text is a heading
        is_heading = type_kind == HEADING or (
            type_kind is None
            and (
                type_name in HEADING_TYPES
                or (
                    chapter is not None
                    and not text.strip()
                    and obj.values.get(chapter, "").strip() != ""
                )
            )
        )
        if is_heading:
            title = (obj.values.get(chapter, "") if chapter else "") or self._text(obj, NAME)
            title = title or obj.long_name or obj.identifier
            return Entry("", HEADING_TYPE, title, heading=True, identifier=obj.identifier)
        kinds = {k.value for k in Kind}
        kind = type_kind or (type_name if type_name in kinds else self.map.default_kind)
        title_attr = mapped.get("title") or _first(names, TITLE_NAMES)
        title = self._text(obj, title_attr) if title_attr else ""
        if not title.strip():
            # Polarion names a work item in ReqIF.ChapterName, EA/in-STEP in LONG-NAME
            title = obj.long_name or (obj.values.get(chapter, "") if chapter else "")
        if not title.strip():
            # the text's start as plain words (an image gives its name, not its Markdown)
            plain = text
            if text_attr and text_attr in obj.xhtml:
                plain = to_markdown(obj.xhtml[text_attr], inline=True)[0]
            first = " ".join(plain.split())
            title = first[:77] + "…" if len(first) > 80 else first
        title = title.strip() or obj.identifier
        foreign_attr = mapped.get("id") or _first(names, FOREIGN_NAMES)
        used = {a for a in (title_attr, text_attr, foreign_attr) if a}
        fields: dict[str, str] = {}
        extra: dict[str, str] = {}
        rich: set[str] = set()
        for attr, value in obj.values.items():
            field_name = targets.get(attr) or _norm(attr)
            if attr in used or (attr == chapter and attr not in targets):
                continue
            if field_name in PRIORITY_NAMES or field_name.endswith(".priority"):
                word = self.priority_words.get(value.strip().lower())
                if word and "priority" not in fields and Kind(kind) in PRIORITY_KINDS:
                    fields["priority"] = word
                else:
                    extra[attr] = value
            elif field_name == STATUS:
                word = self.status_words.get(value.strip().lower())
                if word and STATUS not in fields:
                    fields[STATUS] = word
                else:
                    extra[attr] = value  # a tool's own workflow state: kept as it is
            elif field_name == TAGS and value.strip():
                tags, problem = tags_of(value)
                if problem:  # written as it is, sphinx-needs would run or drop it
                    path, _, line = obj.where.rpartition(":")
                    raise InputError(
                        f"SPEC-OBJECT {obj.identifier}: attribute {attr!r}: {problem}",
                        location=Location(path, int(line) if line.isdigit() else None),
                    )
                fields[TAGS] = ", ".join(tags)
            elif field_name in FIELD_DEFS and Kind(kind) in FIELD_DEFS[field_name].kinds:
                fields[field_name] = value
            else:
                extra[attr] = value
        for attr in obj.xhtml:
            if attr in used or (attr == chapter and attr not in targets):
                continue
            field_name = targets.get(attr) or _norm(attr)
            value = self._text(obj, attr, markdown=True)
            if field_name in FIELD_DEFS and Kind(kind) in FIELD_DEFS[field_name].kinds:
                fields[field_name] = " ".join(value.split())  # a field is one line
            else:
                extra[attr] = value
                plain = " ".join("".join(obj.xhtml[attr].itertext()).split())
                if plain != " ".join(value.split()):  # markup: no field can hold it
                    rich.add(attr)
        if chapter and chapter not in used and obj.values.get(chapter, "") not in ("", title):
            extra[chapter] = obj.values[chapter]
        foreign = obj.values.get(foreign_attr, "").strip() if foreign_attr else ""
        item_id = foreign
        # the kind's default pattern too: sphinx-needs refuses an id that breaks it
        pattern = KIND_DEFS[Kind(kind)].id_pattern
        if not (_ID.match(foreign) and re.match(pattern, foreign)) or foreign in taken:
            prefix = KIND_DEFS[Kind(kind)].prefix
            middle = "SIT-IMP" if kind == Kind.TEST else "IMP"
            item_id = ""
            while not item_id or item_id in taken:  # earlier imports hold some numbers
                number = counters[kind] = counters.get(kind, 0) + 1
                item_id = f"{prefix}{middle}-{number:03d}"
            if foreign:
                extra[FOREIGN_ID] = foreign
                self.warnings.append(
                    f"{obj.where}: SPEC-OBJECT {obj.identifier}: {foreign_attr} {foreign!r} "
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
            rich=rich,
        )

    def _text(self, obj: _Object, attr: str, markdown: bool = False) -> str:
        if attr not in obj.xhtml:
            return obj.values.get(attr, "")
        # converted once: documents() runs again when ids must avoid the project's own
        key = (obj.identifier, attr, markdown)
        done = self.converted.get(key)
        if done is not None:
            text, warnings, used = done
            self.warnings += warnings
            self.files.used += used
            return text
        warned, placed = len(self.warnings), len(self.files.used)

        def attachment(data: str, mime: str) -> str | None:
            return self.files.place(obj, data, self.warnings, self.slugs())

        text, notes = to_markdown(
            obj.xhtml[attr], inline=not markdown, attachment=attachment if markdown else None
        )
        for note in notes:
            self.warnings.append(f"{obj.where}: SPEC-OBJECT {obj.identifier}: {note}")
        self.converted[key] = (text, self.warnings[warned:], self.files.used[placed:])
        return text

    def slugs(self) -> set[str]:
        return {slug(document.name) for document, _ in self.specs}


class _Attachments:
    """The files an ``<object data="…">`` names, found in the ``.reqifz`` (relative to
    the ``.reqif`` member) or beside a plain ``.reqif`` (inside its folder only), and the
    safe path each gets below the page: every part reduced to ``A-Z a-z 0-9 . _ -``, no
    leading dot, no ``..``, no absolute path, a number added when two files would meet.
    What cannot be found or leaves the archive or folder is a warning naming the object."""

    def __init__(self, path: Path | None, archive: bool) -> None:
        self.path = path
        self.archive = archive
        self.placed: dict[str, str | None] = {}  # member or file → safe path
        self.content: dict[str, bytes] = {}  # safe path → bytes
        self.used: list[str] = []
        self.budget = MAX_FILE
        self._names: dict[str, zipfile.ZipInfo] | None = None

    def place(self, obj: _Object, data: str, warnings: list[str], slugs: set[str]) -> str | None:
        raw = unquote(data.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/").strip()
        if re.match(r"^https?:", raw, re.IGNORECASE):
            return data  # a web address: the Markdown names it, nothing to copy
        head = f"{obj.where}: SPEC-OBJECT {obj.identifier}: attachment {data!r}"
        parts = [p for p in raw.split("/") if p not in ("", ".")]
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", raw):  # file:, javascript:, data:, …
            _warn(warnings, f"{head} is no file in the export; not copied")
            return None
        if not parts or raw.startswith("/") or re.match(r"^[A-Za-z]:", raw) or ".." in parts:
            _warn(warnings, f"{head} is an absolute path or leaves its folder; not copied")
            return None
        member = obj.source.partition("!")[2] if self.archive else ""
        key = posixpath.normpath(posixpath.join(posixpath.dirname(member), *parts))
        if key.startswith("../"):
            _warn(warnings, f"{head} leaves the archive; not copied")
            return None
        if key in self.placed:
            found = self.placed[key]
        else:
            found = self.placed[key] = self._copy(key, parts, slugs, warnings, head)
        if found is not None:
            self.used.append(found)
        else:
            _warn(warnings, f"{head} is not in the {'archive' if self.archive else 'folder'}")
        return found

    def _copy(
        self, key: str, parts: list[str], slugs: set[str], warnings: list[str], head: str
    ) -> str | None:
        content = self._read(key, warnings, head)
        if content is None:
            return None
        if len(parts) > 1 and parts[0] in slugs:
            parts = parts[1:]  # specheft's own export names it below the document's folder
        clean = [re.sub(r"[^A-Za-z0-9._-]+", "_", p).lstrip(".") or "_" for p in parts]
        if clean[-1].lower().endswith((".md", ".rst")):
            clean[-1] += ".txt"  # never a source page of the build
        base = PurePosixPath(*clean)
        safe, number = str(base), 1
        while safe in self.content and self.content[safe] != content:
            number += 1
            safe = str(base.with_name(f"{base.stem}-{number}{base.suffix}"))
        self.content[safe] = content
        return safe

    def _read(self, key: str, warnings: list[str], head: str) -> bytes | None:
        if self.path is None:
            return None
        if not self.archive:
            folder = self.path.parent.resolve()
            target = (folder / key).resolve()
            if not target.is_relative_to(folder) or not target.is_file():
                return None
            size = target.stat().st_size
            if size > self.budget:
                _warn(warnings, f"{head} is larger than {MAX_FILE // MiB} MiB; not copied")
                return None
            self.budget -= size
            return target.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            if self._names is None:
                self._names = {i.filename.replace("\\", "/"): i for i in archive.infolist()}
            info = self._names.get(key)
            if info is None or info.is_dir():
                return None
            chunks = []
            # the reader's checks passed for every member; the inflated size is capped here
            with archive.open(info) as member:
                while chunk := member.read(1024 * 1024):
                    self.budget -= len(chunk)
                    if self.budget < 0:
                        raise UnsafeInputError(
                            f"inflates beyond {MAX_FILE // MiB} MiB (zip bomb?)",
                            location=Location(f"{self.path}!{info.filename}"),
                        )
                    chunks.append(chunk)
            return b"".join(chunks)


def _warn(warnings: list[str], message: str) -> None:
    if message not in warnings:  # an object names the same file in several attributes
        warnings.append(message)


#: words in a relation type's name → specheft's link kind (source → target)
LINK_WORDS = (
    ("satisf", "satisfies"),
    ("erfüll", "satisfies"),
    ("verif", "verifies"),
    ("tests", "verifies"),
    ("prüft", "verifies"),
    ("refine", "refines"),
    ("verfeiner", "refines"),
    ("derive", "refines"),
    ("abgeleitet", "refines"),
)


def _link_kind(relation_type: str, mapped: Mapping[str, str]) -> tuple[str | None, bool]:
    """The link kind a relation type's name stands for, and whether it reads backwards
    ("Verified By", "is refined by", "erfüllt durch"); ``--map`` [relations] first."""
    name = relation_type.strip().lower()
    if name in mapped:
        return (None if mapped[name] == KEEP else mapped[name]), False
    if name in LINK_DEFS:
        return name, False
    kind = next((kind for word, kind in LINK_WORDS if word in name), None)
    return kind, re.search(r"\b(by|durch|von)\b", name) is not None


def _keep(entry: Entry, name: str, value: str) -> None:
    """A relation specheft cannot hold as a link, kept on the item as an attribute."""
    entry.extra[name] = f"{entry.extra[name]}, {value}" if name in entry.extra else value


def _norm(name: str) -> str:
    return name.strip().lower().removeprefix("reqif.")


def _first(names: dict[str, str], wanted: tuple[str, ...]) -> str | None:
    """The original spelling of the first of ``wanted`` among ``names`` (normalised)."""
    return next((names[w] for w in wanted if w in names), None)


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
        found.append((_ref(hierarchy, "OBJECT"), _tree(hierarchy), hierarchy.sourceline or 0))
    return found
