"""The zero-shot package has no import cycle (every import statement counts, also those inside functions), and
a user can register a pass and a proxy that uses it."""

from __future__ import annotations

import torch
from tests.import_graph import cycles, graph

import naslens.estimators.zeroshot as zs

PKG = "naslens.estimators.zeroshot"


def import_graph() -> dict[str, set[str]]:
    """Module → zero-shot modules it imports, imports inside functions included."""
    return graph(PKG, top_level_only=False, within=PKG)


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
