"""``specheft import xlsx|csv``: a customer's requirements list → MyST pages.

The header row is the first of the top 30 rows in which an id column and a title or
text column are recognised (German and English names, see ``SYNONYMS``). A row with
an id is an item; a row without id holding only a chapter or title is a section
heading; a Chapter column opens a section when its value changes. Columns that are
no specheft field become the project's own fields (``[fields]`` of specheft.toml; a new
one is declared there by the import); a value of several lines, a column ``--map``
marks ``keep``, or any such column when no specheft.toml is at hand, is kept in the
item's text as a ``**Header:** value`` line: never dropped. Every row is checked
before anything is written; then all pages (and the new fields) are written or none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from specheft.config.fields import (
    CustomField,
    declaring,
    imported_field,
    label_clash,
    option_value,
    own_field_problem,
)
from specheft.config.reader import read_map
from specheft.errors import InputError, Location, UsageError, did_you_mean
from specheft.io.safe.xlsx import column_letter
from specheft.io.sheets.reading import Grid, open_workbook, read_csv
from specheft.io.tags import tags_of
from specheft.model import FIELD_DEFS, GLOBAL_ID_PATTERN, LINK_DEFS, FieldDef, Kind, Status

# column role → header names (compared case-folded, without trailing ".:" and spaces)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "nr",
        "nr.",
        "nummer",
        "no",
        "no.",
        "number",
        "req id",
        "req-id",
        "anforderungs-id",
        "anforderungsnummer",
        "anf.-nr",
        "lfd. nr",
        "lfd nr",
        "kennung",
        "key",
    ),
    "title": (
        "title",
        "titel",
        "überschrift",
        "ueberschrift",
        "kurztext",
        "bezeichnung",
        "summary",
        "name",
    ),
    "text": (
        "text",
        "anforderung",
        "anforderungstext",
        "beschreibung",
        "description",
        "requirement",
        "statement",
        "langtext",
        "inhalt",
    ),
    "status": ("status",),
    # sphinx-needs' tags: a list, written to :tags:
    "tags": (
        "tags",
        "tag",
        "schlagworte",
        "schlagwörter",
        "schlagwort",
        "stichworte",
        "stichwörter",
        "stichwort",
        "keywords",
    ),
    "priority": (
        "priority",
        "priorität",
        "prioritaet",
        "prio",
        "verbindlichkeit",
        "muss/soll/kann",
        "kategorie",
        "kriterium",
    ),
    "area": ("area", "bereich", "modul", "fachbereich"),
    "source": ("source", "quelle", "herkunft"),
    "origin": ("origin",),
    "rationale": ("rationale", "begründung", "begruendung", "hintergrund"),
    "acceptance": (
        "acceptance",
        "acceptance criteria",
        "abnahmekriterium",
        "abnahmekriterien",
        "akzeptanzkriterium",
        "akzeptanzkriterien",
    ),
    "verification": ("verification", "nachweis", "nachweisart", "prüfart", "verifikation"),
    "level": ("level", "teststufe"),
    "solution": ("solution", "lösung", "loesung", "lösungsart"),
    "chapter": ("chapter", "kapitel", "abschnitt", "gliederung", "section"),
    "page": ("page",),  # the export's own column (the source page): not carried back
    # the export's columns of the test and spec sheets (see _OWN_KINDS_ONLY)
    "role": ("role",),
    "reviewed": ("reviewed",),
    **{name: (name,) for name in LINK_DEFS},
}
_BY_NAME = {word: role for role, words in SYNONYMS.items() for word in words}

PRIORITY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("must", "muss", "m", "k.o.", "k.o", "ko", "k. o.", "1", "shall", "mandatory", "pflicht"),
        "must",
    ),
    **dict.fromkeys(("should", "soll", "s", "a", "2", "wichtig"), "should"),
    **dict.fromkeys(("can", "kann", "k", "b", "3", "could", "may", "optional", "wunsch"), "can"),
}
_STATUS_WORDS = {
    "entwurf": "draft",
    "abgestimmt": "agreed",
    "zurückgestellt": "deferred",
    "abgelehnt": "rejected",
    "obsolet": "obsolete",
}
_KIND_BY_PREFIX = {"AB-": Kind.EXCL, "PH-": Kind.SPEC, "TC-": Kind.TEST}  # 3 characters each
_STATUSES = frozenset(Status)
# roles entries() takes from their own columns (or drops: the export's page column)
_NOT_OPTIONS = frozenset(("id", "title", "text", "chapter", "page"))
_ID = re.compile(GLOBAL_ID_PATTERN)
# fields whose English name a customer's list may use for a column of its own ("Role",
# "Reviewed" of a requirements list): theirs only on a sheet whose items all have them
_OWN_KINDS_ONLY = ("role", "reviewed")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")
_HEADER_SEARCH = 30
_MAX_ERRORS = 20


KEEP = "keep"  # a --map target: keep the column as a ``**Header:** value`` line
OWN_FIELD = "field:"  # a --map target: "field:NAME", the project's own field NAME
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_GERMAN_DECIMAL = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")


def german_value(text: str) -> tuple[str, str]:
    """``31.12.2026`` → ``2026-12-31`` and ``1.234,5`` → ``1234.5`` (a whole cell only;
    ``1.234`` without a comma stays, it may be a chapter number); (value, problem)."""
    if not (text[:1].isdigit() or text[:1] == "-") or ("." not in text and "," not in text):
        return text, ""  # most cells: neither pattern can match (isdigit covers \d)
    match = _GERMAN_DATE.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day).isoformat(), ""
        except ValueError:
            return text, f"{text!r} is written like a date (DD.MM.YYYY) but is no date"
    if _GERMAN_DECIMAL.fullmatch(text):
        return text.replace(".", "").replace(",", "."), ""
    return text, ""


@dataclass(frozen=True)
class SheetMap:
    """``--map FILE``: normalised column header → role, priority word → priority."""

    path: Path
    columns: dict[str, str]
    priorities: dict[str, str]


_MAP_TABLES = ("columns", "priorities")


def map_targets() -> tuple[str, ...]:
    return (*SYNONYMS, KEEP)


def load_map(path: Path) -> SheetMap:
    """The TOML map in ``path``; a located error (exit 2) for anything wrong in it::

    [columns]            # column header → id | title | text | a field | a link | keep
    "Lfd. Nr." = "id"    #   | field:NAME (a field of the project's own)
    "Wichtigkeit" = "priority"
    [priorities]         # word → must | should | can
    "hoch" = "must"
    """
    data, reader = read_map(path, _MAP_TABLES)
    tables: dict[str, dict[str, str]] = {}
    for name, allowed in (("columns", map_targets()), ("priorities", ("must", "should", "can"))):
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            reader.error("", name, f"must be a table ([{name}]), got {type(raw).__name__}")
        tables[name] = {}
        for key, value in raw.items():
            if name == "columns" and isinstance(value, str) and value.startswith(OWN_FIELD):
                problem = own_field_problem(value.strip().removeprefix(OWN_FIELD))
                if problem:
                    reader.error(name, key, f"{value!r}: {problem}")
                tables[name][_norm(str(key))] = value.strip()
                continue
            if not isinstance(value, str) or value.strip() not in allowed:
                reader.error(
                    name,
                    key,
                    f"{value!r} is not allowed; allowed: {', '.join(allowed)}",
                    did_you_mean(str(value), allowed),
                )
            tables[name][_norm(str(key))] = value.strip()
    return SheetMap(path, tables["columns"], tables["priorities"])


def _norm(header: str) -> str:
    return unicodedata.normalize("NFC", " ".join(header.split())).casefold().rstrip(".: ")


def role_of(header: str, mapping: SheetMap | None = None) -> str | None:
    name = _norm(header)
    if mapping is not None and name in mapping.columns:
        return mapping.columns[name]
    return _BY_NAME.get(name) or _BY_NAME.get(name + ".")


@dataclass
class Header:
    row: int  # index into Grid.rows
    roles: dict[int, str]  # column index (0-based) → role
    extra: dict[int, str]  # column index → header text of an unmapped column
    kept: frozenset[int] = frozenset()  # extra columns --map marks "keep": text lines
    named: dict[int, str] = field(default_factory=dict)  # --map "field:NAME" columns
    fields: dict[int, CustomField] = field(default_factory=dict)
    """extra column index → the project's own field its one-line values go to"""


def find_header(grid: Grid, mapping: SheetMap | None = None) -> Header | None:
    for index, cells in enumerate(grid.rows[:_HEADER_SEARCH]):
        roles: dict[int, str] = {}
        kept: set[int] = set()
        named: dict[int, str] = {}
        for column, text in enumerate(cells):
            role = role_of(text, mapping) if text.strip() else None
            if role == KEEP:
                kept.add(column)  # the map keeps it as a text line: an extra column
                continue
            if role and role.startswith(OWN_FIELD):  # an extra column with its field named
                named[column] = role.removeprefix(OWN_FIELD)
                continue
            if role and role not in roles.values():
                roles[column] = role
        found = set(roles.values())
        if "id" in found and found & {"title", "text"}:
            extra = {
                c: " ".join(t.split()) for c, t in enumerate(cells) if c not in roles and t.strip()
            }
            return Header(index, roles, extra, frozenset(kept), named)
    return None


@dataclass
class Entry:
    """An item or a section heading, in sheet order."""

    line: int
    heading: str = ""
    level: int = 2
    id: str = ""
    kind: Kind = Kind.REQ
    title: str = ""
    text: str = ""
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Imported:
    files: list[Path]
    items: int
    notes: list[str] = field(default_factory=list)


class _Errors:
    def __init__(self) -> None:
        self.found: list[tuple[Location, str]] = []

    def add(self, where: Location, message: str) -> None:
        self.found.append((where, message))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        where, first = self.found[0]
        more = [f"  {w}: {m}" for w, m in self.found[1:_MAX_ERRORS]]
        if len(self.found) > _MAX_ERRORS:
            more.append(f"  … and {len(self.found) - _MAX_ERRORS} more")
        message = first + (
            f"\n  ({len(self.found)} errors; nothing written)\n" + "\n".join(more) if more else ""
        )
        raise InputError(
            message, location=where, hint="nothing was written; fix the rows and import again"
        )


def entries(
    grid: Grid,
    header: Header,
    mapping: SheetMap | None = None,
    seen: dict[str, tuple[Grid, int]] | None = None,
) -> list[Entry]:
    """The items and headings of ``grid``; ``seen`` (id → sheet, row) spans several sheets."""
    errors = _Errors()
    found: list[Entry] = []
    seen = {} if seen is None else seen
    priorities = mapping.priorities if mapping is not None else {}
    chapter = ""
    column_of = {role: c for c, role in header.roles.items()}
    # chosen once per sheet, not per cell: the columns of each role and what they hold
    id_column, title_column, text_column, chapter_column = (
        column_of.get(role, -1) for role in ("id", "title", "text", "chapter")
    )
    words = {column_of.get("chapter"), column_of.get("title")}
    # per option column: its field's definition and the options its cells gave, by cell
    # text (the same status, priority or area in many rows is converted once)
    options: list[tuple[int, str, FieldDef | None, dict[str, str]]] = [
        (column, role, None if role == "tags" else FIELD_DEFS.get(role), {})
        for column, role in header.roles.items()
        if role not in _NOT_OPTIONS
    ]
    extras = [(c, name, header.fields.get(c)) for c, name in header.extra.items()]
    widest = max(map(len, grid.rows[header.row + 1 :]), default=0)
    unnamed = [c for c in range(widest) if c not in header.roles and c not in header.extra]

    def cell(cells: list[str], c: int) -> str:
        return cells[c].strip() if 0 <= c < len(cells) else ""

    priority_of: dict[str, str | None] = {}  # cell text → priority (or None: unknown)
    for cells, line in zip(
        grid.rows[header.row + 1 :], grid.numbers[header.row + 1 :], strict=True
    ):
        width = len(cells)
        item_id = cells[id_column].strip() if id_column < width else ""
        if not item_id:  # with an id the row has a value
            filled = [c for c, t in enumerate(cells) if t.strip()]
            if not filled:
                continue
        new_chapter = cells[chapter_column].strip() if 0 <= chapter_column < width else ""
        if new_chapter and new_chapter != chapter:
            chapter = new_chapter
            found.append(Entry(line, heading=" ".join(chapter.split()), level=_level(chapter)))
        if not item_id:
            if len(filled) == 1 or set(filled) <= words:
                text = (
                    cells[filled[0]]
                    if len(filled) == 1
                    else cell(cells, title_column) or cell(cells, chapter_column)
                )
                heading = " ".join(text.split())
                if heading != chapter:
                    found.append(Entry(line, heading=heading, level=_level(heading)))
                continue
            errors.add(
                grid.where(line, column_of.get("id", 0) + 1),
                "the row has content but no id (only a heading row may lack one)",
            )
            continue
        if not _ID.match(item_id):
            errors.add(
                grid.where(line, column_of["id"] + 1),
                f"{item_id!r} is not an item id (like LH-KON-001)",
            )
            continue
        if item_id in seen:
            first, row = seen[item_id]
            at = f"row {row}" if first is grid else str(first.where(row))
            errors.add(
                grid.where(line, column_of["id"] + 1), f"{item_id}: duplicate id (first in {at})"
            )
            continue
        seen[item_id] = (grid, line)
        kind = kind_of_id(item_id)
        entry = Entry(line, id=item_id, kind=kind)
        text = cells[text_column].strip() if 0 <= text_column < width else ""
        title = cells[title_column].strip() if 0 <= title_column < width else ""
        entry.title = " ".join((title or _first_words(text)).split())
        entry.text = text.replace("\r\n", "\n")
        for column, role, definition, done in options:
            raw = cells[column] if column < width else ""
            value = done.get(raw)
            if value is None:  # not converted yet, or not without a problem
                value, problem = _option(role, raw.strip(), priorities, priority_of, mapping)
                if problem:
                    errors.add(grid.where(line, column + 1), f"{item_id}: {problem}")
                    continue
                if value and definition is not None:
                    if kind not in definition.kinds:
                        errors.add(
                            grid.where(line, column + 1),
                            f"{item_id}: a {kind} item has no field {role!r}",
                        )
                        continue
                    if definition.values and value not in definition.values:
                        errors.add(
                            grid.where(line, column + 1),
                            f"{item_id}: {role} {value!r} is not one of "
                            f"{', '.join(definition.values)}",
                        )
                        continue
                value = done[raw] = " ".join(value.split())
            elif value and definition is not None and kind not in definition.kinds:
                errors.add(
                    grid.where(line, column + 1), f"{item_id}: a {kind} item has no field {role!r}"
                )
                continue
            if value:
                entry.options[role] = value
        kept = []
        for c, name, custom in extras:
            value = german_value(cells[c].strip())[0] if c < len(cells) else ""
            if custom is not None and kind in custom.kinds and value and "\n" not in value:
                entry.options[custom.name] = " ".join(value.split())
            elif value:  # several lines are no option: a text line, as without fields
                kept.append(f"**{name}:** {value}")
        for c in unnamed:  # a value under an empty header cell: kept, not lost
            if c < len(cells) and cells[c].strip():
                kept.append(f"**{unnamed_column(c)}:** {german_value(cells[c].strip())[0]}")
        if kept:
            entry.text = (entry.text.rstrip("\n") + "\n\n" if entry.text else "") + "\n\n".join(
                kept
            )
        found.append(entry)
    errors.raise_if_any()
    return found


def _option(
    role: str,
    value: str,
    priorities: dict[str, str],
    priority_of: dict[str, str | None],
    mapping: SheetMap | None,
) -> tuple[str, str]:
    """The option a cell's stripped ``value`` gives its ``role`` ("": none) and the
    problem with it ("": none): tags as a list, priority and status words mapped, a
    German date or decimal as specheft writes it."""
    if not value:
        return "", ""
    if role == "tags":  # the field's checks do not apply: tags are sphinx-needs' own
        tags, problem = tags_of(value)
        return ("", problem) if problem else (", ".join(tags), "")
    if role == "priority":
        if value in priority_of:
            mapped = priority_of[value]
        else:
            word = _norm(value)
            mapped = priorities.get(word) or PRIORITY_WORDS.get(word)
            mapped = priority_of[value] = mapped or PRIORITY_WORDS.get(word + ".")
        if mapped is None:
            mine = f", or a word of [priorities] in {mapping.path}" if mapping else ""
            return "", (
                f"unknown priority {value!r} (use Muss/Soll/Kann, must/should/can, "
                f"K.o./A/B, M/S/K or 1/2/3{mine})"
            )
        return mapped, ""
    if role == "status":
        status = _STATUS_WORDS.get(value.casefold(), value.casefold())
        if status not in _STATUSES:
            return "", f"unknown status {value!r} (allowed: {', '.join(Status)})"
        return status, ""
    return german_value(value)  # a field or link


def unnamed_column(column: int) -> str:
    """The name of a column (0-based) whose header cell is empty: ``Column C``."""
    return f"Column {column_letter(column + 1)}"


def _unnamed(grid: Grid, header: Header) -> list[str]:
    """The columns without a header cell that hold a value in a row below the header."""
    named = header.roles.keys() | header.extra.keys()
    rows = grid.rows[header.row + 1 :]
    width = max(map(len, rows), default=0)
    candidates = [c for c in range(width) if c not in named]  # usually none
    found = {c for cells in rows for c in candidates if c < len(cells) and cells[c].strip()}
    return [unnamed_column(c) for c in sorted(found)]


def kind_of_id(item_id: str) -> Kind:
    """The kind an imported item gets: by the id's prefix, else a requirement."""
    return _KIND_BY_PREFIX.get(item_id[:3], Kind.REQ)


def narrow(grid: Grid, header: Header, mapping: SheetMap | None = None) -> None:
    """A ``role``/``reviewed`` column is that field only where every item of the sheet
    has it (an export's Tests or Pflichtenheft sheet); else it is the sheet's own column,
    as any unmapped one. What ``--map`` names stays as named."""
    column_of = {role: c for c, role in header.roles.items()}
    id_column = column_of["id"]
    ids = {r[id_column].strip() for r in grid.rows[header.row + 1 :] if len(r) > id_column}
    kinds = {kind_of_id(i) for i in ids if i}
    names = grid.rows[header.row]
    for role in _OWN_KINDS_ONLY:
        column = column_of.get(role)
        if column is None or kinds <= set(FIELD_DEFS[role].kinds):
            continue
        if mapping is not None and _norm(names[column]) in mapping.columns:
            continue
        del header.roles[column]
        header.extra[column] = " ".join(names[column].split())


def _level(heading: str) -> int:
    match = _NUMBERED.match(heading)
    return 2 + min(match[1].count(".") if match else 0, 3)


def _first_words(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + " …"


_COLON_RUN = re.compile(r"^\s*(:{3,})", flags=re.M)


def render(title: str, found: list[Entry]) -> str:
    out = [f"# {title}", ""]
    quoted: dict[str, str] = {}  # option value → as written (priorities, areas … repeat)
    for entry in found:
        if entry.heading:
            out += ["#" * entry.level + " " + entry.heading, ""]
            continue
        body = entry.text.strip("\n")
        # the fence must be longer than any colon run opening a line of the body
        runs = [len(m) for m in _COLON_RUN.findall(body)] if ":::" in body else []
        fence = ":" * max(3, max(runs, default=0) + 1)
        out.append(f"{fence}{{{entry.kind}}} {entry.title}")
        out.append(f":id: {entry.id}")
        # quoted where MyST would read it otherwise ("#1 Team" would be a comment)
        for name, value in entry.options.items():
            written = quoted.get(value)
            if written is None:
                written = quoted[value] = option_value(value)
            out.append(f":{name}: {written}")
        out += ["", body, fence, ""] if body else [fence, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "import"


def import_sheet(
    file: Path,
    into: Path,
    *,
    fmt: str,
    sheet: str | None = None,
    force: bool = False,
    sheets: Sequence[str] = (),
    mapping: SheetMap | None = None,
    every: bool = False,
    settings_file: Path | None = None,
    fields: Sequence[CustomField] = (),
) -> Imported:
    """Read the sheets asked for (``sheet``/``sheets``; default: each one with a header
    row and items of its own — requirements are often spread over sheets, one per area),
    check every row, then write one page per sheet — all or none. ``every`` (the former
    ``--all-sheets``) is the default now and changes nothing.

    ``settings_file``: the project's specheft.toml, with its declared ``fields``; an
    unmapped column then becomes a field (a new one declared there, with the pages);
    None: such columns are text lines."""
    display = str(file)
    wanted = [*([sheet] if sheet else []), *sheets]
    del every  # every sheet with a header row unless sheets are named
    found_sheets: list[tuple[Grid, Header]] = []
    skipped: list[str] = []
    if fmt == "csv":
        if wanted:
            raise UsageError("--sheet is for workbooks; a CSV file has one table")
        grid = read_csv(file, display)
        header = find_header(grid, mapping)
        if header is None:
            _no_header(grid, fmt, display, mapping)
        found_sheets.append((grid, header))
    else:
        with open_workbook(file, display, check=wanted or None, every=True) as book:
            if not book.names:
                raise InputError("has no worksheet", location=Location(display))
            first: Grid | None = None
            for name in wanted or book.names:
                grid = book.values(name)
                first = first or grid
                header = find_header(grid, mapping)
                if header is None:
                    if wanted or len(book.names) == 1:
                        _no_header(grid, fmt, display, mapping)
                    skipped.append(f"{name} (no header row)")
                    continue
                book.check(name)  # formulas without a cached value, at their cell
                found_sheets.append((grid, header))
            if not found_sheets:
                assert first is not None
                _no_header(first, fmt, display, mapping)
    seen: dict[str, tuple[Grid, int]] = {}
    pages: dict[Path, str] = {}
    imported: list[tuple[Grid, Header]] = []  # the sheets that became pages
    items = 0
    errors: list[InputError] = []
    known = list(fields)
    for grid, header in found_sheets:
        if not wanted and _repeats(grid, header, seen):
            skipped.append(f"{grid.sheet} (its ids are those of earlier sheets)")
            continue
        narrow(grid, header, mapping)
        if settings_file is not None:
            _assign_fields(header, known)
        try:
            found = entries(grid, header, mapping, seen)
        except InputError as exc:
            errors.append(exc)
            continue
        count = sum(1 for e in found if e.id)
        if not count and not wanted and len(found_sheets) > 1:
            # one of several sheets (an export's empty Exclusions): named, not an error
            skipped.append(f"{grid.sheet} (no item rows)")
            continue
        if not count:
            raise InputError(
                "has a header row but no item rows", location=grid.where(grid.numbers[header.row])
            )
        items += count
        title = grid.sheet if grid.sheet and fmt != "csv" else file.stem
        name = file.stem if len(found_sheets) == 1 else f"{file.stem}-{grid.sheet}"
        page = into / f"{_slug(name)}.md"
        if page in pages:
            page = into / f"{_slug(name)}-{len(pages) + 1}.md"
        pages[page] = render(title, found)
        imported.append((grid, header))
    if errors:
        raise errors[0]
    if not pages:  # every sheet with a header row was empty or a view of another
        grid, header = found_sheets[0]
        raise InputError(
            "no sheet has item rows of its own (" + "; ".join(skipped) + ")",
            location=grid.where(grid.numbers[header.row]),
        )
    _refuse_non_empty(into, force)
    # only the new fields some item has a value of are declared
    new = [c for c in known[len(fields) :] if _option_line(c.name, pages.values())]
    with declaring(settings_file, new):
        _write_all(pages, into)
    listed = ", ".join(p.stem for p in pages)
    notes = [f"add {listed} (in {into}) to a toctree to include the imported items"]
    if new:
        notes.append(
            f"declared {len(new)} new field(s) in {settings_file}: "
            + ", ".join(f"{c.name} ({c.label!r})" for c in new)
        )
    if settings_file is None:
        texts = sorted({name for _, header in imported for name in header.extra.values()})
        if texts:
            notes.append(
                "kept as text lines in the items (no project around the target folder to "
                "declare fields in; import into the project to make them fields): "
                + ", ".join(texts)
            )
    unnamed = [
        f"{grid.sheet}: {', '.join(columns)}" if grid.sheet else ", ".join(columns)
        for grid, header in imported
        if (columns := _unnamed(grid, header))
    ]
    if unnamed:
        notes.append(
            "values in columns without a header cell are kept as text lines in the items "
            "(**Column C:** …); give the columns a header to make them fields: "
            + "; ".join(unnamed)
        )
    if skipped:
        notes.append(
            "skipped sheet(s) without a header row or without items of their own: "
            + ", ".join(skipped)
        )
    return Imported(list(pages), items, notes)


_OPTION_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _option_line(name: str, texts: Iterable[str]) -> bool:
    """Whether a line of ``texts`` starts with ``:name:`` (an option line, or a body line
    written like one): a substring test per name instead of a regex over every line."""
    if not _OPTION_NAME.fullmatch(name):
        return False
    line = f"\n:{name}:"
    return any(line in text or text.startswith(line[1:]) for text in texts)


def _assign_fields(header: Header, known: list[CustomField]) -> None:
    """Give each unmapped column of ``header`` a field: a declared one by label or name,
    else a new one (appended to ``known``, declared for every kind) named after the
    header; ``--map`` keep columns stay text lines."""
    for column, text in header.extra.items():
        if column in header.kept:
            continue
        name = header.named.get(column)
        if name is None:
            header.fields[column] = imported_field(text, known)
            continue
        custom = next((c for c in known if c.name == name), None)
        if custom is None:  # named by the map, not declared yet
            label = text if label_clash(text, known) is None else name
            custom = CustomField(name, label, tuple(Kind))
            known.append(custom)
        header.fields[column] = custom


def _repeats(grid: Grid, header: Header, seen: dict[str, tuple[Grid, int]]) -> bool:
    """Every id of ``grid`` is in an earlier sheet: a view of the same items (a coverage
    matrix, a summary), not items of its own."""
    column = next(c for c, role in header.roles.items() if role == "id")
    ids = {r[column].strip() for r in grid.rows[header.row + 1 :] if len(r) > column}
    ids.discard("")
    return bool(ids) and ids <= seen.keys()


def _no_header(grid: Grid, fmt: str, display: str, mapping: SheetMap | None) -> NoReturn:
    where = Location(display) if fmt == "csv" else Location(display, sheet=grid.sheet)
    if not grid.rows:
        raise InputError("is empty: no row has a value", location=where)
    mine = f", or columns named in [columns] of {mapping.path}" if mapping else ""
    raise InputError(
        "no header row found in the first 30 rows (needs an id column, e.g. 'ID' or "
        f"'Nr.', and 'Titel' or 'Anforderung'{mine})",
        location=where,
    )


def _refuse_non_empty(into: Path, force: bool) -> None:
    if into.exists() and not into.is_dir():
        raise UsageError(f"--into {into} is not a directory")
    if into.is_dir() and any(into.iterdir()) and not force:
        raise UsageError(f"--into {into} is not empty; not writing into it", hint="use --force")


def _write_all(pages: dict[Path, str], into: Path) -> None:
    """All pages or none: written into a fresh directory beside ``into``, then moved."""
    into.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".specheft-import-", dir=into.parent))
    try:
        for path, text in pages.items():
            (staging / path.name).write_text(text, encoding="utf-8")
        if not into.exists():
            os.rename(staging, into)
            return
        for path in pages:  # --force into an existing directory: each file replaced whole
            os.replace(staging / path.name, path)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
