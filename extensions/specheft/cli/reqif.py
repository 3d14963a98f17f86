"""``specheft export reqif`` and ``specheft import reqif``: ReqIF 1.2 exchange (#15)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import click

from specheft.cli.app import project_argument, quiet_option, stderr_progress, subcommand_group
from specheft.project.layout import Project

export_group = subcommand_group("export", "Export the items to another format.")
import_group = subcommand_group("import", "Import items from another format into MyST pages.")


@export_group.command("reqif")
@quiet_option
@project_argument
@click.option("--document", help="Only the items of this deliverable (a name from [documents]).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: _build/reqif/<project>.reqif or .reqifz).",
)
@click.option("--zip", "as_zip", is_flag=True, help="Write a .reqifz (zip with the .reqif).")
@click.option(
    "--answer-to",
    "answer_to",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The customer's imported .reqif or .reqifz: write it back with only the "
    "vendor-editable attributes filled (default --out: _build/reqif/<name>-answer.reqif[z]).",
)
def export_reqif(
    project_dir: str, document: str | None, out: Path | None, as_zip: bool, answer_to: Path | None
) -> int:
    """Write PROJECT_DIR's items as ReqIF 1.2 (OMG namespace 20110401, REQ-IF-VERSION 1.0).

    Item kinds become SPEC-OBJECT-TYPEs, fields attribute definitions (enumerations,
    dates, integers), title and text XHTML (ReqIF.Name, ReqIF.Text, ReqIF.ForeignID),
    links SPEC-RELATIONs (one type per link kind), each top folder under spec/ a
    SPECIFICATION with the headings as hierarchy. Same sources, same bytes.
    """
    from specheft.project.export import export_reqif

    project = Project.at(project_dir)
    if answer_to is not None:
        return _answer(project, answer_to, out, document, as_zip)
    written = export_reqif(
        project, target=out, document=document, as_zip=as_zip, progress=stderr_progress()
    )
    for warning in written.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"wrote {written.target} ({written.items} items, {written.specifications} specifications)"
    )
    return 0


def _answer(
    project: Project, original: Path, out: Path | None, document: str | None, as_zip: bool
) -> int:
    from specheft.errors import UsageError
    from specheft.project.reqif import answer_reqif

    if document or as_zip:
        raise UsageError(
            "--answer-to writes the customer's file back as it came; "
            "--document and --zip do not apply"
        )
    target, answer = answer_reqif(project, original, target=out, progress=stderr_progress())
    for warning in answer.warnings:
        click.echo(f"warning: {warning}", err=True)
    uncovered = len(answer.uncovered)
    click.echo(
        f"wrote {target} ({answer.answered} objects answered in "
        f"{', '.join(repr(a) for a in answer.attributes)}; {uncovered} "
        f"requirement{'' if uncovered == 1 else 's'} satisfied by no item)"
    )
    return 0


@import_group.command("reqif")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder for the pages, inside the project's spec/ [default: spec/]. A project "
    "directory is taken as its spec/ (as before --project).",
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The project to import into [default: the one holding --into, else the current "
    "directory].",
)
@click.option("--force", is_flag=True, help="Overwrite pages that exist already.")
@click.option(
    "--kind",
    type=click.Choice(["req", "excl", "spec", "test"]),
    default="req",
    show_default=True,
    help="The item kind of objects whose type names no specheft kind.",
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A TOML file naming attributes, relation types, types, priority and status words "
    "(see the README, 'Exchange: ReqIF').",
)
def import_reqif(
    file: Path,
    into: Path | None,
    project_dir: Path | None,
    force: bool,
    kind: str,
    map_file: Path | None,
) -> int:
    """Turn FILE (.reqif or .reqifz) into MyST pages under spec/, one per SPECIFICATION.

    Writes every page or none; refuses to overwrite a page without --force.
    """
    import hashlib

    from specheft.config.fields import declaring
    from specheft.io.reqif.fields import to_fields
    from specheft.io.reqif.mapping import ImportMap, load_map
    from specheft.io.reqif.myst import pages, project_ids, write_all
    from specheft.io.reqif.origin import sidecars
    from specheft.io.reqif.read import read_file
    from specheft.project.lock import project_lock

    project, folder = _import_target(into, project_dir)
    mapping = load_map(map_file, kind) if map_file else ImportMap(default_kind=kind)
    parsed = read_file(file, mapping)
    found = [(folder / path, text) for path, text in pages(parsed.documents)]
    # ids the project has already (an earlier import, own pages) are not given twice;
    # the pages this import replaces (--force) do not count
    replaced = {project.spec_dir / path for path, _ in found}
    parsed = parsed.avoiding(project_ids(project.spec_dir, skip=replaced))
    # attributes specheft has no field for: the project's own fields, new ones declared
    # in specheft.toml together with the pages (without the file: kept in the text);
    # after avoiding(), which reads the file's objects again
    settings_file = project.settings_file if project.settings_file.is_file() else None
    new_fields = (
        to_fields(parsed.documents, project.settings().fields, mapping.own_fields())
        if settings_file
        else []
    )
    found = [(folder / path, text) for path, text in pages(parsed.documents)]
    # where each item came from, for `export reqif --answer-to` (the return trip)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    origins = sidecars(parsed.documents, [path for path, _ in found], file.name, digest)
    # images and OLE objects the text names, beside their pages (written with them)
    files = parsed.attachment_files([path for path, _ in found])
    with (
        project_lock(project.build_dir, "import reqif"),  # no build reads half a set
        declaring(settings_file, new_fields),
    ):
        written = write_all(project.spec_dir, [*found, *origins, *files], force=force)
    for warning in parsed.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in written:
        click.echo(f"wrote {path}")
    if new_fields:
        click.echo(
            f"declared {len(new_fields)} new field(s) in {settings_file}: "
            + ", ".join(f"{c.name} ({c.label!r})" for c in new_fields)
        )
    return 0


def _import_target(into: Path | None, project_dir: Path | None) -> tuple[Project, PurePosixPath]:
    """The project and the pages' folder below its spec/: ``--into`` names the folder (as
    for ``import xlsx``); a project directory there means its spec/ (the older usage).
    Without ``--project`` the project is the one holding ``--into``, else the current
    directory."""
    from specheft.errors import UsageError

    if into is not None and (into / "conf" / "conf.py").is_file() and (into / "spec").is_dir():
        return Project.at(into), PurePosixPath()
    around = Project.around(into) if into is not None and project_dir is None else None
    project = around or Project.at(project_dir or ".")
    if into is None:
        return project, PurePosixPath()
    folder = into.resolve()
    if not folder.is_relative_to(project.spec_dir):
        raise UsageError(
            f"--into {into} is not inside the project's spec/ ({project.spec_dir})",
            hint="name a folder below spec/, or the project with --project DIR",
        )
    return project, PurePosixPath(folder.relative_to(project.spec_dir).as_posix())
