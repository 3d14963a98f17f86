"""Time ``specheft serve`` against the command line's rebuild after the same edit, in pairs.

    python tests/bench/serve.py --n 1000 --reps 5 [--keep DIR]

Issue 17 budgets serve (saving a file to the reloaded page) at ``rebuild_s`` + 0.5 s.
``run.py`` measures the two minutes apart, so the machine's load moves their difference
by a second either way; here each repetition measures them back to back (alternating
which goes first): ``specheft build`` with the full build's ``_build`` present after one
title edit, and ``run.py``'s ``measure_serve`` (a new server, its first build, the same
edit, clock from the write to the reload message plus fetching the page again). Prints
each pair and the median and spread of both and of their difference (wall seconds).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

try:
    from . import generate as gen
    from .run import (
        BenchError,
        child_env,
        edited_title,
        measure,
        measure_serve,
        new_title,
        specheft_cmd,
    )
except ImportError:  # run as a script: tests/bench is sys.path[0]
    import generate as gen  # type: ignore[no-redef]
    from run import (  # type: ignore[no-redef]
        BenchError,
        child_env,
        edited_title,
        measure,
        measure_serve,
        new_title,
        specheft_cmd,
    )


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):+.2f} s [{min(values):+.2f} … {max(values):+.2f}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of requirements [1000]")
    parser.add_argument("--reps", type=int, default=5, help="pairs measured [5]")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it")
    args = parser.parse_args(argv)
    workdir = (args.keep or Path(tempfile.mkdtemp(prefix="specheft-bench-serve-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        manifest = gen.generate(workdir / "specheft", args.n, "specheft")
        root, edit = manifest.root, manifest.edit
        assert edit is not None
        env = child_env(workdir)
        logs = workdir / "logs"
        quiet = lambda text: None  # noqa: E731
        build = specheft_cmd("build", root, "-q")
        measure("warm-up", build, logs, quiet, "build (warm-up)", env)
        rebuilds: list[float] = []
        serves: list[float] = []

        def rebuild() -> None:
            shutil.rmtree(root / "_build", ignore_errors=True)
            measure("html", build, logs, quiet, "full build", env)
            with edited_title(root, edit, new_title(edit)):
                rebuilds.append(measure("rebuild", build, logs, print, "rebuild", env).seconds)

        def serve() -> None:
            shutil.rmtree(root / "_build", ignore_errors=True)
            run, fresh = measure_serve(root, edit, logs, print, env)
            if not fresh:
                raise BenchError("the page served after the reload lacked the new title")
            serves.append(run.seconds)

        for rep in range(args.reps):
            for step in (rebuild, serve) if rep % 2 == 0 else (serve, rebuild):
                step()
            print(
                f"pair {rep + 1}: rebuild {rebuilds[-1]:.2f} s, serve {serves[-1]:.2f} s, "
                f"serve − rebuild {serves[-1] - rebuilds[-1]:+.2f} s",
                flush=True,
            )
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}")
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"rebuild          {_spread(rebuilds)}")
    print(f"serve            {_spread(serves)}")
    print(f"serve − rebuild  {_spread([s - r for s, r in zip(serves, rebuilds, strict=True)])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
