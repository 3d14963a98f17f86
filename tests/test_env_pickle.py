"""What a re-check does once instead of again (#17): the store of needs in Sphinx's
environment pickle, one pickle per document (``specheft/sphinxext/needs/pickling.py``),
of which a re-check writes those of the pages it did not read again as they were read,
leaving exactly what pickling every need again gives; the items cache not written again
when it holds the same key; the key of an item's remembered lint hits; a need's field
read straight from its stores; the weak-word patterns compiled when first used."""

from __future__ import annotations

import copy
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from specheft.project.layout import Project
from specheft.project.sphinx_run import items_build
from specheft.sphinxext.needs import patches, pickling

from .helpers import REPO

PICKLED: list[str] = []


@dataclass
class FakeNeed:
    """What the store's pickling reads of a need: ``source.docname``; counts its pickles."""

    id: str
    docname: str | None
    text: str = ""

    @property
    def source(self) -> SimpleNamespace:
        return SimpleNamespace(docname=self.docname)

    def __reduce__(self) -> tuple[Any, ...]:
        PICKLED.append(self.id)
        return (FakeNeed, (self.id, self.docname, self.text))


class Env:  # an environment: weakly referenced, with sphinx-needs' flag
    _needs_is_post_processed = False


def _store() -> patches.QuietNeeds:
    # documents interleaved (a page read again comes last), one need without a document
    needs = [("A1", "a"), ("B1", "b"), ("A2", "a"), ("X", None), ("C1", "c"), ("B2", "b")]
    return patches.QuietNeeds({i: FakeNeed(i, d, f"text {i}") for i, d in needs})


def _loaded() -> tuple[patches.QuietNeeds, Env]:
    store = pickle.loads(pickle.dumps(_store(), pickle.HIGHEST_PROTOCOL))
    env = Env()
    pickling.begin_build(store, env)
    return store, env


def test_the_store_round_trips_with_its_order_and_class():
    store = _store()
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        copy_ = pickle.loads(pickle.dumps(store, protocol))
        assert type(copy_) is patches.QuietNeeds
        assert list(copy_.items()) == list(store.items())
    assert copy.copy(store) == store and all(
        a is b for a, b in zip(copy.copy(store).values(), store.values(), strict=True)
    )
    assert copy.deepcopy(store) == store


def test_only_the_documents_read_again_are_pickled_again():
    store, _env = _loaded()  # (the environment kept alive: weakly referenced)
    store["B2"] = FakeNeed("B2", "b", "edited")  # page b read again
    del store["A2"]  # a need removed from page a
    store["D1"] = FakeNeed("D1", "d")  # a new page
    PICKLED.clear()
    data = pickle.dumps(store, pickle.HIGHEST_PROTOCOL)
    # c kept its pickle; without a document (X) a need is always pickled again
    assert sorted(PICKLED) == ["A1", "B1", "B2", "D1", "X"]
    again = pickle.loads(data)
    assert list(again) == ["A1", "B1", "X", "C1", "B2", "D1"]
    assert again["B2"].text == "edited" and again["C1"] == FakeNeed("C1", "c", "text C1")


def test_unchanged_documents_are_written_as_they_were_read():
    store, _env = _loaded()
    PICKLED.clear()
    data = pickle.dumps(store, pickle.HIGHEST_PROTOCOL)
    assert PICKLED == ["X"]
    assert list(pickle.loads(data).items()) == list(_store().items())


@pytest.mark.parametrize("why", ["post-processed", "second build", "no build began", "gone"])
def test_nothing_is_reused_once_the_needs_may_have_changed_in_place(why):
    if why == "no build began":
        store = pickle.loads(pickle.dumps(_store(), pickle.HIGHEST_PROTOCOL))
    else:
        store, env = _loaded()
        if why == "post-processed":
            env._needs_is_post_processed = True
        elif why == "second build":  # the same store in a later build of the process
            pickling.begin_build(store, env)
        else:
            del env
    PICKLED.clear()
    pickle.dumps(store, pickle.HIGHEST_PROTOCOL)
    assert sorted(PICKLED) == sorted(_store())


# --- a check's environment --------------------------------------------------------------


def _env_needs(project: Project) -> dict[str, Any]:
    path = project.doctree_dir("check") / "environment.pickle"
    with path.open("rb") as handle:
        env = pickle.load(handle)
    needs: dict[str, Any] = env._needs_all_needs
    return needs


def _edited_recheck(
    root: Path, monkeypatch: pytest.MonkeyPatch, reuse: bool, pages: int, jobs: int
) -> dict[str, Any]:
    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, root / part)
    project = Project.at(root)
    items_build(project, jobs=1)
    edited = sorted((root / "spec" / "lastenheft").rglob("*.md"))[:pages]
    for page in edited:
        page.write_text(page.read_text(encoding="utf-8") + "\nNachtrag.\n", encoding="utf-8")
    pickled: list[object] = []
    orders: list[list[str]] = []
    original = pickle.dumps
    reduce_store = pickling.reduce_store

    def counting(obj: Any, *args: Any, **kwargs: Any) -> bytes:
        pickled.append(obj)
        return original(obj, *args, **kwargs)

    def recording(store: dict[str, Any]) -> tuple[Any, ...]:
        orders.append(list(store))  # the order of the store when it is pickled
        return reduce_store(store)

    with monkeypatch.context() as patched:
        patched.setattr(pickling.pickle, "dumps", counting)
        patched.setattr(pickling, "reduce_store", recording)
        if not reuse:
            patched.setattr(pickling, "_reusable", lambda store: {})
        items_build(project, jobs=jobs)  # (with 2: the edited pages read by two workers)
    loaded = _env_needs(project)
    assert orders and list(loaded) == orders[-1]
    documents = {need.source.docname for need in loaded.values()}
    names = {page.relative_to(root / "spec").with_suffix("").as_posix() for page in edited}
    # with reuse only the edited pages' needs were pickled again; else every page's
    assert len(pickled) == len(documents & names if reuse else documents), len(pickled)
    return loaded


@pytest.mark.parametrize(("pages", "jobs"), [(1, 1), (8, 2)])
def test_a_rechecks_environment_holds_what_pickling_every_need_gives(
    tmp_path, monkeypatch, pages, jobs
):
    patches.install()
    ours = _edited_recheck(tmp_path / "reuse", monkeypatch, True, pages, jobs)
    theirs = _edited_recheck(tmp_path / "every", monkeypatch, False, pages, jobs)
    assert type(ours) is patches.QuietNeeds
    # (the order after reading in parallel is the order the workers finished in)
    assert sorted(ours) == sorted(theirs) and len(ours) > 100
    if jobs == 1:
        assert list(ours) == list(theirs)
    for need_id, need in ours.items():
        other = theirs[need_id]
        assert need == other, need_id
        for slot in type(need).__slots__:  # the ones __eq__ leaves out too
            assert getattr(need, slot) == getattr(other, slot), (need_id, slot)


# --- the items cache a check leaves -----------------------------------------------------


def test_a_check_with_nothing_changed_does_not_write_the_items_cache_again(tmp_path):
    from specheft.project import items_cache
    from specheft.project.check import run_check

    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, tmp_path / part)
    project = Project.at(tmp_path)
    run_check(project)
    path = project.doctree_dir("check") / "specheft-items.pickle"
    first = path.stat()
    key = items_cache.items_key(project)
    assert items_cache.holds(project, key) and items_cache.load(project, key) is not None
    run_check(project)
    again = path.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    page = tmp_path / "spec" / "lastenheft" / "05-anforderungen" / "vertrieb.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nNachtrag.\n", encoding="utf-8")
    run_check(project)  # another key: written
    assert not items_cache.holds(project, key)
    key = items_cache.items_key(project)
    assert items_cache.holds(project, key)
    # cut short (or damaged): not held, so the next check writes it again
    path.write_bytes(path.read_bytes()[:-10])
    assert not items_cache.holds(project, key)
    run_check(project)
    assert items_cache.holds(project, key)
    graph = items_cache.load(project, key)
    assert graph is not None and len(graph) == len(run_check(project).graph)


# --- the key of an item's remembered lint hits ------------------------------------------


def test_an_items_hit_key_follows_everything_a_per_item_rule_reads():
    from specheft.trace.graph import Item
    from specheft.trace.hitcache import item_key

    def make(**changes: Any) -> Item:
        fields = {"priority": "must", "content": "Das System muss zählen.", "tags": ["a"]}
        values: dict[str, Any] = {
            "id": "LH-KON-001",
            "kind": "req",
            "title": "Zählen",
            "status": None,
            "docname": "lastenheft/kon",
            "path": "spec/lastenheft/kon.md",
            "line": 3,
            "order": None,
            "links": {"phase": ("PHASE-A",)},
            "fields": fields,
        }
        for name, value in changes.items():
            if name in values:
                values[name] = value
            else:
                fields[name] = value
        return Item(**values)

    key = item_key(make())
    assert item_key(make()) == key  # the same data made again
    assert item_key(make(links={})) == key  # links: read by whole-project rules only
    for changed in [
        {"title": "Zählen!"},
        {"status": "draft"},
        {"path": "spec/other.md"},
        {"line": 4},
        {"order": 1},
        {"priority": "should"},
        {"tags": ["a", "b"]},
        {"tags": ("a",)},
        {"content": "Das System muss zählen. "},
        {"level": 1},
        {"level": True},
        {"level": "1"},
        {"id": "LH-KON-002"},
        {"kind": "spec"},
    ]:
        assert item_key(make(**changed)) != key, changed


# --- a need's field read straight from its stores ---------------------------------------


def test_need_value_gives_what_get_gives(tmp_path):
    from specheft.sphinxext.directives import vendors
    from specheft.sphinxext.needs.data import need_value

    for part in ("conf", "spec"):
        shutil.copytree(REPO / part, tmp_path / part)
    result, needs = items_build(Project.at(tmp_path), jobs=1)
    assert len(needs) > 100
    for need in [*needs, {"type": "req", "content": None}, {}]:
        keys = [*getattr(need, "keys", dict().keys)(), "content", "nothing", "links_back"]
        for key in keys:
            assert need_value(need, key) == need.get(key), key
    # the digest of what the requirements say, as it was computed with get
    env = result.app.env
    old = vendors.hashlib.sha256()
    stored = {need["id"]: need for need in needs}
    for need_id in sorted(stored):
        need = stored[need_id]
        if need.get("type") == "req":
            parts = (need_id, need.get("title"), need.get("content"), need.get("priority"))
            old.update("\x1f".join(str(p) for p in parts).encode() + b"\x1e")
            old.update(f"{need.get('area')}|{need.get('status')}".encode())
    assert vendors._asked_digest(env) == old.hexdigest()


# --- the weak-word patterns, compiled when first used -----------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_weak_word_buckets_are_compiled_when_first_used_and_find_the_same(language):
    from specheft.trace.lint import matching

    texts = [
        "Das CRM-System muss ggf. schnell und flexibel Kontakte pflegen, sofern sinnvoll.",
        "The system shall be user-friendly, fast, etc. and/or as appropriate if possible.",
        "Die Lösung soll z. B. möglichst benutzerfreundlich sein; usw.",
        "",
    ]
    lazy = matching.compiled_matcher.__wrapped__(language, ("Wunder*",), ("schnell",))
    buckets = [entry[1] for entries in lazy.by_letter.values() for entry in entries]
    assert buckets and not any(bucket._compiled for bucket in buckets)
    found = [lazy.find(text, "must") for text in texts]
    used = sum(1 for bucket in buckets if bucket._compiled is not None)
    assert 0 < used < len(buckets)  # only the letters the texts' words start with
    eager = matching.compiled_matcher.__wrapped__(language, ("Wunder*",), ("schnell",))
    for entries in eager.by_letter.values():
        for entry in entries:
            entry[1].compiled()
    assert [eager.find(text, "must") for text in texts] == found
    assert any(found)
