"""The words of the site's frame in the project's language.

Sphinx's ``language`` translates Sphinx's own words, but furo's ("Next", "On this page",
"Back to top" …) are not in Sphinx's German catalogue, and sphinx-needs' tables show
English column titles ("Satisfies Back"), raw values ("must") and an English table
widget ("Rows per page"). This module gives each of them the project's language:

* furo's template words through a translation layered over Sphinx's own (only words
  that Sphinx's catalogue does not translate itself fall through to it);
* needtable column titles that the author did not name (``:columns: id, title`` — not
  ``title as "…"``) and the values of fields with labels (priority, status, level …);
* the needtable widget's labels through its ``data-needstable-labels`` attribute.

The command line (messages of ``specheft check`` and ``build``) stays English.
"""

from __future__ import annotations

import gettext
import json
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from specheft.labels import label, value_label
from specheft.sphinxext.compat import builder_translations
from specheft.sphinxext.context import settings_of
from specheft.sphinxext.needs.data import needtable_nodes
from specheft.sphinxext.needs.priorities import NEEDTABLE_LABELS

#: furo's template words (msgids exactly as in its templates) that Sphinx lacks
THEME: dict[str, dict[str, str]] = {
    "de": {
        "Next": "Weiter",
        "Previous": "Zurück",
        "On this page": "Auf dieser Seite",
        "Home": "Startseite",
        "Back to top": "Nach oben",
        "Skip to content": "Zum Inhalt springen",
        "Made with ": "Erstellt mit ",
        '<a href="https://www.sphinx-doc.org/">Sphinx</a> and ': (
            '<a href="https://www.sphinx-doc.org/">Sphinx</a> und '
        ),
        "Edit this page": "Diese Seite bearbeiten",
        "View this page": "Diese Seite ansehen",
        "Last updated on %(last_updated)s": "Zuletzt aktualisiert am %(last_updated)s",
    },
}

#: sphinx-needs' table widget (needstable.js), keys as its LABELS object has them
TABLE_WIDGET: dict[str, dict[str, str]] = {
    "de": {
        "search": "Suche",
        "rowsPerPage": "Zeilen pro Seite",
        "all": "Alle",
        "columns": "Spalten",
        "copy": "Kopieren",
        "csv": "CSV",
        "info": "{start}–{end} von {total}",
        "empty": "Keine passenden Zeilen",
        "pagination": "Seiten",
        "previous": "Zurück",
        "next": "Weiter",
        "sort": "{column}: sortieren",
    },
}

#: fields whose values readers see as words (``must`` → ``Muss``)
_VALUE_FIELDS = ("priority", "status", "verification", "level", "solution", "type")


class _Layered(gettext.NullTranslations):
    """Our words first, then the translation Sphinx built (never changed in place: it
    is cached per process and shared by every later build)."""

    def __init__(self, words: dict[str, str], base: gettext.NullTranslations | None) -> None:
        super().__init__()
        self.words = words
        if base is not None:
            self.add_fallback(base)

    def gettext(self, message: str) -> str:
        if message in self.words:
            return self.words[message]
        return super().gettext(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        if n == 1 and msgid1 in self.words:
            return self.words[msgid1]
        return super().ngettext(msgid1, msgid2, n)


def _theme_words(app: Sphinx) -> None:
    words = THEME.get(app.config.language or "")
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if not words or environment is None:
        return
    base = builder_translations(app.builder)
    environment.install_gettext_translations(_Layered(words, base))


def column_title(language: str, key: str) -> str | None:
    """The reader's title of a needtable column, or None to keep sphinx-needs' own."""
    if key.endswith("_back"):
        text = label(language, f"link.{key[: -len('_back')]}.in", "")
    elif key in ("id", "title", "status", "type"):
        text = label(language, "col.kind" if key == "type" else f"field.{key}", "")
    else:
        text = label(language, f"link.{key}.out", "") or label(language, f"field.{key}", "")
    return text[:1].upper() + text[1:] if text else None


def _needtables(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    table_node, header_node = needtable_nodes()
    language = settings_of(app).language
    widget = TABLE_WIDGET.get(language)
    for table in doctree.findall(table_node):
        if widget and app.builder.format == "html":
            attributes: dict[str, Any] = table.get("html_attributes") or {}
            attributes["data-needstable-labels"] = json.dumps(widget, ensure_ascii=False)
            table["html_attributes"] = attributes
        for header in table.findall(header_node):
            key = next(
                (c[len("needs_col_") :] for c in header["classes"] if c.startswith("needs_col_")),
                None,
            )
            # only a title sphinx-needs made up from the column's name, never the author's
            if key is None or header.astext() != key.title().replace("_", " "):
                continue
            title = column_title(language, key)
            if title:
                for para in header.findall(nodes.paragraph):
                    para.children = [nodes.Text(title)]
                    break
        for entry in table.findall(nodes.entry):
            field = next(
                (
                    c[len("needs_") :]
                    for c in entry["classes"]
                    if c.startswith("needs_") and c[len("needs_") :] in _VALUE_FIELDS
                ),
                None,
            )
            if field is None:
                continue
            for text in list(entry.findall(nodes.Text)):
                value = str(text)
                word = value.strip()
                shown = (
                    label(language, f"kind.{word}", word)
                    if field == "type"
                    else value_label(language, field, word)
                )
                if word and shown != word:
                    text.parent.replace(text, nodes.Text(value.replace(word, shown)))


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", _theme_words)
    # after sphinx-needs filled its tables (doctree-resolved, default priority 500)
    app.connect("doctree-resolved", _needtables, priority=NEEDTABLE_LABELS)
