"""The byte cap of every reader of other parties' files (specheft.io.limits): one message
naming the file, its size and the limit, exit 2, nothing written.

The caps are hundreds of MiB, so each test lowers the reader's own constant (there is no
setting for them; JUnit's ``[results] max_mib`` is tested in test_results_import.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from specheft.errors import InputError, UnsafeInputError
from specheft.io.limits import read_capped
from specheft.io.reqif import answer
from specheft.io.reqif import read as reqif_read
from specheft.io.sheets import reading

from .conftest import CliResult
from .evidence_project import make_evidence_project, runs_dir

HERE = Path(__file__).parent
CUSTOMER = HERE / "fixtures" / "reqif" / "answer" / "customer.reqif"
XLS = HERE / "sheets_fixtures" / "anforderungen.xls"


def _refused(result: CliResult, message: str) -> None:
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.err, result.err


def test_plain_reqif_import(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "kunde.reqif"
    shutil.copyfile(CUSTOMER, source)
    size = source.stat().st_size
    project = make_evidence_project(tmp_path / "proj")
    before = project.snapshot()
    monkeypatch.setattr(reqif_read, "MAX_FILE", 1000)
    result = run_cli("import", "reqif", source, "--into", project.root)
    # was "file is 0 MiB; ReqIF files above 0 MiB are refused"
    _refused(
        result,
        f"{source}: is too large: {size:,} bytes (the limit for ReqIF files is 1,000 bytes)",
    )
    assert project.snapshot() == before


def test_customer_reqif_for_an_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answer, "MAX_FILE", 1000)
    with pytest.raises(UnsafeInputError) as info:
        answer.load_originals(CUSTOMER)
    size = CUSTOMER.stat().st_size
    assert str(info.value) == (
        f"{CUSTOMER}: is too large: {size:,} bytes (the limit for ReqIF files is 1,000 bytes)"
    )
    with pytest.raises(InputError, match=r"nope\.reqif: file not found"):
        answer.load_original(tmp_path / "nope.reqif")
    with pytest.raises(InputError, match="is a directory, not a file"):
        answer.load_original(tmp_path)


def test_csv_import(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "liste.csv"
    source.write_text("ID;Titel\nLH-KON-001;Ziel\n" + "x;y\n" * 600, encoding="utf-8")
    monkeypatch.setattr(reading, "MAX_CSV_BYTES", 1000)
    result = run_cli("import", "csv", source, "--into", tmp_path / "never")
    _refused(result, f"{source}: is too large: 2,425 bytes (the limit is 1,000 bytes)")
    assert not (tmp_path / "never").exists()


def test_xls_import(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_XLS_BYTES", 1000)
    result = run_cli("import", "xlsx", XLS, "--into", tmp_path / "never")
    _refused(result, f"{XLS}: is too large: 5,632 bytes (the limit for .xls is 1,000 bytes)")
    assert "hint: save it as .xlsx" in result.err


def test_xlsx_import(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "big.xlsx"
    with source.open("wb") as handle:  # never opened as a ZIP: the size comes first
        handle.truncate(3 * 1024 * 1024)
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    result = run_cli("import", "xlsx", source, "--into", tmp_path / "never")
    _refused(result, f"{source}: is too large: 3.0 MiB (the limit is 2.0 MiB)")


def test_defect_list_csv(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    from specheft.evidence import table

    project = make_evidence_project(tmp_path / "proj")
    source = tmp_path / "m.csv"
    source.write_text("ID;Klasse;Status\n" + "M-1;1;offen\n" * 100, encoding="utf-8")
    monkeypatch.setattr(table, "MAX_BYTES", 500)
    result = run_cli("results", "import", "defects", source, "--project", project.root)
    _refused(result, f"{source}: is too large: 1,217 bytes (the limit is 500 bytes)")
    assert not runs_dir(project).exists()


def test_a_pipe_is_capped_while_reading(tmp_path: Path) -> None:
    # stat says 0 bytes for a pipe: the bytes read are counted
    import os
    import threading

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with fifo.open("wb") as handle:
                handle.write(b"x" * 5000)
        except BrokenPipeError:  # the reader stopped after limit + 1 bytes
            pass

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(UnsafeInputError, match=r"is too large: more than 1,001 bytes"):
            read_capped(fifo, "pipe.csv", 1000)
    finally:
        writer.join(timeout=5)


def test_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 1000)
    assert read_capped(path, "a.csv", 1000) == b"x" * 1000
    path.write_bytes(b"x" * 1001)
    with pytest.raises(UnsafeInputError, match=r"^a\.csv: is too large: 1,001 bytes"):
        read_capped(path, "a.csv", 1000)
