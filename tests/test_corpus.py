"""The corpus of bad inputs (tests/corpus/cases.toml), run as one parametrized test.

Every case must end with the expected exit code, no traceback, a message at the
expected location naming what is wrong — and leave the project's files untouched.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from .helpers import item

# every *.toml under corpus/ holds cases (one file per class of input, so they stay readable)
CASES = [
    case
    for path in sorted((Path(__file__).parent / "corpus").glob("*.toml"))
    for case in tomllib.loads(path.read_text("utf-8"))["case"]
]

GOOD = "# Gut\n\n" + item(
    "req",
    "Ziel",
    "Das CRM-System kann zählen.",
    id="LH-KON-900",
    priority="can",
    phase="PHASE-IMPL",
)


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    groups = {case["name"].split(":")[0] for case in CASES}
    assert {"item", "myst", "toml", "cli", "new", "catalog"} <= groups


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, make_project, run_cli):
    index = "# Mini\n\n```{toctree}\ngood\nbad\nphasen\n```\n"
    project = make_project({"good.md": GOOD, "bad.md": "# B\n\nNur Text.\n"}, index=index)
    for relative, text in case.get("files", {}).items():
        project.write(relative, text)
    for relative, text in case.get("latin1", {}).items():
        path = project.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1"))
    before = project.snapshot()
    args = [a.replace("{root}", str(project.root)) for a in case["command"]]
    result = run_cli(*args)
    output = result.output
    assert result.code == case["exit"], f"exit {result.code}:\n{output}"
    assert "Traceback" not in output, output
    location = case["location"]
    if location:
        lines = output.splitlines()
        located = [
            line
            for number, line in enumerate(lines)
            if f"{location}:" in line
            # with the hint lines that belong to a located message
            or (line.startswith("  hint:") and number and f"{location}:" in lines[number - 1])
        ]
        assert located, f"nothing at {location}:\n{output}"
        text = " ".join(located)
    else:
        text = output
    for fragment in case["message"]:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert project.snapshot() == before, "the command changed the project's files"
