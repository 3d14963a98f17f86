"""``specheft new``: scaffold a project from the requirements catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import click

from ..errors import UsageError
from .app import cli


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--catalog",
    "catalog_name",
    default="crm",
    show_default=True,
    help="A built-in catalogue name or the path of a catalogue project.",
)
@click.option(
    "--areas",
    default="",
    metavar="A,B,…",
    help="Area codes to take requirements from (default: every area).",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(("de", "en")),
    default="de",
    show_default=True,
    help="Language of the documents and requirements.",
)
@click.option("--name", default=None, help="Project name [default: the directory's name].")
@click.option("--customer", default="", help="The customer (Auftraggeber), for title pages.")
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty directory (files of the same name are replaced).",
)
def new(
    directory: Path,
    catalog_name: str,
    areas: str,
    language: str,
    name: str | None,
    customer: str,
    force: bool,
) -> int:
    """Create a specheft project in DIRECTORY that builds and checks clean at once.

    The Lastenheft starts with the catalogue requirements of the chosen areas (fresh ids,
    :origin: naming the catalogue item), the seven project phases and empty chapters;
    Pflichtenheft and test catalogue start empty.
    """
    from ..catalog import load_catalog
    from ..scaffold import NewProject, create

    catalog = load_catalog(catalog_name)
    codes = [code.strip().upper() for code in areas.split(",") if code.strip()]
    items = catalog.select(codes)
    if not items:
        raise UsageError(f"catalogue {catalog_name!r} has no requirements for these areas")
    for option, value in (("--name", name or ""), ("--customer", customer)):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise UsageError(
                f"{option} must be one line of text without control characters",
                hint=f"it appears on title pages and in headings: {value.splitlines()[0]!r}…",
            )
    root = directory.expanduser().resolve()
    project_name = name or root.name
    doc_id = re.sub(r"[^A-Z0-9]+", "-", project_name.upper()).strip("-")[:12] or "PROJ"
    written = create(
        NewProject(root, project_name, customer, language, catalog, tuple(items), doc_id),
        force=force,
    )
    click.echo(
        f"Created {root} ({len(written)} files, {len(items)} requirements from "
        f"{len({i.area for i in items})} areas of catalogue {catalog_name!r})."
    )
    click.echo(f"Next: cd {directory} && specheft build && specheft check")
    return 0
