"""Links that would run script in the built site are reduced to their text."""

from __future__ import annotations

import re

PAGE = """# Links

```{eval-rst}
`Klick <javascript:alert(1)>`_ und `Daten <data:text/html;base64,PHNjcmlwdD4=>`_
```

```{eval-rst}
`VB <VBScript:msgbox(3)>`_
```

[Hersteller](https://example.com/crm) und [Mail](mailto:vertrieb@example.com)
"""


def test_script_links_are_removed_at_their_line(make_project, run_cli):
    project = make_project({"links.md": PAGE})
    result = run_cli("build", project.root)
    assert result.code == 1, result.output
    for line, uri in ((4, "javascript:alert(1)"), (4, "data:text/html"), (8, "VBScript:")):
        assert re.search(
            rf"spec/links\.md:{line}: WARNING: link to '{re.escape(uri)}[^']*' removed", result.err
        ), (uri, result.err)
    relaxed = run_cli("build", project.root, "--no-strict")
    assert relaxed.code == 0, relaxed.output
    html = (project.root / "_build/html/links.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [h for h in hrefs if h.lower().startswith(("javascript", "vbscript", "data"))]
    assert "https://example.com/crm" in hrefs
    assert [h for h in hrefs if h.startswith("mailto:")]  # ordinary links stay links
    assert "Klick" in html and "Daten" in html and "VB" in html  # the text stays


def test_schemes_are_recognised_as_browsers_read_them():
    from specheft.sphinxext.guards.links import unsafe

    for uri in ("javascript:x", " JavaScript:x", "java\tscript:x", "java\nscript:x", "data:,x"):
        assert unsafe(uri), uri
    for uri in ("https://example.com", "mailto:a@b.de", "anforderungen.html#LH-KON-001", "#x"):
        assert not unsafe(uri), uri
