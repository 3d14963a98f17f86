"""The built matrix page in a real browser: filters work, item text never runs as script."""

from __future__ import annotations

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
