"""Typed configuration (#12): specheft.toml is parsed once per command, the tables other
parts own are validated once into typed values, and the lint hit cache follows both the
lint code and the [lint] options."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from specheft.config.reader import Reader, Table
from specheft.config.settings import parse_settings as parse_with
from specheft.errors import ConfigError
from specheft.evidence.config import RESULTS_TABLE, AcceptanceConfig, acceptance_config
from specheft.tables import TABLES, load_settings, parse_settings
from specheft.trace import hitcache
from specheft.trace.lint.options import LINT_TABLE, LintOptions
from specheft.trace.rules import RULES_TABLE, RuleLevel, check_options, rule_options

from .helpers import item

HEAD = '[project]\nname = "Mini"\n'


def _count_settings_parses(monkeypatch: pytest.MonkeyPatch, settings_file: Path) -> list[str]:
    """Every parse of ``settings_file``'s text by tomllib, however it is reached."""
    text = settings_file.read_text(encoding="utf-8")
    parses: list[str] = []
    original = tomllib.loads

    def counting(source: str, /, **kwargs: Any) -> dict[str, Any]:
        if source == text:
            parses.append(source)
        return original(source, **kwargs)

    monkeypatch.setattr(tomllib, "loads", counting)
    return parses


PAGE = item("req", "Firma", "Das CRM-System muss Firmen anlegen.", id="LH-KON-001", priority="must")


@pytest.mark.parametrize("command", ["check", "build"])
def test_settings_are_parsed_once_per_command(command, make_project, run_cli, monkeypatch):
    # before: the CLI's project, conf.py (project_conf) and the extension each parsed it
    project = make_project({"anf.md": "# Anforderungen\n\n" + PAGE})
    parses = _count_settings_parses(monkeypatch, project.conf / "specheft.toml")
    result = run_cli(command, project.root)
    assert result.code in (0, 1), result.output
    assert len(parses) == 1


def test_an_edited_settings_file_is_read_again(tmp_path):
    path = tmp_path / "specheft.toml"
    path.write_text(HEAD + "[lint]\nmax_words = 30\n", encoding="utf-8")
    first = load_settings(path)
    assert load_settings(path) is first  # unchanged: not parsed again
    path.write_text(HEAD + "[lint]\nmax_words = 31\n", encoding="utf-8")  # same size
    assert load_settings(path).option(LINT_TABLE).max_words == 31


def test_owned_tables_are_kept_typed():
    settings = parse_settings(
        HEAD
        + '[rules]\nreq-uat = "off"\nreq-verified = { must = "warning" }\n'
        + '[lint]\nallow = ["zeitnah"]\n'
        + "[acceptance]\nmax_open_class2 = 3\n"
        + '[results]\nruns_dir = "runs"\n'
    )
    assert rule_options(settings).levels == {
        "req-uat": RuleLevel("off"),
        "req-verified": RuleLevel("", {"must": "warning"}, inherit=True),
    }
    assert settings.option(LINT_TABLE) == LintOptions(allow=("zeitnah",))
    assert check_options(settings).lint is settings.option(LINT_TABLE)
    assert acceptance_config(settings) == AcceptanceConfig(max_open_class2=3)
    assert settings.option(RESULTS_TABLE).runs_dir == "runs"


def test_without_a_table_its_owner_gives_the_defaults():
    settings = parse_settings(HEAD)
    assert settings.option(LINT_TABLE) == LintOptions()
    assert rule_options(settings).levels == {}
    assert {"rules", "lint", "results", "acceptance"} <= {table.name for table in TABLES}


def test_a_table_of_no_owner_is_unknown_with_its_line():
    with pytest.raises(ConfigError) as caught:
        parse_with(HEAD + "\n[lint]\nmax_words = 3\n", Path("specheft.toml"), ())
    assert "lint: unknown table" in str(caught.value)
    assert caught.value.location is not None and caught.value.location.line == 4


def test_a_new_table_plugs_in_with_located_errors():
    def parse(reader: Reader, value: Any) -> int:
        if "size" in value and not isinstance(value["size"], int):
            reader.error("extra", "size", "expected int")
        return int(value.get("size", 7))

    extra = Table("extra", parse)
    assert parse_with(HEAD + "[extra]\nsize = 3\n", None, (extra,)).option(extra) == 3
    assert parse_with(HEAD, None, (extra,)).option(extra) == 7
    with pytest.raises(ConfigError) as caught:
        parse_with(HEAD + '\n[extra]\nsize = "x"\n', Path("s.toml"), (extra, RULES_TABLE))
    assert "extra.size: expected int" in str(caught.value)
    assert caught.value.location is not None
    assert (caught.value.location.path, caught.value.location.line) == ("s.toml", 5)


# --- the lint hit cache --------------------------------------------------------------------


def test_code_digest_covers_the_lint_package(tmp_path, monkeypatch):
    """The digest that invalidates remembered hits reads trace/**, not trace/*.py only:
    a changed lint module must drop the cache (the old glob reused stale hits)."""
    here = Path(hitcache.__file__).parent
    copy = tmp_path / "trace"
    shutil.copytree(here, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(hitcache, "__file__", str(copy / "hitcache.py"))
    before = hitcache.code_version()
    words = copy / "lint" / "words.py"
    words.write_text(words.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert hitcache.code_version() != before


def test_options_key_follows_every_lint_option():
    base = check_options(parse_settings(HEAD))
    keys = {hitcache.options_key(base)}
    for body in (
        'weak_words_de = ["Portal"]',
        'weak_words_en = ["portal"]',
        'allow = ["zeitnah"]',
        "max_words = 12",
    ):
        keys.add(hitcache.options_key(check_options(parse_settings(HEAD + "[lint]\n" + body))))
    assert len(keys) == 5
    # the items in code blocks are read by a whole-project rule only: no cache miss
    fenced = check_options(parse_settings(HEAD), [("spec/a.md", 3, "req", None)])
    assert hitcache.options_key(fenced) == hitcache.options_key(base)


def _findings(run_cli, root: Path, *extra: str) -> list[str]:
    result = run_cli("check", root, "--format", "json", *extra)
    assert result.code in (0, 1), result.output
    data = json.loads(result.out)
    return sorted(json.dumps({**f, "path": None}, sort_keys=True) for f in data["findings"])


LONG = (
    "Das CRM-System muss dem Vertrieb zu jeder Firma die Ansprechpartner, die offenen "
    "Angebote und die letzten Kontakte in einer Übersicht anzeigen."
)


def test_cached_recheck_after_a_lint_option_change_equals_a_fresh_check(make_project, run_cli):
    project = make_project(
        {
            "anf.md": "# Anforderungen\n\n"
            + item("req", "Firma", LONG, id="LH-KON-001", priority="must", phase="PHASE-IMPL")
        }
    )
    settings = project.conf / "specheft.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "\n[lint]\nmax_words = 40\n", encoding="utf-8"
    )
    before = _findings(run_cli, project.root)
    assert not [f for f in before if "lint-length" in f]
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("max_words = 40", "max_words = 10"),
        encoding="utf-8",
    )
    cached = _findings(run_cli, project.root)
    assert [f for f in cached if "lint-length" in f]
    assert cached == _findings(run_cli, project.root, "--fresh")
