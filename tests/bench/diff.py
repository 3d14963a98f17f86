"""Time ``specheft diff`` between two tags against one ``specheft check --fresh``.

    python tests/bench/diff.py --n 5000 [--keep DIR]

Generates the benchmark's specheft project for N requirements (tests/bench/generate.py),
commits it and tags ``v1.0``, changes one requirement title (the edit the check benchmark
makes) and tags ``v1.1``; then measures, each in a fresh process:

* ``specheft check --fresh`` (the reference);
* ``specheft diff v1.0 v1.1`` (must list exactly the edited item).

Issue 14 asks for the diff to take at most the time of one check; the ratio is by CPU
time (the machine may be shared), wall time shown beside it. ``run.py --exchange``
measures the same diff inside the benchmark.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

try:
    from . import generate as gen
    from .evidence import measure
    from .run import budgets, child_env, diff_lists_only, specheft_cmd, tag_two_versions
except ImportError:  # run as a script: tests/bench is sys.path[0]
    import generate as gen  # type: ignore[no-redef]
    from evidence import measure  # type: ignore[no-redef]
    from run import (  # type: ignore[no-redef]
        budgets,
        child_env,
        diff_lists_only,
        specheft_cmd,
        tag_two_versions,
    )

BUDGET = budgets(0)["ratio_diff"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="number of requirements [5000]")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it")
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="specheft-bench-diff-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        manifest = gen.generate(workdir / "specheft", args.n, "specheft")
        root, edit = manifest.root, manifest.edit
        assert edit is not None
        tag_two_versions(root, edit)
        env = child_env(workdir)
        logs = workdir / "logs"
        # warm-up: bytecode of every module a build imports
        measure("warm-up", specheft_cmd("check", root), logs, "check (warm-up)", env)
        check = measure("check", specheft_cmd("check", root, "--fresh"), logs, "check --fresh", env)
        diff = measure(
            "diff", specheft_cmd("diff", "v1.0", "v1.1", root), logs, "diff v1.0 v1.1", env
        )
        assert diff.out is not None
        listed = diff.out.read_text(encoding="utf-8")
        if not diff_lists_only(listed, edit.id):
            raise SystemExit(f"diff did not list exactly {edit.id}:\n{listed}")
        ratio = diff.cpu_seconds / check.cpu_seconds
        print(
            f"\nN={args.n}: check --fresh {check.seconds:.2f} s wall {check.cpu_seconds:.2f} s "
            f"CPU; diff {diff.seconds:.2f} s wall {diff.cpu_seconds:.2f} s CPU; "
            f"{ratio:.2f} of check  {'PASS' if ratio <= BUDGET else 'FAIL'}"
        )
        print(
            json.dumps(
                {
                    "n": args.n,
                    "check_s": round(check.seconds, 3),
                    "diff_s": round(diff.seconds, 3),
                    "ratio_cpu": round(ratio, 3),
                }
            )
        )
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
