"""Import graphs of naslens' modules read with ``ast`` (no module is imported), and their cycles (Tarjan)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path


def modules(package: str = "naslens") -> dict[str, Path]:
    """Module name → file, for every module of ``package``."""
    root = Path(importlib.import_module(package).__file__ or "").resolve().parent
    base = root.parents[len(package.split(".")) - 1]
    out = {}
    for p in root.rglob("*.py"):
        rel = p.relative_to(base).with_suffix("")
        out[".".join(x for x in rel.parts if x != "__init__")] = p
    return out


def imports(path: Path, mod: str, known: dict[str, Path], *, top_level_only: bool) -> set[str]:
    """Modules ``path`` imports (``from X import name`` counts ``X.name`` when that is a module); with
    ``top_level_only``, imports inside functions and ``if TYPE_CHECKING:`` blocks are left out."""
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
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return found


def graph(package: str, *, top_level_only: bool, within: str | None = None) -> dict[str, set[str]]:
    """Module → modules of ``within`` (default ``package``) it imports; a package's ``__init__`` importing its own
    submodules is left out when ``top_level_only`` (that is how packages expose their API, not a cycle)."""
    known = modules(within or package)
    out: dict[str, set[str]] = {}
    for mod, path in known.items():
        if not (mod == package or mod.startswith(package + ".")):
            continue
        deps = {t for t in imports(path, mod, known, top_level_only=top_level_only) if t in known and t != mod}
        if top_level_only:
            deps = {t for t in deps if not mod.startswith(t + ".")}
        out[mod] = deps
    return out


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
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

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out
