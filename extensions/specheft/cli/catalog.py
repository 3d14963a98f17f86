"""``specheft catalog list|add``: browse the requirements catalogue and pull items in."""

from __future__ import annotations

from pathlib import Path

import click

from specheft.cli.app import cli
from specheft.errors import InputError, Location, UsageError


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
    "--project", "project_dir", default=".", show_default=True, type=click.Path(file_okay=False)
)
@click.option("--catalog", "catalog_name", default="crm", show_default=True)
@click.option(
    "--force", is_flag=True, help="Add items the project already took from the catalogue."
)
def add(ids: tuple[str, ...], into: Path, project_dir: str, catalog_name: str, force: bool) -> int:
    """Append catalogue items IDS to a Lastenheft page, with fresh project ids."""
    from specheft.errors import did_you_mean
    from specheft.fsutil import Transaction, append_block, inside, read_text
    from specheft.project.catalog import load_catalog
    from specheft.project.fingerprint import project_needs
    from specheft.project.layout import Project
    from specheft.project.lock import project_lock
    from specheft.project.new import number_items, requirement_source, with_toctree_entry

    project = Project.at(project_dir)
    # held from reading the project's ids to writing the page: two adds at once would
    # both take the same new id
    click.get_current_context().with_resource(project_lock(project.build_dir, "catalog add"))
    target = inside(project.spec_dir, into if into.is_absolute() else Path.cwd() / into)
    if target.suffix != ".md":
        raise UsageError(f"--into {into}: expected a Markdown file (.md) in spec/")
    settings = project.settings()
    index = target.parent / "index.md"
    index_text = None
    if not target.exists():
        # a new area page (…/05-anforderungen/int.md): made, and listed beside its siblings
        area = target.stem.upper()
        if area not in settings.areas:
            raise UsageError(
                f"--into {into} does not exist",
                hint="name a new page after an area of [areas] (e.g. "
                f"{project.shown(target.with_name('int.md'))}) to have it made, "
                "or create the page first and add it to a toctree",
            )
        index_text = with_toctree_entry(read_text(index), target.stem) if index.is_file() else None
        if index_text is None:
            raise UsageError(
                f"--into {into} does not exist, and {project.shown(index)} has no "
                "toctree to list a new page in",
                hint="create the page first and add it to a toctree",
            )
    loaded = load_catalog(catalog_name)
    by_id = loaded.by_id()
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise UsageError(
            f"unknown catalogue id(s): {', '.join(unknown)}", hint=did_you_mean(unknown[0], by_id)
        )
    needs = project_needs(project)
    taken_from = {n.get("origin"): n["id"] for n in needs if n.get("origin")}
    again = [i for i in ids if i in taken_from]
    if again and not force:
        raise UsageError(
            f"already in the project: {', '.join(f'{i} as {taken_from[i]}' for i in again)}",
            hint="use --force to add a second copy",
        )
    missing_areas = sorted({by_id[i].area for i in ids} - set(settings.areas))
    if missing_areas:
        raise InputError(
            f"area(s) {', '.join(missing_areas)} are not in [areas]",
            location=Location(str(project.settings_file)),
            hint="add them to [areas] in conf/specheft.toml first",
        )
    numbered = number_items([by_id[i] for i in ids], {n["id"] for n in needs})
    addition = "\n".join(
        requirement_source(item, new_id, settings.language) for item, new_id in numbered
    )
    if index_text is None:
        append_block(target, addition)
        made = ""
    else:
        newline = "\r\n" if "\r\n" in index_text else "\n"
        page = f"# {settings.areas[target.stem.upper()]}\n\n{addition}"
        transaction = Transaction()  # the page and its toctree entry, both or neither
        transaction.write_text(target, page.replace("\n", newline))
        transaction.write_text(index, index_text)
        transaction.commit()
        made = f" (a new page, listed in {project.shown(index)})"
    for item, new_id in numbered:
        click.echo(f"{item.id} → {new_id}  {item.text(settings.language)[0]}")
    click.echo(f"Added {len(numbered)} requirement(s) to {project.shown(target)}{made}")
    return 0
