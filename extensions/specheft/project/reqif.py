"""The return trip of a ReqIF exchange: the customer's file answered from the project.

``specheft import reqif`` left a sidecar beside each page (:mod:`specheft.io.reqif.origin`)
naming, for every item, the SPEC-OBJECT it came from and the file's REQ-IF-HEADER.
Here the customer's original file is matched against those sidecars and, for every
imported requirement (``req``), the vendor-editable attributes are filled from the project:

- the *comment*: the Pflichtenheft items that satisfy the item, one line each
  (``PH-KON-001: Firmenmaske [standard]``);
- the *status*: their solution (``standard`` … ``third-party``; of several, the one
  latest in that order), as the enumeration value of that name (German names too), or
  as mapped in ``[reqif.status_values]``; ``none`` there for an item nothing satisfies.

Which attributes: ``[reqif] comment``/``status`` (LONG-NAME or IDENTIFIER), else those
the file marks ``IS-EDITABLE="true"`` (the status: an editable one named ``*status*``,
else an editable enumeration; the comment: an editable text attribute named like a
comment/answer, else the only editable text attribute).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from specheft.errors import InputError, Location, UsageError
from specheft.io.reqif.answer import AttrDef, Edit, Original, load_originals, rezip, splice
from specheft.io.reqif.config import UNCOVERED, ReqifConfig
from specheft.io.reqif.origin import Origin, find_sidecars
from specheft.model import GERMAN_VALUES, INACTIVE_STATUSES, Kind, Solution
from specheft.project.layout import Project

_COMMENT_WORDS = (
    "comment", "kommentar", "answer", "antwort", "stellungnahme", "response", "remark",
    "bemerkung", "supplier", "lieferant", "vendor", "auftragnehmer",
)  # fmt: skip
_TEXT_TYPES = ("STRING", "XHTML")
_SOLUTION_ORDER = tuple(s.value for s in Solution)
_GERMAN_SOLUTION = {english: german for german, english in GERMAN_VALUES["solution"].items()}


@dataclass
class Answer:
    data: bytes
    answered: int = 0
    uncovered: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def matching_origins(
    spec_dir: Path, originals: list[Original], shown: str
) -> list[tuple[Original, list[Origin]]]:
    """Each .reqif (of a .reqifz: each member) with the sidecars of its import; exit 2
    when the project recorded no import or none of this file."""
    origins = find_sidecars(spec_dir)
    if not origins:
        raise UsageError(
            f"{spec_dir}: no ReqIF import is recorded in this project "
            "(no spec/*/.reqif-origin.json)",
            hint="--answer-to answers a file imported with 'specheft import reqif FILE'; "
            "import the customer's file first",
        )
    pairs = [(o, [s for s in origins if s.header == o.header]) for o in originals]
    matching = [(original, found) for original, found in pairs if found]
    if not matching:
        imported = "; ".join(
            f"{o.header!r} from {o.file} ({o.path.parent.name}/{o.path.name})" for o in origins
        )
        headers = ", ".join(repr(o.header) for o in originals)
        raise InputError(
            f"REQ-IF-HEADER IDENTIFIER {headers} matches no import of this "
            f"project (imported: {imported})",
            location=Location(shown),
            hint="answer the file that was imported, or import this one first",
        )
    return matching


def _pick(
    attrs: list[AttrDef], wanted: str, role: str, taken: AttrDef | None = None
) -> AttrDef | None:
    if wanted:
        return next((a for a in attrs if wanted in (a.name, a.identifier)), None)
    editable = [a for a in attrs if a.editable and a is not taken]
    if role == "status":
        named = [a for a in editable if "status" in a.name.lower()]
        enums = [a for a in editable if a.datatype == "ENUMERATION"]
        chosen = named or enums
        return chosen[0] if chosen else None
    texts = [a for a in editable if a.datatype in _TEXT_TYPES and "status" not in a.name.lower()]
    named = [a for a in texts if any(w in a.name.lower() for w in _COMMENT_WORDS)]
    if named:
        return named[0]
    return texts[0] if len(texts) == 1 else None


def _comment(items: list[Mapping[str, Any]], separator: str) -> str:
    lines = []
    for item in items:
        solution = item.get("solution")
        suffix = f" [{solution}]" if solution else ""
        lines.append(f"{item['id']}: {item.get('title') or ''}{suffix}")
    return separator.join(lines)


def _solution(items: list[Mapping[str, Any]]) -> str:
    found = {str(i.get("solution")) for i in items if i.get("solution") in _SOLUTION_ORDER}
    return max(found, key=_SOLUTION_ORDER.index) if found else ""


def _enum_ref(attr: AttrDef, label: str) -> str | None:
    wanted = {label.lower(), _GERMAN_SOLUTION.get(label, label).lower()}
    for name, ident in attr.enum_values.items():
        if name.lower() in wanted:
            return ident
    return None


def answer_file(
    spec_dir: Path,
    original_path: Path,
    needs: Iterable[Mapping[str, Any]],
    config: ReqifConfig,
    shown: str | None = None,
) -> Answer:
    """The answered file's bytes and what was done; the original is only read. A
    .reqifz is answered member by member and zipped again around the other members."""
    shown = shown or str(original_path)
    originals = load_originals(original_path)
    matching = matching_origins(spec_dir, originals, shown)
    result = Answer(b"")
    digest = hashlib.sha256(original_path.read_bytes()).hexdigest()
    if any(o.sha256 and o.sha256 != digest for _, found in matching for o in found):
        result.warnings.append(
            f"{shown}: the file differs from the one imported (same REQ-IF-HEADER); "
            "objects the import did not see are left as they are"
        )
    items = {str(n["id"]): n for n in needs if n.get("id")}
    satisfied_by: dict[str, list[Mapping[str, Any]]] = {}
    for need in items.values():
        if need.get("status") in INACTIVE_STATUSES:
            continue
        targets = need.get("satisfies") or []
        for target in [targets] if isinstance(targets, str) else targets:
            satisfied_by.setdefault(str(target), []).append(need)
    answered: dict[str, bytes] = {}
    for original, origins in matching:
        where = original.name if original.member else shown
        data = _answer_one(original, origins, items, satisfied_by, config, where, result)
        answered[original.member or ""] = data
    if originals[0].member is None:
        result.data = answered[""]
    else:
        result.data = rezip(original_path, answered)
    return result


def _answer_one(
    original: Original,
    origins: list[Origin],
    items: Mapping[str, Mapping[str, Any]],
    satisfied_by: Mapping[str, list[Mapping[str, Any]]],
    config: ReqifConfig,
    shown: str,
    result: Answer,
) -> bytes:
    # which attribute of which SPEC-OBJECT-TYPE answers what
    roles: dict[str, tuple[AttrDef | None, AttrDef | None]] = {}
    for type_id, (_, attrs) in original.types.items():
        comment = _pick(attrs, config.comment, "comment")
        status = _pick(attrs, config.status, "status", taken=comment)
        roles[type_id] = (comment, status)
    answered_types = {original.objects.get(i.identifier) for o in origins for i in o.items}
    used = [roles[t] for t in answered_types if t in roles]
    for role, wanted in (("comment", config.comment), ("status", config.status)):
        index = 0 if role == "comment" else 1
        if wanted and not any(r[index] for r in used):
            names = sorted({a.name for t in answered_types if t in original.types
                            for a in original.types[t][1]})  # fmt: skip
            raise InputError(
                f"[reqif] {role} = {wanted!r}: no attribute of that LONG-NAME or IDENTIFIER "
                f"in the imported objects' types (attributes: {', '.join(names) or 'none'})",
                location=Location(shown),
            )
        for pair in used:
            attr = pair[index]
            allowed = _TEXT_TYPES if role == "comment" else ("ENUMERATION", *_TEXT_TYPES)
            if attr is not None and attr.datatype not in allowed:
                raise InputError(
                    f"attribute {attr.name!r} ({attr.datatype}) cannot hold the {role}; "
                    f"it needs {' or '.join(allowed)}",
                    location=Location(shown),
                    hint=f"name another attribute in [reqif] {role} of specheft.toml",
                )
    if not any(c or s for c, s in used):
        raise InputError(
            'the file marks no attribute IS-EDITABLE="true" that could take the answer',
            location=Location(shown),
            hint='name the attributes in specheft.toml: [reqif] comment = "…", status = "…"',
        )
    result.attributes += sorted({a.name for pair in used for a in pair if a is not None})

    edits: list[Edit] = []
    for origin in origins:
        for item in origin.items:
            object_type = original.objects.get(item.identifier)
            if object_type is None:
                result.warnings.append(
                    f"{shown}: SPEC-OBJECT {item.identifier} ({item.id}) is not in the file; "
                    "skipped"
                )
                continue
            if item.id not in items:
                result.warnings.append(
                    f"{item.id}: no longer in the project; SPEC-OBJECT {item.identifier} "
                    "left as it is"
                )
                continue
            if items[item.id].get("type") != Kind.REQ:
                continue  # only requirements are answered (a spec or test has no satisfier)
            comment_attr, status_attr = roles.get(object_type, (None, None))
            satisfying = sorted(satisfied_by.get(item.id, []), key=lambda n: str(n["id"]))
            if not satisfying:
                result.uncovered.append(item.id)
            before = len(edits)
            if comment_attr is not None and satisfying:
                # XHTML: a paragraph per item; STRING: a line per item
                text = _comment(satisfying, "\n\n" if comment_attr.datatype == "XHTML" else "\n")
                if comment_attr.max_length is not None and len(text) > comment_attr.max_length:
                    result.warnings.append(
                        f"{item.id}: the answer is cut to {comment_attr.max_length} characters "
                        f"(MAX-LENGTH of {comment_attr.name!r})"
                    )
                    text = text[: max(comment_attr.max_length - 1, 0)] + "…"
                edits.append(Edit(item.identifier, comment_attr, text))
            label = _solution(satisfying) if satisfying else UNCOVERED
            label = config.status_values.get(label, "" if label == UNCOVERED else label)
            if status_attr is not None and label:
                if status_attr.datatype == "ENUMERATION":
                    ref = _enum_ref(status_attr, label)
                    if ref is None:
                        result.warnings.append(
                            f"{item.id}: {label!r} is no value of {status_attr.name!r} "
                            f"({', '.join(status_attr.enum_values) or 'none'}); status left "
                            "as it is (map it in [reqif.status_values])"
                        )
                    else:
                        edits.append(Edit(item.identifier, status_attr, enum_refs=(ref,)))
                else:
                    edits.append(Edit(item.identifier, status_attr, label))
            if len(edits) > before:
                result.answered += 1
    return splice(original, edits)


def answer_reqif(
    project: Project,
    original: Path,
    *,
    target: Path | None = None,
    progress: IO[str] | None = None,
) -> tuple[Path, Answer]:
    """``export reqif --answer-to``: write the answered copy of ``original`` to ``target``
    (default ``_build/reqif/<original>-answer.reqif``); ``original`` is never written."""
    from specheft.fsutil import atomic_write_bytes
    from specheft.io.reqif.config import REQIF_TABLE
    from specheft.project.lock import project_lock
    from specheft.project.sphinx_run import items_build

    settings = project.settings()
    suffix = ".reqifz" if original.suffix.lower() == ".reqifz" else ".reqif"
    target = target or project.build_dir / "reqif" / f"{original.stem}-answer{suffix}"
    if target.suffix.lower() != suffix:
        raise UsageError(
            f"{target}: the answer must end in {suffix}, like the original",
            hint="the answer is the customer's file as it came, with the answers filled",
        )
    project.refuse_sources(target, "--out")
    if target.exists() and original.exists() and target.resolve() == original.resolve():
        raise UsageError(
            f"--out {target} is the original file; it is never overwritten",
            hint="write the answer to another file",
        )
    # the file and its sidecars first: a wrong file fails before the build
    matching_origins(project.spec_dir, load_originals(original), str(original))
    with project_lock(project.build_dir, "export reqif"):
        # the answer shows none of the build's warnings (a check of the same cache does)
        _, needs = items_build(project, progress=progress, warnings=False)
    answer = answer_file(
        project.spec_dir, original, needs, settings.option(REQIF_TABLE), str(original)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, answer.data)
    return target, answer
