"""A computation in a forked process (``specheft.forked``): the value comes from the
child, and whatever goes wrong there makes the caller compute it itself — the same value
or the same exception as without a child. The workbook export uses it for the cover's
fingerprints: its bytes are the same with and without the child."""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from specheft import forked
from specheft.project import export
from specheft.project.export import export_sheets
from specheft.project.layout import Project

from .helpers import MiniProject
from .test_export_snapshot import _INDEX, _PAGES, _SETTINGS

needs_fork = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a child process on Linux only"
)


@needs_fork
def test_the_value_comes_from_the_child() -> None:
    parent = os.getpid()
    before = forked.returned
    pending = forked.start(lambda: ("computed in", os.getpid()))
    where, pid = pending.result()
    assert where == "computed in" and pid != parent  # not computed here
    assert pending.result() == (where, pid)  # asked again: the same value, no new child
    assert forked.returned == before + 1


def test_without_fork_the_caller_computes_it() -> None:
    before = forked.returned
    pending = forked.start(lambda: os.getpid(), fork=False)
    assert pending() == os.getpid()
    assert forked.returned == before


@needs_fork
def test_an_exception_in_the_child_is_raised_by_the_caller_computing_it_again() -> None:
    parent = os.getpid()
    calls: list[int] = []

    def compute() -> int:
        calls.append(os.getpid())  # only the caller's own call is seen here
        raise ValueError(f"bad item in {'child' if os.getpid() != parent else 'caller'}")

    pending = forked.start(compute)
    with pytest.raises(ValueError, match="bad item in caller"):
        pending.result()
    assert calls == [parent]


@needs_fork
@pytest.mark.parametrize(
    "in_child",
    [
        lambda: os._exit(3),  # a crash: no result written
        lambda: lambda: None,  # a result pickle cannot take
    ],
    ids=["crash", "unpicklable"],
)
def test_a_child_without_a_result_makes_the_caller_compute_it(
    in_child: Callable[[], object],
) -> None:
    parent = os.getpid()
    before = forked.returned
    pending = forked.start(lambda: 42 if os.getpid() == parent else in_child())
    assert pending.result() == 42
    assert forked.returned == before


@needs_fork
def test_a_result_never_asked_for_stops_the_child() -> None:
    pending = forked.start(lambda: time.sleep(60))
    child = pending._child
    del pending  # the caller failed before it asked
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped already: no zombie, no sleeper left


@needs_fork
@pytest.mark.parametrize("document", [None, "lastenheft"])
@pytest.mark.parametrize("url", [True, False], ids=["links", "inline-rows"])
def test_a_workbook_is_the_same_with_its_fingerprints_from_a_child(
    make_project: Callable[..., MiniProject],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    document: str | None,
    url: bool,
) -> None:
    settings = _SETTINGS if url else _SETTINGS.replace('url = "https://spec.example/"\n', "")
    assert url or settings != _SETTINGS
    root = make_project(_PAGES, settings=settings, index=_INDEX).root

    def workbook(threshold: int) -> bytes:
        monkeypatch.setattr(export, "FORK_FINGERPRINTS", threshold)
        shutil.rmtree(root / "_build" / ".export", ignore_errors=True)
        out = tmp_path / f"{threshold}.xlsx"
        written = export_sheets(Project.at(root), "xlsx", target=out, document=document)
        assert not written.cached
        return out.read_bytes()

    before = forked.returned
    alone = workbook(10**9)
    assert forked.returned == before
    assert workbook(0) == alone
    assert forked.returned == before + 1
    cover = openpyxl.load_workbook(io.BytesIO(alone))["Cover"]
    lines = {row[0]: row[1] for row in cover.iter_rows(values_only=True)}
    # the line the child computed is on the cover, between the date and the counts
    name = document or "lastenheft"
    assert re.fullmatch(r"[0-9a-f]{64} \(\d+ items\)", lines[f"Fingerprint {name}"])
    keys = list(lines)
    assert keys.index("Date") < keys.index(f"Fingerprint {name}") < keys.index("Requirements")
