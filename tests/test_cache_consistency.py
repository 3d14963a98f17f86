"""A cached ``check`` and an incremental build give what a fresh one gives, and every
problem the strict build reports is a ``check`` finding too (same file, same line).

Duplicate ids: the first definition in toctree order keeps the id, on every run, cached
or fresh, serial or parallel; the dropped copy is reported naming both places.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import HOLD_CONF, REPO, item, signalled_child

REQ = item(
    "req",
    "Ziel",
    "Das CRM-System muss zählen.",
    id="LH-KON-900",
    priority="can",
    phase="PHASE-IMPL",
)
_BUILD_LINE = re.compile(r"^(?P<path>\S+?)(?::(?P<line>\d+))?: (?:WARNING|ERROR): (?P<text>.*)$")


def findings(run_cli: Any, root: Path, *extra: str) -> list[dict[str, Any]]:
    result = run_cli("check", root, "--format", "json", *extra)
    assert result.code in (0, 1), result.output
    assert "Traceback" not in result.output
    data = json.loads(result.out)
    return sorted(data["findings"], key=lambda f: json.dumps(f, sort_keys=True))


def errors(found: list[dict[str, Any]]) -> list[tuple[str, int | None, str | None, str]]:
    """The errors Sphinx reported (the rule findings are not the point here)."""
    return [
        (f["path"], f["line"], f["item"], f["message"])
        for f in found
        if f["level"] == "error" and f["rule"] == "build"
    ]


def build_problems(run_cli: Any, root: Path) -> list[tuple[str, int | None, str]]:
    """The strict build's warnings as (project-relative path, line, text)."""
    result = run_cli("build", root, "-q")
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    problems = []
    for line in result.err.splitlines():
        match = _BUILD_LINE.match(line)
        if match:
            path = Path(match["path"])
            path = (path.relative_to(root) if path.is_absolute() else path).as_posix()
            number = int(match["line"]) if match["line"] else None
            problems.append((path, number, match["text"]))
    assert problems, result.err
    return problems


# Each project is broken in ways that only some stages see: references in the text are
# resolved when pages are written, a page in no toctree and a duplicate id depend on
# other pages, an unknown link on all items.
BROKEN: dict[str, dict[str, str]] = {
    "references in the text": {
        "gut.md": "# Gut\n\n" + REQ,
        "text.md": "# Text\n\nSiehe {need}`LH-KON-999`, {need}`Ziel <LH-KON-998>`,\n"
        "{need}`LH-KON-900.teil`, {ref}`kein-label`, {doc}`kein-dokument`,\n"
        "[Link](nirgends.md) und {need_incoming}`LH-KON-997`.\n",
    },
    "reference on the start page": {
        "gut.md": "# Gut\n\n" + REQ,
        "index.md": "# Mini\n\nSiehe {need}`LH-KON-901`.\n\n```{toctree}\ngut\nphasen\n```\n",
    },
    "page in no toctree": {
        "gut.md": "# Gut\n\n" + REQ,
        "unten/zz-verwaist.md": "# Verwaist\n\nText.\n",
        "unten/index.md": "# Unten\n\n```{toctree}\n```\n",
    },
    "duplicate id and unknown link": {
        "zweite.md": "# Zweite\n\n" + REQ,
        "erste.md": "# Erste\n\n" + REQ.replace("Ziel", "Kopie"),
        "spec.md": "# S\n\n" + item("spec", "S", id="PH-KON-001", satisfies="LH-KON-999"),
    },
    "bad field value": {
        "gut.md": "# Gut\n\n" + REQ.replace(":priority: can", ":priority: vielleicht"),
    },
}
_INDEX = {
    "page in no toctree": "# Mini\n\n```{toctree}\ngut\nunten/index\nphasen\n```\n",
    # toctree order differs from the order of the names
    "duplicate id and unknown link": "# Mini\n\n```{toctree}\nzweite\nerste\nspec\nphasen\n```\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_every_problem_of_the_strict_build_is_a_finding_of_check(name, make_project, run_cli):
    pages = dict(BROKEN[name])
    index = pages.pop("index.md", None) or _INDEX.get(name)
    project = make_project(pages, index=index)
    fresh = findings(run_cli, project.root, "--fresh")
    cached = findings(run_cli, project.root)
    again = findings(run_cli, project.root)
    assert fresh == cached == again
    problems = build_problems(run_cli, project.root)
    # a warning of the strict build is at least a warning of check (fails check --strict)
    located = {(f["path"], f["line"]) for f in fresh if f["level"] != "info"}
    texts = [f["message"] for f in fresh if f["level"] != "info"]
    for path, line, text in problems:
        assert (path, line) in located, f"{path}:{line}: {text} not in check:\n{texts}"
        core = text.rsplit(" [", 1)[0].split(": ", 1)[-1][:40]
        assert any(core in t for t in texts), f"{text!r} not in check:\n{texts}"
    for finding in fresh:  # every location names a file that exists
        assert finding["path"] is None or (project.root / finding["path"]).is_file(), finding


def test_page_in_no_toctree_names_its_file_and_the_toctree_every_time(make_project, run_cli):
    pages = dict(BROKEN["page in no toctree"])
    pages["03-ziele.rst"] = "Ziele\n=====\n\nText.\n"  # reStructuredText is read too
    project = make_project(pages, index=_INDEX["page in no toctree"])
    for extra in (("--fresh",), (), ()):  # the cached checks report them again
        found = errors(findings(run_cli, project.root, *extra))
        assert [(path, line) for path, line, _, _ in found] == [
            ("spec/03-ziele.rst", None),
            ("spec/unten/zz-verwaist.md", None),
        ], found
        assert all("isn't included in any toctree" in f[3] for f in found)
        assert "add '03-ziele' to the toctree in spec/index.md" in found[0][3]
        assert "add 'zz-verwaist' to the toctree in spec/unten/index.md" in found[1][3]
    for report in ("sarif", "json", "text"):
        out = run_cli("check", project.root, "--format", report).out
        assert ".md.rst" not in out and ".rst.rst" not in out and "zz-verwaist.md" in out
    (project.spec / "unten/index.md").write_text(
        "# Unten\n\n```{toctree}\nzz-verwaist\n```\n", encoding="utf-8"
    )
    (project.spec / "03-ziele.rst").unlink()
    assert errors(findings(run_cli, project.root)) == []


def _duplicate_project(make_project: Any) -> Any:
    return make_project(
        {
            "zweite.md": "# Zweite\n\n" + REQ,
            "erste.md": "# Erste\n\n" + REQ.replace("Ziel", "Kopie"),
        },
        index="# Mini\n\n```{toctree}\nzweite\nerste\nphasen\n```\n",
    )


def test_duplicate_id_is_kept_by_the_first_definition_in_toctree_order(make_project, run_cli):
    project = _duplicate_project(make_project)
    expected = [
        (
            "spec/erste.md",
            3,
            "LH-KON-900",
            "duplicate id: 'LH-KON-900' already exists at spec/zweite.md:3, which keeps it "
            "(it comes first in reading order); this definition is dropped (hint: give one "
            "of them a new id) [specheft.duplicate-id]",
        )
    ]
    # parallel reading merges the pages in the order the workers finish
    for extra in (("--fresh", "-j", "2"), ("--fresh", "-j", "2"), ("--fresh", "-j", "1"), ()):
        assert errors(findings(run_cli, project.root, *extra)) == expected
    result = run_cli("build", project.root, "-q")
    assert result.code == 1  # the strict build fails
    assert "spec/erste.md:3" in result.err and "spec/zweite.md:3" in result.err
    result = run_cli("build", project.root, "-q", "--no-strict")
    assert result.code == 0, result.output
    assert project.needs()["LH-KON-900"]["title"] == "Ziel"  # the original, not the copy


def test_duplicate_id_is_not_sticky(make_project, run_cli):
    project = _duplicate_project(make_project)
    assert len(errors(findings(run_cli, project.root))) == 1
    original = project.spec / "zweite.md"
    text = original.read_text(encoding="utf-8")
    # the original gets a new id: the copy is the only LH-KON-900 now, on a cached page
    original.write_text(text.replace("LH-KON-900", "LH-KON-901"), encoding="utf-8")
    cached = findings(run_cli, project.root)
    assert errors(cached) == []
    run_cli("build", project.root, "-q")
    assert project.needs()["LH-KON-900"]["title"] == "Kopie"
    assert project.needs()["LH-KON-901"]["title"] == "Ziel"
    original.write_text(text, encoding="utf-8")  # undone: the original keeps it again
    assert [e[:3] for e in errors(findings(run_cli, project.root))] == [
        ("spec/erste.md", 3, "LH-KON-900")
    ]
    assert findings(run_cli, project.root) == findings(run_cli, project.root, "--fresh")
    (project.spec / "erste.md").write_text("# Erste\n\nNur Text.\n", encoding="utf-8")
    assert errors(findings(run_cli, project.root)) == []
    run_cli("build", project.root, "-q")
    assert project.needs()["LH-KON-900"]["title"] == "Ziel"


def _move(root: Path, item_id: str, source: str, target: str) -> None:
    """Cut the item's block out of ``source`` and append it to ``target``."""
    src, dst = root / source, root / target
    text = src.read_text(encoding="utf-8")
    at = text.index(f":id: {item_id}\n")
    start = text.rindex(":::{", 0, at)
    end = text.index("\n:::\n", at) + len("\n:::\n")
    src.write_text(text[:start] + text[end:], encoding="utf-8")
    dst.write_text(dst.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text[start:end])


def test_moving_an_item_to_an_earlier_page_in_the_example(run_cli, tmp_path):
    root = tmp_path / "crm"
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    before = errors(findings(run_cli, root))
    counts = _summary(run_cli, root)
    _move(
        root,
        "LH-HYP-001",
        "spec/lastenheft/08-projektabwicklung.md",
        "spec/lastenheft/05-anforderungen/aktivitaeten.md",
    )
    cached = findings(run_cli, root)
    assert errors(cached) == before == []
    assert cached == findings(run_cli, root, "--fresh")
    assert _summary(run_cli, root) == counts  # no item lost ("322 items, must 68")


def _summary(run_cli: Any, root: Path) -> str:
    """The summary line without its time."""
    last = run_cli("check", root).out.strip().splitlines()[-1]
    return re.sub(r" \([0-9.]+ s\)$", "", last)


def test_moving_an_item_to_an_earlier_page_in_an_incremental_build(make_project, run_cli):
    project = make_project(
        {
            "b-spaeter.md": "# Später\n\n" + REQ,
            "a-frueher.md": "# Früher\n\nText.\n",
            "s.md": "# S\n\n"
            + item("spec", "S", id="PH-KON-001", satisfies="LH-KON-900", phase="PHASE-IMPL"),
        }
    )
    result = run_cli("build", project.root, "-q")
    assert result.code == 0, result.output
    _move(project.root, "LH-KON-900", "spec/b-spaeter.md", "spec/a-frueher.md")
    result = run_cli("build", project.root, "-q")
    assert result.code == 0, result.output
    assert project.needs()["LH-KON-900"]["docname"] == "a-frueher"
    assert project.needs()["PH-KON-001"]["satisfies"] == ["LH-KON-900"]


# --- stale pages in incremental builds -------------------------------------------------

_FILLERS = {f"m{n:02d}.md": f"# Seite {n}\n\nText {n}.\n" for n in range(12)}


def _titles_in_site(root: Path) -> set[str]:
    """The titles of LH-KON-900 that any written page shows."""
    found: set[str] = set()
    for page in (root / "_build" / "html").rglob("*.html"):
        found.update(re.findall(r"Ziel Nummer \d+", page.read_text(encoding="utf-8")))
    return found


def _retitle(project: Any, number: int) -> None:
    page = project.spec / "kon.md"
    text = re.sub(r"Ziel(?: Nummer \d+)?\n", f"Ziel Nummer {number}\n", page.read_text("utf-8"))
    page.write_text(text, encoding="utf-8")


def test_an_interrupted_build_leaves_no_stale_page(make_project, run_cli):
    # The phase page shows the title among its back-links, the start page in a {need}:
    # neither is read again when the title changes, both are rewritten for it.
    project = make_project(
        {"kon.md": "# Kontakte\n\n" + REQ, **_FILLERS},
        index="# Mini\n\nSiehe {need}`LH-KON-900`.\n\n```{toctree}\nkon\n"
        + "\n".join(Path(name).stem for name in _FILLERS)
        + "\nphasen\n```\n",
    )
    _retitle(project, 0)
    result = run_cli("build", project.root, "-q")
    assert result.code == 0, result.output
    assert _titles_in_site(project.root) == {"Ziel Nummer 0"}
    command = [str(Path(sys.executable).parent / "specheft"), "build", str(project.root)]
    with (project.conf / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(HOLD_CONF)  # the child waits at its first page for the signal
    for number, sig in enumerate((signal.SIGINT, signal.SIGTERM, signal.SIGKILL), start=1):
        _retitle(project, number)
        release = project.root.parent / f"release-{number}"
        child = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            **signalled_child(release),
        )
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("writing output... ["):  # the first page is being written
                child.send_signal(sig)
                break
        release.touch()  # (only now: the signal is pending before the child may go on)
        rest = child.stdout.read()
        code = child.wait(timeout=120)
        assert code != 0 and "Site written" not in rest, (sig, code, rest)
        # the interruption left pages with the old title (else this test shows nothing)
        assert f"Ziel Nummer {number - 1}" in _titles_in_site(project.root), sig
        result = run_cli("build", project.root, "-q")
        assert result.code == 0, result.output
        assert _titles_in_site(project.root) == {f"Ziel Nummer {number}"}, sig


def test_a_need_reference_on_a_page_without_items_follows_the_title(make_project, run_cli):
    project = make_project({"kon.md": "# Kontakte\n\n" + REQ, "verweise.md": "# Verweise\n\n"})
    project.write("spec/verweise.md", "# Verweise\n\nSiehe {need}`LH-KON-900`.\n")
    for number in range(2):
        _retitle(project, number)
        result = run_cli("build", project.root, "-q")
        assert result.code == 0, result.output
        shown = re.findall(r"Ziel Nummer \d+", project.html("verweise"))
        assert shown == [f"Ziel Nummer {number}"]


def test_document_information_shows_the_current_git_revision(make_project, run_cli):
    project = make_project({"kon.md": "# Kontakte\n\n" + REQ})
    (project.root / ".gitignore").write_text("_build/\n", encoding="utf-8")

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=t@example.com", *args],
            cwd=project.root,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    for message in ("eins", "zwei"):
        (project.root / "NOTIZ.txt").write_text(message, encoding="utf-8")  # not a source
        git("add", "-A")
        git("commit", "-q", "-m", message)
        result = run_cli("build", project.root, "-q")
        assert result.code == 0, result.output
        assert git("rev-parse", "--short=12", "HEAD") in project.html("index"), message


# --- folder links under spec/ ------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "target", "shown"),
    [
        ("unten/schleife", ".", "spec/unten"),  # ln -s . spec/unten/schleife
        ("unten/nochmal", "..", "spec"),
        ("zweitname", "unten", "spec/unten"),
    ],
)
def test_a_folder_link_into_the_sources_is_named_at_once(
    link, target, shown, make_project, run_cli
):
    project = make_project(
        {"unten/kon.md": "# Kontakte\n\n" + REQ},
        index="# Mini\n\n```{toctree}\nunten/kon\nphasen\n```\n",
    )
    (project.spec / link).symlink_to(target, target_is_directory=True)
    for command in (("check",), ("check", "--format", "json"), ("build", "-q")):
        started = time.perf_counter()
        result = run_cli(*command[:1], project.root, *command[1:])
        assert result.code == 2, result.output
        assert time.perf_counter() - started < 10
        assert result.output.count(f"spec/{link}: folder link to {shown}:") == 1, result.output
        assert "remove the link" in result.output
        assert "Traceback" not in result.output


def test_a_folder_link_outside_the_sources_is_read(make_project, run_cli, tmp_path):
    project = make_project(index="# Mini\n\n```{toctree}\ngeteilt/kon\nphasen\n```\n")
    shared = tmp_path / "geteilt"
    shared.mkdir()
    (shared / "kon.md").write_text("# Kontakte\n\n" + REQ, encoding="utf-8")
    (project.spec / "geteilt").symlink_to(shared, target_is_directory=True)
    result = run_cli("check", project.root)
    assert result.code == 0, result.output
    assert result.out.splitlines()[-1].startswith("4 items;"), result.out  # 3 phases, 1 req


# --- the guard: random edit sequences, cached == fresh -----------------------------------

_PAGE_NAMES = ("m-mitte", "a-anfang", "z-ende", "f-frueh", "s-spaet")
_OPS = (
    "add req",
    "add spec",
    "edit",
    "move",
    "delete",
    "rename",
    "duplicate",
    "add page",
    "delete page",
    "rename page",
    "unlist page",
)


class _Model:
    """Pages (in toctree order) holding items; the sources are written from it."""

    def __init__(self) -> None:
        self.pages: dict[str, list[dict[str, str]]] = {
            "m-mitte": [self._req(1, "Eins"), self._req(2, "Zwei")],
            "z-ende": [self._spec(1, "LH-KON-001")],
        }
        self.unlisted: set[str] = set()
        self.counter = 10

    @staticmethod
    def _req(number: int, title: str) -> dict[str, str]:
        return {"kind": "req", "id": f"LH-KON-{number:03d}", "title": title}

    @staticmethod
    def _spec(number: int, target: str) -> dict[str, str]:
        return {"kind": "spec", "id": f"PH-KON-{number:03d}", "title": "Lösung", "to": target}

    def items(self) -> list[tuple[str, int]]:
        return [(page, i) for page, items in self.pages.items() for i in range(len(items))]

    def apply(self, op: str, a: int, b: int) -> None:
        self.counter += 1
        pages = list(self.pages)
        located = self.items()
        free = [name for name in _PAGE_NAMES if name not in self.pages]
        if op in ("add req", "add spec") and pages:
            ids = [item["id"] for _, item in self._all() if item["kind"] == "req"] or ["LH-KON-001"]
            new = (
                self._req(self.counter, f"Neu {self.counter}")
                if op == "add req"
                else self._spec(self.counter, ids[b % len(ids)])
            )
            self.pages[pages[a % len(pages)]].append(new)
        elif op in ("edit", "move", "delete", "rename", "duplicate") and located:
            page, index = located[a % len(located)]
            item = self.pages[page][index]
            if op == "edit":
                item["title"] = f"{item['title']} geändert"
            elif op == "rename":
                item["id"] = f"{item['id'][:7]}{self.counter:03d}"
            elif op == "delete":
                del self.pages[page][index]
            else:
                target = pages[b % len(pages)]
                if op == "move":
                    del self.pages[page][index]
                    self.pages[target].append(item)
                else:
                    self.pages[target].append({**item, "title": f"Kopie {self.counter}"})
        elif op == "add page" and free:
            self.pages[free[a % len(free)]] = [self._req(self.counter, f"Seite {self.counter}")]
        elif op == "delete page" and pages:
            del self.pages[pages[a % len(pages)]]
        elif op == "rename page" and pages and free:
            old, new = pages[a % len(pages)], free[b % len(free)]
            self.pages = {new if name == old else name: v for name, v in self.pages.items()}
            if old in self.unlisted:
                self.unlisted = (self.unlisted - {old}) | {new}
        elif op == "unlist page" and pages:
            self.unlisted ^= {pages[a % len(pages)]}

    def _all(self) -> list[tuple[str, dict[str, str]]]:
        return [(page, item) for page, items in self.pages.items() for item in items]

    def write(self, spec: Path) -> None:
        wanted = {f"{name}.md": self._page(name, items) for name, items in self.pages.items()}
        listed = [name for name in self.pages if name not in self.unlisted]
        wanted["index.md"] = "# Mini\n\n```{toctree}\n" + "\n".join([*listed, "phasen"]) + "\n```\n"
        for path in spec.glob("*.md"):
            if path.name not in wanted and path.name != "phasen.md":
                path.unlink()
        for name, text in wanted.items():
            path = spec / name
            # only what changed is written: unchanged pages stay cached
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")

    @staticmethod
    def _page(name: str, items: list[dict[str, str]]) -> str:
        parts = [f"# Seite {name}\n"]
        for entry in items:
            if entry["kind"] == "req":
                options = {"id": entry["id"], "priority": "can", "phase": "PHASE-IMPL"}
                text = "Das CRM-System kann zählen."
            else:
                options = {"id": entry["id"], "satisfies": entry["to"], "phase": "PHASE-IMPL"}
                text = "Das System zählt."
            parts.append(item(entry["kind"], entry["title"], text, **options))
        return "\n".join(parts)


def _check_json(root: Path, *, fresh: bool) -> dict[str, Any]:
    from specheft.io.report import json as report_json
    from specheft.project.check import run_check
    from specheft.project.layout import Project

    data = report_json.as_dict(run_check(Project.at(root), fresh=fresh))
    data.pop("tool")
    return json.loads(json.dumps(data))  # tuples and lists alike


def _needs_json(root: Path, *, fresh: bool) -> dict[str, Any]:
    from specheft.project.layout import Project
    from specheft.project.sphinx_run import run_sphinx

    outdir = root / "_build" / "needs"
    run_sphinx(
        Project.at(root), "needs", outdir, strict=False, status=None, warning=None, fresh=fresh
    )
    data = json.loads((outdir / "needs.json").read_text(encoding="utf-8"))
    return dict(data["versions"][data["current_version"]]["needs"])


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(_OPS), st.integers(0, 20), st.integers(0, 20)),
        min_size=1,
        max_size=4,
    )
)
def test_cached_check_and_incremental_build_equal_fresh_ones(steps, make_project, tmp_path_factory):
    root = tmp_path_factory.mktemp("guard") / "proj"
    twin = root.parent / "twin"
    project = make_project()
    shutil.copytree(project.root, root)  # one fresh copy per example
    model = _Model()
    model.write(root / "spec")
    _check_json(root, fresh=False)
    _needs_json(root, fresh=False)
    for op, a, b in steps:
        model.apply(op, a, b)
        model.write(root / "spec")
        shutil.rmtree(twin, ignore_errors=True)
        shutil.copytree(root, twin, ignore=shutil.ignore_patterns("_build"))
        assert _check_json(root, fresh=False) == _check_json(twin, fresh=True), (op, a, b)
    assert _needs_json(root, fresh=False) == _needs_json(twin, fresh=True), steps
