"""Incremental builds: no stale page after an edit."""
