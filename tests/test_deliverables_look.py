"""What readers get: PDF layout read back from the pages, published files, diagrams.

The PDF tests look at the pages as a reader does — words with their boxes and pixels —
to guard what used to go wrong unnoticed: one "Tab. 1" per chapter, chart labels run
over by the bars, a heading alone on a page before a landscape table, phases by id.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from .helpers import PHASES, item
from .pdftext import Pixels, pdf_text, require_pdf_tools, words

LONG_AREA = "Kontakt- und Account-Management mit Dublettenprüfung"
# every character LaTeX treats specially, in every value of specheft.toml that reaches a PDF
SPECIAL = r"& % $ # _ { } ~ ^ \ "

SETTINGS = f"""\
[project]
name = "CRM-Einführung"
customer = "Muster GmbH"
language = "de"
document_id = "MG-CRM"

[areas]
KON = "{LONG_AREA}"
VTR = "Vertrieb"

[documents.lastenheft]
title = "Lastenheft"
start = "lastenheft"

[documents.traceability]
title = "Traceability-Bericht"
start = "bericht"
"""

REQS = "# Anforderungen\n\n" + "".join(
    item(
        "req",
        f"Anforderung {n}",
        f"Das CRM-System muss Funktion {n} bieten.",
        id=f"LH-{area}-{n:03d}",
        priority=("must", "should", "can")[n % 3],
        area=area,
        phase="PHASE-IMPL",
    )
    for area in ("KON", "VTR")
    for n in range(1, 5)
)
SPECS = "# Umsetzung\n\n" + "".join(
    item("spec", f"Umsetzung {n}", "Standard.", id=f"PH-KON-{n:03d}", satisfies=f"LH-KON-{n:03d}")
    for n in (1, 2)
)
LASTENHEFT = "# Lastenheft\n\n```{toctree}\nanforderungen\numsetzung\nphasen\n```\n"
# the scaffold's report: each chapter opens with its table, the matrices in landscape
REPORT = """\
# Bericht

## Zusammenfassung

:::{coverage-summary}
:::

## Lücken

:::{coverage-matrix}
:status: uncovered, partial
:caption: Lücken in der Abdeckung
:::

## Abdeckungsmatrix

Alle Anforderungen mit ihrem Pflichtenheft und ihren Tests.

:::{coverage-matrix}
:caption: Abdeckung aller Anforderungen
:::
"""


@pytest.fixture
def report_project(make_project):
    return make_project(
        {
            "lastenheft.md": LASTENHEFT,
            "anforderungen.md": REQS,
            "umsetzung.md": SPECS,
            "phasen.md": PHASES,
            "bericht.md": REPORT,
        },
        settings=SETTINGS,
        index="# Projekt\n\n```{toctree}\nlastenheft\nbericht\n```\n",
    )


def _page_of(all_words, text):
    return next(w.page for w in all_words if w.text == text)


@pytest.mark.pdf
def test_report_pdf_numbering_chart_labels_headings_and_phase_names(
    report_project, run_cli, tmp_path
):
    require_pdf_tools()
    project = report_project
    result = run_cli(
        "build", project.root, "--format", "pdf", "--document", "traceability", "--no-strict"
    )
    assert result.code == 0, result.output
    pdf = project.root / "_build/pdf/traceability.pdf"
    text = pdf_text(pdf)

    # tables are numbered through the document: each number once, 1, 2, 3 … without gaps
    # (the document information and sign-off tables take none)
    captions = re.findall(r"Tab\. (\d+):", text)
    assert captions == [str(n) for n in range(1, len(captions) + 1)], captions
    assert len(captions) == 4  # two summary tables, two matrices
    assert all(count == 1 for count in Counter(captions).values())

    # a chapter that opens with a landscape matrix has its heading on the matrix's page:
    # no page holds a heading alone (besides the running header and footer)
    for number, page in enumerate(text.split("\f")[:-1], 1):
        body = [
            line.strip()
            for line in page.splitlines()
            if line.strip()
            and not re.search(r"Seite \d+ von \d+|^Traceability-Bericht\b", line.strip())
        ]
        assert len(body) > 1, f"page {number} holds only {body}"
    all_words = words(pdf)
    for heading, first_row in (("Lücken", "LH-KON-003"), ("Abdeckungsmatrix", "LH-KON-001")):
        pages = {w.page for w in all_words if w.text == heading}
        assert any(first_row in {w.text for w in all_words if w.page == page} for page in pages), (
            heading
        )

    # phases by name in the matrix, not by id
    matrix_page = _page_of(all_words, "LH-VTR-004")
    on_matrix = [w.text for w in all_words if w.page == matrix_page]
    assert any(w.startswith("Implementie") for w in on_matrix)  # maybe hyphenated
    assert not any(w.startswith("PHASE") for w in on_matrix)

    # chart labels never run into the bars: no bar-coloured pixel inside a label's box
    chart_page = _page_of(all_words, "Dublettenprüfung")
    pixels = Pixels(pdf, chart_page, tmp_path)
    bars = pixels.find({(0x2E, 0x7D, 0x32), (0xF9, 0xA8, 0x25), (0xC6, 0x28, 0x28)})
    assert len(bars) > 2000, "no bars drawn on the chart page"
    label_words = [
        w for w in all_words if w.page == chart_page and w.text in set(f"KON – {LONG_AREA}".split())
    ]
    assert label_words
    for word in label_words:
        inside = [
            (x, y) for (x, y) in bars if word.x0 <= x <= word.x1 and word.y0 + 1 <= y <= word.y1 - 1
        ]
        assert not inside, f"bar drawn over the label word {word.text!r} at {inside[:3]}"


@pytest.mark.pdf
def test_latex_special_characters_in_settings_build(make_project, run_cli):
    require_pdf_tools()
    settings = f"""\
[project]
name = '{SPECIAL}Projekt'
customer = '{SPECIAL}Kunde'
version = '1.0'
language = "de"
document_id = "MG-CRM"

[areas]
KON = '{SPECIAL}Kontakte'

[documents.lastenheft]
title = '{SPECIAL}Lastenheft'
subtitle = '{SPECIAL}Untertitel'
start = "anforderungen"

[[history]]
version = "1.0"
date = 2027-01-15
author = '{SPECIAL}Autor'
changes = '{SPECIAL}Änderung'

[[signoff]]
role = '{SPECIAL}Rolle'
"""
    project = make_project(
        {
            "anforderungen.md": "# Anforderungen\n\n"
            + item("req", "Firmen", "Text.", id="LH-KON-001", priority="must", area="KON")
            + "\n:::{coverage-summary}\n:::\n",
        },
        settings=settings,
    )
    result = run_cli("build", project.root, "--format", "pdf", "--no-strict")
    assert result.code == 0, result.output
    text = pdf_text(project.root / "_build/pdf/lastenheft.pdf")
    shown = SPECIAL.strip()
    # (the history's narrow columns wrap their cells; that they built is checked above)
    for suffix in ("Projekt", "Kunde", "Lastenheft", "Untertitel", "Kontakte", "Rolle"):
        assert f"{shown} {suffix}" in " ".join(text.split()), suffix


CHAIN = "".join(
    item(
        "req",
        title,
        "Text.",
        id=f"LH-KON-00{n}",
        priority=priority,
        area="KON",
        phase="PHASE-IMPL",
        acceptance="Geprüft.",
    )
    + item(
        "spec",
        f"Maske {n}",
        "Standard.",
        id=f"PH-KON-00{n}",
        satisfies=f"LH-KON-00{n}",
        solution="standard",
        phase="PHASE-IMPL",
    )
    + item(
        "test",
        f"Test {n}",
        "Schritte.",
        id=f"TC-UAT-KON-00{n}",
        verifies=f"LH-KON-00{n}",
        level="uat",
        phase="PHASE-TEST",
    )
    for n, title, priority in ((1, "Firmen", "must"), (2, "Kontakte", "should"))
)
FLOW_AND_PIE = (
    "# Diagramme\n\n"
    + CHAIN
    + '\n```{needflow}\n:filter: type == "req"\n```\n\n'
    + '```{needpie} Prioritäten\n:labels: Muss, Soll\n\ntype == "req" and priority == "must"\n'
    + 'type == "req" and priority == "should"\n```\n'
)


def test_needflow_and_needpie_draw_in_a_default_project(make_project, run_cli):
    project = make_project({"diagramme.md": FLOW_AND_PIE})
    result = run_cli("build", project.root)
    assert result.code == 0, result.output
    page = project.html("diagramme")
    assert "PlantUML is not available" not in page and "Matplotlib missing" not in page
    assert 'class="admonition error"' not in page
    assert re.search(r'<img[^>]+src="_images/needflow-[0-9a-f]+\.(svg|png)"', page), page
    assert re.search(r'<img[^>]+src="_images/need_pie_[0-9a-f]+\.(svg|png)"', page), page


def test_an_error_box_in_a_page_fails_the_strict_build(make_project, run_cli):
    # PlantUML chosen explicitly but not installed: sphinx-needs writes an error box into
    # the page and says nothing; the strict build must fail at the page
    project = make_project({"diagramme.md": FLOW_AND_PIE})
    conf = project.root / "conf/conf.py"
    conf.write_text(conf.read_text() + '\nneeds_flow_engine = "plantuml"\n')
    result = run_cli("build", project.root)
    assert result.code == 1, result.output
    assert re.search(
        r"diagramme\.md(:\d+)?: WARNING: an extension put an error into the page instead of "
        r"content: 'PlantUML is not available!'",
        result.err,
    ), result.err
    # an author's own {error} admonition is content, not a fault
    project.write("spec/diagramme.md", "# Diagramme\n\n:::{error}\nNicht freigegeben.\n:::\n")
    assert run_cli("build", project.root).code == 0


def test_site_does_not_publish_sources_or_internal_files(make_project, run_cli):
    page = "# Anforderungen\n\n% interne Notiz: Preisverhandlung offen\n\n" + CHAIN
    # a comment in an item's text (not shown on the page) stays out of needs.json too;
    # a line starting with % in a code block is content
    page = page.replace(
        "Text.\n:::",
        "Text.\n% intern: Rabattgrenze 12 Prozent\n\n```text\n% Anteil Neukunden\n```\n:::",
        1,
    )
    project = make_project({"anf.md": page})
    assert run_cli("build", project.root).code == 0
    site = project.root / "_build/html"
    assert (site / "anf.html").exists()
    assert not (site / "_sources").exists()
    assert not (site / "schema_violations.json").exists()
    for note in (b"Preisverhandlung", b"Rabattgrenze"):
        leaked = [p for p in site.rglob("*") if p.is_file() and note in p.read_bytes()]
        assert leaked == [], note
    assert "% Anteil Neukunden" in project.needs()["LH-KON-001"]["content"]
    # on request (conf.py), the sources are published
    conf = project.root / "conf/conf.py"
    conf.write_text(conf.read_text() + "\nhtml_copy_source = True\n")
    assert run_cli("build", project.root).code == 0
    assert (site / "_sources/anf.md.txt").exists()


def test_readers_see_the_project_language_in_frame_and_needtables(make_project, run_cli):
    tables = (
        "# Tabelle\n\n"
        + CHAIN
        + "\n```{needtable}\n:columns: id, title, priority, status, satisfies_back, type\n```\n"
        + '\n```{needtable}\n:columns: id, title as "Bezeichnung"\n```\n'
    )
    project = make_project({"tabelle.md": tables})
    result = run_cli("build", project.root)
    assert result.code == 0, result.output
    page = project.html("tabelle")
    headers = re.findall(r"needs_col_(\w+)\"[^>]*><p>([^<]*)</p>", page)
    assert headers[:6] == [
        ("id", "ID"),
        ("title", "Titel"),
        ("priority", "Priorität"),
        ("status", "Status"),
        ("satisfies_back", "Erfüllt durch"),
        ("type", "Art"),
    ]
    assert ("title", "Bezeichnung") in headers  # the author's own title is kept
    values = re.findall(r"needs_(priority|type)\"><p>([^<]+)</p>", page)
    assert ("priority", "Muss") in values and ("type", "Anforderung") in values
    assert not {"must", "should", "req", "spec"} & {value for _, value in values}
    # the table widget's labels (rows per page, search …) and furo's frame
    assert "Zeilen pro Seite" in page.replace("&quot;", '"')
    for german in ("Weiter", "Zurück", "Nach oben"):
        assert german in page, german
    assert not re.search(r">\s*(Next|Previous|Back to top|Rows per page)\s*<", page)
    english = make_project({"tabelle.md": tables}, language="en")
    assert run_cli("build", english.root).code == 0
    assert ">Next<" in english.html("tabelle").replace("\n", "").replace(" ", "")


@pytest.mark.pdf
def test_format_all_reads_the_sources_once_per_format(make_project, run_cli):
    # the site after the PDFs used to say "The configuration has changed (2 options …)"
    require_pdf_tools()
    project = make_project({"anf.md": "# Anforderungen\n\n" + CHAIN})
    assert run_cli("build", project.root).code == 0
    result = run_cli("build", project.root, "--format", "all")
    assert result.code == 0, result.output
    assert "configuration has changed" not in result.output
    html_step = result.out.split("PDF written to")[-1]
    assert "updating environment: 0 added, 0 changed, 0 removed" in html_step, html_step
    assert "reading sources... [" not in html_step  # no page read again
    assert list((project.root / "_build/html/pdf").glob("*.pdf"))  # the site links them
