"""Where imported items came from: the sidecar ``spec/<page folder>/.reqif-origin.json``.

``specheft import reqif`` writes one next to each page it writes (in the same
all-or-none set); ``specheft export reqif --answer-to`` reads them to find, for each
SPEC-OBJECT of the customer's file, the specheft item that answers it. The file is
JSON, sorted and indented, so that it diffs well in git. Format::

    {"format": 1, "file": "kunde.reqif", "sha256": "…", "header": "<REQ-IF-HEADER id>",
     "specification": "<SPECIFICATION id>", "name": "<its LONG-NAME>",
     "items": [{"id": "LH-IMP-001", "identifier": "<SPEC-OBJECT id>",
                "type": "<SPEC-OBJECT-TYPE id>", "kind": "req"}, …]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from specheft.errors import InputError, Location
from specheft.io.reqif.model import Document

SIDECAR = ".reqif-origin.json"
FORMAT = 1


@dataclass(frozen=True)
class OriginItem:
    id: str
    identifier: str
    type: str
    kind: str


@dataclass(frozen=True)
class Origin:
    path: Path
    file: str
    sha256: str
    header: str
    specification: str
    name: str
    items: tuple[OriginItem, ...]


def sidecar_text(document: Document, file_name: str, sha256: str) -> str:
    """The sidecar of one imported document."""
    items = [
        {"id": e.id, "identifier": e.identifier, "type": e.type_ref, "kind": e.kind}
        for e in document.items()
    ]
    data = {
        "format": FORMAT,
        "file": file_name,
        "sha256": sha256,
        "header": document.header,
        "specification": document.identifier,
        "name": document.name,
        "items": items,
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def sidecars(
    documents: list[Document],
    page_paths: list[PurePosixPath],
    file_name: str,
    sha256: str,
) -> list[tuple[PurePosixPath, str]]:
    """``(path under spec/, text)`` of the sidecar beside each document's page."""
    return [
        (page.parent / SIDECAR, sidecar_text(document, file_name, sha256))
        for document, page in zip(documents, page_paths, strict=True)
    ]


def _str(data: dict[str, Any], key: str, where: Location) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InputError(f"{key!r} must be a string, got {value!r}", location=where)
    return value


def read_sidecar(path: Path) -> Origin:
    where = Location(str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the ReqIF origin file: {exc}", location=where) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", location=Location(str(path), exc.lineno, exc.colno)
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(
            f"not a specheft ReqIF origin file (format {FORMAT})",
            location=where,
            hint="it is written by 'specheft import reqif'; import the file again with --force",
        )
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise InputError("'items' must be a list", location=where)
    items = []
    for number, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict):
            raise InputError(f"item {number} must be an object", location=where)
        items.append(
            OriginItem(
                _str(raw, "id", where),
                _str(raw, "identifier", where),
                _str(raw, "type", where),
                _str(raw, "kind", where),
            )
        )
    return Origin(
        path,
        _str(data, "file", where),
        _str(data, "sha256", where),
        _str(data, "header", where),
        _str(data, "specification", where),
        _str(data, "name", where),
        tuple(items),
    )


def find_sidecars(spec_dir: Path) -> list[Origin]:
    """Every sidecar of the project, in path order."""
    return [read_sidecar(path) for path in sorted(spec_dir.rglob(SIDECAR)) if path.is_file()]
