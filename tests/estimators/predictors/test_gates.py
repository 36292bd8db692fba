"""``gates``: the GATES layer against hand computations, the spaces' ``edge_graph`` encodings by hand, alignment,
determinism, learning on NB201 and NAS-Bench-Macro, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau
from sklearn.base import clone

from naslens.estimators.predictors import PredictorError, create_predictor, list_predictors
from naslens.estimators.predictors.gates import GatesLayer, GatesNet, GatesPredictor, edge_graph_batch, op_adjacency
from naslens.spaces import get_space

torch.set_num_threads(1)

NB201 = get_space("nb201")
MACRO = get_space("nb-macro")
SMALL = {"gcn_width": 32, "mlp_layers": 1, "mlp_hidden": 32, "dropout": 0.0}
"""A narrow GATES for the tests (the defaults are the paper's, and slower)."""


def _layer(residual_only: int | None, gate_weight: float = 0.0) -> GatesLayer:
    """A 1-feature layer with W = [[2]] and gate Linear(1 -> 1) = gate_weight * e + 0."""
    layer = GatesLayer(1, 1, 1, residual_only)
    with torch.no_grad():
        layer.weight.fill_(2.0)
        layer.gate.weight.fill_(gate_weight)
        layer.gate.bias.zero_()
    return layer


def _run(layer: GatesLayer, h: list[float], edges: list[list[int]], op_emb: list[float]) -> list[float]:
    e = torch.tensor([edges])
    with torch.no_grad():
        out = layer(torch.tensor([[[x] for x in h]]), op_adjacency(e, len(op_emb)), torch.tensor([[x] for x in op_emb]))
    return [round(float(x), 6) for x in out[0, :, 0]]


# ---------------------------------------------------------------------- the layer by hand
def test_layer_on_a_three_node_graph_by_hand() -> None:
    h = [1.0, 2.0, 3.0]  # support (H W) = [2, 4, 6]
    # edges 0->1 (op 0), 0->2 (op 1), 1->2 none; every gate σ(0) = 0.5
    edges = [[-1, 0, 1], [-1, -1, -1], [-1, -1, -1]]
    # residual only on node 0: m0 = 2 (its own support), m1 = 0.5*2, m2 = 0.5*2 (the none edge 1->2 adds nothing)
    assert _run(_layer(1), h, edges, [0.0, 0.0]) == [2.0, 1.0, 1.0]
    # the edge 1->2 with op 0: m2 = 0.5*2 + 0.5*4
    assert _run(_layer(1), h, [[-1, 0, 1], [-1, -1, 0], [-1, -1, -1]], [0.0, 0.0]) == [2.0, 1.0, 3.0]
    # residual on every node: m_i += support_i
    assert _run(_layer(None), h, edges, [0.0, 0.0]) == [2.0, 5.0, 7.0]
    assert _run(_layer(0), h, edges, [0.0, 0.0]) == [0.0, 1.0, 1.0]
    # gates depend on the op: gate = σ(e_op) with e = (0, ln 3): σ = 0.5, 0.75
    assert _run(_layer(1, gate_weight=1.0), h, edges, [0.0, math.log(3.0)]) == [2.0, 1.0, 1.5]


def test_layer_matches_the_formula_on_random_weights() -> None:
    torch.manual_seed(3)
    b, n, k, din, dout, dop = 5, 4, 3, 6, 7, 2
    layer = GatesLayer(din, dout, dop, residual_only=1)
    h, op_emb = torch.randn(b, n, din), torch.randn(k, dop)
    edges = torch.triu(torch.randint(-1, k, (b, n, n)), diagonal=1) - torch.tril(torch.ones(n, n, dtype=torch.long))
    with torch.no_grad():
        out = layer(h, op_adjacency(edges, k), op_emb).numpy()
        support = (h @ layer.weight).numpy()
        gate = torch.sigmoid(layer.gate(op_emb)).numpy()
    ref = np.zeros((b, n, dout), dtype=np.float32)
    for bi in range(b):
        ref[bi, 0] += support[bi, 0]
        for i in range(n):
            for j in range(n):
                if edges[bi, j, i] >= 0:
                    ref[bi, i] += gate[int(edges[bi, j, i])] * support[bi, j]
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_an_architecture_without_edges_embeds_to_zero_with_residual_only_one() -> None:
    net = GatesNet(
        5, op_dim=4, node_dim=4, hidden=6, gcn_dims=[8, 8], residual_only=1, readout="output",
        mlp_hidden=4, mlp_layers=1, dropout=0.0,
    )  # fmt: skip
    none = NB201.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    edges, _ = edge_graph_batch(NB201, [none, NB201.parse(9930)])
    with torch.no_grad():
        emb = net.embed(edges)
    assert torch.all(emb[0] == 0) and torch.any(emb[1] != 0)  # the output node gets nothing but its inputs
    net_all = GatesNet(
        5, op_dim=4, node_dim=4, hidden=6, gcn_dims=[8, 8], residual_only=None, readout="output",
        mlp_hidden=4, mlp_layers=1, dropout=0.0,
    )  # fmt: skip
    with torch.no_grad():
        assert torch.any(net_all.embed(edges)[0] != 0)  # ... unless every node keeps its residual


def test_op_adjacency_refuses_out_of_range_indices() -> None:
    with pytest.raises(PredictorError, match="-1"):
        op_adjacency(torch.tensor([[[-1, 5], [-1, -1]]]), 2)


# ---------------------------------------------------------------------- the encodings by hand
def test_nb201_edge_graph_by_hand() -> None:
    a = NB201.parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|")
    n, m, labels = NB201.encode(a, "edge_graph")
    assert n == 4 and labels == ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
    want = np.full((4, 4), -1)
    want[0, 1], want[1, 2], want[2, 3] = 3, 1, 4  # none edges 0->2, 0->3, 1->3 are no edges
    np.testing.assert_array_equal(m, want)
    full = NB201.parse(
        "|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_3x3~0|skip_connect~1|nor_conv_1x1~2|"
    )
    m = NB201.encode(full, "edge_graph")[1]
    assert [int(m[s, d]) for s, d in ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))] == [2, 1, 4, 3, 1, 2]
    assert np.all(m[np.tril_indices(4)] == -1)
    assert np.all(NB201.encode(NB201.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"), "edge_graph")[1] == -1)


def test_nb201_edge_graph_agrees_with_the_codes_on_the_whole_space() -> None:
    edges, _ = edge_graph_batch(NB201, NB201.enumerate())
    codes = torch.as_tensor(NB201.codes_array())
    src, dst = zip(*NB201.edges, strict=True)
    on_edges = edges[:, list(src), list(dst)]
    assert torch.equal(on_edges, torch.where(codes == 0, -1, codes))  # none (code 0) is no edge
    assert int((edges >= 0).sum()) == int((codes != 0).sum())  # and nothing off the six edges


def test_nb_macro_edge_graph_is_the_chain() -> None:
    n, m, labels = MACRO.encode(MACRO.parse("02012100"), "edge_graph")
    assert n == 9 and labels == ("id", "ir_3x3_t3", "ir_5x5_t6")
    want = np.full((9, 9), -1)
    for i, c in enumerate([0, 2, 0, 1, 2, 1, 0, 0]):
        want[i, i + 1] = c  # an identity layer is an edge with op 'id'
    np.testing.assert_array_equal(m, want)


# ---------------------------------------------------------------------- the predictor
def _target(space, archs) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A simple monotone target: the count of the heaviest choice, with a tie-breaker on the input side."""
    heavy = 3 if space is NB201 else 2
    codes = space.codes_array(archs)
    return (codes == heavy).sum(1) + 0.1 * (codes[:, 0] == heavy)


def test_registered_and_sklearn_conventions() -> None:
    info = list_predictors()["gates"]
    assert (info.kind, info.encoding) == ("neural", "edge_graph")
    p = create_predictor("gates", space="nb-macro", gcn_layers=3)
    q = clone(p)
    assert q.get_params() == p.get_params() and q.gcn_layers == 3 and q.residual_only == 1
    d = GatesPredictor().get_params()
    assert (d["op_dim"], d["node_dim"], d["hidden"], d["gcn_layers"], d["gcn_width"]) == (48, 48, 96, None, 128)
    assert (d["mlp_layers"], d["mlp_hidden"], d["dropout"], d["readout"]) == (5, 300, 0.1, "output")


@pytest.mark.parametrize("space", [NB201, MACRO], ids=["nb201", "nb-macro"])
def test_learns_a_simple_target(space) -> None:  # type: ignore[no-untyped-def]
    table = space.enumerate()
    rng = np.random.default_rng(1)
    idx = rng.choice(len(table), 600, replace=False)
    train, test = [table[i] for i in idx[:100]], [table[i] for i in idx[100:]]
    p = GatesPredictor(space=space.name, epochs=60, **SMALL).fit(train, _target(space, train))
    tau = kendalltau(p.predict(test), _target(space, test))[0]
    assert tau > 0.5, tau
    assert p.n_train_ == 100 and len(p.loss_curve_) == 60 and p.loss_curve_[-1] < p.loss_curve_[0]


def test_regression_loss_predicts_on_the_target_scale() -> None:
    archs = [NB201.enumerate()[i] for i in range(0, 15625, 125)]
    y = 50.0 + 5.0 * _target(NB201, archs)
    p = GatesPredictor(loss="regression", epochs=80, **SMALL).fit(archs, y)
    assert abs(float(np.mean(p.predict(archs))) - float(np.mean(y))) < 2.0


def test_predict_is_aligned_and_deterministic_per_seed() -> None:
    table = NB201.enumerate()
    archs = [table[i] for i in range(0, 15625, 97)][:60]
    y = _target(NB201, archs)
    p = GatesPredictor(epochs=8, random_state=5, **SMALL).fit(archs, y)
    s = p.predict(archs)
    perm = np.random.default_rng(0).permutation(len(archs))
    np.testing.assert_array_equal(p.predict([archs[i] for i in perm]), s[perm])
    np.testing.assert_array_equal(p.predict([NB201.key(a) for a in archs]), s)  # keys parse to the same archs
    again = GatesPredictor(epochs=8, random_state=5, **SMALL).fit(archs, y).predict(archs)
    np.testing.assert_array_equal(again, s)
    other = GatesPredictor(epochs=8, random_state=6, **SMALL).fit(archs, y).predict(archs)
    assert not np.array_equal(other, s)
    assert p.predict([]).shape == (0,)


def test_the_paper_configuration_scores_the_whole_space() -> None:
    """Speed sanity (not timed): the default widths, a short fit, then all 15,625 architectures in one call."""
    table = NB201.enumerate()
    archs = [table[i] for i in range(0, 15625, 200)]
    p = GatesPredictor(epochs=3).fit(archs, _target(NB201, archs))
    s = p.predict(table)
    assert s.shape == (15625,) and np.all(np.isfinite(s)) and np.unique(s).size > 1000


def test_refuses_a_space_without_an_edge_graph_and_bad_settings() -> None:
    toy = get_space("toy-chain")
    assert "edge_graph" not in toy.info.encodings
    archs = [toy.sample(np.random.default_rng(i)) for i in range(4)]
    with pytest.raises(PredictorError, match="'edge_graph' encoding"):
        GatesPredictor(space="toy-chain", epochs=1).fit(archs, [1.0, 2.0, 3.0, 4.0])
    archs = NB201.enumerate()[:4]
    for bad in ({"readout": "max"}, {"gcn_width": 0}, {"residual_only": -1}, {"dropout": 1.0}, {"mlp_layers": 1.5}):
        with pytest.raises(PredictorError):
            GatesPredictor(epochs=1, **bad).fit(archs, [1.0, 2.0, 3.0, 4.0])
    with pytest.raises(PredictorError, match="not fitted"):
        GatesPredictor().predict(archs)


def test_default_depth_lets_the_chain_output_see_every_layer() -> None:
    """With residual_only=1 the output node sees only paths of at most gcn_layers edges: 5 layers on the 8-edge
    chain ignore its first three layers; the default (max(5, N - 1) = 8) sees them."""
    a, b = MACRO.parse("00000000"), MACRO.parse("20000000")  # differ in layer 1 only
    for layers, sees in ((5, False), (None, True)):
        p = GatesPredictor(space="nb-macro", gcn_layers=layers, epochs=1, **SMALL).fit([a, b], [0.0, 1.0])
        edges, _ = edge_graph_batch(MACRO, [a, b])
        with torch.no_grad():
            emb = p.module_.embed(edges)
        assert bool(torch.any(emb[0] != emb[1])) is sees, layers
    assert p.gcn_layers_ == 8 and GatesPredictor(epochs=1).fit(NB201.enumerate()[:2], [0.0, 1.0]).gcn_layers_ == 5
