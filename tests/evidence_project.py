"""A mini project with requirements and test items for the evidence tests (shared)."""

from __future__ import annotations

import shutil
from pathlib import Path

from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject, item

FIXTURES = Path(__file__).parent / "fixtures" / "junit"


def _test(test_id: str, verifies: str, level: str = "sit", **extra: str) -> str:
    return item(
        "test",
        f"Test {test_id}",
        "Schritte.",
        id=test_id,
        verifies=verifies,
        level=level,
        phase="PHASE-TEST",
        **extra,
    )


ITEMS = (
    "# Anforderungen\n\n"
    + item(
        "req",
        "Firmen",
        "Das CRM-System muss Firmen anlegen.",
        id="LH-KON-001",
        priority="must",
        phase="PHASE-IMPL",
    )
    + item(
        "req",
        "Pflichtfelder",
        "Das CRM-System muss Pflichtfelder prüfen.",
        id="LH-KON-002",
        priority="must",
        phase="PHASE-IMPL",
    )
    + item(
        "req",
        "Suche",
        "Das CRM-System soll Umlaute suchen.",
        id="LH-KON-003",
        priority="should",
        phase="PHASE-KONZEPT",
    )
    + item(
        "spec",
        "Firmenmaske",
        "Standard.",
        id="PH-KON-001",
        satisfies="LH-KON-001",
        phase="PHASE-IMPL",
    )
    + _test("TC-SIT-KON-001", "PH-KON-001", role="Vertrieb Innendienst")
    + _test("TC-SIT-KON-002", "LH-KON-001")
    + _test("TC-SIT-KON-003", "LH-KON-003")
    + _test("TC-SIT-KON-004", "LH-KON-002")
    + _test("TC-UAT-KON-001", "LH-KON-002", "uat")
)


def make_evidence_project(root: Path, settings_extra: str = "") -> MiniProject:
    project = MiniProject(root)
    project.write("conf/conf.py", CONF_PY)
    project.write("conf/specheft.toml", SETTINGS.format(language="de") + settings_extra)
    project.write("spec/phasen.md", PHASES)
    project.write("spec/anf.md", ITEMS)
    project.write("spec/index.md", "# Mini\n\n```{toctree}\nanf\nphasen\n```\n")
    return project


def runs_dir(project: MiniProject) -> Path:
    return project.root / "spec" / "testkatalog" / "runs"


def reset(project: MiniProject) -> None:
    shutil.rmtree(project.root / "spec" / "testkatalog", ignore_errors=True)
