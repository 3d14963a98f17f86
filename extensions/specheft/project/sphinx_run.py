"""Run Sphinx in-process on a specheft project (used by the CLI and the tests)."""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from specheft.errors import BuildFailed, ConfigError, InputError, Location, SpecheftError, os_fault
from specheft.gcpause import paused_collection
from specheft.project.layout import Project, claim_output_dir

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_PROGRESS = re.compile(
    r"^(Running Sphinx|updating environment|reading sources|writing output|build succeeded"
    r"|build finished|loading pickled environment)"
)


_CONFIG_NOTE = re.compile(r"The configuration has changed \([^)]*\)")
_READING = re.compile(r"^(updating environment|reading sources|loading pickled environment)")


@contextlib.contextmanager
def _no_colour_env(active: bool) -> Iterator[None]:
    """NO_COLOR while Sphinx runs: its progress bar asks the environment, not ``nocolor()``,
    and would draw with escape codes and carriage returns into a pipe when ``CI=true``."""
    saved = os.environ.get("NO_COLOR")
    if active:
        os.environ["NO_COLOR"] = "1"
    try:
        yield
    finally:
        if active:
            if saved is None:
                os.environ.pop("NO_COLOR", None)
            else:
                os.environ["NO_COLOR"] = saved


def _colour_wanted(sphinx_would: bool) -> bool:
    """Colour only on a terminal, or when FORCE_COLOR asks for it.

    Sphinx also colours whenever ``CI=true``: escape codes would then land in every log
    file, ``-o`` report and grep of a CI job (and hide our own escaping of control
    characters from the reader).
    """
    if "FORCE_COLOR" in os.environ or "FORCE_COLOUR" in os.environ:
        return sphinx_would
    return sphinx_would and sys.stdout.isatty()


class ProgressStream(io.TextIOBase):
    """Passes Sphinx's progress lines through and drops its chatter (config dumps, assets)."""

    def __init__(self, target: IO[str], keep: re.Pattern[str] = _PROGRESS) -> None:
        self.target = target
        self.keep = keep
        self.buffer_text = ""
        self.open_line = False  # a terminal line redrawn with \r, not yet ended

    def isatty(self) -> bool:  # Sphinx colours and redraws lines only on a terminal
        return bool(getattr(self.target, "isatty", lambda: False)())

    def write(self, text: str) -> int:
        self.buffer_text += text
        while True:
            match = re.search(r"[\r\n]", self.buffer_text)
            if match is None:
                break
            segment = self.buffer_text[: match.end()]
            self.buffer_text = self.buffer_text[match.end() :]
            # Sphinx's "The configuration has changed (…)" lists options that only
            # changed how pages are written (furo registers one late in every HTML
            # build); a change that rereads pages shows on the "updating environment" line
            segment = _CONFIG_NOTE.sub("", segment)
            plain = _ANSI.sub("", segment).strip()
            if plain and self.keep.match(plain):
                self.target.write(segment)
                self.target.flush()
                self.open_line = segment.endswith("\r")
        return len(text)

    def end_line(self) -> None:
        """End a redrawn progress line, so that what is printed next starts on its own."""
        if self.open_line and not getattr(self.target, "closed", False):
            self.target.write("\n")
            self.target.flush()
            self.open_line = False

    def flush(self) -> None:
        # io.IOBase.__del__ flushes too, possibly after the target (a test's capture) closed.
        if not getattr(self.target, "closed", False):
            self.target.flush()


class Default:
    """Marks 'the current sys.stdout/sys.stderr', looked up when the build starts."""


DEFAULT = Default()


@dataclass(frozen=True)
class Message:
    """A warning or error Sphinx reported, with its location split into path and line."""

    level: str
    text: str
    path: str | None
    line: int | None
    type: str | None
    subtype: str | None


_RECORDER: list[type] = []


def _recorder_class() -> type:
    """Records what the user sees on the warning stream, after Sphinx's own filters.

    A Sphinx ``WarningStreamHandler`` (made on first use, so that importing this module
    does not import Sphinx): Sphinx holds warnings back while it reads and then hands
    them to every handler of its logger, and sets only its warning streams aside
    meanwhile — a plain handler would record each of those warnings twice.
    """
    if _RECORDER:
        return _RECORDER[0]
    from sphinx.util.logging import (
        OnceFilter,
        WarningLogRecordTranslator,
        WarningStreamHandler,
        is_suppressed_warning,
    )

    class Recorder(WarningStreamHandler):
        def __init__(self, app: Any) -> None:
            super().__init__(cast(Any, io.StringIO()))  # never written: emit() records
            self.setLevel(logging.WARNING)

            def not_suppressed(record: logging.LogRecord) -> bool:
                # Sphinx's own WarningSuppressor would count the warning a second time
                return not is_suppressed_warning(
                    getattr(record, "type", ""),
                    getattr(record, "subtype", ""),
                    app.config.suppress_warnings,
                )

            self.addFilter(not_suppressed)
            self.addFilter(WarningLogRecordTranslator(app))
            self.addFilter(OnceFilter())
            self.messages: list[Message] = []

        def handle(self, record: logging.LogRecord) -> bool:
            # Sphinx's filters rewrite the record in place; work on a copy so the user's
            # warning stream is not changed (the type suffix would be appended twice)
            record = copy.copy(record)
            location = getattr(record, "location", None)
            if isinstance(location, str) and os.path.isabs(location):
                # a handler before this one already made the docname a path: translated
                # again it would become "page.md.rst" (a path without a line has no ":")
                record.location = None
                record.specheft_path = location
            return bool(super().handle(record))

        def emit(self, record: logging.LogRecord) -> None:
            location = getattr(record, "specheft_path", None) or getattr(record, "location", None)
            path, line = None, None
            if isinstance(location, str) and location:
                head, sep, tail = location.rpartition(":")
                if sep and tail.isdigit():
                    path, line = head, int(tail)
                else:
                    path = location
            kind, sub = getattr(record, "type", None), getattr(record, "subtype", None)
            # the base class's text: Sphinx's record class would prefix the location
            text = _ANSI.sub("", logging.LogRecord.getMessage(record))
            # without the " [type.subtype]" that Sphinx's filters append (to the shared
            # record, so possibly once already before this handler saw it)
            suffix = " [{}]".format(".".join(p for p in (kind, sub) if p))
            while suffix != " []" and text.endswith(suffix):
                text = text.removesuffix(suffix)
            level = "error" if record.levelno >= logging.ERROR else "warning"
            self.messages.append(Message(level, text, path, line, kind, sub))

    _RECORDER.append(Recorder)
    return Recorder


@dataclass(frozen=True)
class BuildResult:
    outdir: Path
    builder: str
    warnings: int
    statuscode: int
    messages: tuple[Message, ...] = ()
    app: Any = None


def run_sphinx(
    project: Project,
    builder: str,
    outdir: Path,
    *,
    purpose: str | None = None,
    strict: bool = True,
    status: IO[str] | Default | None = DEFAULT,
    warning: IO[str] | Default | None = DEFAULT,
    confoverrides: dict[str, Any] | None = None,
    fresh: bool = False,
    parallel: int = 1,
    tags: tuple[str, ...] = (),
    progress_only_reading: bool = False,
) -> BuildResult:
    """Build ``project`` with ``builder`` into ``outdir``.

    With ``strict`` every warning makes the build fail (exit status 1), but only after
    the whole build ran, so that the user sees all problems at once.
    """
    with paused_collection():  # a thousand modules: see paused_collection
        from sphinx.application import Sphinx
        from sphinx.errors import ConfigError as SphinxConfigError
        from sphinx.errors import SphinxError
        from sphinx.util.console import color_terminal, nocolor
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        from specheft.project.lock import project_lock
        from specheft.sphinxext.compat import (  # loads the extension: with Sphinx
            balance_parallel_reading,
            builtin_extensions_without,
            fresh_translations,
            warning_count,
        )
        from specheft.textsafe import escape_logger

    colour = _colour_wanted(color_terminal())
    if not colour:
        nocolor()
    # resolved per call: the streams may have been replaced since import (tests, IDEs)
    status = sys.stdout if isinstance(status, Default) else status
    warning = sys.stderr if isinstance(warning, Default) else warning
    stream = None
    if status is not None:
        stream = ProgressStream(status, _READING if progress_only_reading else _PROGRESS)
    claim_output_dir(outdir)
    refuse_folder_links_into_sources(project.spec_dir, project.root)
    doctrees = project.doctree_dir(purpose or builder)
    try:
        # one writer per project: a second build or check stops with the first one's pid
        lock = project_lock(project.build_dir, purpose or builder)
        with (
            lock,
            _no_colour_env(not colour),
            patch_docutils(project.conf_dir),
            docutils_namespace(),
        ):
            fresh_translations()  # this build's catalogues only, not also earlier ones'
            unused = UNUSED_BY_ITEMS_BUILD if builder == ITEMS_BUILDER else frozenset()
            collecting = gc.isenabled()  # the caller's choice, back after the build
            gc.disable()
            try:
                with builtin_extensions_without(unused):
                    app = Sphinx(
                        srcdir=project.spec_dir,
                        confdir=project.conf_dir,
                        outdir=outdir,
                        doctreedir=doctrees,
                        buildername=builder,
                        confoverrides=confoverrides or {},
                        status=cast(IO[str], stream),
                        warning=warning,
                        freshenv=fresh,
                        warningiserror=strict,
                        tags=list(tags),
                        verbosity=0,
                        parallel=parallel,
                    )
                # The loaded environment is millions of long-lived objects: collecting
                # while it is unpickled, and walking it again in every later full
                # collection, costs seconds in a large project. So no collection while
                # loading; then the loaded objects are frozen (reference counting still
                # frees them, only cycles among them wait for the end of the process).
                gc.freeze()
            finally:
                gc.enable()
            if parallel > 1:
                env = app.env
                balance_parallel_reading(
                    app.builder, lambda docs, n: balanced_chunks(docs, n, env.doc2path)
                )
            escape_logger("sphinx")  # a file name with ESC or BEL reaches the terminal escaped
            recorder = _recorder_class()(app)
            sphinx_logger = logging.getLogger("sphinx")
            sphinx_logger.addHandler(recorder)
            try:
                app.build(force_all=fresh)
            finally:
                sphinx_logger.removeHandler(recorder)
                gc.unfreeze()  # a long-lived caller (tests, serve) collects them again
                if not collecting:
                    # a command that ends soon (the CLI): no full collection over the
                    # environment now that it is unfrozen (~0.5 s at N=5000)
                    gc.disable()
                if stream is not None:
                    stream.end_line()
            return BuildResult(
                outdir, builder, warning_count(app), app.statuscode, tuple(recorder.messages), app
            )
    except SphinxConfigError as exc:
        raise ConfigError(_config_message(str(exc), project.conf_dir)) from None
    except SpecheftError:
        raise
    except (OSError, SphinxError) as exc:
        # specheft's own error raised in a Sphinx event, which Sphinx wraps: its message
        # and exit code stand (a source that is not UTF-8 is bad input, exit 2)
        # (also when a later handler failed over it: sphinx-needs' build-finished raises
        # when reading stopped early, with ours as the exception it was handling)
        cause: BaseException | None = exc
        seen: set[int] = set()
        while cause is not None and id(cause) not in seen:
            if isinstance(cause, SpecheftError):
                raise cause from None
            seen.add(id(cause))
            cause = getattr(cause, "orig_exc", None) or cause.__cause__ or cause.__context__
        # a full disk, a read-only output: the path and what to do, not "internal error"
        fault = os_fault(exc, f"cannot write the build output {outdir}")
        if fault is not None:
            raise fault from None
        if isinstance(exc, OSError):
            raise
        raise BuildFailed(f"{exc.category}: {exc}") from exc


def balanced_chunks(
    docnames: Sequence[str], nproc: int, path_of: Callable[[str], str | os.PathLike[str]]
) -> list[list[str]]:
    """The pages in at most ``nproc`` batches, one per worker process, of about the same
    number of bytes (reading time follows size): the largest page first into the batch
    with the fewest bytes so far (of equal ones, with the fewest pages). Sphinx's own
    batches hold the same number of pages, more batches than processes: at N=1000 the
    second process read 810 KB, the first 530 KB. Each batch keeps Sphinx's order; the
    batches come heaviest first (the build's own process reads the first one, the workers
    the others and pickle them on top: :func:`specheft.sphinxext.compat.read_sharing`)."""
    size: dict[str, int] = {}
    for docname in docnames:
        try:
            size[docname] = os.stat(path_of(docname)).st_size
        except OSError:  # vanished: reading it reports it
            size[docname] = 0
    batches: list[list[str]] = [[] for _ in range(max(1, min(nproc, len(docnames))))]
    totals = [0] * len(batches)
    for docname in sorted(docnames, key=lambda name: -size[name]):  # stable: ties in order
        lightest = min(range(len(batches)), key=lambda i: (totals[i], len(batches[i])))
        batches[lightest].append(docname)
        totals[lightest] += size[docname]
    order = {docname: index for index, docname in enumerate(docnames)}
    heaviest = sorted(range(len(batches)), key=lambda i: -totals[i])  # stable
    return [sorted(batches[i], key=order.__getitem__) for i in heaviest if batches[i]]


def refuse_folder_links_into_sources(spec_dir: Path, root: Path) -> None:
    """A folder link under spec/ to spec/ itself or a folder in it makes Sphinx read the
    same pages again through the link: every item a duplicate, and for a link to its own
    folder (``ln -s . loop``) endlessly deep, thousands of errors after half a minute.
    Named at once instead. Links to folders outside spec/ are fine."""
    sources = spec_dir.resolve()
    for folder, subfolders, _files in os.walk(spec_dir):  # does not follow links
        for name in subfolders:
            link = Path(folder, name)
            if not link.is_symlink():
                continue
            shown = os.path.relpath(link, root)
            try:
                target = link.resolve(strict=True)
            except (OSError, RuntimeError):  # a loop of links, or a dangling one
                target = None
            if target is not None and target != sources and sources not in target.parents:
                continue
            where = (
                "a loop of links"
                if target is None
                else os.path.relpath(target, root.resolve()).replace(os.sep, "/")
            )
            raise InputError(
                f"folder link to {where}: spec/ would read its pages again through the link "
                "(every item a duplicate; endlessly for a link to its own folder)",
                location=Location(Path(shown).as_posix()),
                hint="remove the link (a link to a folder outside spec/ is fine)",
            )


_CONF_FRAME = re.compile(r'File "(?P<path>[^"]*conf\.py)", line (?P<line>\d+)')
_CONF_SYNTAX = re.compile(
    r"syntax error in your configuration file: (?P<what>.*) \(conf\.py, line (?P<line>\d+)\)"
)


def _config_message(text: str, conf_dir: Path) -> str:
    """Sphinx's report of a broken conf.py as ``conf.py:LINE: what``, without a traceback."""
    text = text.removeprefix("Configuration error: ").strip()
    conf = conf_dir / "conf.py"
    if syntax := _CONF_SYNTAX.search(text):
        return f"{conf}:{syntax.group('line')}: syntax error: {syntax.group('what')}"
    frames = _CONF_FRAME.findall(text)
    if "Traceback (most recent call last)" in text and frames:
        path, line = frames[-1]
        last = [row for row in text.splitlines() if row.strip()][-1].strip()
        return f"{path}:{line}: conf.py stopped with {last}"
    return text


def require_success(result: BuildResult) -> BuildResult:
    if result.statuscode != 0:
        raise BuildFailed(
            f"the build reported {result.warnings} problem(s); see the messages above",
            hint="fix them, or build with --no-strict to treat warnings as warnings",
        )
    return result


# Below this many bytes of pages, reading them all takes about as long as starting the
# worker processes and merging their environments back (measured: a new project's 40 KB
# read serially costs 0.3 s less CPU and no more wall time; 160 KB and 360 KB the same
# wall time either way; 1.4 MB two workers 2 s faster)
SERIAL_BELOW = 256 * 1024
_PAGE_SUFFIXES = (".md", ".rst")


def default_jobs(spec_dir: Path) -> int:
    """Worker processes for reading every page: one for a small project, else the CPUs
    (at most 8)."""
    cpus = min(os.cpu_count() or 1, 8)
    if cpus == 1:
        return 1
    total = 0
    for folder, _subfolders, files in os.walk(spec_dir):
        for name in files:
            if name.endswith(_PAGE_SUFFIXES):
                with contextlib.suppress(OSError):  # vanished or unreadable: Sphinx says so
                    total += os.stat(os.path.join(folder, name)).st_size
                if total >= SERIAL_BELOW:
                    return cpus
    return 1


ITEMS_BUILDER = "specheft-check"
#: Sphinx's own extensions that only add builders (and their settings) that an items
#: build, which writes nothing, never runs: loading them is a tenth of a small project's
#: check. Not the domains (a page may use them), not HTML, LaTeX or gettext (specheft and
#: Sphinx's reading use their settings).
UNUSED_BY_ITEMS_BUILD = frozenset(
    {
        "sphinx.builders.changes",
        "sphinx.builders.dirhtml",
        "sphinx.builders.dummy",
        "sphinx.builders.epub3",
        "sphinx.builders.linkcheck",
        "sphinx.builders.manpage",
        "sphinx.builders.singlehtml",
        "sphinx.builders.texinfo",
        "sphinx.builders.text",
        "sphinx.builders.xml",
        "sphinxcontrib.applehelp",
        "sphinxcontrib.devhelp",
        "sphinxcontrib.htmlhelp",
        "sphinxcontrib.qthelp",
        "sphinxcontrib.serializinghtml",
    }
)


def items_build(
    project: Project,
    *,
    fresh: bool = False,
    jobs: int | None = None,
    progress: IO[str] | None = None,
    validate: bool = True,
    warnings: bool = True,
) -> tuple[BuildResult, list[Any]]:
    """Read the items only (``specheft check``, ``fingerprint``, ``catalog add``).

    Shares one cache (``_build/.doctrees/check``); writes nothing but that cache; the
    traceability rules are left to the caller. Returns the resolved items as well.
    ``validate=False``: the items only — no schema validation and no resolving of
    references, whose only output is warnings, which a build of a revision for ``diff``
    or ``--since`` never shows (about a fifth of such a build's CPU time in the parent
    process). Used only in a directory of its own: the schema setting is part of the
    environment, so switching it reads every page again. ``warnings=False``: the same
    reading and cache as a check, without the steps after reading that only warn
    (:mod:`specheft.sphinxext.needs.unseen`), for a caller who shows no warnings.
    """
    overrides: dict[str, Any] = {"specheft_check_on_build": False, "smartquotes": False}
    if not warnings:
        overrides["specheft_warnings_unseen"] = True
    if not validate:
        overrides["needs_schema_validation_enabled"] = False
        overrides["specheft_items_only"] = True
    if jobs is None:
        # parallel reading pays off when everything is read, and costs half a second of
        # start-up when the cache leaves only the edited pages to read
        cached = (project.doctree_dir("check") / "environment.pickle").exists()
        jobs = 1 if cached and not fresh else default_jobs(project.spec_dir)
    result = run_sphinx(
        project,
        ITEMS_BUILDER,
        project.build_dir / "check",
        purpose="check",
        strict=False,
        status=progress,
        progress_only_reading=True,  # not Sphinx's "writing output", "build succeeded"
        warning=None,
        fresh=fresh,
        parallel=jobs,
        # smart quotes change only the rendered text, which a check never shows
        confoverrides=overrides,
    )
    return result, list(getattr(result.app.builder, "resolved_needs", []))
