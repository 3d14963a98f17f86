"""Reading Excel workbooks (.xlsx) from other parties without trusting them.

:func:`read_rows` streams the rows of one sheet as :class:`SheetRow` s. Before
openpyxl sees the file it is checked here:

1. it is a regular file no larger than ``max_uncompressed``, and a ZIP archive —
   an encrypted workbook or an old ``.xls`` (OLE2) and anything else get a clear
   :class:`~specheft.errors.InputError`;
2. the ZIP directory is small (at most 10,000 members), no member is encrypted or
   listed twice, the declared uncompressed sizes add up to at most
   ``max_uncompressed`` and no large member is compressed more than ``max_ratio``:1
   (ZIP bomb → :class:`~specheft.errors.UnsafeInputError`). Python's ``zipfile``
   never inflates a member beyond its declared size, so the declarations bound
   what is read;
3. it is an OOXML spreadsheet (not ``.ods``, ``.docx``, ``.xlsb``); the sheets are
   found through the package relationships, parsed with :mod:`.safe_xml`;
4. every worksheet openpyxl will look at is scanned once with a hardened expat
   parser (no DTD, no entities) without building a tree: at most ``max_rows``
   rows, row and cell numbers within Excel's limits, a bounded number of XML
   elements per row — what openpyxl would otherwise hold in memory — and, for the
   sheet being read, rows and cells in ascending order and no value beyond
   ``max_rows`` / ``max_columns`` (a located ``UnsafeInputError`` before the first
   row is returned). Other XML parts are bounded in their number of tags.
   A worksheet in plain UTF-8 (what Excel, LibreOffice and XlsxWriter write) is
   checked from its bytes instead, where they show that the scan would pass it
   (:func:`_plain_sheet`; only its prolog goes through expat): the same limits,
   stricter, about twice as fast; whether its XML is well-formed is then left to the
   reading library, and :meth:`Package.explain` locates what that library failed on.
   In both, a cell must name its own row (python-calamine places a cell by its
   reference: ``<c r="GR9999999">`` in row 2 made it allocate two billion cells).

Then openpyxl opens the workbook with ``read_only=True`` (rows stream) and
``data_only=False``: a formula is returned as :class:`Formula`, never as the value
Excel cached for it, and an error cell as :class:`CellError`, so an importer can
refuse them with a located message. Numbers, strings, booleans and dates come
back as Python values, strings exactly as stored (not stripped).

The importers do not use :func:`read_rows`: they read through the one sheet reader,
:mod:`specheft.io.sheets.reading`, which runs the same :class:`Package` checks and
then python-calamine, and learns formula and error cells from :meth:`Package.marks`.
"""

from __future__ import annotations

import codecs
import contextlib
import posixpath
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, TypeAlias
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import DefusedXmlException

from specheft.errors import InputError, Location, SpecheftError, UnsafeInputError, did_you_mean
from specheft.io.limits import MiB, open_capped, size_text, unreadable
from specheft.io.safe.xml import expat_error, local_name, parse_xml, secure_expat

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_UNCOMPRESSED = 200 * MiB
MAX_RATIO = 200

_MAX_MEMBERS = 10_000
_MAX_CENTRAL_DIRECTORY = 4 * MiB
_RATIO_FROM = 1 * MiB  # smaller members may compress well without being bombs
_MAX_PACKAGE_XML = 16 * MiB  # relationships and workbook.xml, parsed into trees here
_MAX_TAGS = 500_000  # per XML part other than worksheets (styles.xml, workbook.xml …)
_MAX_TAGS_SHARED_STRINGS = 4_000_000
_MAX_ROW_ELEMENTS = 250_000  # XML elements in one row, or before the first row
_CHUNK = 256 * 1024
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_SAVE_AS_XLSX = "open it in Excel or LibreOffice and save it as 'Excel Workbook (*.xlsx)'"
_COLUMNS: dict[str, int] = {}  # column letters → number, filled by the scans
_MARK_HINT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]|\st\s*=\s*[\"']e[\"']")
_MAX_PLAIN = 64 * MiB  # a worksheet part the byte check holds whole (larger: expat only)
# every <row>/<c> tag, with its reference's letters and number when r="…" is its first
# attribute; and every <! (comment, CDATA, DTD) and <? (processing instruction)
_PLAIN_TAG = re.compile(
    rb'<(row|c)(?=[\s/>])(?:\s+r="([A-Z]{0,3})([0-9]{1,7})"(?=[\s/>]))?|<([!?])'
)
_ROW_TAG = re.compile(rb"<row[\s/>]")
_PREFIXED_TAG = re.compile(rb":(?:row|c|f)[\s/>]")  # <x:row>, <x:c>, <x:f>: a superset
_ERROR_TYPE = re.compile(rb"""=\s*["']e["']""")  # t="e", and more
_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_NOT_CONTROL = b"\t\n\r" + bytes(range(0x20, 256))  # bytes.translate deletes these
_DECLARED_ENCODING = re.compile(
    rb"^(?:\xef\xbb\xbf)?[ \t\r\n]*<\?xml[ \t\r\n][^>]*?"
    rb"\bencoding[ \t\r\n]*=[ \t\r\n]*[\"']([A-Za-z][A-Za-z0-9._-]*)[\"']"
)
_COLUMN_BYTES: dict[bytes, int] = {}  # column letters → number, filled by the byte check
_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula, e.g. ``Formula("=SUM(A1:A3)")``; never evaluated."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class CellError:
    """A cell holding an Excel error value, e.g. ``CellError("#N/A")``."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class CellMark:
    """What a cell's cached value does not tell: its formula (``=…``; None when it has
    none), whether the formula has a stored value, or its Excel error (``#N/A``)."""

    formula: str | None
    cached: bool
    error: str | None


CellValue: TypeAlias = (
    str | int | float | bool | datetime | date | time | timedelta | Formula | CellError | None
)


class CellLocation(Location):
    """A row or cell of a sheet; the 1-based column prints as letters.

    ``file.xlsx:Anforderungen!12 (column C)``.
    """

    def __str__(self) -> str:
        text = str(Location(self.path, self.line, sheet=self.sheet))
        if self.column is not None:
            text += f" (column {column_letter(self.column)})"
        return text


@dataclass(frozen=True)
class SheetRow:
    """One row of a sheet: ``values[0]`` is column A; trailing empty cells are dropped."""

    path: str
    sheet: str
    row: int
    values: tuple[CellValue, ...]

    def value(self, column: int | str) -> CellValue:
        """The value in ``column`` (1-based number or letters); None when empty."""
        index = column_index(column) if isinstance(column, str) else column
        return self.values[index - 1] if 1 <= index <= len(self.values) else None

    def location(self, column: int | str | None = None) -> Location:
        """``file.xlsx:Sheet!12`` or, with a column, ``file.xlsx:Sheet!12 (column C)``."""
        index = column_index(column) if isinstance(column, str) else column
        return CellLocation(self.path, self.row, index, self.sheet)


def column_letter(index: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    if index < 1:
        raise ValueError(f"column {index} is not positive")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` → 1, ``aa`` → 27."""
    if not letters.isascii() or not letters.isalpha():
        raise ValueError(f"{letters!r} is not a column name")
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - ord("A") + 1
    return index


def read_rows(
    path: Path,
    sheet: str | None = None,
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_ratio: int = MAX_RATIO,
    name: str | None = None,
    skip_empty: bool = True,
) -> Iterator[SheetRow]:
    """The rows of ``sheet`` (default: the first worksheet) as :class:`SheetRow` s.

    Lazy: the file is checked and opened at the first ``next()``, so errors surface
    there. ``name`` is how the file is called in messages (default: the path). Rows
    without any value are skipped unless ``skip_empty`` is false. A value beyond
    ``max_rows`` or ``max_columns`` is refused with a located
    :class:`UnsafeInputError` before the first row is returned. See the module
    documentation for everything else that is checked.
    """
    display = name or str(path)
    with Package(Path(path), display, max_uncompressed, max_ratio) as package:
        target = package.worksheet(sheet)
        package.scan(target, max_rows, max_columns)
        workbook = package.load()
        package.closing(workbook)
        try:
            worksheet = workbook[target.name]
        except KeyError:
            raise InputError(
                f"sheet {target.name!r} cannot be opened", location=Location(display)
            ) from None
        if not hasattr(worksheet, "iter_rows"):
            raise InputError(
                f"sheet {target.name!r} is not a worksheet", location=Location(display)
            )
        opened = str(getattr(worksheet, "_worksheet_path", target.part)).lstrip("/")
        if opened != target.part:  # openpyxl resolved the sheet differently: check its part
            sheet_read = SheetPart(target.name, opened, "worksheet")
            _SheetScan(package, sheet_read, max_rows, max_columns, full=True).run()
        worksheet.reset_dimensions()  # a <dimension> from the file may lie
        rows = worksheet.iter_rows()
        number = 0
        while True:
            try:
                cells = next(rows, None)
            except (SpecheftError, MemoryError):
                raise
            except Exception as exc:  # openpyxl on a damaged file: anything, located
                where = CellLocation(display, number + 1, sheet=target.name)
                raise _openpyxl_error(exc, where) from None
            if cells is None:
                return
            number += 1
            values = [_value(cell) for cell in cells]
            while values and values[-1] is None:
                values.pop()
            if len(values) > max_columns:
                column = next(
                    i for i, v in enumerate(values, 1) if i > max_columns and v is not None
                )
                raise _too_many_columns(display, target.name, number, column, max_columns)
            if values and number > max_rows:
                raise _too_many_rows(display, target.name, number, max_rows)
            if values or not skip_empty:
                yield SheetRow(display, target.name, number, tuple(values))


def sheet_names(
    path: Path,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_ratio: int = MAX_RATIO,
    name: str | None = None,
) -> list[str]:
    """The names of the worksheets (not chart sheets) in workbook order, after the same
    package checks as :func:`read_rows` (worksheets are not scanned)."""
    with Package(Path(path), name or str(path), max_uncompressed, max_ratio) as package:
        return [sheet.name for sheet in package.sheets if sheet.kind == "worksheet"]


@dataclass(frozen=True)
class SheetPart:
    """A sheet of a workbook and the package part holding its cells."""

    name: str
    part: str  # member of the ZIP archive
    kind: str  # "worksheet", "chartsheet", …


class Package:
    """The checked .xlsx: file handle, ZIP directory and sheets; a context manager.

    Subclasses for other ZIP formats (:mod:`specheft.io.safe.ods`) override
    ``sniff``, ``find_sheets``, ``scan`` and ``marks``; the ZIP checks are shared.
    """

    def __init__(self, path: Path, display: str, max_uncompressed: int, max_ratio: int) -> None:
        self.display = display
        self._stack = contextlib.ExitStack()
        handle, size = open_capped(path, display, max_uncompressed)
        self.handle: IO[bytes] = self._stack.enter_context(handle)
        try:
            self.sniff()
            self._check_directory(size)
            try:
                self.zip = self._stack.enter_context(zipfile.ZipFile(self.handle))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
                raise self.damaged(exc) from None
            self._check_members(max_uncompressed, max_ratio)
            self.members = {info.filename: info for info in self.zip.infolist()}
            #: parts a full scan found without formula or error cell
            self.unmarked: set[str] = set()
            #: worksheet parts the byte check passed (their XML was not parsed)
            self.plain: set[str] = set()
            self._folded = {name.casefold(): name for name in self.members}
            self.sheets = self.find_sheets()
        except OSError as exc:
            self._stack.close()
            raise unreadable(display, exc) from None
        except BaseException:
            self._stack.close()
            raise

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def closing(self, workbook: Any) -> None:
        self._stack.callback(workbook.close)

    # -- before any XML is read ---------------------------------------------------

    def sniff(self) -> None:
        head = self.handle.read(8)
        self.handle.seek(0)
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return
        if head == _OLE2:
            if self.contains(_ENCRYPTED_PACKAGE):
                raise InputError(
                    "is an encrypted (password-protected) workbook",
                    location=Location(self.display),
                    hint="remove the password in Excel (File → Info → Protect Workbook) "
                    "and save it again",
                )
            raise InputError(
                "is an Excel 97-2003 workbook (.xls) or another OLE2 file, not .xlsx",
                location=Location(self.display),
                hint=_SAVE_AS_XLSX,
            )
        raise InputError(
            "is not an Excel workbook (.xlsx): it is not a ZIP archive",
            location=Location(self.display),
            hint=_SAVE_AS_XLSX,
        )

    def contains(self, needle: bytes) -> bool:
        tail = b""
        self.handle.seek(0)
        while chunk := self.handle.read(_CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
        return False

    def _check_directory(self, size: int) -> None:
        """Refuse a huge ZIP central directory before ``zipfile`` loads it."""
        tail_size = min(size, 22 + 65535)
        self.handle.seek(size - tail_size)
        tail = self.handle.read(tail_size)
        self.handle.seek(0)
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) - end < 22:
            raise self.damaged("no end of central directory")
        fields = struct.unpack("<4s4H2LH", tail[end : end + 22])
        entries, directory_size = fields[4], fields[5]
        if entries == 0xFFFF or directory_size == 0xFFFFFFFF or fields[6] == 0xFFFFFFFF:
            locator = tail[end - 20 : end] if end >= 20 else b""
            if not locator.startswith(b"PK\x06\x07"):
                raise self.damaged("ZIP64 locator missing")
            offset = struct.unpack("<4sLQL", locator)[2]
            self.handle.seek(offset)
            record = self.handle.read(56)
            self.handle.seek(0)
            if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
                raise self.damaged("ZIP64 end of central directory missing")
            zip64 = struct.unpack("<4sQ2H2L4Q", record)
            entries, directory_size = zip64[7], zip64[8]
        if entries > _MAX_MEMBERS or directory_size > _MAX_CENTRAL_DIRECTORY:
            raise UnsafeInputError(
                f"has a ZIP directory of {entries:,} members and {size_text(directory_size)} "
                f"(the limits are {_MAX_MEMBERS:,} members and "
                f"{size_text(_MAX_CENTRAL_DIRECTORY)})",
                location=Location(self.display),
            )

    def _check_members(self, max_uncompressed: int, max_ratio: int) -> None:
        infos = self.zip.infolist()
        if len(infos) > _MAX_MEMBERS:
            raise UnsafeInputError(
                f"has {len(infos):,} ZIP members (the limit is {_MAX_MEMBERS:,})",
                location=Location(self.display),
            )
        seen: set[str] = set()
        for info in infos:
            if info.filename in seen:
                raise UnsafeInputError(
                    f"lists the ZIP member {info.filename!r} twice", location=Location(self.display)
                )
            seen.add(info.filename)
            if info.flag_bits & 0x1:
                raise InputError(
                    f"is encrypted (ZIP member {info.filename!r})",
                    location=Location(self.display),
                    hint="save the workbook again without a password",
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise InputError(
                    f"uses compression method {info.compress_type} for {info.filename!r}; "
                    ".xlsx files use Deflate",
                    location=Location(self.display),
                    hint=_SAVE_AS_XLSX,
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= _RATIO_FROM and ratio > max_ratio:
                raise UnsafeInputError(
                    f"ZIP member {info.filename!r} would unpack {size_text(info.compress_size)} to "
                    f"{size_text(info.file_size)}, {ratio:,.0f}:1 (the limit is {max_ratio}:1; "
                    "a ZIP bomb?)",
                    location=Location(self.display),
                )
        total = sum(info.file_size for info in infos)
        if total > max_uncompressed:
            raise UnsafeInputError(
                f"would unpack to {size_text(total)} (the limit is {size_text(max_uncompressed)}; "
                "a ZIP bomb?)",
                location=Location(self.display),
            )

    # -- the package structure ------------------------------------------------------

    def member(self, part: str) -> str | None:
        part = part.lstrip("/")
        return part if part in self.members else self._folded.get(part.casefold())

    def _xml(self, part: str) -> Element:
        member = self.member(part)
        if member is None:
            raise InputError(
                f"is not a valid .xlsx: the part {part!r} is missing",
                location=Location(self.display),
                hint=_SAVE_AS_XLSX,
            )
        if self.members[member].file_size > _MAX_PACKAGE_XML:
            raise UnsafeInputError(
                f"part {member!r} is larger than {size_text(_MAX_PACKAGE_XML)}",
                location=Location(self.display),
            )
        try:
            data = self.zip.read(member)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise self.damaged(exc) from None
        return parse_xml(data, name=f"{self.display}[{member}]", max_bytes=_MAX_PACKAGE_XML)

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """``{Id: (Type, target part)}`` of ``part``'s internal relationships."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if self.member(rels) is None:
            return {}
        result: dict[str, tuple[str, str]] = {}
        for element in self._xml(rels):
            if local_name(element.tag) != "Relationship":
                continue
            if element.get("TargetMode") == "External":
                continue
            target = element.get("Target", "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            result[element.get("Id", "")] = (element.get("Type", ""), resolved)
        return result

    def find_sheets(self) -> list[SheetPart]:
        names = self.members
        if self.member("[Content_Types].xml") is None:
            raise InputError(
                f"is a ZIP archive but not an Excel workbook (.xlsx){self._guess(names)}",
                location=Location(self.display),
                hint=_SAVE_AS_XLSX,
            )
        main = next(
            (t for kind, t in self._relationships("").values() if kind.endswith("/officeDocument")),
            None,
        )
        if main is None or self.member(main) is None:
            raise InputError(
                f"is not a valid .xlsx: it has no main document{self._guess(names)}",
                location=Location(self.display),
                hint=_SAVE_AS_XLSX,
            )
        if main.casefold().endswith(".bin"):
            raise InputError(
                "is a binary workbook (.xlsb), which cannot be read",
                location=Location(self.display),
                hint=_SAVE_AS_XLSX,
            )
        workbook = self._xml(main)
        if local_name(workbook.tag) != "workbook":
            raise InputError(
                f"is not an Excel workbook: its main document is <{local_name(workbook.tag)}>"
                f"{self._guess(names)}",
                location=Location(self.display),
                hint=_SAVE_AS_XLSX,
            )
        relationships = self._relationships(main)
        sheets: list[SheetPart] = []
        for group in workbook:
            if local_name(group.tag) != "sheets":
                continue
            for element in group:
                if local_name(element.tag) != "sheet":
                    continue
                rel_id = next((v for k, v in element.attrib.items() if local_name(k) == "id"), "")
                kind, part = relationships.get(rel_id, ("", ""))
                member = self.member(part) if part else None
                sheets.append(
                    SheetPart(element.get("name", ""), member or part, kind.rsplit("/")[-1])
                )
        return sheets

    @staticmethod
    def _guess(names: dict[str, zipfile.ZipInfo]) -> str:
        if "mimetype" in names or "content.xml" in names:
            return " (an OpenDocument file, e.g. .ods?)"
        if "word/document.xml" in names:
            return " (a Word document?)"
        if "ppt/presentation.xml" in names:
            return " (a PowerPoint presentation?)"
        return ""

    def worksheet(self, name: str | None) -> SheetPart:
        if name is None:
            for sheet in self.sheets:
                if sheet.kind == "worksheet":
                    return sheet
            raise InputError("has no worksheet", location=Location(self.display))
        for sheet in self.sheets:
            if sheet.name == name:
                if sheet.kind != "worksheet":
                    raise InputError(
                        f"sheet {name!r} is a {sheet.kind or 'sheet of unknown type'}, "
                        "not a worksheet with cells",
                        location=Location(self.display),
                    )
                if self.member(sheet.part) is None:
                    raise InputError(
                        f"is not a valid .xlsx: sheet {name!r} ({sheet.part!r}) is missing",
                        location=Location(self.display),
                    )
                return sheet
        names = [sheet.name for sheet in self.sheets]
        listed = ", ".join(repr(n) for n in names) or "none"
        raise InputError(
            f"has no sheet {name!r}; its sheets are: {listed}",
            location=Location(self.display),
            hint=did_you_mean(name, names),
        )

    # -- scanning the XML parts -------------------------------------------------------

    def scan(
        self, target: SheetPart, max_rows: int, max_columns: int, also: Sequence[SheetPart] = ()
    ) -> None:
        """Bound what openpyxl will hold in memory; check the values of ``target`` and of
        the sheets in ``also`` (all to be read) fully."""
        scanned = set()
        for sheet in (target, *also):
            if sheet.part not in scanned:
                scanned.add(sheet.part)
                self._scan_sheet(sheet, max_rows, max_columns, full=True)
        for sheet in self.sheets:
            if sheet.kind == "worksheet" and sheet.part not in scanned and self.member(sheet.part):
                scanned.add(sheet.part)
                self._scan_sheet(sheet, max_rows, max_columns, full=False)
        for member in self.members:
            lowered = member.casefold()
            if member in scanned or not lowered.endswith((".xml", ".rels")):
                continue
            if lowered.startswith("xl/worksheets/") and "/" not in lowered[14:]:
                orphan = SheetPart(member, member, "worksheet")  # not in the workbook
                self._scan_sheet(orphan, max_rows, max_columns, full=False)
                continue
            limit = _MAX_TAGS_SHARED_STRINGS if "sharedstrings" in lowered else _MAX_TAGS
            self.count_tags(member, limit)

    def scan_sheet(self, sheet: SheetPart, max_rows: int, max_columns: int) -> None:
        """Check one more sheet's values fully (after :meth:`scan`), before it is read."""
        self._scan_sheet(sheet, max_rows, max_columns, full=True)

    def _scan_sheet(self, sheet: SheetPart, max_rows: int, max_columns: int, *, full: bool) -> None:
        """The byte check of :func:`_plain_sheet` where it can vouch for a sheet to be
        read, else the expat scan (which also locates what is wrong; for a sheet not read
        it stops at the ``<dimension>`` before the rows, cheaper than the byte check)."""
        info = self.members.get(sheet.part)
        if full and info is not None and info.file_size <= _MAX_PLAIN:
            data = b"".join(self.open_chunks(sheet.part))
            marked = _plain_sheet(data, f"{self.display}[{sheet.part}]", max_rows, max_columns)
            if marked is not None:
                self.plain.add(sheet.part)
                if not marked:
                    self.unmarked.add(sheet.part)
                return
        if full:
            self.unmarked.add(sheet.part)  # until the scan sees a formula or error
        _SheetScan(self, sheet, max_rows, max_columns, full=full).run()

    def explain(self, sheet: SheetPart, max_rows: int, max_columns: int) -> None:
        """Raise the located error of the expat scan of ``sheet`` if it finds one: after
        the reading library failed on a sheet the byte check passed (which leaves checking
        that the XML is well-formed to that library)."""
        if sheet.part in self.plain:
            _SheetScan(self, sheet, max_rows, max_columns, full=True).run()

    def count_tags(self, member: str, limit: int) -> None:
        """Bound a part openpyxl parses into objects, by its ``<`` count, cheaply.

        Also refuses a DOCTYPE, so that entities are refused here whether or not
        openpyxl uses defusedxml (``OPENPYXL_DEFUSEDXML``).
        """
        tags, tail = 0, b""
        for chunk in self.open_chunks(member):
            if not tail and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                self._count_elements(member, limit)
                return
            if b"<!DOCTYPE" in tail + chunk[:16] or b"<!DOCTYPE" in chunk:
                raise UnsafeInputError(
                    f"part {member!r} has a document type declaration (<!DOCTYPE …>), "
                    "which .xlsx files never have",
                    location=Location(self.display),
                )
            tail = chunk[-16:]
            tags += chunk.count(b"<")
            if tags > limit:
                raise self._too_many_tags(member, limit)

    def _count_elements(self, member: str, limit: int) -> None:
        """Like :meth:`_count_tags` for a UTF-16 part, with a hardened expat parser."""
        name = f"{self.display}[{member}]"
        parser = secure_expat(name)
        count = 0

        def start(tag: str, attrib: dict[str, str]) -> None:
            nonlocal count
            count += 1
            if count > limit:
                raise self._too_many_tags(member, limit)

        parser.StartElementHandler = start
        try:
            for chunk in self.open_chunks(member):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise expat_error(exc, name) from None
        except (LookupError, ValueError) as exc:  # an unknown or multi-byte encoding
            raise InputError(f"cannot be decoded: {exc}", location=Location(name, 1)) from None

    def _too_many_tags(self, member: str, limit: int) -> UnsafeInputError:
        return UnsafeInputError(
            f"part {member!r} has more than {limit:,} XML tags", location=Location(self.display)
        )

    def open_chunks(self, member: str) -> Iterator[bytes]:
        try:
            with self.zip.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    yield chunk
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise self.damaged(exc) from None

    def damaged(self, reason: object) -> InputError:
        return InputError(
            f"is a damaged ZIP archive: {reason}",
            location=Location(self.display),
            hint=_SAVE_AS_XLSX,
        )

    def marks(self, sheet: SheetPart) -> dict[tuple[int, int], CellMark]:
        """Cells of ``sheet`` holding a formula or an error value, by (row, column).

        A reader that gets cached values (python-calamine) learns here which values
        came from a formula, which formula has no stored value (no ``<v>``, or an empty
        one on a cell not of type string: openpyxl writes ``<v></v>``) and which cell
        is an Excel error. One hardened expat pass, after :meth:`scan`.
        """
        found: dict[tuple[int, int], CellMark] = {}
        if sheet.part in self.unmarked or not self._may_have_marks(sheet.part):
            return found  # most sheets (every export of specheft): no second parse
        state: dict[str, Any] = {"cell": None, "f": None, "v": None, "t": "", "in": ""}

        def start(name: str, attrib: dict[str, str]) -> None:
            tag = local_name(name)
            if tag == "c":
                match = _CELL_REFERENCE.fullmatch(attrib.get("r", ""))
                state.update(
                    cell=(int(match[2]), column_index(match[1])) if match else None,
                    f=None,
                    v=None,
                    t=attrib.get("t", ""),
                )
            elif tag in ("f", "v"):
                state["in"] = tag
                state[tag] = state[tag] or ""

        def text(data: str) -> None:
            if state["in"]:
                state[state["in"]] += data

        def end(name: str) -> None:
            tag = local_name(name)
            if tag in ("f", "v"):
                state["in"] = ""
            elif tag == "c" and state["cell"]:
                value = state["v"] or ""
                if state["f"] is not None:
                    cached = bool(value.strip()) or state["t"] == "str"
                    found[state["cell"]] = CellMark("=" + state["f"], cached, None)
                elif state["t"] == "e":
                    found[state["cell"]] = CellMark(None, True, value)

        name = f"{self.display}[{sheet.part}]"
        parser = secure_expat(name)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
        try:
            for chunk in self.open_chunks(sheet.part):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise expat_error(exc, name) from None
        return found

    def _may_have_marks(self, part: str) -> bool:
        """Whether the part's bytes hold a formula element or an error cell at all (a
        cheap byte search; the parse in :meth:`marks` decides). Prefixed elements
        (``<x:f>``) and any quoting of ``t`` count too."""
        tail = b""
        for chunk in self.open_chunks(part):
            window = tail + chunk
            if _MARK_HINT.search(window):
                return True
            tail = window[-32:]
        return False

    # -- openpyxl -----------------------------------------------------------------------

    def load(self) -> Any:
        import openpyxl

        self.handle.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return openpyxl.load_workbook(
                    self.handle,
                    read_only=True,
                    data_only=False,
                    keep_links=False,
                    keep_vba=False,
                    rich_text=False,
                )
        except (SpecheftError, MemoryError):
            raise
        except Exception as exc:
            raise _openpyxl_error(exc, Location(self.display)) from None


class _Stop(Exception):
    """Ends a scan early: openpyxl will not read further either."""


# element kinds in a worksheet
_OTHER, _ROW, _CELL, _VALUE, _DIMENSION, _FORMULA = range(6)
_KINDS = {
    "row": _ROW,
    "c": _CELL,
    "v": _VALUE,
    "f": _FORMULA,  # a value too
    "is": _VALUE,
    "dimension": _DIMENSION,
}


class _SheetScan:
    """One pass of a hardened expat parser over a worksheet part, without a tree.

    Every scan bounds what openpyxl holds when it opens the workbook (it reads each
    sheet without a ``<dimension>`` to the end): at most ``max_rows`` ``<row>``
    elements, row and column numbers within Excel's limits, at most 16,384 cells
    and a bounded number of other elements per row. ``full`` also checks the sheet
    that will be read: no value beyond ``max_rows`` / ``max_columns``, rows and
    cells in ascending order. Otherwise the scan stops at a ``<dimension>`` before
    the rows, as openpyxl does.
    """

    def __init__(
        self, package: Package, sheet: SheetPart, max_rows: int, max_columns: int, *, full: bool
    ) -> None:
        self.package = package
        self.sheet = sheet
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.full = full
        self.kinds: dict[str, int] = {}
        self.rows = 0  # <row> elements seen
        self.row = 0  # current row number
        self.cells = 0  # <c> elements in the current row
        self.column = 0  # current column number
        self.elements = 0  # other elements in the current row, or before the first
        self.checked = True  # the current cell's value was checked

    def run(self) -> None:
        name = f"{self.package.display}[{self.sheet.part}]"
        parser = secure_expat(name)
        parser.StartElementHandler = self.start
        try:
            for chunk in self.package.open_chunks(self.sheet.part):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Stop:
            return
        except expat.ExpatError as exc:
            raise expat_error(exc, name) from None
        except (LookupError, ValueError) as exc:  # an unknown or multi-byte encoding
            raise InputError(f"cannot be decoded: {exc}", location=Location(name, 1)) from None

    def where(self, column: int | None = None) -> Location:
        return CellLocation(self.package.display, self.row or None, column, self.sheet.name)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        kind = self.kinds.get(tag)
        if kind is None:
            kind = self.kinds[tag] = _KINDS.get(local_name(tag), _OTHER)
        if kind == _ROW:
            self._row(attrib.get("r"))
        elif kind == _CELL:
            self._cell(attrib.get("r"))
            if attrib.get("t") == "e":
                self.package.unmarked.discard(self.sheet.part)
        else:
            if kind == _FORMULA:
                self.package.unmarked.discard(self.sheet.part)
                kind = _VALUE
            self.elements += 1
            if self.elements > _MAX_ROW_ELEMENTS:
                where = f"row {self.row}" if self.rows else "the worksheet before its rows"
                raise UnsafeInputError(
                    f"has more than {_MAX_ROW_ELEMENTS:,} XML elements in {where}",
                    location=self.where(),
                )
            if kind == _VALUE and not self.checked:
                self.checked = True
                if self.row > self.max_rows:
                    raise _too_many_rows(
                        self.package.display, self.sheet.name, self.row, self.max_rows
                    )
                if self.column > self.max_columns:
                    raise _too_many_columns(
                        self.package.display,
                        self.sheet.name,
                        self.row,
                        self.column,
                        self.max_columns,
                    )
            elif kind == _DIMENSION and not self.full and not self.rows:
                raise _Stop

    def _row(self, reference: str | None) -> None:
        self.rows += 1
        previous = self.row
        if reference is None:
            self.row += 1
        else:
            self.row = _row_number(reference, self)
        if self.rows > self.max_rows:
            raise UnsafeInputError(
                f"has more than {self.max_rows:,} rows (the limit is {self.max_rows:,})",
                location=self.where(),
                hint="split the sheet, or raise max_rows for a file you trust",
            )
        if not 1 <= self.row <= EXCEL_MAX_ROWS:
            raise UnsafeInputError(
                f"has row number {self.row:,}, beyond Excel's limit of {EXCEL_MAX_ROWS:,}",
                location=CellLocation(self.package.display, sheet=self.sheet.name),
            )
        if self.full and self.row <= previous:
            raise InputError(
                f"row {self.row} comes after row {previous}; rows must be in ascending order",
                location=self.where(),
                hint=_SAVE_AS_XLSX,
            )
        self.cells = self.column = self.elements = 0

    def _cell(self, reference: str | None) -> None:
        self.cells += 1
        if self.cells > EXCEL_MAX_COLUMNS:
            raise UnsafeInputError(
                f"has more than {EXCEL_MAX_COLUMNS:,} cells in one row, Excel's limit",
                location=self.where(),
            )
        previous = self.column
        if reference is None:
            self.column += 1
        else:
            # "B12": the letters of a row's cells repeat row after row, so their number
            # is looked up; anything unusual ("$B$12", lower case) takes the full check
            letters = reference.rstrip("0123456789")
            digits = reference[len(letters) :]
            known = _COLUMNS.get(letters) if digits else None
            if known is None:
                match = _CELL_REFERENCE.fullmatch(reference)
                if match is None:
                    raise InputError(
                        f"has an invalid cell reference {reference!r}", location=self.where()
                    )
                known, digits = column_index(match.group(1)), match.group(2)
                if match.group(1) == letters and len(_COLUMNS) < 20_000:
                    _COLUMNS[letters] = known
            self.column = known
            # a reader places the cell by its reference (python-calamine allocates every
            # cell up to it): <c r="B9999999"> in row 2 must not pass as a cell of row 2
            if self.full and int(digits) != self.row:
                raise InputError(
                    f"has the cell {reference!r} in row {self.row}; a cell must name its own row",
                    location=self.where(),
                    hint=_SAVE_AS_XLSX,
                )
        if self.column > EXCEL_MAX_COLUMNS:
            raise UnsafeInputError(
                f"has a cell in column {self.column:,}, beyond Excel's limit of "
                f"{EXCEL_MAX_COLUMNS:,}",
                location=self.where(),
            )
        if self.full and self.column <= previous:
            raise InputError(
                f"cell {reference or self.column} comes after column {column_letter(previous)}; "
                "cells must be in ascending order",
                location=self.where(),
                hint=_SAVE_AS_XLSX,
            )
        self.checked = False


def _plain_sheet(data: bytes, name: str, max_rows: int, max_columns: int) -> bool | None:
    """Whether the worksheet part ``data`` may hold a formula or an error cell, when its
    bytes alone show that the expat scan (:class:`_SheetScan`, ``full=True``) would pass
    it; None when they do not (the scan then decides and locates what is wrong).

    Vouches only for plain UTF-8 XML without control characters: past the root's start
    tag no comment, CDATA section, DTD or processing instruction and no prefixed ``row``,
    ``c`` or ``f`` element, so each ``<row``/``<c`` in the bytes is an element as any XML
    reader sees it; each has ``r="…"`` as its first attribute, rows ascend within
    ``max_rows``, each cell names its own row and its columns ascend within
    ``max_columns``, and no stretch between rows is long enough for
    ``_MAX_ROW_ELEMENTS`` tags. A reader that places a cell by its reference
    (python-calamine) then allocates no cell beyond the limits. The prolog goes through
    the hardened expat parser (entity declarations are refused there as in the scan);
    whether the rest is well-formed is left to the reading library, whose error
    :meth:`Package.explain` locates. About twice as fast as the expat scan, which
    calls back into Python for every element (N=5000 export: ~0.3 s instead of ~0.6 s).
    """
    if data.translate(None, _NOT_CONTROL) or (not data.isascii() and not _is_utf8(data)):
        return None  # NUL (UTF-16), control characters or not UTF-8: expat says which
    declared = _DECLARED_ENCODING.match(data)
    if declared is not None and declared[1].lower() not in (b"utf-8", b"utf8"):
        return None
    root = _root_offset(data, name)
    if root is None:
        return None
    if _PREFIXED_TAG.search(data, root):
        return None
    last_row, last_column = min(max_rows, EXCEL_MAX_ROWS), min(max_columns, EXCEL_MAX_COLUMNS)
    row, column, digits = 0, 0, b""
    columns = _COLUMN_BYTES
    for tag, letters, number, _other in _PLAIN_TAG.findall(data, root):
        if letters:  # <c r="B12"> (or <row r="B12">)
            if number != digits or tag != b"c":
                return None  # a cell naming another row (or none: before the first row)
            known = columns.get(letters)
            if known is None:
                known = column_index(letters.decode("ascii"))
                if len(columns) < 20_000:
                    columns[letters] = known
            if not column < known <= last_column:
                return None
            column = known
        elif tag == b"row" and number and number[0] != 0x30:  # <row r="12">, not "012"
            value = int(number)
            if not row < value <= last_row:
                return None
            row, column, digits = value, 0, number
        else:  # <c> without a reference, <c r="12">, <row>, <!…>, <?…?>
            return None
    # a tag takes at least 3 bytes ("<a>"): a short stretch between rows holds few (the
    # first stretch counts the prolog too)
    if len(data) - root > 3 * _MAX_ROW_ELEMENTS and max(map(len, _ROW_TAG.split(data))) > (
        3 * _MAX_ROW_ELEMENTS
    ):
        return None
    return bool(
        _FORMULA_TAG.search(data, root)
        or (
            (data.find(b'"e"', root) >= 0 or data.find(b"'e'", root) >= 0)
            and _ERROR_TYPE.search(data, root)
        )
        or data.find(b"&#", root) >= 0  # t="&#101;" is t="e" too
    )


def _is_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start : start + _CHUNK])
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def _root_offset(data: bytes, name: str) -> int | None:
    """Where the root element's start tag begins, after the hardened expat parser read
    the prolog (a DTD can only stand there); None when the prolog is not well-formed."""
    parser = secure_expat(name)
    found = -1

    def start(tag: str, attrib: dict[str, str]) -> None:
        nonlocal found
        found = parser.CurrentByteIndex
        raise _Stop

    parser.StartElementHandler = start
    try:
        for begin in range(0, len(data), _CHUNK):
            parser.Parse(data[begin : begin + _CHUNK], False)
        parser.Parse(b"", True)
    except _Stop:
        return found if found >= 0 else None
    except (expat.ExpatError, LookupError, ValueError):
        return None
    return None


def _row_number(reference: str, scan: _SheetScan) -> int:
    try:
        return int(reference)
    except ValueError:
        pass
    try:
        number = float(reference)
    except ValueError:
        number = 0.5
    if not number.is_integer():
        raise InputError(f"has an invalid row number {reference!r}", location=scan.where())
    return int(number)


def _value(cell: Any) -> CellValue:
    value = cell.value
    if value is None:
        return None
    kind = cell.data_type
    if kind == "f":
        if isinstance(value, str):
            return Formula(value)
        text = getattr(value, "text", None)
        if isinstance(text, str):  # ArrayFormula
            return Formula(text)
        first, second = getattr(value, "r1", None) or "", getattr(value, "r2", None) or ""
        return Formula(f"=TABLE({first},{second})")  # DataTableFormula
    if kind == "e":
        return CellError(str(value))
    if isinstance(value, str | int | float | bool | datetime | date | time | timedelta):
        return value
    return str(value)


def _too_many_rows(display: str, sheet: str, row: int, limit: int) -> UnsafeInputError:
    return UnsafeInputError(
        f"has values beyond row {limit:,} (the limit is {limit:,} rows)",
        location=CellLocation(display, row, sheet=sheet),
        hint="split the sheet, or raise max_rows for a file you trust",
    )


def _too_many_columns(
    display: str, sheet: str, row: int, column: int, limit: int
) -> UnsafeInputError:
    return UnsafeInputError(
        f"has values beyond column {column_letter(limit)} (the limit is {limit} columns)",
        location=CellLocation(display, row, column, sheet),
        hint="remove the extra columns, or raise max_columns for a file you trust",
    )


def _openpyxl_error(exc: Exception, where: Location) -> InputError:
    if isinstance(exc, DefusedXmlException):
        return UnsafeInputError(f"refused: {exc}", location=where)
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError):
        return InputError(f"is a damaged ZIP archive: {exc}", location=where, hint=_SAVE_AS_XLSX)
    reason = str(exc) or type(exc).__name__
    return InputError(
        f"cannot be read as an Excel workbook: {reason}", location=where, hint=_SAVE_AS_XLSX
    )
