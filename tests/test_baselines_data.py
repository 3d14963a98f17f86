"""The data file ``specheft build`` hands the Sphinx build (``_build/baselines.json``):
one pointer per baseline to its kept items (``commits[tag]`` in the ``revisions``
folder). Older versions also wrote each document's ``items_file``, a second pointer to
the latest baseline's same file; such a file must still read.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from specheft.project.layout import Project
from specheft.project.since import revision_file
from specheft.sphinxext.rendering.baselines import baseline_items, baselines_of
from specheft.trace.diff import ItemState
from specheft.trace.revisions import DocumentState, RevisionItems, encode_revision

from .helpers import git, lastenheft_baselines

REVISION = RevisionItems(
    {
        "LH-KON-001": ItemState(
            "LH-KON-001", "req", "spec/a.md", 3, {"title": "Ziel", "content": "Text"}, {}
        )
    },
    {"lastenheft": DocumentState("ab" * 32, ("LH-KON-001",), ("LH-KON-001",))},
)
DOCUMENT = {
    "pattern": "lh-v*",
    "baselines": [
        {
            "tag": "lh-v1.0",
            "version": "1.0",
            "date": "2026-11-30",
            "author": "Test",
            "digest": "ab" * 32,
            "count": 1,
        }
    ],
    "history": [],
}


def _app(path: Path) -> Any:
    """What the readers use of a Sphinx application: the config value naming the file."""
    return SimpleNamespace(config=SimpleNamespace(specheft_baselines=str(path)))


def test_an_old_data_file_with_two_pointers_still_reads(tmp_path: Path) -> None:
    kept = tmp_path / "_build/.doctrees/since"
    kept.mkdir(parents=True)
    commit = "c0ffee" * 6 + "abcd"
    (kept / f"{commit}.json").write_bytes(encode_revision(REVISION))
    old = {
        "documents": {"lastenheft": {**DOCUMENT, "items_file": str(kept / f"{commit}.json")}},
        "commits": {"lh-v1.0": commit},
        "revisions": str(kept),
    }
    data = tmp_path / "_build/baselines.json"
    data.write_text(json.dumps(old), encoding="utf-8")
    app = _app(data)
    found = baselines_of(app)["lastenheft"]
    assert found.latest is not None and found.latest.tag == "lh-v1.0"
    assert baseline_items(app, "lh-v1.0") == REVISION
    assert baseline_items(app, "lh-v0.9") is None  # a tag the file does not name
    # the oldest files named only items_file: no baseline items (no crash, no build)
    del old["commits"]
    data.write_text(json.dumps(old), encoding="utf-8")
    assert baseline_items(_app(data), "lh-v1.0") is None
    assert baselines_of(_app(data))["lastenheft"].latest is not None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_build_writes_one_pointer_per_baseline(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = lastenheft_baselines(tmp_path / "crm")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Lastenheft 1.0")
    git(root, "tag", "lh-v1.0")
    git(root, "tag", "lh-v1.0.0")  # a second tag on the same commit: its own entry, one file
    result = run_cli("build", root)
    assert result.code == 0, result.output
    data = json.loads((root / "_build/baselines.json").read_text(encoding="utf-8"))
    commit = git(root, "rev-parse", "HEAD")
    assert data["commits"] == {"lh-v1.0": commit, "lh-v1.0.0": commit}
    assert all("items_file" not in d for d in data["documents"].values()), data
    kept = revision_file(Project.at(root), commit)
    assert Path(data["revisions"]) == kept.parent and kept.is_file()
    assert sorted(p.name for p in kept.parent.iterdir()) == [kept.name]
