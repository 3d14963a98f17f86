"""``specheft catalog list|add``: browse the requirements catalogue and pull items in."""

from __future__ import annotations

from pathlib import Path

import click

from specheft.cli.app import cli


@cli.group()
def catalog() -> None:
    """Browse a requirements catalogue and copy its items into a project."""


@catalog.command("list")
@click.option("--catalog", "catalog_name", default="crm", show_default=True)
@click.option("--area", "areas", multiple=True, help="Only these areas (repeatable).")
@click.option(
    "--lang", "language", type=click.Choice(("de", "en")), default="de", show_default=True
)
def list_items(catalog_name: str, areas: tuple[str, ...], language: str) -> int:
    """List catalogue items: id, default priority, area and title."""
    from specheft.project.catalog import load_catalog

    loaded = load_catalog(catalog_name)
    items = loaded.select(a.upper() for a in areas)
    current = None
    for item in items:
        if item.area != current:
            current = item.area
            click.echo(f"\n{item.area} – {loaded.area_title(item.area, language)}")
        click.echo(f"  {item.id}  {item.priority:<6}  {item.text(language)[0]}")
    click.echo(f"\n{len(items)} items")
    return 0


@catalog.command("add")
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--into",
    "into",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Markdown file in spec/ to append the requirements to.",
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False),
    help="[default: the project holding --into, else the current directory]",
)
@click.option("--catalog", "catalog_name", default="crm", show_default=True)
@click.option(
    "--force", is_flag=True, help="Add items the project already took from the catalogue."
)
def add(
    ids: tuple[str, ...], into: Path, project_dir: str | None, catalog_name: str, force: bool
) -> int:
    """Append catalogue items IDS to a Lastenheft page, with fresh project ids."""
    from specheft.project.catalog_add import add_from_catalog
    from specheft.project.layout import Project

    # without --project, the project holding the page (the current directory may be any)
    project = (None if project_dir else Project.around(into)) or Project.at(project_dir or ".")
    done = add_from_catalog(project, ids, into, catalog_name=catalog_name, force=force)
    for item, new_id in done.added:
        click.echo(f"{item.id} → {new_id}  {item.text(done.language)[0]}")
    made = (
        f" (a new page, listed in {project.shown(done.new_page_index)})"
        if done.new_page_index is not None
        else ""
    )
    click.echo(f"Added {len(done.added)} requirement(s) to {project.shown(done.page)}{made}")
    return 0
