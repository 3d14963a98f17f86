"""The check report in its output formats, one module per format, listed in :data:`FORMATS`.

A new format is one module here with a ``render`` function over the pure
:class:`~specheft.trace.report.CheckReport`, and one entry in :data:`FORMATS`; the
``--format`` choice and help of ``specheft check`` are made from that table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from specheft.trace.report import CheckReport


@dataclass(frozen=True)
class RenderOptions:
    """What the command line may ask of a format; each format reads what concerns it."""

    #: warnings count as failures (JUnit marks them failed instead of skipped)
    strict: bool = False
    #: list infos too, not only count them (text)
    show_info: bool = False
    #: ``style(word, level)`` colours a level word for a terminal (text)
    style: Callable[[str, str], str] | None = None


@dataclass(frozen=True)
class ReportFormat:
    render: Callable[[CheckReport, RenderOptions], str]
    #: who reads it, for the option's help: "<name> for <purpose>"
    purpose: str


# Each format module is imported when used: every command line start reads this table
# (for --format's choices), and the rule engine the formats import costs ~35 ms.


def _text(report: CheckReport, options: RenderOptions) -> str:
    from specheft.io.report import text

    return text.render(report, show_info=options.show_info, style=options.style)


def _json(report: CheckReport, options: RenderOptions) -> str:
    from specheft.io.report import json

    return json.render(report)


def _sarif(report: CheckReport, options: RenderOptions) -> str:
    from specheft.io.report import sarif

    return sarif.render(report)


def _junit(report: CheckReport, options: RenderOptions) -> str:
    from specheft.io.report import junit

    return junit.render(report, strict=options.strict)


#: The formats of ``specheft check --format``, in the order the help lists them.
FORMATS: dict[str, ReportFormat] = {
    "text": ReportFormat(_text, "people"),
    "json": ReportFormat(_json, "scripts"),
    "sarif": ReportFormat(_sarif, "code scanning"),
    "junit": ReportFormat(_junit, "CI dashboards"),
}


def render(report: CheckReport, fmt: str, options: RenderOptions | None = None) -> str:
    """The report in format ``fmt`` (a key of :data:`FORMATS`)."""
    return FORMATS[fmt].render(report, options or RenderOptions())


def formats_help() -> str:
    """'text for people, json for scripts, …' in the table's order."""
    return ", ".join(f"{name} for {spec.purpose}" for name, spec in FORMATS.items())
