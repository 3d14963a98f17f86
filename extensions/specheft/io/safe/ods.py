"""Reading OpenDocument spreadsheets (.ods) from other parties without trusting them.

The same ZIP checks as :mod:`specheft.io.safe.xlsx` (regular file, size, no ZIP bomb,
no encrypted or duplicated member, bounded directory), then: the ``mimetype`` member
names a spreadsheet, the manifest declares no encryption (a password-protected .ods
is refused with a hint), and ``content.xml`` — which holds every sheet — is parsed once
with a hardened expat parser (no DTD, no entities) without building a tree. That pass
counts rows and cells *including* ``number-rows-repeated`` / ``number-columns-repeated``
(what the reading library would expand), refuses a value beyond ``max_rows`` /
``max_columns`` with its location, and records the formula cells so that a reader of
cached values can tell them apart. Other XML parts are bounded in their tags.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.parsers import expat

from specheft.errors import InputError, Location, UnsafeInputError
from specheft.io.safe.xlsx import (
    MAX_COLUMNS,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED,
    CellLocation,
    CellMark,
    Package,
    SheetPart,
    column_letter,
)
from specheft.io.safe.xml import expat_error, local_name, secure_expat

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_MAX_CONTENT_ELEMENTS = 4_000_000
_MAX_TAGS = 500_000  # per other XML part (styles.xml, meta.xml …), as for .xlsx
_SAVE_AS_ODS = "open it in LibreOffice and save it as 'ODF Spreadsheet (.ods)'"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


class OdsPackage(Package):
    """The checked .ods; sheets, bounds and formula cells come from one pass."""

    def __init__(
        self,
        path: Path,
        display: str,
        max_uncompressed: int = MAX_UNCOMPRESSED,
        max_ratio: int = MAX_RATIO,
        *,
        max_rows: int = MAX_ROWS,
        max_columns: int = MAX_COLUMNS,
    ) -> None:
        self.max_rows, self.max_columns = max_rows, max_columns
        self._marks: dict[str, dict[tuple[int, int], CellMark]] = {}
        super().__init__(path, display, max_uncompressed, max_ratio)

    def sniff(self) -> None:
        head = self.handle.read(8)
        self.handle.seek(0)
        if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise InputError(
                "is not an OpenDocument spreadsheet (.ods): it is not a ZIP archive",
                location=Location(self.display),
                hint=_SAVE_AS_ODS,
            )

    def find_sheets(self) -> list[SheetPart]:
        where = Location(self.display)
        mimetype = self.member("mimetype")
        if mimetype is None or self.zip.read(mimetype)[:100].strip() != MIMETYPE:
            raise InputError(
                "is a ZIP archive but not an OpenDocument spreadsheet (.ods)",
                location=where,
                hint=_SAVE_AS_ODS,
            )
        manifest = self.member("META-INF/manifest.xml")
        if manifest is not None:
            self.count_tags(manifest, _MAX_TAGS)
            if b"encryption-data" in self.zip.read(manifest):
                raise InputError(
                    "is an encrypted (password-protected) spreadsheet",
                    location=where,
                    hint="save it again in LibreOffice without a password",
                )
        content = self.member("content.xml")
        if content is None:
            raise InputError(
                "is not a valid .ods: content.xml is missing", location=where, hint=_SAVE_AS_ODS
            )
        for member in self.members:
            if member != content and member.casefold().endswith((".xml", ".rdf")):
                self.count_tags(member, _MAX_TAGS)
        names = _ContentScan(self, content).run()
        return [SheetPart(name, content, "worksheet") for name in names]

    def scan(
        self, target: SheetPart, max_rows: int, max_columns: int, also: Sequence[SheetPart] = ()
    ) -> None:
        """Done when the package was opened (content.xml holds every sheet)."""
        if (max_rows, max_columns) != (self.max_rows, self.max_columns):
            self.max_rows, self.max_columns = max_rows, max_columns
            _ContentScan(self, target.part).run()

    def scan_sheet(self, sheet: SheetPart, max_rows: int, max_columns: int) -> None:
        self.scan(sheet, max_rows, max_columns)

    def marks(self, sheet: SheetPart) -> dict[tuple[int, int], CellMark]:
        return self._marks.get(sheet.name, {})


class _ContentScan:
    """One hardened pass over content.xml: sheet names, bounds, formula cells."""

    def __init__(self, package: OdsPackage, part: str) -> None:
        self.package = package
        self.part = part
        self.names: list[str] = []
        self.depth = 0  # of nested tables (a table inside a cell's frame is not a sheet)
        self.row = 0  # last row number used in the current sheet
        self.repeat = 1  # rows the current row element stands for
        self.column = 0
        self.elements = 0
        self.in_cell = 0  # depth inside a cell, to notice text content
        self.cell: tuple[int, int, int] | None = None  # row, first column, repeat
        self.has_value = False

    def run(self) -> list[str]:
        name = f"{self.package.display}[{self.part}]"
        parser = secure_expat(name)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        try:
            for chunk in self.package.open_chunks(self.part):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise expat_error(exc, name) from None
        except (LookupError, ValueError) as exc:
            raise InputError(f"cannot be decoded: {exc}", location=Location(name, 1)) from None
        return self.names

    def where(self, row: int | None = None, column: int | None = None) -> Location:
        sheet = self.names[-1] if self.names else None
        return CellLocation(self.package.display, row, column, sheet)

    def _count(self, attrib: dict[str, str], name: str) -> int:
        text = attrib.get(f"{_TABLE}}}{name}", "1")
        try:
            count = int(text)
        except ValueError:
            raise InputError(
                f"has an invalid {name} {text!r}", location=self.where(self.row)
            ) from None
        if count < 1:
            raise InputError(f"has an invalid {name} {text!r}", location=self.where(self.row))
        return count

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > _MAX_CONTENT_ELEMENTS:
            raise UnsafeInputError(
                f"part {self.part!r} has more than {_MAX_CONTENT_ELEMENTS:,} XML elements",
                location=self.where(),
            )
        if self.in_cell:
            self.in_cell += 1
            if local_name(tag) == "p":
                self.has_value = True
            return
        name = local_name(tag)
        if name == "table" and _TABLE in tag:
            self.depth += 1
            if self.depth == 1:
                self.names.append(attrib.get(f"{_TABLE}}}name", f"Sheet{len(self.names) + 1}"))
                self.package._marks.setdefault(self.names[-1], {})
                self.row = 0
        elif name == "table-row" and self.depth == 1:
            self.repeat = self._count(attrib, "number-rows-repeated")
            self.row += 1
            self.column = 0
            if self.row > 1_048_576:
                raise UnsafeInputError(
                    f"has more than {1_048_576:,} rows, Excel's limit", location=self.where()
                )
        elif name in ("table-cell", "covered-table-cell") and self.depth == 1:
            repeat = self._count(attrib, "number-columns-repeated")
            first = self.column + 1
            self.column += repeat
            if self.column > 16_384:
                raise UnsafeInputError(
                    f"has more than {16_384:,} cells in one row, Excel's limit",
                    location=self.where(self.row),
                )
            self.cell = (self.row, first, repeat)
            self.has_value = f"{_OFFICE}}}value-type" in attrib
            formula = attrib.get(f"{_TABLE}}}formula")
            if formula is not None:
                marks = self.package._marks[self.names[-1]]
                for column in range(first, min(first + repeat, first + 1_000)):
                    marks[(self.row, column)] = CellMark(formula, self.has_value, None)
            self.in_cell = 1

    def end(self, tag: str) -> None:
        if self.in_cell:
            self.in_cell -= 1
            if self.in_cell == 0 and self.cell is not None:
                if self.has_value:
                    self._bounds(*self.cell)
                self.cell = None
            return
        name = local_name(tag)
        if name == "table" and _TABLE in tag:
            self.depth -= 1
        elif name == "table-row" and self.depth == 1:
            self.row += self.repeat - 1

    def _bounds(self, row: int, first: int, repeat: int) -> None:
        """A value (repeated over ``repeat`` columns and the row's repeats) within limits."""
        last_row = row + self.repeat - 1
        last_column = first + repeat - 1
        if last_row > self.package.max_rows:
            raise UnsafeInputError(
                f"has values beyond row {self.package.max_rows:,} (the limit is "
                f"{self.package.max_rows:,} rows)",
                location=self.where(row),
                hint="split the sheet, or raise max_rows for a file you trust",
            )
        if last_column > self.package.max_columns:
            raise UnsafeInputError(
                f"has values beyond column {column_letter(self.package.max_columns)} (the "
                f"limit is {self.package.max_columns} columns)",
                location=self.where(row, last_column),
                hint="remove the extra columns, or raise max_columns for a file you trust",
            )
