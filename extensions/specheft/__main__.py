"""``python -m specheft``: the same as the ``specheft`` command (e.g. in a venv whose
scripts folder is not on PATH)."""

from specheft.cli import run

if __name__ == "__main__":
    run()
