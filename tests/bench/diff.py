"""Time ``specheft diff`` between two tags against one ``specheft check --fresh``.

    python tests/bench/diff.py --n 5000 [--keep DIR]

Generates the benchmark's specheft project for N requirements (tests/bench/generate.py),
commits it and tags ``v1.0``, changes one requirement title (the edit the check benchmark
makes) and tags ``v1.1``; then measures, each in a fresh process:

* ``specheft check --fresh`` (the reference);
* ``specheft diff v1.0 v1.1`` (must list exactly the edited item).

Issue 14 asks for the diff to take at most the time of one check; the ratio is by CPU
time (the machine may be shared), wall time shown beside it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

try:
    from . import generate as gen
    from .evidence import measure
    from .run import child_env, specheft_cmd
except ImportError:  # run as a script: tests/bench is sys.path[0]
    import generate as gen  # type: ignore[no-redef]
    from evidence import measure  # type: ignore[no-redef]
    from run import child_env, specheft_cmd  # type: ignore[no-redef]

BUDGET = 1.0


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


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
        _git(root, "init", "-q")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "v1.0")
        _git(root, "tag", "v1.0")
        page = root / edit.path
        text = page.read_text(encoding="utf-8")
        changed = text.replace(edit.line(), edit.line(f"{edit.title} (geändert)"), 1)
        if changed == text:
            raise SystemExit(f"cannot find the title of {edit.id} in {page}")
        page.write_text(changed, encoding="utf-8")
        _git(root, "commit", "-q", "-am", "v1.1")
        _git(root, "tag", "v1.1")
        env = child_env(workdir)
        logs = workdir / "logs"
        # warm-up: bytecode of every module a build imports
        measure("warm-up", specheft_cmd("check", root), logs, "check (warm-up)", env)
        check = measure("check", specheft_cmd("check", root, "--fresh"), logs, "check --fresh", env)
        diff = measure(
            "diff", specheft_cmd("diff", "v1.0", "v1.1", root), logs, "diff v1.0 v1.1", env
        )
        listed = (logs / "diff.out").read_text(encoding="utf-8")
        if f": {edit.id}: changed" not in listed or "1 changed" not in listed.splitlines()[0]:
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
