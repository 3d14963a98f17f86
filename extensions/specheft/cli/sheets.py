"""``specheft export xlsx|csv`` and ``specheft import xlsx|csv``: spreadsheet exchange."""

from __future__ import annotations

from pathlib import Path

import click

from specheft.cli.app import project_argument, quiet_option, stderr_progress, subcommand_group
from specheft.project.layout import Project

export_group = subcommand_group("export", "Export the items to another format.")
import_group = subcommand_group("import", "Import items from another format into MyST pages.")


def _export(fmt: str, project_dir: str, document: str | None, out: Path | None, kind: str) -> int:
    from specheft.project.export import export_sheets

    project = Project.at(project_dir)
    written = export_sheets(
        project, fmt, target=out, document=document, kind=kind, progress=stderr_progress()
    )
    counts = ", ".join(f"{rows} {key}" for key, rows in written.counts)
    cached = "; unchanged inputs, from the export cache" if written.cached else ""
    click.echo(
        f"wrote {written.target} ({counts}{cached})"
        if fmt == "xlsx"
        else f"wrote {written.target}{' (' + cached[2:] + ')' if cached else ''}"
    )
    return 0


_document_option = click.option(
    "--document", help="Only the items of this deliverable (a name from [documents])."
)


@export_group.command("xlsx")
@quiet_option
@project_argument
@_document_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The workbook.")
def export_xlsx(project_dir: str, document: str | None, out: Path | None) -> int:
    """A workbook: cover, requirements, exclusions, Pflichtenheft, tests, coverage.

    Every cell is text (never a formula); ids link into the HTML build when [project]
    url is set; the date is the last commit's. Exit 2 on bad input (nothing written).
    """
    return _export("xlsx", project_dir, document, out, "requirements")


@export_group.command("csv")
@quiet_option
@project_argument
@_document_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="The CSV file.")
@click.option(
    "--kind",
    type=click.Choice(["requirements", "exclusions", "specs", "tests", "coverage"]),
    default="requirements",
    show_default=True,
    help="Which table: a CSV file holds one.",
)
def export_csv(project_dir: str, document: str | None, out: Path | None, kind: str) -> int:
    """One table as CSV for German Excel: ';', UTF-8 with BOM.

    A cell starting with = + - @ gets a leading ' so that Excel shows it as text.
    """
    return _export("csv", project_dir, document, out, kind)


def _import(
    fmt: str,
    file: Path,
    into: Path | None,
    sheets: tuple[str, ...],
    force: bool,
    project_dir: str | None,
    map_file: Path | None,
    every: bool = False,
) -> int:
    from specheft.io.sheets.importer import import_sheet, load_map

    # an explicit --into needs no project around the current directory; outside the
    # project, unmapped columns stay text lines (no specheft.toml to declare fields in)
    project: Project | None
    if into is None:
        project = Project.at(project_dir or ".")
        target = project.spec_dir / "import"
    else:
        # without --project, the project around --into (the current directory may be any)
        project = _project_or_none(project_dir) if project_dir else Project.around(into)
        if project is not None and not into.resolve().is_relative_to(project.root):
            project = None
        target = into
    settings_file = project.settings_file if project and project.settings_file.is_file() else None
    fields = project.settings().fields if project and settings_file else ()
    mapping = load_map(map_file) if map_file is not None else None
    written = import_sheet(
        file,
        target,
        fmt=fmt,
        sheets=sheets,
        force=force,
        mapping=mapping,
        every=every,
        settings_file=settings_file,
        fields=fields,
    )
    click.echo(f"wrote {len(written.files)} page(s) with {written.items} item(s) to {target}")
    if every:
        click.echo(
            "note: --all-sheets is no longer needed: every sheet with a header row is read "
            "unless --sheet NAME picks sheets",
            err=True,
        )
    for note in written.notes:
        click.echo(f"note: {note}", err=True)
    return 0


def _project_or_none(project_dir: str) -> Project | None:
    from specheft.errors import SpecheftError

    try:
        return Project.at(project_dir)
    except SpecheftError:
        return None


def _import_command(fmt: str) -> click.Command:
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option(
        "--into",
        type=click.Path(file_okay=False, path_type=Path),
        help="The directory for the pages [default: spec/import of the project].",
    )
    @click.option(
        "--sheet",
        "sheets",
        multiple=True,
        help="A sheet to read; repeat for several [default: every sheet with a header row].",
    )
    @click.option(
        "--all-sheets",
        "every",
        is_flag=True,
        help="Deprecated: every sheet with a header row is read by default now.",
    )
    @click.option("--force", is_flag=True, help="Write into a directory that is not empty.")
    @click.option(
        "--project",
        "project_dir",
        help="The project to import into [default: the one holding --into, else the "
        "current directory].",
    )
    @click.option(
        "--map",
        "map_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="A TOML file: [columns] header → id/title/text/field/keep/field:NAME, "
        "[priorities] word → must/should/can (see the README, 'Exchange: Excel and CSV').",
    )
    def command(
        file: Path,
        into: Path | None,
        sheets: tuple[str, ...],
        every: bool,
        force: bool,
        project_dir: str | None,
        map_file: Path | None,
    ) -> int:
        return _import(fmt, file, into, sheets, force, project_dir, map_file, every)

    command.__doc__ = (
        f"Turn a requirements list ({fmt}) into MyST pages.\n\n"
        "Finds the header row, German and English column names and priority words; rows "
        "without id become sections; other columns become fields of the project's own "
        "(new ones declared in conf/specheft.toml; values of several lines stay in the item "
        "text). Writes all pages (and fields) or none; exit 2 on bad input (file:Sheet!row "
        "named)."
        + (
            " Reads .xlsx, .xlsm, .ods and .xls (by the file's suffix); one page per sheet."
            if fmt == "xlsx"
            else ""
        )
    )
    return click.command(fmt)(command)


import_group.add_command(_import_command("xlsx"))
import_group.add_command(_import_command("csv"))
