"""The package's shape, as the Architecture section of the README states it (issue 12).

Read from the sources with ``ast`` (imports inside functions included), so a change that
reintroduces a cycle or reaches around a layer fails here with the modules named.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "extensions" / "specheft"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module or name, absolute
    name: str | None  # the imported name of ``from target import name``


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> list[Import]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [Import(module, alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, (
                    f"{module}: relative import (the package uses absolute ones)"
                )
                found += [Import(module, node.module or "", a.name) for a in node.names]
    return found


IMPORTS = _imports()
MODULES = {_module_name(p) for p in PACKAGE.rglob("*.py")}


def _owner(target: str, name: str | None) -> str | None:
    """The specheft module an import reaches (``from pkg import module`` reaches the module)."""
    if name and f"{target}.{name}" in MODULES:
        return f"{target}.{name}"
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def test_no_import_cycles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in IMPORTS:
        owner = _owner(imp.target, imp.name) if imp.target.startswith("specheft") else None
        if owner and owner != imp.module:
            graph[imp.module].add(owner)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:  # Tarjan: strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == [], f"import cycles: {cycles}"


def test_no_private_names_across_modules():
    crossing = [
        f"{imp.module}: from {imp.target} import {imp.name}"
        for imp in IMPORTS
        if imp.target.startswith("specheft")
        and imp.name
        and imp.name.startswith("_")
        and not imp.name.startswith("__")
        and imp.target != imp.module
    ]
    assert crossing == []


def test_only_the_adapter_imports_sphinx_needs():
    outside = sorted(
        {
            imp.module
            for imp in IMPORTS
            if imp.target.split(".")[0] == "sphinx_needs"
            and not imp.module.startswith("specheft.sphinxext.needs")
        }
    )
    assert outside == [], "sphinx-needs is reached only through specheft.sphinxext.needs"


def test_the_core_knows_nothing_of_sphinx_and_configuration_nothing_of_rules():
    def reaching(prefixes: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
        return sorted(
            f"{imp.module} -> {imp.target}"
            for imp in IMPORTS
            if imp.module.startswith(prefixes) and imp.target.startswith(forbidden)
        )

    core = ("specheft.trace", "specheft.evidence", "specheft.tender", "specheft.model")
    assert reaching(core, ("sphinx", "docutils", "specheft.sphinxext", "specheft.project")) == []
    assert reaching(("specheft.config",), ("specheft.trace", "specheft.evidence")) == []
