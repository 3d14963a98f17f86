"""ReqIF export renders the item text's Markdown as XHTML (#15): real <strong>, lists,
tables, links, objects within the ReqIF XHTML subset, valid against the XSD; the
import reads it back to Markdown that renders to the same XHTML (the round trip), and
text from other tools never turns into Markdown markup by accident."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from specheft.io.reqif import NS, XHTML_NS
from specheft.io.reqif.export import render
from specheft.io.reqif.model import Document, Entry
from specheft.io.reqif.read import read_file
from specheft.io.reqif.xhtml import from_markdown, to_markdown

from .helpers import REPO

XSD = Path(__file__).parent / "fixtures" / "reqif" / "xsd" / "reqif.xsd"
WHEN = "2026-05-04T03:02:01+00:00"
NBSP = "\u00a0"
X = f"{{{XHTML_NS}}}"

RICH = f"""Das System **muss** Kontakte *anlegen* können, mit `code` und H{{sub}}`2`O, m{{sup}}`2`.
Zweite Zeile{NBSP}mit\tTab & <b>kein HTML</b> "zitiert" 'einfach'\\
nach hartem Umbruch.

- eins
- zwei
  - zwei a

1. erstens
2. zweitens

| Feld | Pflicht |
|:--|--:|
| Name | **ja** |
| Mail \\| Telefon | nein |

Siehe {{need}}`LH-KON-002` und {{need}}`die Suche <LH-KON-003>`,
[Handbuch](<https://example.org/h b>).

:::{{note}}
Ein *Hinweis*.
:::

```text
wörtlich **nicht fett**
```

![Maske](img/maske.png)

> zitiert

---
"""


def _xhtml(text: str) -> bytes:
    return etree.tostring(from_markdown(text), encoding="utf-8")


def _back(text: str) -> str:
    holder = etree.Element(f"{{{NS}}}THE-VALUE")
    holder.append(from_markdown(text))
    markdown, _ = to_markdown(holder)
    return markdown


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(XSD)


def test_markdown_becomes_xhtml_of_the_subset_and_validates(schema):
    entry = Entry("LH-KON-001", "req", "Kontakte", RICH, identifier="SO-LH-KON-001")
    data = render([Document("lastenheft", [entry])], title="T", when=WHEN)
    assert [f"{e.path}: {e.reason}" for e in schema.iter_errors(io.BytesIO(data))] == []
    div = etree.fromstring(data).find(f".//{{{NS}}}THE-VALUE/{X}div[{X}ul]")
    assert div is not None
    tags = {etree.QName(e).localname for e in div.iter()}
    assert {"p", "strong", "em", "code", "sub", "sup", "br", "ul", "ol", "li", "table"} <= tags
    assert {"thead", "tbody", "th", "td", "a", "object", "pre", "blockquote", "hr"} <= tags
    first = div.find(f"{X}p")
    assert first is not None and first.findtext(f"{X}strong") == "muss"
    text = "".join(first.itertext())
    # HTML-looking text stays text (escaped by lxml), never markup; quotes, nbsp, tabs kept
    assert f'Zeile{NBSP}mit\tTab & <b>kein HTML</b> "zitiert"' in text
    assert first.find(f"{X}b") is None and b"&lt;b&gt;kein HTML&lt;/b&gt;" in data
    # MyST roles: the id stays visible (with the link text), never a raw {need}
    links = next(p for p in div.iter(f"{X}p") if "Siehe" in "".join(p.itertext()))
    assert "".join(links.itertext()).startswith("Siehe LH-KON-002 und die Suche (LH-KON-003)")
    assert b"{need}" not in data
    assert div.find(f".//{X}ul/{X}li/{X}ul/{X}li").text == "zwei a"  # nested list
    assert [th.text for th in div.iter(f"{X}th")] == ["Feld", "Pflicht"]
    assert div.find(f".//{X}td/{X}strong").text == "ja"
    assert [td.text for td in div.iter(f"{X}td")][2] == "Mail | Telefon"
    image = div.find(f".//{X}object")
    assert image.get("data") == "img/maske.png" and image.get("type") == "image/png"
    assert div.find(f"{X}pre").text == "wörtlich **nicht fett**"
    # an admonition keeps its body after its name in bold
    assert b"<xhtml:strong>Note:</xhtml:strong>" in data


def test_export_is_deterministic_and_reimport_keeps_the_meaning(tmp_path):
    entry = Entry("LH-KON-001", "req", "Kontakte", RICH, identifier="SO-LH-KON-001")
    first = render([Document("lastenheft", [entry])], title="T", when=WHEN)
    assert render([Document("lastenheft", [entry])], title="T", when=WHEN) == first
    path = tmp_path / "rich.reqif"
    path.write_bytes(first)
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "maske.png").write_bytes(b"png")  # beside the file: it is copied
    (back,) = read_file(path).documents[0].items()
    # bold stays bold, lists stay lists, the table a table, the link a link
    assert "Das System **muss** Kontakte *anlegen* können, mit `code` und H{sub}`2`O" in back.text
    assert "- eins\n- zwei\n  - zwei a\n\n1. erstens\n2. zweitens" in back.text
    assert "| Feld | Pflicht |\n|:---|---:|\n| Name | **ja** |\n| Mail \\| Telefon | nein |" in (
        back.text
    )
    assert "Tab & <b>kein HTML</b>" in back.text and "mit\tTab" in back.text
    assert "[Handbuch](https://example.org/h%20b)" in back.text
    assert "Zweite Zeile" in back.text and "\\\nnach hartem Umbruch." in back.text
    assert "```\nwörtlich **nicht fett**\n```" in back.text
    assert "> zitiert\n\n---" in back.text
    again = Entry("LH-KON-001", "req", back.title, back.text, identifier="SO-LH-KON-001")
    assert render([Document("lastenheft", [again])], title="T", when=WHEN) == first


@pytest.mark.parametrize(
    "markdown",
    [
        RICH,
        "- a\n\n- b\n\n  weiter",  # a loose list stays loose
        "Begriff\n: Erklärung\n\nZweiter\n\n: lose erklärt",
        "1. a\n   1. b\n   2. c\n2. d",
        "````\ncode ``` mit Zaun\n````",
        "**fett** und ***beides*** und *kursiv **innen***",
        "`` a ` b `` und ` `` `",
        "# Überschrift\n\nText",
        "Text mit 2*3*4 und a_b_c und \\*kein\\* und \\_x\\_",
        "\\# kein Titel\n\n1\\. keine Liste\n\n\\- kein Punkt\n\n\\> kein Zitat",
        "<https://example.org> und &amp; und &copy; und \\&copy;",
        "x" * 40_000,
    ],
)
def test_round_trip_markdown_xhtml_markdown_gives_the_same_xhtml(markdown):
    once = _back(markdown)
    assert _xhtml(once) == _xhtml(markdown)
    assert _back(once) == once  # and the Markdown is stable from then on


@pytest.mark.parametrize(
    "text",
    [
        "# kein Titel",
        "1. keine Liste",
        "- kein Punkt",
        "> kein Zitat",
        "2*3*4 _x_ **y** `z` [a](b) ![c](d)",
        "{need}`LH-KON-001` ist Text",
        "&amp; &#42; &copy; bleiben Text",
        "<https://example.org> <a@b.de> <tag>",
        ":::{note}",
        "% kein Kommentar",
        "(ziel)=",
        ":feld: kein Feld",
        "C:\\Programme\\ und \\* Ende\\",
        "===",
        "  |a|b|",
    ],
)
def test_foreign_text_never_turns_into_markup(text):
    """Text in another tool's XHTML is text: its Markdown renders it back literally."""
    holder = etree.Element(f"{{{NS}}}THE-VALUE")
    div = etree.SubElement(holder, f"{X}div")
    etree.SubElement(div, f"{X}p").text = text
    markdown, _ = to_markdown(holder)
    rendered = from_markdown(markdown)
    assert [etree.QName(e).localname for e in rendered.iter()] == ["div", "p"], markdown
    assert "".join(rendered.itertext()) == text.strip()


def test_foreign_xhtml_structure_becomes_markdown_that_renders_the_same():
    holder = etree.fromstring(
        f'<THE-VALUE xmlns:x="{XHTML_NS}"><x:div>'
        "<x:p>Zeile eins<x:br/>Zeile <x:b>zwei </x:b>ende<x:br/></x:p>"
        "<x:ul><x:li><x:p>lose</x:p></x:li><x:li><x:p>Liste</x:p></x:li></x:ul>"
        "<x:h2>Titel</x:h2><x:p>    eingerückt, kein Code\n\n   mit Leerzeile</x:p>"
        "</x:div></THE-VALUE>"
    )
    markdown, _ = to_markdown(holder)
    assert markdown == (
        "Zeile eins\\\nZeile **zwei** ende\n\n- lose\n\n- Liste\n\n**Titel**\n\n"
        "eingerückt, kein Code\n   mit Leerzeile"
    )
    rendered = from_markdown(markdown)
    assert rendered.find(f"{X}p/{X}br") is not None
    assert rendered.find(f"{X}pre") is None
    assert len(rendered.findall(f"{X}ul/{X}li/{X}p")) == 2


def test_hostile_text_and_a_32kb_paragraph_come_back_unchanged(tmp_path):
    text = (
        f"A & B < C > D \" E ' F{NBSP}G\tH <b>x</b> <script>alert(1)</script>\n"
        + "Ä" * 16_384
        + "ß" * 16_384
        + "\n\nletzter Absatz"
    )
    entry = Entry("LH-KON-001", "req", "T", text, identifier="SO-LH-KON-001")
    path = tmp_path / "h.reqif"
    path.write_bytes(render([Document("d", [entry])], title="T", when=WHEN))
    (back,) = read_file(path).documents[0].items()
    assert back.text == text


def test_every_item_text_of_the_example_round_trips():
    """All item bodies of the example project (lists, bold, roles, code): Markdown →
    XHTML → Markdown → XHTML gives the same XHTML."""
    bodies = []
    for page in sorted((REPO / "spec").rglob("*.md")):
        source = page.read_text(encoding="utf-8")
        pattern = r"^:::\{\w+\}[^\n]*\n((?::\w+:[^\n]*\n)*)\n?(.*?)^:::$"
        for match in re.finditer(pattern, source, re.M | re.S):
            if match.group(2).strip():
                bodies.append(match.group(2).strip("\n"))
    assert len(bodies) > 250
    changed = [b for b in bodies if _xhtml(_back(b)) != _xhtml(b)]
    assert changed == []
    assert sum("**" in b for b in bodies) > 50 and sum("{need}" in b for b in bodies) > 5


def test_deep_nesting_is_plain_text_not_a_traceback():
    """lxml lets 255 levels through; Markdown with thousands of marks nests as deep:
    both directions fall back to the plain text instead of a RecursionError."""
    holder = etree.fromstring(
        f'<V xmlns:x="{XHTML_NS}">' + "<x:b>" * 250 + "tief" + "</x:b>" * 250 + "</V>"
    )
    markdown, _ = to_markdown(holder)
    assert "tief" in markdown
    assert "".join(from_markdown(markdown).itertext()).strip("*") == "tief"
    deep = "*" * 20_000 + "x" + "*" * 20_000 + "\n\nzwei"
    div = from_markdown(deep)
    assert [p.text for p in div] == ["*" * 20_000 + "x" + "*" * 20_000, "zwei"]
    # deeper than any parsed file (built by hand): the XHTML reader falls back too
    holder = etree.Element("V")
    element = holder
    for _ in range(3000):
        element = etree.SubElement(element, f"{X}em")
    element.text = "ganz *tief*"
    markdown, notes = to_markdown(holder)
    assert markdown == "ganz \\*tief\\*" and "nested too deep" in notes[0]


def test_links_from_another_party_never_run_script_on_the_site():
    holder = etree.fromstring(
        f'<V xmlns:x="{XHTML_NS}"><x:p><x:a href="javascript:alert(1)">klick</x:a> '
        '<x:a href=" JavaScript:x">zwei</x:a> <x:a href="https://example.org">web</x:a> '
        '<x:a href="mailto:a@example.org">mail</x:a> <x:a href="seite.html#a">relativ</x:a>'
        "</x:p></V>"
    )
    markdown, notes = to_markdown(holder)
    assert markdown == (
        "klick zwei [web](https://example.org) [mail](mailto:a@example.org) [relativ](seite.html#a)"
    )
    assert len(notes) == 2 and "javascript:alert(1)" in notes[0]


def test_the_files_indentation_stays_out_of_the_xhtml():
    entry = Entry("LH-KON-001", "req", "T", "**Achtung:**\n\n- ![x](a.png)", identifier="SO-1")
    data = render([Document("d", [entry])], title="T", when=WHEN)
    assert (
        b"<xhtml:div><xhtml:p><xhtml:strong>Achtung:</xhtml:strong></xhtml:p><xhtml:ul>"
        b'<xhtml:li><xhtml:object data="a.png" type="image/png">x</xhtml:object></xhtml:li>'
        b"</xhtml:ul></xhtml:div>" in data
    )
