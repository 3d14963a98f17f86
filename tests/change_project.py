"""Paths and an added requirement shared by the change-control tests (CRs, baselines)."""

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
