"""The customer's ReqIF file with only the vendor-editable attribute values changed.

A re-serialisation (lxml, any writer) would change quoting, character references,
blank space and the XML declaration all over the file; a tool's merge-back and a
reviewer's diff should see only the answers. So the new file is the original's text
with a few spans replaced: the THE-VALUE of an existing attribute value, the content
of its XHTML ``THE-VALUE`` or enumeration ``VALUES``, or a new ATTRIBUTE-VALUE
inserted before ``</VALUES>`` of a SPEC-OBJECT. Offsets come from expat
(``CurrentByteIndex``) over the decoded text; the file is read by the hardened reader
first (DOCTYPE refused, namespace checked), and the result is parsed again before it
is handed back. Every other byte (identifiers, types, datatypes, untouched XHTML,
tool extensions, attachment references, comments, line ends, encoding) stays.
"""

from __future__ import annotations

import codecs
import io
import re
import xml.parsers.expat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from specheft.errors import InputError, Location
from specheft.io.limits import MiB, read_capped
from specheft.io.reqif import NS, XHTML_NS
from specheft.io.reqif.read import MAX_FILE, parse
from specheft.io.reqif.read import unzip_members as unzip

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class AttrDef:
    """An ATTRIBUTE-DEFINITION of a SPEC-OBJECT-TYPE in the customer's file."""

    identifier: str
    name: str  # LONG-NAME, else the IDENTIFIER (DOORS 9)
    datatype: str  # STRING, XHTML, ENUMERATION, INTEGER, REAL, BOOLEAN, DATE
    editable: bool
    max_length: int | None = None
    #: ENUMERATION: LONG-NAME (else IDENTIFIER) → ENUM-VALUE identifier, file order
    enum_values: dict[str, str] = field(default_factory=dict)
    multi_valued: bool = False


@dataclass
class Original:
    path: Path
    data: bytes
    header: str
    #: SPEC-OBJECT-TYPE identifier → (its LONG-NAME, its attribute definitions)
    types: dict[str, tuple[str, list[AttrDef]]]
    #: SPEC-OBJECT identifier → SPEC-OBJECT-TYPE identifier
    objects: dict[str, str]
    xhtml_prefix: str | None
    encoding: str | None = None
    #: the member of a .reqifz it is (None: a plain .reqif) and its name in messages
    member: str | None = None
    name: str = ""


def load_original(path: Path) -> Original:
    """The customer's ``.reqif``: read (hardened) and described; located errors."""
    name = str(path)
    return describe(path, read_capped(path, name, MAX_FILE, limit_of="ReqIF files"), name)


def load_originals(path: Path) -> list[Original]:
    """The ``.reqif``, or each ``.reqif`` member of a ``.reqifz`` (checked as the import
    checks it: names, links, encryption, sizes)."""
    try:
        with path.open("rb") as handle:
            zipped = handle.read(2) == b"PK"
    except OSError:
        zipped = False
    if not zipped and path.suffix.lower() != ".reqifz":
        return [load_original(path)]
    return [
        describe(path, data, member, member=member.partition("!")[2])
        for member, data in unzip(path)
    ]


def describe(path: Path, data: bytes, name: str, member: str | None = None) -> Original:
    """``data`` (one .reqif) read by the hardened parser and described."""
    root = parse(data, name)
    header = root.find(f"{_q('THE-HEADER')}/{_q('REQ-IF-HEADER')}")
    header_id = header.get("IDENTIFIER", "") if header is not None else ""
    content = root.find(f"{_q('CORE-CONTENT')}/{_q('REQ-IF-CONTENT')}")
    if content is None:
        raise InputError("no CORE-CONTENT/REQ-IF-CONTENT", location=Location(name))
    enums: dict[str, dict[str, str]] = {}
    max_lengths: dict[str, int] = {}
    for datatype in content.iterfind(f"{_q('DATATYPES')}/*"):
        ident = datatype.get("IDENTIFIER") or ""
        if _local(datatype.tag) == "DATATYPE-DEFINITION-ENUMERATION":
            values: dict[str, str] = {}
            for value in datatype.iterfind(f"{_q('SPECIFIED-VALUES')}/{_q('ENUM-VALUE')}"):
                label = value.get("LONG-NAME") or value.get("IDENTIFIER") or ""
                values.setdefault(label, value.get("IDENTIFIER") or "")
            enums[ident] = values
        elif (length := datatype.get("MAX-LENGTH") or "").isdigit():
            max_lengths[ident] = int(length)
    types: dict[str, tuple[str, list[AttrDef]]] = {}
    for spec_type in content.iterfind(f"{_q('SPEC-TYPES')}/{_q('SPEC-OBJECT-TYPE')}"):
        ident = spec_type.get("IDENTIFIER") or ""
        attrs = []
        for definition in spec_type.iterfind(f"{_q('SPEC-ATTRIBUTES')}/*"):
            kind = _local(definition.tag).removeprefix("ATTRIBUTE-DEFINITION-")
            holder = definition.find(_q("TYPE"))
            datatype_ref = (
                (holder[0].text or "").strip() if holder is not None and len(holder) else ""
            )
            attr_id = definition.get("IDENTIFIER") or ""
            attrs.append(
                AttrDef(
                    attr_id,
                    definition.get("LONG-NAME") or attr_id,
                    kind,
                    definition.get("IS-EDITABLE", "").strip() in ("true", "1"),
                    max_lengths.get(datatype_ref),
                    enums.get(datatype_ref, {}),
                    definition.get("MULTI-VALUED", "").strip() in ("true", "1"),
                )
            )
        types[ident] = (spec_type.get("LONG-NAME") or ident, attrs)
    objects: dict[str, str] = {}
    for obj in content.iterfind(f"{_q('SPEC-OBJECTS')}/{_q('SPEC-OBJECT')}"):
        holder = obj.find(_q("TYPE"))
        type_ref = (holder[0].text or "").strip() if holder is not None and len(holder) else ""
        objects.setdefault(obj.get("IDENTIFIER") or "", type_ref)
    prefix = next((p for p, uri in root.nsmap.items() if uri == XHTML_NS and p), None)
    encoding = root.getroottree().docinfo.encoding
    return Original(path, data, header_id, types, objects, prefix, encoding, member, name)


# --- the spans of the SPEC-OBJECTS -----------------------------------------------------


@dataclass
class _Node:
    qname: str
    attrs: dict[str, str]
    start: int  # offset of "<"
    tag_end: int = 0  # offset after the start tag's ">"
    close: int = 0  # offset of "</" (== end for an empty element)
    end: int = 0  # offset after the element
    empty: bool = False
    children: list[_Node] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.qname.rpartition(":")[2]

    @property
    def prefix(self) -> str:
        head, sep, _ = self.qname.rpartition(":")
        return head + sep

    def child(self, local: str) -> _Node | None:
        return next((c for c in self.children if c.local == local), None)


def _tag_end(text: bytes, start: int) -> tuple[int, bool]:
    """Offset after the ``>`` of the start tag at ``start`` and whether it is ``/>``."""
    quote = 0
    at = start + 1
    while at < len(text):
        byte = text[at]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return at + 1, text[at - 1] == 0x2F
        at += 1
    raise ValueError("unterminated start tag")


#: the elements below a SPEC-OBJECT whose inner structure matters here
_DESCEND = {"SPEC-OBJECTS", "SPEC-OBJECT", "VALUES", "DEFINITION"} | {
    f"ATTRIBUTE-VALUE-{t}" for t in ("STRING", "XHTML", "ENUMERATION", "INTEGER", "REAL",
                                     "BOOLEAN", "DATE")
}  # fmt: skip


def _scan(utf8: bytes, name: str) -> dict[str, _Node]:
    """SPEC-OBJECT identifier → its node (offsets into ``utf8``)."""
    parser = xml.parsers.expat.ParserCreate()
    stack: list[_Node | None] = []
    objects: dict[str, _Node] = {}

    def start(qname: str, attrs: dict[str, str]) -> None:
        parent = stack[-1] if stack else None
        local = qname.rpartition(":")[2]
        inside = parent is not None and parent.local in _DESCEND
        if local == "SPEC-OBJECTS" or inside:
            node = _Node(qname, attrs, parser.CurrentByteIndex)
            node.tag_end, node.empty = _tag_end(utf8, node.start)
            if parent is not None:
                parent.children.append(node)
            if local == "SPEC-OBJECT" and parent is not None and parent.local == "SPEC-OBJECTS":
                objects.setdefault(attrs.get("IDENTIFIER", ""), node)
            stack.append(node)
        else:
            stack.append(None)

    def end(qname: str) -> None:
        node = stack.pop()
        if node is None:
            return
        if node.empty:
            node.close = node.end = node.tag_end
        else:
            node.close = parser.CurrentByteIndex
            node.end = utf8.index(b">", node.close) + 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(utf8, True)
    except (xml.parsers.expat.ExpatError, ValueError) as exc:
        raise InputError(
            f"cannot read the file for answering: {exc}", location=Location(name)
        ) from None
    return objects


# --- the edits --------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One value to write: plain text (STRING, XHTML) or ENUM-VALUE identifiers."""

    object: str
    attr: AttrDef
    value: str = ""
    enum_refs: tuple[str, ...] = ()


def _attr_value(text: str, quote: str) -> str:
    escaped = escape(text, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
    return escaped.replace(quote, "&quot;" if quote == '"' else "&apos;")


def _xhtml(text: str, prefix: str | None) -> str:
    """Plain text as one XHTML ``div``: a ``p`` per paragraph, ``br`` per line break."""
    tag = f"{prefix}:" if prefix else ""
    xmlns = "" if prefix else f' xmlns="{XHTML_NS}"'
    paragraphs = []
    for paragraph in _PARAGRAPH.split(text.strip("\n")) or [""]:
        lines = [escape(line) for line in paragraph.split("\n")]
        paragraphs.append(f"<{tag}p>" + f"<{tag}br/>".join(lines) + f"</{tag}p>")
    return f"<{tag}div{xmlns}>" + "".join(paragraphs) + f"</{tag}div>"


def _new_value(edit: Edit, p: str, xhtml_prefix: str | None) -> str:
    kind = edit.attr.datatype
    ref = (
        f"<{p}DEFINITION><{p}ATTRIBUTE-DEFINITION-{kind}-REF>{escape(edit.attr.identifier)}"
        f"</{p}ATTRIBUTE-DEFINITION-{kind}-REF></{p}DEFINITION>"
    )
    if kind == "XHTML":
        body = f"<{p}THE-VALUE>{_xhtml(edit.value, xhtml_prefix)}</{p}THE-VALUE>"
        return f"<{p}ATTRIBUTE-VALUE-XHTML>{ref}{body}</{p}ATTRIBUTE-VALUE-XHTML>"
    if kind == "ENUMERATION":
        refs = "".join(
            f"<{p}ENUM-VALUE-REF>{escape(r)}</{p}ENUM-VALUE-REF>" for r in edit.enum_refs
        )
        return (
            f"<{p}ATTRIBUTE-VALUE-ENUMERATION>{ref}<{p}VALUES>{refs}</{p}VALUES>"
            f"</{p}ATTRIBUTE-VALUE-ENUMERATION>"
        )
    value = _attr_value(edit.value, '"')
    return f'<{p}ATTRIBUTE-VALUE-{kind} THE-VALUE="{value}">{ref}</{p}ATTRIBUTE-VALUE-{kind}>'


def _replacements(
    utf8: bytes, node: _Node, edits: list[Edit], xhtml_prefix: str | None
) -> list[tuple[int, int, str]]:
    """``(start, end, new text)`` for one SPEC-OBJECT."""
    values = node.child("VALUES")
    p = node.prefix
    found: dict[str, _Node] = {}
    if values is not None:
        for value in values.children:
            definition = value.child("DEFINITION")
            ref_node = definition.children[0] if definition and definition.children else None
            if ref_node is not None:
                ref = utf8[ref_node.tag_end : ref_node.close].decode("utf-8").strip()
                found.setdefault(ref, value)
    spans: list[tuple[int, int, str]] = []
    inserted: list[str] = []
    for edit in edits:
        existing = found.get(edit.attr.identifier)
        if existing is None or existing.local != f"ATTRIBUTE-VALUE-{edit.attr.datatype}":
            if existing is not None:  # a value of another datatype: replaced whole
                spans.append((existing.start, existing.end, _new_value(edit, p, xhtml_prefix)))
            else:
                inserted.append(_new_value(edit, p, xhtml_prefix))
            continue
        spans.extend(_change(utf8, existing, edit, xhtml_prefix))
    if inserted:
        spans.append(_insert(utf8, node, values, inserted))
    return spans


def _change(
    utf8: bytes, value: _Node, edit: Edit, xhtml_prefix: str | None
) -> list[tuple[int, int, str]]:
    p = value.prefix
    if edit.attr.datatype == "XHTML":
        spans = []
        new = _xhtml(edit.value, xhtml_prefix)
        holders = [c for c in value.children if c.local in ("THE-VALUE", "THE-ORIGINAL-VALUE")]
        for holder in holders:
            if holder.empty:
                spans.append((holder.start, holder.end, f"<{holder.qname}>{new}</{holder.qname}>"))
            else:
                spans.append((holder.tag_end, holder.close, new))
        if not holders:
            spans.append((value.close, value.close, f"<{p}THE-VALUE>{new}</{p}THE-VALUE>"))
        return spans
    if edit.attr.datatype == "ENUMERATION":
        refs = "".join(
            f"<{p}ENUM-VALUE-REF>{escape(r)}</{p}ENUM-VALUE-REF>" for r in edit.enum_refs
        )
        enum_values = value.child("VALUES")
        if enum_values is None:
            return [(value.close, value.close, f"<{p}VALUES>{refs}</{p}VALUES>")]
        if enum_values.empty:
            qname = enum_values.qname
            return [(enum_values.start, enum_values.end, f"<{qname}>{refs}</{qname}>")]
        return [(enum_values.tag_end, enum_values.close, refs)]
    # THE-VALUE in the start tag; its quote character kept
    tag = utf8[value.start : value.tag_end].decode("utf-8")
    match = re.search(r"\sTHE-VALUE\s*=\s*([\"'])(.*?)\1", tag, re.DOTALL)
    if match is None:
        cut = value.tag_end - (2 if value.empty else 1)
        return [(cut, cut, f' THE-VALUE="{_attr_value(edit.value, chr(34))}"')]
    quote = match.group(1)
    begin = value.start + len(tag[: match.start(2)].encode("utf-8"))
    finish = value.start + len(tag[: match.end(2)].encode("utf-8"))
    return [(begin, finish, _attr_value(edit.value, quote))]


def _insert(
    utf8: bytes, obj: _Node, values: _Node | None, inserted: list[str]
) -> tuple[int, int, str]:
    p = obj.prefix
    if values is None:
        return (obj.tag_end, obj.tag_end, f"<{p}VALUES>{''.join(inserted)}</{p}VALUES>")
    if values.empty:
        return (values.start, values.end, f"<{values.qname}>{''.join(inserted)}</{values.qname}>")
    # the new values indented like their siblings, before the blank space of </VALUES>
    inner = utf8[values.tag_end : values.close].decode("utf-8")
    trailing = inner[len(inner.rstrip()) :]
    before_last = ""
    if values.children:
        last = values.children[-1]
        prefix = utf8[values.tag_end : last.start].decode("utf-8")
        before_last = prefix[len(prefix.rstrip()) :]
        before_last = before_last[before_last.rfind("\n") :] if "\n" in before_last else ""
    cut = values.close - len(trailing.encode("utf-8"))
    return (cut, cut, "".join(before_last + text for text in inserted))


def _encoding(data: bytes, declared: str | None) -> tuple[bytes, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return b"", (declared or "utf-8").lower()


def splice(original: Original, edits: list[Edit]) -> bytes:
    """The original file with ``edits`` applied, in its own encoding."""
    name = original.name or str(original.path)
    bom, codec = _encoding(original.data, original.encoding)
    try:
        text = original.data[len(bom) :].decode(codec)
    except (LookupError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot decode as {codec}: {exc}", location=Location(name)) from None
    utf8 = text.encode("utf-8")
    # expat reads a str as UTF-8 whatever the declaration says: offsets are into ``utf8``
    objects = _scan(utf8, name)
    by_object: dict[str, list[Edit]] = {}
    for edit in edits:
        by_object.setdefault(edit.object, []).append(edit)
    spans: list[tuple[int, int, str]] = []
    for ident, object_edits in by_object.items():
        node = objects.get(ident)
        if node is not None:
            spans.extend(_replacements(utf8, node, object_edits, original.xhtml_prefix))
    pieces = []
    at = 0
    for begin, finish, new in sorted(spans, key=lambda s: (s[0], s[1])):
        pieces.append(utf8[at:begin])
        # a character the file's encoding cannot hold becomes a character reference
        pieces.append(new.encode(codec, "xmlcharrefreplace").decode(codec).encode("utf-8"))
        at = finish
    pieces.append(utf8[at:])
    result = bom + b"".join(pieces).decode("utf-8").encode(codec)
    parse(result, f"{name} (answer)")  # a splice that broke the XML never leaves here
    return result


def rezip(path: Path, replaced: dict[str, bytes]) -> bytes:
    """The archive ``path`` with the members in ``replaced`` swapped: every other member
    (attachments, OLE objects, other .reqif files) byte for byte, in the same order,
    with its name, date, attributes and compression."""
    buffer = io.BytesIO()
    budget = MAX_FILE
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
            for info in source.infolist():
                data = replaced.get(info.filename)
                if data is None:
                    chunks = []
                    with source.open(info) as member:  # bounded as on import
                        while chunk := member.read(1024 * 1024):
                            budget -= len(chunk)
                            if budget < 0:
                                raise InputError(
                                    f"inflates beyond {MAX_FILE // MiB} MiB (zip bomb?)",
                                    location=Location(f"{path}!{info.filename}"),
                                )
                            chunks.append(chunk)
                    data = b"".join(chunks)
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = info.comment
                target.writestr(copy, data)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"damaged archive: {exc}", location=Location(str(path))) from None
    return buffer.getvalue()


__all__ = [
    "AttrDef",
    "Edit",
    "Original",
    "load_original",
    "load_originals",
    "rezip",
    "splice",
]
