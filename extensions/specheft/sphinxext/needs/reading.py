"""A read-side speed-up for sphinx-needs 9: the field defaults of each new need copied cheaply.

For every need it reads, sphinx-needs fills each field the directive leaves out from
the field's default, and ``copy.deepcopy`` s the default (``_get_field_default``,
``_get_links_default`` in ``sphinx_needs.api.need``): about 14 deep copies per need,
6 % of ``check --fresh``. Nearly all defaults are a ``FieldLiteralValue`` holding a
string, number, bool or None, or a list of those, or an empty ``LinksLiteralValue``:
:func:`copy_default` makes the same fresh object directly and hands anything else to
``deepcopy``. Applied on the release line of :data:`.patches.TESTED_MAJOR` only, and
only while the module still uses ``copy.deepcopy`` itself.
"""

from __future__ import annotations

import copy
from typing import Any

#: values a copy can share: immutable, and not containers
_ATOMS = frozenset({str, int, float, bool, type(None)})

_TYPES: list[type] = []


def copy_default(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(value)``, made directly for the common field defaults."""
    if _TYPES:
        field_value, links_value = _TYPES
        kind = type(value)
        if kind is field_value:
            inner = value.value
            if type(inner) in _ATOMS:
                return field_value(inner)
            if type(inner) is list and all(type(item) in _ATOMS for item in inner):
                return field_value(list(inner))
        elif kind is links_value and type(value.value) is list and not value.value:
            return links_value([])
    return copy.deepcopy(value, memo)


def install() -> bool:
    """Let sphinx-needs' need module copy its defaults with :func:`copy_default`."""
    from sphinx_needs.api import need
    from sphinx_needs.needs_schema import FieldLiteralValue, LinksLiteralValue

    from specheft.sphinxext.needs.patches import needs_version, tested

    current = getattr(need, "deepcopy", None)
    if current is copy_default:
        return True
    if current is not copy.deepcopy or not tested(needs_version()):
        return False  # another release, or someone else replaced it: left alone
    _TYPES[:] = [FieldLiteralValue, LinksLiteralValue]
    setattr(need, "deepcopy", copy_default)  # noqa: B010 (a module global of theirs)
    return True
