"""needs.json is written by the C JSON encoder (patch 4 in sphinxext/needs/patches.py),
with exactly the text sphinx-needs' own ``write_json`` writes."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from specheft.sphinxext.needs import patches


class _List:
    """What ``NeedsList.write_json`` reads of its instance."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = str(outdir)
        self.finalised = 0
        self.needs_list: dict[str, Any] = {
            "versions": {
                "1.0": {
                    "needs": {
                        "REQ-2": {"title": 'Größe ≤ 5 € "quoted"\n', "n": 1.5, "x": None},
                        "REQ-10": {"links": ["A", "B"], "ok": True, "empty": {}, "z": -0.0},
                    }
                }
            },
            "project": "Prüfung",
            "current_version": "1.0",
        }

    def _finalise(self) -> None:
        self.finalised += 1


def test_write_json_writes_the_original_text(tmp_path: Path) -> None:
    from sphinx_needs.needsfile import NeedsList

    assert patches.install()
    assert NeedsList.write_json is patches._write_json
    original = patches._ORIGINAL["write_json"]
    assert list(inspect.signature(original).parameters) == [
        "self",
        "needs_file",
        "needs_path",
    ], "fix patches._write_json"
    ours, theirs = _List(tmp_path), _List(tmp_path)
    original(theirs, "theirs.json")
    patches._write_json(ours, "ours.json")
    assert (tmp_path / "ours.json").read_bytes() == (tmp_path / "theirs.json").read_bytes()
    assert ours.finalised == theirs.finalised == 1
    # an explicit directory wins over outdir, as in the original
    other = tmp_path / "other"
    other.mkdir()
    patches._write_json(_List(tmp_path), "needs.json", str(other))
    assert (other / "needs.json").read_bytes() == (tmp_path / "theirs.json").read_bytes()
