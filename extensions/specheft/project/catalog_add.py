"""``specheft catalog add``: catalogue requirements appended to a Lastenheft page.

Each item gets a fresh project id (its ``:origin:`` names the catalogue item); a page
that does not exist yet is made for an area of ``[areas]`` and listed in its folder's
toctree, both or neither. Nothing is printed: the result lists what was added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from specheft.errors import InputError, Location, UsageError, did_you_mean
from specheft.fsutil import Transaction, append_block, inside, read_text
from specheft.project.catalog import CatalogItem, load_catalog
from specheft.project.layout import Project
from specheft.project.lock import project_lock
from specheft.project.new import number_items, requirement_source, with_toctree_entry


@dataclass(frozen=True)
class Addition:
    #: (catalogue item, its new id in the project), in the order asked for
    added: list[tuple[CatalogItem, str]]
    #: the page the items were appended to
    page: Path
    #: the index.md that lists a page made for them; None when the page existed
    new_page_index: Path | None
    language: str


def add_from_catalog(
    project: Project,
    ids: Sequence[str],
    into: Path,
    *,
    catalog_name: str = "crm",
    force: bool = False,
) -> Addition:
    """Append the catalogue items ``ids`` to the page ``into`` (relative to the current
    directory, inside spec/); ``force`` adds items the project took already."""
    from specheft.project.fingerprint import project_needs

    # held from reading the project's ids to writing the page: two adds at once would
    # both take the same new id
    with project_lock(project.build_dir, "catalog add"):
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
            listed = with_toctree_entry(read_text(index), target.stem) if index.is_file() else None
            if listed is None:
                raise UsageError(
                    f"--into {into} does not exist, and {project.shown(index)} has no "
                    "toctree to list a new page in",
                    hint="create the page first and add it to a toctree",
                )
            index_text = listed
        loaded = load_catalog(catalog_name)
        by_id = loaded.by_id()
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise UsageError(
                f"unknown catalogue id(s): {', '.join(unknown)}",
                hint=did_you_mean(unknown[0], by_id),
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
        else:
            newline = "\r\n" if "\r\n" in index_text else "\n"
            page = f"# {settings.areas[target.stem.upper()]}\n\n{addition}"
            transaction = Transaction()  # the page and its toctree entry, both or neither
            transaction.write_text(target, page.replace("\n", newline))
            transaction.write_text(index, index_text)
            transaction.commit()
    return Addition(
        list(numbered), target, index if index_text is not None else None, settings.language
    )
