"""The speed-ups of sphinx-needs' per-build work (patches 5 and 6 in
``specheft/sphinxext/needs/patches.py``) give exactly what sphinx-needs' own code gives:
the same link order, the same pickled state, the same needs.json and warnings."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from specheft.project.layout import Project
from specheft.project.sphinx_run import run_sphinx
from specheft.sphinxext.needs import linkorder, patches, pickling

from .helpers import CONF_PY, PHASES, REPO, SETTINGS, item

# ids whose natural order differs from their string order, ties broken by the string
# (R_02, R_2, r_2 share one natural key), a part, a condition on a link without one,
# a condition with brackets, and duplicates (collapsed)
TRICKY = [
    "REQ-10",
    "REQ-2",
    "REQ-9",
    "r_2",
    "R_2",
    "R_02",
    "R_2[status == 'open']",
    "R_2[[a]]]",  # malformed: R_2 without a condition, a duplicate
    "R_2[[x]]",
    "REQ-2.part1",
    "REQ-2.part10",
    "REQ-2.part2",
    "req-1",
    "REQ-10",
    "REQ-2",
    "A1B22",
    "A01B3",
    "",
]


def _links(texts: list[str]) -> list[Any]:
    from sphinx_needs.need_item import NeedLink

    return [NeedLink.from_string(text) for text in texts]


def _item(texts: list[str]) -> SimpleNamespace:
    """What ``NeedItem.sort_links`` reads of its instance (new links each time)."""
    from sphinx_needs.need_item import NeedLink, NeedPartData

    part = NeedPartData(id="p", content="", backlinks={"links": _links(texts[::-1])})
    return SimpleNamespace(
        _links={"links": _links(texts), "phase": _links(texts[:1]), "refines": []},
        _backlinks={"links": _links(texts[::-1]), "phase": [NeedLink(id="A.b")], "x": []},
        _parts={"p": part},
    )


def _as_text(item: SimpleNamespace) -> list[Any]:
    return [
        {k: [link.to_link_string() for link in v] for k, v in item._links.items()},
        {k: [link.to_link_string() for link in v] for k, v in item._backlinks.items()},
        [
            {k: [link.to_link_string() for link in v] for k, v in p.backlinks.items()}
            for p in item._parts.values()
        ],
    ]


def test_sort_links_is_installed_and_replaces_the_original():
    from sphinx_needs.need_item import NeedItem

    assert patches.install()
    assert NeedItem.sort_links is linkorder.sort_links
    original = patches._ORIGINAL["sort_links"]
    assert original.__qualname__ == "NeedItem.sort_links"
    assert {"_links", "_backlinks", "_parts"} <= set(NeedItem.__slots__), "fix linkorder.sort_links"


@pytest.mark.parametrize("rotate", range(0, len(TRICKY), 4))
def test_sort_links_orders_as_sphinx_needs(rotate):
    patches.install()
    original = patches._ORIGINAL["sort_links"]
    texts = TRICKY[rotate:] + TRICKY[:rotate]
    theirs, ours = _item(texts), _item(texts)
    original(theirs)
    linkorder.clear()
    linkorder.sort_links(ours)
    assert _as_text(ours) == _as_text(theirs)
    # from the cache now (the keys of the first call), still the same
    again = _item(texts)
    linkorder.sort_links(again)
    assert _as_text(again) == _as_text(theirs)
    # natural order: REQ-2 before REQ-9 before REQ-10; the conditioned link after its id
    order = _as_text(ours)[0]["links"]
    assert order.index("REQ-2") < order.index("REQ-9") < order.index("REQ-10")
    assert order.index("R_02") < order.index("R_2") < order.index("R_2[status == 'open']")
    assert sorted(order) == sorted({link.to_link_string() for link in _links(TRICKY)})


def test_sort_links_gives_new_lists_of_the_same_links():
    patches.install()
    item = _item(["B", "A"])
    before = {key: value for key, value in item._links.items()}
    single = item._backlinks["phase"][0]
    linkorder.sort_links(item)
    assert all(item._links[key] is not before[key] for key in before), "new lists, as there"
    assert item._backlinks["phase"][0] is single


def test_a_cached_key_is_not_given_to_a_link_with_a_condition():
    from sphinx_needs.need_item import _link_natural_sort_key

    linkorder.clear()
    plain, conditioned = _links(["X_2", "X_2[a]"])
    assert linkorder._key(plain) == _link_natural_sort_key(plain)
    assert linkorder._key(conditioned) == _link_natural_sort_key(conditioned)
    assert linkorder._key(conditioned) != linkorder._key(plain)


# --- pickling ------------------------------------------------------------------------


def _examples() -> list[Any]:
    from sphinx_needs import need_item as ni

    return [
        ni.NeedLink(id="REQ-1", part="p", condition="status == 'x'"),
        ni.NeedLink(id="REQ-2"),
        ni.NeedsContent(doctype=".md", content="Text ü", pre_template="t"),
        ni.NeedItemSourceDirective(docname="a/b", lineno=3, lineno_content=5, parser_lineno=2),
        ni.NeedItemSourceUnknown(docname=None, is_import=True),
        ni.NeedItemSourceService(docname="s", lineno=1),
        ni.NeedItemSourceExternal(url="https://example.org"),
        ni.NeedItemSourceImport(docname="i", lineno=2, path="needs.json"),
        ni.NeedPartData(id="p", content="c", backlinks={"links": [ni.NeedLink(id="B")]}),
        ni.NeedModification(docname="m", lineno=9),
    ]


def test_every_slotted_dataclass_of_need_item_pickles_fast():
    from sphinx_needs import need_item

    patches.install()
    classes = {type(example) for example in _examples()}
    assert classes <= set(pickling.REPLACED), "fix pickling.install"
    for cls in classes:
        assert cls.__getstate__ is not dataclasses._dataclass_getstate  # type: ignore[attr-defined]
        assert cls.__getstate__.__qualname__ == f"{cls.__qualname__}.__getstate__"
    slotted = [
        value
        for value in vars(need_item).values()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and "__slots__" in value.__dict__
    ]
    assert set(slotted) == set(pickling.REPLACED), "a new slotted dataclass: cover it"


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_pickling_round_trips_exactly(protocol):
    patches.install()
    for example in _examples():
        copy = pickle.loads(pickle.dumps(example, protocol))
        assert copy == example and type(copy) is type(example)
        for field in dataclasses.fields(example):  # compare=False ones too
            assert getattr(copy, field.name) == getattr(example, field.name), field.name
        assert pickle.loads(pickle.dumps([example, example], protocol))[1] is not None


def test_a_pickle_of_either_side_is_read_by_the_other():
    """An environment pickled before the replacement is loaded after it, and back."""
    patches.install()
    for example in _examples():
        cls = type(example)
        # the state dataclasses writes (a list) into the replacement
        theirs = dataclasses._dataclass_getstate(example)  # type: ignore[attr-defined]
        copy = object.__new__(cls)
        copy.__setstate__(theirs)
        assert copy == example
        # the replacement's state (a tuple) into dataclasses' own
        copy = object.__new__(cls)
        dataclasses._dataclass_setstate(copy, example.__getstate__())  # type: ignore[attr-defined]
        assert copy == example
        assert list(example.__getstate__()) == theirs


def test_pickling_leaves_other_classes_alone():
    @dataclasses.dataclass(frozen=True)
    class Plain:  # no slots: pickled through __dict__
        a: int
        b: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class One:  # one field: an attrgetter would give no tuple
        a: int

    assert not pickling.fast_pickling(Plain)
    assert not pickling.fast_pickling(One)
    assert One.__getstate__ is dataclasses._dataclass_getstate  # type: ignore[attr-defined]
    assert Plain not in pickling.REPLACED and One not in pickling.REPLACED


# --- the whole build, with and without --------------------------------------------------


def _without_patches(monkeypatch: pytest.MonkeyPatch) -> None:
    """sphinx-needs' own methods and dataclasses' own pickling, for the builds to come."""
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.need_item import NeedItem
    from sphinx_needs.needsfile import NeedsList

    patches.install()
    owners = {
        "add_backlink": NeedItem,
        "sort_links": NeedItem,
        "remove_doc": SphinxNeedsData,
        "write_json": NeedsList,
    }
    for name, owner in owners.items():
        monkeypatch.setattr(owner, name, patches._ORIGINAL[name])
    for cls in pickling.REPLACED:
        monkeypatch.setattr(cls, "__getstate__", dataclasses._dataclass_getstate)  # type: ignore[attr-defined]
        monkeypatch.setattr(cls, "__setstate__", dataclasses._dataclass_setstate)  # type: ignore[attr-defined]
    monkeypatch.setattr(patches, "install", lambda: False)


def _builds(root: Path) -> list[tuple[bytes, list[str]]]:
    """needs.json and the warnings of a fresh build, and of the build after an edit (the
    environment unpickled)."""
    project = Project.at(root)
    outdir = root / "_build" / "needs"
    seen = []
    for step in range(2):
        if step:
            page = sorted((root / "spec").rglob("*.md"))[3]
            page.write_text(page.read_text(encoding="utf-8") + "\nNachtrag.\n", "utf-8")
        result = run_sphinx(
            project,
            "needs",
            outdir,
            strict=False,
            status=None,
            warning=None,
            fresh=not step,
            confoverrides={"needs_reproducible_json": True},  # no time stamps
        )
        messages = sorted(
            f"{Path(m.path).relative_to(root) if m.path else ''}:{m.line}: {m.text}"
            for m in result.messages
        )
        seen.append(((outdir / "needs.json").read_bytes(), messages))
    return seen


def test_needs_json_and_warnings_are_identical_without_the_patches(tmp_path, monkeypatch):
    copies = []
    for name in ("with", "without"):
        root = tmp_path / name
        for part in ("conf", "spec"):
            shutil.copytree(REPO / part, root / part)
        copies.append(root)
    from sphinx_needs.need_item import NeedItem, NeedLink

    ours = _builds(copies[0])
    assert NeedItem.sort_links is linkorder.sort_links and NeedLink in pickling.REPLACED
    with monkeypatch.context() as patched:
        _without_patches(patched)
        theirs = _builds(copies[1])
        assert NeedItem.sort_links is patches._ORIGINAL["sort_links"]
        assert NeedLink.__getstate__ is dataclasses._dataclass_getstate  # type: ignore[attr-defined]
    assert ours[0][0] and ours[1][0]
    assert ours == theirs


# --- the garbage collector paused from the end of reading to the end of a check build --


def _small_project(root: Path) -> Project:
    files = {
        "conf/conf.py": CONF_PY,
        "conf/specheft.toml": SETTINGS.format(language="de"),
        "spec/index.md": "# Mini\n\n```{toctree}\nphasen\nanf\n```\n",
        "spec/phasen.md": PHASES,
        "spec/anf.md": "# Anf\n\n"
        + item("req", "Ziel", "Das CRM-System kann zählen.", id="LH-KON-001", priority="can"),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return Project.at(root)


def _check(project: Project) -> Any:
    return run_sphinx(
        project,
        "specheft-check",
        project.root / "_build" / "check",
        strict=False,
        status=None,
        warning=None,
    )


def test_no_collection_while_a_check_post_processes(tmp_path, monkeypatch):
    import gc

    from specheft.sphinxext.needs import checkbuilder

    seen: list[bool] = []
    frozen: list[int] = []
    original = checkbuilder.CheckBuilder.write
    original_finish = checkbuilder.CheckBuilder.finish

    def write(self: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(gc.isenabled())
        frozen.append(gc.get_freeze_count())
        original(self, *args, **kwargs)
        seen.append(gc.isenabled())

    def finish(self: Any) -> None:
        original_finish(self)
        frozen.append(gc.get_freeze_count())

    monkeypatch.setattr(checkbuilder.CheckBuilder, "write", write)
    monkeypatch.setattr(checkbuilder.CheckBuilder, "finish", finish)
    assert gc.isenabled()
    result = _check(_small_project(tmp_path / "p"))
    assert "LH-KON-001" in {need["id"] for need in result.app.builder.resolved_needs}
    assert seen == [False, False], "the collector runs during the post-processing"
    assert gc.isenabled(), "the collector stays paused after the build"
    # what the post-processing made is frozen with the loaded environment, not walked
    assert frozen[1] > frozen[0]


def test_the_collector_runs_again_when_a_check_fails(tmp_path, monkeypatch):
    import gc

    from specheft.sphinxext.needs import checkbuilder

    def write(self: Any, *args: Any, **kwargs: Any) -> None:
        assert not gc.isenabled()
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(checkbuilder.CheckBuilder, "write", write)
    with pytest.raises(Exception, match="broken on purpose"):
        _check(_small_project(tmp_path / "p"))
    assert gc.isenabled()


# --- the kept reference nodes: without the page's doctree, the same messages ------------

REFERENCES_PAGE = (
    "# Verweise\n\n(oben)=\n## Oben\n\nEinzigartiger Seitentext Quokka.\n\n"
    "Gut: {need}`LH-KON-001`, {ref}`oben`, {doc}`anf`.\n\n"
    "Schlecht: {need}`LH-KON-999`, {ref}`nirgends`, {doc}`fehlt`, [weg](fehlt.md).\n"
)


def _references_project(root: Path) -> Project:
    project = _small_project(root)
    (root / "spec/verweise.md").write_text(REFERENCES_PAGE, encoding="utf-8")
    index = root / "spec/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("anf\n", "anf\nverweise\n"))
    return project


def _check_messages(root: Path) -> list[list[str]]:
    """The messages of a fresh check, and of the check after an edit to another page."""
    project = _references_project(root)
    seen = []
    for step in range(2):
        if step:
            page = root / "spec/anf.md"
            page.write_text(page.read_text(encoding="utf-8") + "\nNachtrag.\n", "utf-8")
        result = run_sphinx(
            project,
            "specheft-check",
            root / "_build" / "check",
            strict=False,
            status=None,
            warning=None,
            fresh=not step,
        )
        seen.append(
            sorted(
                f"{Path(m.path).relative_to(root) if m.path else ''}:{m.line}: {m.text}"
                for m in result.messages
            )
        )
    return seen


def test_kept_references_hold_no_doctree_and_say_the_same(tmp_path, monkeypatch):
    from specheft.sphinxext.context.domain import specheft_domain
    from specheft.sphinxext.needs import checkbuilder

    ours = _check_messages(tmp_path / "ours")
    doctrees = Project.at(tmp_path / "ours").doctree_dir("specheft-check")
    env_pickle = (doctrees / "environment.pickle").read_bytes()
    assert b"Quokka" not in env_pickle, "the kept references pickle the page's doctree"
    result = _check(Project.at(tmp_path / "ours"))
    kept = specheft_domain(result.app.env).references["verweise"]
    assert len(kept) >= 7 and all(node.document is None for node in kept)
    with monkeypatch.context() as patched:
        patched.setattr(checkbuilder, "_detach", lambda copy: None)
        theirs = _check_messages(tmp_path / "theirs")
    broken = [m for m in ours[0] if "verweise.md" in m]
    assert len(broken) >= 4, ours[0]  # the four broken references, located
    assert ours == theirs


def test_content_of_a_need_as_get_gives_it():
    from sphinx_needs.need_item import NeedsContent

    from specheft.sphinxext.needs import checkbuilder

    class Item(dict):  # type: ignore[type-arg]
        """A need with its content in a ``NeedsContent``, as ``NeedItem`` keeps it."""

        def __init__(self, text: str) -> None:
            super().__init__(content=text)
            self.content = NeedsContent(doctype=".md", content=text)

    for need in (Item("[[links_from_content()]]"), Item(""), {"content": None}, {}):
        assert checkbuilder._content(need) == str(need.get("content") or "")
