"""The item markup of a MyST page as specheft reads it back: fences, options, kinds.

Shared by the page scan before MyST (:mod:`.source_scan`), the item check after it
(:mod:`.item_source`) and the Sphinx hooks (:mod:`.syntax`). Pure: no Sphinx import.
"""

from __future__ import annotations

import re

from specheft.model import KINDS

OPTION = re.compile(r"^\s*:(?P<name>[A-Za-z_][\w-]*):(\s|$)")
FENCE_OPEN = re.compile(r"^\s*(?P<fence>:{3,}|`{3,})\{(?P<kind>[\w-]+)\}")
ANY_FENCE = re.compile(r"^\s*(?P<fence>:{3,}|`{3,}|~{3,})\s*(?P<info>.*)$")
HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
ID_OPTION = re.compile(r"^\s*:id:\s*(?P<id>\S+)")
ITEM_KINDS = frozenset(str(k.kind) for k in KINDS)
#: Directives whose body is code, not Markdown.
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
