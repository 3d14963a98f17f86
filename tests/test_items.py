"""The vocabulary as users see it: needs.json content and the rendered HTML."""

from __future__ import annotations

from sphinx.testing.util import SphinxTestApp

from .helpers import item

PAGE = (
    "# Anforderungen\n\n"
    + item(
        "req",
        "Firmen anlegen",
        "Das CRM-System muss Firmen anlegen.",
        id="LH-KON-001",
        priority="must",
        area="KON",
        source="Vertrieb",
        verification="test",
        phase="PHASE-IMPL",
        acceptance="Eine Firma ist angelegt.",
        rationale="Heute Excel.",
    )
    + item(
        "req",
        "Firmen verfeinert",
        "Das CRM-System soll Branchen zuordnen.",
        id="LH-KON-002",
        priority="should",
        area="KON",
        refines="LH-KON-001",
        phase="PHASE-IMPL",
    )
    + item("excl", "Keine Buchhaltung", "Buchhaltung bleibt im ERP.", id="AB-001")
    + item(
        "spec",
        "Firmenmaske",
        "Standardmaske Firma.",
        id="PH-KON-001",
        satisfies="LH-KON-001, LH-KON-002",
        solution="configuration",
        phase="PHASE-IMPL",
    )
    + item(
        "test",
        "Firma anlegen",
        "Schritte.",
        id="TC-SIT-KON-001",
        verifies="PH-KON-001",
        level="sit",
        phase="PHASE-TEST",
    )
    + item(
        "test",
        "Abnahme Firma",
        "Schritte.",
        id="TC-UAT-KON-001",
        verifies="LH-KON-001",
        level="uat",
        phase="PHASE-TEST",
    )
)


def test_needs_json_holds_every_kind_field_and_link(make_project, run_cli):
    project = make_project({"anf.md": PAGE})
    result = run_cli("build", project.root)
    assert result.code == 0, result.output
    needs = project.needs()
    kinds = {need["type"] for need in needs.values()}
    assert kinds == {"req", "excl", "spec", "test", "phase"}
    req = needs["LH-KON-001"]
    assert req["type_name"] == "Anforderung"
    assert (req["priority"], req["area"], req["source"], req["verification"]) == (
        "must",
        "KON",
        "Vertrieb",
        "test",
    )
    assert req["acceptance"] == "Eine Firma ist angelegt."
    assert req["phase"] == ["PHASE-IMPL"]
    assert req["satisfies_back"] == ["PH-KON-001"]
    assert req["verifies_back"] == ["TC-UAT-KON-001"]
    assert req["refines_back"] == ["LH-KON-002"]
    assert needs["PH-KON-001"]["solution"] == "configuration"
    assert needs["PH-KON-001"]["verifies_back"] == ["TC-SIT-KON-001"]
    assert needs["TC-SIT-KON-001"]["level"] == "sit"
    assert needs["PHASE-IMPL"]["order"] == 3
    assert sorted(needs["PHASE-IMPL"]["phase_back"]) == ["LH-KON-001", "LH-KON-002", "PH-KON-001"]
    assert "Items written to" in result.out and "Site written to" in result.out


def test_html_shows_readable_german_items(make_project, run_cli):
    project = make_project({"anf.md": PAGE})
    assert run_cli("build", project.root).code == 0
    html = project.html("anf")
    assert 'id="LH-KON-001"' in html
    for word in (
        "Anforderung",
        "Muss",
        "Soll",
        "Bereich",
        "KON – Kontakte",
        "Abnahmekriterium",
        "erfüllt durch",
        "geprüft durch",
        "verfeinert durch",
        "Konfiguration",
        "SIT (Systemintegrationstest)",
        "Abgrenzung",
    ):
        assert word in html, word
    # the links are real links to the other items
    assert 'href="#PH-KON-001"' in html
    for english in ("links incoming", "satisfied by", "status:", "needs_meta"):
        assert english not in html, english


def test_english_labels(make_project, run_cli):
    project = make_project({"anf.md": PAGE}, language="en")
    assert run_cli("build", project.root).code == 0
    html = project.html("anf")
    for word in ("Requirement", "Must", "satisfied by", "verified by", "Acceptance criterion"):
        assert word in html, word
    assert "erfüllt durch" not in html


def test_item_text_is_escaped_in_html(make_project, run_cli):
    page = "# X\n\n" + item(
        "req",
        "<script>alert(1)</script> Titel",
        "Text.",
        id="LH-KON-001",
        priority="can",
        phase="PHASE-IMPL",
    )
    project = make_project({"x.md": page})
    assert run_cli("build", project.root).code == 0
    html = project.html("x")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Titel" in html


def test_extension_alone_in_a_plain_conf_py(tmp_path):
    """``extensions = ["specheft"]`` is enough; specheft.toml is optional, and the
    traceability rules run in a plain Sphinx build too, at the item's line."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["specheft"]\nproject = "Plain"\n')
    (src / "index.md").write_text(
        "# Plain\n\n"
        + item("req", "Eins", "Das System kann zählen.", id="LH-KON-001", priority="can")
    )
    app = SphinxTestApp("html", srcdir=src)
    try:
        app.build()
        warnings = app.warning.getvalue()
        assert app._warncount == 1, warnings
        assert "index.md:3: WARNING: LH-KON-001: requirement is not assigned to a phase" in warnings
        assert "[specheft.req-phase]" in warnings
    finally:
        app.cleanup()
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "Kann" in html and "LH-KON-001" in html


def test_raw_html_and_raw_directive_are_not_passed_through(make_project, run_cli):
    body = 'Text <script>window.pwned = 1</script> <img src=x onerror="alert(1)">'
    page = (
        "# X\n\n"
        + item("req", "R", body, id="LH-KON-001", priority="can", phase="PHASE-IMPL")
        + "\n<div onclick='alert(1)'>block</div>\n\n```{raw} html\n<script>alert(2)</script>\n```\n"
    )
    project = make_project({"x.md": page})
    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0, result.output
    html = project.html("x")
    assert "<script>window.pwned" not in html and "&lt;script&gt;window.pwned" in html
    assert "<img src=x" not in html and "<div onclick" not in html
    assert "<script>alert(2)</script>" not in html
    assert '"raw" directive disabled' in result.err
