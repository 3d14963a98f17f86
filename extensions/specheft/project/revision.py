"""The sources of a project at a git revision, read with git plumbing only.

Nothing here touches the user's working tree, index or HEAD: a revision is resolved with
``git rev-parse`` and read with ``git archive`` into memory; the files are written only
into a directory the caller owns (a temporary one outside the project).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from specheft.errors import InputError, UsageError
from specheft.gitinfo import SAFE_CONFIG, toplevel
from specheft.project.layout import Project

#: What a project's items are built from: the same directories ``Project`` requires.
SOURCE_DIRS = ("spec", "conf")


@dataclass(frozen=True)
class Repository:
    top: Path  # the work tree's top level
    relative: PurePosixPath  # the project's directory inside it

    @classmethod
    def of(cls, project: Project) -> Repository:
        if shutil.which("git") is None:
            raise UsageError("comparing revisions needs git, and git is not installed")
        top = toplevel(project.root)
        if top is None:
            raise UsageError(
                f"{project.root} is not inside a git work tree: there are no revisions to read",
                hint="run it in a clone of the project's repository ('git init' starts one)",
            )
        relative = project.root.resolve().relative_to(top.resolve())
        return cls(top, PurePosixPath(relative.as_posix()))

    def _git(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            ["git", *SAFE_CONFIG, "-C", str(self.top), *args],
            capture_output=True,
            timeout=300,
            check=False,
        )

    def shallow(self) -> bool:
        done = self._git("rev-parse", "--is-shallow-repository")
        return done.stdout.strip() == b"true"

    def resolve(self, revision: str) -> str:
        """The commit a revision names; git's own message when it names none or is
        ambiguous (a tag and a branch of the same name)."""
        # --end-of-options: a "revision" such as "--output=x" is a name, never an option
        done = self._git("rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}")
        said = done.stderr.decode(errors="replace").strip().splitlines()
        if done.returncode == 0 and not any("ambiguous" in line for line in said):
            return done.stdout.decode().strip()
        if done.returncode != 0:
            # rev-parse --verify only says "Needed a single revision"; log says which
            log = self._git("log", "-1", "--format=%H", "--end-of-options", revision, "--")
            said = log.stderr.decode(errors="replace").strip().splitlines() or said
            problem = "unknown"
        else:
            problem = "ambiguous"
        hint = f"git said: {said[-1]}" if said else None
        if problem == "unknown" and self.shallow():
            hint = (f"{hint}\n  " if hint else "") + (
                "this is a shallow clone, which may not hold that revision: fetch it "
                "('git fetch --tags --unshallow', or in CI a checkout with fetch-depth: 0)"
            )
        raise UsageError(f"{problem} git revision {revision!r}", hint=hint)

    def last_commit_with(self, text: str, path: str) -> tuple[str, str] | None:
        """(commit, date) of the last commit that added or removed ``text`` in the
        project's file ``path`` (git's pickaxe); None when no commit did."""
        done = self._git(
            "log", "-1", "--format=%H %cs", "-S", text, "--", str(self.relative / path)
        )
        found = done.stdout.decode(errors="replace").split()
        return (found[0], found[1]) if done.returncode == 0 and len(found) == 2 else None

    def sources(self, commit: str, name: str) -> dict[str, bytes]:
        """The project's source files (spec/, conf/) at ``commit``, by project-relative path."""
        tree = f"{commit}:{self.relative}" if str(self.relative) != "." else commit
        listed = self._git("ls-tree", "--name-only", tree)
        present = set(listed.stdout.decode(errors="replace").splitlines())
        if listed.returncode != 0 or not present.issuperset(SOURCE_DIRS):
            raise InputError(f"revision {name!r} has no specheft project at {self.relative}/")
        # only the source dirs: a repository's other files (binaries, data) stay unread
        done = self._git("archive", "--format=tar", tree, "--", *SOURCE_DIRS)
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip().splitlines()
            raise InputError(
                f"cannot read revision {name!r}", hint=f"git said: {said[-1]}" if said else None
            )
        files: dict[str, bytes] = {}
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
            for member in archive:
                path = PurePosixPath(member.name)
                # regular files only (a link could point anywhere), inside the source dirs
                if not member.isfile() or path.is_absolute() or ".." in path.parts:
                    continue
                if path.parts[0] not in SOURCE_DIRS:
                    continue
                data = archive.extractfile(member)
                if data is not None:
                    files[path.as_posix()] = data.read()
        if not any(p.startswith("spec/") for p in files) or "conf/conf.py" not in files:
            raise InputError(f"revision {name!r} has no specheft project at {self.relative}/")
        return files


def working_sources(project: Project) -> dict[str, bytes]:
    """The project's source files as they are on disk, uncommitted changes included
    (what ``specheft check`` reads)."""
    files: dict[str, bytes] = {}
    for name in SOURCE_DIRS:
        base = project.root / name
        for directory, dirs, names in os.walk(base):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for file in names:
                path = Path(directory, file)
                if path.is_file():
                    files[path.relative_to(project.root).as_posix()] = path.read_bytes()
    return files


def sync_tree(root: Path, files: dict[str, bytes], *, stamp_ns: int) -> None:
    """Make the source dirs under ``root`` hold exactly ``files``, writing only what differs.

    Files left alone keep their modification time; the written ones get ``stamp_ns``. So
    an incremental Sphinx build in ``root`` re-reads exactly the pages that changed
    between two revisions, if the caller stamps the second revision's files later than
    the first build read its pages (and the first's earlier), whatever the resolution of
    the file system's clock."""
    for name in SOURCE_DIRS:
        base = root / name
        if not base.is_dir():
            continue
        for directory, _dirs, names in os.walk(base):
            for file in names:
                path = Path(directory, file)
                if path.relative_to(root).as_posix() not in files:
                    path.unlink()
    for relative, data in files.items():
        path = root / relative
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, ns=(stamp_ns, stamp_ns))
