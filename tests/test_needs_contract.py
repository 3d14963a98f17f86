"""The contract with sphinx-needs and Sphinx: every assumption specheft makes about them.

specheft reaches into sphinx-needs (its stores, node classes, log messages, event
order, two replaced methods) and into Sphinx (three private attributes) from one
adapter: ``specheft/sphinxext/needs/`` and ``specheft/sphinxext/compat.py``. After an
upgrade of either, this file fails first, and each failure names the adapter function
to fix. The messages are triggered for real in one small build, so a reworded message
fails here, not only as a lost file:line in a corpus case.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path
from typing import Any

import pytest

from specheft.project.layout import Project
from specheft.project.sphinx_run import run_sphinx
from specheft.sphinxext.needs import data, messages, patches, priorities

from .helpers import CONF_PY, PHASES, SETTINGS, item

# one page per message specheft rewrites (kept under Sphinx's parallel-read threshold:
# the records are caught in this process)
PAGES = {
    "gut.md": "# Gut\n\n"
    + item("req", "Ziel", "Das CRM-System kann zählen.", id="LH-KON-001", priority="can")
    + "\n"
    + item("test", "Test", "Schritte.", id="TC-SIT-001", level="sit", verifies="PH-KON-001"),
    "falsch.md": "# Falsch\n\n"
    # schema: a value not allowed
    + item("req", "Wert", "Das CRM-System kann.", id="LH-KON-002", priority="mandatory")
    + "\n"
    # a link to no item, a link to the wrong kind, an option the kind lacks
    + item("spec", "Tot", "Standard.", id="PH-KON-001", satisfies="LH-KON-999")
    + "\n"
    + item("spec", "Art", "Standard.", id="PH-KON-002", satisfies="TC-SIT-001")
    + "\n"
    + item("test", "Falsch", "Schritte.", id="TC-SIT-002", level="sit", satisfies="LH-KON-001")
    + "\n"
    # an option no kind knows
    + item(
        "req", "Unbekannt", "Das CRM-System kann.", id="LH-KON-003", priority="can", colour="rot"
    )
    + "\n"
    # an id that is no id, and none at all
    + item("req", "Klein", "Das CRM-System kann.", id="lh-kon-4", priority="can")
    + "\n"
    + ":::{req} Ohne\n:priority: can\n:phase: PHASE-IMPL\n\nDas CRM-System kann.\n:::\n",
}


class _Catch(logging.Filter):
    """Keeps each record's text as sphinx-needs wrote it (installed before specheft's own
    filters, which rewrite the text in place)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.seen.append((record.name, str(record.msg)))
        return True


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("contract") / "proj"
    files = {
        "conf/conf.py": CONF_PY,
        "conf/specheft.toml": SETTINGS.format(language="de"),
        "spec/index.md": "# Mini\n\n```{toctree}\nphasen\ngut\nfalsch\n```\n",
        "spec/phasen.md": PHASES,
        **{f"spec/{name}": text for name, text in PAGES.items()},
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    catch = _Catch()
    loggers = [logging.getLogger(n) for n in (messages.SCHEMA_LOGGER, *messages.NEED_LOGGERS)]
    for logger in loggers:
        logger.filters.insert(0, catch)
    try:
        result = run_sphinx(
            Project.at(root),
            "specheft-check",
            root / "_build" / "check",
            strict=False,
            status=None,
            warning=None,
        )
    finally:
        for logger in loggers:
            logger.removeFilter(catch)
    return result, catch.seen


def _said(seen: list[tuple[str, str]], kind: type) -> list[Any]:
    parsed = [messages.parse_need_message(text) for _, text in seen]
    return [p for p in parsed if isinstance(p, kind)]


# --- loggers and message heads ---------------------------------------------------------


def test_the_loggers_are_the_ones_sphinx_needs_writes_to(build):
    _, seen = build
    names = {name for name, _ in seen}
    assert messages.SCHEMA_LOGGER in names, (
        "no schema report on messages.SCHEMA_LOGGER: sphinx-needs moved its schema logger; "
        "fix SCHEMA_LOGGER in specheft/sphinxext/needs/messages.py"
    )
    assert messages.NEED_DIRECTIVE_LOGGER in names, (
        "nothing on messages.NEED_DIRECTIVE_LOGGER: sphinx-needs moved its need directive "
        "logger; fix NEED_DIRECTIVE_LOGGER in specheft/sphinxext/needs/messages.py"
    )


def test_schema_reports_are_understood(build):
    _, seen = build
    reports = [messages.parse_schema_report(t) for n, t in seen if n == messages.SCHEMA_LOGGER]
    found = [r for r in reports if r is not None and r.need_id == "LH-KON-002"]
    assert found, (
        f"sphinx-needs' schema report no longer starts {messages.SCHEMA_HEAD!r}: fix "
        "messages.parse_schema_report"
    )
    [violation] = found[0].violations
    assert violation.get("field") == "priority" and "mandatory" in violation.get(
        "schema message", ""
    ), f"the schema report's lines changed ({violation}): fix messages.parse_schema_report"


@pytest.mark.parametrize(
    ("kind", "expected", "head"),
    [
        (messages.InvalidId, messages.InvalidId("lh-kon-4"), messages.BAD_ID),
        (messages.MissingId, messages.MissingId(), messages.NO_ID),
        (
            messages.DeadLink,
            messages.DeadLink("PH-KON-001", "LH-KON-999", "satisfies"),
            messages.DEAD_LINK,
        ),
        (
            messages.WrongTargetKind,
            messages.WrongTargetKind("PH-KON-002", "satisfies"),
            messages.WRONG_KIND,
        ),
        (
            messages.Undeclared,
            messages.Undeclared("satisfies", "test", "TC-SIT-002"),
            messages.UNDECLARED,
        ),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_need_messages_are_understood(build, kind, expected, head):
    _, seen = build
    assert expected in _said(seen, kind), (
        f"sphinx-needs no longer writes {head!r} as messages.parse_need_message reads it "
        f"({kind.__name__}); fix the pattern in specheft/sphinxext/needs/messages.py. "
        f"Messages seen: {[t[:90] for _, t in seen]}"
    )


def test_unknown_options_are_understood(build):
    _, seen = build
    keys = [messages.parse_unknown_option(t) for n, t in seen if n in messages.NEED_LOGGERS]
    assert "colour" in keys, (
        f"sphinx-needs no longer writes {messages.UNKNOWN_OPTION!r} as "
        "messages.parse_unknown_option reads it: fix it in specheft/sphinxext/needs/messages.py"
    )


def test_the_rewritten_messages_stand_at_the_option(build):
    """The end-to-end effect the parsers exist for (the corpus has more cases)."""
    result, _ = build
    lines = {
        (Path(m.path or "").name, m.line): m.text for m in result.messages if m.path is not None
    }
    page = PAGES["falsch.md"].split("\n")
    expected = {
        "LH-KON-002: :priority:": ":priority: mandatory",
        "PH-KON-001: :satisfies: names 'LH-KON-999'": ":satisfies: LH-KON-999",
        "unknown option :colour:": ":colour: rot",
        "id 'lh-kon-4' is not a valid id": ":id: lh-kon-4",
        "TC-SIT-002: :satisfies: is not an option of test items": ":satisfies: LH-KON-001",
    }
    for start, source_text in expected.items():
        where = [line for (name, line), text in lines.items() if text.startswith(start)]
        assert where, f"no message starting {start!r}: {sorted(lines.values())}"
        assert page[where[0] - 1] == source_text, (start, where)


# --- the needs view and sphinx-needs' private stores ------------------------------------


def test_the_needs_view_and_the_stores(build):
    result, _ = build
    env = result.app.env
    view = data.needs_view(env)
    assert "LH-KON-001" in view, "fix data.needs_view (SphinxNeedsData.get_needs_view)"
    assert data.is_post_processed(env), "fix data.is_post_processed"
    assert data.needs_so_far(env) is not None
    assert hasattr(env, data.NEEDS_STORE), (
        f"sphinx-needs keeps no env.{data.NEEDS_STORE}: fix data.stored_needs/set_stored_needs"
    )
    assert set(data.stored_needs(env)) == set(view), "fix data.stored_needs"
    assert isinstance(data.stored_needs(env), patches.QuietNeeds), (
        "the store was not swapped: fix patches.quiet_needs_store"
    )
    import sphinx_needs.data

    assert data.NODES_STORE in inspect.getsource(sphinx_needs.data), (
        f"sphinx-needs no longer keeps need content nodes in env.{data.NODES_STORE}: "
        "fix data.stored_need_nodes/drop_need_nodes"
    )


def test_node_classes_and_functions():
    table, header = data.needtable_nodes()
    assert table.__name__ == "NeedtableTable" and header.__name__ == "NeedtableHeader"
    listing = data.listing_node_types()
    assert not set(listing) & set(data.reference_node_types()), "fix data.listing_node_types"
    assert any(t.__name__ == "Needextract" for t in listing)
    assert any(t.__name__ == "Needtable" for t in listing), "fix data.listing_node_types"
    params = list(inspect.signature(data.need_directive_module().add_need).parameters)
    assert params[0] == "app" and "id" in params and "need_source" in params, (
        "add_need changed: fix the wrapper of data.need_directive_module().add_need "
        "(specheft/sphinxext/incremental/duplicates.py)"
    )
    from sphinx_needs.functions import functions

    resolve = functions.find_and_replace_node_content
    assert list(inspect.signature(resolve).parameters) == ["node", "env", "need"], (
        "fix data.find_and_replace_node_content"
    )
    assert data.needimport_directive().__name__ == "NeedimportDirective"
    assert issubclass(data.InvalidNeedException, Exception)
    error = data.InvalidNeedException("duplicate_id", "twice")
    assert error.type == "duplicate_id", (
        "InvalidNeedException.type is read to find duplicate ids: fix the wrapper of add_need "
        "(specheft/sphinxext/incremental/duplicates.py)"
    )


# --- the patches ----------------------------------------------------------------------


def test_patches_apply_to_the_tested_release_only(monkeypatch):
    import sphinx_needs
    from sphinx_needs.data import SphinxNeedsData
    from sphinx_needs.need_item import NeedItem

    assert patches.tested(sphinx_needs.__version__), (
        f"sphinx-needs {sphinx_needs.__version__} is not the release line the patches were "
        f"written for ({patches.TESTED_MAJOR}.x): check each patch in "
        "specheft/sphinxext/needs/patches.py against it, then raise TESTED_MAJOR"
    )
    assert patches.install()
    assert NeedItem.add_backlink is patches._add_backlink
    assert SphinxNeedsData.remove_doc is patches._remove_doc
    original = inspect.signature(patches._ORIGINAL["remove_doc"])
    assert list(original.parameters) == ["self", "docname"], "fix patches._remove_doc"
    for store in ("get_or_create_docs", "get_or_create_extends", "get_or_create_umls"):
        assert hasattr(SphinxNeedsData, store), f"fix patches._remove_doc ({store})"
    assert "_backlinks" in NeedItem.__slots__, "fix patches._add_backlink (_backlinks)"
    # patches 5 and 6 (tests/test_needs_patches_post.py has the equivalence tests)
    from sphinx_needs.need_item import NeedLink, _link_natural_sort_key

    from specheft.sphinxext.needs import linkorder, pickling

    assert NeedItem.sort_links is linkorder.sort_links
    original_sort = inspect.signature(patches._ORIGINAL["sort_links"])
    assert list(original_sort.parameters) == ["self"], "fix linkorder.sort_links"
    assert {"_filter_string", "condition"} <= set(NeedLink.__slots__), "fix linkorder._key"
    assert callable(_link_natural_sort_key), "fix linkorder._key"
    assert NeedLink in pickling.REPLACED, "fix pickling.install"
    # on another major version nothing is replaced, with a warning
    monkeypatch.setattr(sphinx_needs, "__version__", "10.0.0")
    monkeypatch.setattr(patches, "_WARNED", [])
    warned: list[str] = []
    monkeypatch.setattr(patches.logger, "warning", lambda text, **kw: warned.append(text))
    assert not patches.install()
    assert warned and "not the release line" in warned[0]


def test_add_backlink_signature_is_the_replaced_one():
    from sphinx_needs.need_item import NeedItem

    patches.install()
    # the original is no longer on the class; the replacement must take what callers pass
    replaced = inspect.signature(patches._add_backlink)
    assert list(replaced.parameters) == ["self", "link_type", "backlink"]
    assert NeedItem.add_backlink is patches._add_backlink


# --- event priorities -----------------------------------------------------------------


def _priorities(app: Any, event: str) -> dict[str, int]:
    """handler name → priority, for sphinx-needs' and specheft's handlers of ``event``."""
    found: dict[str, int] = {}
    for listener in app.events.listeners[event]:
        handler = listener.handler
        name = getattr(handler, "__qualname__", repr(handler))
        module = getattr(handler, "__module__", "") or ""
        found[f"{module}.{name}"] = listener.priority
    return found


def _of(found: dict[str, int], needle: str) -> int:
    """The priority of the handler whose name ends with ``needle`` (sphinx-needs' own
    where it has one of that name)."""
    matches = [p for name, p in found.items() if name.endswith(needle)]
    theirs = [p for name, p in found.items() if name.endswith(needle) and "sphinx_needs" in name]
    assert matches, (
        f"no handler {needle!r} in {sorted(found)}: a handler was renamed; check the "
        "relation in specheft/sphinxext/needs/priorities.py and update this test"
    )
    return min(theirs or matches)


def test_priorities_are_in_order():
    values = [v for k, v in vars(priorities).items() if k.isupper()]
    assert values == sorted(values), "keep specheft/sphinxext/needs/priorities.py in order"


def test_priorities_relative_to_sphinx_needs(build):
    result, _ = build
    app = result.app
    config = _priorities(app, "config-inited")
    reads = min(_of(config, ".load_config_from_toml"), _of(config, ".load_config"))
    assert reads > priorities.CONFIGURE_NEEDS, "fix priorities.CONFIGURE_NEEDS"
    assert _of(config, "specheft.sphinxext._configure") == priorities.CONFIGURE_NEEDS
    reading = _priorities(app, "env-before-read-docs")
    assert _of(reading, ".prepare_env") < priorities.LATE, "fix priorities.LATE"
    assert _of(reading, ".quiet_needs_store") == priorities.LATE
    merging = _priorities(app, "env-merge-info")
    assert _of(merging, ".merge_data") > priorities.BEFORE_NEEDS, "fix priorities.BEFORE_NEEDS"
    resolved = _priorities(app, "doctree-resolved")
    need_nodes = _of(resolved, ".process_need_nodes")
    assert priorities.BEFORE_NEEDS < priorities.TRACE_DIRECTIVES < need_nodes, (
        "fix priorities.BEFORE_NEEDS / TRACE_DIRECTIVES"
    )
    assert _of(resolved, "._render_doctree") == priorities.BEFORE_NEEDS
    assert need_nodes < priorities.AFTER_NEEDS < priorities.NEEDTABLE_LABELS, (
        "fix priorities.AFTER_NEEDS"
    )
    writing = _priorities(app, "write-started")
    sealed = _of(writing, ".ensure_post_process_needs_data")
    assert sealed < priorities.BUILD_CONTEXT < priorities.AFTER_NEEDS, (
        "fix priorities.BUILD_CONTEXT"
    )
    finished = _priorities(app, "build-finished")
    assert _of(finished, ".build_needs_json") < priorities.AFTER_NEEDS_JSON, (
        "fix priorities.AFTER_NEEDS_JSON"
    )


# --- Sphinx's private attributes (specheft/sphinxext/compat.py) -----------------------


def test_sphinx_private_attributes(build):
    from sphinx.builders import Builder

    from specheft.sphinxext import compat

    result, _ = build
    app = result.app
    user = compat.conf_py_values(app.config)
    assert "needs_types" not in user and "project" in user, (
        "Config._raw_config is gone or holds defaults: fix compat.conf_py_values"
    )
    # the count goes on after the result is taken (build-finished handlers)
    assert compat.warning_count(app) >= result.warnings > 0, "fix compat.warning_count"
    assert "_translator" in dir(Builder), (
        "Builder._translator is gone: fix compat.builder_translations"
    )


def test_the_named_heads_are_what_the_parsers_read():
    """The constants document the texts; the parsers must read exactly those."""
    said = messages.parse_need_message
    bad = messages.NOT_CREATED + messages.BAD_ID.format(id="lh-1")
    assert said(bad) == messages.InvalidId("lh-1")
    assert said(messages.NOT_CREATED + messages.NO_ID) == messages.MissingId()
    dead = messages.DEAD_LINK.format(id="A", target="B", field="satisfies")
    assert said(dead) == messages.DeadLink("A", "B", "satisfies")
    wrong = messages.WRONG_KIND.format(id="A", target="B", field="satisfies")
    assert said(wrong) == messages.WrongTargetKind("A", "satisfies")
    undeclared = messages.UNDECLARED.format(what="Field", name="level", kind="req", id="A")
    assert said(undeclared) == messages.Undeclared("level", "req", "A")
    assert messages.parse_unknown_option(messages.UNKNOWN_OPTION.format(key="x")) == "x"
    report = messages.parse_schema_report(
        messages.SCHEMA_HEAD.format(id="A") + "\n  Severity: violation\n  Field: priority\n"
    )
    assert report == messages.SchemaReport("A", [{"severity": "violation", "field": "priority"}])
