"""The rows of a returned compliance workbook, checked against what was asked.

Protection and drop-downs in the workbook are guides only: pasting bypasses them, and
any program can rewrite the file. So every row is checked again here — code, effort,
id, duplicates, deleted rows, the locked text (by its fingerprint against the hidden
sheet) and the hidden sheet itself against the project's requirements now. All
problems are collected and reported together, each at its sheet!row with the item id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from specheft.errors import InputError, Location
from specheft.tender.columns import ALIASES, META_FORMAT, REQUIRED, header, normalise
from specheft.tender.model import (
    Answer,
    Asked,
    Offer,
    baseline_fingerprint,
    row_fingerprint,
    same_vendor,
)

MAX_EFFORT = 1_000_000.0


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    where: Location


@dataclass(frozen=True)
class Returned:
    """A compliance workbook as read: the hidden sheet's keys and rows, the answer sheet."""

    display: str
    meta: Mapping[str, tuple[str, Location]]
    asked: Sequence[tuple[str, str, Location]]
    """(id, row fingerprint, where) for every requirement the workbook asked."""
    header: Row
    rows: Sequence[Row]
    sha256: str = ""


@dataclass
class Checked:
    offer: Offer
    incomplete: list[str] = field(default_factory=list)
    """must requirements without a fulfilment code: the offer is incomplete."""
    unanswered: int = 0


@dataclass
class _Problems:
    found: list[tuple[Location, str | None, str]] = field(default_factory=list)

    def add(self, where: Location, item: str | None, message: str) -> None:
        self.found.append((where, item, message))

    def raise_any(self, hint: str) -> None:
        if not self.found:
            return
        (where, item, message), *rest = self.found
        more = "".join(f"\n  also: {w}: {f'{i}: ' if i else ''}{m}" for w, i, m in rest[:50])
        if len(rest) > 50:
            more += f"\n  … and {len(rest) - 50} more"
        count = f" ({len(self.found)} problems, nothing was stored)" if rest else ""
        raise InputError(f"{message}{count}{more}", location=where, item=item, hint=hint)


def parse_effort(text: str) -> float | None:
    """``""`` → None; ``1,5`` or ``1.5`` → 1.5; anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _columns(row: Row, language: str, problems: _Problems) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        for key, names in ALIASES.items():
            if normalise(cell) in names and key not in found:
                found[key] = index
    missing = [header(k, language) for k in REQUIRED if k not in found]
    if missing:
        problems.add(row.where, None, f"missing column(s) {', '.join(missing)} in the header row")
    return found


def check_returned(
    returned: Returned,
    current: Sequence[Asked],
    *,
    vendor: str,
    project: str,
    codes: Sequence[str],
) -> Checked:
    """The bidder's answers, or an :class:`InputError` naming every problem found."""
    problems = _Problems()
    meta = returned.meta
    hint = "fix the rows named, or send the bidder a new template (specheft compliance template)"

    def meta_value(key: str) -> str:
        return meta.get(key, ("", Location(returned.display)))[0]

    def meta_where(key: str) -> Location:
        return meta.get(key, ("", Location(returned.display)))[1]

    if meta_value("format") != META_FORMAT:
        raise InputError(
            "not a compliance workbook of specheft (its hidden sheet is missing or changed)",
            location=meta_where("format"),
            hint="answer in the workbook written by 'specheft compliance template'",
        )
    if not same_vendor(meta_value("vendor"), vendor):
        problems.add(
            meta_where("vendor"),
            None,
            f"the workbook was written for the bidder {meta_value('vendor')!r}, not {vendor!r}",
        )
    if meta_value("project") != project:
        problems.add(
            meta_where("project"),
            None,
            f"the workbook belongs to the project {meta_value('project')!r}, not {project!r}",
        )
    problems.raise_any("import it with the --vendor it was written for, in its project")

    language = meta_value("language") or "de"
    columns = _columns(returned.header, language, problems)
    problems.raise_any(hint)

    def cell(row: Row, key: str) -> str:
        index = columns[key]
        return row.cells[index].strip() if index < len(row.cells) else ""

    # a problem with a requirement is shown at its row of the visible sheet if it has one
    visible: dict[str, Location] = {}
    for row in returned.rows:
        visible.setdefault(cell(row, "id"), row.where)
    now = {a.id: a for a in current}
    asked = {item: (fp, where) for item, fp, where in returned.asked}
    baseline = meta_value("baseline")
    if baseline != baseline_fingerprint(current):
        # the requirements changed since the template was written: name what changed
        for item, (fp, where) in asked.items():
            if item not in now:
                problems.add(
                    visible.get(item, where),
                    item,
                    "is no longer an active requirement of the project",
                )
            elif now[item].fingerprint != fp:
                problems.add(
                    visible.get(item, where),
                    item,
                    "the requirement changed since the template was written",
                )
        for item in now:
            if item not in asked:
                problems.add(
                    meta_where("baseline"),
                    item,
                    "a requirement added since the template was written (not asked)",
                )
        if not problems.found:
            problems.add(
                meta_where("baseline"),
                None,
                f"baseline {baseline!r} is not the project's "
                f"({baseline_fingerprint(current)}): the hidden sheet was changed",
            )
        problems.raise_any(
            "the answers are to another version of the requirements: send the bidder a "
            "new template (specheft compliance template) for the current baseline"
        )

    by_code = {normalise(c): c for c in codes}
    answers: dict[str, Answer] = {}
    first_row: dict[str, Location] = {}
    for row in returned.rows:
        item = cell(row, "id")
        if not item:
            if any(cell(row, k) for k in ("code", "effort", "comment", "reference")):
                problems.add(row.where, None, "an answer in a row without a requirement id")
            continue
        if item in first_row:
            problems.add(row.where, item, f"a second row for this id (first: {first_row[item]})")
            continue
        first_row[item] = row.where
        if item not in asked:
            problems.add(row.where, item, "unknown requirement id: the template did not ask it")
            continue
        requirement = now[item]
        seen = row_fingerprint(item, cell(row, "title"), cell(row, "text"), cell(row, "priority"))
        if seen != asked[item][0]:
            changed = [
                header(key, language)
                for key, value in (
                    ("title", requirement.title),
                    ("text", requirement.text),
                    ("priority", requirement.priority),
                )
                if row_fingerprint("", cell(row, key), "", "") != row_fingerprint("", value, "", "")
            ]
            problems.add(
                row.where,
                item,
                f"locked cell(s) changed ({', '.join(changed) or 'text'}): the answer is not "
                "to the requirement asked",
            )
            continue
        raw_code = cell(row, "code")
        code = by_code.get(normalise(raw_code), "") if raw_code else ""
        if raw_code and not code:
            problems.add(
                row.where,
                item,
                f"unknown fulfilment code {raw_code!r}; allowed: {', '.join(codes)}",
            )
        raw_effort = cell(row, "effort")
        effort: float | None = None
        try:
            effort = parse_effort(raw_effort)
        except ValueError:
            problems.add(row.where, item, f"effort {raw_effort!r} is not a number (person-days)")
        if effort is not None and not 0 <= effort <= MAX_EFFORT:
            problems.add(row.where, item, f"effort {raw_effort} must be a number ≥ 0")
            effort = None
        answers[item] = Answer(
            item, asked[item][0], code, effort, cell(row, "comment"), cell(row, "reference")
        )
    for item, (_fp, where) in asked.items():
        if item not in first_row:
            problems.add(
                Location(returned.header.where.path, sheet=returned.header.where.sheet),
                item,
                f"the row of this requirement is missing (deleted?); asked at {where}",
            )
    problems.raise_any(hint)

    ordered = tuple(answers[a.id] for a in current if a.id in answers)
    offer = Offer(
        vendor=meta_value("vendor"),
        project=project,
        baseline=baseline,
        revision=meta_value("revision"),
        source=returned.display,
        sha256=returned.sha256,
        answers=ordered,
    )
    incomplete = [a.id for a in current if a.priority == "must" and not answers[a.id].code]
    unanswered = sum(1 for a in ordered if not a.code)
    return Checked(offer, incomplete, unanswered)
