"""Time ``results import`` of a 10,000-case JUnit file and ``accept`` against ``check``.

    python tests/bench/evidence.py --n 5000 [--cases 10000] [--keep DIR]

Generates the benchmark's specheft project for N requirements (tests/bench/generate.py),
then measures, each in a fresh process:

* ``specheft check --fresh`` (the reference);
* ``specheft results import junit`` of a pytest-style report with ``--cases`` cases over
  the project's test items (ids in properties and in names), the check's cache warm;
* ``specheft accept`` on the imported run (Go: every case passed);
* both again with ``--needs-json`` (items from a build's needs.json, no Sphinx run).

Issue 13 asks for import and accept each under 10 % of the check; the table says how far.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    from . import generate as gen
    from .run import Run, child_env, specheft_cmd
except ImportError:  # run as a script: tests/bench is sys.path[0]
    import generate as gen  # type: ignore[no-redef]
    from run import Run, child_env, specheft_cmd  # type: ignore[no-redef]

BUDGET = 0.10


def measure(key: str, cmd: list[str], logs: Path, label: str, env: dict[str, str]) -> Run:
    """Wall and CPU time of ``cmd`` in a fresh process; exit 0 or 1 (findings, No-Go)."""
    logs.mkdir(parents=True, exist_ok=True)
    print(f"  → {label} …", flush=True)
    with (logs / f"{key}.out").open("wb") as out, (logs / f"{key}.err").open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        tail = (logs / f"{key}.err").read_text("utf-8", "replace")[-3000:]
        raise SystemExit(f"{label} failed with exit code {code}:\n{tail}")
    run = Run(key, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
    print(f"    {seconds:7.2f} s wall, {run.cpu_seconds:7.2f} s CPU (exit {code})", flush=True)
    return run


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="number of requirements [5000]")
    parser.add_argument("--cases", type=int, default=10_000, help="cases in the report [10000]")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="specheft-bench-evidence-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        manifest = gen.generate(workdir / "specheft", args.n, "specheft")
        root = manifest.root
        # every case passes, and not every generated must requirement has a test: Go
        with (root / "conf" / "specheft.toml").open("a", encoding="utf-8") as toml:
            toml.write("\n[acceptance]\nrequire_tests = false\n")
        tests = [item.id for item in gen.build_items(args.n)["test"]]
        report = workdir / "pytest.xml"
        report.write_text(junit_report(tests, args.cases), encoding="utf-8")
        env = child_env(workdir)
        logs = workdir / "logs"
        # warm-up: bytecode, and the html build whose needs.json the second pair reads
        measure("build", specheft_cmd("build", root, "-q", "--no-strict"), logs, "build", env)
        shutil.rmtree(root / "_build" / "check", ignore_errors=True)
        shutil.rmtree(root / "_build" / ".doctrees" / "check", ignore_errors=True)
        check = measure("check", specheft_cmd("check", root, "--fresh"), logs, "check --fresh", env)
        needs = root / "_build" / "html" / "needs.json"
        runs = {
            "import": measure(
                "import",
                specheft_cmd("results", "import", "junit", report, "--project", root),
                logs,
                f"results import junit ({args.cases} cases)",
                env,
            ),
            "accept": measure("accept", specheft_cmd("accept", root), logs, "accept", env),
        }
        shutil.rmtree(root / "spec" / "testkatalog" / "runs", ignore_errors=True)
        runs["import --needs-json"] = measure(
            "import-needs",
            specheft_cmd(
                "results", "import", "junit", report, "--project", root, "--needs-json", needs
            ),
            logs,
            "results import junit --needs-json",
            env,
        )
        runs["accept --needs-json"] = measure(
            "accept-needs",
            specheft_cmd("accept", root, "--needs-json", needs),
            logs,
            "accept --needs-json",
            env,
        )
        print(
            f"\nN={args.n}, {args.cases} cases; check --fresh {check.seconds:.2f} s wall, "
            f"{check.cpu_seconds:.2f} s CPU (ratios by CPU time: the machine may be shared)"
        )
        result = {"n": args.n, "cases": args.cases, "check_s": round(check.seconds, 3)}
        for key, run in runs.items():
            ratio = run.cpu_seconds / check.cpu_seconds
            verdict = "PASS" if ratio <= BUDGET else "FAIL"
            print(
                f"  {key:22} {run.seconds:7.2f} s wall {run.cpu_seconds:7.2f} s CPU  "
                f"{ratio:6.1%} of check  {verdict}"
            )
            result[key.replace(" --", "_").replace("-", "_") + "_s"] = round(run.seconds, 3)
        print(json.dumps(result))
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
