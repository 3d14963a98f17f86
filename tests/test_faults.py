"""Faults and hostile input: control characters in every output, file-system faults
(a file where a directory belongs, a read-only or full disk), specheft.toml oddities,
oversized sources. Each gets a located message and exit 2, never "internal error"."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

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


def test_build_warnings_escape_controls(hostile, run_cli):
    result = run_cli("build", hostile.root, "-q")
    assert result.code == 1
    _no_raw_controls(result.output)
    assert f"{printable(HOSTILE_NAME)}.md" in result.err


def test_error_messages_escape_controls(run_cli, tmp_path):
    result = run_cli("check", tmp_path / f"no{CONTROLS}where")
    assert result.code == 2
    _no_raw_controls(result.output)
    assert "no\\x1b]0;HACK\\x07" in result.err
