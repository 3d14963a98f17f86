"""Re-reading after an edit (#16/#17): a build whose warnings nobody sees (the exports)
skips what only warns, and gives the same items and leaves the same cache as a check.

Random edit sequences on a project with a problem of every skipped kind (a schema
violation, a link to an unknown item and one of a refused type, an unknown label): after
each edit an export-style build (``warnings=False``) reads the edit; a check of the same
cache then reads nothing and must give what a fresh check of a copy gives, items and
warnings alike; the export-style build gives the check's items.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from specheft.project.layout import Project
from specheft.project.sphinx_run import BuildResult, items_build
from specheft.sphinxext.needs.data import plain_needs

from .helpers import MiniProject, item
from .test_sheets import PAGES

BAD = (
    "# Bad\n\nSee {ref}`nowhere` and {need}`LH-NONE-1`.\n\n"
    + item(
        "req",
        "Tot",
        "Das System muss.",
        id="LH-KON-050",
        priority="bogus",
        area="KON",
        refines="LH-KON-999",
    )
    + item("spec", "Falsch", "Std.", id="PH-KON-050", satisfies="TC-SIT-001")
)

#: the (type, subtype) of the warnings only the skipped steps give
SKIPPED = {
    ("needs", "link_outgoing"),  # check_links
    ("needs", "link_target_type"),  # check_links
    ("sn_schema_violation", "field_fail"),  # the schema validation
    ("ref", "ref"),  # the kept references, resolved
}


def _messages(result: BuildResult) -> list[tuple[Any, ...]]:
    return sorted(
        (m.level, m.text, Path(m.path).name if m.path else None, m.line, m.type, m.subtype)
        for m in result.messages
    )


def _items(needs: list[Any]) -> list[dict[str, Any]]:
    return sorted(plain_needs(needs), key=lambda n: str(n["id"]))


def _edits(root: Path, rng: random.Random) -> list[Callable[[], None]]:
    def rewrite(name: str, change: Callable[[str], str]) -> Callable[[], None]:
        def edit() -> None:
            path = root / "spec" / name
            path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

        return edit

    number = rng.randrange(100, 999)
    return [
        rewrite("kon.md", lambda t: t.replace(":::{req} Dubletten", f":::{{req}} D{number}")),
        rewrite("bad.md", lambda t: t.replace("bogus", "must" if "bogus" in t else "bogus")),
        rewrite("bad.md", lambda t: t.replace("LH-KON-999", "LH-KON-001")),
        rewrite("bad.md", lambda t: t + f"\nAlso {{ref}}`gone-{number}`.\n"),
        rewrite("ab.md", lambda t: t.replace("Kein ERP", f"Kein ERP {number}")),
        rewrite(
            "ph.md",
            lambda t: (
                t + item("spec", f"Neu {number}", "Std.", id=f"PH-KON-{number}", satisfies="AB-001")
            ),
        ),
        rewrite("kon.md", lambda t: t.replace("refines: LH-KON-001", f"refines: LH-KON-{number}")),
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_unseen_build_gives_the_checks_items_and_cache_after_random_edits(
    make_project: Callable[..., MiniProject], tmp_path: Path, seed: int
) -> None:
    mini = make_project({**PAGES, "bad.md": BAD})
    project = Project.at(mini.root)
    rng = random.Random(seed)
    items_build(project)  # the check's cache, as it is before the first edit
    for step in range(4):
        rng.choice(_edits(mini.root, rng))()
        unseen, unseen_needs = items_build(project, warnings=False)
        unseen_items = _items(unseen_needs)
        assert not {(m.type, m.subtype) for m in unseen.messages} & SKIPPED
        seen, seen_needs = items_build(project)  # reads nothing: the unseen build's cache
        assert unseen_items == _items(seen_needs)
        copy = tmp_path / f"copy-{seed}-{step}"
        shutil.copytree(mini.root, copy, ignore=shutil.ignore_patterns("_build"))
        fresh, fresh_needs = items_build(Project.at(copy), fresh=True, jobs=1)
        assert _items(fresh_needs) == unseen_items
        assert _messages(seen) == _messages(fresh)
        # what is skipped is still there in every check (the fixture keeps one of each
        # kind at every step: the edits never fix all of them)
        assert {(m.type, m.subtype) for m in seen.messages} & SKIPPED


def test_check_links_replaced_once() -> None:
    from sphinx_needs.directives import need

    from specheft.sphinxext.needs import unseen

    assert unseen.install() and unseen.install()
    replaced = need.check_links
    assert replaced.__module__ == unseen.__name__
    assert unseen.install() and need.check_links is replaced  # not wrapped twice
    assert not unseen.skipping()
    with unseen.unseen():
        assert unseen.skipping()
        nothing: Any = ({}, None, None)
        replaced(*nothing)  # skipped: the original would read the config
    assert not unseen.skipping()
