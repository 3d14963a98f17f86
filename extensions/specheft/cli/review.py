"""``specheft review ID... [--all] [--list] [DIR]``: suspect links, and recording reviews."""

from __future__ import annotations

import os
import re

import click

from specheft.cli.app import cli
from specheft.model import GLOBAL_ID_PATTERN
from specheft.project.layout import Project
from specheft.trace.diff import FieldChange, marked

_ID = re.compile(GLOBAL_ID_PATTERN)


def _split(arguments: tuple[str, ...], project_dir: str | None) -> tuple[list[str], str]:
    """(ids, DIR): a last argument that is no id but a directory is DIR."""
    ids = list(arguments)
    directory = None
    if ids and not _ID.match(ids[-1]) and os.path.isdir(ids[-1]):
        directory = ids.pop()
    if directory is not None and project_dir is not None:
        raise click.UsageError("give the project directory once: as DIR or as --project")
    return ids, directory or project_dir or "."


def _words(fc: FieldChange) -> str:
    if fc.old is None or fc.new is None:
        return f"{fc.old or '—'} → {fc.new or '—'}"
    return marked(fc.words(), {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}, str)


@cli.command()
@click.argument("arguments", nargs=-1, metavar="[ID]... [DIR]")
@click.option("--all", "every", is_flag=True, help="Review every spec and test item.")
@click.option("--list", "listing", is_flag=True, help="Only list the suspect links; write nothing.")
@click.option(
    "--project",
    "project_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="The project directory [default: .].",
)
def review(arguments: tuple[str, ...], project_dir: str | None, every: bool, listing: bool) -> int:
    """Record that spec and test items were reviewed against what they link to.

    A spec is reviewed against the requirements it satisfies, a test against the specs
    and requirements it verifies. The review is recorded in the item's own source as
    ':reviewed: LH-KON-001@3fa9c2 …' (a short fingerprint of each target's title, text,
    priority and acceptance criterion); when a target changes later, 'specheft check'
    reports the link as suspect (rule suspect-link) until the item is reviewed again.
    Only that one line of each item is written; the rest of the file stays byte for byte.

    Run 'specheft review --all' once to start: links without a recorded review are not
    suspect.

    Exit code 0: done (--list: nothing suspect); 1: --list found suspect links;
    2: usage or input error (nothing written).
    """
    from specheft.project.review import explain, project_states
    from specheft.project.review import review as record
    from specheft.trace.sourcelines import SourceLines

    ids, directory = _split(arguments, project_dir)
    if listing and every:
        raise click.UsageError("--list lists, --all records: give one of them")
    if every and ids:
        raise click.UsageError("give item ids or --all, not both")
    if not (ids or every or listing):
        raise click.UsageError("name the items to review, or give --all or --list")
    project = Project.at(directory)
    if listing:
        states = project_states(project)
        wanted = set(ids)
        unknown = wanted - {s.item.id for s in states}
        if unknown:
            raise click.UsageError(f"no reviewed links: {', '.join(sorted(unknown))}")
        states = [s for s in states if not wanted or s.item.id in wanted]
        lines = SourceLines()
        suspect = [s for s in states if s.state == "suspect"]
        since = explain(project, suspect)
        for s in suspect:
            item = s.item
            line = item.line
            if item.path and item.line:
                line = lines.option_line(project.root / item.path, item.line, "reviewed") or line
            click.echo(
                f"{item.path}:{line}: {item.id}: :{s.link}: {s.target.id} changed since the "
                f"review (@{s.recorded} → @{s.current[:6]})"
            )
            found = since.get((item.id, s.target.id))
            if found is not None:
                click.echo(
                    f"    reviewed in commit {found.commit[:10]} ({found.date}); since then:"
                )
                for fc in found.fields:
                    click.echo(f"    {fc.label}: {_words(fc)}")
        unrecorded = sum(1 for s in states if s.state == "unrecorded")
        items = len({s.item.id for s in suspect})
        click.echo(
            f"{len(suspect)} suspect link(s) in {items} item(s); "
            f"{sum(1 for s in states if s.state == 'reviewed')} reviewed, "
            f"{unrecorded} without a recorded review"
        )
        if unrecorded:
            click.echo(
                "  links without a recorded review are not checked; 'specheft review --all' "
                "records them"
            )
        return 1 if suspect else 0
    result = record(project, ids, every=every)
    for change in result.changes:
        where = f"{change.path}:{change.line}" if change.line else change.path
        parts = [
            f"{s.target.id}@{s.current[:6]}" + (f" (was @{s.recorded})" if s.recorded else " (new)")
            for s in change.refreshed
        ]
        if not change.new:
            parts = ["record removed: it links to nothing it is reviewed against"]
        elif not parts:
            parts = ["entries of removed links dropped"]
        click.echo(f"{where}: {change.item}: reviewed against {', '.join(parts)}")
    files = len({c.path for c in result.changes})
    click.echo(
        f"Recorded {len(result.changes)} review(s) in {files} file(s); "
        f"{len(result.current)} item(s) already up to date."
    )
    return 0
