"""Faults and hostile input: control characters in every output, file-system faults
(a file where a directory belongs, a read-only or full disk), specheft.toml oddities,
oversized sources. Each gets a located message and exit 2, never "internal error"."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from specheft.textsafe import json_text, printable

from .helpers import item

CONTROLS = "\x1b]0;HACK\x07\x1b[31m\x9b"
HOSTILE_NAME = "a\x1b]0;HACK\x07b"


def _no_raw_controls(text: str) -> None:
    bad = sorted({hex(ord(c)) for c in text if ord(c) < 0x20 and c not in "\n\t"})
    bad += sorted({hex(ord(c)) for c in text if 0x7F <= ord(c) <= 0x9F})
    assert not bad, f"raw control characters {bad} in:\n{text!r}"


def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) else []


@pytest.fixture
def hostile(make_project):
    """A project with a page whose file name and item option carry ESC, BEL and CSI."""
    page = "# X\n\n" + item(
        "req",
        f"Titel{CONTROLS}",
        f"Das CRM-System muss{CONTROLS} zählen.",
        id="LH-KON-901",
        priority=f"mu{CONTROLS}st",
        phase="PHASE-IMPL",
    )
    project = make_project({"gut.md": "# Gut\n"})
    project.write(f"spec/{HOSTILE_NAME}.md", page)
    return project


def test_printable_escapes_c0_c1_and_surrogates():
    assert printable("a\x1b[31mb\x07\r\x9b\udcff\n\tz") == "a\\x1b[31mb\\x07\\x0d\\x9b\\xff\n\tz"
    assert json.loads(json_text(json.dumps("\x85\x7f\x1b", ensure_ascii=False))) == "\x85\x7f\x1b"
    _no_raw_controls(json_text(json.dumps("\x85\x7f\x1b", ensure_ascii=False)))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_check_outputs_escape_controls_and_parse(hostile, run_cli, fmt, tmp_path):
    result = run_cli("check", hostile.root, "--format", fmt)
    assert result.code == 1, result.output
    _no_raw_controls(result.output)
    assert "internal error" not in result.output
    if fmt == "text":
        assert f"{printable(HOSTILE_NAME)}.md" in result.out
        assert ":priority: 'mu" in result.out  # the message quoting the value is shown
    elif fmt == "junit":
        root = ET.fromstring(result.out)  # well-formed XML
        files = {case.get("file") for case in root.iter("testcase")}
        assert f"spec/{printable(HOSTILE_NAME)}.md" in files
    else:
        data = json.loads(result.out)  # the real name survives, escaped by JSON
        strings = _strings(data)
        wanted = "a%1B%5D0%3BHACK%07b.md" if fmt == "sarif" else f"spec/{HOSTILE_NAME}.md"
        assert any(wanted in s for s in strings), strings
    # the same through --output: the file parses too
    out = tmp_path / f"report.{fmt}"
    assert run_cli("check", hostile.root, "--format", fmt, "-o", out).code == 1
    _no_raw_controls(out.read_text("utf-8"))


@pytest.mark.parametrize("ci", [None, "true"])
def test_build_warnings_escape_controls(hostile, run_cli, monkeypatch, ci):
    # Sphinx colours whenever CI=true: a CI log or a piped build must still get plain
    # text (it did not: every warning wrapped in escape codes, the progress bar redrawn)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    result = run_cli("build", hostile.root, "-q")
    assert result.code == 1
    _no_raw_controls(result.output)
    assert f"{printable(HOSTILE_NAME)}.md" in result.err
    assert "NO_COLOR" not in os.environ  # restored after the build


def test_error_messages_escape_controls(run_cli, tmp_path):
    result = run_cli("check", tmp_path / f"no{CONTROLS}where")
    assert result.code == 2
    _no_raw_controls(result.output)
    assert "no\\x1b]0;HACK\\x07" in result.err
    result = run_cli("check", "--format", f"x{CONTROLS}")  # click's own usage errors
    assert result.code == 2
    _no_raw_controls(result.output)
    assert "'x\\x1b]0;HACK\\x07" in result.err


# --- faults of the machine: a file in the way, read-only, disk full --------------------


def _no_internal_error(result) -> None:
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output


@pytest.fixture
def mount(tmp_path):
    """``mount(options)``: a fresh tmpfs (e.g. ``"size=200k"``, ``"ro"``), unmounted after."""
    mounted: list[Path] = []

    def factory(options: str, target: Path | None = None) -> Path:
        if target is None:
            target = tmp_path / f"mnt{len(mounted)}"
            target.mkdir()
        try:
            run = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                capture_output=True,
                text=True,
            )
        except FileNotFoundError:
            pytest.skip("no mount command here")
        if run.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {run.stderr.strip()}")
        mounted.append(target)
        return target

    yield factory
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=False)


def _fill(directory: Path) -> None:
    """Fill the file system of ``directory`` to the last byte."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        (directory / "filler-inodes").mkdir()


@pytest.fixture
def simple(make_project):
    settings = '[project]\nname = "Mini"\n\n[areas]\nKON = "Kontakte"\n'
    page = "# K\n\n" + item(
        "req", "Zählen", "Das CRM-System kann zählen.", id="LH-KON-001", priority="can",
        phase="PHASE-IMPL",
    )  # fmt: skip
    return make_project({"kon.md": page}, settings=settings)


@pytest.mark.parametrize("command", ["build", "check", "catalog"])
def test_build_dir_is_a_file(simple, run_cli, command):
    (simple.root / "_build").write_text("not a directory", encoding="utf-8")
    if command == "catalog":
        args = ["catalog", "add", "CAT-KON-010", "--into", simple.spec / "kon.md"]
        result = run_cli(*args, "--project", simple.root)
    else:
        result = run_cli(command, simple.root)
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert f"{simple.root / '_build'}: is a file, but " in result.err
    assert "rename or remove the file" in result.err


def test_out_below_a_file(simple, run_cli, tmp_path):
    blocker = tmp_path / "report.txt"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("build", simple.root, "-q", "--out", blocker / "html")
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert f"{blocker}: is a file, but a directory is needed here" in result.err
    for report in (blocker / "r.json", blocker / "sub" / "r.json"):
        result = run_cli("check", simple.root, "--format", "json", "-o", report)
        assert result.code == 2, result.output
        _no_internal_error(result)  # was FileExistsError
        assert f"{blocker}: is a file, but " in result.err


def test_read_only_out_build_dir_and_new(simple, run_cli, mount):
    read_only = mount("ro,size=64k")
    result = run_cli("build", simple.root, "-q", "--out", read_only / "html")
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert f"{read_only / 'html'}: read-only file system" in result.err
    assert "write to a writable location" in result.err

    build_dir = simple.root / "_build"
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir()
    mount("ro", build_dir)  # _build read-only
    for args in (["build", simple.root, "-q"], ["check", simple.root]):
        result = run_cli(*args)
        assert result.code == 2, result.output
        _no_internal_error(result)
        assert "read-only file system" in result.err and str(build_dir) in result.err

    result = run_cli("new", read_only / "neu", "--areas", "KON")
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert f"{read_only / 'neu'}: read-only file system" in result.err


def test_disk_full_during_build_new_and_catalog_add(simple, run_cli, mount, tmp_path):
    full = mount("size=200k")
    result = run_cli("build", simple.root, "-q", "--out", full / "html")
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert "no space left on the device" in result.err
    assert str(full / "html") in result.err and "free disk space" in result.err

    small = mount("size=24k")
    result = run_cli("new", small / "neu", "--areas", "KON")
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert f"{small / 'neu'}" in result.err and "no space left on the device" in result.err
    assert not (small / "neu").exists()  # nothing half-made

    # catalog add: the project on a full disk, its _build elsewhere (the Sphinx run that
    # reads the ids succeeds, the page write fails)
    disk = mount("size=1m")
    project = disk / "p"
    shutil.copytree(simple.root, project, ignore=shutil.ignore_patterns("_build"))
    roomy = tmp_path / "roomy"
    roomy.mkdir()
    (project / "_build").symlink_to(roomy)
    page = project / "spec" / "kon.md"
    before = page.read_bytes()
    _fill(disk)
    result = run_cli(
        "catalog", "add", "CAT-KON-010", "--into", page, "--project", project
    )  # fmt: skip
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert f"{page}: no space left on the device" in result.err
    assert page.read_bytes() == before
    assert not [p.name for p in page.parent.iterdir() if p.name.endswith(".tmp")]


# --- specheft.toml ------------------------------------------------------------------------


@pytest.mark.parametrize("nesting", ["[" * 3000 + "]" * 3000, "{ a = " * 3000 + "}" * 3000])
def test_settings_nested_too_deeply(make_project, run_cli, nesting):
    settings = f'[project]\nname = "Mini"\n# [[[ not counted\ns = "[[[["\nx = {nesting}\n'
    project = make_project({"a.md": "# A\n"}, settings=settings)
    result = run_cli("check", project.root)
    assert result.code == 2, result.output
    _no_internal_error(result)
    assert "conf/specheft.toml:5: not valid TOML: arrays or inline tables nested" in result.err


# --- size limit per source page -----------------------------------------------------------


def test_oversized_page_refused_before_reading(make_project, run_cli):
    page = "# Groß\n\n" + "Das CRM-System kann zählen. " * 230_000  # 6.4 MB > 5 MB default
    project = make_project({"gross.md": page})
    for command in ("check", "build"):
        started = time.perf_counter()
        result = run_cli(command, project.root)
        assert result.code == 2, result.output
        _no_internal_error(result)
        assert "spec/gross.md: the page is 6.36 MB, more than the limit of 5 MB" in result.err
        assert "[limits] max_source_mb" in result.err
        assert time.perf_counter() - started < 30  # not read (it took minutes at 50 MB)


def test_size_limit_is_configurable(make_project, run_cli):
    settings = '[project]\nname = "Mini"\n\n[limits]\nmax_source_mb = 0.01\n'
    project = make_project({"a.md": "# A\n\n" + "Text. " * 3000}, settings=settings)
    result = run_cli("check", project.root)
    assert result.code == 2 and "spec/a.md: the page is 0.0172 MB" in result.err, result.output
    assert "limit of 0.01 MB" in result.err
    project.write("spec/a.md", "# A\n\nText.\n")
    assert run_cli("check", project.root).code in (0, 1)


def test_a_refused_build_leaves_no_message_rewriter_behind(make_project, run_cli, tmp_path):
    # A build refused after Sphinx started (a page over the size limit) never reaches
    # build-finished: the message filters it installed, bound to its sources, rewrote the
    # next build's "two sources" message with the refused project's paths
    settings = '[project]\nname = "Mini"\n\n[limits]\nmax_source_mb = 0.01\n'
    refused = make_project({"a.md": "# A\n\n" + "Text. " * 3000}, settings=settings)
    assert run_cli("build", refused.root).code == 2
    other = tmp_path / "other"  # another project, at another place
    shutil.copytree(refused.root / "conf", other / "conf")
    (other / "conf" / "specheft.toml").write_text('[project]\nname = "Mini"\n', "utf-8")
    (other / "spec").mkdir()
    (other / "spec" / "index.md").write_text("# I\n\n```{toctree}\nb\n```\n", "utf-8")
    (other / "spec" / "b.md").write_text("# B\n\nText.\n", "utf-8")
    (other / "spec" / "b.rst").write_text("B\n=\n\nText.\n", "utf-8")
    result = run_cli("check", other)
    assert "two sources for the page 'b'" in result.out, result.output
    assert "this file is ignored, spec/b.md is read" in result.out, result.output
