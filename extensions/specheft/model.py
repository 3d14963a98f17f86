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
    CATALOG = "catreq"
    CR = "cr"


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


class Decision(StrEnum):
    """The state of a change request (Änderungsantrag); approved and implemented ones
    justify the changes they name (rule ``change-uncovered``)."""

    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    IMPLEMENTED = "implemented"


#: The decisions under which a change request covers the items it names.
COVERING_DECISIONS: frozenset[str] = frozenset({Decision.APPROVED, Decision.IMPLEMENTED})

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
    KindDef(Kind.CATALOG, "CAT-", r"^CAT-[A-Z]{2,6}-[0-9]{3}$", "CAT-KON-010", "#D7CCC8"),
    KindDef(Kind.CR, "CR-", r"^CR-[0-9]{3,4}$", "CR-001", "#F3E5AB"),
)
KIND_DEFS: dict[Kind, KindDef] = {k.kind: k for k in KINDS}

#: Every id of every kind has this shape; sphinx-needs checks it before the per-kind patterns.
GLOBAL_ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"


@dataclass(frozen=True)
class FieldDef:
    name: str
    kinds: tuple[Kind, ...]
    values: tuple[str, ...] | None = None
    value_type: str = "string"  # string | integer | number | date
    required_on: tuple[Kind, ...] = ()
    multiline: bool = False


@dataclass(frozen=True)
class PhaseDef:
    id: str
    order: int
    name_de: str
    name_en: str


#: The seven project phases after the contract (../shared/domain.md §5.3); `specheft new`
#: scaffolds them and catalogue items name their typical phase by these ids.
STANDARD_PHASES: tuple[PhaseDef, ...] = (
    PhaseDef("PHASE-KICKOFF", 1, "Kick-off", "Kick-off"),
    PhaseDef("PHASE-KONZEPT", 2, "Konzeption", "Design"),
    PhaseDef("PHASE-IMPL", 3, "Implementierung", "Implementation"),
    PhaseDef("PHASE-TEST", 4, "Test (SIT und UAT)", "Test (SIT and UAT)"),
    PhaseDef("PHASE-SCHULUNG", 5, "Schulung", "Training"),
    PhaseDef("PHASE-GOLIVE", 6, "Go-live", "Go-live"),
    PhaseDef("PHASE-HYPERCARE", 7, "Hypercare", "Hypercare"),
)

_REQS = (Kind.REQ, Kind.CATALOG)

FIELDS: tuple[FieldDef, ...] = (
    FieldDef("priority", _REQS, tuple(Priority), required_on=_REQS),
    FieldDef(
        "area",
        (Kind.REQ, Kind.EXCL, Kind.SPEC, Kind.TEST, Kind.CATALOG),
        required_on=(Kind.CATALOG,),
    ),
    FieldDef("source", (Kind.REQ, Kind.EXCL)),
    # the catalogue item a requirement was taken from (`specheft new`, `catalog add`)
    FieldDef("origin", (Kind.REQ,)),
    FieldDef("rationale", (Kind.REQ, Kind.EXCL, Kind.SPEC, Kind.CATALOG), multiline=True),
    FieldDef("acceptance", _REQS, multiline=True, required_on=(Kind.CATALOG,)),
    FieldDef("verification", _REQS, tuple(Verification), required_on=(Kind.CATALOG,)),
    FieldDef("level", (Kind.TEST,), tuple(Level), required_on=(Kind.TEST,)),
    # who carries a test out (UAT: the key users' role); shown in the manual results sheet
    FieldDef("role", (Kind.TEST,)),
    FieldDef("solution", (Kind.SPEC,), tuple(Solution)),
    FieldDef("order", (Kind.PHASE,), value_type="integer", required_on=(Kind.PHASE,)),
    FieldDef("start", (Kind.PHASE,), value_type="date"),
    FieldDef("end", (Kind.PHASE,), value_type="date"),
    FieldDef("gate", (Kind.PHASE,), multiline=True),
    # catalogue items carry both languages; `specheft new --lang` picks one
    FieldDef("title_en", (Kind.CATALOG,), required_on=(Kind.CATALOG,)),
    FieldDef("statement_en", (Kind.CATALOG,), multiline=True, required_on=(Kind.CATALOG,)),
    FieldDef("acceptance_en", (Kind.CATALOG,), multiline=True, required_on=(Kind.CATALOG,)),
    FieldDef(
        "typical_phase",
        (Kind.CATALOG,),
        tuple(p.id for p in STANDARD_PHASES),
        required_on=(Kind.CATALOG,),
    ),
    # "LH-KON-001@3fa9c2 …": the content of each link target when this item was last
    # reviewed against it (trace/suspect.py; written by `specheft review`)
    FieldDef("reviewed", (Kind.SPEC, Kind.TEST)),
    # change requests (Änderungsanträge); their body says what is to change
    FieldDef("reason", (Kind.CR,), multiline=True, required_on=(Kind.CR,)),
    FieldDef("requested_by", (Kind.CR,), required_on=(Kind.CR,)),
    FieldDef("date", (Kind.CR,), value_type="date", required_on=(Kind.CR,)),
    FieldDef("effort", (Kind.CR,), value_type="number"),  # person-days
    FieldDef("impact", (Kind.CR,), multiline=True),
    FieldDef("decision", (Kind.CR,), tuple(Decision), required_on=(Kind.CR,)),
    FieldDef("decision_date", (Kind.CR,), value_type="date"),
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
    # the items a change request adds, changes or removes (a removed one stays, obsolete)
    LinkDef("changes", (Kind.CR,), (Kind.REQ, Kind.EXCL, Kind.SPEC, Kind.TEST, Kind.PHASE)),
)
LINK_DEFS: dict[str, LinkDef] = {link.name: link for link in LINKS}

#: German words for the values of the enumerated fields (the German labels of
#: ``labels.py`` and a few common variants, case-insensitive). A German project may
#: write ``:priority: Muss``; it is read, stored and checked as ``must``.
GERMAN_VALUES: dict[str, dict[str, str]] = {
    "priority": {"muss": "must", "soll": "should", "kann": "can"},
    "verification": {
        "test": "test",
        "inspektion": "inspection",
        "demonstration": "demonstration",
        "vorführung": "demonstration",
        "analyse": "analysis",
    },
    "level": {
        "systemintegrationstest": "sit",
        "abnahmetest": "uat",
        "sit (systemintegrationstest)": "sit",
        "uat (abnahmetest)": "uat",
    },
    "solution": {
        "standard": "standard",
        "konfiguration": "configuration",
        "customizing": "customizing",
        "drittanbieter": "third-party",
    },
    "status": {
        "entwurf": "draft",
        "in prüfung": "review",
        "prüfung": "review",
        "abgestimmt": "agreed",
        "zurückgestellt": "deferred",
        "abgelehnt": "rejected",
        "entfallen": "obsolete",
    },
    "decision": {
        "offen": "open",
        "genehmigt": "approved",
        "abgelehnt": "rejected",
        "umgesetzt": "implemented",
    },
}
