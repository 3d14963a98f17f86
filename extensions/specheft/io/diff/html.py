"""The differences between two revisions as one standalone HTML page: a redline.

Deleted words are struck through (``<del>``), added ones marked (``<ins>``), so that the
page can be sent with a new version of a document as its change annex. One file, no
script, no external resource: it opens offline and prints as it shows. Every text from
the sources is escaped.
"""

from __future__ import annotations

import html

from specheft.trace.diff import ItemChange, ItemDiff, marked, summary

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em;
     border-bottom: 1px solid #ccc; }
section.item { margin: 1em 0; padding: .5em 1em; border-left: 4px solid #bbb;
               page-break-inside: avoid; }
section.added { border-color: #2a7a2a; } section.removed { border-color: #b22; }
section.changed { border-color: #c80; } section.moved { border-color: #57a; }
h3 { font-size: 1em; margin: .2em 0; } .kind, .where { color: #666; font-weight: normal; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; vertical-align: top; width: 9em; padding: .2em .5em .2em 0;
     color: #444; font-weight: 600; }
td { padding: .2em 0; vertical-align: top; white-space: pre-wrap; }
del { color: #a00; background: #fde8e8; text-decoration: line-through; }
ins { color: #064; background: #e3f6e3; text-decoration: underline; }
.summary { font-size: 1.05em; }
"""

_MARKS = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _where(change: ItemChange) -> str:
    path = change.old_path if change.status == "removed" else change.new_path
    if path and change.line:
        return f"{path}:{change.line}"
    return path or ""


def _rows(change: ItemChange) -> list[str]:
    rows = []
    if change.moved:
        rows.append(
            f"<tr><th>file</th><td><del>{_e(change.old_path or '')}</del> "
            f"<ins>{_e(change.new_path or '')}</ins></td></tr>"
        )
    for fc in change.fields:
        if fc.old is None or fc.new is None:  # set or cleared: the whole value
            cell = f"<del>{_e(fc.old)}</del>" if fc.old is not None else ""
            cell += f"<ins>{_e(fc.new)}</ins>" if fc.new is not None else ""
        else:
            cell = marked(fc.words(), _MARKS, _e)
        rows.append(f"<tr><th>{_e(fc.label)}</th><td>{cell}</td></tr>")
    for lc in change.links:
        parts = [f"<ins>{_e(t)}</ins>" for t in lc.added]
        parts += [f"<del>{_e(t)}</del>" for t in lc.removed]
        rows.append(f"<tr><th>{_e(lc.name)}</th><td>{' '.join(parts)}</td></tr>")
    return rows


def render_html(diff: ItemDiff) -> str:
    title = f"Changes {diff.old} → {diff.new}"
    body = [f"<h1>{_e(title)}</h1>", f'<p class="summary">{_e(summary(diff))}</p>']
    for status in ("changed", "added", "removed", "moved"):
        changes = diff.of(status)
        if not changes:
            continue
        body.append(f"<h2>{status.capitalize()} ({len(changes)})</h2>")
        for change in changes:
            body.append(f'<section class="item {status}" id="{_e(change.id)}">')
            body.append(
                f'<h3><code>{_e(change.id)}</code> <span class="kind">{_e(change.kind)}</span>'
                f' <span class="where">{_e(_where(change))}</span></h3>'
            )
            rows = _rows(change)
            if rows:
                body += ["<table>", *rows, "</table>"]
            body.append("</section>")
    return (
        "<!DOCTYPE html>\n"
        '<html><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
