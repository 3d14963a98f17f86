"""ReqIF XHTML → Markdown (MyST): paragraphs, line breaks, lists, emphasis, links, tables.

Small on purpose: ReqIF XHTML is a fixed subset (XHTML 1.1 modules), so a walk over
those elements is enough; what Markdown cannot hold (merged cells, objects) is
approximated and named in a note. Text is kept as it is (tabs, non-breaking spaces),
so that a file specheft wrote comes back as the same source.
"""

from __future__ import annotations

from lxml import etree

_BLOCKS = {"div", "p", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
           "blockquote", "address", "dl"}  # fmt: skip


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def to_markdown(value: etree._Element, inline: bool = False) -> tuple[str, list[str]]:
    """The Markdown of an ``<THE-VALUE>`` (or any XHTML container) and notes on what
    was approximated. ``inline`` joins everything into one line (titles)."""
    notes: list[str] = []
    blocks = _blocks(value, notes)
    text = "\n\n".join(b for b in blocks if b.strip())
    if inline:
        text = " ".join(text.split("\n")).strip()
    return text, notes


def _blocks(container: etree._Element, notes: list[str]) -> list[str]:
    """Block-level children as Markdown blocks; loose inline content becomes a paragraph."""
    blocks: list[str] = []
    loose: list[str] = [container.text or ""]
    for child in container:
        local = _local(child.tag)
        if local in _BLOCKS:
            if "".join(loose).strip():
                blocks.append("".join(loose).strip("\n"))
            loose = []
            blocks.extend(_block(child, notes))
        else:
            loose.append(_inline(child, notes))
        loose.append(child.tail or "")
    if "".join(loose).strip():
        blocks.append("".join(loose).strip("\n"))
    return blocks


def _block(element: etree._Element, notes: list[str]) -> list[str]:
    local = _local(element.tag)
    if local in ("div", "blockquote", "address"):
        return _blocks(element, notes)
    if local == "p":
        return [_inline_content(element, notes)]
    if local.startswith("h") and local[1:].isdigit():
        return [f"**{_inline_content(element, notes).strip()}**"]
    if local in ("ul", "ol"):
        lines = []
        for number, li in enumerate(element, start=1):
            if _local(li.tag) != "li":
                continue
            marker = f"{number}. " if local == "ol" else "- "
            body = "\n\n".join(_blocks(li, notes)).strip()
            indent = " " * len(marker)
            lines.append(marker + body.replace("\n", "\n" + indent))
        return ["\n".join(lines)]
    if local == "pre":
        return ["```\n" + "".join(element.itertext()).strip("\n") + "\n```"]
    if local == "table":
        return [_table(element, notes)]
    if local == "dl":
        return ["\n".join(" ".join(t.split()) for t in element.itertext() if t.strip())]
    return [_inline_content(element, notes)]


def _inline_content(element: etree._Element, notes: list[str]) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append(_inline(child, notes))
        parts.append(child.tail or "")
    return "".join(parts)


def _inline(element: etree._Element, notes: list[str]) -> str:
    local = _local(element.tag)
    inner = _inline_content(element, notes)
    if local == "br":
        return "\n"
    if local in ("strong", "b"):
        return f"**{inner}**" if inner.strip() else inner
    if local in ("em", "i", "cite", "dfn"):
        return f"*{inner}*" if inner.strip() else inner
    if local == "code" or local == "kbd" or local == "samp":
        return f"`{inner}`"
    if local == "sub":
        return f"{{sub}}`{inner}`"
    if local == "sup":
        return f"{{sup}}`{inner}`"
    if local == "a":
        href = element.get("href")
        return f"[{inner}]({href})" if href else inner
    if local == "object":
        data = element.get("data") or ""
        notes.append(f"embedded object {data!r} kept as a reference only")
        return inner or f"[object: {data}]"
    if local in _BLOCKS:
        return " ".join(b.replace("\n", " ") for b in _block(element, notes))
    return inner


def _cell(cell: etree._Element, notes: list[str]) -> str:
    text = " ".join(" ".join(_blocks(cell, notes)).split())
    return text.replace("|", "\\|")


def _table(table: etree._Element, notes: list[str]) -> str:
    rows: list[list[str]] = []
    merged = False
    for tr in (e for e in table.iter() if _local(e.tag) == "tr"):
        row = []
        for cell in tr:
            if _local(cell.tag) not in ("td", "th"):
                continue
            span = int(cell.get("colspan") or "1") if (cell.get("colspan") or "1").isdigit() else 1
            if span > 1 or (cell.get("rowspan") or "1") != "1":
                merged = True
            row.append(_cell(cell, notes))
            row.extend([""] * (span - 1))
        rows.append(row)
    if merged:
        notes.append("a table with merged cells became a plain table (cells repeated empty)")
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)
