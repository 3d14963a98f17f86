"""ReqIF exchange (#15): export validates against the XSD, is deterministic, keeps any
text; import reads foreign files into MyST pages and refuses hostile input located."""

from __future__ import annotations

import io
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from specheft.cli import main
from specheft.io.reqif import NS
from specheft.io.reqif import read as reqif_read
from specheft.io.reqif.export import render, zipped
from specheft.io.reqif.model import Document, Entry
from specheft.io.reqif.read import read_file

from .helpers import CONF_PY, REPO, SETTINGS, item

XSD = Path(__file__).parent / "fixtures" / "reqif" / "xsd" / "reqif.xsd"
WHEN = "2026-05-04T03:02:01+00:00"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(XSD)


def _errors(schema: xmlschema.XMLSchema, data: bytes) -> list[str]:
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(io.BytesIO(data))]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    root = tmp_path_factory.mktemp("reqif") / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    out = root.parent / "crm.reqif"
    assert main(["export", "reqif", str(root), "--out", str(out)]) == 0
    return root, out.read_bytes()


def test_example_export_validates_against_the_reqif_xsd(example, schema):
    _, data = example
    assert _errors(schema, data) == []
    tree = etree.fromstring(data)
    q = f"{{{NS}}}"
    assert tree.findtext(f".//{q}REQ-IF-VERSION") == "1.0"
    objects = tree.findall(f".//{q}SPEC-OBJECT")
    items = [o for o in objects if not o.get("IDENTIFIER").startswith("H-")]
    assert len(items) == 326  # every item of the example (126 req, 107 spec, 74 test, 1 cr, …)
    types = {t.get("LONG-NAME") for t in tree.iter(f"{q}SPEC-OBJECT-TYPE")}
    assert types == {"req", "spec", "test", "excl", "phase", "cr", "heading"}
    relation_types = {t.get("LONG-NAME") for t in tree.iter(f"{q}SPEC-RELATION-TYPE")}
    assert relation_types == {"satisfies", "verifies", "phase", "refines", "changes"}
    assert len(tree.findall(f".//{q}SPEC-RELATION")) > 300
    specs = [s.get("LONG-NAME") for s in tree.iter(f"{q}SPECIFICATION")]
    assert specs == ["lastenheft", "pflichtenheft", "testkatalog"]
    enums = {e.get("LONG-NAME") for e in tree.iter(f"{q}DATATYPE-DEFINITION-ENUMERATION")}
    assert {"priority", "status", "level", "solution", "verification"} <= enums
    # identifiers come from the item ids: a merge-back in DOORS/Polarion finds them again
    lh = tree.find(f".//{q}SPEC-OBJECT[@IDENTIFIER='SO-LH-AKT-001']")
    assert lh is not None
    assert b"ATTRIBUTE-DEFINITION-DATE" in data


def test_export_is_byte_identical_and_zip_too(example, tmp_path):
    root, first = example
    again = tmp_path / "again.reqif"
    assert main(["export", "reqif", str(root), "--out", str(again)]) == 0
    assert again.read_bytes() == first
    zips = []
    for folder in ("a", "b"):  # the member is named after the file: same name, two folders
        out = tmp_path / folder / "a.reqifz"
        assert main(["export", "reqif", str(root), "--out", str(out), "--zip"]) == 0
        zips.append(out.read_bytes())
    assert zips[0] == zips[1]
    with zipfile.ZipFile(io.BytesIO(zips[0])) as archive:
        assert archive.namelist() == ["a.reqif"]
        assert archive.read("a.reqif") == first


def test_export_document_option_and_wrong_name(example, tmp_path, run_cli):
    root, _ = example
    out = tmp_path / "lh.reqif"
    done = run_cli("export", "reqif", root, "--document", "lastenheft", "--out", out)
    assert done.code == 0, done.output
    specs = [s.get("LONG-NAME") for s in etree.parse(out).iter(f"{{{NS}}}SPECIFICATION")]
    assert specs == ["lastenheft"]
    wrong = run_cli("export", "reqif", root, "--document", "nope", "--out", tmp_path / "x.reqif")
    assert wrong.code == 2 and "nope" in wrong.err and "Traceback" not in wrong.output
    suffix = run_cli("export", "reqif", root, "--zip", "--out", tmp_path / "x.reqif")
    assert suffix.code == 2 and ".reqifz" in suffix.err


def test_export_of_a_project_without_items_is_valid(make_project, run_cli, schema, tmp_path):
    project = make_project()
    (project.spec / "phasen.md").write_text("# Phasen\n", encoding="utf-8")
    out = tmp_path / "empty.reqif"
    done = run_cli("export", "reqif", project.root, "--out", out)
    assert done.code == 0 and "0 items" in done.out
    assert _errors(schema, out.read_bytes()) == []


def test_creation_time_comes_from_git_not_the_clock(make_project, run_cli, tmp_path):
    project = make_project()
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_COMMITTER_DATE": "2021-02-03T04:05:06+00:00",
        "GIT_AUTHOR_DATE": "2021-02-03T04:05:06+00:00",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", *args], cwd=project.root, env=env, check=True)
    out = tmp_path / "t.reqif"
    assert run_cli("export", "reqif", project.root, "--out", out).code == 0
    text = out.read_text(encoding="utf-8")
    assert "<CREATION-TIME>2021-02-03T04:05:06+00:00</CREATION-TIME>" in text


HOSTILE_TITLE = f"A & B < C > D \" E ' F{NBSP}G\tH Ärger über Öl ß"
HOSTILE_TEXT = (
    f"Erste Zeile & <tag> \"zitiert\" 'einfach'\nzweite{NBSP}Zeile\tmit Tab\n\n"
    + "Ä" * 16_384
    + "x" * 16_384
    + "\n\nletzter Absatz"
)


def test_hostile_text_survives_export_and_import(schema, tmp_path):
    entry = Entry(
        "LH-KON-001",
        "req",
        HOSTILE_TITLE,
        HOSTILE_TEXT,
        {"priority": "must", "rationale": "R & D <x>"},
        identifier="SO-LH-KON-001",
    )
    data = render([Document("lastenheft", [entry])], title="T & <Q>", when=WHEN)
    assert _errors(schema, data) == []
    path = tmp_path / "h.reqif"
    path.write_bytes(data)
    parsed = read_file(path)
    (back,) = parsed.documents[0].items()
    assert back.title == HOSTILE_TITLE
    assert back.text == HOSTILE_TEXT
    assert back.fields == {"priority": "must", "rationale": "R & D <x>"}
    assert len(back.text) > 32_000


ROUND_TRIP_PAGES = {
    "lastenheft/kontakte.md": "# Kontakte\n\n## Stammdaten\n\n"
    + item(
        "req",
        "Firmen & Personen <anlegen>",
        f"Das System muss\nFirmen anlegen{NBSP}können.\n\nZweiter\tAbsatz mit Ümlauten.",
        id="LH-KON-001",
        priority="must",
        area="KON",
        verification="test",
        phase="PHASE-IMPL",
    )
    + "\n## Suche\n\n"
    + item(
        "req",
        "Suchen",
        "Das System soll suchen.",
        id="LH-KON-002",
        priority="should",
        tags="suche, vertrieb",
    )
    + item("req", "Verfeinert", "Kann.", id="LH-KON-003", priority="can", refines="LH-KON-001"),
    "pflichtenheft/kontakte.md": "# Umsetzung\n\n"
    + item(
        "spec",
        "Firmenmaske",
        "Standard.",
        id="PH-KON-001",
        satisfies="LH-KON-001, LH-KON-002",
        solution="standard",
    ),
    "testkatalog/sit.md": "# SIT\n\n"
    + item(
        "test", "Anlegen testen", "Schritte.", id="TC-SIT-001", verifies="PH-KON-001", level="sit"
    ),
}


def test_round_trip_export_import_export_is_byte_identical(
    make_project, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source = make_project(ROUND_TRIP_PAGES)
    first = tmp_path / "first.reqif"
    assert run_cli("export", "reqif", source.root, "--out", first).code == 0
    target = tmp_path / "target"
    shutil.copytree(source.conf, target / "conf")
    (target / "spec").mkdir()
    (target / "spec" / "index.md").write_text("# Import\n", encoding="utf-8")
    done = run_cli("import", "reqif", first, "--into", target)
    assert done.code == 0, done.output
    assert sorted(p.relative_to(target / "spec").as_posix() for p in target.rglob("*.md")) == [
        "index.md",
        "lastenheft/index.md",
        "pflichtenheft/index.md",
        "phasen/index.md",
        "testkatalog/index.md",
    ]
    page = (target / "spec" / "lastenheft" / "index.md").read_text(encoding="utf-8")
    assert "## Stammdaten" in page and ":refines: LH-KON-001" in page
    assert ":tags: suche, vertrieb\n" in page  # tags travel too (they were dropped)
    second = tmp_path / "second.reqif"
    assert run_cli("export", "reqif", target, "--out", second).code == 0
    assert second.read_bytes() == first.read_bytes()


FOREIGN = f"""<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="{NS}" xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>x</TITLE></REQ-IF-HEADER></THE-HEADER>
  <CORE-CONTENT><REQ-IF-CONTENT>
    <DATATYPES>
      <DATATYPE-DEFINITION-XHTML IDENTIFIER="dt-x" LAST-CHANGE="{WHEN}"/>
      <DATATYPE-DEFINITION-STRING IDENTIFIER="dt-s" LAST-CHANGE="{WHEN}" MAX-LENGTH="255"/>
      <DATATYPE-DEFINITION-ENUMERATION IDENTIFIER="dt-p" LAST-CHANGE="{WHEN}">
        <SPECIFIED-VALUES>
          <ENUM-VALUE IDENTIFIER="ev-1" LAST-CHANGE="{WHEN}" LONG-NAME="shall"/>
          <ENUM-VALUE IDENTIFIER="ev-2" LAST-CHANGE="{WHEN}" LONG-NAME="Soll"/>
        </SPECIFIED-VALUES>
      </DATATYPE-DEFINITION-ENUMERATION>
    </DATATYPES>
    <SPEC-TYPES>
      <SPEC-OBJECT-TYPE IDENTIFIER="t-req" LAST-CHANGE="{WHEN}">
        <SPEC-ATTRIBUTES>
          <ATTRIBUTE-DEFINITION-STRING IDENTIFIER="ReqIF.ForeignID" LAST-CHANGE="{WHEN}"/>
          <ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="ReqIF.Name" LAST-CHANGE="{WHEN}"/>
          <ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="ReqIF.Text" LAST-CHANGE="{WHEN}"/>
          <ATTRIBUTE-DEFINITION-STRING IDENTIFIER="ad-owner" LONG-NAME="Owner"
            LAST-CHANGE="{WHEN}"/>
          <ATTRIBUTE-DEFINITION-ENUMERATION IDENTIFIER="ad-prio" LONG-NAME="Priority"
            LAST-CHANGE="{WHEN}"/>
        </SPEC-ATTRIBUTES>
      </SPEC-OBJECT-TYPE>
      <SPEC-RELATION-TYPE IDENTIFIER="rt" LONG-NAME="refines" LAST-CHANGE="{WHEN}"/>
    </SPEC-TYPES>
    <SPEC-OBJECTS>
      <SPEC-OBJECT IDENTIFIER="o1" LAST-CHANGE="{WHEN}">
        <VALUES>
          <ATTRIBUTE-VALUE-STRING THE-VALUE="4711">
            <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>ReqIF.ForeignID</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
          </ATTRIBUTE-VALUE-STRING>
          <ATTRIBUTE-VALUE-XHTML>
            <DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>ReqIF.Name</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
            <THE-VALUE><xhtml:div>Login <xhtml:b>sicher</xhtml:b></xhtml:div></THE-VALUE>
          </ATTRIBUTE-VALUE-XHTML>
          <ATTRIBUTE-VALUE-XHTML>
            <DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>ReqIF.Text</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
            <THE-VALUE><xhtml:div><xhtml:p>The system <xhtml:em>shall</xhtml:em>:</xhtml:p>
              <xhtml:ul><xhtml:li>eins</xhtml:li><xhtml:li>zwei</xhtml:li></xhtml:ul>
              <xhtml:table><xhtml:tr><xhtml:th>A</xhtml:th><xhtml:th>B</xhtml:th></xhtml:tr>
              <xhtml:tr><xhtml:td colspan="2">beide</xhtml:td></xhtml:tr></xhtml:table>
            </xhtml:div></THE-VALUE>
          </ATTRIBUTE-VALUE-XHTML>
          <ATTRIBUTE-VALUE-STRING THE-VALUE="Team A">
            <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>ad-owner</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
          </ATTRIBUTE-VALUE-STRING>
          <ATTRIBUTE-VALUE-ENUMERATION>
            <DEFINITION><ATTRIBUTE-DEFINITION-ENUMERATION-REF>ad-prio</ATTRIBUTE-DEFINITION-ENUMERATION-REF></DEFINITION>
            <VALUES><ENUM-VALUE-REF>ev-1</ENUM-VALUE-REF></VALUES>
          </ATTRIBUTE-VALUE-ENUMERATION>
        </VALUES>
        <TYPE><SPEC-OBJECT-TYPE-REF>t-req</SPEC-OBJECT-TYPE-REF></TYPE>
      </SPEC-OBJECT>
      <SPEC-OBJECT IDENTIFIER="o2" LAST-CHANGE="{WHEN}">
        <VALUES>
          <ATTRIBUTE-VALUE-STRING THE-VALUE="LH-SEC-002">
            <DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>ReqIF.ForeignID</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>
          </ATTRIBUTE-VALUE-STRING>
          <ATTRIBUTE-VALUE-ENUMERATION>
            <DEFINITION><ATTRIBUTE-DEFINITION-ENUMERATION-REF>ad-prio</ATTRIBUTE-DEFINITION-ENUMERATION-REF></DEFINITION>
            <VALUES><ENUM-VALUE-REF>ev-2</ENUM-VALUE-REF></VALUES>
          </ATTRIBUTE-VALUE-ENUMERATION>
        </VALUES>
        <TYPE><SPEC-OBJECT-TYPE-REF>t-req</SPEC-OBJECT-TYPE-REF></TYPE>
      </SPEC-OBJECT>
    </SPEC-OBJECTS>
    <SPEC-RELATIONS>
      <SPEC-RELATION IDENTIFIER="r1" LAST-CHANGE="{WHEN}">
        <SOURCE><SPEC-OBJECT-REF>o2</SPEC-OBJECT-REF></SOURCE>
        <TARGET><SPEC-OBJECT-REF>o1</SPEC-OBJECT-REF></TARGET>
        <TYPE><SPEC-RELATION-TYPE-REF>rt</SPEC-RELATION-TYPE-REF></TYPE>
      </SPEC-RELATION>
      <SPEC-RELATION IDENTIFIER="r-dangling" LAST-CHANGE="{WHEN}">
        <SOURCE><SPEC-OBJECT-REF>o2</SPEC-OBJECT-REF></SOURCE>
        <TARGET><SPEC-OBJECT-REF>o-missing</SPEC-OBJECT-REF></TARGET>
        <TYPE><SPEC-RELATION-TYPE-REF>rt</SPEC-RELATION-TYPE-REF></TYPE>
      </SPEC-RELATION>
    </SPEC-RELATIONS>
    <SPECIFICATIONS>
      <SPECIFICATION IDENTIFIER="s1" LONG-NAME="Kunden-Lastenheft" LAST-CHANGE="{WHEN}">
        <CHILDREN>
          <SPEC-HIERARCHY IDENTIFIER="sh1" LAST-CHANGE="{WHEN}">
            <OBJECT><SPEC-OBJECT-REF>o1</SPEC-OBJECT-REF></OBJECT>
          </SPEC-HIERARCHY>
          <SPEC-HIERARCHY IDENTIFIER="sh2" LAST-CHANGE="{WHEN}">
            <OBJECT><SPEC-OBJECT-REF>o2</SPEC-OBJECT-REF></OBJECT>
          </SPEC-HIERARCHY>
        </CHILDREN>
      </SPECIFICATION>
    </SPECIFICATIONS>
  </REQ-IF-CONTENT></CORE-CONTENT>
</REQ-IF>
"""


@pytest.fixture
def target(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "spec").mkdir(parents=True)
    (root / "conf").mkdir()
    (root / "conf" / "conf.py").write_text(CONF_PY, encoding="utf-8")
    (root / "conf" / "specheft.toml").write_text(SETTINGS.format(language="de"), encoding="utf-8")
    (root / "spec" / "index.md").write_text("# P\n", encoding="utf-8")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_foreign_file_to_myst(tmp_path, target, run_cli):
    source = tmp_path / "kunde.reqif"
    source.write_text(FOREIGN, encoding="utf-8")
    done = run_cli("import", "reqif", source, "--into", target)
    assert done.code == 0, done.output
    page = (target / "spec" / "kunden-lastenheft" / "index.md").read_text(encoding="utf-8")
    # a ForeignID that is no specheft id: a stable fallback, the original kept, a warning
    # a title is plain text (sphinx-needs shows no Markdown in it): <b> gives no **
    assert ":::{req} Login sicher\n:id: LH-IMP-001\n:priority: must\n" in page
    assert ":reqif_foreignid: 4711\n" in page and "LH-IMP-001" in done.err
    assert "The system *shall*:\n\n- eins\n- zwei\n\n| A | B |\n|---|---|\n| beide |  |" in page
    # an attribute without a specheft field is kept: a field of the project's own
    assert ":owner: Team A\n" in page and "ReqIF attributes" not in page
    settings = (target / "conf" / "specheft.toml").read_text(encoding="utf-8")
    assert '[fields.owner]\nlabel = "Owner"\n' in settings
    assert ":id: LH-SEC-002\n:priority: should\n:refines: LH-IMP-001\n" in page
    assert "r-dangling" in done.err and "o-missing" in done.err
    assert "merged cells" in done.err


def test_import_into_a_folder_below_spec_like_the_sheet_import(tmp_path, target, run_cli):
    """--into names the pages' folder (as for import xlsx), --project the project; a
    folder outside spec/ is refused before anything is written."""
    source = tmp_path / "kunde.reqif"
    source.write_text(FOREIGN, encoding="utf-8")
    before = _snapshot(target)
    outside = run_cli("import", "reqif", source, "--project", target, "--into", tmp_path / "x")
    assert outside.code == 2 and "is not inside the project's spec/" in outside.err
    assert _snapshot(target) == before and not (tmp_path / "x").exists()
    folder = target / "spec" / "kunde"
    done = run_cli("import", "reqif", source, "--project", target, "--into", folder)
    assert done.code == 0, done.output
    assert (folder / "kunden-lastenheft" / "index.md").is_file()
    assert (folder / "kunden-lastenheft" / ".reqif-origin.json").is_file()
    assert not (target / "spec" / "kunden-lastenheft").exists()


def test_import_refuses_a_non_empty_target_and_writes_nothing(tmp_path, target, run_cli):
    source = tmp_path / "kunde.reqif"
    source.write_text(FOREIGN, encoding="utf-8")
    assert run_cli("import", "reqif", source, "--into", target).code == 0
    page = target / "spec" / "kunden-lastenheft" / "index.md"
    page.write_text("edited\n", encoding="utf-8")
    before = _snapshot(target)
    again = run_cli("import", "reqif", source, "--into", target)
    assert again.code == 2 and "not empty" in again.err and "--force" in again.err
    assert _snapshot(target) == before
    assert run_cli("import", "reqif", source, "--into", target, "--force").code == 0
    assert page.read_text(encoding="utf-8") != "edited\n"


def test_import_reads_latin1_and_utf16(tmp_path, target, run_cli):
    latin = FOREIGN.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(
        "Team A", "Müller &amp; Söhne"
    )
    (tmp_path / "l.reqif").write_bytes(latin.encode("latin-1"))
    (tmp_path / "u.reqif").write_bytes(
        latin.replace('encoding="ISO-8859-1"', 'encoding="UTF-16"').encode("utf-16")
    )
    for name in ("l.reqif", "u.reqif"):
        items = read_file(tmp_path / name).documents[0].items()
        (extra,) = [e for e in items if "Owner" in e.extra]
        assert extra.extra["Owner"] == "Müller & Söhne", name


def _zip(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def _encrypted(path: Path, data: bytes) -> Path:
    """The 'encrypted' bit set in both headers (zipfile cannot write encrypted members)."""
    _zip(path, {"a.reqif": data})
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + offset] |= 0x1
    path.write_bytes(bytes(raw))
    return path


def _lying(path: Path, data: bytes) -> Path:
    """A zip whose headers declare 100 bytes for a member that inflates to far more."""
    _zip(path, {"a.reqif": data})
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.find(signature)
        raw[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    return path


VALID = FOREIGN.encode()
BAD_INPUTS = {
    "billion-laughs": (
        "b.reqif",
        lambda p: p.write_bytes(
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<REQ-IF>&lol2;</REQ-IF>'
        ),
        "DOCTYPE",
    ),
    "external-entity": (
        "x.reqif",
        lambda p: p.write_bytes(
            b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<REQ-IF>&x;</REQ-IF>"
        ),
        "DOCTYPE",
    ),
    "empty": ("e.reqif", lambda p: p.write_bytes(b""), "empty file"),
    "truncated": ("t.reqif", lambda p: p.write_bytes(VALID[: len(VALID) // 2]), "not well-formed"),
    "not-reqif": ("n.reqif", lambda p: p.write_bytes(b"<html><body/></html>"), "<html>"),
    "old-namespace": (
        "o.reqif",
        lambda p: p.write_bytes(VALID.replace(b"20110401", b"20101201")),
        "20101201",
    ),
    "zip-dotdot": ("d.reqifz", lambda p: _zip(p, {"../a.reqif": VALID}), "'..'"),
    "zip-absolute": ("a.reqifz", lambda p: _zip(p, {"/tmp/a.reqif": VALID}), "absolute"),
    "zip-symlink": ("s.reqifz", lambda p: _zip(p, {"a.reqif": VALID}, symlink="l"), "symbolic"),
    "zip-no-reqif": ("z.reqifz", lambda p: _zip(p, {"a.txt": b"x"}), "no .reqif"),
    "zip-encrypted": ("c.reqifz", lambda p: _encrypted(p, VALID), "encrypted"),
    "not-a-zip": ("nz.reqifz", lambda p: p.write_bytes(b"hello"), "not a zip"),
    "zip-lying-header": ("l.reqifz", lambda p: _lying(p, VALID), "damaged"),
    # a tags attribute holding what sphinx-needs would run as a dynamic function
    "tag-with-markup": (
        "g.reqif",
        lambda p: p.write_bytes(
            VALID.replace(b'LONG-NAME="Owner"', b'LONG-NAME="Tags"').replace(
                b'THE-VALUE="Team A"', b"THE-VALUE=\"crm, [[copy('id')]]\""
            )
        ),
        "g.reqif:30: SPEC-OBJECT o1: attribute 'Tags': the tag \"[[copy('id')]]\" holds '[['",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exit_2_located_nothing_written(case, tmp_path, target, run_cli):
    name, make, expected = BAD_INPUTS[case]
    path = tmp_path / name
    make(path)
    before = _snapshot(target)
    done = run_cli("import", "reqif", path, "--into", target)
    assert done.code == 2, done.output
    assert str(path) in done.err and expected in done.err, done.err
    assert "Traceback" not in done.output and "internal error" not in done.output
    assert _snapshot(target) == before


def test_zip_bomb_refused_by_declared_and_by_inflated_size(tmp_path, target, run_cli, monkeypatch):
    monkeypatch.setattr(reqif_read, "MAX_FILE", 4096)
    bomb = _zip(tmp_path / "bomb.reqifz", {"a.reqif": b" " * 100_000})
    done = run_cli("import", "reqif", bomb, "--into", target)
    assert done.code == 2 and "declares" in done.err
    # headers that claim a small size: the bytes actually inflated are counted
    monkeypatch.setattr(reqif_read, "MAX_FILE", 200)
    lying = _lying(tmp_path / "lie.reqifz", b" " * 100_000)
    done = run_cli("import", "reqif", lying, "--into", target)
    assert done.code == 2 and str(lying) in done.err


def test_highly_compressed_real_export_passes(tmp_path, target, run_cli):
    # a real export compresses 30–40:1 and must not look like a bomb
    entries = [
        Entry(f"LH-KON-{n:03d}", "req", f"Titel {n}", "Das System muss. " * 200,
              {"priority": "must"}, identifier=f"SO-LH-KON-{n:03d}")
        for n in range(1, 200)
    ]  # fmt: skip
    data = render([Document("lastenheft", entries)], title="T", when=WHEN)
    packed = zipped("a.reqif", data, WHEN)
    assert len(data) / len(packed) > 34
    (tmp_path / "big.reqifz").write_bytes(packed)
    done = run_cli("import", "reqif", tmp_path / "big.reqifz", "--into", target)
    assert done.code == 0, done.output
