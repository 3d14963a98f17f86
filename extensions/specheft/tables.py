"""The tables of specheft.toml and the parts that own them, composed in one place.

``config.settings`` reads the project tables and knows nothing of rules; each other
table is validated by its owner into a typed value (a frozen dataclass):

==============  ======================================  ===================
table           owner                                   typed value
==============  ======================================  ===================
``[rules]``     :mod:`specheft.trace.rules`             ``RuleOptions``
``[lint]``      :mod:`specheft.trace.lint.options`      ``LintOptions``
``[results]``   :mod:`specheft.evidence.config`         ``ResultsConfig``
``[acceptance]`` :mod:`specheft.evidence.config`        ``AcceptanceConfig``
``[tender]``    :mod:`specheft.tender.config`           ``TenderConfig``
``[reqif]``     :mod:`specheft.io.reqif.config`         ``ReqifConfig``
==============  ======================================  ===================

Everything that reads a specheft.toml (the CLI's project, conf.py, the Sphinx
extension) calls :func:`load_settings` here, so all tables are checked at their line
before any build starts. A new table: a ``Table`` in its owner's module, added to
:data:`TABLES`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specheft.config import settings as config_settings
from specheft.config.reader import Table
from specheft.config.settings import Settings
from specheft.evidence.config import ACCEPTANCE_TABLE, RESULTS_TABLE
from specheft.io.reqif.config import REQIF_TABLE
from specheft.tender.config import TENDER_TABLE
from specheft.trace.lint.options import LINT_TABLE
from specheft.trace.rules import RULES_TABLE

TABLES: tuple[Table[Any], ...] = (
    RULES_TABLE,
    LINT_TABLE,
    RESULTS_TABLE,
    ACCEPTANCE_TABLE,
    TENDER_TABLE,
    REQIF_TABLE,
)


def load_settings(path: Path) -> Settings:
    """Read and validate a specheft.toml file (parsed once while its content is unchanged)."""
    return config_settings.load_settings(path, TABLES)


def parse_settings(text: str, path: Path | None = None) -> Settings:
    """Validate the text of a specheft.toml."""
    return config_settings.parse_settings(text, path, TABLES)
