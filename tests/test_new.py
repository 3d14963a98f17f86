"""``specheft new`` and ``specheft catalog``: scaffolded projects build and check clean."""

from __future__ import annotations

import io
import json
import re
import sys
from html import unescape
from pathlib import Path

import pytest

from specheft import fsutil
from specheft.cli import catalog as catalog_command
from specheft.cli import new as new_command
from specheft.project.catalog import load_catalog
from specheft.project.new import document_id, project_name
from specheft.tables import load_settings


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
    # the Abnahmeprotokoll is there from the start; with no runs imported it says No-Go
    protocol = unescape((root / "_build/html/abnahme/index.html").read_text(encoding="utf-8"))
    assert "No-Go" in protocol
    assert ("Abnahmeerklärung" if language == "de" else "Declaration of acceptance") in protocol
    # the vendor selection is there from the start too: no offers yet, how to import them,
    # and a fingerprint over the requirements the bidders will be asked
    evaluation = unescape(
        (root / "_build/html/angebotsauswertung/index.html").read_text(encoding="utf-8")
    )
    assert "specheft compliance import" in evaluation
    assert re.search(r"\b[0-9a-f]{64}\b", evaluation)


def test_new_with_selected_areas(tmp_path, run_cli):
    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "kon,DSG").code == 0
    assert run_cli("build", root, "-q").code == 0
    areas = {n["area"] for n in _needs(root).values() if n["type"] == "req"}
    assert areas == {"KON", "DSG"}
    one = run_cli("new", tmp_path / "q", "--areas", "KON")
    assert "requirements from 1 area of catalogue" in one.out


def test_new_project_has_its_contract_baselines_and_a_tag_makes_a_version(tmp_path, run_cli):
    """Lastenheft and Pflichtenheft are contract baselines from the start: tag lh-v1.0
    and the Lastenheft is version 1.0; an edit after it makes it a 1.1 draft."""
    from .helpers import git

    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "KON").code == 0
    settings = load_settings(root / "conf" / "specheft.toml")
    assert settings.document("lastenheft").baseline == "lh-v*"
    assert settings.document("pflichtenheft").baseline == "ph-v*"
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Lastenheft 1.0")
    git(root, "tag", "lh-v1.0")
    assert run_cli("build", root, "-q").code == 0
    page = unescape((root / "_build/html/lastenheft/index.html").read_text(encoding="utf-8"))
    assert "lh-v1.0" in page and "geändert seit" not in page
    kon = root / "spec/lastenheft/05-anforderungen/kon.md"
    kon.write_text(kon.read_text(encoding="utf-8").replace("anzulegen", "zu erfassen", 1))
    assert run_cli("build", root, "-q").code == 0
    page = unescape((root / "_build/html/lastenheft/index.html").read_text(encoding="utf-8"))
    assert "1.1 (Entwurf, geändert seit 1.0)" in page


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
    assert "no space left on" in result.err.lower()  # the fault, in words (errors.os_fault)
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


# --- names, ids and sign-off of a new project (issue 11.11) ---------------------------------


@pytest.mark.parametrize(
    ("folder", "language", "name"),
    [
        ("crm-ausschreibung", "de", "CRM-Ausschreibung"),
        ("crm-einfuehrung", "de", "CRM-Einführung"),
        ("crm_einfuehrung_nordwerk", "de", "CRM-Einführung Nordwerk"),
        ("neues-crm-2027", "de", "Neues CRM 2027"),
        ("erp-abloesung", "de", "ERP-Ablösung"),
        ("crm-tender", "en", "CRM Tender"),
        ("CRM-Einführung", "de", "CRM-Einführung"),  # written by hand: kept
        ("projekt", "de", "Projekt"),
    ],
)
def test_project_name_from_a_folder_name(folder, language, name):
    assert project_name(folder, language) == name


@pytest.mark.parametrize(
    ("name", "customer", "short"),
    [
        ("CRM-Einführung", "Nordwerk Maschinenbau GmbH", "NM-CRM"),
        ("CRM-Einführung", "Muster GmbH", "MUS-CRM"),
        ("CRM-Einführung", "", "CRM"),
        ("Projekt", "", "PROJEKT"),
        ("Ausschreibung Kundenservice", "Müller & Söhne KG", "MS-AUSS"),
    ],
)
def test_document_id_is_short(name, customer, short):
    assert document_id(name, customer) == short


def _signers(settings, document):
    roles = set(settings.document(document).signoff_roles)
    return [p.role for p in settings.signoff if not roles or p.role in roles]


def test_new_project_has_a_title_name_short_ids_and_sign_off_by_owner(tmp_path, run_cli):
    root = tmp_path / "crm-ausschreibung"
    result = run_cli("new", root, "--areas", "KON", "--customer", "Nordwerk Maschinenbau GmbH")
    assert result.code == 0, result.output
    assert "Project 'CRM-Ausschreibung', document ids NM-CRM-LH, NM-CRM-AW, NM-CRM-PH" in result.out
    settings = load_settings(root / "conf/specheft.toml")
    assert settings.project.name == "CRM-Ausschreibung"
    assert [d.doc_id for d in settings.deliverables()] == [
        "NM-CRM-LH",
        "NM-CRM-AW",
        "NM-CRM-PH",
        "NM-CRM-TK",
        "NM-CRM-TB",
        "NM-CRM-AP",
    ]
    customer = ["Projektauftraggeber", "Projektleitung Auftraggeber"]
    leads = ["Projektleitung Auftraggeber", "Projektleitung Auftragnehmer"]
    # the Lastenheft is the customer's document: no vendor signature row
    assert _signers(settings, "lastenheft") == customer
    # the choice of the vendor is the customer's, internal: no vendor on its cover
    assert _signers(settings, "angebotsauswertung") == customer
    assert not settings.document("angebotsauswertung").show_vendor
    assert _signers(settings, "pflichtenheft") == [*customer, "Projektleitung Auftragnehmer"]
    assert _signers(settings, "testkatalog") == leads
    assert _signers(settings, "traceability") == leads
    # the acceptance is declared by the sponsor and countersigned by the vendor's lead
    assert _signers(settings, "abnahme") == ["Projektauftraggeber", "Projektleitung Auftragnehmer"]
    organisations = {p.role: p.organisation for p in settings.signoff}
    assert organisations["Projektauftraggeber"] == "Nordwerk Maschinenbau GmbH"
    assert organisations["Projektleitung Auftragnehmer"] == ""


def test_new_english_project_ids(tmp_path, run_cli):
    root = tmp_path / "crm-tender"
    assert run_cli("new", root, "--areas", "KON", "--lang", "en").code == 0
    settings = load_settings(root / "conf/specheft.toml")
    assert settings.project.name == "CRM Tender"
    assert [d.doc_id for d in settings.deliverables()] == [
        "CRM-REQ",
        "CRM-EVAL",
        "CRM-SPEC",
        "CRM-TEST",
        "CRM-TRACE",
        "CRM-ACC",
    ]
    assert _signers(settings, "lastenheft") == ["Project sponsor", "Customer project lead"]


def test_new_name_option_overrides_the_derived_name(tmp_path, run_cli):
    root = tmp_path / "crm-ausschreibung"
    assert run_cli("new", root, "--areas", "KON", "--name", "Vertrieb 2030").code == 0
    settings = load_settings(root / "conf/specheft.toml")
    assert settings.project.name == "Vertrieb 2030"
    assert settings.project.document_id == "VERTRIEB"


def test_new_asks_for_name_and_customer_on_a_terminal(tmp_path, run_cli, monkeypatch):
    monkeypatch.setattr(new_command, "_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("\nBeispiel AG\n"))  # Enter takes the default
    root = tmp_path / "crm-einfuehrung"
    result = run_cli("new", root, "--areas", "KON")
    assert result.code == 0, result.output
    assert "Project name (title pages) [CRM-Einführung]:" in result.out
    settings = load_settings(root / "conf/specheft.toml")
    assert (settings.project.name, settings.project.customer) == ("CRM-Einführung", "Beispiel AG")
    assert settings.project.document_id == "BEI-CRM"


def test_new_asks_nothing_in_a_pipe(tmp_path, run_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("must not be read\n"))
    result = run_cli("new", tmp_path / "crm-einfuehrung", "--areas", "KON")
    assert result.code == 0 and "Project name" not in result.out.split("Project 'CRM")[0]
    assert sys.stdin.read() == "must not be read\n"


def test_readme_command_table_names_every_option_of_new_and_catalog():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split("`")[1].split(" [")[0].split(" ID")[0].split(" DIR")[0]: line
        for line in readme.splitlines()
        if line.startswith("| `specheft ")
    }
    commands = {
        # the command modules themselves: the CLI imports them only when a command runs
        "specheft new": new_command.new,
        "specheft catalog list": catalog_command.catalog.commands["list"],
        "specheft catalog add": catalog_command.catalog.commands["add"],
    }
    for command, definition in commands.items():
        row = rows[command]
        for param in definition.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help":
                    assert option in row, f"{option} of {command} is not in the README's table"


# --- catalog add makes a missing area page (issue 11.19) ------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_catalog_add_makes_the_area_page_and_its_toctree_entry(tmp_path, run_cli, newline):
    root = tmp_path / "crm-tender"
    assert run_cli("new", root, "--areas", "KON,VTR").code == 0
    index = root / "spec/lastenheft/05-anforderungen/index.md"
    if newline == "\r\n":
        index.write_bytes(index.read_bytes().replace(b"\n", b"\r\n"))
    page = root / "spec/lastenheft/05-anforderungen/int.md"
    result = run_cli(
        "catalog", "add", "CAT-INT-010", "CAT-INT-020", "--into", page, "--project", root
    )
    assert result.code == 0, result.output
    assert (
        "Added 2 requirement(s) to spec/lastenheft/05-anforderungen/int.md (a new page, "
        "listed in spec/lastenheft/05-anforderungen/index.md)" in result.out
    )
    text = page.read_bytes().decode("utf-8")
    assert text.startswith(f"# Schnittstellen{newline}{newline}:::{{req}}")
    assert ":origin: CAT-INT-020" in text
    index_bytes = index.read_bytes()
    assert f"kon{newline}vtr{newline}int{newline}```".encode() in index_bytes
    if newline == "\r\n":
        assert index_bytes.count(b"\n") == index_bytes.count(b"\r\n")
        assert text.count("\n") == text.count("\r\n")
    build = run_cli("build", root, "-q")
    assert build.code == 0, build.output
    needs = _needs(root)
    assert needs["LH-INT-001"]["docname"] == "lastenheft/05-anforderungen/int"
    # a second add appends to the page that now exists; the toctree is not touched again
    assert run_cli("catalog", "add", "CAT-INT-030", "--into", page, "--project", root).code == 0
    assert index.read_bytes() == index_bytes


def test_catalog_add_to_a_missing_page_that_is_no_area_page(tmp_path, run_cli):
    root = tmp_path / "p"
    assert run_cli("new", root, "--areas", "KON").code == 0
    before = sorted(root.rglob("*"))
    missing = root / "spec/lastenheft/05-anforderungen/schnittstellen.md"
    result = run_cli("catalog", "add", "CAT-INT-010", "--into", missing, "--project", root)
    assert result.code == 2
    assert "does not exist" in result.err and "name a new page after an area" in result.err
    unlisted = root / "spec/anhang/int.md"  # an area name, but no index.md to list it in
    result = run_cli("catalog", "add", "CAT-INT-010", "--into", unlisted, "--project", root)
    assert result.code == 2
    assert "spec/anhang/index.md has no toctree" in result.err
    assert sorted(p for p in root.rglob("*") if "_build" not in p.parts) == [
        p for p in before if "_build" not in p.parts
    ]


def test_new_refuses_a_non_empty_directory_before_asking(tmp_path, run_cli, monkeypatch):
    monkeypatch.setattr(new_command, "_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("CRM Nord\nBeispiel AG\n"))
    root = tmp_path / "crm"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    result = run_cli("new", root, "--areas", "KON")
    assert result.code == 2 and "is not empty" in result.err
    assert "Project name" not in result.out
    assert sys.stdin.read() == "CRM Nord\nBeispiel AG\n"
