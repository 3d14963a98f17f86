"""Spreadsheet exchange (issue #16): export to xlsx/csv and import from them, side by side.

- :mod:`.tables` – the items as plain text tables (what both writers show);
- :mod:`.export` – the workbook (XlsxWriter) and CSV (``;``, UTF-8 BOM) writers;
- :mod:`.reading` – xlsx (safe_xlsx checks, then python-calamine) and CSV readers;
- :mod:`.importer` – header and column recognition, rows → MyST pages.
"""
