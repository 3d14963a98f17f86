"""The built matrix page in a real browser: filters work, item text never runs as script."""

from __future__ import annotations

import pytest

from .browser import chromium, require_browser, serve
from .helpers import item

PAYLOAD = "<script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>"

REQS = (
    "# Anforderungen\n\n"
    + item(
        "req",
        f"Firmen {PAYLOAD}",
        "Das CRM-System muss Firmen anlegen.",
        id="LH-KON-001",
        priority="must",
        area="KON",
        phase="PHASE-IMPL",
    )
    + item(
        "req",
        "Kontakte",
        "Das CRM-System muss Kontakte anlegen.",
        id="LH-KON-002",
        priority="must",
        area="KON",
        phase="PHASE-IMPL",
    )
    + item(
        "req",
        "Branchen",
        "Das CRM-System soll Branchen zuordnen.",
        id="LH-KON-003",
        priority="should",
        area="KON",
        phase="PHASE-IMPL",
    )
    + item(
        "req",
        "Leads",
        "Das CRM-System kann Leads erfassen.",
        id="LH-VTR-001",
        priority="can",
        area="VTR",
        phase="PHASE-IMPL",
    )
)
REPORT = "# Matrix\n\n:::{coverage-matrix}\n:::\n"


def test_matrix_filters_by_priority_in_chromium(make_project, run_cli, tmp_path):
    require_browser()
    project = make_project({"anf.md": REQS, "matrix.md": REPORT})
    assert run_cli("build", project.root, "--no-strict").code == 0
    dialogs: list[str] = []
    with serve(project.root / "_build/html") as url, chromium(tmp_path) as browser:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{url}/matrix.html")
        page.wait_for_selector(".specheft-matrix-controls select")

        def visible_ids() -> list[str]:
            return page.eval_on_selector_all(
                "table.specheft-matrix tbody tr:not([hidden]) td.specheft-col-id",
                "cells => cells.map(c => c.textContent.trim())",
            )

        assert visible_ids() == ["LH-KON-001", "LH-KON-002", "LH-KON-003", "LH-VTR-001"]
        page.select_option("select[aria-label='Priorität']", "Muss")
        assert visible_ids() == ["LH-KON-001", "LH-KON-002"]
        assert page.text_content(".specheft-matrix-count") == "2 von 4 Zeilen"
        page.select_option("select[aria-label='Priorität']", "")
        page.select_option("select[aria-label='Bereich']", "VTR")
        assert visible_ids() == ["LH-VTR-001"]
        page.select_option("select[aria-label='Bereich']", "")
        page.fill(".specheft-matrix-search", "branchen")
        assert visible_ids() == ["LH-KON-003"]
        page.fill(".specheft-matrix-search", "")
        page.click("th.specheft-col-id")  # ascending, then descending
        page.click("th.specheft-col-id")
        assert visible_ids()[0] == "LH-VTR-001"
        # the hostile title is shown as text and never ran, here or on the item's page
        assert PAYLOAD in page.text_content("table.specheft-matrix")
        assert page.evaluate("window.pwned") is None
        page.goto(f"{url}/anf.html")
        assert PAYLOAD in page.text_content("#LH-KON-001")
        assert page.evaluate("window.pwned") is None
    assert dialogs == []


# Reaching a cell: scrolled into view (the page, or the table's own scroll container), its
# centre must show the cell itself — not furo's "On this page" column, not clipped away.
_REACHABLE = """cell => {
    cell.scrollIntoView({block: "center", inline: "center", behavior: "instant"});
    const box = cell.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const inside = x >= 0 && y >= 0 && x < window.innerWidth && y < window.innerHeight;
    const shown = inside ? document.elementFromPoint(x, y) : null;
    return {text: cell.textContent.trim(), reachable: !!shown && cell.contains(shown),
            covered_by: shown && !cell.contains(shown) ? shown.className || shown.tagName : null};
}"""


@pytest.mark.parametrize("width", [1280, 1400, 1920])
def test_every_matrix_column_of_a_new_project_can_be_reached(run_cli, tmp_path, width):
    require_browser()
    root = tmp_path / "neu"
    assert run_cli("new", root, "--areas", "KON,DSG").code == 0
    assert run_cli("build", root, "--no-strict").code == 0
    with serve(root / "_build/html") as url, chromium(tmp_path) as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        page.goto(f"{url}/traceability/index.html")
        page.wait_for_selector(".specheft-matrix-controls")
        tables = page.query_selector_all("table.specheft-matrix")
        assert tables
        for table in tables:
            cells = table.query_selector_all("thead th") + table.query_selector_all(
                "tbody tr:last-child td"
            )
            assert len(cells) == 16  # 8 columns: header and last row
            for cell in cells:
                seen = cell.evaluate(_REACHABLE)
                assert seen["reachable"], f"at {width} px: {seen}"


HOSTILE = '<img src=x onerror="window.pwned = 1"><script>window.pwned = 2</script>'


def test_values_from_specheft_toml_are_text_not_script(make_project, run_cli, tmp_path):
    # every value of specheft.toml that reaches a page: project name and version (the
    # header of every page, the <title>), customer, vendor, area and document names,
    # history and distribution
    settings = f"""\
[project]
name = 'CRM {HOSTILE}'
customer = 'Kunde {HOSTILE}'
vendor = 'Lieferant {HOSTILE}'
version = '1.0 {HOSTILE}'
language = "de"
document_id = "MG-CRM"

[areas]
KON = 'Kontakte {HOSTILE}'

[documents.lastenheft]
title = 'Lastenheft {HOSTILE}'
subtitle = 'Untertitel {HOSTILE}'
start = "anf"

[[history]]
version = '1.0 {HOSTILE}'
date = 2027-01-15
author = 'Autor {HOSTILE}'
changes = 'Änderung {HOSTILE}'

[[distribution]]
name = 'Name {HOSTILE}'
role = 'Rolle {HOSTILE}'
organisation = 'Firma {HOSTILE}'
"""
    page = "# Anforderungen\n\n" + REQS.split("\n", 2)[2] + REPORT.split("\n", 2)[2]
    page += "\n:::{coverage-summary}\n:::\n"
    project = make_project({"anf.md": page}, settings=settings)
    assert run_cli("build", project.root, "--no-strict").code == 0
    dialogs: list[str] = []
    with serve(project.root / "_build/html") as url, chromium(tmp_path) as browser:
        page_ = browser.new_page()  # type: ignore[attr-defined]
        page_.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in ("index.html", "anf.html", "search.html", "genindex.html"):
            page_.goto(f"{url}/{path}")
            page_.wait_for_load_state("load")
            assert page_.evaluate("window.pwned") is None, path
            assert page_.query_selector("img[src='x']") is None, path
            scripts = page_.eval_on_selector_all("script", "all => all.map(s => s.text)")
            assert not any("pwned" in script for script in scripts), path
            # the name is shown as the text it is, in the header and the window title
            assert f"CRM {HOSTILE}" in page_.text_content(".sidebar-brand"), path
            assert HOSTILE in page_.title(), path
        body = page_.goto(f"{url}/anf.html") and page_.text_content("body")
        for shown in ("Kontakte", "Autor", "Kunde", "Änderung"):
            assert f"{shown} {HOSTILE}" in body, shown
    assert dialogs == []
