"""Writing into the user's tree: atomic writes, no overwrites, no escapes, all or none.

Failures are injected with monkeypatch at every step (write, fsync, replace,
mkdir) and the tree is compared byte for byte with its state before.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specheft import fsutil
from specheft.errors import InputError, UnsafeInputError, UsageError

DISK_FULL = OSError(errno.ENOSPC, "No space left on device")


def snapshot(root: Path, *, modes: bool = False) -> dict[str, tuple[object, ...]]:
    """Every directory, file (its bytes) and symlink (its target) under ``root``."""
    state: dict[str, tuple[object, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[key] = ("link", os.readlink(path))
            elif path.is_dir():
                state[key] = ("dir",)
            else:
                state[key] = ("file", path.read_bytes())
            if modes and not path.is_symlink():
                state[key] += (stat.S_IMODE(path.lstat().st_mode),)
    return state


def temp_files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob(".*.tmp"))


def patch_os(monkeypatch: pytest.MonkeyPatch, **overrides: Callable[..., Any]) -> None:
    """Replace functions of ``os`` as fsutil sees them, and only there."""
    proxy = types.ModuleType("os")
    proxy.__dict__.update(os.__dict__)
    proxy.__dict__.update(overrides)
    monkeypatch.setattr(fsutil, "os", proxy)


class _HalfWriter:
    """A file object that writes half of the data, then fails like a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise DISK_FULL

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return int(self.handle.fileno())


def fail(error: BaseException) -> Callable[..., Any]:
    def failing(*args: object, **kwargs: object) -> Any:
        raise error

    return failing


INJECTIONS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "write": lambda mp: patch_os(mp, fdopen=lambda fd, mode: _HalfWriter(os.fdopen(fd, mode))),
    "fsync": lambda mp: patch_os(mp, fsync=fail(OSError(errno.EIO, "Input/output error"))),
    "replace": lambda mp: patch_os(mp, replace=fail(DISK_FULL)),
    "interrupt": lambda mp: patch_os(mp, fsync=fail(KeyboardInterrupt())),
}


# -- atomic_write_text ---------------------------------------------------------------


def test_atomic_write_text_writes_utf8_and_creates_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "spec.md"
    fsutil.atomic_write_text(path, "Größe\n")
    assert path.read_bytes() == "Größe\n".encode()
    fsutil.atomic_write_text(path, "neu\n")
    assert path.read_text(encoding="utf-8") == "neu\n"
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("step", INJECTIONS)
def test_atomic_write_text_never_leaves_a_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    old = tmp_path / "spec.md"
    old.write_text("alter Inhalt\n", encoding="utf-8")
    before = snapshot(tmp_path)
    INJECTIONS[step](monkeypatch)
    with pytest.raises((OSError, KeyboardInterrupt)):
        fsutil.atomic_write_text(old, "neuer Inhalt, der nur halb geschrieben wird\n" * 100)
    with pytest.raises((OSError, KeyboardInterrupt)):
        fsutil.atomic_write_text(tmp_path / "new.md", "neu\n")
    assert snapshot(tmp_path) == before  # old content intact, no new file, no temp file
    assert temp_files(tmp_path) == []


def test_atomic_write_cleans_up_when_the_temp_file_cannot_be_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "spec.md"
    target.write_text("alt", encoding="utf-8")
    patch_os(monkeypatch, replace=fail(DISK_FULL), unlink=fail(OSError(errno.EACCES, "no")))
    with pytest.raises(OSError) as info:  # the original error, not the cleanup's
        fsutil.atomic_write_text(target, "neu")
    assert info.value.errno == errno.ENOSPC
    assert target.read_text(encoding="utf-8") == "alt"


def test_atomic_write_honours_the_umask(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        fsutil.atomic_write_text(tmp_path / "new.md", "x")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644


def test_atomic_write_keeps_the_mode_of_a_replaced_file(tmp_path: Path) -> None:
    script = tmp_path / "build.sh"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    fsutil.atomic_write_text(script, "#!/bin/sh\necho hallo\n")
    assert stat.S_IMODE(script.stat().st_mode) == 0o755


# -- write_new ---------------------------------------------------------------------------


def test_write_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "spec" / "index.md"
    fsutil.write_new(path, "erste\n")
    with pytest.raises(UsageError) as info:
        fsutil.write_new(path, "zweite\n")
    assert "already exists; not overwriting it" in str(info.value)
    assert info.value.hint == "use --force to replace it"
    assert path.read_text(encoding="utf-8") == "erste\n"
    fsutil.write_new(path, "zweite\n", force=True)
    assert path.read_text(encoding="utf-8") == "zweite\n"
    assert temp_files(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_write_new_refuses_to_replace_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "index.md"
    link.symlink_to(tmp_path / "elsewhere.md")
    with pytest.raises(UsageError):
        fsutil.write_new(link, "x")


# -- inside ------------------------------------------------------------------------------


def test_inside_accepts_paths_in_the_project(tmp_path: Path) -> None:
    root = tmp_path.resolve()
    (root / "spec" / "bilder").mkdir(parents=True)
    assert fsutil.inside(root, Path("spec/bilder/a.png")) == root / "spec/bilder/a.png"
    assert fsutil.inside(root, Path("spec/../spec/x.md")) == root / "spec/x.md"
    assert fsutil.inside(root, Path(".")) == root
    assert fsutil.inside(root, root / "spec") == root / "spec"


@pytest.mark.parametrize(
    "candidate", ["..", "../x", "spec/../../x", "/etc/passwd", "spec/../../" + "proj-evil/x"]
)
def test_inside_refuses_dot_dot_and_absolute_escapes(tmp_path: Path, candidate: str) -> None:
    root = tmp_path / "proj"
    (root / "spec").mkdir(parents=True)
    with pytest.raises(UnsafeInputError) as info:
        fsutil.inside(root, Path(candidate))
    assert f"path {candidate!r} points outside {root.resolve()}" in str(info.value)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_inside_refuses_symlink_escapes(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "spec").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (root / "spec" / "out").symlink_to(tmp_path / "secret")
    (root / "spec" / "passwd.md").symlink_to("/etc/passwd")
    (root / "spec" / "ok").symlink_to(root / "spec")
    for candidate in ["spec/out/key.pem", "spec/out", "spec/passwd.md"]:
        with pytest.raises(UnsafeInputError):
            fsutil.inside(root, Path(candidate))
    assert fsutil.inside(root, Path("spec/ok/x.md")) == root.resolve() / "spec/x.md"
    linked_root = tmp_path / "link-to-proj"  # the root itself may be a symlink
    linked_root.symlink_to(root)
    assert fsutil.inside(linked_root, Path("spec/x.md")) == root.resolve() / "spec/x.md"


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
@pytest.mark.parametrize("candidate", ["spec/loop/x.md", "spec/a\0b.md"], ids=["loop", "nul"])
def test_inside_reports_unresolvable_paths_as_input_errors(tmp_path: Path, candidate: str) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "loop").symlink_to("loop")
    with pytest.raises(InputError):
        fsutil.inside(tmp_path, Path(candidate))


# -- Transaction -------------------------------------------------------------------------


def _project(root: Path) -> None:
    (root / "conf").mkdir(parents=True)
    (root / "conf" / "specheft.toml").write_text("[project]\nname = 'Alt'\n", encoding="utf-8")
    (root / "spec").mkdir()
    (root / "spec" / "index.md").write_text("# Alt\n", encoding="utf-8")
    (root / "spec" / "unberührt.md").write_bytes(b"\x00\xffbinary")


def _transaction(root: Path, *, unreadable_third: bool = False) -> fsutil.Transaction:
    """Six writes: replacements, new files, new nested folders shared by two files."""
    writes = [
        ("conf/specheft.toml", "[project]\nname = 'Neu'\n"),
        ("spec/neu/tief/a.md", "# A\n"),
        ("spec/index.md", "# Neu\n"),
        ("spec/neu/tief/b.md", "# B\n"),
        ("spec/neu/c.md", "# C\n"),
        ("anhang/d.md", "# D\n"),
    ]
    if unreadable_third:  # a target that exists but cannot be read: a folder
        writes.insert(2, ("spec", "not a file"))
    transaction = fsutil.Transaction()
    for name, text in writes:
        transaction.write_text(root / name, text)
    return transaction


WRITES = 6


def test_transaction_commit_applies_every_file(tmp_path: Path) -> None:
    _project(tmp_path)
    written = _transaction(tmp_path).commit()
    assert len(written) == WRITES
    assert (tmp_path / "spec" / "index.md").read_text(encoding="utf-8") == "# Neu\n"
    assert (tmp_path / "spec" / "neu" / "tief" / "b.md").read_text(encoding="utf-8") == "# B\n"
    assert (tmp_path / "anhang" / "d.md").is_file()
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("error", [DISK_FULL, KeyboardInterrupt()], ids=["oserror", "interrupt"])
@pytest.mark.parametrize("nth", range(1, WRITES + 1))
def test_transaction_commit_is_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int, error: BaseException
) -> None:
    _project(tmp_path)
    before = snapshot(tmp_path)
    calls = 0
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == nth:  # only the nth write fails; the restores after it succeed
            raise error
        real_replace(source, target)

    patch_os(monkeypatch, replace=replace)
    with pytest.raises(type(error)):
        _transaction(tmp_path).commit()
    assert snapshot(tmp_path) == before
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("step", ["write", "fsync", "mkdir", "read"])
def test_transaction_rolls_back_failures_at_every_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    _project(tmp_path)
    before = snapshot(tmp_path)
    transaction = _transaction(tmp_path, unreadable_third=step == "read")
    calls = 0
    real_fdopen, real_fsync, real_mkdir = os.fdopen, os.fsync, Path.mkdir

    def counted() -> bool:
        nonlocal calls
        calls += 1
        return calls == 4

    def fdopen(fd: int, mode: str) -> Any:
        handle = real_fdopen(fd, mode)
        return _HalfWriter(handle) if step == "write" and counted() else handle

    def fsync(fd: int) -> None:
        if step == "fsync" and counted():
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if step == "mkdir" and self.name == "tief":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    patch_os(monkeypatch, fdopen=fdopen, fsync=fsync)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(OSError):
        transaction.commit()
    monkeypatch.undo()
    assert snapshot(tmp_path) == before
    assert temp_files(tmp_path) == []


def test_transaction_writing_one_file_twice_restores_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    before = snapshot(tmp_path)
    transaction = fsutil.Transaction()
    transaction.write_text(tmp_path / "spec" / "index.md", "eins")
    transaction.write_text(tmp_path / "spec" / "index.md", "zwei")
    transaction.write_text(tmp_path / "x" / "y.md", "drei")
    patch_os(monkeypatch, fsync=_fail_on(3, DISK_FULL))
    with pytest.raises(OSError):
        transaction.commit()
    assert snapshot(tmp_path) == before


def _fail_on(nth: int, error: BaseException) -> Callable[[int], None]:
    calls = 0

    def fsync(fd: int) -> None:
        nonlocal calls
        calls += 1
        if calls == nth:
            raise error
        os.fsync(fd)

    return fsync


def test_transaction_rollback_works_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    before = snapshot(tmp_path)
    writes = 0
    real_fdopen = os.fdopen

    def fdopen(fd: int, mode: str) -> Any:  # the disk is full from the 4th write on
        nonlocal writes
        writes += 1
        handle = real_fdopen(fd, mode)
        return _HalfWriter(handle) if writes >= 4 else handle

    patch_os(monkeypatch, fdopen=fdopen)
    with pytest.raises(OSError):
        _transaction(tmp_path).commit()
    assert snapshot(tmp_path) == before


def test_transaction_rollback_restores_modes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    (tmp_path / "spec" / "index.md").chmod(0o644)
    before = snapshot(tmp_path, modes=True)
    patch_os(monkeypatch, fsync=_fail_on(WRITES, DISK_FULL))
    with pytest.raises(OSError):
        _transaction(tmp_path).commit()
    assert snapshot(tmp_path, modes=True) == before


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_transaction_rollback_restores_symlinks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    (tmp_path / "spec" / "link.md").symlink_to("index.md")
    before = snapshot(tmp_path)
    transaction = fsutil.Transaction()
    transaction.write_text(tmp_path / "spec" / "link.md", "neu")
    transaction.write_text(tmp_path / "spec" / "other.md", "neu")
    patch_os(monkeypatch, fsync=_fail_on(2, DISK_FULL))
    with pytest.raises(OSError):
        transaction.commit()
    assert snapshot(tmp_path) == before
