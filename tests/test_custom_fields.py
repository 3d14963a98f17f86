"""The project's own item fields ([fields.<name>] of specheft.toml): declared, shown on
the item (HTML, PDF source, needs.json), exported as a column / a ReqIF attribute, and
written by the importers for columns and attributes specheft has no field for."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from specheft.config.fields import (
    RESERVED,
    CustomField,
    appended,
    declaring,
    derive_name,
    field_for,
    imported_field,
    option_value,
)
from specheft.errors import ConfigError
from specheft.model import Kind
from specheft.tables import parse_settings

from .helpers import SETTINGS, item

FIELDS_TOML = """
[fields.ansprechpartner]
label = "Ansprechpartner"
kinds = ["req"]

[fields.kostenstelle]
"""

PAGE = "# Anforderungen\n\n" + (
    item(
        "req",
        "Firmen",
        "Das CRM-System muss Firmen anlegen.",
        id="LH-KON-001",
        priority="must",
        phase="PHASE-IMPL",
        acceptance="Eine Firma ist angelegt.",
        ansprechpartner="Frau Müller",
        kostenstelle="4711",
    )
    + item(
        "spec",
        "Firmen im Standard",
        "Standard.",
        id="PH-KON-001",
        satisfies="LH-KON-001",
        phase="PHASE-IMPL",
        kostenstelle="0815",
    )
)


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))


# -- configuration ----------------------------------------------------------------------


def test_declared_fields_are_read_with_defaults() -> None:
    settings = parse_settings(SETTINGS.format(language="de") + FIELDS_TOML)
    assert settings.fields == (
        CustomField("ansprechpartner", "Ansprechpartner", (Kind.REQ,)),
        CustomField("kostenstelle", "kostenstelle", tuple(Kind)),  # label: the name
    )
    assert parse_settings(SETTINGS.format(language="de")).fields == ()


def test_reserved_names_are_those_of_sphinx_needs() -> None:
    # config/ imports no Sphinx: its copy of sphinx-needs' core fields must not go stale
    from sphinx_needs.data import NeedsCoreFields

    assert set(NeedsCoreFields) <= RESERVED


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("Ansprechpartner", "ansprechpartner"),
        ("Kostenstelle (Kunde)", "kostenstelle_kunde"),
        ("Größe in m²", "groesse_in_m2"),
        ("ÄÖÜ-Prüfung", "aeoeue_pruefung"),
        ("1. Spalte", "f_1_spalte"),
        ("€", ""),
    ],
)
def test_names_derived_from_headers(header: str, name: str) -> None:
    assert derive_name(header) == name


def test_field_for_finds_declared_and_suffixes_collisions() -> None:
    declared = [CustomField("kontakt", "Ansprechpartner", (Kind.REQ,))]
    assert field_for("ansprechpartner ", declared) == ("kontakt", True)  # by label
    assert field_for("Kontakt", declared) == ("kontakt", True)  # by name
    assert field_for("Priority", declared) == ("priority_2", False)  # a built-in
    assert field_for("Status", declared) == ("status_2", False)  # sphinx-needs'
    assert field_for("Links", declared) == ("links_2", False)
    assert field_for("Kontakt!", [], used=["kontakt"]) == ("kontakt_2", False)
    assert field_for("€", []) == ("field", False)
    long = "x" * 60
    assert field_for(long, [], used=["x" * 40]) == ("x" * 38 + "_2", False)


@pytest.mark.parametrize(
    "value",
    ["Frau Müller", "Herr Meier: Vertrieb", "#1 Team", "a #b", '"Frau" Müller', "'x'",
     "> zitat", "| pipe", "{x} [y]", "- Liste", "* stern", "& anker", "! tag", "a \\ b",
     "Zeit:", "null", "true", "1.5", "@home", "`code`", "%d", "?", "~", "… weiter"],
)  # fmt: skip
def test_option_values_read_back_as_written(value: str) -> None:
    from myst_parser.parsers.options import options_to_items

    items, _ = options_to_items(f"ansprechpartner: {option_value(value)}\n")
    assert dict(items)["ansprechpartner"] == value


def test_imported_field_declares_once_and_avoids_clashing_labels() -> None:
    known = [CustomField("kontakt", "Ansprechpartner", (Kind.REQ,))]
    assert imported_field("Ansprechpartner", known) is known[0]
    new = imported_field("Kosten (Kunde)", known)
    assert new == CustomField("kosten_kunde", "Kosten (Kunde)", tuple(Kind))
    assert imported_field("kosten (kunde)", known) is new and len(known) == 2
    # a second "priority" column: the label would head two columns, the name is used
    assert imported_field("Priority", known) == CustomField("priority_2", "priority_2", tuple(Kind))


def test_appended_keeps_every_byte_and_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "specheft.toml"
    old = '\ufeff[project]\r\nname = "Mini"\r\n\r\n[fields.a]\r\nlabel = "A"'.encode()
    path.write_bytes(old)
    before, data = appended(path, [CustomField("b_c", 'B "C"', tuple(Kind))])
    assert before == old and data.startswith(old)
    assert data[len(old) :] == b'\r\n\r\n[fields.b_c]\r\nlabel = "B \\"C\\""\r\n'
    path.write_bytes(data)
    settings = parse_settings(data.decode("utf-8-sig"))
    assert [c.label for c in settings.fields] == ["A", 'B "C"']


def test_appended_refuses_an_inline_fields_table(tmp_path: Path) -> None:
    path = tmp_path / "specheft.toml"
    path.write_text('fields = { a = { label = "A" } }\n[project]\nname = "M"\n', "utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        appended(path, [CustomField("b", "B", tuple(Kind))])


def test_declaring_restores_the_file_when_the_pages_fail(tmp_path: Path) -> None:
    path = tmp_path / "specheft.toml"
    path.write_text('[project]\nname = "M"\n', "utf-8")
    old = path.read_bytes()
    with pytest.raises(RuntimeError), declaring(path, [CustomField("b", "B", tuple(Kind))]):
        assert b"[fields.b]" in path.read_bytes()
        raise RuntimeError("the pages could not be written")
    assert path.read_bytes() == old


# -- build and exports ------------------------------------------------------------------


def test_fields_shown_in_html_pdf_source_needs_json_and_exports(make_project, run_cli) -> None:
    settings = SETTINGS.format(language="de") + FIELDS_TOML
    project = make_project({"anf.md": PAGE}, settings=settings)
    result = run_cli("build", project.root, "--no-strict")  # untested: a warning only
    assert result.code == 0, result.output
    assert "ansprechpartner" not in result.output and "kostenstelle" not in result.output
    needs = project.needs()
    assert needs["LH-KON-001"]["ansprechpartner"] == "Frau Müller"
    assert needs["LH-KON-001"]["kostenstelle"] == "4711"
    assert needs["PH-KON-001"]["kostenstelle"] == "0815"
    html = project.html("anf")
    assert "specheft-field-ansprechpartner" in html and ">Ansprechpartner<" in html
    assert "<p>Frau Müller</p>" in html and "<p>0815</p>" in html

    result = run_cli("build", project.root, "--builder", "latex", "--no-strict")
    assert result.code == 0, result.output
    tex = "\n".join(p.read_text("utf-8") for p in (project.root / "_build").rglob("*.tex"))
    assert r"\sphinxstylestrong{Ansprechpartner: }Frau Müller" in tex, tex[:3000]

    out = project.root / "_build" / "anf.csv"
    assert run_cli("export", "csv", project.root, "--out", out).code == 0
    rows = _csv(out)
    assert rows[0]["Ansprechpartner"] == "Frau Müller" and rows[0]["kostenstelle"] == "4711"
    out = project.root / "_build" / "specs.csv"
    assert run_cli("export", "csv", project.root, "--out", out, "--kind", "specs").code == 0
    rows = _csv(out)
    assert "Ansprechpartner" not in rows[0] and rows[0]["kostenstelle"] == "0815"

    out = project.root / "_build" / "anf.reqif"
    assert run_cli("export", "reqif", project.root, "--out", out).code == 0
    schema = xmlschema.XMLSchema(Path(__file__).parent / "fixtures" / "reqif" / "xsd" / "reqif.xsd")
    assert [e.reason for e in schema.iter_errors(str(out))] == []
    tree = etree.parse(str(out))
    ns = {"r": "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"}
    definition = tree.find(
        ".//r:ATTRIBUTE-DEFINITION-STRING[@IDENTIFIER='AD-req-ansprechpartner']", ns
    )
    assert definition is not None and definition.get("LONG-NAME") == "Ansprechpartner"
    values = tree.findall(".//r:ATTRIBUTE-VALUE-STRING", ns)
    assert "Frau Müller" in {v.get("THE-VALUE") for v in values}
    assert (
        tree.find(".//r:ATTRIBUTE-DEFINITION-STRING[@IDENTIFIER='AD-spec-ansprechpartner']", ns)
        is None
    )


def test_undeclared_option_stays_an_error(make_project, run_cli) -> None:
    project = make_project({"anf.md": PAGE})  # no [fields]
    result = run_cli("build", project.root)
    assert result.code == 1
    assert "spec/anf.md:8: WARNING: unknown option :ansprechpartner: on a req item" in (
        result.output
    )


# -- imports and round trips ------------------------------------------------------------

SHEET = (
    "ID;Titel;Anforderung;Priorität;Ansprechpartner;Bemerkung\n"
    'LH-KON-101;Firmen;Das CRM-System muss Firmen anlegen.;Muss;Frau Müller;"zwei\nZeilen"\n'
    "LH-KON-102;Personen;Das CRM-System soll Personen anlegen.;Soll;Herr Meier: Vertrieb;\n"
    'LH-KON-103;Kunden;Das CRM-System kann Kunden anlegen.;Kann;"#1 ""Team"" > alle";\n'
)


def test_sheet_round_trip(make_project, run_cli, tmp_path: Path) -> None:
    index = "# Mini\n\n```{toctree}\nphasen\nimport/kunde\n```\n"
    project = make_project({}, index=index)
    settings_file = project.conf / "specheft.toml"
    old = settings_file.read_bytes()
    source = tmp_path / "kunde.csv"
    source.write_text(SHEET, "utf-8")
    result = run_cli("import", "csv", source, "--project", project.root)
    assert result.code == 0, result.output
    page = (project.spec / "import" / "kunde.md").read_text("utf-8")
    assert ":priority: must\n:ansprechpartner: Frau Müller\n" in page
    assert ":ansprechpartner: Herr Meier: Vertrieb\n" in page
    assert "**Ansprechpartner:**" not in page
    assert "**Bemerkung:** zwei\nZeilen" in page  # several lines: no option, text as before
    data = settings_file.read_bytes()
    # appended, every other byte the same; the column with only text lines is not declared
    assert data == old + b'\n[fields.ansprechpartner]\nlabel = "Ansprechpartner"\n'
    assert "declared 1 new field(s)" in result.err

    result = run_cli("build", project.root, "--no-strict")  # no phases: warnings only
    assert result.code == 0, result.output
    assert project.needs()["LH-KON-102"]["ansprechpartner"] == "Herr Meier: Vertrieb"
    out = tmp_path / "zurueck.csv"
    assert run_cli("export", "csv", project.root, "--out", out).code == 0
    values = {row["ID"]: row["Ansprechpartner"] for row in _csv(out)}
    assert values == {
        "LH-KON-101": "Frau Müller",
        "LH-KON-102": "Herr Meier: Vertrieb",
        "LH-KON-103": '#1 "Team" > alle',  # quoted on the page: MyST reads it back whole
    }

    # the exported sheet read again: the column goes to the declared field, nothing new
    result = run_cli("import", "csv", out, "--project", project.root, "--into",
                     project.spec / "wieder")  # fmt: skip
    assert result.code == 0, result.output
    assert settings_file.read_bytes() == data
    again = (project.spec / "wieder" / "zurueck.md").read_text("utf-8")
    assert ":ansprechpartner: Frau Müller\n" in again


def test_refused_import_leaves_the_settings_untouched(make_project, run_cli, tmp_path) -> None:
    project = make_project({})
    (project.spec / "import").mkdir()
    (project.spec / "import" / "alt.md").write_text("# Alt\n", "utf-8")
    before = project.snapshot()
    source = tmp_path / "kunde.csv"
    source.write_text(SHEET, "utf-8")
    result = run_cli("import", "csv", source, "--project", project.root)
    assert result.code == 2 and "not empty" in result.err
    assert project.snapshot() == before


def test_import_outside_the_project_keeps_text_lines(make_project, run_cli, tmp_path) -> None:
    project = make_project({})
    before = project.snapshot()
    source = tmp_path / "kunde.csv"
    source.write_text(SHEET, "utf-8")
    into = tmp_path / "anderswo"
    result = run_cli("import", "csv", source, "--project", project.root, "--into", into)
    assert result.code == 0, result.output
    assert "**Ansprechpartner:** Frau Müller" in (into / "kunde.md").read_text("utf-8")
    assert project.snapshot() == before
    assert "note: kept as text lines in the items" in result.err  # said, not silent
    assert "Ansprechpartner" in result.err.split("kept as text lines")[1]


def test_sheet_keep_in_map_stays_a_text_line(make_project, run_cli, tmp_path) -> None:
    project = make_project({})
    source = tmp_path / "kunde.csv"
    source.write_text(SHEET, "utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"Ansprechpartner" = "keep"\n', "utf-8")
    result = run_cli("import", "csv", source, "--project", project.root, "--map", mapping)
    assert result.code == 0, result.output
    page = (project.spec / "import" / "kunde.md").read_text("utf-8")
    assert "**Ansprechpartner:** Frau Müller" in page and ":ansprechpartner:" not in page
    assert "[fields" not in (project.conf / "specheft.toml").read_text("utf-8")


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <THE-HEADER><REQ-IF-HEADER IDENTIFIER="h1"/></THE-HEADER>
  <CORE-CONTENT><REQ-IF-CONTENT>
    <DATATYPES>
      <DATATYPE-DEFINITION-STRING IDENTIFIER="dt-s" LONG-NAME="s" MAX-LENGTH="999"/>
      <DATATYPE-DEFINITION-XHTML IDENTIFIER="dt-x" LONG-NAME="x"/>
    </DATATYPES>
    <SPEC-TYPES>
      <SPEC-OBJECT-TYPE IDENTIFIER="t-req" LONG-NAME="Requirement">
        <SPEC-ATTRIBUTES>
          <ATTRIBUTE-DEFINITION-STRING IDENTIFIER="a-id" LONG-NAME="ReqIF.ForeignID">
            <TYPE><DATATYPE-DEFINITION-STRING-REF>dt-s</DATATYPE-DEFINITION-STRING-REF></TYPE>
          </ATTRIBUTE-DEFINITION-STRING>
          <ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="a-text" LONG-NAME="ReqIF.Text">
            <TYPE><DATATYPE-DEFINITION-XHTML-REF>dt-x</DATATYPE-DEFINITION-XHTML-REF></TYPE>
          </ATTRIBUTE-DEFINITION-XHTML>
          <ATTRIBUTE-DEFINITION-STRING IDENTIFIER="a-owner" LONG-NAME="Verantwortlich">
            <TYPE><DATATYPE-DEFINITION-STRING-REF>dt-s</DATATYPE-DEFINITION-STRING-REF></TYPE>
          </ATTRIBUTE-DEFINITION-STRING>
          <ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="a-note" LONG-NAME="Notiz">
            <TYPE><DATATYPE-DEFINITION-XHTML-REF>dt-x</DATATYPE-DEFINITION-XHTML-REF></TYPE>
          </ATTRIBUTE-DEFINITION-XHTML>
          <ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="a-plain" LONG-NAME="Kurzinfo">
            <TYPE><DATATYPE-DEFINITION-XHTML-REF>dt-x</DATATYPE-DEFINITION-XHTML-REF></TYPE>
          </ATTRIBUTE-DEFINITION-XHTML>
        </SPEC-ATTRIBUTES>
      </SPEC-OBJECT-TYPE>
      <SPECIFICATION-TYPE IDENTIFIER="st" LONG-NAME="doc"/>
    </SPEC-TYPES>
    <SPEC-OBJECTS>
      <SPEC-OBJECT IDENTIFIER="o1">
        <TYPE><SPEC-OBJECT-TYPE-REF>t-req</SPEC-OBJECT-TYPE-REF></TYPE>
        <VALUES>
          <ATTRIBUTE-VALUE-STRING THE-VALUE="LH-KON-001">
            <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>a-id</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
          </ATTRIBUTE-VALUE-STRING>
          <ATTRIBUTE-VALUE-XHTML>
            <DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>a-text</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
            <THE-VALUE><xhtml:div><xhtml:p>Das CRM-System muss Firmen anlegen.</xhtml:p>
            </xhtml:div></THE-VALUE>
          </ATTRIBUTE-VALUE-XHTML>
          <ATTRIBUTE-VALUE-STRING THE-VALUE="Team Vertrieb">
            <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>a-owner</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
          </ATTRIBUTE-VALUE-STRING>
          <ATTRIBUTE-VALUE-XHTML>
            <DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>a-note</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
            <THE-VALUE><xhtml:div><xhtml:ul><xhtml:li>eins</xhtml:li><xhtml:li>zwei</xhtml:li></xhtml:ul></xhtml:div></THE-VALUE>
          </ATTRIBUTE-VALUE-XHTML>
          <ATTRIBUTE-VALUE-XHTML>
            <DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>a-plain</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
            <THE-VALUE><xhtml:div><xhtml:p>klein</xhtml:p></xhtml:div></THE-VALUE>
          </ATTRIBUTE-VALUE-XHTML>
        </VALUES>
      </SPEC-OBJECT>
    </SPEC-OBJECTS>
    <SPECIFICATIONS>
      <SPECIFICATION IDENTIFIER="s1" LONG-NAME="Kunde">
        <TYPE><SPECIFICATION-TYPE-REF>st</SPECIFICATION-TYPE-REF></TYPE>
        <CHILDREN>
          <SPEC-HIERARCHY IDENTIFIER="h-o1">
            <OBJECT><SPEC-OBJECT-REF>o1</SPEC-OBJECT-REF></OBJECT>
          </SPEC-HIERARCHY>
        </CHILDREN>
      </SPECIFICATION>
    </SPECIFICATIONS>
  </REQ-IF-CONTENT></CORE-CONTENT>
</REQ-IF>
"""


def test_reqif_round_trip(make_project, run_cli, tmp_path: Path) -> None:
    index = "# Mini\n\n```{toctree}\nphasen\nkunde/index\n```\n"
    project = make_project({}, index=index)
    settings_file = project.conf / "specheft.toml"
    old = settings_file.read_bytes()
    source = tmp_path / "kunde.reqif"
    source.write_text(FOREIGN, "utf-8")
    result = run_cli("import", "reqif", source, "--into", project.root)
    assert result.code == 0, result.output
    page = (project.spec / "kunde" / "index.md").read_text("utf-8")
    assert ":verantwortlich: Team Vertrieb\n:kurzinfo: klein\n" in page
    # a list in XHTML cannot be an option: kept in the text, never dropped
    assert "ReqIF attributes:" in page and "**Notiz:**" in page and ":notiz:" not in page
    data = settings_file.read_bytes()
    assert data == old + (
        b'\n[fields.verantwortlich]\nlabel = "Verantwortlich"\n'
        b'\n[fields.kurzinfo]\nlabel = "Kurzinfo"\n'
    )

    result = run_cli("build", project.root, "--no-strict")
    assert result.code == 0, result.output
    assert project.needs()["LH-KON-001"]["verantwortlich"] == "Team Vertrieb"
    out = tmp_path / "zurueck.reqif"
    assert run_cli("export", "reqif", project.root, "--out", out).code == 0
    tree = etree.parse(str(out))
    ns = {"r": "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"}
    ref = "AD-req-verantwortlich"
    definition = tree.find(f".//r:ATTRIBUTE-DEFINITION-STRING[@IDENTIFIER='{ref}']", ns)
    assert definition is not None and definition.get("LONG-NAME") == "Verantwortlich"
    value = tree.xpath(
        f".//r:ATTRIBUTE-VALUE-STRING[r:DEFINITION/r:ATTRIBUTE-DEFINITION-STRING-REF='{ref}']",
        namespaces=ns,
    )
    assert [v.get("THE-VALUE") for v in value] == ["Team Vertrieb"]


def test_refused_reqif_import_leaves_the_settings_untouched(make_project, run_cli, tmp_path):
    project = make_project({})
    project.write("spec/kunde/alt.md", "# Alt\n")
    before = project.snapshot()
    source = tmp_path / "kunde.reqif"
    source.write_text(FOREIGN, "utf-8")
    result = run_cli("import", "reqif", source, "--into", project.root)
    assert result.code == 2 and "not empty" in result.err
    assert project.snapshot() == before


def test_map_names_an_own_field(make_project, run_cli, tmp_path: Path) -> None:
    project = make_project({}, settings=SETTINGS.format(language="de") + FIELDS_TOML)
    source = tmp_path / "kunde.csv"
    source.write_text(
        "ID;Titel;Anforderung;Verantw.;Kostenst.\n"
        "LH-KON-101;Firmen;Das CRM-System muss Firmen anlegen.;Frau Müller;4711\n",
        "utf-8",
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[columns]\n"Verantw." = "field:ansprechpartner"\n"Kostenst." = "field:kst"\n', "utf-8"
    )
    result = run_cli("import", "csv", source, "--project", project.root, "--map", mapping)
    assert result.code == 0, result.output
    page = (project.spec / "import" / "kunde.md").read_text("utf-8")
    assert ":ansprechpartner: Frau Müller\n:kst: 4711\n" in page
    settings = (project.conf / "specheft.toml").read_text("utf-8")
    assert settings.endswith('\n[fields.kst]\nlabel = "Kostenst."\n')  # declared, as named

    mapping.write_text('[columns]\n"Verantw." = "field:Priority"\n', "utf-8")
    result = run_cli("import", "csv", source, "--project", project.root, "--map", mapping)
    assert result.code == 2 and f"{mapping}:2:" in result.err
    assert "'field:Priority': a field name is lower-case" in result.err

    source = tmp_path / "kunde.reqif"
    source.write_text(FOREIGN, "utf-8")
    mapping = tmp_path / "map-reqif.toml"
    mapping.write_text('[attributes]\n"verantwortlich" = "field:ansprechpartner"\n', "utf-8")
    result = run_cli("import", "reqif", source, "--into", project.root, "--map", mapping)
    assert result.code == 0, result.output
    page = (project.spec / "kunde" / "index.md").read_text("utf-8")
    assert ":ansprechpartner: Team Vertrieb\n" in page and "verantwortlich" not in page
    mapping.write_text('[attributes]\n"Notiz" = "field:status"\n', "utf-8")
    result = run_cli("import", "reqif", source, "--into", project.root, "--map", mapping)
    assert result.code == 2 and "'status' is a field sphinx-needs or specheft keeps" in result.err


def test_own_fields_are_content_of_the_fingerprint_and_the_diff(make_project, run_cli) -> None:
    """A signed document's checksum covers every field it shows: changing only an own
    field's value changes it, the same in `specheft fingerprint` and in the build, and
    `specheft diff` names the field."""
    from .helpers import git

    settings = SETTINGS.format(language="de") + FIELDS_TOML
    project = make_project({"anf.md": PAGE}, settings=settings)

    def digests() -> dict[str, str]:
        result = run_cli("fingerprint", "--project", project.root)
        return {line.split("\t")[0]: line.split("\t")[1] for line in result.out.splitlines()}

    before = digests()
    git(project.root, "init", "-q")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-qm", "v1")
    page = project.root / "spec" / "anf.md"
    page.write_text(page.read_text("utf-8").replace("Frau Müller", "Herr Meier"), "utf-8")
    after = digests()
    changed = [name for name in before if before[name] != after[name]]
    assert changed, (before, after)
    assert run_cli("build", project.root, "--no-strict").code == 0
    shown = "".join(p.read_text("utf-8") for p in (project.root / "_build/html").rglob("*.html"))
    assert all(after[name] in shown for name in changed)
    diff = run_cli("diff", "HEAD", project.root, "--format", "json")
    assert diff.code == 1, diff.output
    assert "ansprechpartner" in diff.out and "Herr Meier" in diff.out
