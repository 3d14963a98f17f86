"""The specheft vocabulary: item kinds, fields, link kinds and their allowed values.

Pure data, no Sphinx import: the Sphinx layer turns this into sphinx-needs
configuration, the trace core and the CLI read it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    REQ = "req"
    EXCL = "excl"
    SPEC = "spec"
    TEST = "test"
    PHASE = "phase"


class Priority(StrEnum):
    MUST = "must"
    SHOULD = "should"
    CAN = "can"


class Verification(StrEnum):
    TEST = "test"
    INSPECTION = "inspection"
    DEMONSTRATION = "demonstration"
    ANALYSIS = "analysis"


class Level(StrEnum):
    SIT = "sit"
    UAT = "uat"


class Solution(StrEnum):
    STANDARD = "standard"
    CONFIGURATION = "configuration"
    CUSTOMIZING = "customizing"
    THIRD_PARTY = "third-party"


class Status(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    AGREED = "agreed"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    OBSOLETE = "obsolete"


#: Items with these statuses take no part in coverage, but links to them are reported.
INACTIVE_STATUSES: frozenset[str] = frozenset({Status.REJECTED, Status.OBSOLETE})


@dataclass(frozen=True)
class KindDef:
    kind: Kind
    prefix: str
    id_pattern: str
    id_example: str
    color: str


#: Default id patterns; a project may override them in ``[ids]`` of specheft.toml.
KINDS: tuple[KindDef, ...] = (
    KindDef(Kind.REQ, "LH-", r"^LH-[A-Z]{2,6}-[0-9]{3,4}$", "LH-KON-001", "#BFD8D2"),
    KindDef(Kind.EXCL, "AB-", r"^AB-([A-Z]{2,6}-)?[0-9]{3,4}$", "AB-001", "#E8E8E8"),
    KindDef(Kind.SPEC, "PH-", r"^PH-[A-Z]{2,6}-[0-9]{3,4}$", "PH-KON-001", "#FEDCD2"),
    KindDef(Kind.TEST, "TC-", r"^TC-(SIT|UAT)-([A-Z]{2,6}-)?[0-9]{3,4}$", "TC-SIT-001", "#DCB239"),
    KindDef(Kind.PHASE, "PHASE-", r"^PHASE-[A-Z0-9]+(-[A-Z0-9]+)*$", "PHASE-GOLIVE", "#C5CAE9"),
)
KIND_DEFS: dict[Kind, KindDef] = {k.kind: k for k in KINDS}

#: Every id of every kind has this shape; sphinx-needs checks it before the per-kind patterns.
GLOBAL_ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"


@dataclass(frozen=True)
class FieldDef:
    name: str
    kinds: tuple[Kind, ...]
    values: tuple[str, ...] | None = None
    value_type: str = "string"  # string | integer | date
    required_on: tuple[Kind, ...] = ()
    multiline: bool = False


FIELDS: tuple[FieldDef, ...] = (
    FieldDef("priority", (Kind.REQ,), tuple(Priority), required_on=(Kind.REQ,)),
    FieldDef("area", (Kind.REQ, Kind.EXCL, Kind.SPEC, Kind.TEST)),
    FieldDef("source", (Kind.REQ, Kind.EXCL)),
    FieldDef("rationale", (Kind.REQ, Kind.EXCL, Kind.SPEC), multiline=True),
    FieldDef("acceptance", (Kind.REQ,), multiline=True),
    FieldDef("verification", (Kind.REQ,), tuple(Verification)),
    FieldDef("level", (Kind.TEST,), tuple(Level), required_on=(Kind.TEST,)),
    FieldDef("solution", (Kind.SPEC,), tuple(Solution)),
    FieldDef("order", (Kind.PHASE,), value_type="integer", required_on=(Kind.PHASE,)),
    FieldDef("start", (Kind.PHASE,), value_type="date"),
    FieldDef("end", (Kind.PHASE,), value_type="date"),
    FieldDef("gate", (Kind.PHASE,), multiline=True),
)
FIELD_DEFS: dict[str, FieldDef] = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class LinkDef:
    name: str
    sources: tuple[Kind, ...]
    targets: tuple[Kind, ...]


#: ``satisfies``/``verifies`` may point at an exclusion so that the trace rules can
#: name it a scope conflict, rather than a generic "wrong target kind".
LINKS: tuple[LinkDef, ...] = (
    LinkDef("satisfies", (Kind.SPEC,), (Kind.REQ, Kind.EXCL)),
    LinkDef("verifies", (Kind.TEST,), (Kind.SPEC, Kind.REQ, Kind.EXCL)),
    LinkDef("phase", (Kind.REQ, Kind.SPEC, Kind.TEST), (Kind.PHASE,)),
    LinkDef("refines", (Kind.REQ,), (Kind.REQ,)),
)
LINK_DEFS: dict[str, LinkDef] = {link.name: link for link in LINKS}
