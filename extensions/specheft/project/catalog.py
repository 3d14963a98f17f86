"""Requirements catalogues: read the ``catreq`` items of a catalogue project.

A catalogue is itself a specheft project (``conf/`` + ``spec/``) that builds like any
other; here its Markdown is read with myst-parser's own Markdown and directive-option
parsers, without a Sphinx run, so ``catalog list`` and ``new`` answer at once. The
catalogue's build and tests guarantee that what is read here is valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from specheft.errors import InputError, Location, UsageError, did_you_mean
from specheft.fsutil import read_text
from specheft.model import STANDARD_PHASES
from specheft.tables import load_settings


def _builtin_catalog(name: str) -> Path:
    """A catalogue shipped with specheft: inside the package in a wheel (setup.py copies
    it there), at the top of the source tree in an editable install."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / name
    return packaged if packaged.is_dir() else package.parents[1] / name


#: Catalogues that come with specheft, by name (this repository's requirements_catalog/).
BUILTIN = {"crm": _builtin_catalog("requirements_catalog")}

_FIELDS = (
    "id",
    "priority",
    "area",
    "verification",
    "typical_phase",
    "tags",
    "title_en",
    "statement_en",
    "acceptance",
    "acceptance_en",
    "rationale",
)
_REQUIRED = (
    "id",
    "priority",
    "area",
    "verification",
    "typical_phase",
    "title_en",
    "statement_en",
    "acceptance",
    "acceptance_en",
)


@dataclass(frozen=True)
class CatalogItem:
    id: str
    area: str
    priority: str
    verification: str
    typical_phase: str
    tags: tuple[str, ...]
    title: str
    statement: str
    acceptance: str
    title_en: str
    statement_en: str
    acceptance_en: str
    rationale: str
    path: str
    line: int

    def text(self, language: str) -> tuple[str, str, str]:
        """(title, statement, acceptance) in ``language``."""
        if language == "en":
            return self.title_en, self.statement_en, self.acceptance_en
        return self.title, self.statement, self.acceptance


@dataclass(frozen=True)
class Catalog:
    name: str
    root: Path
    areas: dict[str, str]
    items: tuple[CatalogItem, ...]
    areas_en: dict[str, str]

    def area_title(self, code: str, language: str) -> str:
        if language == "en" and code in self.areas_en:
            return self.areas_en[code]
        return self.areas.get(code, code)

    def by_id(self) -> dict[str, CatalogItem]:
        return {item.id: item for item in self.items}

    def select(self, areas: Iterable[str] = ()) -> list[CatalogItem]:
        wanted = list(areas)
        unknown = [a for a in wanted if a not in self.areas]
        if unknown:
            hint = did_you_mean(unknown[0], self.areas)
            raise UsageError(
                f"unknown area(s) {', '.join(unknown)} in catalogue {self.name!r}; "
                f"areas: {', '.join(self.areas)}",
                hint=hint,
            )
        return [item for item in self.items if not wanted or item.area in wanted]


def _directive_class() -> type:
    from docutils.parsers.rst import Directive, directives

    class CatalogDirective(Directive):
        optional_arguments = 1
        final_argument_whitespace = True
        has_content = True
        option_spec: ClassVar = {name: directives.unchanged for name in _FIELDS}

    return CatalogDirective


def _items_of(path: Path, display: str) -> list[CatalogItem]:
    from docutils.parsers.rst.directives import unchanged  # noqa: F401  (docutils loaded)
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.directives import parse_directive_text
    from myst_parser.parsers.mdit import create_md_parser

    parser = create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML)
    directive = _directive_class()
    items = []
    for token in parser.parse(read_text(path)):
        if token.type not in ("colon_fence", "fence") or not token.info.startswith("{catreq}"):
            continue
        line = (token.map[0] + 1) if token.map else 0
        where = Location(display, line)
        try:
            parsed = parse_directive_text(
                directive, token.info[len("{catreq}") :].strip(), token.content, line=line
            )
        except Exception as exc:  # docutils MarkupError and friends: a malformed item
            raise InputError(f"cannot read catalogue item: {exc}", location=where) from None
        options = parsed.options
        missing = [name for name in _REQUIRED if not options.get(name)]
        if missing:
            raise InputError(
                f"catalogue item lacks :{': :'.join(missing)}:",
                location=where,
                item=options.get("id"),
            )
        items.append(
            CatalogItem(
                id=options["id"].strip(),
                area=options["area"].strip(),
                priority=options["priority"].strip(),
                verification=options["verification"].strip(),
                typical_phase=options["typical_phase"].strip(),
                tags=tuple(t.strip() for t in options.get("tags", "").split(",") if t.strip()),
                title=" ".join(parsed.arguments).strip(),
                statement=" ".join(line.strip() for line in parsed.body if line.strip()),
                acceptance=options["acceptance"].strip(),
                title_en=options["title_en"].strip(),
                statement_en=options["statement_en"].strip(),
                acceptance_en=options["acceptance_en"].strip(),
                rationale=(options.get("rationale") or "").strip(),
                path=display,
                line=line,
            )
        )
    return items


def load_catalog(name_or_path: str) -> Catalog:
    """A built-in catalogue by name (``crm``) or a catalogue project directory."""
    root = BUILTIN.get(name_or_path) or Path(name_or_path)
    if not (root / "spec").is_dir():
        raise UsageError(
            f"no catalogue {name_or_path!r}",
            hint=f"built-in catalogues: {', '.join(BUILTIN)}; or give the path of "
            "a catalogue project (with conf/ and spec/)",
        )
    settings = load_settings(root / "conf" / "specheft.toml")
    items: list[CatalogItem] = []
    for path in sorted((root / "spec").rglob("*.md")):
        items += _items_of(path, str(path))
    phases = {p.id for p in STANDARD_PHASES}
    for item in items:
        if item.typical_phase not in phases:
            raise InputError(
                f"unknown typical phase {item.typical_phase!r}",
                location=Location(item.path, item.line),
                item=item.id,
            )
    items.sort(
        key=lambda i: (
            list(settings.areas).index(i.area) if i.area in settings.areas else len(settings.areas),
            i.id,
        )
    )
    return Catalog(name_or_path, root, dict(settings.areas), tuple(items), dict(settings.areas_en))
