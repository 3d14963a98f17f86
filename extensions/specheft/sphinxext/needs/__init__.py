"""The adapter over sphinx-needs: its configuration, patches and the check builder."""
