"""Manual test results (UAT by key users) from a sheet: CSV or XLSX, German or English.

Columns (headers matched without case, spaces or punctuation): ``Testfall-ID``/``Test
ID`` and ``Ergebnis``/``Result`` are required; ``Tester``, ``Datum``/``Date``,
``Fehler-Nr.``/``Defect``, ``Fehlerklasse``/``Defect class`` and ``Kommentar``/``Comment``
are optional. Result words: bestanden/ok/passed, nicht bestanden/failed,
blockiert/blocked, nicht durchgeführt/not run; an empty result is *not run*. A row
naming a defect makes an open defect of that class for its test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from specheft.errors import InputError
from specheft.evidence.defects import defect_class
from specheft.evidence.mapping import Known
from specheft.evidence.model import CaseResult, Defect, DefectStatus, Outcome
from specheft.evidence.table import Row, cell, columns_of, date_cell, normalise, read_table

COLUMNS: dict[str, tuple[str, ...]] = {
    "test": ("testfallid", "testfall", "testfallnr", "testid", "testcaseid", "testcase", "test"),
    "result": ("ergebnis", "testergebnis", "result", "status", "outcome"),
    "tester": ("tester", "prüfer", "pruefer", "durchgeführtvon", "executedby"),
    "date": ("datum", "testdatum", "date", "durchgeführtam", "executedon"),
    "defect": (
        "fehlernr",
        "fehlernummer",
        "fehlerid",
        "mangelnr",
        "mangelnummer",
        "defect",
        "defectid",
        "defectno",
    ),
    "class": ("fehlerklasse", "mangelklasse", "klasse", "defectclass", "class"),
    "comment": ("kommentar", "bemerkung", "anmerkung", "comment", "comments", "remarks"),
}
REQUIRED = ("test", "result")
_DISPLAY = {"test": "Testfall-ID / Test ID", "result": "Ergebnis / Result"}

RESULT_WORDS: dict[str, Outcome] = {
    "bestanden": Outcome.PASSED,
    "ok": Outcome.PASSED,
    "passed": Outcome.PASSED,
    "pass": Outcome.PASSED,
    "io": Outcome.PASSED,
    "erfolgreich": Outcome.PASSED,
    "nichtbestanden": Outcome.FAILED,
    "failed": Outcome.FAILED,
    "fail": Outcome.FAILED,
    "nok": Outcome.FAILED,
    "nio": Outcome.FAILED,
    "fehlgeschlagen": Outcome.FAILED,
    "blockiert": Outcome.BLOCKED,
    "blocked": Outcome.BLOCKED,
    "nichtdurchgeführt": Outcome.NOT_RUN,
    "nichtdurchgefuehrt": Outcome.NOT_RUN,
    "nichtausgeführt": Outcome.NOT_RUN,
    "notrun": Outcome.NOT_RUN,
    "notexecuted": Outcome.NOT_RUN,
    "": Outcome.NOT_RUN,
}
_ALLOWED = (
    "bestanden/ok/passed, nicht bestanden/failed, blockiert/blocked, "
    "nicht durchgeführt/not run (empty: not run)"
)


@dataclass
class ManualSheet:
    cases: list[CaseResult] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)


def read_manual(path: Path, known: Known, *, name: str, stored: str) -> ManualSheet:
    """The sheet's results, one per test (a later row of a test — a retest — wins)."""
    rows = read_table(path, name, stored)
    columns = columns_of(rows[0], COLUMNS, REQUIRED, _DISPLAY)
    sheet = ManualSheet()
    latest: dict[str, CaseResult] = {}
    defects: dict[str, tuple[Defect, Row]] = {}
    for row in rows[1:]:
        raw_test = cell(row, columns, "test")
        if not raw_test:
            raise InputError("the row names no test case", location=row.location)
        word = cell(row, columns, "result")
        outcome = RESULT_WORDS.get(normalise(word))
        if outcome is None:
            raise InputError(
                f"unknown result {word!r}; allowed: {_ALLOWED}",
                location=row.location,
                item=raw_test,
            )
        test = known.test(raw_test)
        if test is None:
            raise InputError(
                f"unknown test id {raw_test!r}",
                location=row.location,
                hint=known.suggest(raw_test) or "use the test item ids of the specification",
            )
        date = date_cell(row, columns, "date", "date", test)
        if date:
            sheet.dates.append(date)
        comment = " ".join(cell(row, columns, "comment").split())
        case = CaseResult(
            name=test,
            outcome=outcome,
            message=comment,
            file=row.file,
            line=row.row,
            tests=[test],
            mapped_by="manual",
            tester=cell(row, columns, "tester"),
            executed=date,
        )
        # a retest: the later row wins, unless both are dated and it ran earlier
        previous = latest.get(test)
        if previous is None or not (date and previous.executed and date < previous.executed):
            latest[test] = case
        latest[test].attempts = (previous.attempts if previous else 0) + 1
        defect_id = cell(row, columns, "defect")
        raw_class = cell(row, columns, "class")
        if defect_id:
            if not raw_class:
                raise InputError(
                    f"defect {defect_id!r} has no defect class (1, 2 or 3)",
                    location=row.location,
                    item=test,
                )
            number = defect_class(raw_class, row, defect_id)
            if defect_id in defects:
                known_defect, first = defects[defect_id]
                if known_defect.defect_class != number:
                    raise InputError(
                        f"defect {defect_id!r} has class {number} here but "
                        f"{known_defect.defect_class} at {first.location}",
                        location=row.location,
                        item=defect_id,
                    )
                if test not in known_defect.tests:
                    known_defect.tests.append(test)
            else:
                defects[defect_id] = (
                    Defect(
                        id=defect_id,
                        defect_class=number,
                        status=DefectStatus.OPEN,
                        tests=[test],
                        title=comment,
                        file=row.file,
                        line=row.row,
                        sheet=row.sheet or "",
                    ),
                    row,
                )
        elif raw_class:
            raise InputError(
                "a defect class without a defect number (Fehler-Nr.)",
                location=row.location,
                item=test,
            )
    sheet.cases = sorted(latest.values(), key=lambda c: c.line or 0)
    sheet.defects = [defect for defect, _ in defects.values()]
    return sheet
