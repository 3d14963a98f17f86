"""``specheft new`` and ``specheft catalog``: scaffolded projects build and check clean."""

from __future__ import annotations

import json
from html import unescape

import pytest

from specheft import fsutil
from specheft.catalog import load_catalog


def _needs(root):
    data = json.loads((root / "_build/html/needs.json").read_text())
    return data["versions"][data["current_version"]]["needs"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_new_project_builds_with_zero_warnings_and_checks_clean(tmp_path, run_cli, language):
    root = tmp_path / "projekt"
    result = run_cli("new", root, "--lang", language, "--customer", "Beispiel AG")
    assert result.code == 0, result.output
    assert "205 requirements from 20 areas" in result.out
    build = run_cli("build", root)
    assert build.code == 0, build.output
    assert "WARNING" not in build.err
    check = run_cli("check", root, "--strict")
    assert check.code == 0, check.output
    needs = _needs(root)
    reqs = [n for n in needs.values() if n["type"] == "req"]
    assert len(reqs) == 205
    assert {n["id"] for n in needs.values() if n["type"] == "phase"} == {
        "PHASE-KICKOFF",
        "PHASE-KONZEPT",
        "PHASE-IMPL",
        "PHASE-TEST",
        "PHASE-SCHULUNG",
        "PHASE-GOLIVE",
        "PHASE-HYPERCARE",
    }
    first = needs["LH-KON-001"]
    assert first["origin"] == "CAT-KON-010"
    catalog = load_catalog("crm").by_id()["CAT-KON-010"]
    title, statement, _ = catalog.text(language)
    assert first["title"] == title and first["content"].strip() == statement
    for name in (".gitignore", "README.md", "conf/conf.py", "conf/specheft.toml"):
        assert (root / name).is_file(), name


def test_new_with_selected_areas(tmp_path, run_cli):
    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "kon,DSG").code == 0
    assert run_cli("build", root, "-q").code == 0
    areas = {n["area"] for n in _needs(root).values() if n["type"] == "req"}
    assert areas == {"KON", "DSG"}


def test_new_refuses_a_non_empty_directory(tmp_path, run_cli):
    root = tmp_path / "p"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    result = run_cli("new", root)
    assert result.code == 2
    assert "is not empty" in result.err and "--force" in result.err
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    assert run_cli("new", root, "--force", "--areas", "KON").code == 0
    assert (root / "notes.txt").read_text() == "mine"
    assert (root / "conf/specheft.toml").exists()


def test_new_unknown_area(tmp_path, run_cli):
    result = run_cli("new", tmp_path / "p", "--areas", "KONN")
    assert result.code == 2
    assert "unknown area(s) KONN" in result.err and "did you mean 'KON'?" in result.err
    assert not (tmp_path / "p").exists()


def test_new_leaves_nothing_behind_when_a_write_fails(tmp_path, run_cli, monkeypatch):
    root = tmp_path / "p"
    calls = {"n": 0}
    real = fsutil._write_temp

    def failing(path, data):
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(fsutil, "_write_temp", failing)
    result = run_cli("new", root, "--areas", "KON")
    assert result.code == 2
    assert "No space left on device" in result.err
    assert not root.exists() or not any(root.rglob("*"))


def test_catalog_list(run_cli):
    result = run_cli("catalog", "list", "--area", "DSG")
    assert result.code == 0
    assert "DSG – Datenschutz" in result.out
    assert "CAT-DSG-010" in result.out and "CAT-KON-010" not in result.out
    english = run_cli("catalog", "list", "--area", "KON", "--lang", "en")
    assert "Create companies" in english.out and "Contacts and accounts" in english.out


def test_catalog_add_appends_with_fresh_ids(tmp_path, run_cli):
    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "KON").code == 0
    page = root / "spec/lastenheft/05-anforderungen/kon.md"
    before = page.read_text()
    # the DSG area exists in [areas]; the page is the KON page, which is fine
    result = run_cli(
        "catalog", "add", "CAT-DSG-010", "CAT-DSG-020", "--into", page, "--project", root
    )
    assert result.code == 0, result.output
    assert "CAT-DSG-010 → LH-DSG-001" in result.out and "CAT-DSG-020 → LH-DSG-002" in result.out
    text = page.read_text()
    assert text.startswith(before.rstrip("\n")) and ":origin: CAT-DSG-020" in text
    assert run_cli("build", root, "-q").code == 0
    again = run_cli("catalog", "add", "CAT-DSG-010", "--into", page, "--project", root)
    assert again.code == 2 and "already in the project: CAT-DSG-010 as LH-DSG-001" in again.err
    assert page.read_text() == text


def test_names_with_quotes_and_backslashes_survive(tmp_path, run_cli):
    root = tmp_path / "p"
    customer, name = 'Müller "&" Söhne \\ GmbH', 'CRM "Nord" 2027'
    result = run_cli("new", root, "--areas", "KON", "--customer", customer, "--name", name)
    assert result.code == 0, result.output
    assert run_cli("build", root, "-q").code == 0
    html = unescape((root / "_build/html/index.html").read_text(encoding="utf-8"))
    assert customer in html and name in html


def test_catalog_add_keeps_windows_line_endings_and_bom(tmp_path, run_cli):
    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "KON").code == 0
    page = root / "spec/lastenheft/05-anforderungen/kon.md"
    original = page.read_text(encoding="utf-8").replace("\n", "\r\n")
    page.write_bytes(b"\xef\xbb\xbf" + original.encode("utf-8"))
    result = run_cli("catalog", "add", "CAT-DSG-010", "--into", page, "--project", root)
    assert result.code == 0, result.output
    data = page.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + original.encode("utf-8").rstrip(b"\r\n"))
    assert b":origin: CAT-DSG-010\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")  # no bare LF anywhere
    assert run_cli("check", root).code == 0


def test_catalog_add_never_writes_outside_spec(tmp_path, run_cli):
    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "KON").code == 0
    outside = root / "conf" / "x.md"
    outside.write_text("# x\n")
    result = run_cli("catalog", "add", "CAT-DSG-010", "--into", outside, "--project", root)
    assert result.code == 2
    assert "points outside" in result.err
    assert outside.read_text() == "# x\n"
    unknown = run_cli(
        "catalog",
        "add",
        "CAT-DSG-011",
        "--into",
        root / "spec/lastenheft/05-anforderungen/kon.md",
        "--project",
        root,
    )
    assert unknown.code == 2 and "unknown catalogue id(s): CAT-DSG-011" in unknown.err
