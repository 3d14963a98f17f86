"""Reading XML written by other parties (ReqIF, JUnit, vendor answers) without trusting it.

Every importer parses XML through :func:`parse_xml` (whole document) or :func:`iter_xml`
(streaming), never through ``xml.etree`` directly. Both

* refuse entity declarations (billion laughs, quadratic blow-up, XXE, parameter
  entities), external DTDs and external entity references with an
  :class:`~specheft.errors.UnsafeInputError` at the offending line, before anything
  is expanded or fetched (defusedxml's parser, with our located handlers);
* refuse input larger than ``max_bytes`` before parsing, elements nested deeper than
  ``max_depth`` and (``parse_xml``) trees of more than ``max_elements`` elements;
* report malformed XML and bytes that do not match the declared encoding as an
  :class:`~specheft.errors.InputError` at ``file:line:column`` (columns count
  characters from 1).

A DOCTYPE with an internal subset that declares no entities is accepted.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from specheft.errors import InputError, Location, UnsafeInputError
from specheft.io.limits import MiB, open_capped, too_large, unreadable

MAX_BYTES = 50 * MiB
"""Default size limit of :func:`parse_xml` (the whole tree is held in memory)."""
MAX_STREAM_BYTES = 1024 * MiB
"""Default size limit of :func:`iter_xml` (memory is the caller's, by clearing elements)."""
MAX_DEPTH = 256
MAX_ELEMENTS = 2_000_000

_CHUNK = 256 * 1024
_DTD_HINT = (
    "specheft reads XML without DTD entities or external references; remove the "
    "<!DOCTYPE …> part (ReqIF, JUnit and similar exports never need one)"
)
_DECLARATION = re.compile(
    rb"^(?:\xef\xbb\xbf)?[ \t\r\n]*<\?xml[ \t\r\n][^>]*?"
    rb"\bencoding[ \t\r\n]*=[ \t\r\n]*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']"
)


class XmlEvent(NamedTuple):
    """One event of :func:`iter_xml`: ``"start"`` or ``"end"`` of ``element``.

    ``line`` and ``column`` are where the element's start tag is; ``location`` makes
    them a :class:`Location` for an error about the element.
    """

    event: str
    element: ET.Element
    name: str | None
    line: int
    column: int

    @property
    def location(self) -> Location:
        return Location(self.name, self.line, self.column, element=local_name(self.element.tag))


class ElementPositions:
    """Where each element's start tag is; pass one to :func:`parse_xml` to fill it.

    ``positions.location(element)`` gives ``file:line:column <tag>`` for an error
    about that element.
    """

    def __init__(self) -> None:
        self.name: str | None = None
        self._where: dict[ET.Element, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def add(self, element: ET.Element, line: int, column: int) -> None:
        self._where[element] = (line, column)

    def location(self, element: ET.Element) -> Location:
        line, column = self._where.get(element, (None, None))
        return Location(self.name, line, column, element=local_name(element.tag))


def local_name(tag: str) -> str:
    """``{namespace}NAME`` → ``NAME``."""
    return tag.rpartition("}")[2]


def harden(parser: expat.XMLParserType, name: str | None) -> None:
    """Make a raw expat parser refuse entity declarations, external DTDs and references.

    Each refusal is an :class:`UnsafeInputError` located at the parser's position in
    ``name``. Used by :func:`parse_xml`, :func:`iter_xml` and :func:`secure_expat`.
    """

    def where() -> Location:
        return Location(name, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def doctype(doctype: str, sysid: str | None, pubid: str | None, internal: bool) -> None:
        if sysid is not None or pubid is not None:
            raise UnsafeInputError(
                f"external DTDs are not allowed (<!DOCTYPE {doctype} refers to {sysid or pubid!r})",
                location=where(),
                hint=_DTD_HINT,
            )

    def entity(
        entity_name: str,
        is_parameter_entity: bool,
        value: str | None,
        base: str | None,
        sysid: str | None,
        pubid: str | None,
        notation: str | None,
    ) -> None:
        kind = "parameter entity" if is_parameter_entity else "entity"
        what = (
            f"external {kind} {entity_name!r} → {sysid!r}" if sysid else f"{kind} {entity_name!r}"
        )
        raise UnsafeInputError(
            f"entity declarations are not allowed ({what})", location=where(), hint=_DTD_HINT
        )

    def unparsed(
        entity_name: str, base: str | None, sysid: str, pubid: str | None, notation: str
    ) -> None:
        raise UnsafeInputError(
            f"entity declarations are not allowed (unparsed entity {entity_name!r} → {sysid!r})",
            location=where(),
            hint=_DTD_HINT,
        )

    def external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
        raise UnsafeInputError(
            f"external entity references are not allowed ({sysid or pubid!r})",
            location=where(),
            hint=_DTD_HINT,
        )

    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.ExternalEntityRefHandler = external


def secure_expat(name: str | None, *, namespace_separator: str | None = "}") -> expat.XMLParserType:
    """A raw expat parser hardened by :func:`harden`, for fast scans without a tree.

    Returns an ``xml.parsers.expat.XMLParserType``; expat errors come as
    ``xml.parsers.expat.ExpatError`` (see :func:`expat_error`).
    """
    parser = expat.ParserCreate(None, namespace_separator)
    harden(parser, name)
    return parser


def expat_error(error: expat.ExpatError, name: str | None) -> InputError:
    """An ``ExpatError`` of a raw parser as a located :class:`InputError`."""
    return InputError(
        f"not well-formed XML: {expat.ErrorString(error.code)}",
        location=Location(name, error.lineno, error.offset + 1),
    )


def parse_xml(
    source: Path | bytes,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_elements: int = MAX_ELEMENTS,
    positions: ElementPositions | None = None,
) -> ET.Element:
    """Parse a whole XML document safely and return its root element.

    ``name`` is how the input is called in messages (default: the path). Raises
    :class:`UnsafeInputError` for DTD entities, external DTDs/entities, input larger
    than ``max_bytes`` (checked before parsing), nesting deeper than ``max_depth`` or
    more than ``max_elements`` elements; :class:`InputError` for malformed XML, a
    wrong encoding or an unreadable file. Comments and processing instructions are
    dropped.
    """
    display = _display(source, name)
    builder = _Builder(display, max_depth, max_elements, frozenset(), positions)
    for _ in _feed(display, _chunks(source, display, max_bytes), builder):
        pass
    assert builder.root is not None
    return builder.root


def iter_xml(
    source: Path | bytes,
    *,
    name: str | None = None,
    events: Iterable[str] = ("end",),
    max_bytes: int = MAX_STREAM_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Iterator[XmlEvent]:
    """Stream a large XML document safely as :class:`XmlEvent` s.

    Like :func:`xml.etree.ElementTree.iterparse`, elements are complete at their
    ``"end"`` event and stay attached to their parent: call ``element.clear()`` (and
    drop finished children) to keep memory bounded. The input is read in chunks;
    ``max_bytes`` is checked before and while reading. Errors as for
    :func:`parse_xml`, raised when the parser reaches the offending part.
    """
    wanted = frozenset(events)
    if not wanted <= {"start", "end"}:
        raise ValueError(f"unknown events {sorted(wanted - {'start', 'end'})}")
    display = _display(source, name)
    builder = _Builder(display, max_depth, None, wanted, None)
    for _ in _feed(display, _chunks(source, display, max_bytes), builder):
        if builder.events:
            pending, builder.events = builder.events, []
            yield from pending


class _Builder:
    """Parser target: an ElementTree ``TreeBuilder`` plus limits, positions and events."""

    def __init__(
        self,
        name: str | None,
        max_depth: int,
        max_elements: int | None,
        wanted: frozenset[str],
        positions: ElementPositions | None,
    ) -> None:
        self.name = name
        self.max_depth = max_depth
        self.max_elements = max_elements
        self.want_start = "start" in wanted
        self.want_end = "end" in wanted
        self.positions = positions
        if positions is not None:
            positions.name = name
        self.tree = ET.TreeBuilder()
        self.parser: expat.XMLParserType | None = None
        self.events: list[XmlEvent] = []
        self.root: ET.Element | None = None
        self._open: list[tuple[int, int]] = []
        self._count = 0

    def _where(self) -> tuple[int, int]:
        assert self.parser is not None
        return self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1

    def start(self, tag: str, attrib: dict[str, str]) -> ET.Element:
        line, column = self._where()
        self._count += 1
        if len(self._open) >= self.max_depth:
            raise UnsafeInputError(
                f"elements are nested more than {self.max_depth} levels deep",
                location=Location(self.name, line, column, element=local_name(tag)),
            )
        if self.max_elements is not None and self._count > self.max_elements:
            raise UnsafeInputError(
                f"more than {self.max_elements:,} elements",
                location=Location(self.name, line, column, element=local_name(tag)),
                hint="read large files with iter_xml, or raise max_elements for a file you trust",
            )
        self._open.append((line, column))
        element = self.tree.start(tag, attrib)
        if self.positions is not None:
            self.positions.add(element, line, column)
        if self.want_start:
            self.events.append(XmlEvent("start", element, self.name, line, column))
        return element

    def end(self, tag: str) -> ET.Element:
        line, column = self._open.pop()
        element = self.tree.end(tag)
        if self.want_end:
            self.events.append(XmlEvent("end", element, self.name, line, column))
        return element

    def data(self, text: str) -> None:
        self.tree.data(text)

    def close(self) -> ET.Element:
        return self.tree.close()


def _display(source: Path | bytes, name: str | None) -> str | None:
    if name is not None:
        return name
    return None if isinstance(source, bytes | bytearray) else str(source)


_TRUST_HINT = "raise the limit only for files you trust"


def _chunks(source: Path | bytes, display: str | None, max_bytes: int) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray):
        if len(source) > max_bytes:
            raise too_large(display, len(source), max_bytes, hint=_TRUST_HINT)
        view = memoryview(source)
        for start in range(0, len(source), _CHUNK):
            yield bytes(view[start : start + _CHUNK])
        return
    handle, _ = open_capped(Path(source), display, max_bytes, hint=_TRUST_HINT)
    with handle:
        total = 0
        while True:
            try:
                chunk = handle.read(_CHUNK)
            except OSError as exc:
                raise unreadable(display, exc) from None
            if not chunk:
                return
            total += len(chunk)
            if total > max_bytes:  # the file grew, or is not what stat said
                raise too_large(display, total, max_bytes, more=True, hint=_TRUST_HINT)
            yield chunk


def _feed(display: str | None, chunks: Iterator[bytes], builder: _Builder) -> Iterator[None]:
    """Feed ``chunks`` to a hardened parser, yielding after each; sets ``builder.root``."""
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    raw: expat.XMLParserType = parser.parser
    harden(raw, display)
    builder.parser = raw
    check: _EncodingCheck | None = None
    for chunk in chunks:
        if check is None:
            check = _EncodingCheck(chunk, display)
        bad = check.feed(chunk)
        if bad is not None:  # let earlier XML errors win, then report the bytes
            _step(parser, chunk[: bad[0]], display)
            raise bad[1]
        _step(parser, chunk, display)
        yield
    if check is not None and (bad := check.feed(b"", final=True)) is not None:
        raise bad[1]
    builder.root = _step(parser, None, display)


def _step(parser: Any, chunk: bytes | None, display: str | None) -> Any:
    """``parser.feed(chunk)`` (or ``close()`` for None) with errors made located."""
    try:
        return parser.close() if chunk is None else parser.feed(chunk)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(
            f"not well-formed XML: {expat.ErrorString(exc.code)}",
            location=Location(display, line, column + 1),
        ) from None
    except DefusedXmlException as exc:  # our handlers come first; this is a safety net
        raise UnsafeInputError(f"refused: {exc}", location=Location(display)) from None
    except (LookupError, ValueError) as exc:  # unknown or multi-byte encoding declared
        raise InputError(
            f"cannot be decoded: {exc}",
            location=Location(display, 1),
            hint="save the file as UTF-8",
        ) from None


class _EncodingCheck:
    """Decode the input alongside the parser to locate bytes invalid in its encoding."""

    def __init__(self, head: bytes, display: str | None) -> None:
        self.display = display
        self.line, self.column = 1, 0
        self.declared: str | None = None
        codec = "utf-8"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            codec = "utf-16"
        elif match := _DECLARATION.match(head):
            self.declared = match.group(1).decode("ascii")
            codec = self.declared
        elif head.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        self.label = self.declared or ("UTF-16" if codec == "utf-16" else "UTF-8")
        self.decoder: codecs.IncrementalDecoder | None = None
        try:
            info = codecs.lookup(codec)
            ascii_compatible = codec == "utf-16" or "<?xml".encode(info.name) == b"<?xml"
        except (LookupError, UnicodeError):  # expat reports the unknown encoding
            return
        if ascii_compatible:
            self.decoder = info.incrementaldecoder("strict")

    def feed(self, chunk: bytes, *, final: bool = False) -> tuple[int, InputError] | None:
        """None, or the offset in ``chunk`` of the first invalid bytes and the error."""
        if self.decoder is None:
            return None
        pending = len(self.decoder.getstate()[0])
        try:
            self._advance(self.decoder.decode(chunk, final))
        except UnicodeDecodeError as exc:
            offset = max(exc.start - pending, 0)
            bad = chunk[offset : max(exc.end - pending, offset + 1)]
            with contextlib.suppress(UnicodeDecodeError):
                self._advance(self.decoder.decode(chunk[:offset]))
            return offset, self._error(bad)
        return None

    def _error(self, bad: bytes) -> InputError:
        if bad:
            noun = "byte" if len(bad) == 1 else "bytes"
            problem = f"{noun} {' '.join(f'0x{byte:02X}' for byte in bad[:4])}"
        else:
            problem = "the input ends in the middle of a character"
        if self.declared:
            hint = (
                f'the XML declaration says encoding="{self.declared}"; save the file in '
                "that encoding or correct the declaration"
            )
        else:
            hint = (
                "XML without an encoding declaration must be UTF-8; save it as UTF-8 or "
                'declare its encoding, e.g. <?xml version="1.0" encoding="windows-1252"?>'
            )
        return InputError(
            f"is not valid {self.label}: {problem}",
            location=Location(self.display, self.line, self.column + 1),
            hint=hint,
        )

    def _advance(self, text: str) -> None:
        newlines = text.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(text) - text.rfind("\n") - 1
        else:
            self.column += len(text)
