"""``specheft new``: scaffold a project from the requirements catalogue."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from specheft.cli.app import cli
from specheft.errors import UsageError


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
@click.option(
    "--name",
    default=None,
    help="Project name for title pages [default: asked on a terminal, else derived from "
    "DIRECTORY: crm-einfuehrung → CRM-Einführung].",
)
@click.option(
    "--customer",
    default=None,
    help="The customer (Auftraggeber), for title pages [default: asked on a terminal].",
)
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
    customer: str | None,
    force: bool,
) -> int:
    """Create a specheft project in DIRECTORY that builds and checks clean at once.

    The Lastenheft starts with the catalogue requirements of the chosen areas (fresh ids,
    :origin: naming the catalogue item), the seven project phases and empty chapters;
    Pflichtenheft and test catalogue start empty.
    """
    from specheft.project.catalog import load_catalog
    from specheft.project.new import (
        DOC_ABBREV,
        NewProject,
        create,
        document_id,
        project_name,
        refuse_unless_empty,
    )

    catalog = load_catalog(catalog_name)
    codes = [code.strip().upper() for code in areas.split(",") if code.strip()]
    items = catalog.select(codes)
    if not items:
        raise UsageError(f"catalogue {catalog_name!r} has no requirements for these areas")
    root = directory.expanduser().resolve()
    refuse_unless_empty(root, force=force)  # before asking anything
    # The name and customer go onto every title page: a folder name is no title. On a
    # terminal ask (the derived name is the default); in scripts derive it.
    derived = project_name(root.name, language)
    if name is None and _interactive():
        name = click.prompt("Project name (title pages)", default=derived)
    if customer is None and _interactive():
        customer = click.prompt("Customer (Auftraggeber)", default="", show_default=False)
    name, customer = (name or derived).strip(), (customer or "").strip()
    for option, value in (("--name", name), ("--customer", customer)):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise UsageError(
                f"{option} must be one line of text without control characters",
                hint=f"it appears on title pages and in headings: {value.splitlines()[0]!r}…",
            )
    doc_id = document_id(name, customer)
    written = create(
        NewProject(root, name, customer, language, catalog, tuple(items), doc_id),
        force=force,
    )
    area_count = len({i.area for i in items})
    click.echo(
        f"Created {root} ({len(written)} files, {len(items)} requirements from "
        f"{area_count} area{'' if area_count == 1 else 's'} of catalogue {catalog_name!r})."
    )
    click.echo(
        f"Project {name!r}, document ids "
        + ", ".join(f"{doc_id}-{a}" for a in DOC_ABBREV[language].values())
        + "; change them in conf/specheft.toml ([project], [documents]) and fill in "
        "who signs ([[signoff]])."
    )
    click.echo(f"Next: cd {directory} && specheft build && specheft check")
    return 0


def _interactive() -> bool:
    """Ask only a person at a terminal; scripts, CI and pipes get the derived defaults."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False
