"""What was asked (requirements as sent to a bidder) and what a bidder answered.

A requirement's *row fingerprint* covers what the bidder read in the locked cells that
matter — id, title, statement, priority — with whitespace folded, so an answer stays
tied to the text it answers: a later change of the requirement or of the locked cells
shows as a different fingerprint. The *baseline fingerprint* covers all rows asked.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from specheft.errors import InputError, Location
from specheft.model import Kind
from specheft.trace.graph import TraceGraph

FORMAT = "specheft-tender-answers/1"
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_VENDOR = 80


def fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def row_fingerprint(item_id: str, title: str, text: str, priority: str) -> str:
    payload = json.dumps([fold(item_id), fold(title), fold(text), fold(priority)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Asked:
    """One requirement as it stands in the compliance workbook."""

    id: str
    title: str
    text: str
    priority: str
    area: str = ""
    chapter: str = ""
    weight: float = 0.0

    @property
    def fingerprint(self) -> str:
        return row_fingerprint(self.id, self.title, self.text, self.priority)


def asked_of(
    graph: TraceGraph, weight: Callable[[str, str], float], chapters: Mapping[str, str]
) -> tuple[Asked, ...]:
    """The active requirements in document order, as a bidder is asked them; ``weight``
    gives a requirement's weight from its priority and area."""
    items = sorted(graph.of_kind(Kind.REQ), key=lambda i: (i.path or "", i.line or 0, i.id))
    return tuple(
        Asked(
            id=item.id,
            title=item.title,
            text=str(item.get("content") or "").strip("\n"),
            priority=item.priority or "",
            area=item.area or "",
            chapter=chapters.get(item.docname or "", ""),
            weight=weight(item.priority or "", item.area or ""),
        )
        for item in items
    )


def baseline_fingerprint(asked: Iterable[Asked]) -> str:
    rows = sorted((a.id, a.fingerprint) for a in asked)
    return hashlib.sha256(json.dumps(rows).encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Answer:
    id: str
    asked: str
    """The row fingerprint of the requirement as the bidder read it."""
    code: str = ""
    effort: float | None = None
    comment: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Offer:
    vendor: str
    project: str
    baseline: str
    revision: str = ""
    source: str = ""
    sha256: str = ""
    answers: tuple[Answer, ...] = field(default_factory=tuple)
    document: str = ""
    """The document whose requirements the bidder was asked (``compliance template
    --document``); empty: every active requirement of the project."""

    def by_id(self) -> dict[str, Answer]:
        return {a.id: a for a in self.answers}

    def to_json(self) -> str:
        data = asdict(self)
        if not self.document:
            del data["document"]  # the files of whole-project offers stay as they were
        data["answers"] = [
            {k: v for k, v in asdict(a).items() if v not in ("", None)} for a in self.answers
        ]
        return json.dumps({"format": FORMAT, **data}, ensure_ascii=False, indent=1) + "\n"


def check_vendor(name: str) -> str:
    """A bidder's name as given on the command line: shown in documents and file names."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise InputError("the bidder's name (--vendor) is empty")
    if _CONTROL.search(name) or len(name) > MAX_VENDOR:
        raise InputError(
            f"the bidder's name must be one line of at most {MAX_VENDOR} printable characters"
        )
    if not vendor_slug(name):
        raise InputError(f"the bidder's name {name!r} has no letter or digit")
    return name


def vendor_slug(name: str) -> str:
    """``Kontaktwerk Software GmbH`` → ``kontaktwerk-software-gmbh`` (the answers' file name)."""
    folded = unicodedata.normalize("NFKD", name.casefold().replace("ß", "ss"))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:60]


def same_vendor(a: str, b: str) -> bool:
    return vendor_slug(a) == vendor_slug(b)


def _text(data: Mapping[str, Any], key: str, where: Location) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InputError(f"{key!r} must be a string, got {type(value).__name__}", location=where)
    return value


def offer_from_json(text: str, display: str) -> Offer:
    """An answers file as written by ``compliance import`` (a hand edit is checked too)."""
    where = Location(display)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", location=Location(display, exc.lineno)
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a specheft answers file (format {FORMAT!r})", location=where)
    raw = data.get("answers")
    if not isinstance(raw, list):
        raise InputError("'answers' must be a list", location=where)
    answers = []
    seen: set[str] = set()
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise InputError("every answer needs an 'id' string", location=where)
        item = entry["id"]
        if item in seen:
            raise InputError("answered twice", location=where, item=item)
        seen.add(item)
        effort = entry.get("effort")
        if effort is not None and (
            not isinstance(effort, int | float)
            or isinstance(effort, bool)
            or not math.isfinite(effort)
            or effort < 0
        ):
            raise InputError(f"effort {effort!r} is not a number ≥ 0", location=where, item=item)
        answers.append(
            Answer(
                item,
                _text(entry, "asked", where),
                _text(entry, "code", where),
                None if effort is None else float(effort),
                _text(entry, "comment", where),
                _text(entry, "reference", where),
            )
        )
    vendor = _text(data, "vendor", where)
    if not vendor.strip():
        raise InputError("'vendor' is empty", location=where)
    return Offer(
        vendor,
        _text(data, "project", where),
        _text(data, "baseline", where),
        _text(data, "revision", where),
        _text(data, "source", where),
        _text(data, "sha256", where),
        tuple(answers),
        _text(data, "document", where),
    )
