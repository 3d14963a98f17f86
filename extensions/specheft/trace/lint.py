"""Requirement-quality rules (group ``lint``); registered with the trace rules."""
