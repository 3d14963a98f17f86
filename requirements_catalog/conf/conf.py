"""Sphinx configuration of the CRM requirements catalogue; the facts live in specheft.toml."""

from specheft.sphinxext.project_conf import project_conf

globals().update(project_conf(__file__))
