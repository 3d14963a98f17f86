"""ReqIF as other tools write it (#15 point 2): one small fixture per tool dialect, each
imported with the expected ids, titles, text and links; unknown attributes and relations
kept, dangling references and duplicate identifiers reported, never fatal."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from specheft.io.reqif.model import Document, Entry
from specheft.io.reqif.read import read_file

from .helpers import CONF_PY

DIALECTS = Path(__file__).parent / "fixtures" / "reqif" / "dialects"
XSD = Path(__file__).parent / "fixtures" / "reqif" / "xsd" / "reqif.xsd"
#: the fixtures that are not XSD-valid on purpose (as real exports often are not)
INVALID = {"ea": ["duplicated xs:ID value 'R002'", "IDREF 'EAID_GONE'"],
           "polarion": ["duplicated xs:ID value 'rmf-sh-1'"]}  # fmt: skip


def _items(document: Document) -> dict[str, Entry]:
    return {e.id: e for e in document.items()}


def _headings(entries: list[Entry]) -> list[str]:
    return [e.title for e in entries if e.heading]


def _warnings(name: str) -> tuple[list[Document], str]:
    parsed = read_file(DIALECTS / f"{name}.reqif")
    return parsed.documents, "\n".join(parsed.warnings)


@pytest.mark.parametrize("name", ["doors9", "doors-next", "polarion", "pror", "ea", "simulink"])
def test_fixture_is_xsd_valid_or_broken_as_intended(name):
    errors = [
        str(e.reason) for e in xmlschema.XMLSchema(XSD).iter_errors(DIALECTS / f"{name}.reqif")
    ]
    for expected in INVALID.get(name, []):
        assert any(expected in e for e in errors), errors
    assert len(errors) == len(INVALID.get(name, [])), errors


def test_doors9_types_without_long_name_headings_and_ole():
    (doc,), warnings = _warnings("doors9")
    assert doc.name == "Lastenheft CRM" and doc.header == "_D9HDR0001"
    assert _headings(doc.children) == ["Kontaktverwaltung"]  # Object Heading, no text
    items = _items(doc)
    assert list(items) == ["LH-IMP-001", "LH-IMP-002"]  # absolute numbers are no ids
    first, second = items.values()
    # no ReqIF.Name: the title is the text's start; the OLE preview is kept as a reference
    assert first.title.startswith("Das System muss Firmen mit Anschrift")
    assert first.text.startswith("Das System muss Firmen mit Anschrift und Branche erfassen.")
    assert first.fields == {"priority": "must"}  # enumeration "Muss" by LONG-NAME
    assert first.extra["Abteilung"] == "Vertrieb"  # an XHTML attribute, kept
    assert first.extra["ReqIF.ForeignID"] == "2"
    # a relation type without LONG-NAME to an object in another module: kept, reported
    assert first.extra["Relation _D9RT2 (outside the file)"] == "_D9X99"
    assert "SPEC-RELATION _D9R2" in warnings and "_D9X99 is not in the file" in warnings
    assert second.links == {"refines": ["LH-IMP-001"]}  # "Refinement Links"
    assert second.fields == {"priority": "should"}
    # a plain .reqif: the preview would lie beside it; it is not there, so it is named
    assert "_D9O2: attachment 'files/OLE_2_1.png' is not in the folder" in warnings


def test_doors_next_default_namespace_xhtml_and_unplaced_objects():
    (doc, loose), warnings = _warnings("doors-next")
    items = _items(doc)
    first, second = items.values()
    assert first.title == "Angebot & Auftrag anzeigen"
    assert first.text == (
        "Das System muss zu jeder Firma zeigen:\n\n- offene Angebote\n"
        "- Aufträge der letzten **24** Monate\n\n| Quelle | Takt |\n|---|---|\n"
        "| ERP | stündlich |"
    )
    assert first.fields == {"priority": "must"}  # "High"
    assert first.extra == {"ReqIF.ForeignID": "4711"}  # the Identifier number, kept
    # "Satisfies" between two requirements and "Child Of": no specheft link fits
    assert second.links == {}
    assert second.extra["Relation Satisfies"] == first.id
    assert second.extra["Relation Child Of"] == first.id
    assert "SPEC-RELATION _rel-2 (Satisfies): no specheft link kind fits" in warnings
    # an artifact in no module hierarchy is not lost
    assert loose.name == "Objects in no specification"
    assert [e.title for e in loose.items()] == ["Nicht eingeordnet"]
    assert "in no SPECIFICATION" in warnings


def test_polarion_chapter_name_titles_link_roles_and_reused_hierarchy():
    (doc,), warnings = _warnings("polarion")
    assert _headings(doc.children) == ["Vertrieb"]
    items = _items(doc)
    assert list(items) == ["LH-VTR-001", "LH-IMP-001"]  # a Polarion id is no specheft id
    first, second = items.values()
    assert (first.title, second.title) == ("Leads erfassen", "Leads qualifizieren")
    assert first.fields == {"status": "agreed"}  # "Approved"
    assert "ReqIF.ChapterName" not in first.extra  # it became the title
    assert first.extra["ReqIF.ForeignCreatedBy"] == "jana.brockmeyer"
    assert second.extra["Status"] == "Pending Clarification"  # a workflow state, kept
    # "is refined by" from the first to the second: the second refines the first
    assert second.links == {"refines": ["LH-VTR-001"]}
    assert second.extra["Relation relates to"] == "LH-VTR-001"
    assert second.extra["Relation parent (outside the file)"] == "CRM-EXT-7"
    assert "SPEC-RELATION rmf-rel-3 (parent): its target CRM-EXT-7" in warnings
    assert "polarion.reqif:150: SPEC-OBJECT rmf-o-1 appears twice" in warnings


def test_pror_free_names_multi_valued_enumeration_nested_items():
    (doc,), warnings = _warnings("pror")
    (parent,) = doc.children
    assert parent.id == "LH-SRV-001"  # from the attribute named "ID"
    assert parent.text == "Tickets aus allen Kanälen landen in einer Warteschlange."
    assert parent.extra == {"Channels": "Portal, E-Mail, Telefonie"}  # all values kept
    assert [c.id for c in parent.children] == ["LH-SRV-002"]
    assert warnings == ""


def test_enterprise_architect_free_identifiers_duplicates_and_dangling_refs():
    (doc,), warnings = _warnings("ea")
    items = _items(doc)
    first, second = items.values()
    assert (first.title, second.title) == ("Kampagnen planen", "Kampagnenerfolg messen")
    assert first.text == "Das System muss Kampagnen mit Budget und Zielgruppe planen."
    # enumeration values named by IDENTIFIER only (OTHER-CONTENT is "foo")
    assert first.fields == {"status": "draft", "priority": "must"}
    assert second.fields == {"priority": "can"}
    assert first.extra["Stereotype"] == "functional"
    assert second.links == {"refines": [first.id]}
    assert "duplicate SPEC-OBJECT R002; the first is kept" in warnings
    assert "EA-REL-2 (Trace): its target EAID_0815 is not in the file" in warnings
    assert "ea.reqif:114: SPEC-HIERARCHY refers to EAID_GONE" in warnings


def test_simulink_simplified_xhtml_relation_groups_and_sets():
    (first_set, second_set), warnings = _warnings("simulink")
    assert (first_set.name, second_set.name) == ("crm_reqs", "crm_derived")
    assert _headings(first_set.children) == ["Service"]
    (req,) = first_set.items()
    assert req.title == "Reaktionszeit einhalten"
    # THE-VALUE (simplified) is read, not the styled THE-ORIGINAL-VALUE
    assert req.text == "Das System muss Tickets der Klasse 1 binnen **4 Stunden** zuweisen."
    assert req.fields == {"rationale": "Vertrag mit dem Servicepartner"}
    assert req.extra["Keywords"] == "SLA, Service"
    (derived,) = second_set.items()
    assert derived.links == {"refines": [req.id]}  # "Derive", across the two sets
    assert req.extra["Relation Relate"] == derived.id
    assert "_sl-l2 (Relate)" in warnings


def test_all_dialects_into_one_project_give_unique_ids_and_build(tmp_path, run_cli):
    root = tmp_path / "proj"
    (root / "spec").mkdir(parents=True)
    (root / "conf").mkdir()
    (root / "conf" / "conf.py").write_text(CONF_PY, encoding="utf-8")
    (root / "conf" / "specheft.toml").write_text(
        '[project]\nname = "D"\nlanguage = "de"\n[areas]\nSRV = "Service"\nVTR = "Vertrieb"\n',
        encoding="utf-8",
    )
    (root / "spec" / "index.md").write_text("# D\n", encoding="utf-8")
    for name in ("doors9", "doors-next", "polarion", "pror", "ea", "simulink"):
        done = run_cli("import", "reqif", DIALECTS / f"{name}.reqif", "--into", root)
        assert done.code == 0, done.output
    ids = [
        line.split()[1]
        for page in root.rglob("*.md")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith(":id: ")
    ]
    assert len(ids) == 13 and len(set(ids)) == 13  # later imports take the next numbers
    # again with --force: the same ids (the replaced pages' own ids do not count)
    again = run_cli("import", "reqif", DIALECTS / "ea.reqif", "--into", root, "--force")
    assert again.code == 0
    page = (root / "spec" / "marketing" / "index.md").read_text(encoding="utf-8")
    assert ":id: LH-IMP-007" in page and ":id: LH-IMP-008" in page
    check = run_cli("check", root)
    # findings about the content (no phase, no acceptance), no syntax or id problem
    assert check.code == 1, check.output
    assert "13 items" in check.output
    for bad in ("duplicate", "syntax", "Traceback", "unknown option", "invalid"):
        assert bad not in check.output.lower(), check.output


MAP = """\
[attributes]
"identifier" = "rationale"

[relations]
"Satisfies" = "refines"
"Child Of" = "attribute"

[priorities]
"High" = "should"

[types]
"Heading" = "heading"
"""


def test_map_file_and_kind_option(tmp_path):
    from specheft.io.reqif.mapping import load_map

    (tmp_path / "map.toml").write_text(MAP, encoding="utf-8")
    mapping = load_map(tmp_path / "map.toml", "spec")
    doc, _ = read_file(DIALECTS / "doors-next.reqif", mapping).documents
    first, second = doc.items()
    assert first.kind == "spec" and first.id == "PH-IMP-001"  # --kind for unknown types
    assert first.fields == {"rationale": "4711"}  # an attribute mapped to a field
    assert "Priority" in first.extra  # "High" → should, but spec items have no priority
    assert second.links == {}  # refines is req → req: kept as an attribute, reported
    assert second.extra["Relation Satisfies"] == first.id
    req, _ = read_file(DIALECTS / "doors-next.reqif", load_map(tmp_path / "map.toml")).documents
    first, second = req.items()
    assert first.fields == {"rationale": "4711", "priority": "should"}
    assert second.links == {"refines": [first.id]}
    assert second.extra["Relation Child Of"] == first.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[attributes]\n"Identifier" = "idd"\n', "map.toml:2: attributes.Identifier: 'idd'"),
        ("[atributes]\n", "map.toml:1: atributes: unknown table"),
        ('[relations]\nx = "satisfy"\n', "map.toml:2: relations.x: 'satisfy' is not allowed"),
        ("[types\n", "not valid TOML"),
    ],
)
def test_bad_map_exits_2_located(tmp_path, run_cli, text, expected):
    (tmp_path / "map.toml").write_text(text, encoding="utf-8")
    root = tmp_path / "proj"
    (root / "spec").mkdir(parents=True)
    (root / "conf").mkdir()
    (root / "conf" / "conf.py").write_text(CONF_PY, encoding="utf-8")
    done = run_cli(
        "import", "reqif", DIALECTS / "pror.reqif", "--into", root, "--map", tmp_path / "map.toml"
    )
    assert done.code == 2 and expected in done.err, done.err
    assert list((root / "spec").iterdir()) == []
