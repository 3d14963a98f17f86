"""``[lint]`` in specheft.toml: validated once into :class:`LintOptions`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from specheft.config.reader import Key, Reader, Table
from specheft.trace.lint.words import DEFAULT_MAX_WORDS

LINT_KEYS: dict[str, Key] = {
    "weak_words_de": Key((list,), []),
    "weak_words_en": Key((list,), []),
    "allow": Key((list,), []),
    "max_words": Key((int,), DEFAULT_MAX_WORDS),
}


@dataclass(frozen=True)
class LintOptions:
    """What the lint rules read from ``[lint]``."""

    weak_words_de: tuple[str, ...] = ()
    """Words and phrases flagged besides the built-in German list."""
    weak_words_en: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    """Words and phrases never flagged (``"/"`` turns the slash check off)."""
    max_words: int = DEFAULT_MAX_WORDS
    """lint-length: the most words a statement may have."""

    def weak_words(self, language: str) -> tuple[str, ...]:
        return self.weak_words_de if language == "de" else self.weak_words_en


def parse_lint_table(reader: Reader, value: Mapping[str, Any]) -> LintOptions:
    """Check ``[lint]``: known keys, lists of non-empty strings, a positive word limit."""
    values = reader.keys("lint", value, LINT_KEYS)
    for key in ("weak_words_de", "weak_words_en", "allow"):
        for entry in values[key]:
            if not isinstance(entry, str) or not entry.strip():
                reader.error(
                    "lint", key, f"expected a list of words or phrases (strings), got {entry!r}"
                )
    if values["max_words"] < 1:
        reader.error(
            "lint", "max_words", f"expected a positive number of words, got {values['max_words']}"
        )
    return LintOptions(
        weak_words_de=tuple(values["weak_words_de"]),
        weak_words_en=tuple(values["weak_words_en"]),
        allow=tuple(values["allow"]),
        max_words=values["max_words"],
    )


LINT_TABLE = Table("lint", parse_lint_table)
