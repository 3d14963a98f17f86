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
``run.py --exchange`` measures the first pair in the benchmark itself; this script adds the
``--needs-json`` pair and a choice of ``--cases``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

try:
    from . import generate as gen
    from . import run as bench
except ImportError:  # run as a script: tests/bench is sys.path[0]
    import generate as gen  # type: ignore[no-redef]
    import run as bench  # type: ignore[no-redef]

BUDGET = bench.budgets(0)["ratio_results_import"]


def measure(key: str, cmd: list[str], logs: Path, label: str, env: dict[str, str]) -> bench.Run:
    """Wall and CPU time of ``cmd`` in a fresh process; exit 0 or 1 (findings, No-Go)."""
    return bench.measure(key, cmd, logs, print, label, env, ok=(0, 1))


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
        report.write_text(bench.junit_report(tests, args.cases), encoding="utf-8")
        env = bench.child_env(workdir)
        logs = workdir / "logs"
        # warm-up: bytecode, and the html build whose needs.json the second pair reads
        measure("build", bench.specheft_cmd("build", root, "-q", "--no-strict"), logs, "build", env)
        shutil.rmtree(root / "_build" / "check", ignore_errors=True)
        shutil.rmtree(root / "_build" / ".doctrees" / "check", ignore_errors=True)
        check = measure(
            "check", bench.specheft_cmd("check", root, "--fresh"), logs, "check --fresh", env
        )
        needs = root / "_build" / "html" / "needs.json"
        runs = {
            "import": measure(
                "import",
                bench.specheft_cmd("results", "import", "junit", report, "--project", root),
                logs,
                f"results import junit ({args.cases} cases)",
                env,
            ),
            "accept": measure("accept", bench.specheft_cmd("accept", root), logs, "accept", env),
        }
        shutil.rmtree(root / "spec" / "testkatalog" / "runs", ignore_errors=True)
        runs["import --needs-json"] = measure(
            "import-needs",
            bench.specheft_cmd(
                "results", "import", "junit", report, "--project", root, "--needs-json", needs
            ),
            logs,
            "results import junit --needs-json",
            env,
        )
        runs["accept --needs-json"] = measure(
            "accept-needs",
            bench.specheft_cmd("accept", root, "--needs-json", needs),
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
