"""Traceability rules (placeholder registry, filled in by the trace core)."""

RULE_IDS: tuple[str, ...] = ()
