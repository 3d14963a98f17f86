"""The performance benchmark: specheft against plain sphinx-needs (see README.md)."""
