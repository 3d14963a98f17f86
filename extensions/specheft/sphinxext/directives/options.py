"""The options of each trace directive as a typed record, parsed once when the page is read.

A directive turns its raw ``self.options`` into its record in ``run`` (errors name file
and line there); the placeholder carries the record, and the renderer reads only the
record (sphinx-needs' ``NeedsTableType`` pattern). Records are plain dicts, so pickled
doctrees hold no specheft classes.
"""

from __future__ import annotations

from typing import Required, TypedDict


class MatrixOptions(TypedDict, total=False):
    """``coverage-matrix``: a filter is absent when not given (absent: every value)."""

    kind: Required[str]  # "req" or "spec"
    columns: Required[list[str]]
    #: no :columns: given: the result column is shown only where runs were imported
    default_columns: Required[bool]
    priority: list[str]
    area: list[str]
    phase: list[str]
    status: list[str]
    sort: str
    caption: str


class SummaryOptions(TypedDict):
    """``coverage-summary``."""

    by: list[str]
    chart: bool


class TraceOptions(TypedDict):
    """``item-trace``."""

    target: str
    depth: int


class ResultsOptions(TypedDict):
    """``test-results``."""

    show: list[str]


class DecisionOptions(TypedDict):
    """``acceptance-decision``."""

    documents: list[str]
    phase: str | None
    show: list[str]


class ChangeHistoryOptions(TypedDict):
    """``change-history``: the document whose history is shown (None: the page's own)."""

    document: str | None


class ItemDiffOptions(TypedDict):
    """``item-diff``: the baseline tag (or ``latest``) and the document (None: the page's own)."""

    baseline: str
    document: str | None
