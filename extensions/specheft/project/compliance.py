"""Use cases of vendor selection: the compliance template, importing answers, comparing.

Plain functions over :mod:`specheft.tender` (pure) and the project's requirements, which
come from the same items-only build as ``specheft check`` (sharing its cache). Nothing
is printed here; an import writes nothing unless every row is valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from specheft.errors import InputError, Location
from specheft.fsutil import atomic_write_bytes, atomic_write_text, inside
from specheft.gitinfo import commit_time, git_state
from specheft.project.layout import Project
from specheft.project.lock import project_lock
from specheft.tender.config import TenderConfig, tender_config
from specheft.tender.model import (
    Asked,
    Offer,
    asked_of,
    baseline_fingerprint,
    check_vendor,
    offer_from_json,
    vendor_slug,
)
from specheft.tender.scoring import Result, compare
from specheft.tender.validate import Checked, check_returned


@dataclass(frozen=True)
class Requirements:
    """The active requirements as a bidder is asked them, and the baseline they form."""

    asked: tuple[Asked, ...]
    project: str
    language: str
    revision: str
    baseline: str
    date: dt.datetime | None = None
    document: str = ""


def requirements(
    project: Project,
    config: TenderConfig,
    progress: IO[str] | None = None,
    document: str = "",
) -> Requirements:
    """The active requirements in document order, each with its chapter and its weight
    from ``[tender]``; ``document``: only those on the pages of that document (its name
    in [documents]). Right after a ``check`` of unchanged sources, from the items it left
    (no Sphinx, as an export); otherwise from the items build (``check``'s cache)."""
    from specheft.project import export_snapshot, items_cache

    settings = project.settings()
    chosen = settings.document(document) if document else None  # unknown: before the build
    srcdir = project.spec_dir.relative_to(project.root).as_posix()
    key = items_cache.items_key(project)
    with project_lock(project.build_dir, "compliance"):
        snapshot = export_snapshot.load(project, key, srcdir)
        if snapshot is None:  # an edit since the last check: built, and kept as a check does
            snapshot, part = export_snapshot.build(project, settings.own_fields, srcdir, progress)
            export_snapshot.keep(project, key, snapshot.graph, part)
    # the whole graph: whether a requirement is active may depend on items elsewhere
    asked = asked_of(snapshot.graph, config.weight, snapshot.chapters)
    if chosen is not None:
        pages = snapshot.pages(chosen.start)
        own = {str(n["id"]) for n in snapshot.needs if n.get("docname") in pages}
        asked = tuple(a for a in asked if a.id in own)
    state = git_state(project.root)
    stamp = commit_time(project.root) if state else None
    try:
        date = dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        date = None
    return Requirements(
        asked,
        settings.project.name,
        settings.language,
        str(state) if state else "",
        baseline_fingerprint(asked),
        date,
        chosen.name if chosen else "",
    )


def default_template_name(project: Project, vendor: str) -> Path:
    return Path(f"{project.root.name or 'specheft'}-compliance-{vendor_slug(vendor)}.xlsx")


@dataclass(frozen=True)
class TemplateResult:
    path: Path
    rows: int
    baseline: str


def write_template(
    project: Project,
    vendor: str,
    out: Path | None = None,
    progress: IO[str] | None = None,
    document: str = "",
) -> TemplateResult:
    from specheft.io.sheets.compliance import Template, template_bytes

    vendor = check_vendor(vendor)
    target = out or default_template_name(project, vendor)
    if target.suffix.lower() != ".xlsx":
        raise InputError(f"{target}: the compliance workbook must end in .xlsx")
    project.refuse_sources(target, "--out")
    config = tender_config(project.settings())
    reqs = requirements(project, config, progress, document)
    if not reqs.asked:
        raise InputError(
            f"the document {document!r} has no active requirement to ask a bidder"
            if document
            else "the project has no active requirement to ask a bidder",
            location=Location(project.shown(project.spec_dir)),
        )
    template = Template(
        reqs.project,
        vendor,
        reqs.revision,
        reqs.baseline,
        reqs.language,
        config.codes,
        reqs.asked,
        reqs.date,
        reqs.document,
    )
    atomic_write_bytes(target, template_bytes(template))
    return TemplateResult(target, len(reqs.asked), reqs.baseline)


def answers_dir(project: Project, config: TenderConfig | None = None) -> Path:
    config = config or tender_config(project.settings())
    return inside(project.root, Path(config.answers_dir))


@dataclass
class ImportResult:
    path: Path
    checked: Checked
    replaced: bool = False


def import_answers(
    project: Project, file: Path, vendor: str, progress: IO[str] | None = None
) -> ImportResult:
    """Check every row of a returned workbook; store the answers as JSON (all or nothing)."""
    from specheft.io.sheets.compliance import read_returned

    vendor = check_vendor(vendor)
    display = str(file)
    returned = read_returned(file, display)  # a broken file is reported before any build
    settings = project.settings()
    config = tender_config(settings)
    # a template of one document is checked against that document's requirements
    document, where = returned.meta.get("document", ("", Location(display)))
    names = [d.name for d in settings.deliverables()]
    if document and document not in names:
        raise InputError(
            f"the workbook asks the requirements of the document {document!r}, which the "
            f"project no longer has; documents: {', '.join(names)}",
            location=where,
            hint="send the bidder a new template (specheft compliance template --document NAME)",
        )
    reqs = requirements(project, config, progress, document)
    checked = check_returned(
        returned, reqs.asked, vendor=vendor, project=reqs.project, codes=config.codes
    )
    target = answers_dir(project, config) / f"{vendor_slug(vendor)}.json"
    offer = checked.offer
    checked.offer = Offer(
        offer.vendor,
        offer.project,
        offer.baseline,
        offer.revision,
        file.name,
        offer.sha256,
        offer.answers,
        reqs.document,
    )
    replaced = target.exists()
    atomic_write_text(target, checked.offer.to_json())
    return ImportResult(target, checked, replaced)


def load_offers(project: Project, config: TenderConfig) -> list[tuple[Path, Offer]]:
    directory = answers_dir(project, config)
    if not directory.is_dir():
        return []
    offers = []
    for path in sorted(directory.glob("*.json")):
        shown = project.shown(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot be read: {exc}", location=Location(shown)) from None
        offers.append((path, offer_from_json(text, shown)))
    return offers


@dataclass
class Comparison:
    results: list[Result]
    config: TenderConfig
    requirements: Requirements
    files: list[Path] = field(default_factory=list)


def compare_offers(project: Project, progress: IO[str] | None = None) -> Comparison:
    config = tender_config(project.settings())
    offers = load_offers(project, config)  # a broken answers file before any build
    reqs = requirements(project, config, progress)
    results = compare(reqs.asked, [o for _, o in offers], config)
    return Comparison(results, config, reqs, [p for p, _ in offers])
