"""The builds that ``specheft diff``, ``check --since`` and the baselines make of a
revision read its items only (issue 14 point 4): no schema validation, no resolving of
references — both only warn, and nobody shows those warnings — and the items are the
same as a check's."""

from __future__ import annotations

import shutil
from pathlib import Path

from specheft.cli import main
from specheft.project.layout import Project
from specheft.project.sphinx_run import items_build
from specheft.trace.diff import snapshot

from .change_project import KON


def test_an_items_only_build_has_the_same_items_and_skips_the_warnings(tmp_path: Path) -> None:
    checked = tmp_path / "checked"
    assert main(["new", str(checked), "--areas", "KON"]) == 0
    kon = checked / KON
    # a reference to nowhere: resolving references warns about it
    kon.write_text(
        kon.read_text(encoding="utf-8") + "\nSiehe {ref}`nirgendwo`.\n", encoding="utf-8"
    )
    only = tmp_path / "only"
    shutil.copytree(checked, only)
    result, needs = items_build(Project.at(checked))
    fast, fast_needs = items_build(Project.at(only), validate=False)
    assert snapshot(needs, "spec") == snapshot(fast_needs, "spec")
    assert len(needs) > 10
    assert any("nirgendwo" in m.text for m in result.messages), result.messages
    assert not any("nirgendwo" in m.text for m in fast.messages), fast.messages
    assert fast.app.config.needs_schema_validation_enabled is False
