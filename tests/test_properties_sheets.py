"""Property-based robustness of the sheet reader: generated workbooks — valid, odd or
damaged — are read or refused with a located error, never a crash, within bounds."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specheft.errors import InputError
from specheft.io.safe.xlsx import Formula, read_rows

CELLS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["=SUM(A1:A3)", "=1/0", "<script>", '=HYPERLINK("x")']),
)
ROWS = st.lists(st.lists(CELLS, max_size=8), max_size=25)
SHEET_NAMES = st.text(
    alphabet=st.characters(blacklist_characters="[]:*?/\\'", blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=20,
)


def _workbook(rows: list[list[object]], name: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    for row in rows:
        sheet.append([_clean(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _clean(value: object) -> object:
    """openpyxl refuses control characters in strings; drop them before writing."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch.isprintable() or ch == " ")
    return value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS, name=SHEET_NAMES)
def test_generated_sheets_are_read_with_their_row_numbers(rows, name):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.xlsx"
        path.write_bytes(_workbook(rows, name.strip() or "S"))
        read = list(read_rows(path))
        written = [[_clean(v) for v in row] for row in rows]
        for row in read:
            assert 1 <= row.row <= len(rows)
            assert str(path.name) in str(row.location())
            source = written[row.row - 1]
            for index, value in enumerate(row.values):
                given = source[index] if index < len(source) else None
                is_formula = isinstance(given, str) and given.startswith("=") and len(given) > 1
                # a formula is never evaluated and never passed off as text
                assert isinstance(value, Formula) == is_formula, (given, value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=ROWS,
    cut=st.integers(0, 4000),
    noise=st.binary(max_size=64),
    member=st.sampled_from(
        [
            "xl/worksheets/sheet1.xml",
            "xl/workbook.xml",
            "xl/sharedStrings.xml",
            "[Content_Types].xml",
        ]
    ),
)
def test_damaged_workbooks_are_refused_with_a_location(rows, cut, noise, member):
    with tempfile.TemporaryDirectory() as tmp:
        good = _workbook(rows, "Anforderungen")
        variants = [good[:cut] + noise]  # truncated and garbled
        source = zipfile.ZipFile(io.BytesIO(good))
        rebuilt = io.BytesIO()
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == member:
                    data = data[: len(data) // 2] + noise  # a broken XML part
                target.writestr(info.filename, data)
        variants.append(rebuilt.getvalue())
        for number, data in enumerate(variants):
            path = Path(tmp) / f"v{number}.xlsx"
            path.write_bytes(data)
            try:
                list(read_rows(path))
            except InputError as error:  # refused: said where
                assert path.name in str(error)
