"""A large ReqIF file for the import timing of #15 (20 MB, 4,000 objects by default).

Written the way a DOORS/Polarion export looks: two SPECIFICATIONs with a three-level
chapter hierarchy (heading objects), requirement objects with 14 attributes (ForeignID,
Name, Text as XHTML with paragraphs, lists, tables and emphasis; priority, status,
verification, safety and a multi-valued category as enumerations; owner, release and
source strings; created as a date; version as an integer; rationale and comment as
XHTML), and SPEC-RELATIONs of three types (refines, satisfies-like, relates to). The
content is deterministic for given arguments.

    python tests/bench/reqif_big.py /tmp/big.reqif --objects 4000 --mb 20
    python tests/bench/reqif_big.py /tmp/big.reqif --measure   # + import it, CPU and wall
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

NS = "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"
XHTML = "http://www.w3.org/1999/xhtml"
WHEN = "2026-10-01T12:00:00+02:00"
TEXT = (
    "Das System muss Kontakte Firmen Personen Adressen Angebote Aufträge Rechnungen "
    "anlegen ändern löschen suchen anzeigen exportieren prüfen freigeben innerhalb von "
    "Sekunden für alle Benutzer mit der Rolle Vertrieb Service Verwaltung und & < > "
    "gemäß DSGVO ohne Datenverlust über die Schnittstelle zum ERP-System täglich"
)
WORDS = TEXT.split(" ")
ENUMS = {
    "Priority": ("Muss", "Soll", "Kann"),
    "Status": ("Proposed", "Approved", "In Review", "Rejected"),
    "Verification": ("Test", "Review", "Analysis", "Demonstration"),
    "Safety": ("QM", "ASIL A", "ASIL B"),
    "Category": ("Functional", "Performance", "Security", "Usability", "Interface"),
}
STRINGS = ("Owner", "Release", "Source")
XHTMLS = ("ReqIF.Name", "ReqIF.Text", "Rationale", "Comment")


def _sentence(rng: random.Random, words: int) -> str:
    return escape(" ".join(rng.choice(WORDS) for _ in range(words)))


def _text(rng: random.Random, size: int) -> str:
    """XHTML of about ``size`` characters: paragraphs, a list, sometimes a table."""
    parts: list[str] = []
    length = 0
    while length < size:
        choice = rng.random()
        if choice < 0.55:
            part = (
                f"<xhtml:p>{_sentence(rng, 12)} <xhtml:b>{_sentence(rng, 2)}</xhtml:b> "
                f"{_sentence(rng, 14)}<xhtml:br/>{_sentence(rng, 10)}</xhtml:p>"
            )
        elif choice < 0.85:
            items = "".join(
                f"<xhtml:li>{_sentence(rng, 8)} <xhtml:i>{_sentence(rng, 1)}</xhtml:i></xhtml:li>"
                for _ in range(rng.randint(2, 5))
            )
            part = f"<xhtml:ul>{items}</xhtml:ul>"
        else:
            rows = "".join(
                "<xhtml:tr>"
                + "".join(f"<xhtml:td>{_sentence(rng, 3)}</xhtml:td>" for _ in range(3))
                + "</xhtml:tr>"
                for _ in range(rng.randint(2, 4))
            )
            head = "".join(f"<xhtml:th>{h}</xhtml:th>" for h in ("Feld", "Wert", "Hinweis"))
            head = f"<xhtml:tr>{head}</xhtml:tr>"
            part = f"<xhtml:table>{head}{rows}</xhtml:table>"
        parts.append(part)
        length += len(part)
    return f"<xhtml:div>{''.join(parts)}</xhtml:div>"


def generate(path: Path, objects: int = 4000, megabytes: float = 20.0, seed: int = 15) -> Path:
    rng = random.Random(seed)
    headings = max(objects // 20, 2)
    requirements = objects - headings
    # the text carries most of the bytes: about 2/5 of each object's share
    per_object = int(megabytes * 1024 * 1024 / objects)
    text_size = max(per_object * 2 // 5 - 600, 200)
    out: list[str] = []
    w = out.append
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(f'<REQ-IF xmlns="{NS}" xmlns:xhtml="{XHTML}">\n')
    w('<THE-HEADER><REQ-IF-HEADER IDENTIFIER="_BIG-HDR">')
    w(f"<CREATION-TIME>{WHEN}</CREATION-TIME><REQ-IF-TOOL-ID>DOORS</REQ-IF-TOOL-ID>")
    w("<REQ-IF-VERSION>1.0</REQ-IF-VERSION><SOURCE-TOOL-ID>bench</SOURCE-TOOL-ID>")
    w("<TITLE>Big</TITLE></REQ-IF-HEADER></THE-HEADER>\n<CORE-CONTENT><REQ-IF-CONTENT>\n")
    stamp = f'LAST-CHANGE="{WHEN}"'
    w("<DATATYPES>\n")
    w(f'<DATATYPE-DEFINITION-STRING IDENTIFIER="DT-S" {stamp} MAX-LENGTH="32000"/>\n')
    w(f'<DATATYPE-DEFINITION-XHTML IDENTIFIER="DT-X" {stamp}/>\n')
    w(f'<DATATYPE-DEFINITION-DATE IDENTIFIER="DT-D" {stamp}/>\n')
    w(f'<DATATYPE-DEFINITION-INTEGER IDENTIFIER="DT-I" {stamp} MIN="0" MAX="1000"/>\n')
    for name, values in ENUMS.items():
        w(f'<DATATYPE-DEFINITION-ENUMERATION IDENTIFIER="DT-{name}" {stamp} LONG-NAME="{name}">')
        w("<SPECIFIED-VALUES>")
        for key, value in enumerate(values):
            w(f'<ENUM-VALUE IDENTIFIER="EV-{name}-{key}" {stamp} LONG-NAME="{value}">')
            w(f'<PROPERTIES><EMBEDDED-VALUE KEY="{key}" OTHER-CONTENT=""/></PROPERTIES>')
            w("</ENUM-VALUE>")
        w("</SPECIFIED-VALUES></DATATYPE-DEFINITION-ENUMERATION>\n")
    w("</DATATYPES>\n<SPEC-TYPES>\n")
    w(f'<SPEC-OBJECT-TYPE IDENTIFIER="OT-REQ" {stamp} LONG-NAME="Requirement"><SPEC-ATTRIBUTES>')

    def definition(kind: str, ident: str, name: str, datatype: str, extra: str = "") -> None:
        w(f'<ATTRIBUTE-DEFINITION-{kind} IDENTIFIER="{ident}" {stamp} LONG-NAME="{name}"{extra}>')
        w(f"<TYPE><DATATYPE-DEFINITION-{kind}-REF>{datatype}</DATATYPE-DEFINITION-{kind}-REF>")
        w(f"</TYPE></ATTRIBUTE-DEFINITION-{kind}>")

    definition("STRING", "AD-ID", "ReqIF.ForeignID", "DT-S")
    for name in XHTMLS:
        definition("XHTML", f"AD-{name}", name, "DT-X")
    for name in STRINGS:
        definition("STRING", f"AD-{name}", name, "DT-S")
    definition("DATE", "AD-Created", "Created", "DT-D")
    definition("INTEGER", "AD-Version", "Version", "DT-I")
    for name in ENUMS:
        multi = ' MULTI-VALUED="true"' if name == "Category" else ' MULTI-VALUED="false"'
        definition("ENUMERATION", f"AD-{name}", name, f"DT-{name}", multi)
    w("</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE>\n")
    w(f'<SPEC-OBJECT-TYPE IDENTIFIER="OT-H" {stamp} LONG-NAME="Heading"><SPEC-ATTRIBUTES>')
    definition("STRING", "AD-H", "ReqIF.ChapterName", "DT-S")
    w("</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE>\n")
    for rel in ("refines", "Satisfies", "relates to"):
        ident = rel.replace(" ", "-")
        w(f'<SPEC-RELATION-TYPE IDENTIFIER="RT-{ident}" {stamp} LONG-NAME="{rel}"/>\n')
    w(f'<SPECIFICATION-TYPE IDENTIFIER="SPT" {stamp} LONG-NAME="Module"/>\n')
    w("</SPEC-TYPES>\n<SPEC-OBJECTS>\n")

    def value_string(ref: str, value: str) -> None:
        w(f'<ATTRIBUTE-VALUE-STRING THE-VALUE="{escape(value, {chr(34): "&quot;"})}">')
        w(f"<DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>{ref}</ATTRIBUTE-DEFINITION-STRING-REF>")
        w("</DEFINITION></ATTRIBUTE-VALUE-STRING>")

    def value_xhtml(ref: str, xhtml: str) -> None:
        w("<ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>")
        w(f"{ref}</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION><THE-VALUE>{xhtml}</THE-VALUE>")
        w("</ATTRIBUTE-VALUE-XHTML>")

    for number in range(headings):
        w(f'<SPEC-OBJECT IDENTIFIER="H-{number}" {stamp}><VALUES>')
        value_string("AD-H", f"Kapitel {number} {_sentence(rng, 2)}")
        w("</VALUES><TYPE><SPEC-OBJECT-TYPE-REF>OT-H</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT>\n")
    for number in range(requirements):
        w(f'<SPEC-OBJECT IDENTIFIER="R-{number}" {stamp}><VALUES>')
        value_string("AD-ID", str(1000 + number))  # DOORS absolute numbers
        value_xhtml("AD-ReqIF.Name", f"<xhtml:div>{_sentence(rng, 5)}</xhtml:div>")
        value_xhtml("AD-ReqIF.Text", _text(rng, text_size))
        value_xhtml(
            "AD-Rationale", f"<xhtml:div><xhtml:p>{_sentence(rng, 15)}</xhtml:p></xhtml:div>"
        )
        value_xhtml("AD-Comment", f"<xhtml:div><xhtml:p>{_sentence(rng, 8)}</xhtml:p></xhtml:div>")
        value_string("AD-Owner", rng.choice(("Vertrieb", "Service", "IT", "Einkauf")))
        value_string("AD-Release", f"R{rng.randint(1, 4)}")
        value_string("AD-Source", f"Workshop {rng.randint(1, 30)}")
        day = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        w(f'<ATTRIBUTE-VALUE-DATE THE-VALUE="{day}T00:00:00">')
        w("<DEFINITION><ATTRIBUTE-DEFINITION-DATE-REF>AD-Created</ATTRIBUTE-DEFINITION-DATE-REF>")
        w("</DEFINITION></ATTRIBUTE-VALUE-DATE>")
        w(f'<ATTRIBUTE-VALUE-INTEGER THE-VALUE="{rng.randint(1, 9)}"><DEFINITION>')
        w("<ATTRIBUTE-DEFINITION-INTEGER-REF>AD-Version</ATTRIBUTE-DEFINITION-INTEGER-REF>")
        w("</DEFINITION></ATTRIBUTE-VALUE-INTEGER>")
        for name, values in ENUMS.items():
            count = rng.randint(1, 2) if name == "Category" else 1
            keys = sorted(rng.sample(range(len(values)), count))
            w("<ATTRIBUTE-VALUE-ENUMERATION><DEFINITION><ATTRIBUTE-DEFINITION-ENUMERATION-REF>")
            w(f"AD-{name}</ATTRIBUTE-DEFINITION-ENUMERATION-REF></DEFINITION><VALUES>")
            w("".join(f"<ENUM-VALUE-REF>EV-{name}-{k}</ENUM-VALUE-REF>" for k in keys))
            w("</VALUES></ATTRIBUTE-VALUE-ENUMERATION>")
        w("</VALUES><TYPE><SPEC-OBJECT-TYPE-REF>OT-REQ</SPEC-OBJECT-TYPE-REF></TYPE>")
        w("</SPEC-OBJECT>\n")
    w("</SPEC-OBJECTS>\n<SPEC-RELATIONS>\n")
    relation = 0
    for number in range(1, requirements):
        if rng.random() < 0.75:
            target = rng.randrange(number)
            kind = rng.choice(("refines", "Satisfies", "relates-to"))
            w(f'<SPEC-RELATION IDENTIFIER="SR-{relation}" {stamp}>')
            w(f"<SOURCE><SPEC-OBJECT-REF>R-{number}</SPEC-OBJECT-REF></SOURCE>")
            w(f"<TARGET><SPEC-OBJECT-REF>R-{target}</SPEC-OBJECT-REF></TARGET>")
            w(f"<TYPE><SPEC-RELATION-TYPE-REF>RT-{kind}</SPEC-RELATION-TYPE-REF></TYPE>")
            w("</SPEC-RELATION>\n")
            relation += 1
    w("</SPEC-RELATIONS>\n<SPECIFICATIONS>\n")
    # two modules; chapters of three levels; the requirements spread over the chapters
    per_chapter = max(requirements // headings, 1)
    next_req = 0
    for module, (first, last) in enumerate(((0, headings // 2), (headings // 2, headings))):
        w(f'<SPECIFICATION IDENTIFIER="SP-{module}" {stamp} LONG-NAME="Modul {module + 1}">')
        w("<TYPE><SPECIFICATION-TYPE-REF>SPT</SPECIFICATION-TYPE-REF></TYPE><CHILDREN>\n")
        depth = 0
        for heading in range(first, last):
            level = heading % 3  # 0, 1, 2: a chapter, its section, its subsection
            while depth > level:
                w("</CHILDREN></SPEC-HIERARCHY>\n")
                depth -= 1
            w(f'<SPEC-HIERARCHY IDENTIFIER="SH-H-{heading}" {stamp}>')
            w(f"<OBJECT><SPEC-OBJECT-REF>H-{heading}</SPEC-OBJECT-REF></OBJECT><CHILDREN>\n")
            depth += 1
            count = per_chapter if heading < headings - 1 else requirements - next_req
            for _ in range(count):
                if next_req >= requirements:
                    break
                w(f'<SPEC-HIERARCHY IDENTIFIER="SH-R-{next_req}" {stamp}>')
                w(f"<OBJECT><SPEC-OBJECT-REF>R-{next_req}</SPEC-OBJECT-REF></OBJECT>")
                w("</SPEC-HIERARCHY>\n")
                next_req += 1
            if level == 2:
                w("</CHILDREN></SPEC-HIERARCHY>\n")
                depth -= 1
        while depth:
            w("</CHILDREN></SPEC-HIERARCHY>\n")
            depth -= 1
        w("</CHILDREN></SPECIFICATION>\n")
    w("</SPECIFICATIONS>\n</REQ-IF-CONTENT></CORE-CONTENT>\n</REQ-IF>\n")
    path.write_text("".join(out), encoding="utf-8")
    return path


def measure_import(path: Path, workdir: Path) -> dict[str, float]:
    """``specheft import reqif`` of ``path`` into a fresh project: CPU (user+sys of the
    child) and wall seconds."""
    project = workdir / "project"
    subprocess.run(
        [sys.executable, "-m", "specheft", "new", str(project), "--areas", "KON"],
        check=True,
        capture_output=True,
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "specheft", "import", "reqif", str(path), "--into", str(project)],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": round(cpu, 2), "wall": round(wall, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--objects", type=int, default=4000)
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--measure", action="store_true", help="import it and print the times")
    args = parser.parse_args()
    path = generate(args.out, args.objects, args.mb)
    size = path.stat().st_size / 1024 / 1024
    print(f"wrote {path} ({size:.1f} MiB, {args.objects} objects)")
    if args.measure:
        with tempfile.TemporaryDirectory() as folder:
            print(measure_import(path, Path(folder)))


if __name__ == "__main__":
    main()
