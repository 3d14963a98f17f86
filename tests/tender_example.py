"""The example's offers of three fictitious bidders, made the way a user makes them.

    python -m tests.tender_example [PROJECT]

For each bidder: ``specheft compliance template``, the answers typed into the workbook
(openpyxl, as a bidder's Excel would), ``specheft compliance import``. The answers are a
fixed function of bidder and requirement id, so running it again after a requirement
changed gives the same answers to the new text (the example's build warns about answers
to an earlier text until then). Nexaris cannot fulfil one must requirement: knocked out.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import openpyxl

from specheft.cli import main

ROOT = Path(__file__).resolve().parents[1]

#: bidder → (share per code in percent, in code order), comment per code
BIDDERS: dict[str, tuple[dict[str, int], dict[str, str]]] = {
    "Kontaktwerk Software GmbH": (
        {"standard": 62, "configuration": 28, "customizing": 8, "third-party": 2},
        {
            "standard": "Im Standard von Kontaktwerk CRM 8 enthalten.",
            "configuration": "Per Konfiguration (Felder, Workflows, Masken) ohne Programmierung.",
            "customizing": "Erweiterung im Projekt; bleibt releasefähig (Extension-API).",
            "third-party": "Über zertifiziertes Partnerprodukt.",
        },
    ),
    "CRMpunkt Solutions AG": (
        {"standard": 45, "configuration": 25, "customizing": 18, "third-party": 7, "roadmap": 5},
        {
            "standard": "Standardfunktion von CRMpunkt Cloud.",
            "configuration": "Konfigurierbar über den Admin-Designer.",
            "customizing": "Individuelle Entwicklung durch CRMpunkt Professional Services.",
            "third-party": "Über ein Add-on aus dem CRMpunkt Marketplace.",
            "roadmap": "Geplant für das Release 2027.2.",
        },
    ),
    "Nexaris Digital GmbH": (
        {"standard": 40, "configuration": 30, "customizing": 20, "roadmap": 10},
        {
            "standard": "Teil der Nexaris Sales Suite.",
            "configuration": "Konfiguration durch Nexaris Consulting.",
            "customizing": "Individualentwicklung nach Aufwand.",
            "roadmap": "Auf der Roadmap, Termin noch offen.",
            "not-possible": "Nicht möglich: Nexaris betreibt ausschließlich in US-Rechenzentren.",
        },
    ),
}
#: the knock-out: Nexaris cannot keep the data in the EU (a must requirement)
KNOCK_OUT = ("Nexaris Digital GmbH", "LH-DSG-002")
_EFFORT = {"standard": 0, "configuration": 1.5, "customizing": 6, "third-party": 3, "roadmap": 0}


def _code(vendor: str, item_id: str) -> str:
    if (vendor, item_id) == KNOCK_OUT:
        return "not-possible"
    shares, _ = BIDDERS[vendor]
    roll = int(hashlib.sha256(f"{vendor}|{item_id}".encode()).hexdigest(), 16) % 100
    for code, share in shares.items():
        if roll < share:
            return code
        roll -= share
    return "standard"


def fill(template: Path, target: Path, vendor: str) -> None:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Anforderungen"]
    _, comments = BIDDERS[vendor]
    for row in range(2, sheet.max_row + 1):
        item_id = str(sheet.cell(row, 1).value)
        code = _code(vendor, item_id)
        sheet.cell(row, 7).value = code
        sheet.cell(row, 8).value = _EFFORT.get(code, 0)
        sheet.cell(row, 9).value = comments[code]
        sheet.cell(row, 10).value = f"Angebot {vendor.split()[0]}, Kap. {item_id[3:6]}"
    workbook.save(target)


def make(project: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="specheft-offers-") as tmp:
        for vendor in BIDDERS:
            template = Path(tmp) / "template.xlsx"
            back = Path(tmp) / f"{vendor.split()[0].lower()}-angebot.xlsx"
            args = ["compliance", "template", "--vendor", vendor, "--out", str(template)]
            if main([*args, str(project)]) != 0:
                raise SystemExit(f"template for {vendor} failed")
            fill(template, back, vendor)
            if main(["compliance", "import", str(back), "--vendor", vendor, str(project)]) != 0:
                raise SystemExit(f"import for {vendor} failed")


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
