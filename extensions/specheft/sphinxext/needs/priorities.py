"""Named event priorities: when specheft's handlers run relative to sphinx-needs' own.

Sphinx runs the handlers of one event in ascending priority (default 500, equal
priorities in the order connected). sphinx-needs 9 connects most of its handlers at the
default: ``load_config`` (config-inited, after ``load_config_from_toml`` at 10),
``prepare_env`` (env-before-read-docs, makes its stores), ``merge_data`` (env-merge-info),
``process_need_nodes`` (doctree-resolved, after ``needextract`` at 100),
``ensure_post_process_needs_data`` (write-started, seals the needs), ``build_needs_json``
(build-finished). ``tests/test_needs_contract.py`` checks each relation below against
the handlers sphinx-needs really connects.

In ascending order:
"""

from __future__ import annotations

#: html-page-context: before every other handler (the page's translator lets go of its
#: HTML fragments before anyone allocates on top of them).
FIRST_LOOK = 1
#: config-inited: specheft's need types and fields are in the configuration before
#: sphinx-needs reads it (its first handler runs at 10).
CONFIGURE_NEEDS = 5
#: before any default-priority handler: guards refuse a file before Sphinx's collectors
#: copy it, duplicate ids are resolved before anything looks at the items.
EARLY = 100
#: before sphinx-needs' default-priority handlers: items are rendered before it renders
#: need nodes, worker duplicates taken before it merges the worker's needs, unknown
#: back-link targets made warnings before its role handler raises.
BEFORE_NEEDS = 400
#: doctree-resolved: the trace directives, once the items are rendered (BEFORE_NEEDS) so
#: their tables link to rendered items.
TRACE_DIRECTIVES = 450
#: write-started: the build context is made once sphinx-needs sealed the needs (at the
#: default priority), before anything reads it (AFTER_NEEDS).
BUILD_CONTEXT = 550
#: after sphinx-needs' default-priority handlers: the needs are sealed (write-started),
#: its tables filled (doctree-resolved); source-read: after the page is checked as written.
AFTER_NEEDS = 600
#: doctree-resolved: needtable labels in the project's language, once sphinx-needs filled
#: the tables and specheft wrapped them (AFTER_NEEDS).
NEEDTABLE_LABELS = 700
#: build-finished: after sphinx-needs wrote needs.json (the published copy is cleaned).
AFTER_NEEDS_JSON = 800
#: after sphinx-needs and specheft's content handlers: the store swapped once
#: ``prepare_env`` made it; deliverable pages shaped once their content is final.
LATE = 900
#: after LATE: the environment prepared by everyone before pages are read again;
#: landscape pages placed once the deliverable page is shaped.
LATER = 950
#: doctree-resolved: long tables split for LaTeX once every table is filled and placed.
LONG_TABLES = 960
#: doctree-resolved: the last look at a page (error boxes any extension left in it).
LAST_LOOK = 990
#: build-finished: the pages to re-warn are saved after every handler that can warn.
SAVE_WARNINGS = 998
#: build-finished: the per-build message filters go last, after every handler that logs.
REMOVE_FILTERS = 999
