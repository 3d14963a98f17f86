"""The release of specheft (one place; the package, the reports and the wheel read it)."""

__version__ = "0.1.0"
