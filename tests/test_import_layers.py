"""Arrows point down: the package has no module-level import cycle, the leaf types import nothing of naslens, and
the generic layers never import a concrete space (they go through ``naslens.spaces``' protocol)."""

from __future__ import annotations

import ast
from pathlib import Path

import naslens

ROOT = Path(naslens.__file__).resolve().parent
CONCRETE = ("naslens.spaces.nb201", "naslens.spaces.nb_macro")
GENERIC = (
    "naslens.estimators",
    "naslens.analysis",
    "naslens.report",
    "naslens.criteria",
    "naslens.evaluation",
    "naslens.subsets",
    "naslens.selection",
    "naslens.store",
    "naslens.run_context",
    "naslens.types",
    "naslens.registry",
    "naslens.cli",
    "naslens.cli_score",
    "naslens.cli_oneshot",
    "naslens.cli_report",
    "naslens.cli_bench",
    "naslens.benchmarks.builder",
    "naslens.benchmarks.train",
    "naslens.benchmarks.recipe",
    "naslens.spaces._protocol",
    "naslens.spaces.coded",
    "naslens.spaces.check",
)


def _modules() -> dict[str, Path]:
    out = {}
    for p in ROOT.rglob("*.py"):
        rel = p.relative_to(ROOT.parent).with_suffix("")
        out[".".join(x for x in rel.parts if x != "__init__")] = p
    return out


def _imports(path: Path, mod: str, modules: dict[str, Path], *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if top_level_only and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
                base = ".".join([*anchor[: len(anchor) - node.level + 1], *([base] if base else [])])
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_module_level_import_cycle() -> None:
    modules = _modules()
    graph = {}
    for mod, path in modules.items():
        # a package's __init__ importing its own submodules is not a cycle of the layers: leave parent packages out
        imports = _imports(path, mod, modules, top_level_only=True)
        graph[mod] = {t for t in imports if t in modules and t != mod and not mod.startswith(t + ".")}
    assert _cycles(graph) == []


def test_types_is_a_leaf() -> None:
    modules = _modules()
    imports = _imports(modules["naslens.types"], "naslens.types", modules, top_level_only=False)
    assert not {i for i in imports if i.startswith("naslens")}


def test_generic_layers_never_import_a_concrete_space() -> None:
    modules = _modules()
    offenders = {}
    for mod, path in modules.items():
        if not any(mod == g or mod.startswith(g + ".") for g in GENERIC):
            continue
        bad = {i for i in _imports(path, mod, modules, top_level_only=False) if i.startswith(CONCRETE)}
        if bad:
            offenders[mod] = sorted(bad)
    assert offenders == {}
