"""The check report in its output formats, one module per format."""
