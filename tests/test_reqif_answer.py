"""The return trip (#15 point 3): import a customer's ReqIF, answer it from the project
with `export reqif --answer-to`; only the vendor-editable attribute values change."""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from specheft.io.reqif import NS
from specheft.io.reqif.answer import Edit, load_original, splice

from .helpers import CONF_PY, SETTINGS, item

FIXTURES = Path(__file__).parent / "fixtures" / "reqif"
CUSTOMER = FIXTURES / "answer" / "customer.reqif"
XSD = FIXTURES / "xsd" / "reqif.xsd"
EDITABLE = {"_AD_SUPCOM", "_AD_SUPSTAT"}
Q = f"{{{NS}}}"

PFLICHTENHEFT = "# Pflichtenheft\n\n" + (
    item("spec", "Firmenmaske & <Anschrift>", "Maske.", id="PH-KON-001",
         satisfies="LH-KON-001", solution="standard")
    + item("spec", "Dublettenprüfung", "Regel.", id="PH-KON-002",
           satisfies="LH-KON-002, LH-KON-001", solution="customizing")
)  # fmt: skip


def _project(root: Path, settings: str = "") -> Path:
    (root / "spec").mkdir(parents=True)
    (root / "conf").mkdir()
    (root / "conf" / "conf.py").write_text(CONF_PY, encoding="utf-8")
    toml = SETTINGS.format(language="de") + settings
    (root / "conf" / "specheft.toml").write_text(toml, encoding="utf-8")
    index = "# Angebot\n\n```{toctree}\npflichtenheft\n```\n"
    (root / "spec" / "index.md").write_text(index, encoding="utf-8")
    return root


@pytest.fixture
def imported(tmp_path: Path, run_cli) -> tuple[Path, Path]:
    """A project that imported a copy of the customer's file and answers two of its three
    requirements in a Pflichtenheft page."""
    original = tmp_path / "kunde.reqif"
    shutil.copyfile(CUSTOMER, original)
    root = _project(tmp_path / "proj")
    done = run_cli("import", "reqif", original, "--into", root)
    assert done.code == 0, done.output
    (root / "spec" / "pflichtenheft.md").write_text(PFLICHTENHEFT, encoding="utf-8")
    return root, original


def _without_editable(data: bytes) -> bytes:
    """The file in canonical form with the editable attribute values taken out."""
    root = etree.fromstring(data)
    for value in list(root.iter(f"{Q}ATTRIBUTE-VALUE-XHTML", f"{Q}ATTRIBUTE-VALUE-ENUMERATION",
                                f"{Q}ATTRIBUTE-VALUE-STRING")):  # fmt: skip
        ref = value.find(f"{Q}DEFINITION")[0].text
        if ref in EDITABLE:
            value.getparent().remove(value)
    for values in root.iter(f"{Q}VALUES"):  # the indentation between values only
        values.text = values.text.strip() if values.text else values.text
        for value in values:
            value.tail = value.tail.strip() if value.tail else value.tail
    return etree.tostring(root, method="c14n")


def _values(data: bytes) -> dict[tuple[str, str], str]:
    """(SPEC-OBJECT, editable definition) → the value as text (enum: the ENUM-VALUE id)."""
    found = {}
    for obj in etree.fromstring(data).iter(f"{Q}SPEC-OBJECT"):
        for value in obj.find(f"{Q}VALUES"):
            ref = value.find(f"{Q}DEFINITION")[0].text
            if ref in EDITABLE:
                found[(obj.get("IDENTIFIER"), ref)] = value.get("THE-VALUE") or "|".join(
                    "".join(v.itertext()) for v in value if not v.tag.endswith("DEFINITION")
                )
    return found


def test_import_records_the_origin_of_each_item(imported):
    root, original = imported
    sidecar = json.loads((root / "spec" / "kunde-lastenheft" / ".reqif-origin.json").read_text())
    assert sidecar["header"] == "_c0a8b9e4-5f1e-4d2a-9d1f-4711DOORSHDR"
    assert sidecar["specification"] == "_SP_LH"
    assert sidecar["sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()
    assert [(i["id"], i["identifier"], i["type"]) for i in sidecar["items"]] == [
        ("LH-KON-001", "_SO_1", "_ST_REQ"),
        ("LH-KON-002", "_SO_2", "_ST_REQ"),
        ("LH-KON-003", "_SO_3", "_ST_REQ"),
    ]


def test_answer_changes_only_the_editable_values(imported, run_cli, tmp_path):
    root, original = imported
    before = original.read_bytes()
    out = tmp_path / "antwort.reqif"
    done = run_cli("export", "reqif", root, "--answer-to", original, "--out", out)
    assert done.code == 0, done.output
    assert "2 objects answered" in done.out and "1 requirement satisfied by no item" in done.out
    assert original.read_bytes() == before  # the customer's file is only read
    answer = out.read_bytes()
    schema = xmlschema.XMLSchema(XSD)
    assert [e.reason for e in schema.iter_errors(io.BytesIO(answer))] == []
    # element by element: equal once the editable attribute values are taken out
    assert _without_editable(answer) == _without_editable(before)
    assert _values(before) == {("_SO_1", "_AD_SUPCOM"): "bitte kommentieren",
                               ("_SO_1", "_AD_SUPSTAT"): "_EV_OPEN"}  # fmt: skip
    assert _values(answer) == {
        ("_SO_1", "_AD_SUPCOM"): "PH-KON-001: Firmenmaske & <Anschrift> [standard]"
        "PH-KON-002: Dublettenprüfung [customizing]",
        ("_SO_1", "_AD_SUPSTAT"): "_EV_CUST",  # of standard and customizing: the latter
        ("_SO_2", "_AD_SUPCOM"): "PH-KON-002: Dublettenprüfung [customizing]",
        ("_SO_2", "_AD_SUPSTAT"): "_EV_CUST",
    }
    # byte for byte: only the two value lines of _SO_1 changed, two lines added to _SO_2
    old, new = before.decode().splitlines(), answer.decode().splitlines()
    removed = [line for line in difflib.ndiff(old, new) if line.startswith("- ")]
    added = [line for line in difflib.ndiff(old, new) if line.startswith("+ ")]
    assert [r[2:].strip() for r in removed] == [
        "<THE-VALUE><xhtml:div>bitte kommentieren</xhtml:div></THE-VALUE>",
        "<VALUES><ENUM-VALUE-REF>_EV_OPEN</ENUM-VALUE-REF></VALUES>",
    ]
    assert len(added) == 4
    assert (
        "<xhtml:p>PH-KON-001: Firmenmaske &amp; &lt;Anschrift&gt; [standard]</xhtml:p>"
        in (added[0])
    )
    # the rest stays as the customer's tool wrote it: quotes, references, comments, extension
    for kept in (b"<?xml version='1.0' encoding='UTF-8'?>", b"f&#252;r Angebot",
                 b"THE-VALUE=\"Vertrieb &quot;Nord&quot;\"", b"<!-- written by hand",
                 b"doors:exchangeID='4711'", b"data='files/ole_1.ole'"):  # fmt: skip
        assert kept in answer
    # the default name: _build/reqif/<original>-answer.reqif
    again = run_cli("export", "reqif", root, "--answer-to", original)
    assert again.code == 0, again.output
    assert (root / "_build" / "reqif" / "kunde-answer.reqif").read_bytes() == answer


def test_answer_refuses_a_file_that_was_not_imported(imported, run_cli, tmp_path):
    root, original = imported
    other = tmp_path / "other.reqif"
    other.write_bytes(original.read_bytes().replace(b"4711DOORSHDR", b"0815DOORSHDR"))
    out = tmp_path / "a.reqif"
    done = run_cli("export", "reqif", root, "--answer-to", other, "--out", out)
    assert done.code == 2, done.output
    assert str(other) in done.err and "0815DOORSHDR" in done.err and "4711DOORSHDR" in done.err
    assert "Traceback" not in done.output and not out.exists()
    # the original itself as --out: never overwritten
    before = original.read_bytes()
    same = run_cli("export", "reqif", root, "--answer-to", original, "--out", original)
    assert same.code == 2 and "never overwritten" in same.err
    assert original.read_bytes() == before
    zipped = run_cli("export", "reqif", root, "--answer-to", original, "--zip")
    assert zipped.code == 2 and "--zip" in zipped.err


def test_answer_without_an_import_exits_2(tmp_path, run_cli):
    root = _project(tmp_path / "proj")
    (root / "spec" / "pflichtenheft.md").write_text("# P\n", encoding="utf-8")
    done = run_cli("export", "reqif", root, "--answer-to", CUSTOMER, "--out", tmp_path / "a.reqif")
    assert done.code == 2, done.output
    assert "no ReqIF import" in done.err and "import reqif" in done.err
    assert not (tmp_path / "a.reqif").exists()


STRING_FILE = CUSTOMER.read_text(encoding="utf-8").replace(" IS-EDITABLE='true'", "")


def test_configured_attributes_and_status_values(tmp_path, run_cli):
    """No IS-EDITABLE in the file: [reqif] names the attributes; a status value mapped."""
    original = tmp_path / "kunde.reqif"
    original.write_text(STRING_FILE, encoding="utf-8")
    settings = (
        '\n[reqif]\ncomment = "Supplier Comment"\nstatus = "_AD_SUPSTAT"\n'
        '[reqif.status_values]\ncustomizing = "Standard"\nnone = "open"\n'
    )
    root = _project(tmp_path / "proj", settings)
    assert run_cli("import", "reqif", original, "--into", root).code == 0
    (root / "spec" / "pflichtenheft.md").write_text(PFLICHTENHEFT, encoding="utf-8")
    out = tmp_path / "a.reqif"
    done = run_cli("export", "reqif", root, "--answer-to", original, "--out", out)
    assert done.code == 0, done.output
    values = _values(out.read_bytes())
    assert values[("_SO_1", "_AD_SUPSTAT")] == "_EV_STD"  # customizing → "Standard"
    assert values[("_SO_3", "_AD_SUPSTAT")] == "_EV_OPEN"  # nothing satisfies it: none
    assert ("_SO_3", "_AD_SUPCOM") not in values
    # without the table: nothing editable, exit 2 with the hint
    (root / "conf" / "specheft.toml").write_text(SETTINGS.format(language="de"), "utf-8")
    bare = run_cli("export", "reqif", root, "--answer-to", original, "--out", tmp_path / "b.reqif")
    assert bare.code == 2 and "IS-EDITABLE" in bare.err and "[reqif]" in bare.err
    # a name that is not in the file
    wrong = SETTINGS.format(language="de") + '\n[reqif]\ncomment = "Lieferantenkommentar"\n'
    (root / "conf" / "specheft.toml").write_text(wrong, "utf-8")
    bad = run_cli("export", "reqif", root, "--answer-to", original, "--out", tmp_path / "c.reqif")
    assert bad.code == 2 and "Lieferantenkommentar" in bad.err and "Supplier Comment" in bad.err


def test_reqif_table_is_validated_at_its_line(tmp_path, run_cli):
    root = _project(tmp_path / "proj", '\n[reqif.status_values]\nstandart = "x"\n')
    done = run_cli("export", "reqif", root, "--answer-to", CUSTOMER)
    assert done.code == 2
    assert "specheft.toml:" in done.err and "standart" in done.err and "standard" in done.err


def test_splice_keeps_the_encoding_and_inserts_values(tmp_path):
    """A Latin-1 file stays Latin-1; a character it cannot hold becomes a reference;
    an object without VALUES content gets the new value inserted."""
    text = STRING_FILE.replace("encoding='UTF-8'", "encoding='ISO-8859-1'").replace(
        "bitte kommentieren", "bitte prüfen"
    )
    path = tmp_path / "l.reqif"
    path.write_bytes(text.encode("latin-1"))
    original = load_original(path)
    attrs = {a.identifier: a for a in original.types["_ST_REQ"][1]}
    edits = [
        Edit("_SO_1", attrs["_AD_SUPCOM"], "Preis 5 € & <mehr>"),
        Edit("_SO_3", attrs["_AD_OWNER"], 'Team "Süd"\nzweite Zeile'),
    ]
    data = splice(original, edits)
    assert b"encoding='ISO-8859-1'" in data
    assert "Preis 5 &#8364; &amp; &lt;mehr&gt;".encode("latin-1") in data
    assert "Team &quot;Süd&quot;&#10;zweite Zeile".encode("latin-1") in data
    back = etree.fromstring(data)
    owner = [v.get("THE-VALUE") for v in back.iter(f"{Q}ATTRIBUTE-VALUE-STRING")
             if v.find(f"{Q}DEFINITION")[0].text == "_AD_OWNER"]  # fmt: skip
    assert owner == ['Vertrieb "Nord"', 'Team "Süd"\nzweite Zeile']
    # the inserted value on a line of its own, indented like its siblings
    assert data.decode("latin-1").count("\n") == text.count("\n") + 1


def test_answer_to_a_reqifz_keeps_every_other_member(imported, run_cli, tmp_path):
    """A .reqifz with attachments: the .reqif member is answered exactly as the plain
    file is; the attachments and their order, names and dates stay."""
    root, original = imported
    plain = tmp_path / "plain-answer.reqif"
    assert run_cli("export", "reqif", root, "--answer-to", original, "--out", plain).code == 0
    archive = tmp_path / "kunde.reqifz"
    png = bytes(range(256)) * 8
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr(zipfile.ZipInfo("files/ole_1.ole", (2026, 10, 1, 8, 15, 0)), b"OLE" * 100)
        info = zipfile.ZipInfo("kunde.reqif", (2026, 10, 1, 8, 15, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        out.writestr(info, original.read_bytes())
        out.writestr(zipfile.ZipInfo("files/ole_1.png", (2026, 10, 1, 8, 15, 2)), png)
    # the archive imported instead of the plain file: same header, so the sidecar fits
    assert run_cli("import", "reqif", archive, "--into", root, "--force").code == 0
    before = archive.read_bytes()
    out = tmp_path / "antwort.reqifz"
    done = run_cli("export", "reqif", root, "--answer-to", archive, "--out", out)
    assert done.code == 0, done.output
    assert archive.read_bytes() == before
    with zipfile.ZipFile(out) as answer, zipfile.ZipFile(archive) as source:
        assert answer.namelist() == source.namelist()
        for name in ("files/ole_1.ole", "files/ole_1.png"):
            assert answer.read(name) == source.read(name)
            assert answer.getinfo(name).date_time == source.getinfo(name).date_time
        assert answer.getinfo("kunde.reqif").compress_type == zipfile.ZIP_DEFLATED
        assert answer.read("kunde.reqif") == plain.read_bytes()
    wrong = run_cli("export", "reqif", root, "--answer-to", archive, "--out", tmp_path / "a.reqif")
    assert wrong.code == 2 and ".reqifz" in wrong.err
