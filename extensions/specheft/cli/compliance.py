"""``specheft compliance template|import|compare``: bidders' answers and their comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from specheft.cli.app import cli, project_argument, quiet_option, stderr_progress
from specheft.project.layout import Project

if TYPE_CHECKING:
    from specheft.project.compliance import Comparison


@cli.group("compliance")
def compliance_group() -> None:
    """Vendor selection: compliance workbooks per bidder, their answers, the comparison."""


_vendor_option = click.option("--vendor", required=True, help="The bidder's name.")


@compliance_group.command("template")
@quiet_option
@project_argument
@_vendor_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The workbook [default: PROJECT-compliance-VENDOR.xlsx].",
)
@click.option(
    "--document",
    default="",
    help="Only the requirements of this document ([documents] NAME) [default: every one].",
)
def template(project_dir: str, vendor: str, out: Path | None, document: str) -> int:
    """A workbook for one bidder: the active requirements in locked columns, the answer
    columns (fulfilment drop-down, effort, comment, reference) open, an instruction sheet
    and a hidden sheet recording project, document, baseline, bidder and each row's
    fingerprint. The import checks against the same document's requirements."""
    from specheft.project.compliance import write_template

    written = write_template(
        Project.at(project_dir), vendor, out, progress=stderr_progress(), document=document
    )
    click.echo(f"wrote {written.path} ({written.rows} requirements, baseline {written.baseline})")
    return 0


@compliance_group.command("import")
@quiet_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@project_argument
@_vendor_option
def import_(file: Path, project_dir: str, vendor: str) -> int:
    """Check every row of a returned workbook and store the answers in the project.

    Exit 2 on an unknown code, negative effort, unknown id, duplicated or deleted rows,
    changed locked text, another bidder or baseline (each named at sheet!row); nothing is
    written then. A must requirement without an answer makes the offer incomplete.
    """
    from specheft.project.compliance import import_answers

    project = Project.at(project_dir)
    result = import_answers(project, file, vendor, progress=stderr_progress())
    checked = result.checked
    answered = len(checked.offer.answers) - checked.unanswered
    verb = "replaced" if result.replaced else "wrote"
    click.echo(
        f"{verb} {project.shown(result.path)}: {checked.offer.vendor}, "
        f"{answered} of {len(checked.offer.answers)} requirements answered"
    )
    if checked.incomplete:
        shown = ", ".join(checked.incomplete[:10])
        more = f" and {len(checked.incomplete) - 10} more" if len(checked.incomplete) > 10 else ""
        click.echo(
            f"note: the offer is incomplete: {len(checked.incomplete)} must requirement(s) "
            f"without an answer: {shown}{more}",
            err=True,
        )
    return 0


@compliance_group.command("compare")
@quiet_option
@project_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "xlsx"]),
    default="text",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="For xlsx: the workbook [default: PROJECT-comparison.xlsx].",
)
def compare(project_dir: str, fmt: str, out: Path | None) -> int:
    """Rank the bidders: weighted score (Nutzwertanalyse), score per area, effort, count
    per fulfilment code; a must requirement not possible or unanswered knocks out."""
    from specheft.errors import UsageError
    from specheft.project.compliance import compare_offers
    from specheft.tender.scoring import as_json

    project = Project.at(project_dir)
    if out is not None and fmt != "xlsx":
        raise UsageError("--out is for --format xlsx")
    comparison = compare_offers(project, progress=stderr_progress())
    if fmt == "json":
        click.echo(json.dumps(as_json(comparison.results, comparison.config), indent=2))
        return 0
    if fmt == "xlsx":
        from specheft.fsutil import atomic_write_bytes
        from specheft.io.sheets.compliance import comparison_bytes

        target = out or Path(f"{project.root.name or 'specheft'}-comparison.xlsx")
        if target.suffix.lower() != ".xlsx":
            raise UsageError(f"{target}: the output of --format xlsx must end in .xlsx")
        project.refuse_sources(target, "--out")
        reqs = comparison.requirements
        data = comparison_bytes(comparison.results, comparison.config, reqs.language, reqs.date)
        atomic_write_bytes(target, data)
        click.echo(f"wrote {target} ({len(comparison.results)} bidders)")
        return 0
    click.echo(_text(comparison))
    return 0


def _number(value: float) -> str:
    return f"{value:g}"


def _text(comparison: Comparison) -> str:
    results, config = comparison.results, comparison.config
    if not results:
        return (
            f"no answers in {config.answers_dir}/ yet: "
            "import them with 'specheft compliance import FILE --vendor NAME'"
        )
    count = len(comparison.requirements.asked)
    lines = [
        f"{len(results)} bidder(s), {count} requirements, baseline "
        f"{comparison.requirements.baseline}",
        "",
    ]
    width = max(len(r.vendor) for r in results)
    for r in results:
        state = "KNOCKED OUT" if r.knocked_out else f"{r.total.score:5.1f} %"
        effort = _number(round(r.effort, 2))
        lines.append(f"{r.rank:>2}. {r.vendor:<{width}}  {state:>11}  effort {effort} PD")
        if r.knocked_out:
            lines.append(f"      score {r.total.score:.1f} %")
        counts = ", ".join(f"{c} {r.counts.get(c, 0)}" for c in config.codes)
        lines.append(f"      {counts}, unanswered {len(r.missing)}")
        areas = "  ".join(f"{a} {p.score:.0f}" for a, p in r.areas.items())
        lines.append(f"      areas: {areas}")
        for item, reason in r.knockouts[:10]:
            lines.append(f"      knock-out: {item} (must): {reason}")
        if len(r.knockouts) > 10:
            lines.append(f"      … and {len(r.knockouts) - 10} more knock-outs")
        if r.stale:
            lines.append(
                f"      {len(r.stale)} answer(s) to an earlier text, not counted: "
                + ", ".join(r.stale[:10])
            )
    return "\n".join(lines)
