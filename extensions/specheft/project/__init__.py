"""The library layer: one module per use case (build, check, new, diff, ...).

Plain functions over typed inputs returning typed results, no printing; the CLI in
:mod:`specheft.cli` is a thin adapter over them."""
