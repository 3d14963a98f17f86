"""Time specheft against plain sphinx-needs on the same generated content, in the same run.

    python tests/bench/run.py --n 1000 [--reps 3] [--json FILE] [--keep DIR] [--profile]
                              [--no-pdf] [--no-serve]

Generates both projects for N requirements once (tests/bench/generate.py), then measures
in each repetition, each in a fresh subprocess (so peak RSS is per build):

* plain HTML: ``python -m sphinx -W -b html`` on the plain sphinx-needs project, no _build;
* specheft HTML: ``specheft build DIR -q`` on the specheft project, no _build;
* check: ``specheft check DIR --fresh`` on the specheft project, no _build;
* recheck: ``specheft check DIR`` after changing one requirement title in one file, with
  the cache of the previous check present;
* rebuild / plain rebuild: ``specheft build DIR -q`` / the plain HTML build again after
  replacing the title of that requirement, ``_build`` of the full build present; then the
  pages that show the title are compared with a fresh build of the edited sources (stale
  pages are counted, not fatal);
* PDF: ``specheft build DIR --format pdf -q``, no _build (``--no-pdf`` skips it);
* serve: ``specheft serve``; from saving the edited file to the reload message of
  sphinx-autobuild's websocket plus fetching the edited page (``--no-serve`` skips it);
* with ``--exchange`` (issues #13, #14, #16; against the same repetition's check):
  ``results import junit`` of a 10,000-case report and ``accept``, ``diff`` between two
  tags of a git copy of the project, ``export xlsx`` right after a title edit and again
  with the inputs unchanged (its cache), and ``import xlsx`` of that workbook.

The order of plain and specheft alternates between repetitions. Reported are medians,
the ratios against the plain HTML build and PASS/FAIL against the budgets (informative:
the exit code only reflects failed builds). ``--profile`` adds one specheft HTML build
under pyinstrument and writes its HTML profile to the output folder.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

try:
    from . import generate as gen
except ImportError:  # run as a script: tests/bench is sys.path[0]
    import generate as gen

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"

#: The keys of the --json file, in this order.
JSON_FIELDS = (
    "n",
    "items",
    "plain_html_s",
    "specheft_html_s",
    "check_s",
    "recheck_s",
    "plain_rebuild_s",
    "rebuild_s",
    "pdf_s",
    "serve_s",
    "ratio_html",
    "ratio_check",
    "ratio_recheck",
    "ratio_rebuild",
    "ratio_pdf",
    "pdf_error",
    "serve_over_rebuild_s",
    "rebuild_stale_pages",
    "rebuild_title_pages",
    "results_import_s",
    "accept_s",
    "diff_s",
    "export_xlsx_s",
    "export_xlsx_cached_s",
    "export_xlsx_checked_s",
    "export_csv_checked_s",
    "import_xlsx_s",
    "ratio_results_import",
    "ratio_accept",
    "ratio_diff",
    "ratio_export_xlsx",
    "ratio_export_xlsx_cached",
    "ratio_export_xlsx_checked",
    "ratio_export_csv_checked",
    "ratio_import_xlsx",
    "cpu_s",
    "peak_rss_mb",
    "reps",
    "load_avg",
    "machine",
)

#: The measurements, in table order: key -> description.
MEASUREMENTS = {
    "plain_html": "plain sphinx-needs HTML",
    "specheft_html": "specheft build (HTML)",
    "check": "specheft check --fresh",
    "recheck": "specheft check, 1 file edited",
    "plain_rebuild": "plain rebuild, 1 title edited",
    "rebuild": "specheft build, 1 title edited",
    "pdf": "specheft build --format pdf",
    "serve": "specheft serve: save to reload",
    "results_import": "results import junit",
    "accept": "specheft accept",
    "diff": "specheft diff v1.0 v1.1",
    "export_xlsx": "export xlsx, first after an edit",
    "export_xlsx_cached": "export xlsx, inputs unchanged",
    "export_xlsx_checked": "export xlsx after a check",
    "export_csv_checked": "export csv after a check",
    "import_xlsx": "import xlsx of the requirements",
}
#: Measurements that --no-pdf / --no-serve leave out (null in the JSON).
OPTIONAL = ("pdf", "serve")
#: The opt-in group of --exchange (null in the JSON without it); ratios are to check --fresh.
EXCHANGE = (
    "results_import",
    "accept",
    "diff",
    "export_xlsx",
    "export_xlsx_cached",
    "export_xlsx_checked",
    "export_csv_checked",
    "import_xlsx",
)
#: Test cases in the JUnit report that --exchange imports (issue #13 names 10,000).
JUNIT_CASES = 10_000

HEARTBEAT_S = 30.0
#: A build is single-threaded: wall time well above CPU time means it waited for the CPU.
CONTENTION = 1.10
STDERR_TAIL_LINES = 40

SPECHEFT = "from specheft.cli import run; run()"  # what the console script runs


def budgets(n: int) -> dict[str, float]:
    """What specheft aims at (issue #17; shown as PASS/FAIL, never failing the run)."""
    return {
        "ratio_html": 0.85 if n < 5000 else 0.50,
        "ratio_check": 0.15,
        "ratio_recheck": 0.10 if n < 5000 else 0.03,
        "ratio_rebuild": 1.0,
        "ratio_pdf": 3.0,
        "serve_over_rebuild_s": 0.5,
        "rebuild_stale_pages": 0,
        "ratio_rss": 1.2,
        # --exchange, each × check --fresh: #13, #14, #16 (the export first after an edit,
        # and after a check of the edit; the one with unchanged inputs has no budget)
        "ratio_results_import": 0.10,
        "ratio_accept": 0.10,
        "ratio_diff": 1.0,
        "ratio_export_xlsx": 0.10,
        "ratio_export_xlsx_checked": 0.10,
        "ratio_export_csv_checked": 0.10,
        "ratio_import_xlsx": 0.10,
    }


class BenchError(Exception):
    """A build failed or produced the wrong items; the message says which and why."""


@dataclass(frozen=True)
class Run:
    """One measured subprocess."""

    key: str
    seconds: float
    cpu_seconds: float  # NaN where not measurable (serve: the build runs in a grandchild)
    rss_mb: float
    load: float = 0.0  # 1-minute load average when it started
    out: Path | None = None  # its standard output, where the caller must read it

    @property
    def contended(self) -> bool:
        """Whether the process waited for the CPU (another process competed for it)."""
        return self.seconds > CONTENTION * self.cpu_seconds + 0.1


@dataclass
class Results:
    n: int
    reps: int
    items: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    runs: dict[str, list[Run]] = field(default_factory=lambda: {k: [] for k in MEASUREMENTS})
    needs_json: dict[str, Path] = field(default_factory=dict)
    #: flavour -> pages still showing the old title after each rebuild (worst rep counts)
    stale_pages: dict[str, int] = field(default_factory=dict)
    #: flavour -> pages that show the edited title in a fresh build of the edited sources
    title_pages: dict[str, int] = field(default_factory=dict)
    #: reps in which the page served after the reload still lacked the new title
    serve_stale: int = 0
    #: why the PDF build failed (the other measurements go on; the exit code is 1)
    pdf_error: str | None = None

    def measured(self, key: str) -> bool:
        return bool(self.runs[key])

    def seconds(self, key: str) -> float:
        return statistics.median(r.seconds for r in self.runs[key])

    def rss(self, key: str) -> float:
        return statistics.median(r.rss_mb for r in self.runs[key])

    def ratios(self) -> dict[str, float]:
        """The budgeted figures; those of skipped measurements are left out."""
        plain = self.seconds("plain_html")
        ratios = {
            "ratio_html": self.seconds("specheft_html") / plain,
            "ratio_check": self.seconds("check") / plain,
            "ratio_recheck": self.seconds("recheck") / plain,
            "ratio_rebuild": self.seconds("rebuild") / self.seconds("plain_rebuild"),
            "rebuild_stale_pages": float(self.stale_pages.get("specheft", 0)),
            "ratio_rss": self.rss("specheft_html") / self.rss("plain_html"),
        }
        if self.measured("pdf"):
            ratios["ratio_pdf"] = self.seconds("pdf") / self.seconds("specheft_html")
        if self.measured("serve"):
            ratios["serve_over_rebuild_s"] = self.seconds("serve") - self.seconds("rebuild")
        check = self.seconds("check")
        for key in EXCHANGE:
            if self.measured(key):
                ratios[f"ratio_{key}"] = self.seconds(key) / check
        return ratios

    def cpu_ratio(self, key: str) -> float:
        """CPU time of ``key`` / CPU time of check --fresh (medians): steadier when busy."""
        cpu = {k: statistics.median(r.cpu_seconds for r in self.runs[k]) for k in (key, "check")}
        return cpu[key] / cpu["check"]

    def _seconds_or_none(self, key: str) -> float | None:
        return round(self.seconds(key), 3) if self.measured(key) else None

    def to_json(self) -> dict[str, Any]:
        ratios = self.ratios()

        def ratio(name: str, digits: int = 4) -> float | None:
            return round(ratios[name], digits) if name in ratios else None

        loads = [r.load for runs in self.runs.values() for r in runs]
        data = {
            "n": self.n,
            "items": self.items,
            "plain_html_s": round(self.seconds("plain_html"), 3),
            "specheft_html_s": round(self.seconds("specheft_html"), 3),
            "check_s": round(self.seconds("check"), 3),
            "recheck_s": round(self.seconds("recheck"), 3),
            "plain_rebuild_s": round(self.seconds("plain_rebuild"), 3),
            "rebuild_s": round(self.seconds("rebuild"), 3),
            "pdf_s": self._seconds_or_none("pdf"),
            "serve_s": self._seconds_or_none("serve"),
            "ratio_html": ratio("ratio_html"),
            "ratio_check": ratio("ratio_check"),
            "ratio_recheck": ratio("ratio_recheck"),
            "ratio_rebuild": ratio("ratio_rebuild"),
            "ratio_pdf": ratio("ratio_pdf"),
            "pdf_error": self.pdf_error,
            "serve_over_rebuild_s": ratio("serve_over_rebuild_s", 3),
            "rebuild_stale_pages": dict(self.stale_pages),
            "rebuild_title_pages": dict(self.title_pages),
            **{f"{key}_s": self._seconds_or_none(key) for key in EXCHANGE},
            **{f"ratio_{key}": ratio(f"ratio_{key}") for key in EXCHANGE},
            # CPU medians: on a busy machine their ratios are steadier than wall-time ones
            "cpu_s": {
                key: round(statistics.median(r.cpu_seconds for r in runs), 3)
                for key, runs in self.runs.items()
                if runs and not math.isnan(runs[0].cpu_seconds)
            },
            "peak_rss_mb": {
                "plain": round(self.rss("plain_html"), 1),
                "specheft": round(self.rss("specheft_html"), 1),
            },
            "reps": self.reps,
            # 1-minute load average at the start of the measurements (2 CPUs: > 1 is busy)
            "load_avg": {
                "median": round(statistics.median(loads), 2),
                "max": round(max(loads), 2),
            },
            "machine": machine(),
        }
        assert tuple(data) == JSON_FIELDS
        return data


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sphinx": _version("sphinx"),
        "sphinx_needs": _version("sphinx-needs"),
        "myst_parser": _version("myst-parser"),
        "specheft": _version("specheft"),
    }


# --- running one measured subprocess ---------------------------------------------------------


def _tail(path: Path, lines: int = STDERR_TAIL_LINES) -> str:
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace").rstrip()
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def _heartbeat(say: Callable[[str], None], label: str) -> Iterator[None]:
    """Say every HEARTBEAT_S seconds that ``label`` is still running."""
    done = threading.Event()
    started = time.perf_counter()

    def beat() -> None:
        while not done.wait(HEARTBEAT_S):
            say(f"      … {label} still running ({time.perf_counter() - started:.0f} s)")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def child_env(workdir: Path) -> dict[str, str]:
    """The environment of every measured process: bytecode cached in ``workdir``.

    Without a cache, specheft (installed editable, so without compiled bytecode when
    PYTHONDONTWRITEBYTECODE is set) would be compiled in every process while Sphinx and
    sphinx-needs are not; a private cache prefix treats both alike and writes nothing
    into the source tree.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


def measure(
    key: str,
    cmd: list[str],
    logs: Path,
    say: Callable[[str], None],
    label: str,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> Run:
    """Run ``cmd`` in a fresh process; wall time, CPU time and peak RSS of that process.

    ``ok``: the exit codes that are no failure (``accept`` and ``diff`` exit 1 on a
    No-Go or on differences).
    """
    logs.mkdir(parents=True, exist_ok=True)
    stem = f"{key}-{time.strftime('%H%M%S')}-{time.perf_counter_ns() % 10**6}"
    out_path, err_path = logs / f"{stem}.out", logs / f"{stem}.err"
    say(f"  → {label} …")
    load = os.getloadavg()[0]
    with (
        out_path.open("wb") as out,
        err_path.open("wb") as err,
        _heartbeat(say, label),
    ):
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux, in bytes on macOS
    rss_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    if proc.returncode not in ok:
        raise BenchError(
            f"{label} failed with exit code {proc.returncode}\n"
            f"  command: {' '.join(cmd)}\n"
            f"--- stderr (last {STDERR_TAIL_LINES} lines) ---\n{_tail(err_path) or '(empty)'}\n"
            f"--- stdout (last {STDERR_TAIL_LINES} lines) ---\n{_tail(out_path) or '(empty)'}"
        )
    run = Run(key, seconds, usage.ru_utime + usage.ru_stime, rss_mb, load, out_path)
    note = "  (wall > CPU: the machine was busy)" if run.contended else ""
    say(f"    {seconds:7.2f} s wall, {run.cpu_seconds:7.2f} s CPU, {rss_mb:7.1f} MB peak RSS{note}")
    return run


# --- the commands ---------------------------------------------------------------------------


def plain_html_cmd(root: Path) -> list[str]:
    build = root / "_build"
    return [
        sys.executable,
        *("-m", "sphinx", "-W", "-q", "-b", "html"),
        *("-d", str(build / "doctrees")),
        str(root / "spec"),
        str(build / "html"),
    ]


def specheft_cmd(*args: str | Path) -> list[str]:
    """``specheft ARGS`` exactly as the console script runs it."""
    return [sys.executable, "-c", SPECHEFT, *(str(a) for a in args)]


@functools.cache
def _has_quiet(command: str) -> bool:
    """Whether ``specheft COMMAND`` takes -q (check may not have it), asked through its CLI."""
    usage = subprocess.run(
        specheft_cmd(command, "--help"), capture_output=True, text=True, check=False
    ).stdout
    return "-q, --quiet" in usage


def _clean(root: Path) -> None:
    shutil.rmtree(root / "_build", ignore_errors=True)


def _count_needs(path: Path) -> Counter[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    needs = data["versions"][data["current_version"]]["needs"]
    return Counter(need["type"] for need in needs.values())


def needs_counts(path: Path) -> dict[str, int]:
    """Needs per type in a needs.json."""
    return dict(_count_needs(path))


def new_title(edit: gen.EditTarget) -> str:
    """The title the rebuild measurements give the edited requirement.

    It does not contain the old title (so pages showing the old one can be told apart)
    and is unique (it names the id).
    """
    return f"Geänderter Titel von {edit.id}"


TitleCounts = dict[str, tuple[int, int]]


def title_counts(html_dir: Path, old: str, new: str) -> TitleCounts:
    """HTML page -> (occurrences of ``old``, of ``new``), for pages that show either.

    The generated titles hold no characters that HTML escapes; ``old`` may be the title
    of other requirements too (at large N), which is why a page is judged against a fresh
    build, not by ``old`` alone.
    """
    counts: TitleCounts = {}
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        found = (text.count(old), text.count(new))
        if any(found):
            counts[page.relative_to(html_dir).as_posix()] = found
    return counts


def stale_pages(observed: TitleCounts, fresh: TitleCounts) -> list[str]:
    """Pages whose title counts differ from a fresh build of the same sources."""
    return sorted(p for p in observed.keys() | fresh.keys() if observed.get(p) != fresh.get(p))


@contextmanager
def edited_title(root: Path, edit: gen.EditTarget, title: str) -> Iterator[Path]:
    """Give the edit target ``title`` in the project at ``root``; restore it afterwards."""
    path = root / edit.path
    original = path.read_text(encoding="utf-8")
    changed = original.replace(edit.line(), edit.line(title), 1)
    if changed == original:
        raise BenchError(f"cannot find the title of {edit.id} in {path}")
    path.write_text(changed, encoding="utf-8")
    try:
        yield path
    finally:
        path.write_text(original, encoding="utf-8")


# --- specheft serve -----------------------------------------------------------------------------

SERVE_START_TIMEOUT_S = 1800.0  # the initial full build at large N
SERVE_REBUILD_TIMEOUT_S = 900.0
#: After the websocket is open: watchfiles starts its watcher in a task of the server.
SERVE_SETTLE_S = 1.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str, timeout: float = 30.0) -> str | None:
    """The text at ``url``, or None while nothing answers there."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: bytes = response.read()
            return body.decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def measure_serve(
    root: Path,
    edit: gen.EditTarget,
    logs: Path,
    say: Callable[[str], None],
    env: dict[str, str] | None = None,
) -> tuple[Run, bool]:
    """Start ``specheft serve``, then time one edit from saving the file to the reloaded page.

    The clock starts when the edited file is written and stops when sphinx-autobuild has
    sent its reload message (after its rebuild) and the edited page has been fetched
    again — what a browser showing that page does. Returns the run and whether the
    fetched page showed the new title. CPU time and RSS are not measured (NaN): the
    build runs in a grandchild of the server.
    """
    from websockets.sync.client import connect

    logs.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    page_url = f"{base}/{edit.path.removeprefix('spec/').removesuffix('.md')}.html"
    log_path = logs / f"serve-{time.strftime('%H%M%S')}.log"
    title = new_title(edit)
    say(f"  → specheft serve on port {port}: initial build …")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            specheft_cmd("serve", root, "--port", str(port)),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: the build pool ends with it
        )
        try:
            started = time.perf_counter()
            while _get(page_url, timeout=5.0) is None:
                if proc.poll() is not None:
                    raise BenchError(
                        f"specheft serve ended with exit code {proc.returncode} before "
                        f"serving {page_url}\n--- its output ---\n{_tail(log_path)}"
                    )
                if time.perf_counter() - started > SERVE_START_TIMEOUT_S:
                    raise BenchError(f"specheft serve did not serve {page_url} in time")
                time.sleep(0.5)
            with connect(f"ws://127.0.0.1:{port}/websocket-reload", open_timeout=30) as ws:
                time.sleep(SERVE_SETTLE_S)
                load = os.getloadavg()[0]
                say("  → specheft serve: save an edit, wait for the reloaded page …")
                with edited_title(root, edit, title):
                    clock = time.perf_counter()
                    try:
                        ws.recv(timeout=SERVE_REBUILD_TIMEOUT_S)
                    except TimeoutError:
                        raise BenchError(
                            f"specheft serve sent no reload within {SERVE_REBUILD_TIMEOUT_S:.0f} s"
                            f" of the edit\n--- its output ---\n{_tail(log_path)}"
                        ) from None
                    page = _get(page_url)
                    seconds = time.perf_counter() - clock
        finally:
            # the restored file starts another rebuild; it is not waited for
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    fresh = page is not None and title in page
    note = "" if fresh else "  (the reloaded page still lacks the new title)"
    say(f"    {seconds:7.2f} s from saving the file to the reloaded page{note}")
    return Run("serve", seconds, math.nan, math.nan, load), fresh


# --- exchange: results import, accept, diff, export and import xlsx (--exchange) ---------------


def junit_report(test_ids: list[str], cases: int) -> str:
    """A pytest --junitxml report: half the ids in a property, half in the name."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
        f'tests="{cases}" timestamp="2027-08-10T09:00:00" hostname="bench">'
    ]
    for number in range(cases):
        test = test_ids[number % len(test_ids)]
        module = f"tests.sit.test_mod{number // 100:03d}"
        if number % 2:
            lines.append(
                f'<testcase classname="{module}" name="test_{test.replace("-", "_")}_{number}" '
                'time="0.012"/>'
            )
        else:
            lines.append(
                f'<testcase classname="{module}" name="test_case_{number}" time="0.034">'
                f'<properties><property name="specheft_id" value="{test}"/></properties>'
                "</testcase>"
            )
    lines.append("</testsuite></testsuites>")
    return "\n".join(lines) + "\n"


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def tag_two_versions(root: Path, edit: gen.EditTarget) -> None:
    """Make ``root`` a git repository: tag ``v1.0``, retitle ``edit``, tag ``v1.1``."""
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "v1.0")
    _git(root, "tag", "v1.0")
    page = root / edit.path
    text = page.read_text(encoding="utf-8")
    changed = text.replace(edit.line(), edit.line(f"{edit.title} (geändert)"), 1)
    if changed == text:
        raise BenchError(f"cannot find the title of {edit.id} in {page}")
    page.write_text(changed, encoding="utf-8")
    _git(root, "commit", "-q", "-am", "v1.1")
    _git(root, "tag", "v1.1")


def diff_lists_only(listed: str, item_id: str) -> bool:
    """Whether ``specheft diff``'s text lists exactly one change, of ``item_id``."""
    lines = listed.splitlines()
    return bool(lines) and f": {item_id}: changed" in listed and "1 changed" in lines[0]


@dataclass(frozen=True)
class Exchange:
    """What the --exchange measurements work on, made once before the repetitions."""

    report: Path  # the JUnit report
    git_root: Path  # a copy of the project with tags v1.0 and v1.1 (the main one has no git)
    workbook: Path  # where export xlsx writes (outside the project)


def prepare_exchange(workdir: Path, n: int, edit: gen.EditTarget) -> Exchange:
    report = workdir / "exchange" / "pytest.xml"
    report.parent.mkdir(parents=True, exist_ok=True)
    tests = [item.id for item in gen.build_items(n)["test"]]
    report.write_text(junit_report(tests, JUNIT_CASES), encoding="utf-8")
    # a separate copy: git in the measured project would change what build and check do
    git_root = gen.generate(workdir / "exchange" / "git", n, "specheft").root
    tag_two_versions(git_root, edit)
    return Exchange(report, git_root, workdir / "exchange" / "export.xlsx")


def measure_exchange(
    root: Path,
    exchange: Exchange,
    edit: gen.EditTarget,
    rep: int,
    measure_one: Callable[..., Run],
    unmeasured: Callable[[list[str], str], object],
) -> None:
    """One repetition of the --exchange group on the project at ``root``.

    Expects the check cache in ``_build`` (the repetition's check); ``measure_one(key,
    cmd, label, ok=…)`` measures and records, ``unmeasured(cmd, label)`` runs a step
    between measurements. Leaves the project's sources as found.
    """
    # results import and accept read the items from the check cache, as after a check
    measure_one(
        "results_import",
        specheft_cmd("results", "import", "junit", exchange.report, "--project", root),
        f"results import junit ({JUNIT_CASES} cases)",
    )
    try:
        measure_one("accept", specheft_cmd("accept", root), "accept", ok=(0, 1))
    finally:
        shutil.rmtree(root / "spec" / "testkatalog" / "runs", ignore_errors=True)
    run = measure_one(
        "diff",
        specheft_cmd("diff", "v1.0", "v1.1", exchange.git_root),
        "diff v1.0 v1.1",
        ok=(1,),
    )
    assert run.out is not None
    listed = run.out.read_text(encoding="utf-8")
    if not diff_lists_only(listed, edit.id):
        raise BenchError(f"diff did not list exactly {edit.id}:\n{listed[:2000]}")
    export = specheft_cmd("export", "xlsx", root, "--out", exchange.workbook)
    with edited_title(root, edit, f"{edit.title} (Export {rep})"):
        measure_one("export_xlsx", export, f"export xlsx after retitling {edit.id}")
        measure_one("export_xlsx_cached", export, "export xlsx, inputs unchanged")
    # the workflow of CI and of most users: check the edit, then export (no export cache)
    csv = exchange.workbook.with_suffix(".csv")
    with edited_title(root, edit, f"{edit.title} (Check {rep})"):
        quiet = ["-q"] if _has_quiet("check") else []
        unmeasured(specheft_cmd("check", root, *quiet), "check before the export")
        shutil.rmtree(root / "_build" / ".export", ignore_errors=True)
        measure_one("export_xlsx_checked", export, "export xlsx after a check")
        measure_one(
            "export_csv_checked",
            specheft_cmd("export", "csv", root, "--out", csv),
            "export csv (requirements) after a check",
        )
    into = exchange.workbook.parent / f"import-{rep}"
    shutil.rmtree(into, ignore_errors=True)
    measure_one(
        "import_xlsx",
        specheft_cmd("import", "xlsx", exchange.workbook, "--into", into, "--project", root),
        "import xlsx of the exported requirements",
    )
    if not any(into.glob("*.md")):
        raise BenchError(f"import xlsx wrote no page into {into}")


# --- the benchmark ----------------------------------------------------------------------------


def prepare(workdir: Path, n: int) -> dict[str, gen.Manifest]:
    """Generate both projects for ``n`` under ``workdir``."""
    return {flavour: gen.generate(workdir / flavour, n, flavour) for flavour in gen.FLAVOURS}


WARM_UP_N = 20


def warm_up(workdir: Path, env: dict[str, str], say: Callable[[str], None]) -> None:
    """Build small projects of both flavours once, unmeasured.

    Fills the bytecode cache of ``child_env`` with every module a build imports, and
    reports a broken configuration before the long builds start.
    """
    say(f"Warming up (N={WARM_UP_N}, not measured) …")
    projects = prepare(workdir / "warm-up", WARM_UP_N)
    logs = workdir / "logs"
    quiet = ["-q"] if _has_quiet("check") else []
    plain, spec = projects["plain"].root, projects["specheft"].root
    for key, cmd in (
        ("warm-up-plain", plain_html_cmd(plain)),
        ("warm-up-specheft", specheft_cmd("build", spec, "-q")),
        ("warm-up-check", specheft_cmd("check", spec, *quiet)),
    ):
        measure(key, cmd, logs, lambda text: None, key, env)
    shutil.rmtree(workdir / "warm-up")


def run_benchmark(
    n: int,
    reps: int,
    workdir: Path,
    say: Callable[[str], None] = print,
    *,
    pdf: bool = True,
    serve: bool = True,
    exchange: bool = False,
) -> Results:
    """Generate both projects for ``n`` in ``workdir`` and measure ``reps`` repetitions.

    ``pdf`` / ``serve`` / ``exchange``: whether to measure the PDF build, ``specheft
    serve`` and the --exchange group.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    started = time.perf_counter()
    say(f"Generating projects for N={n} in {workdir} …")
    projects = prepare(workdir, n)
    plain, spec = projects["plain"], projects["specheft"]
    edit = spec.edit
    assert edit is not None
    say(f"  {spec.items} items per project in {spec.files} pages ({_fmt_counts(spec.counts)})")
    env = child_env(workdir)
    warm_up(workdir, env, say)
    logs = workdir / "logs"
    quiet_check = ["-q"] if _has_quiet("check") else []
    results = Results(n, reps)
    edited = spec.root / edit.path
    original = edited.read_text(encoding="utf-8")
    old_title, changed_title = edit.title, new_title(edit)
    #: flavour -> title counts of a fresh build of the edited sources (made in rep 1)
    fresh_counts: dict[str, TitleCounts] = {}
    exchanged = prepare_exchange(workdir, n, edit) if exchange else None

    def record(key: str, cmd: list[str], label: str, ok: tuple[int, ...] = (0,)) -> Run:
        run = measure(key, cmd, logs, say, label, env, ok)
        results.runs[key].append(run)
        return run

    def rebuild(flavour: str, root: Path, cmd: list[str], rep: int) -> None:
        """Edit one title with the full build's _build present; time the rebuild.

        Then count the pages whose titles differ from a fresh build of the same edit
        (made once, unmeasured, in the first repetition).
        """
        key = "rebuild" if flavour == "specheft" else "plain_rebuild"
        html = root / "_build" / "html"
        with edited_title(root, edit, changed_title):
            results.runs[key].append(
                measure(key, cmd, logs, say, f"{flavour} build after retitling {edit.id}", env)
            )
            observed = title_counts(html, old_title, changed_title)
            if flavour not in fresh_counts:
                _clean(root)
                measure(f"{key}-fresh", cmd, logs, lambda text: None, key, env)
                fresh_counts[flavour] = title_counts(html, old_title, changed_title)
                results.title_pages[flavour] = sum(
                    1 for _, new in fresh_counts[flavour].values() if new
                )
        stale = stale_pages(observed, fresh_counts[flavour])
        results.stale_pages[flavour] = max(results.stale_pages.get(flavour, 0), len(stale))
        if stale:
            say(f"    stale after the rebuild: {', '.join(stale)}")

    def plain_html(rep: int) -> None:
        _clean(plain.root)
        results.runs["plain_html"].append(
            measure("plain_html", plain_html_cmd(plain.root), logs, say, "plain HTML build", env)
        )
        if rep == 1:
            results.needs_json["plain"] = _keep_needs(plain.root, workdir, "plain")
        rebuild("plain", plain.root, plain_html_cmd(plain.root), rep)

    def specheft_side(rep: int) -> None:
        _clean(spec.root)
        results.runs["specheft_html"].append(
            measure(
                "specheft_html",
                specheft_cmd("build", spec.root, "-q"),
                logs,
                say,
                "specheft HTML build",
                env,
            )
        )
        if rep == 1:
            results.needs_json["specheft"] = _keep_needs(spec.root, workdir, "specheft")
        rebuild("specheft", spec.root, specheft_cmd("build", spec.root, "-q"), rep)
        _clean(spec.root)
        results.runs["check"].append(
            measure(
                "check",
                specheft_cmd("check", spec.root, "--fresh", *quiet_check),
                logs,
                say,
                "specheft check --fresh",
                env,
            )
        )
        changed = original.replace(edit.line(), edit.line(f"{edit.title} (Änderung {rep})"), 1)
        if changed == original:
            raise BenchError(f"cannot find the title of {edit.id} in {edited}")
        edited.write_text(changed, encoding="utf-8")
        try:
            results.runs["recheck"].append(
                measure(
                    "recheck",
                    specheft_cmd("check", spec.root, *quiet_check),
                    logs,
                    say,
                    f"specheft check after editing {edit.id} in {edit.path}",
                    env,
                )
            )
        finally:
            edited.write_text(original, encoding="utf-8")
        if exchanged is not None:
            # unmeasured: bring the check cache back to the restored sources
            measure(
                "sync-check",
                specheft_cmd("check", spec.root, *quiet_check),
                logs,
                lambda text: None,
                "check",
                env,
                (0, 1),
            )
            measure_exchange(
                spec.root,
                exchanged,
                edit,
                rep,
                record,
                lambda cmd, label: measure(
                    "prep", cmd, logs, lambda text: None, label, env, (0, 1)
                ),
            )
        if pdf and results.pdf_error is None:
            _clean(spec.root)
            try:
                results.runs["pdf"].append(
                    measure(
                        "pdf",
                        specheft_cmd("build", spec.root, "--format", "pdf", "-q"),
                        logs,
                        say,
                        "specheft PDF build",
                        env,
                    )
                )
            except BenchError as exc:
                # a PDF that LaTeX cannot make at this N is a finding, not a reason to
                # lose the other measurements (minutes each); it is not tried again
                results.pdf_error = str(exc)
                say(f"    PDF build failed, not measured again: {exc}")
        if serve:
            _clean(spec.root)
            run, fresh = measure_serve(spec.root, edit, logs, say, env)
            results.runs["serve"].append(run)
            results.serve_stale += not fresh

    for rep in range(1, reps + 1):
        say(f"[rep {rep}/{reps}] ({time.perf_counter() - started:.0f} s elapsed)")
        # alternate which flavour goes first, so that neither profits from a warm cache
        order = (plain_html, specheft_side) if rep % 2 else (specheft_side, plain_html)
        for step in order:
            step(rep)
        if rep == 1:
            _verify_items(results, spec.counts)
    say(f"Done in {time.perf_counter() - started:.0f} s.")
    return results


def _fmt_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in counts.items())


def _keep_needs(root: Path, workdir: Path, flavour: str) -> Path:
    """Copy needs.json out of _build, which the next measurement deletes."""
    source = root / "_build" / "html" / "needs.json"
    if not source.exists():
        raise BenchError(f"the {flavour} build wrote no {source}")
    target = workdir / f"needs-{flavour}.json"
    shutil.copyfile(source, target)
    return target


def _verify_items(results: Results, expected: dict[str, int]) -> None:
    counts = {flavour: needs_counts(path) for flavour, path in results.needs_json.items()}
    for flavour, found in counts.items():
        if found != expected:
            raise BenchError(
                f"{flavour} needs.json has {_fmt_counts(found)}; expected {_fmt_counts(expected)}"
            )
    results.counts = dict(expected)
    results.items = sum(expected.values())


# --- report ------------------------------------------------------------------------------------


def verdict(value: float, limit: float, digits: int = 2) -> str:
    """The budget and PASS/FAIL columns of a budget line (15 characters)."""
    return f"{'≤ ' + format(limit, f'.{digits}f'):>9}  {'PASS' if value <= limit else 'FAIL'}"


#: Budget lines of the table: name in ratios()/budgets() -> description, digits.
BUDGET_LINES = {
    "ratio_html": ("specheft HTML / plain HTML", 3),
    "ratio_check": ("check --fresh / plain HTML", 3),
    "ratio_recheck": ("re-check / plain HTML", 3),
    "ratio_rebuild": ("rebuild / plain rebuild", 3),
    "rebuild_stale_pages": ("stale pages after specheft rebuild", 0),
    "ratio_pdf": ("PDF / specheft HTML", 3),
    "serve_over_rebuild_s": ("serve − rebuild, seconds", 2),
    "ratio_rss": ("peak RSS specheft / plain HTML", 3),
}
#: Budget lines of --exchange, each × check --fresh (None: shown without a budget).
EXCHANGE_LINES = {
    "ratio_results_import": ("results import (#13)", 0.10),
    "ratio_accept": ("accept (#13)", 0.10),
    "ratio_diff": ("diff v1.0 v1.1 (#14)", 1.0),
    "ratio_export_xlsx": ("export xlsx, first after edit (#16)", 0.10),
    "ratio_export_xlsx_cached": ("export xlsx, inputs unchanged", None),
    "ratio_export_xlsx_checked": ("export xlsx after a check (#16)", 0.10),
    "ratio_export_csv_checked": ("export csv after a check (#16)", 0.10),
    "ratio_import_xlsx": ("import xlsx (#16)", 0.10),
}


def _cell(value: float, width: int, digits: int) -> str:
    return f"{'—':>{width}}" if math.isnan(value) else f"{value:>{width}.{digits}f}"


def table(results: Results) -> str:
    """The medians, ratios and budgets as a text table."""
    ratios, limits = results.ratios(), budgets(results.n)
    plain = results.seconds("plain_html")
    lines = [
        f"N={results.n} requirements, {results.items} items per project, "
        f"{results.reps} rep(s), median of each",
        "",
        f"{'measurement':<34}{'wall s':>9}{'CPU s':>9}{'RSS MB':>9}{'× plain':>9}",
        "-" * 70,
    ]
    for key, description in MEASUREMENTS.items():
        runs = results.runs[key]
        if not runs:
            continue
        cpu = statistics.median(r.cpu_seconds for r in runs)
        lines.append(
            f"{description:<34}{results.seconds(key):>9.2f}{_cell(cpu, 9, 2)}"
            f"{_cell(results.rss(key), 9, 1)}{results.seconds(key) / plain:>9.3f}"
        )
    lines += ["", f"{'budget (issue #17)':<39}{'value':>9}{'budget':>9}  result", "-" * 70]
    for name, (description, digits) in BUDGET_LINES.items():
        if name in ratios:
            lines.append(
                f"{description:<39}{ratios[name]:>9.{max(digits, 0)}f}"
                + verdict(ratios[name], limits[name], digits)
            )
    if any(name in ratios for name in EXCHANGE_LINES):
        lines += [
            "",
            f"{'× check --fresh (CPU ratio in brackets)':<39}{'value':>9}{'budget':>9}  result",
            "-" * 70,
        ]
        for name, (description, limit) in EXCHANGE_LINES.items():
            if name not in ratios:
                continue
            cpu_note = f"  [CPU {results.cpu_ratio(name.removeprefix('ratio_')):.3f}]"
            budget = "" if limit is None else verdict(ratios[name], limit)
            lines.append(f"{description:<39}{ratios[name]:>9.3f}{budget or ' ' * 15}{cpu_note}")
    skipped = [MEASUREMENTS[key] for key in OPTIONAL if not results.runs[key]]
    if skipped:
        lines.append(f"not measured: {', '.join(skipped)}")
    if results.title_pages:
        lines += [
            "",
            "pages showing the retitled requirement in a fresh build / left stale by the "
            "incremental build: "
            + ", ".join(
                f"{flavour} {results.title_pages[flavour]} / {results.stale_pages.get(flavour, 0)}"
                for flavour in sorted(results.title_pages)
            ),
        ]
    if results.pdf_error:
        lines.append(f"PDF build FAILED: {results.pdf_error.splitlines()[0]}")
    if results.serve_stale:
        lines.append(
            f"serve: in {results.serve_stale} rep(s) the reloaded page lacked the new title"
        )
    contended = [r for runs in results.runs.values() for r in runs if r.contended]
    if contended:
        lines += [
            "",
            f"warning: {len(contended)} measurement(s) took more than {CONTENTION:.2f}× their "
            "CPU time: other processes competed for the CPU, wall times are inflated.",
        ]
    loads = [r.load for runs in results.runs.values() for r in runs]
    info = machine()
    lines += [
        "",
        f"machine: {info['cpu_count']} CPUs, Python {info['python']}, Sphinx {info['sphinx']}, "
        f"sphinx-needs {info['sphinx_needs']}, myst-parser {info['myst_parser']}, "
        f"specheft {info['specheft']}; 1-minute load at the measurements' start: median "
        f"{statistics.median(loads):.2f}, max {max(loads):.2f}",
    ]
    return "\n".join(lines)


def write_json(results: Results, path: Path) -> dict[str, Any]:
    data = results.to_json()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


# --- profile -------------------------------------------------------------------------------

PROFILE_CHILD = """\
import sys
from pyinstrument import Profiler
from specheft.cli import main

project, session_file = sys.argv[1:3]
profiler = Profiler(interval=0.005)
profiler.start()
code = main(["build", project, "-q"])
session = profiler.stop()
session.save(session_file)
sys.exit(code)
"""


def _package(path: str | None) -> str:
    """The package a source file belongs to (site-packages name, specheft, or stdlib)."""
    if not path:
        return "<builtin>"
    parts = Path(path).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "specheft" in parts:
        return "specheft"
    return "stdlib:" + Path(path).stem if path.startswith(sys.base_prefix) else Path(path).name


def summarise_profile(session_file: Path, top: int = 15) -> str:
    """Self time per package, and the functions with the most self and inclusive time."""
    from pyinstrument.session import Session

    session = Session.load(session_file)
    root = session.root_frame()
    if root is None:
        return "(empty profile)"
    by_package: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    specheft_inclusive: Counter[str] = Counter()

    def name(frame: Any) -> str:
        where = frame.file_path_short or "?"
        return f"{frame.function}  ({where}:{frame.line_no})"

    stack: list[tuple[Any, frozenset[str]]] = [(root, frozenset())]
    while stack:
        frame, active = stack.pop()
        if frame.is_synthetic:
            continue
        key = name(frame)
        self_time[key] += frame.total_self_time
        by_package[_package(frame.file_path)] += frame.total_self_time
        if key not in active:  # recursion counts once
            inclusive[key] += frame.time
            if _package(frame.file_path) == "specheft":
                specheft_inclusive[key] += frame.time
        for child in frame.children:
            stack.append((child, active | {key}))
    total = root.time

    def listing(title: str, counter: Counter[str], count: int, *, stem: bool = True) -> list[str]:
        lines = [title]
        entries = [
            (key, seconds)
            for key, seconds in counter.most_common()
            if stem or seconds < 0.97 * total  # leave out the call chain every sample shares
        ]
        for key, seconds in entries[:count]:
            lines.append(f"  {seconds:8.2f} s {100 * seconds / total:5.1f} %  {key}")
        return lines

    lines = [f"profile of one specheft HTML build: {total:.1f} s sampled"]
    lines += listing("self time by package:", by_package, 12)
    lines += listing("functions by self time:", self_time, top)
    lines += listing("functions by inclusive time (Sphinx phases):", inclusive, top, stem=False)
    lines += listing("specheft functions by inclusive time:", specheft_inclusive, top, stem=False)
    return "\n".join(lines)


def profile(
    project: Path,
    outdir: Path,
    n: int,
    say: Callable[[str], None] = print,
    env: dict[str, str] | None = None,
) -> tuple[Path, str]:
    """One specheft HTML build from scratch under pyinstrument; HTML profile and summary."""
    from pyinstrument.renderers import HTMLRenderer
    from pyinstrument.session import Session

    outdir.mkdir(parents=True, exist_ok=True)
    session_file = outdir / f"profile-specheft-html-n{n}.pyisession"
    html_file = session_file.with_suffix(".html")
    _clean(project)
    measure(
        "profile",
        [sys.executable, "-c", PROFILE_CHILD, str(project), str(session_file)],
        outdir / "logs",
        say,
        "specheft HTML build under pyinstrument",
        env,
    )
    session = Session.load(session_file)
    html_file.write_text(HTMLRenderer().render(session), encoding="utf-8")
    summary = summarise_profile(session_file)
    session_file.with_suffix(".txt").write_text(summary + "\n", encoding="utf-8")
    return html_file, summary


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time specheft against plain sphinx-needs on the same generated content."
    )
    parser.add_argument("--n", type=int, default=1000, help="number of requirements [1000]")
    parser.add_argument("--reps", type=int, default=3, help="repetitions, medians reported [3]")
    parser.add_argument("--json", type=Path, help="write the results as JSON to this file")
    parser.add_argument(
        "--keep", type=Path, help="generate the projects here and keep them (default: temporary)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile one specheft HTML build with pyinstrument (HTML to --out)",
    )
    parser.add_argument(
        "--no-pdf", action="store_true", help="skip the PDF build (minutes at N=1000)"
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="skip the specheft serve measurement"
    )
    parser.add_argument(
        "--exchange",
        action="store_true",
        help="also time results import + accept, diff, export and import xlsx against the "
        "check (issues #13, #14, #16)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output folder of the profile [{DEFAULT_OUT.relative_to(HERE.parent.parent)}]",
    )
    args = parser.parse_args(argv)
    if args.n < gen.MIN_N or args.reps < 1:
        parser.error(f"--n must be at least {gen.MIN_N} and --reps at least 1")

    def say(text: str) -> None:
        print(text, flush=True)

    with tempfile.TemporaryDirectory(prefix="specheft-bench-") as temporary:
        workdir = (args.keep or Path(temporary)).resolve()
        try:
            results = run_benchmark(
                args.n,
                args.reps,
                workdir,
                say,
                pdf=not args.no_pdf,
                serve=not args.no_serve,
                exchange=args.exchange,
            )
            profiled = (
                profile(workdir / "specheft", args.out.resolve(), args.n, say, child_env(workdir))
                if args.profile
                else None
            )
        except BenchError as exc:
            print(f"\nbenchmark failed: {exc}", file=sys.stderr)
            return 1
        print()
        print(table(results))
        if args.json:
            write_json(results, args.json)
            print(f"\nResults written to {args.json}")
        if profiled:
            html_file, summary = profiled
            print(f"\n{summary}\n\nProfile written to {html_file}")
        if args.keep:
            print(f"Projects kept in {workdir}")
    if results.pdf_error:
        print(f"\nbenchmark failed: the PDF build failed: {results.pdf_error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
