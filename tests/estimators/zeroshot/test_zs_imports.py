"""The zero-shot package has no import cycle (every import statement counts, also those inside functions), and
a user can register a pass and a proxy that uses it."""

from __future__ import annotations

import ast
from pathlib import Path

import torch

import naslens.estimators.zeroshot as zs

ROOT = Path(zs.__file__).resolve().parent
PKG = "naslens.estimators.zeroshot"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([PKG, *parts])


def import_graph() -> dict[str, set[str]]:
    """Module → zero-shot modules it imports (``from X import name`` counts ``X.name`` when that is a module)."""
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = mod.split(".") if is_pkg else mod.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            graph[mod] |= {t for t in targets if t in modules and t != mod}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
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


def test_no_import_cycles_in_the_zero_shot_package():
    graph = import_graph()
    assert f"{PKG}.passes.ce_backward" in graph and f"{PKG}._proxy" in graph[f"{PKG}.snip"]
    assert cycles(graph) == []
    # the checker does find a cycle when there is one
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_passes_import_no_proxy_module():
    graph = import_graph()
    for mod, deps in graph.items():
        if mod.startswith(f"{PKG}.passes"):
            assert all(d.startswith(f"{PKG}.passes") or d in (f"{PKG}._core", f"{PKG}._state") for d in deps), mod


def test_a_user_registers_a_pass_and_a_proxy_using_it():
    from naslens.estimators.zeroshot import PASSES, FusedScorer, Proxy, ProxyInfo, check_proxy, register_pass
    from naslens.estimators.zeroshot._proxy import PROXIES, register_proxy

    @register_pass("test_param_count", produces={"count"})
    def count_pass(model, batch, requires, seed, options):
        return sum(p.numel() for p in model.parameters())

    try:
        with __import__("pytest").raises(ValueError, match="cannot produce"):
            ProxyInfo("bad", True, False, False, "n/a", "float32", "test_param_count", frozenset({"other"}))

        @register_proxy(ProxyInfo("test_nparams", True, False, False, "n/a", "float32", "test_param_count"))
        class NParams(Proxy):
            def reduce(self, result):
                return float(result)

        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
        out = FusedScorer([NParams()]).score(net, [zs.Batch(torch.zeros(3, 4))])
        assert out["test_nparams"].value == 10.0
        check_proxy(NParams())
    finally:
        PASSES._entries.pop("test_param_count", None)
        PROXIES._entries.pop("test_nparams", None)
