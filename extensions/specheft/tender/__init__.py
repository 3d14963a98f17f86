"""Vendor selection (Dienstleisterauswahl): bidders' compliance answers and their comparison.

Pure code (no Sphinx import): ``model`` (the requirements as asked, answers, offers and
their JSON form), ``config`` (``[tender]`` in specheft.toml), ``validate`` (the rows of
a returned compliance workbook against what was asked) and ``scoring`` (the weighted
comparison, Nutzwertanalyse, with knock-outs). Reading and writing workbooks lives in
``specheft.io.sheets.compliance``, the use cases in ``specheft.project.compliance``.
"""
