"""The one source map for option lines (trace/sourcelines.py), used by the rule findings
of check and build and by the rewritten sphinx-needs and item-syntax messages."""

from __future__ import annotations

from pathlib import Path

from specheft.trace.sourcelines import WINDOW, SourceLines, option_line

LINES = [
    "# Seite",  # 1
    "",  # 2
    ":::{req} Ziel",  # 3
    ":id: LH-KON-001",  # 4
    ":priority: must",  # 5
    "",  # 6
    ":phase: PHASE-IMPL",  # 7: body text, not an option
    ":::",  # 8
]


def test_the_line_of_an_option_in_the_block():
    assert option_line(LINES, 3, "id") == 4
    assert option_line(LINES, 3, "priority") == 5


def test_the_block_ends_at_the_first_line_that_is_no_option():
    assert option_line(LINES, 3, "phase") is None  # after the blank line: body text
    assert option_line(LINES, 3, "pri") is None  # a prefix is not the option


def test_out_of_range_and_long_blocks():
    assert option_line(LINES, 8, "id") is None
    assert option_line(LINES, 99, "id") is None
    assert option_line([], 1, "id") is None
    long = [":::{req} R"] + [f":o{n}: x" for n in range(WINDOW + 5)] + [":tags: a"]
    assert option_line(long, 1, "o3") == 5
    assert option_line(long, 1, "tags") is None  # beyond the window


def test_each_file_is_read_once(tmp_path: Path):
    page = tmp_path / "a.md"
    page.write_text("\n".join(LINES), encoding="utf-8")
    lines = SourceLines()
    assert lines.option_line(page, 3, "priority") == 5
    page.write_text("changed", encoding="utf-8")
    assert lines.option_line(page, 3, "priority") == 5  # the build's view of the file
    assert SourceLines().option_line(page, 3, "priority") is None
    assert SourceLines().lines(tmp_path / "gone.md") == []
