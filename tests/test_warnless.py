"""Commands that show none of their items build's warnings skip what only warns (#18).

``fingerprint``, ``review``, ``catalog add``, ``compliance``, ``results`` and
``accept``, ``export reqif --answer-to`` and the revisions of ``diff`` and
``check --since`` read the items with ``items_build(..., warnings=False)``, as the
exports do (``tests/test_reread.py``). On a project with a problem of every skipped
kind each of them must print, write and exit exactly as with ``warnings=True``, and a
``specheft check`` right after it must still report every one of those problems, as a
check of an untouched copy does.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from specheft.cli import main
from specheft.project import sphinx_run

from .helpers import CONF_PY, PHASES, SETTINGS, MiniProject, git
from .test_compliance import TENDER as COMPLIANCE_TENDER
from .test_reqif_answer import CUSTOMER
from .test_reread import BAD
from .test_sheets import PAGES

#: the tender points of test_compliance, without its area weights
TENDER = COMPLIANCE_TENDER.replace("area_weights = { VTR = 2 }\n", "")

#: how a check tags what each skipped step reports ([type.subtype] of the message)
SKIPPED_MESSAGES = (
    "[needs.link_outgoing]",  # check_links: a link to no item
    "[needs.link_target_type]",  # check_links: a spec satisfying a test
    "[sn_schema_violation.field_fail]",  # the schema validation: a priority not in its enum
    "[ref.ref]",  # the kept references: an unknown label
)

#: (name, argv with {root} and {out} to fill in, how many of its items builds warn: a
#: check --since's own build does, its revision's does not)
COMMANDS: list[tuple[str, list[str], int]] = [
    ("fingerprint", ["fingerprint", "--project", "{root}"], 0),
    ("review-list", ["review", "--list", "--project", "{root}"], 0),
    ("review-all", ["review", "--all", "--project", "{root}"], 0),
    ("catalog-add", ["catalog", "add", "CAT-KON-010", "--into", "{root}/spec/kon.md",
                     "--project", "{root}"], 0),
    ("compliance", ["compliance", "template", "--vendor", "Alpha", "--out", "{out}/c.xlsx",
                    "{root}"], 0),
    ("results", ["results", "template", "--level", "sit", "--format", "csv",
                 "--out", "{out}/r.csv", "--project", "{root}"], 0),
    ("accept", ["accept", "{root}"], 0),
    ("reqif-answer", ["export", "reqif", "--answer-to", "{root}/kunde.reqif",
                      "--out", "{out}/a.reqif", "{root}"], 0),
    ("diff", ["diff", "HEAD", "--project", "{root}"], 0),
    ("check-since", ["check", "--since", "HEAD", "{root}"], 1),
]  # fmt: skip


def _base(root: Path) -> Path:
    """The project: the sheets' pages, one problem of every skipped kind, a tender, the
    customer's ReqIF imported; committed, then one title edited."""
    mini = MiniProject(root)
    mini.write("conf/conf.py", CONF_PY)
    mini.write("conf/specheft.toml", SETTINGS.format(language="de") + TENDER)
    pages = {**PAGES, "bad.md": BAD, "phasen.md": PHASES}
    names = "\n".join(Path(name).stem for name in pages)
    mini.write("spec/index.md", f"# Mini\n\n```{{toctree}}\n{names}\n```\n")
    for name, text in pages.items():
        mini.write(f"spec/{name}", text)
    shutil.copyfile(CUSTOMER, root / "kunde.reqif")
    assert main(["import", "reqif", str(root / "kunde.reqif"), "--into", str(root)]) == 0
    (root / ".gitignore").write_text("_build/\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "eins")
    assert main(["check", str(root)]) == 1  # the check's cache, as before an edit
    page = root / "spec/kon.md"
    page.write_text(page.read_text("utf-8").replace("Dubletten\n", "Dubletten 2\n"), "utf-8")
    return root


def _written(root: Path, out: Path) -> dict[str, Any]:
    """Every file the command may have written: the project outside the build's caches,
    and the output folder (a workbook by its sheets' contents: its zip has timestamps)."""
    found: dict[str, Any] = {}
    for folder in (root, out):
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if not path.is_file() or ".git" in parts or ".doctrees" in parts:
                continue
            if parts[:2] == ("_build", "check"):  # the check's cache: a test of its own
                continue
            name = f"{folder.name}/{'/'.join(parts)}"
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(path) as book:
                    found[name] = {
                        member: book.read(member)
                        for member in book.namelist()
                        if member != "docProps/core.xml"  # its creation time
                    }
            else:
                found[name] = path.read_bytes()
    return found


def _run(
    work: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str, dict[str, Any]]:
    out = work.parent / f"{work.name}-out"
    out.mkdir()
    capsys.readouterr()
    code = main([a.format(root=work, out=out) for a in argv])
    captured = capsys.readouterr()
    timeless = [re.sub(r"\(\d+(?:\.\d+)? s\)", "(T s)", text) for text in captured]
    return code, timeless[0], timeless[1], _written(work, out)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The project, and what a check of an untouched copy of it prints."""
    root = _base(tmp_path_factory.mktemp("warnless") / "proj")
    copy = root.parent / "fresh"
    shutil.copytree(root, copy, symlinks=True)
    shown = io.StringIO()
    with redirect_stdout(shown), redirect_stderr(shown):
        assert main(["check", str(copy)]) == 1
    return root, shown.getvalue().replace(str(copy), "{root}")


@pytest.mark.parametrize(("name", "argv", "warning"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_command_that_shows_no_warnings_skips_them_and_a_check_still_shows_them(
    base: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    argv: list[str],
    warning: int,
) -> None:
    root, fresh_check = base
    original = sphinx_run.items_build
    asked: list[bool] = []

    def spy(*args: Any, forced: bool | None = None, **kwargs: Any) -> Any:
        asked.append(kwargs.get("warnings", True))  # as the command asks
        if forced is not None:
            kwargs["warnings"] = forced
        return original(*args, **kwargs)

    results = []
    for forced in (True, None):  # as before (every build warns), as now
        work = tmp_path / ("before" if forced else "now") / "proj"
        shutil.copytree(root, work, symlinks=True)
        monkeypatch.setattr(
            sphinx_run, "items_build", lambda *a, f=forced, **k: spy(*a, forced=f, **k)
        )
        asked.clear()
        results.append(_run(work, argv, capsys))
        monkeypatch.setattr(sphinx_run, "items_build", original)
        assert asked, "the command ran no items build"
        # every items build but a check's own skips the warnings
        assert asked.count(False) == len(asked) - warning >= 1, asked
    before_root, now_root = str(tmp_path / "before" / "proj"), str(tmp_path / "now" / "proj")
    code, out, err, files = results[0]
    # the two runs differ only in their folders' names
    assert (code, out.replace(before_root, now_root), err.replace(before_root, now_root)) == (
        results[1][:3]
    )
    assert files == results[1][3], name
    # a check right after it reports every problem the skipped steps find
    capsys.readouterr()
    assert main(["check", now_root]) == 1
    shown = "".join(capsys.readouterr()).replace(now_root, "{root}")
    for message in SKIPPED_MESSAGES:
        assert message in shown, (name, message, shown)
    if name not in ("review-all", "catalog-add"):  # these changed the sources
        timeless = re.compile(r"\(\d+(?:\.\d+)? s\)")
        assert timeless.sub("", shown) == timeless.sub("", fresh_check), name


def test_the_fixture_has_a_problem_of_every_skipped_kind(base: tuple[Path, str]) -> None:
    _root, fresh_check = base
    for message in SKIPPED_MESSAGES:
        assert message in fresh_check, message
