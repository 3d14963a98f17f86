"""The shared reading machinery for other parties' files: safe XML and XLSX.

Good files are read correctly; every hostile file is refused with the right
exception, a message naming the file and where, within a time and memory bound
(``tracemalloc`` peak). Big inputs are generated here; small ones live in
``tests/hostile/``.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import struct
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.formula import ArrayFormula

from specheft.errors import InputError, Location, UnsafeInputError
from specheft.io.safe.xlsx import (
    CellError,
    Formula,
    SheetRow,
    column_index,
    column_letter,
    read_rows,
    sheet_names,
)
from specheft.io.safe.xml import ElementPositions, iter_xml, parse_xml

HOSTILE = Path(__file__).parent / "hostile"
MiB = 1024 * 1024


@contextlib.contextmanager
def bounded(label: str, seconds: float = 5.0, megabytes: float = 100.0) -> Iterator[None]:
    """Assert the block uses at most ``seconds`` of CPU and ``megabytes`` at peak.

    CPU time of this process, not wall-clock time, so that a loaded machine or
    pytest-xdist workers sharing cores do not make the bound flaky; memory is the
    ``tracemalloc`` peak (which also slows the block down a few times).
    """
    tracemalloc.start()
    started, wall = time.process_time(), time.perf_counter()
    try:
        yield
    finally:
        cpu, wall = time.process_time() - started, time.perf_counter() - wall
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"\n[bounded] {label}: {cpu:.3f} s CPU ({wall:.3f} s wall), peak {peak / MiB:.1f} MiB")
    assert cpu < seconds, f"{label} took {cpu:.1f} s of CPU"
    assert peak < megabytes * MiB, f"{label} allocated {peak / MiB:.0f} MiB"


# -- XML ---------------------------------------------------------------------------------

REQIF = """<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a requirements tool -->
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">
  <CORE-CONTENT>
    <SPEC-OBJECT IDENTIFIER="R-1" LONG-NAME="Größe &amp; Gewicht">
      <VALUES>Das System muss &lt;wiegen&gt;.</VALUES>
    </SPEC-OBJECT>
    <SPEC-OBJECT IDENTIFIER="R-2"/>
  </CORE-CONTENT>
</REQ-IF>
"""
NS = "{http://www.omg.org/spec/ReqIF/20110401/reqif.xsd}"


def test_parse_xml_reads_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "export.reqif"
    path.write_text(REQIF, encoding="utf-8")
    positions = ElementPositions()
    root = parse_xml(path, positions=positions)
    objects = root.findall(f"{NS}CORE-CONTENT/{NS}SPEC-OBJECT")
    assert [o.get("IDENTIFIER") for o in objects] == ["R-1", "R-2"]
    assert objects[0].get("LONG-NAME") == "Größe & Gewicht"
    assert objects[0].findtext(f"{NS}VALUES") == "Das System muss <wiegen>."
    assert str(positions.location(objects[1])) == f"{path}:8:5 <SPEC-OBJECT>"
    assert parse_xml(REQIF.encode(), name="upload.reqif").tag == f"{NS}REQ-IF"


@pytest.mark.parametrize(
    ("encoding", "declaration", "text"),
    [
        ("utf-8", "", "Größe €"),
        ("utf-8-sig", "UTF-8", "Größe €"),
        ("iso-8859-1", "ISO-8859-1", "Größe"),
        ("cp1252", "windows-1252", "Größe €"),
        ("utf-16", "UTF-16", "Größe €"),
    ],
)
def test_parse_xml_respects_the_encoding_declaration(
    encoding: str, declaration: str, text: str
) -> None:
    head = f'<?xml version="1.0" encoding="{declaration}"?>\n' if declaration else ""
    assert parse_xml(f"{head}<a>{text}</a>".encode(encoding)).text == text


def test_parse_xml_keeps_a_harmless_internal_dtd() -> None:
    root = parse_xml(b'<!DOCTYPE a [<!ATTLIST a kind CDATA "req">]><a/>')
    assert root.get("kind") == "req"


def test_iter_xml_streams_with_locations(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("wb") as handle:
        handle.write(b"<root>\n")
        for i in range(50_000):
            handle.write(b'  <item id="%d"><text>Anforderung \xc3\xa4 %d</text></item>\n' % (i, i))
        handle.write(b"</root>\n")
    count = 0
    with bounded("iter_xml 50,000 items (3 MB)", seconds=10, megabytes=20):
        for event in iter_xml(path):
            if event.element.tag == "item":
                assert event.element.findtext("text") == f"Anforderung ä {count}"
                last = event.location
                count += 1
                event.element.clear()
    assert count == 50_000
    assert str(last) == f"{path}:50001:3 <item>"
    starts = [e.event for e in iter_xml(b"<a><b/></a>", events=("start", "end"))]
    assert starts == ["start", "start", "end", "end"]


def _stream(source: Path | bytes, **kwargs: object) -> object:
    return list(iter_xml(source, **kwargs))  # type: ignore[arg-type]


READERS = pytest.mark.parametrize("read", [parse_xml, _stream], ids=["parse_xml", "iter_xml"])


@READERS
@pytest.mark.parametrize(
    ("fixture", "line", "reason"),
    [
        ("billion_laughs.xml", 3, "entity declarations are not allowed (entity 'lol')"),
        ("quadratic_blowup.xml", 3, "entity declarations are not allowed (entity 'a')"),
        ("xxe_file.xml", 3, "entity declarations are not allowed (external entity 'xxe'"),
        (
            "xxe_parameter_entity.xml",
            3,
            "entity declarations are not allowed (external parameter entity 'remote'",
        ),
        ("external_dtd.xml", 2, "external DTDs are not allowed"),
        ("external_dtd_public.xml", 2, "external DTDs are not allowed"),
    ],
)
def test_hostile_xml_is_refused(
    read: Callable[..., object], fixture: str, line: int, reason: str
) -> None:
    path = HOSTILE / fixture
    with bounded(f"{fixture} ({read.__name__})"), pytest.raises(UnsafeInputError) as info:
        read(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert reason in message
    assert "passwd" not in (info.value.hint or "")
    # the same from bytes, named by the caller
    with pytest.raises(UnsafeInputError, match=rf"^upload\.xml:{line}:\d+: "):
        read(path.read_bytes(), name="upload.xml")


@READERS
def test_malformed_xml_is_located(read: Callable[..., object]) -> None:
    path = HOSTILE / "malformed.xml"
    with pytest.raises(InputError) as info:
        read(path)
    assert not isinstance(info.value, UnsafeInputError)
    assert str(info.value) == f"{path}:5:5: not well-formed XML: mismatched tag"
    assert info.value.location == Location(str(path), 5, 5)


@READERS
def test_non_utf8_bytes_in_a_utf8_file_are_located(read: Callable[..., object]) -> None:
    path = HOSTILE / "not_utf8.xml"
    with pytest.raises(InputError) as info:
        read(path)
    assert str(info.value).startswith(f"{path}:3:12: is not valid UTF-8: byte 0xF6")
    assert 'encoding="UTF-8"' in (info.value.hint or "")
    undeclared = "<a>\n\n  Grüße</a>".encode("latin-1")
    with pytest.raises(InputError, match=r"^x\.xml:3:5: is not valid UTF-8: byte 0xFC"):
        read(undeclared, name="x.xml")


@READERS
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0" encoding="klingon"?><a/>', "x.xml:1: cannot be decoded"),
        (b'<?xml version="1.0" encoding="Shift_JIS"?><a/>', "x.xml:1: cannot be decoded"),
        (b"", "x.xml:1:1: not well-formed XML: no element found"),
        (b"<a>&nbsp;</a>", "x.xml:1:4: not well-formed XML: undefined entity"),
        (b"<a>\xc3</a>", "x.xml:1:4: is not valid UTF-8: byte 0xC3"),
    ],
)
def test_undecodable_xml_is_an_input_error(
    read: Callable[..., object], data: bytes, message: str
) -> None:
    with pytest.raises(InputError) as info:
        read(data, name="x.xml")
    assert str(info.value).startswith(message)


@READERS
def test_deep_nesting_is_refused(read: Callable[..., object]) -> None:
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    with bounded(f"100,000 nested elements ({read.__name__})"), pytest.raises(UnsafeInputError):
        read(data, name="deep.xml")
    with pytest.raises(UnsafeInputError, match=r"^deep\.xml:1:31 <a>: elements are nested more"):
        read(data, name="deep.xml", max_depth=10)


def test_too_many_elements_are_refused() -> None:
    with pytest.raises(UnsafeInputError, match=r"^many\.xml:1:\d+ <b>: more than 1,000 elem"):
        parse_xml(b"<a>" + b"<b/>" * 2000 + b"</a>", name="many.xml", max_elements=1000)


@READERS
def test_oversized_xml_is_refused_before_parsing(
    read: Callable[..., object], tmp_path: Path
) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:  # 60 MiB, sparse: all NUL bytes, never parsed
        handle.truncate(60 * MiB)
    with (
        bounded(f"60 MiB file ({read.__name__})", seconds=0.5, megabytes=1),
        pytest.raises(UnsafeInputError) as info,
    ):
        read(path, max_bytes=50 * MiB)
    assert str(info.value).startswith(f"{path}: is too large: 60.0 MiB (the limit is 50.0 MiB)")
    with pytest.raises(UnsafeInputError, match=r"^small\.xml: is too large: 11 bytes"):
        read(b"<a>xxxx</a>", name="small.xml", max_bytes=10)


def test_parse_xml_default_limit_is_50_mib(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("wb") as handle:
        handle.truncate(50 * MiB + 1)
    with pytest.raises(UnsafeInputError, match=r"the limit is 50\.0 MiB"):
        parse_xml(path)


def test_missing_and_unreadable_xml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.xml: file not found"):
        parse_xml(tmp_path / "nope.xml")
    with pytest.raises(InputError, match="is a directory, not a file"):
        parse_xml(tmp_path)
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is not a regular file"):  # never opened: no wait
        parse_xml(fifo)


# -- XLSX: building workbooks ----------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def write_xlsx(
    path: Path,
    sheets: dict[str, bytes | Iterable[bytes]],
    *,
    extra: dict[str, bytes] | None = None,
    shared_strings: list[str] | None = None,
    level: int = 6,
) -> Path:
    """A minimal .xlsx written with ``zipfile``; a sheet is its XML, or chunks of it."""
    overrides = [
        ("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
        *((f"/xl/worksheets/sheet{i}.xml", "spreadsheetml.worksheet+xml") for i in range(1, 99)),
    ][: len(sheets) + 1]
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    ]
    if shared_strings is not None:
        overrides.append(("/xl/sharedStrings.xml", "spreadsheetml.sharedStrings+xml"))
        rels.append(
            f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    types = "".join(
        f'<Override PartName="{part}" ContentType="application/vnd.openxmlformats-'
        f'officedocument.{kind}"/>'
        for part, kind in overrides
    )
    entries = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, 1)
    )
    parts: dict[str, bytes | Iterable[bytes]] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/>{types}</Types>'
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{entries}</sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'.encode()
        ),
    }
    if shared_strings is not None:
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared_strings)
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{items}</sst>'.encode()
    for i, sheet in enumerate(sheets.values(), 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in parts.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
            else:
                with archive.open(name, "w", force_zip64=True) as stream:
                    for chunk in content:
                        stream.write(chunk)
    return path


def sheet(rows: str | bytes, *, dimension: str = "") -> bytes:
    data = rows.encode() if isinstance(rows, str) else rows
    head = f'<worksheet xmlns="{MAIN}">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    return head.encode() + b"<sheetData>" + data + b"</sheetData></worksheet>"


def good_workbook(path: Path) -> Path:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Anforderungen"
    first.append(["ID", "Titel", "Prio", "Datum", "Fertig"])
    first.append(["R-1", "  Größe mit Leerzeichen ", 1, datetime.date(2024, 5, 17), True])
    first.append([])
    first.append(["R-2", "Zweite", 2.5, datetime.datetime(2024, 5, 17, 13, 30), False])
    first["A6"], first["A7"] = 10, 20
    first["A8"] = "=SUM(A6:A7)"
    first["B8"] = ArrayFormula("B8:B8", "=MAX(A6:A7)")
    first["C8"] = "'=kein Formel"
    book.create_sheet("Zweites")["B2"] = "nur hier"
    chart = book.create_chartsheet("Diagramm")
    bars = BarChart()
    bars.add_data(Reference(first, min_col=3, min_row=1, max_row=4))
    chart.add_chart(bars)
    book.save(path)
    return path


# -- XLSX: good files --------------------------------------------------------------------


def test_read_rows_reads_a_good_workbook(tmp_path: Path) -> None:
    path = good_workbook(tmp_path / "anforderungen.xlsx")
    with bounded("good workbook", seconds=5, megabytes=20):
        rows = list(read_rows(path))
    assert [r.row for r in rows] == [1, 2, 4, 6, 7, 8]
    assert rows[0].values == ("ID", "Titel", "Prio", "Datum", "Fertig")
    assert rows[1].values == (
        "R-1",
        "  Größe mit Leerzeichen ",  # not stripped: the caller decides
        1,
        datetime.datetime(2024, 5, 17),
        True,
    )
    assert rows[2].values == ("R-2", "Zweite", 2.5, datetime.datetime(2024, 5, 17, 13, 30), False)
    assert rows[3].values == (10,)
    formulas = rows[5]
    assert formulas.values == (Formula("=SUM(A6:A7)"), Formula("=MAX(A6:A7)"), "'=kein Formel")
    assert formulas.value("A") == Formula("=SUM(A6:A7)") and formulas.value(9) is None
    assert str(formulas.location("B")) == f"{path}:Anforderungen!8 (column B)"
    assert str(formulas.location()) == f"{path}:Anforderungen!8"
    assert formulas.location(3) == formulas.location("C")
    assert isinstance(formulas.location(), Location)
    assert [r.row for r in read_rows(path, skip_empty=False)][:4] == [1, 2, 3, 4]
    assert list(read_rows(path, "Zweites")) == [
        SheetRow(str(path), "Zweites", 2, (None, "nur hier"))
    ]
    assert sheet_names(path) == ["Anforderungen", "Zweites"]


def test_excel_style_cells_shared_strings_and_cached_values(tmp_path: Path) -> None:
    rows = (
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c></row>'
        '<row r="3"><c r="A3"><v>1</v></c><c r="B3"><v>2.5</v></c>'
        '<c r="C3" t="b"><v>1</v></c></row>'
        '<row r="4"><c r="A4"><f>SUM(A3:B3)</f><v>3.5</v></c>'  # cached 3.5: never returned
        '<c r="B4" t="e"><v>#N/A</v></c><c r="C4" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>'
        '<c r="D4" t="inlineStr"><is><t xml:space="preserve"> inline </t></is></c></row>'
    )
    path = write_xlsx(
        tmp_path / "excel.xlsx", {"Blatt 1": sheet(rows)}, shared_strings=["Größe", "Ä&Ö"]
    )
    got = list(read_rows(path, "Blatt 1"))
    assert [(r.row, r.values) for r in got] == [
        (2, ("Größe", None, "Ä&Ö")),
        (3, (1, 2.5, True)),
        (4, (Formula("=SUM(A3:B3)"), CellError("#N/A"), Formula('="x"&"y"'), " inline ")),
    ]
    assert str(got[2].location(2)) == f"{path}:Blatt 1!4 (column B)"


def test_rows_stream_in_bounded_memory(tmp_path: Path) -> None:
    def rows() -> Iterator[bytes]:
        for start in range(1, 10_001, 5_000):
            yield b"".join(
                b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>R-%d</t></is></c>'
                b'<c r="B%d"><v>%d.5</v></c></row>' % (i, i, i, i, i)
                for i in range(start, start + 5_000)
            )

    path = write_xlsx(tmp_path / "long.xlsx", {"T": sheet(b"".join(rows()))}, level=1)
    count = 0
    with bounded("streaming 10,000 rows", seconds=10, megabytes=8):
        for row in read_rows(path):
            count += 1
            assert row.values == (f"R-{row.row}", row.row + 0.5)
    assert count == 10_000


def test_column_names() -> None:
    assert [column_letter(i) for i in (1, 26, 27, 200, 16384)] == ["A", "Z", "AA", "GR", "XFD"]
    assert [column_index(s) for s in ("A", "z", "AA", "GR", "XFD")] == [1, 26, 27, 200, 16384]


# -- XLSX: hostile files -----------------------------------------------------------------


def _refused(
    path: Path, label: str, error: type[InputError] = UnsafeInputError, **kwargs: object
) -> InputError:
    with bounded(label), pytest.raises(error) as info:
        list(read_rows(path, **kwargs))  # type: ignore[arg-type]
    assert str(info.value).startswith(str(path)), str(info.value)
    if error is InputError:
        assert not isinstance(info.value, UnsafeInputError)
    return info.value


def test_zip_bomb_total_size_is_refused(tmp_path: Path) -> None:
    spaces = b" " * MiB
    bomb = write_xlsx(
        tmp_path / "bomb.xlsx", {"Tabelle1": (spaces for _ in range(256))}, level=9
    )  # 256 MiB of spaces in ~260 KB
    assert bomb.stat().st_size < 400_000
    error = _refused(bomb, "zip bomb: 256 MiB sheet in 260 KB", max_ratio=10_000)
    assert "would unpack to 256.0 MiB (the limit is 200.0 MiB; a ZIP bomb?)" in str(error)


def test_zip_bomb_compression_ratio_is_refused(tmp_path: Path) -> None:
    bomb = write_xlsx(tmp_path / "ratio.xlsx", {"T": (b" " * MiB for _ in range(20))}, level=9)
    error = _refused(bomb, "zip bomb: 20 MiB sheet at ~1000:1")
    assert "ZIP member 'xl/worksheets/sheet1.xml' would unpack" in str(error)
    assert "(the limit is 200:1; a ZIP bomb?)" in str(error)


def test_zip_member_lying_about_its_size_is_refused(tmp_path: Path) -> None:
    body = sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>' + b" " * (40 * MiB))
    # 40 MiB really, declared as 64 KiB
    path = write_xlsx(tmp_path / "liar.xlsx", {"T": body}, level=1)
    _patch_central_directory(path, "xl/worksheets/sheet1.xml", size=64 * 1024)
    error = _refused(path, "zip member declaring 64 KiB for 40 MiB", InputError)
    assert "damaged ZIP archive" in str(error)


def test_a_million_rows_are_refused_in_bounded_memory(tmp_path: Path) -> None:
    def rows() -> Iterator[bytes]:
        yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()  # no <dimension>
        for start in range(1, 1_000_001, 10_000):
            yield b"".join(
                b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>R-%d</t>'
                b"</is></c></row>" % (i, i, i, i, i)
                for i in range(start, start + 10_000)
            )
        yield b"</sheetData></worksheet>"

    path = write_xlsx(tmp_path / "million.xlsx", {"Anforderungen": rows()}, level=1)
    error = _refused(path, "1,000,000-row sheet")
    assert str(error).startswith(f"{path}:Anforderungen!100001: has more than 100,000 rows")


def test_too_many_columns_are_refused_with_the_cell(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "wide.xlsx",
        {
            "T": sheet(
                '<row r="1"><c r="A1"><v>1</v></c></row><row r="12"><c r="GS12"><v>1</v></c></row>'
            )
        },
    )
    error = _refused(path, "value in column GS")
    assert str(error).startswith(f"{path}:T!12 (column GS): has values beyond column GR")
    assert [r.row for r in read_rows(path, max_columns=201)] == [1, 12]


def test_values_beyond_max_rows_are_refused_before_the_first_row(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "far.xlsx",
        {
            "T": sheet(
                '<row r="1"><c r="A1"><v>1</v></c></row><row r="500"><c r="A500"><v>2</v></c></row>'
            )
        },
    )
    rows = read_rows(path, max_rows=100)
    with pytest.raises(UnsafeInputError, match=r"far\.xlsx:T!500: has values beyond row 100"):
        next(rows)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (b'<row r="2000000"><c r="A2000000"><v>1</v></c></row>', "has row number 2,000,000"),
        (b'<row r="1">' + b"<c/>" * 20_000 + b"</row>", "has more than 16,384 cells in one row"),
        (b'<row r="1"><c r="XFE1"><v>1</v></c></row>', "has a cell in column 16,385"),
        (
            b'<row r="1"><c r="A1"><is>' + b"<t/>" * 300_000 + b"</is></c></row>",
            "has more than 250,000 XML elements in row 1",
        ),
    ],
    ids=["row-number", "cells-per-row", "column-number", "elements-per-row"],
)
def test_sheet_structure_beyond_excel_limits_is_refused(
    tmp_path: Path, rows: bytes, message: str
) -> None:
    path = write_xlsx(tmp_path / "odd.xlsx", {"T": sheet(rows)})
    error = _refused(path, f"sheet structure: {message}", max_ratio=10_000)  # not a ZIP bomb
    assert message in str(error)


def test_other_sheets_are_bounded_too(tmp_path: Path) -> None:
    # openpyxl reads every sheet without <dimension> to its end when opening the file
    empty_rows = b"<row/>" * 200_000
    path = write_xlsx(
        tmp_path / "two.xlsx",
        {"A": sheet('<row r="1"><c r="A1"><v>1</v></c></row>'), "B": sheet(empty_rows)},
    )
    error = _refused(path, "second sheet with 200,000 empty rows", max_ratio=10_000)
    assert str(error).startswith(f"{path}:B!100001: has more than 100,000 rows")
    with_dimension = sheet(empty_rows, dimension="A1")
    path = write_xlsx(
        tmp_path / "dim.xlsx",
        {"A": sheet('<row r="1"><c r="A1"><v>1</v></c></row>'), "B": with_dimension},
    )
    # openpyxl stops at <dimension> too
    assert [r.values for r in read_rows(path, max_ratio=10_000)] == [(1,)]


def test_rows_out_of_order_are_refused(tmp_path: Path) -> None:
    rows = '<row r="5"><c r="A5"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>'
    path = write_xlsx(tmp_path / "order.xlsx", {"T": sheet(rows)})
    error = _refused(path, "rows out of order", InputError)
    assert str(error).startswith(f"{path}:T!3: row 3 comes after row 5")
    cells = '<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
    path = write_xlsx(tmp_path / "cells.xlsx", {"T": sheet(cells)})
    error = _refused(path, "duplicate cell", InputError)
    assert "cell B1 comes after column B" in str(error)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_entities_inside_the_package_are_refused(tmp_path: Path, part: str) -> None:
    lol = (HOSTILE / "billion_laughs.xml").read_bytes().replace(b"<lolz>&lol9;</lolz>", b"")
    good = {
        "xl/worksheets/sheet1.xml": sheet('<row r="1"><c r="A1"><v>1</v></c></row>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="T" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts/></styleSheet>'.encode(),
    }
    head, rest = good[part].split(b">", 1)
    hostile = lol + head + b">&lol9;" + rest
    path = write_xlsx(
        tmp_path / "lol.xlsx", {"T": good["xl/worksheets/sheet1.xml"]}, extra={part: hostile}
    )
    error = _refused(path, f"billion laughs in {part}")
    if part == "xl/styles.xml":  # not parsed here: refused before openpyxl parses it
        assert "part 'xl/styles.xml' has a document type declaration" in str(error)
    else:
        assert str(error).startswith(f"{path}[{part}]:3:"), str(error)
        assert "entity declarations are not allowed" in str(error)


def test_formula_cells_are_markers_never_values(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "formula.xlsx",
        {"T": sheet('<row r="3"><c r="C3"><f>SUM(A1:A3)</f><v>6</v></c></row>')},
    )
    (row,) = read_rows(path)
    assert row.values == (None, None, Formula("=SUM(A1:A3)"))
    value = row.value("C")
    assert isinstance(value, Formula) and str(value) == "=SUM(A1:A3)"
    # an importer refuses it with the cell's location
    error = InputError(f"formulas are not imported: {value}", location=row.location("C"))
    assert str(error) == f"{path}:T!3 (column C): formulas are not imported: =SUM(A1:A3)"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("encrypted.xlsx", "is an encrypted (password-protected) workbook"),
        ("legacy.xls", "is an Excel 97-2003 workbook (.xls)"),
        ("garbage.xlsx", "is not an Excel workbook (.xlsx): it is not a ZIP archive"),
    ],
)
def test_encrypted_legacy_and_garbage_files_are_refused(fixture: str, message: str) -> None:
    path = HOSTILE / fixture
    error = _refused(path, fixture, InputError)
    assert str(error).startswith(f"{path}: {message}")
    assert error.hint


def test_zip_archives_that_are_not_workbooks_are_refused(tmp_path: Path) -> None:
    docx = tmp_path / "brief.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="r" Type="{REL}/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", "<document/>")
    error = _refused(docx, "a Word document", InputError)
    assert "is not an Excel workbook: its main document is <document> (a Word document?)" in str(
        error
    )
    ods = tmp_path / "tabelle.xlsx"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    error = _refused(ods, "an OpenDocument spreadsheet", InputError)
    assert "(an OpenDocument file, e.g. .ods?)" in str(error)


def test_encrypted_zip_members_and_duplicates_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "zipcrypto.xlsx", {"T": sheet("")})
    _patch_central_directory(path, "xl/worksheets/sheet1.xml", flags=0x1)
    error = _refused(path, "ZIP-encrypted member", InputError)
    assert "is encrypted (ZIP member 'xl/worksheets/sheet1.xml')" in str(error)
    twice = tmp_path / "twice.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        write_xlsx(twice, {"T": sheet("")}, extra={})
        with zipfile.ZipFile(twice, "a") as archive:
            archive.writestr(
                "xl/worksheets/sheet1.xml", sheet('<row r="1"><c r="A1"><v>666</v></c></row>')
            )
    error = _refused(twice, "duplicate ZIP member")
    assert "lists the ZIP member 'xl/worksheets/sheet1.xml' twice" in str(error)


def test_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = good_workbook(tmp_path / "anforderungen.xlsx")
    error = _refused(path, "missing sheet", InputError, sheet="anforderung")
    assert str(error) == (
        f"{path}: has no sheet 'anforderung'; its sheets are: 'Anforderungen', 'Zweites', "
        "'Diagramm'\n  hint: did you mean 'Anforderungen'?"
    )
    error = _refused(path, "chart sheet", InputError, sheet="Diagramm")
    assert "sheet 'Diagramm' is a chartsheet, not a worksheet with cells" in str(error)


def test_truncated_xlsx_is_damaged(tmp_path: Path) -> None:
    path = good_workbook(tmp_path / "cut.xlsx")
    path.write_bytes(path.read_bytes()[:3000])
    error = _refused(path, "truncated workbook", InputError)
    assert "is a damaged ZIP archive" in str(error)


def test_missing_and_oversized_xlsx(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.xlsx: file not found"):
        list(read_rows(tmp_path / "nope.xlsx"))
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(201 * MiB)
    with pytest.raises(UnsafeInputError, match=r"big\.xlsx: is too large: 201\.0 MiB"):
        list(read_rows(big))


def _patch_central_directory(
    path: Path, member: str, *, size: int | None = None, flags: int | None = None
) -> None:
    """Make ``member``'s ZIP headers lie: a declared uncompressed size, or flag bits."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        start = archive.start_dir
    local = info.header_offset
    central = start
    while data[central + 46 : central + 46 + len(member)] != member.encode():
        name_length, extra_length, comment_length = struct.unpack_from("<3H", data, central + 28)
        central += 46 + name_length + extra_length + comment_length
    if size is not None:
        struct.pack_into("<L", data, central + 24, size)
        struct.pack_into("<L", data, local + 22, size)
    if flags is not None:
        struct.pack_into("<H", data, central + 8, flags)
        struct.pack_into("<H", data, local + 6, flags)
    path.write_bytes(bytes(data))
