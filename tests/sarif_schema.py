"""The official SARIF 2.1.0 JSON schema, fetched once from npm (@microsoft/jest-sarif ships it).

Not vendored: it is fetched into tests/.cache on first use; `.ci/run` installs npm.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / ".cache"
SCHEMA = CACHE / "sarif-2.1.0-rtm.5.json"
PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


def sarif_schema() -> dict[str, Any] | None:
    if not SCHEMA.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        CACHE.mkdir(exist_ok=True)
        done = subprocess.run(
            [npm, "pack", PACKAGE, "--silent"],
            cwd=CACHE,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        tarball = CACHE / done.stdout.strip().splitlines()[-1] if done.stdout.strip() else None
        if done.returncode != 0 or tarball is None or not tarball.exists():
            return None
        with tarfile.open(tarball) as archive:
            source = archive.extractfile(MEMBER)
            if source is None:
                return None
            SCHEMA.write_bytes(source.read())
        tarball.unlink()
    data: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return data
