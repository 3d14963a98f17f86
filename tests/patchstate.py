"""What specheft replaces in other packages, and how many of its replacements a call
goes through: read by the suite's guard (tests/conftest.py) after every test and by
tests/test_patch_hygiene.py.

Only modules already imported are looked at (the guard runs after every test and must
neither import anything nor cost more than a few attribute reads).
"""

from __future__ import annotations

import sys
from typing import Any

#: (module, class or None, attribute) that specheft replaces when a Sphinx app is set up
TARGETS: tuple[tuple[str, str | None, str], ...] = (
    ("myst_parser.parsers.directives", None, "options_to_tokens"),
    ("myst_parser.parsers.sphinx_", None, "create_md_parser"),
    ("sphinx.project", "Project", "doc2path"),
    ("sphinx.search", "IndexBuilder", "prune"),
    ("sphinx.search", "IndexBuilder", "load"),
    ("sphinx_needs.api.need", None, "deepcopy"),
    ("sphinx_needs.directives.need", None, "get_sections_and_signature_and_needs"),
    ("sphinx_needs.directives.need", None, "add_need"),
    ("sphinx_needs.need_item", "NeedItem", "add_backlink"),
    ("sphinx_needs.need_item", "NeedItem", "sort_links"),
    ("sphinx_needs.needsfile", "NeedsList", "write_json"),
    ("sphinx_needs.data", "SphinxNeedsData", "remove_doc"),
    ("sphinx_needs.needs", None, "node_match"),
    ("furo", None, "_compute_navigation_tree"),
)


def ours(value: Any) -> bool:
    """Whether ``value`` is a function of specheft's (a wrapper made with
    ``functools.wraps`` has the wrapped function's module, and specheft's mark)."""
    if getattr(value, "__specheft_wrapper__", False):
        return True
    return str(getattr(value, "__module__", "") or "").startswith("specheft.")


def _stored_originals() -> dict[int, Any]:
    """id(replacement) → what it calls, for the replacements that keep the original in
    a module global of theirs instead of ``__wrapped__``."""
    stored: dict[int, Any] = {}
    modules = sys.modules
    block = modules.get("specheft.sphinxext.directives.option_block")
    if block is not None and block._ORIGINAL:
        stored[id(block._options_to_tokens)] = block._ORIGINAL[0]
    paths = modules.get("specheft.sphinxext.docpaths")
    if paths is not None and paths._ORIGINAL:
        stored[id(paths._doc2path)] = paths._ORIGINAL[0]
    reading = modules.get("specheft.sphinxext.needs.reading")
    if reading is not None:
        stored[id(reading.copy_default)] = reading.copy.deepcopy  # (for other values)
        original = reading.REPLACED.get("get_sections_and_signature_and_needs")
        if original is not None:
            stored[id(reading.sections_signature_needs)] = original
    patches = modules.get("specheft.sphinxext.needs.patches")
    if patches is not None:
        linkorder = modules["specheft.sphinxext.needs.linkorder"]
        replacements = {
            "add_backlink": patches._add_backlink,
            "write_json": patches._write_json,
            "sort_links": linkorder.sort_links,
            "remove_doc": patches._remove_doc,
        }
        for name, original in patches._ORIGINAL.items():
            if name in replacements:
                stored[id(replacements[name])] = original
    return stored


def depth(value: Any, stored: dict[int, Any] | None = None) -> int:
    """How many of specheft's replacements a call of ``value`` goes through before the
    original: 0 not replaced, 1 replaced once, more: stacked."""
    if stored is None:
        stored = _stored_originals()
    count = 0
    seen: set[int] = set()
    while value is not None and id(value) not in seen:
        seen.add(id(value))
        if ours(value):
            count += 1
        inner = getattr(value, "__wrapped__", None)
        if inner is None:
            inner = getattr(value, "_specheft_original", None)  # rendering/navigation.py
        if inner is None:
            inner = stored.get(id(value))
        value = inner
    return count


def innermost(value: Any) -> Any:
    """The original behind specheft's replacements of ``value`` (``value`` itself when it
    is no replacement)."""
    stored = _stored_originals()
    while ours(value):
        inner = getattr(value, "__wrapped__", None)
        if inner is None:
            inner = getattr(value, "_specheft_original", None)
        if inner is None:
            inner = stored.get(id(value))
        if inner is None:
            return value
        value = inner
    return value


def replaced() -> dict[str, tuple[int, int]]:
    """Each replaced attribute of an imported module: (identity, depth). The slotted
    dataclasses' pickling methods (needs/pickling.py) are included."""
    stored = _stored_originals()
    modules = sys.modules
    state: dict[str, tuple[int, int]] = {}
    for module_name, class_name, attribute in TARGETS:
        owner: Any = modules.get(module_name)
        if owner is not None and class_name is not None:
            owner = getattr(owner, class_name, None)
        if owner is None:
            continue
        current = getattr(owner, attribute, None)
        if current is not None:
            where = f"{module_name}.{class_name + '.' if class_name else ''}{attribute}"
            state[where] = (id(current), depth(current, stored))
    pickling = modules.get("specheft.sphinxext.needs.pickling")
    for cls in pickling.REPLACED if pickling is not None else ():
        for name in ("__getstate__", "__setstate__"):
            current = cls.__dict__.get(name)
            state[f"{cls.__module__}.{cls.__qualname__}.{name}"] = (id(current), int(ours(current)))
    return state


def translator_chains() -> dict[tuple[str, str], int]:
    """Links in each of Sphinx's message catalogue chains (``sphinx.locale.translators``):
    each lookup of a word the first catalogue lacks walks the chain recursively."""
    locale = sys.modules.get("sphinx.locale")
    if locale is None:
        return {}
    chains = {}
    for key, translator in locale.translators.items():
        links = 0
        while translator is not None and links < 10_000:
            links += 1
            translator = getattr(translator, "_fallback", None)
        chains[key] = links
    return chains


#: links a chain may have after a build: Sphinx's catalogue of the language and the
#: system's (2 for "de"); more means a chain kept growing build after build
CHAIN_LIMIT = 4


def problems(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What a test changed and left so: a replacement stacked or taken out, the recursion
    limit changed, a catalogue chain grown past :data:`CHAIN_LIMIT`."""
    found = []
    if before["limit"] != after["limit"]:
        found.append(f"sys.getrecursionlimit() changed from {before['limit']} to {after['limit']}")
    for where, (_identity, count) in after["replaced"].items():
        if count > 1:
            found.append(f"{where} goes through {count} of specheft's replacements (stacked)")
        old = before["replaced"].get(where)
        if old is not None and old[1] >= 1 and count == 0:
            found.append(f"{where}: specheft's replacement was taken out and not put back")
    for key, links in after["chains"].items():
        if links > CHAIN_LIMIT and links > before["chains"].get(key, 0):
            found.append(f"Sphinx's message catalogue chain {key} grew to {links} links")
    return found


def snapshot() -> dict[str, Any]:
    """The state :func:`problems` compares."""
    return {
        "limit": sys.getrecursionlimit(),
        "replaced": replaced(),
        "chains": translator_chains(),
    }
