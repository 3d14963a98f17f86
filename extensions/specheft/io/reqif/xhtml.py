"""ReqIF XHTML → Markdown (MyST): paragraphs, line breaks, lists, emphasis, links, tables.

Small on purpose: ReqIF XHTML is a fixed subset (XHTML 1.1 modules), so a walk over
those elements is enough; what Markdown cannot hold (merged cells, objects) is
approximated and named in a note. Text is kept as it is (tabs, non-breaking spaces),
so that a file specheft wrote comes back as the same source.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from lxml import etree

from specheft.io.reqif import XHTML_NS

_BLOCKS = {"div", "p", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
           "blockquote", "address", "dl", "hr"}  # fmt: skip

#: an attachment's ``data`` → the path the Markdown names (None: not available)
Attachment = Callable[[str, str], str | None]


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


class _Walk:
    """One conversion: the notes on what was approximated, how objects are resolved."""

    def __init__(self, attachment: Attachment | None, escape: bool) -> None:
        self.notes: list[str] = []
        self.attachment = attachment
        self.escape = escape


def to_markdown(
    value: etree._Element, inline: bool = False, attachment: Attachment | None = None
) -> tuple[str, list[str]]:
    """The Markdown of an ``<THE-VALUE>`` (or any XHTML container) and notes on what
    was approximated. ``inline`` joins everything into one plain line (titles: no
    Markdown escapes). ``attachment`` places an ``<object>``'s file (import)."""
    walk = _Walk(attachment, escape=not inline)
    try:
        blocks = _blocks(value, walk)
    except RecursionError:  # hundreds of nested elements (lxml allows 256 levels)
        walk = _Walk(None, escape=not inline)
        plain = " ".join("".join(value.itertext()).split())
        blocks = [_escape_text(plain, True) if walk.escape else plain]
        walk.notes.append("markup nested too deep for Markdown; kept as plain text")
    text = "\n\n".join(b for b in blocks if b.strip())
    if inline:
        text = " ".join(text.replace("\\\n", "\n").split("\n")).strip()
    return text, walk.notes


# --- Markdown escapes: text from XHTML must not turn into markup --------------------

#: characters that start inline markup anywhere (CommonMark + MyST roles)
_INLINE_SPECIAL = re.compile(
    r"[*`\[\]]"  # emphasis, code, links
    r"|\\(?=[!-/:-@\[-`{-~]|$)"  # a backslash that would escape or break a line
    r"|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"  # _ that can open or close emphasis
    r"|&(?=#?[A-Za-z0-9]+;)"  # an entity reference
    r"|<(?=[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|[^\s<>@]+@[^\s<>]+>)"  # an autolink
)
#: what starts a block when it stands first on a line (after up to three spaces)
_LINE_START = re.compile(
    r"^([ \t]*)(#{1,6}(?=[ \t]|$)|>|[-+*](?=[ \t]|$)|(\d{1,9})([.)])(?=[ \t]|$)"
    r"|={1,}[ \t]*$|-{2,}[ \t]*$|:{3,}|~{3,}|%|\+{3}|:(?=[ \t]|[^:\s][^:]*:)|\((?=[^)]*\)=))"
)


def _escape_text(text: str, line_start: bool) -> str:
    text = _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(), text)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if number or line_start:
            lines[number] = _LINE_START.sub(_escape_start, line, count=1)
    return "\n".join(lines)


def _escape_start(match: re.Match[str]) -> str:
    space, marker = match.group(1), match.group(2)
    if match.group(3):  # "1." / "1)": the dot makes a list
        return f"{space}{match.group(3)}\\{match.group(4)}"
    return f"{space}\\{marker}"


# --- XHTML → Markdown -----------------------------------------------------------------


def _strip_block(text: str) -> str:
    # leading spaces would make an indented code block; line breaks at the ends nothing
    text = text.strip(" \t\r\n")
    # a <br/> last in a paragraph (an odd backslash; "\\\\" is an escaped one)
    while (len(text) - len(text.rstrip("\\"))) % 2:
        text = text[:-1].rstrip(" \t\r\n")
    while text.startswith("\\\n"):
        text = text[2:].lstrip(" \t\r\n")
    return text


def _blocks(container: etree._Element, walk: _Walk) -> list[str]:
    """Block-level children as Markdown blocks; loose inline content becomes a paragraph."""
    blocks: list[str] = []
    loose: list[str] = [_text(container.text, walk, True)]
    for child in container:
        local = _local(child.tag)
        if local in _BLOCKS:
            if "".join(loose).strip():
                blocks.append(_paragraph(loose))
            loose = []
            blocks.extend(_block(child, walk))
            loose.append(_text(child.tail, walk, True))
        else:
            loose.append(_inline(child, walk))
            loose.append(_text(child.tail, walk, _ends_line(loose)))
    if "".join(loose).strip():
        blocks.append(_paragraph(loose))
    return [b for b in blocks if b.strip()]


def _paragraph(parts: list[str]) -> str:
    # XHTML whitespace: a blank line inside a paragraph must not split it in Markdown
    return _strip_block(re.sub(r"\n[ \t]*(?=\n)", "", "".join(parts)))


def _ends_line(parts: list[str]) -> bool:
    for part in reversed(parts):
        if part:
            return part.endswith("\n")
    return True


def _text(text: str | None, walk: _Walk, line_start: bool) -> str:
    if not text:
        return ""
    return _escape_text(text, line_start) if walk.escape else text


def _block(element: etree._Element, walk: _Walk) -> list[str]:
    local = _local(element.tag)
    if local in ("div", "address"):
        return _blocks(element, walk)
    if local == "blockquote":
        inner = "\n\n".join(_blocks(element, walk))
        return ["\n".join(f"> {line}".rstrip() for line in inner.split("\n"))]
    if local == "p":
        return [_paragraph([_inline_content(element, walk)])]
    if local.startswith("h") and local[1:].isdigit():
        heading = _paragraph([_inline_content(element, walk)])
        return [_wrap("**", heading) if walk.escape else heading]
    if local in ("ul", "ol"):
        return [_list(element, walk)]
    if local == "pre":
        code = "".join(element.itertext()).strip("\n")
        fence = "`" * max(3, _longest_run(code, "`") + 1)
        return [f"{fence}\n{code}\n{fence}"]
    if local == "table":
        return [_table(element, walk)]
    if local == "dl":
        return [_definitions(element, walk)]
    if local == "hr":
        return ["---"]
    return [_paragraph([_inline_content(element, walk)])]


def _list(element: etree._Element, walk: _Walk) -> str:
    items = [li for li in element if _local(li.tag) == "li"]
    # a <p> in an item makes a loose list (blank lines), as Markdown renders it back
    loose = any(_local(c.tag) == "p" for li in items for c in li)
    entries = []
    for number, li in enumerate(items, start=1):
        marker = f"{number}. " if _local(element.tag) == "ol" else "- "
        body = ("\n\n" if loose else "\n").join(_blocks(li, walk)).strip()
        indent = " " * len(marker)
        entries.append(marker + "\n".join(
            (indent + line if line and n else line) for n, line in enumerate(body.split("\n"))
        ))  # fmt: skip
    return ("\n\n" if loose else "\n").join(entries)


def _definitions(element: etree._Element, walk: _Walk) -> str:
    parts: list[str] = []
    for child in element:
        local = _local(child.tag)
        body = "\n\n".join(_blocks(child, walk)).strip()
        if local == "dt":
            parts.append(("\n\n" if parts else "") + " ".join(body.split("\n")))
        elif local == "dd":
            loose = any(_local(c.tag) == "p" for c in child)
            lines = body.split("\n")
            text = ": " + "\n".join((f"  {line}" if line and n else line)
                                    for n, line in enumerate(lines))  # fmt: skip
            parts.append(("\n\n" if loose else "\n") + text)
    return "".join(parts).strip("\n")


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)


def _code(text: str) -> str:
    ticks = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _inline_content(element: etree._Element, walk: _Walk, line_start: bool = True) -> str:
    parts = [_text(element.text, walk, line_start)]
    for child in element:
        parts.append(_inline(child, walk))
        parts.append(_text(child.tail, walk, _ends_line(parts)))
    return "".join(parts)


def _wrap(mark: str, inner: str) -> str:
    # "**x **" is no emphasis in Markdown: the spaces go outside the marks
    core = inner.strip()
    if not core:
        return inner
    start = inner[: len(inner) - len(inner.lstrip())]
    end = inner[len(inner.rstrip()) :]
    return f"{start}{mark}{core}{mark}{end}"


def _inline(element: etree._Element, walk: _Walk) -> str:
    local = _local(element.tag)
    if local == "br":
        return "\\\n" if walk.escape else "\n"
    if local in ("code", "kbd", "samp", "tt"):
        code = "".join(element.itertext())
        return _code(code) if walk.escape else code
    if local in ("sub", "sup"):
        raw = "".join(element.itertext())
        return f"{{{local}}}{_code(raw)}" if walk.escape and raw else raw
    if local == "object":
        return _object(element, walk)
    inner = _inline_content(element, walk, line_start=False)
    if not walk.escape:
        return inner
    if local in ("strong", "b"):
        return _wrap("**", inner)
    if local in ("em", "i", "cite", "dfn", "var"):
        return _wrap("*", inner)
    if local == "a":
        href = (element.get("href") or "").strip()
        if not href or not inner.strip():
            return inner
        if _UNSAFE_URL.match(href):  # javascript:, data:, …: never a link on the site
            walk.notes.append(f"link to {href[:60]!r} left out (only its text is kept)")
            return inner
        target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
        return f"[{inner}]({target})"
    if local in _BLOCKS:
        return " ".join(b.replace("\n", " ") for b in _block(element, walk))
    return inner


def _object(element: etree._Element, walk: _Walk) -> str:
    """An image as ``![…](…)``; a DOORS OLE object as its preview image and a link to
    the OLE file; what cannot be placed as a note and a text reference."""
    data = element.get("data") or ""
    mime = (element.get("type") or mimetypes.guess_type(data)[0] or "").lower()
    nested = [c for c in element if _local(c.tag) == "object"]
    label = " ".join("".join(t for t in element.itertext()).split()) or data.rsplit("/", 1)[-1]
    if not walk.escape:
        return label
    label = _escape_text(label, False)
    parts = []
    if nested:  # OLE: <object type="application/oleobject"><object type="image/png">
        parts += [_object(child, walk) for child in nested]
    if walk.attachment is None:  # nothing to copy from: the reference is kept
        walk.notes.append(f"embedded object {data!r} kept as a reference only")
        placed = data if mime.startswith("image/") and not nested else None
    else:
        placed = walk.attachment(data, mime) if data else None
    if placed is None:
        parts.append(f"[object: {_escape_text(data, False)}]")
    elif mime.startswith("image/") and not nested:
        parts.append(f"![{label}]({_href(placed)})")
    else:
        parts.append(f"[{_escape_text(placed.rsplit('/', 1)[-1], False)}]({_href(placed)})")
    return " ".join(parts)


#: URL schemes other than these become no link or image (a file from another party must
#: not put ``javascript:`` into the built site)
_UNSAFE_URL = re.compile(r"^(?!(?:https?|mailto|ftp):)[A-Za-z][A-Za-z0-9+.-]*:", re.IGNORECASE)


def _href(path: str) -> str:
    return f"<{path}>" if re.search(r"[\s()<>]", path) else path


def _cell(cell: etree._Element, walk: _Walk) -> str:
    text = " ".join(" ".join(_blocks(cell, walk)).replace("\\\n", " ").split())
    return text.replace("|", "\\|")


_ALIGN = {"left": ":---", "right": "---:", "center": ":---:"}


def _table(table: etree._Element, walk: _Walk) -> str:
    rows: list[list[str]] = []
    aligns: list[str] = []
    merged = False
    for tr in (e for e in table.iter() if _local(e.tag) == "tr"):
        row = []
        for cell in tr:
            if _local(cell.tag) not in ("td", "th"):
                continue
            span = int(cell.get("colspan") or "1") if (cell.get("colspan") or "1").isdigit() else 1
            if span > 1 or (cell.get("rowspan") or "1") != "1":
                merged = True
            if not rows:
                found = re.search(r"text-align:\s*(\w+)", cell.get("style") or "")
                aligns.append(_ALIGN.get(found.group(1) if found else "", "---"))
                aligns.extend(["---"] * (span - 1))
            row.append(_cell(cell, walk))
            row.extend([""] * (span - 1))
        rows.append(row)
    if merged:
        walk.notes.append("a table with merged cells became a plain table (cells repeated empty)")
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    aligns += ["---"] * (width - len(aligns))
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


# --- Markdown (MyST) → XHTML, for the export ------------------------------------------

#: MyST admonitions: their body is kept, headed by the name in bold ("**Note:**")
_ADMONITIONS = {"note", "warning", "tip", "hint", "important", "attention", "caution",
                "danger", "error", "seealso", "admonition", "todo"}  # fmt: skip
_LITERAL_DIRECTIVES = {"code-block", "code", "sourcecode", "code-cell", "math", "literalinclude"}
_IMAGE_DIRECTIVES = {"image", "figure"}
_OPTION = re.compile(r"^:[\w-]+:(\s.*)?$")

#: maps an image's path as written in the text to ``(data, type)`` of its ``<object>``
ImageRef = Callable[[str], tuple[str, str]]


@cache
def _parser() -> Any:
    """The parser the project's build uses for item text (specheft's MyST defaults:
    colon fences, definition and field lists, raw HTML off — ``<b>`` stays text)."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(
        enable_extensions={"colon_fence", "deflist", "fieldlist"},
        disable_syntax=["html_block", "html_inline"],
    )
    return create_md_parser(config, RendererHTML)


def _x(parent: etree._Element | None, tag: str, **attrs: str) -> etree._Element:
    name = f"{{{XHTML_NS}}}{tag}"
    if parent is None:
        return etree.Element(name, attrs)
    return etree.SubElement(parent, name, attrs)


def _add_text(element: etree._Element, text: str) -> None:
    if not text:
        return
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def default_image(src: str) -> tuple[str, str]:
    """An image's ``<object>`` data and type when the export does not pack files."""
    return src, mimetypes.guess_type(src)[0] or "application/octet-stream"


def from_markdown(text: str, image: ImageRef = default_image) -> etree._Element:
    """Item text (MyST Markdown) as ``<xhtml:div>`` within the ReqIF XHTML subset.

    Paragraphs, lists, emphasis, code, links, tables, block quotes, definition lists,
    line breaks, images (``<object>``) become their XHTML; MyST parts are approximated
    as text: ``{need}`ID``` → ``ID``, ``{ref}`text <target>``` → ``text``, a heading
    → a bold paragraph, an admonition → its body after **Note:**, a code block or
    ``{math}`` → ``<pre>``, a ``{figure}`` → its image and caption, another directive
    → its body (or its name and argument). :func:`to_markdown` reads each back to
    Markdown that renders to the same XHTML again (the round trip)."""
    from markdown_it.tree import SyntaxTreeNode

    div = _x(None, "div")
    try:
        tree = SyntaxTreeNode(_parser().parse(text))
        _md_blocks(tree.children, div, image)
    except RecursionError:  # thousands of nested marks: the text as it is, a <p> each
        div = _x(None, "div")
        for paragraph in re.split(r"\n[ \t]*\n", text.strip("\n")):
            _add_text(_x(div, "p"), paragraph)
    if not len(div) and not div.text:
        _x(div, "p")  # the subset needs a block in THE-VALUE's div
    # an (empty) text node keeps the file's pretty-printing out of the XHTML: no
    # indentation inside <p><strong>…, no newline before an <object>
    div.text = div.text or ""
    return div


def _md_blocks(nodes: list[Any], parent: etree._Element, image: ImageRef) -> None:
    for node in nodes:
        _md_block(node, parent, image)


def _md_block(node: Any, parent: etree._Element, image: ImageRef) -> None:
    kind = node.type
    if kind == "paragraph":
        if node.hidden:  # a tight list item: the inline content directly
            _md_inline(node.children, parent, image)
        else:
            _md_inline(node.children, _x(parent, "p"), image)
    elif kind == "heading":
        # a heading inside an item cannot become a section; a bold paragraph keeps it
        _md_inline(node.children, _x(_x(parent, "p"), "strong"), image)
    elif kind in ("bullet_list", "ordered_list"):
        element = _x(parent, "ul" if kind == "bullet_list" else "ol")
        for item in node.children:
            _md_blocks(item.children, _x(element, "li"), image)
    elif kind == "blockquote":
        _md_blocks(node.children, _x(parent, "blockquote"), image)
    elif kind == "hr":
        _x(parent, "hr")
    elif kind == "code_block":
        _x(parent, "pre").text = node.content.removesuffix("\n")
    elif kind in ("fence", "colon_fence"):
        _fence(node, parent, image)
    elif kind == "table":
        _md_table(node, parent, image)
    elif kind in ("dl", "field_list"):
        element = _x(parent, "dl")
        for child in node.children:
            tag = "dt" if child.type in ("dt", "fieldlist_name") else "dd"
            _md_blocks(child.children, _x(element, tag), image)
    elif kind in ("inline",):
        _md_inline(node.children, parent, image)
    elif kind in ("myst_target", "myst_line_comment", "myst_block_break", "front_matter"):
        return  # labels and comments: nothing to show
    elif node.children:
        _md_blocks(node.children, parent, image)  # footnotes and the like: their content
    elif node.content.strip():
        _add_text(_x(parent, "p"), node.content.strip())


def _fence(node: Any, parent: etree._Element, image: ImageRef) -> None:
    info = node.info.strip()
    if not info.startswith("{") or "}" not in info:
        _x(parent, "pre").text = node.content.removesuffix("\n")
        return
    name, _, argument = info[1:].partition("}")
    name, argument = name.strip().lower(), argument.strip()
    lines = node.content.split("\n")
    while lines and _OPTION.match(lines[0].strip()):
        lines.pop(0)  # directive options (:width:, :class:) have no place in XHTML
    body = "\n".join(lines).strip("\n")
    if name in _LITERAL_DIRECTIVES:
        _x(parent, "pre").text = body
    elif name in _ADMONITIONS:
        label = argument if name == "admonition" and argument else name.capitalize()
        _add_text(_x(_x(parent, "p"), "strong"), f"{label}:")
        _md_blocks(_parse_blocks(body), parent, image)
    elif name in _IMAGE_DIRECTIVES and argument:
        data, mime = image(argument)
        _add_text(_x(_x(parent, "p"), "object", data=data, type=mime), argument)
        _md_blocks(_parse_blocks(body), parent, image)
    elif name == "list-table":
        _list_table(body, parent, image)
    elif body.strip():
        _md_blocks(_parse_blocks(body), parent, image)
    else:
        _add_text(_x(parent, "p"), f"[{name}{' ' + argument if argument else ''}]")


def _parse_blocks(text: str) -> list[Any]:
    from markdown_it.tree import SyntaxTreeNode

    return list(SyntaxTreeNode(_parser().parse(text)).children)


def _list_table(body: str, parent: etree._Element, image: ImageRef) -> None:
    """``{list-table}``: a list of rows, each a list of cells; the first row is the head."""
    rows = [n for n in _parse_blocks(body) if n.type == "bullet_list"]
    table = _x(parent, "table")
    for number, row in enumerate(rows[0].children if rows else []):
        cells = [c for n in row.children if n.type == "bullet_list" for c in n.children]
        section = _x(table, "thead" if number == 0 else "tbody") if number < 2 else table[-1]
        tr = _x(section, "tr")
        for cell in cells:
            td = _x(tr, "th" if number == 0 else "td")
            paragraphs = [p for p in cell.children if p.type == "paragraph"]
            for index, paragraph in enumerate(paragraphs):
                if index:
                    _add_text(td, " ")
                _md_inline(paragraph.children, td, image)


def _md_table(node: Any, parent: etree._Element, image: ImageRef) -> None:
    table = _x(parent, "table")
    for section in node.children:  # thead, tbody
        part = _x(table, section.type)
        for row in section.children:
            tr = _x(part, "tr")
            for cell in row.children:
                style = cell.attrGet("style")
                attrs = {"style": str(style)} if style else {}
                inline = cell.children[0].children if cell.children else []
                _md_inline(inline, _x(tr, cell.type, **attrs), image)


_ROLE_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)


def _md_inline(nodes: list[Any], parent: etree._Element, image: ImageRef) -> None:
    for node in nodes:
        kind = node.type
        if kind == "inline":
            _md_inline(node.children, parent, image)
        elif kind == "text":
            _add_text(parent, node.content)
        elif kind == "softbreak":
            _add_text(parent, "\n")
        elif kind == "hardbreak":
            _x(parent, "br")
        elif kind in ("strong", "em"):
            _md_inline(node.children, _x(parent, kind), image)
        elif kind == "code_inline":
            _add_text(_x(parent, "code"), node.content)
        elif kind == "link":
            href = str(node.attrGet("href") or "")
            _md_inline(node.children, _x(parent, "a", href=href) if href else parent, image)
        elif kind == "image":
            data, mime = image(str(node.attrGet("src") or ""))
            alt = "".join(c.content for c in node.walk() if c.type in ("text", "code_inline"))
            _add_text(_x(parent, "object", data=data, type=mime), alt)
        elif kind == "myst_role":
            _role(node, parent)
        elif node.children:
            _md_inline(node.children, parent, image)
        else:
            _add_text(parent, node.content)


def _role(node: Any, parent: etree._Element) -> None:
    name = str(node.meta.get("name", ""))
    content = node.content
    if name in ("sub", "subscript", "sup", "superscript"):
        _add_text(_x(parent, name[:3]), content)
        return
    if name in ("code", "literal", "kbd", "samp"):
        _add_text(_x(parent, "code"), content)
        return
    explicit = _ROLE_TARGET.match(content)
    if explicit and explicit.group(1):
        text, target = explicit.group(1), explicit.group(2)
        # {need}`Titel <LH-KON-001>`: the id stays visible; other roles show their text
        content = f"{text} ({target})" if name.startswith("need") else text
    elif explicit:
        content = explicit.group(2)
    _add_text(parent, content)
