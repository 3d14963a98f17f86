"""ReqIF attachments (#15): images and DOORS OLE objects of a .reqifz (or beside a
plain .reqif) are copied next to the imported page under safe names and referenced
from the Markdown; what is missing or leaves its archive/folder is a warning naming the
object; the export packs the images of item text into the .reqifz, and the round trip
gives the same archive again."""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from specheft.io.reqif import NS, XHTML_NS
from specheft.io.reqif import myst as reqif_myst

from .helpers import CONF_PY, SETTINGS, item

FIXTURES = Path(__file__).parent / "fixtures" / "reqif"
DOORS = FIXTURES / "attachments" / "doors9-ole.reqifz"
STUDIO = FIXTURES / "attachments" / "reqif-studio" / "studio.reqif"
XSD = FIXTURES / "xsd" / "reqif.xsd"
WHEN = "2026-10-07T09:00:00+02:00"


@pytest.fixture
def target(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "spec").mkdir(parents=True)
    (root / "conf").mkdir()
    (root / "conf" / "conf.py").write_text(CONF_PY, encoding="utf-8")
    (root / "conf" / "specheft.toml").write_text(SETTINGS.format(language="de"), encoding="utf-8")
    (root / "spec" / "index.md").write_text("# P\n", encoding="utf-8")
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_doors9_ole_object_and_preview_copied_beside_the_page(target, run_cli):
    done = run_cli("import", "reqif", DOORS, "--into", target)
    assert done.code == 0, done.output
    page_dir = target / "spec" / "lastenheft-crm"
    with zipfile.ZipFile(DOORS) as archive:
        assert (page_dir / "files" / "OLE_2_1.png").read_bytes() == archive.read(
            "files/OLE_2_1.png"
        )
        assert (page_dir / "files" / "OLE_2_1.ole").read_bytes() == archive.read(
            "files/OLE_2_1.ole"
        )
    page = (page_dir / "index.md").read_text(encoding="utf-8")
    # the preview shown as an image, the OLE file kept and linked
    assert "![Maske](files/OLE_2_1.png) [OLE_2_1.ole](files/OLE_2_1.ole)" in page
    # a title made from the text's start shows words, not Markdown
    assert ":::{req} Das System muss Firmen mit Anschrift und Branche erfassen. Maske\n" in page
    assert "kept as a reference only" not in done.err


def _rezip(path: Path, drop: str = "", extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(DOORS) as source, zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            if info.filename != drop:
                archive.writestr(info, source.read(info))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def test_attachment_missing_from_the_archive_is_a_warning_naming_the_object(
    tmp_path, target, run_cli
):
    source = _rezip(tmp_path / "ohne-bild.reqifz", drop="files/OLE_2_1.png")
    done = run_cli("import", "reqif", source, "--into", target)
    assert done.code == 0, done.output
    assert "SPEC-OBJECT _D9O2: attachment 'files/OLE_2_1.png' is not in the archive" in done.err
    page_dir = target / "spec" / "lastenheft-crm"
    assert not (page_dir / "files" / "OLE_2_1.png").exists()
    assert (page_dir / "files" / "OLE_2_1.ole").is_file()  # what is there is still copied
    assert "[object: files/OLE_2_1.png] [OLE_2_1.ole](files/OLE_2_1.ole)" in (
        page_dir / "index.md"
    ).read_text(encoding="utf-8")


def test_reqif_studio_image_beside_the_file_confined_to_its_folder(tmp_path, target, run_cli):
    folder = tmp_path / "export"
    shutil.copytree(STUDIO.parent, folder)
    (tmp_path / "secret.png").write_bytes(b"not yours")
    # a link inside the folder that points outside it is not followed either
    (folder / "images" / "fehlt.png").symlink_to(tmp_path / "secret.png")
    done = run_cli("import", "reqif", folder / "studio.reqif", "--into", target)
    assert done.code == 0, done.output
    page_dir = target / "spec" / "oberflaeche"
    assert (page_dir / "images" / "Plan_A.png").read_bytes() == (
        folder / "images" / "Plan A.png"
    ).read_bytes()
    page = (page_dir / "index.md").read_text(encoding="utf-8")
    assert "Die Maske zeigt den **Plan**:\n\n![Plan A](images/Plan_A.png)" in page
    assert (
        "SPEC-OBJECT _s-o2: attachment '../../../../../etc/passwd' is an absolute path or "
        "leaves its folder; not copied" in done.err
    )
    assert "SPEC-OBJECT _s-o2: attachment 'images/fehlt.png' is not in the folder" in done.err
    written = sorted(_files(target / "spec"))
    assert written == [
        "index.md",
        "oberflaeche/.reqif-origin.json",
        "oberflaeche/images/Plan_A.png",
        "oberflaeche/index.md",
    ]
    assert b"not yours" not in b"".join(_files(target).values())


def _archive_with_objects(path: Path, objects: dict[str, str], members: dict[str, bytes]) -> Path:
    """A minimal .reqifz: one object whose text holds ``<object data=…>`` per entry."""
    inner = "".join(
        f'<xhtml:p><xhtml:object data="{data}" type="{mime}">{data}</xhtml:object></xhtml:p>'
        for data, mime in objects.items()
    )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="{NS}" xmlns:xhtml="{XHTML_NS}">
<THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"/></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT>
<DATATYPES><DATATYPE-DEFINITION-XHTML IDENTIFIER="dx" LAST-CHANGE="{WHEN}"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t" LAST-CHANGE="{WHEN}"><SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="ReqIF.Text" LAST-CHANGE="{WHEN}"/>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>
<SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="o1" LAST-CHANGE="{WHEN}"><VALUES>
<ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>ReqIF.Text</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>
<THE-VALUE><xhtml:div><xhtml:p>Bilder:</xhtml:p>{inner}</xhtml:div></THE-VALUE></ATTRIBUTE-VALUE-XHTML>
</VALUES><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT></SPEC-OBJECTS>
<SPECIFICATIONS><SPECIFICATION IDENTIFIER="s" LONG-NAME="Bilder" LAST-CHANGE="{WHEN}"><CHILDREN>
<SPEC-HIERARCHY IDENTIFIER="sh" LAST-CHANGE="{WHEN}">
<OBJECT><SPEC-OBJECT-REF>o1</SPEC-OBJECT-REF></OBJECT></SPEC-HIERARCHY>
</CHILDREN></SPECIFICATION></SPECIFICATIONS>
</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sub/bilder.reqif", xml)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_safe_collision_free_names_and_no_source_pages(tmp_path, target, run_cli):
    source = _archive_with_objects(
        tmp_path / "b.reqifz",
        {
            "img/a%20b.png": "image/png",  # relative to the .reqif member's folder
            "img/a_b.png": "image/png",  # the same safe name, other bytes
            ".hidden/notes.md": "text/markdown",  # no hidden folder, no source page
            "/etc/hosts": "image/png",
            "file:///etc/passwd": "image/png",
            "javascript:alert(1)": "image/png",
            "https://example.org/logo.png": "image/png",
        },
        {
            "sub/img/a b.png": b"one",
            "sub/img/a_b.png": b"two",
            "sub/.hidden/notes.md": b"# not a page",
        },
    )
    done = run_cli("import", "reqif", source, "--into", target)
    assert done.code == 0, done.output
    page_dir = target / "spec" / "bilder"
    assert (page_dir / "img" / "a_b.png").read_bytes() == b"one"
    assert (page_dir / "img" / "a_b-2.png").read_bytes() == b"two"
    assert (page_dir / "hidden" / "notes.md.txt").read_bytes() == b"# not a page"
    page = (page_dir / "index.md").read_text(encoding="utf-8")
    assert "![img/a%20b.png](img/a_b.png)" in page and "(img/a_b-2.png)" in page
    assert "[notes.md.txt](hidden/notes.md.txt)" in page
    assert "![https://example.org/logo.png](https://example.org/logo.png)" in page
    assert "attachment '/etc/hosts' is an absolute path" in done.err
    assert "attachment 'file:///etc/passwd' is no file in the export" in done.err
    assert "attachment 'javascript:alert(1)' is no file in the export" in done.err
    assert "](javascript:" not in page and "](file:" not in page


def test_pages_and_attachments_are_written_all_or_none(target, run_cli, monkeypatch):
    before = _files(target)
    real = reqif_myst.atomic_write_bytes

    def failing(path: Path, data: bytes) -> None:
        if path.suffix == ".png":
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(reqif_myst, "atomic_write_bytes", failing)
    with pytest.raises(OSError):
        reqif_myst.write_all(
            target / "spec",
            [
                (reqif_myst.PurePosixPath("neu/index.md"), "# neu\n"),
                (reqif_myst.PurePosixPath("neu/files/x.ole"), b"ole"),
                (reqif_myst.PurePosixPath("neu/files/deep/x.png"), b"png"),
            ],
        )
    assert _files(target) == before
    assert not (target / "spec" / "neu").exists()  # the folders made are gone too


PLAN = b"\x89PNG\r\n\x1a\n" + b"plan" * 10


def test_export_packs_item_images_and_the_round_trip_keeps_them(
    make_project, run_cli, tmp_path, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source = make_project(
        {
            "lastenheft/kontakte.md": "# Kontakte\n\n"
            + item(
                "req",
                "Maske",
                "Das System muss die Maske zeigen:\n\n![Die Maske](img/maske.png)\n\n"
                "Siehe auch ![Logo](/lastenheft/img/logo.png).",
                id="LH-KON-001",
                priority="must",
            ),
        }
    )
    (source.spec / "lastenheft" / "img").mkdir()
    (source.spec / "lastenheft" / "img" / "maske.png").write_bytes(PLAN)
    (source.spec / "lastenheft" / "img" / "logo.png").write_bytes(b"logo")
    first = tmp_path / "first.reqifz"
    done = run_cli("export", "reqif", source.root, "--out", first, "--zip")
    assert done.code == 0, done.output
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == [
            "first.reqif",
            "lastenheft/img/logo.png",
            "lastenheft/img/maske.png",
        ]
        assert archive.read("lastenheft/img/maske.png") == PLAN
        data = archive.read("first.reqif")
    schema = xmlschema.XMLSchema(XSD)
    assert [e.reason for e in schema.iter_errors(io.BytesIO(data))] == []
    objects = etree.fromstring(data).findall(f".//{{{XHTML_NS}}}object")
    assert [(o.get("data"), o.get("type")) for o in objects] == [
        ("lastenheft/img/maske.png", "image/png"),
        ("lastenheft/img/logo.png", "image/png"),
    ]
    # import into another project: the images land beside the page, the export is the same
    target = tmp_path / "target"
    shutil.copytree(source.conf, target / "conf")
    (target / "spec").mkdir()
    (target / "spec" / "index.md").write_text("# Import\n", encoding="utf-8")
    done = run_cli("import", "reqif", first, "--into", target)
    assert done.code == 0, done.output
    assert (target / "spec" / "lastenheft" / "img" / "maske.png").read_bytes() == PLAN
    page = (target / "spec" / "lastenheft" / "index.md").read_text(encoding="utf-8")
    assert "![Die Maske](img/maske.png)" in page
    second = tmp_path / "second" / "first.reqifz"
    assert run_cli("export", "reqif", target, "--out", second, "--zip").code == 0
    assert second.read_bytes() == first.read_bytes()


def _import_cpu(path: Path) -> float:
    """CPU seconds of reading ``path`` and making its pages (what `import reqif` does
    before writing), the id-avoiding second pass included."""
    from specheft.io.reqif.myst import pages
    from specheft.io.reqif.read import read_file

    start = time.process_time()
    parsed = read_file(path)
    pages(parsed.documents)
    parsed = parsed.avoiding({"LH-IMP-001"})
    assert len(pages(parsed.documents)) == 2
    return time.process_time() - start


@pytest.mark.slow
def test_large_import_is_linear_and_fast(tmp_path):
    """#15: a 20 MB, 4,000-object file imports in under 30 s. Here a fifth of that
    (4 MB, 800 objects) within a generous bound, and four times the objects take about
    four times the time (not sixteen)."""
    from .bench.reqif_big import generate

    small = generate(tmp_path / "small.reqif", objects=200, megabytes=1.0)
    large = generate(tmp_path / "large.reqif", objects=800, megabytes=4.0)
    assert 3.5 * 1024 * 1024 < large.stat().st_size < 4.5 * 1024 * 1024
    _import_cpu(small)  # warm: imports and caches
    small_cpu = min(_import_cpu(small) for _ in range(2))
    large_cpu = _import_cpu(large)
    assert large_cpu < 6.0, large_cpu  # measured about 0.6 s on the 2-core machine
    assert large_cpu < 7 * small_cpu, (small_cpu, large_cpu)


def test_export_names_missing_images_and_says_a_plain_reqif_carries_none(
    make_project, run_cli, tmp_path
):
    source = make_project(
        {
            "lastenheft/kontakte.md": "# Kontakte\n\n"
            + item(
                "req",
                "Maske",
                "Das System muss ![da](img/da.png) und ![weg](img/weg.png) zeigen.",
                id="LH-KON-001",
                priority="must",
            ),
        }
    )
    (source.spec / "lastenheft" / "img").mkdir()
    (source.spec / "lastenheft" / "img" / "da.png").write_bytes(PLAN)
    done = run_cli("export", "reqif", source.root, "--out", tmp_path / "a.reqif")
    assert done.code == 0, done.output
    assert (
        "warning: spec/lastenheft/img/weg.png: not found, named in the text of LH-KON-001"
        in done.err
    )
    assert "1 image(s) named in item text are not in a plain .reqif; --zip packs" in done.err
    zipped = run_cli("export", "reqif", source.root, "--out", tmp_path / "a.reqifz", "--zip")
    assert "--zip packs" not in zipped.err and "img/weg.png: not found" in zipped.err
    with zipfile.ZipFile(tmp_path / "a.reqifz") as archive:
        assert archive.namelist() == ["a.reqif", "lastenheft/img/da.png"]
