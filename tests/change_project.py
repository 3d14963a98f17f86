"""Paths and an added requirement shared by the change-control tests (CRs, baselines)."""

from pathlib import Path

KON = "spec/lastenheft/05-anforderungen/kon.md"
CR_PAGE = "spec/pflichtenheft/aenderungen.md"
ADDED = """
:::{req} Dubletten erkennen
:id: LH-KON-099
:priority: must
:area: KON
:verification: test
:phase: PHASE-IMPL
:acceptance: Ein Key-User legt eine Firma doppelt an, und das CRM-System warnt.

Das CRM-System muss beim Anlegen einer Firma auf mögliche Dubletten hinweisen.
:::
"""


def scaffold(root: Path, *, toctree: str, after: str, page: str, text: str) -> Path:
    """A ``specheft new`` project (its Lastenheft and Pflichtenheft have the baseline
    patterns lh-v* and ph-v*) with one more page, listed in ``toctree`` after ``after``."""
    from specheft.cli import main

    assert main(["new", str(root), "--areas", "KON"]) == 0
    index = root / toctree
    listed = index.read_text(encoding="utf-8").replace(
        f"{after}\n", f"{after}\n{Path(page).stem}\n"
    )
    index.write_text(listed, encoding="utf-8")
    (root / page).write_text(text, encoding="utf-8")
    return root
