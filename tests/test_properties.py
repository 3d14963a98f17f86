"""Property-based robustness: whatever items a user writes, specheft answers with a
message and an exit code in {0, 1, 2} — never a traceback — and never changes the sources."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specheft.cli import main

from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject

KINDS = st.sampled_from(["req", "excl", "spec", "test", "phase", "catreq", "note", "reqs"])
OPTION_NAMES = st.sampled_from(
    [
        "id",
        "priority",
        "area",
        "phase",
        "satisfies",
        "verifies",
        "level",
        "solution",
        "order",
        "start",
        "status",
        "tags",
        "acceptance",
        "refines",
        "origin",
        "verify",
        "",
        "id id",
    ]
)
TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ -:_,;{}`*<>/\\\"'#äöüß€\t\n0123456789LHPTC")),
    max_size=30,
)
IDS = st.one_of(
    st.sampled_from(
        [
            "LH-KON-001",
            "PH-KON-001",
            "TC-SIT-001",
            "AB-001",
            "PHASE-IMPL",
            "LH-KON-900",
            "lh-kon-001",
            "LH KON",
            "",
        ]
    ),
    TEXT,
)


@st.composite
def items(draw: st.DrawFn) -> str:
    kind = draw(KINDS)
    fence = draw(st.sampled_from([":::", "::::", "```"]))
    title = (draw(TEXT).splitlines() or [""])[0] if draw(st.booleans()) else "T"
    lines = [f"{fence}{{{kind}}} {title}"]
    if draw(st.booleans()):
        lines.append(f":id: {draw(IDS)}")
    for _ in range(draw(st.integers(0, 5))):
        value = draw(st.one_of(IDS, TEXT))
        lines.append(f":{draw(OPTION_NAMES)}: {value}")
    if draw(st.booleans()):
        lines.append("")
    lines.append(draw(TEXT))
    if draw(st.integers(0, 5)):  # sometimes the fence is never closed
        lines.append(fence)
    return "\n".join(lines) + "\n"


def _run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.lists(items(), min_size=1, max_size=4), command=st.sampled_from(["build", "check"]))
def test_any_items_give_a_message_and_an_exit_code_never_a_traceback(page, command):
    with tempfile.TemporaryDirectory() as tmp:
        project = MiniProject(Path(tmp) / "p")
        project.write("conf/conf.py", CONF_PY)
        project.write("conf/specheft.toml", SETTINGS.format(language="de"))
        project.write("spec/index.md", "# P\n\n```{toctree}\nphasen\nx\n```\n")
        project.write("spec/phasen.md", PHASES)
        (project.spec / "x.md").write_text("# X\n\n" + "\n".join(page), encoding="utf-8")
        before = project.snapshot()
        code, output = _run(command, str(project.root))
        assert code in (0, 1, 2), output
        assert "Traceback" not in output and "internal error" not in output, output
        assert project.snapshot() == before


@settings(max_examples=30, deadline=None)
@given(text=st.text(max_size=200))
def test_any_specheft_toml_is_read_or_refused_with_a_location(text):
    with tempfile.TemporaryDirectory() as tmp:
        project = MiniProject(Path(tmp) / "p")
        project.write("conf/conf.py", CONF_PY)
        (project.conf / "specheft.toml").write_text(text, encoding="utf-8")
        project.write("spec/index.md", "# P\n")
        before = project.snapshot()
        code, output = _run("check", str(project.root))
        assert code in (0, 1, 2), output
        assert "Traceback" not in output and "internal error" not in output, output
        if code == 2:
            assert "specheft.toml" in output
        assert project.snapshot() == before
