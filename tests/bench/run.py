"""Time specheft against plain sphinx-needs on the same generated content, in the same run.

    python tests/bench/run.py --n 1000 [--reps 3] [--json FILE] [--keep DIR] [--profile]

Generates both projects for N requirements once (tests/bench/generate.py), then measures
in each repetition, each in a fresh subprocess (so peak RSS is per build):

* plain HTML: ``python -m sphinx -W -b html`` on the plain sphinx-needs project, no _build;
* specheft HTML: ``specheft build DIR -q`` on the specheft project, no _build;
* check: ``specheft check DIR --fresh`` on the specheft project, no _build;
* recheck: ``specheft check DIR`` after changing one requirement title in one file, with
  the cache of the previous check present.

The order of plain and specheft alternates between repetitions. Reported are medians,
the ratios against the plain HTML build and PASS/FAIL against the budgets (informative:
the exit code only reflects failed builds). ``--profile`` adds one specheft HTML build
under pyinstrument and writes its HTML profile to the output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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
    "ratio_html",
    "ratio_check",
    "ratio_recheck",
    "peak_rss_mb",
    "reps",
    "machine",
)

#: The measurements, in table order: key -> description.
MEASUREMENTS = {
    "plain_html": "plain sphinx-needs HTML",
    "specheft_html": "specheft build (HTML)",
    "check": "specheft check --fresh",
    "recheck": "specheft check, 1 file edited",
}

HEARTBEAT_S = 30.0
#: A build is single-threaded: wall time well above CPU time means it waited for the CPU.
CONTENTION = 1.10
STDERR_TAIL_LINES = 40

SPECHEFT = "from specheft.cli import run; run()"  # what the console script runs


def budgets(n: int) -> dict[str, float]:
    """The ratios specheft aims at (shown as PASS/FAIL, never failing the run)."""
    return {
        "ratio_html": 0.85,
        "ratio_check": 0.30,
        "ratio_recheck": 0.10 if n < 5000 else 0.05,
        "ratio_rss": 1.3,
    }


class BenchError(Exception):
    """A build failed or produced the wrong items; the message says which and why."""


@dataclass(frozen=True)
class Run:
    """One measured subprocess."""

    key: str
    seconds: float
    cpu_seconds: float
    rss_mb: float

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

    def seconds(self, key: str) -> float:
        return statistics.median(r.seconds for r in self.runs[key])

    def rss(self, key: str) -> float:
        return statistics.median(r.rss_mb for r in self.runs[key])

    def ratios(self) -> dict[str, float]:
        plain = self.seconds("plain_html")
        return {
            "ratio_html": self.seconds("specheft_html") / plain,
            "ratio_check": self.seconds("check") / plain,
            "ratio_recheck": self.seconds("recheck") / plain,
            "ratio_rss": self.rss("specheft_html") / self.rss("plain_html"),
        }

    def to_json(self) -> dict[str, Any]:
        ratios = self.ratios()
        data = {
            "n": self.n,
            "items": self.items,
            "plain_html_s": round(self.seconds("plain_html"), 3),
            "specheft_html_s": round(self.seconds("specheft_html"), 3),
            "check_s": round(self.seconds("check"), 3),
            "recheck_s": round(self.seconds("recheck"), 3),
            "ratio_html": round(ratios["ratio_html"], 4),
            "ratio_check": round(ratios["ratio_check"], 4),
            "ratio_recheck": round(ratios["ratio_recheck"], 4),
            "peak_rss_mb": {
                "plain": round(self.rss("plain_html"), 1),
                "specheft": round(self.rss("specheft_html"), 1),
            },
            "reps": self.reps,
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
) -> Run:
    """Run ``cmd`` in a fresh process; wall time, CPU time and peak RSS of that process."""
    logs.mkdir(parents=True, exist_ok=True)
    stem = f"{key}-{time.strftime('%H%M%S')}-{time.perf_counter_ns() % 10**6}"
    out_path, err_path = logs / f"{stem}.out", logs / f"{stem}.err"
    say(f"  → {label} …")
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
    if proc.returncode != 0:
        raise BenchError(
            f"{label} failed with exit code {proc.returncode}\n"
            f"  command: {' '.join(cmd)}\n"
            f"--- stderr (last {STDERR_TAIL_LINES} lines) ---\n{_tail(err_path) or '(empty)'}\n"
            f"--- stdout (last {STDERR_TAIL_LINES} lines) ---\n{_tail(out_path) or '(empty)'}"
        )
    run = Run(key, seconds, usage.ru_utime + usage.ru_stime, rss_mb)
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


def _has_quiet(command: str) -> bool:
    """Whether ``specheft COMMAND`` takes -q (check may not have it)."""
    from specheft.cli import cli

    return any("-q" in param.opts for param in cli.commands[command].params)


def _clean(root: Path) -> None:
    shutil.rmtree(root / "_build", ignore_errors=True)


def _count_needs(path: Path) -> Counter[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    needs = data["versions"][data["current_version"]]["needs"]
    return Counter(need["type"] for need in needs.values())


def needs_counts(path: Path) -> dict[str, int]:
    """Needs per type in a needs.json."""
    return dict(_count_needs(path))


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
) -> Results:
    """Generate both projects for ``n`` in ``workdir`` and measure ``reps`` repetitions."""
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

    def plain_html(rep: int) -> None:
        _clean(plain.root)
        results.runs["plain_html"].append(
            measure("plain_html", plain_html_cmd(plain.root), logs, say, "plain HTML build", env)
        )
        if rep == 1:
            results.needs_json["plain"] = _keep_needs(plain.root, workdir, "plain")

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


def verdict(ratio: float, limit: float) -> str:
    """The budget and PASS/FAIL columns of a table row."""
    return f"{'≤ ' + format(limit, '.2f'):>9}  {'PASS' if ratio <= limit else 'FAIL'}"


def table(results: Results) -> str:
    """The medians, ratios and budgets as a text table."""
    ratios, limits = results.ratios(), budgets(results.n)
    plain = results.seconds("plain_html")
    ratio_of = {
        "specheft_html": "ratio_html",
        "check": "ratio_check",
        "recheck": "ratio_recheck",
    }
    lines = [
        f"N={results.n} requirements, {results.items} items per project, "
        f"{results.reps} rep(s), median of each",
        "",
        f"{'measurement':<34}{'wall s':>9}{'CPU s':>9}{'RSS MB':>9}{'× plain':>9}"
        f"{'budget':>9}  result",
        "-" * 88,
    ]
    for key, description in MEASUREMENTS.items():
        runs = results.runs[key]
        cpu = statistics.median(r.cpu_seconds for r in runs)
        ratio = results.seconds(key) / plain
        row = (
            f"{description:<34}{results.seconds(key):>9.2f}{cpu:>9.2f}"
            f"{results.rss(key):>9.1f}{ratio:>9.3f}"
        )
        name = ratio_of.get(key)
        if name:
            row += verdict(ratios[name], limits[name])
        lines.append(row)
    lines.append(
        f"{'peak RSS specheft / plain HTML':<34}{'':>27}{ratios['ratio_rss']:>9.3f}"
        + verdict(ratios["ratio_rss"], limits["ratio_rss"])
    )
    contended = [r for runs in results.runs.values() for r in runs if r.contended]
    if contended:
        lines += [
            "",
            f"warning: {len(contended)} measurement(s) took more than {CONTENTION:.2f}× their "
            "CPU time: other processes competed for the CPU, wall times are inflated.",
        ]
    info = machine()
    lines += [
        "",
        f"machine: {info['cpu_count']} CPUs, Python {info['python']}, Sphinx {info['sphinx']}, "
        f"sphinx-needs {info['sphinx_needs']}, myst-parser {info['myst_parser']}, "
        f"specheft {info['specheft']}",
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
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output folder of the profile [{DEFAULT_OUT.relative_to(HERE.parent.parent)}]",
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.reps < 1:
        parser.error("--n and --reps must be at least 1")

    def say(text: str) -> None:
        print(text, flush=True)

    with tempfile.TemporaryDirectory(prefix="specheft-bench-") as temporary:
        workdir = (args.keep or Path(temporary)).resolve()
        try:
            results = run_benchmark(args.n, args.reps, workdir, say)
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
