"""``check_space``: the public contract a search space must pass (naslens' tests run it over every registered
space; a user who registers a space runs it on theirs).

Checks, on a seeded sample of architectures (and the whole space where it is small enough to be cheap):

- ``info`` is a :class:`~naslens.types.SpaceInfo` whose name is the space's name;
- ``key``/``parse`` round-trip, keys are distinct for distinct architectures; ``codes`` match the declared
  cardinalities, ``onehot`` has one 1 per position, every declared encoding works (``graph``: a square strictly
  upper-triangular adjacency; ``edge_graph``: an N×N matrix of op indices or -1, nothing on or below the diagonal, the
  same op labels for every architecture), an undeclared one is refused;
- ``sample`` is deterministic per seed and returns architectures of the space;
- ``enumerate`` lists ``info.size`` distinct architectures (or refuses with SpaceCapabilityError), ``index`` is the
  position in it;
- ``neighbors`` are distinct and differ from the architecture at exactly one position;
- ``canonical`` is a function of the architecture (equal for equal keys), ``representatives`` are pairwise in
  different classes and there are ``info.num_classes`` of them;
- ``net_config`` gives ``num_classes``/``in_channels``/``input_size`` for every declared dataset and refuses an
  unknown key; ``build`` forwards a batch of the declared shape to ``(batch, num_classes)`` logits;
- ``complexity`` has the declared columns, one row per architecture, and its ``params`` (millions) equal the
  parameter count of the built module;
- with ``info.has_supernet``: a path of ``supernet()`` gives logits of the right shape and equals
  ``to_standalone(arch)`` on the same input in eval mode; ``"path"`` is among ``info.supernet_modes`` when any are
  declared, and an undeclared mode is refused with NetConfigError;
- with ``"mixed"`` in ``info.supernet_modes``: ``supernet("mixed")`` is a :class:`~naslens.spaces.MixedSupernet`
  with the declared positions and choices, deterministic per torch seed, forwarding to ``(batch, num_classes)``;
  removing an op zeroes its weight (the others unchanged), stops its modules from being called (forward hooks) and
  ``set_state`` of the saved state restores the outputs exactly; the state key round-trips; removing the last alive
  op, discretising to a removed op and out-of-range indices raise ``ValueError``; after discretising every position
  to an architecture's choices the weights are one-hot, ``to_arch()`` is that architecture and, with a path
  supernet's weights loaded (BatchNorm statistics perturbed, as after training), the mixed forward equals the path
  supernet's ``forward(x, arch)`` in eval mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from naslens.types import ArchFormatError, NetConfigError, SpaceCapabilityError, SpaceInfo


class SpaceCheckError(AssertionError):
    """A space broke the contract; the message lists every failed check."""


def check_space(
    space: Any,
    *,
    n_archs: int = 8,
    seed: int = 0,
    net: dict[str, Any] | None = None,
    build_archs: int = 2,
    enumerate_limit: int = 20_000,
) -> dict[str, bool]:
    """Run the contract on ``space`` (an instance, or a registered name).

    Args:
        n_archs: sampled architectures the cheap checks run on.
        net: network overrides for the build/complexity/supernet checks (e.g. a narrow network, for speed);
            applied on top of ``space.net_config()``.
        build_archs: how many of the sampled architectures are built (networks cost seconds).
        enumerate_limit: whole-space checks (distinct keys, class count) run only up to this size.

    Returns:
        ``{check name: True}`` for every check that ran.

    Raises:
        SpaceCheckError: listing every check that failed, with its reason.

    Example:
        >>> from naslens.spaces import check_space
        >>> sorted(check_space("nb201", n_archs=3, build_archs=1, net={"C": 4, "N": 1}))[:3]
        ['build', 'canonical', 'complexity']
    """
    from naslens.spaces import get_space

    space = get_space(space) if isinstance(space, str) else space
    failures: list[str] = []
    passed: dict[str, bool] = {}

    def run(name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as e:  # a contract check reports every failure, whatever raised it
            failures.append(f"{name}: {type(e).__name__}: {e}")
        else:
            passed[name] = True

    info = space.info
    if not isinstance(info, SpaceInfo):
        raise SpaceCheckError(f"space.info must be a SpaceInfo, got {type(info).__name__}")
    rng = np.random.default_rng(seed)
    archs = [space.sample(rng) for _ in range(n_archs)]

    def names() -> None:
        _ensure(space.name == info.name, f"space.name {space.name!r} != info.name {info.name!r}")

    def sampling() -> None:
        again = [space.sample(np.random.default_rng(seed)) for _ in range(1)]
        first = space.sample(np.random.default_rng(seed))
        _ensure(again[0] == first, "sample() is not deterministic for the same seed")
        for a in archs:
            hash(a)

    def round_trip() -> None:
        for a in archs:
            k = space.key(a)
            _ensure(isinstance(k, str) and bool(k), f"key() must be a non-empty string, got {k!r}")
            b = space.parse(k)
            _ensure(b == a and space.key(b) == k, f"parse(key(a)) != a for {k}")
        try:
            space.parse("\x00 not an architecture \x00")
        except ArchFormatError:
            pass
        else:
            raise AssertionError("parse() accepted garbage instead of raising ArchFormatError")

    def encodings() -> None:
        card = info.cardinalities
        edge_labels: set[tuple[str, ...]] = set()
        for a in archs:
            codes = np.asarray(space.encode(a, "codes"))
            _ensure(codes.shape == (len(card),), f"codes shape {codes.shape}, expected ({len(card)},)")
            _ensure(all(0 <= c < n for c, n in zip(codes.tolist(), card, strict=True)), f"codes {codes} out of range")
            if "onehot" in info.encodings:
                oh = np.asarray(space.encode(a, "onehot"))
                _ensure(oh.shape == (sum(card),) and oh.sum() == len(card), "onehot must have one 1 per position")
            if "graph" in info.encodings:
                adj, labels = space.encode(a, "graph")
                adj = np.asarray(adj)
                _ensure(adj.ndim == 2 and adj.shape[0] == adj.shape[1] == len(labels), "graph shape mismatch")
                _ensure(not np.any(np.tril(adj)), "graph adjacency must be strictly upper triangular (a DAG)")
            if "edge_graph" in info.encodings:
                edge_labels.add(_check_edge_graph(space.encode(a, "edge_graph")))
        _ensure(len(edge_labels) <= 1, f"edge_graph op labels depend on the architecture: {sorted(edge_labels)}")
        try:
            space.encode(archs[0], "no-such-encoding")
        except SpaceCapabilityError:
            pass
        else:
            raise AssertionError("encode() accepted an unknown kind instead of raising SpaceCapabilityError")

    def enumeration() -> None:
        if not info.enumerable:
            try:
                space.enumerate()
            except SpaceCapabilityError:
                return
            raise AssertionError("a space that is not enumerable must refuse enumerate() with SpaceCapabilityError")
        assert info.size is not None
        if info.size > enumerate_limit:
            return
        table = space.enumerate()
        _ensure(len(table) == info.size, f"enumerate() lists {len(table)}, info.size is {info.size}")
        keys = {space.key(a) for a in table}
        _ensure(len(keys) == info.size, f"{info.size - len(keys)} duplicate keys in enumerate()")
        for a in archs:
            _ensure(table[space.index(a)] == a, f"index() is not the position in enumerate() for {space.key(a)}")

    def neighbours() -> None:
        for a in archs[:3]:
            nbrs = space.neighbors(a)
            _ensure(len({space.key(b) for b in nbrs}) == len(nbrs), "neighbors() has duplicates")
            ca = np.asarray(space.encode(a, "codes"))
            for b in nbrs:
                d = int((np.asarray(space.encode(b, "codes")) != ca).sum())
                _ensure(d == 1, f"neighbour {space.key(b)} of {space.key(a)} differs at {d} positions")

    def canonical() -> None:
        for a in archs:
            _ensure(space.canonical(a) == space.canonical(space.parse(space.key(a))), "canonical() not a function")
        if not info.has_isomorphism:
            return
        if not info.enumerable or (info.size or 0) > enumerate_limit:
            return
        reps = space.representatives()
        classes = {space.canonical(a) for a in reps}
        _ensure(len(classes) == len(reps), "two representatives share a class")
        every = {space.canonical(a) for a in space.enumerate()}
        _ensure(every == classes, "representatives() misses classes")
        if info.num_classes is not None:
            _ensure(len(reps) == info.num_classes, f"{len(reps)} classes, info.num_classes is {info.num_classes}")

    def net_configs() -> None:
        for ds in info.datasets:
            cfg = space.net_config(ds)
            for k in ("num_classes", "in_channels", "input_size"):
                _ensure(k in cfg, f"net_config({ds!r}) lacks {k!r}")
        try:
            space.net_config(info.default_dataset, no_such_setting=1)
        except NetConfigError:
            pass
        else:
            raise AssertionError("net_config() accepted an unknown key instead of raising NetConfigError")

    cfg = space.net_config(info.default_dataset, **(net or {}))

    def build() -> None:
        import torch

        for a in archs[:build_archs]:
            torch.manual_seed(seed)
            model = space.build(a, **cfg)
            x = torch.randn(2, cfg["in_channels"], cfg["input_size"], cfg["input_size"])
            model.eval()
            with torch.no_grad():
                out = model(x)
            _ensure(tuple(out.shape) == (2, cfg["num_classes"]), f"logits shape {tuple(out.shape)}")
            n_params = sum(p.numel() for p in model.parameters())
            table = space.complexity([a], **cfg)
            _ensure(list(table.columns) == list(info.cost_columns), f"complexity columns {list(table.columns)}")
            _ensure(len(table) == 1, "complexity must have one row per architecture")
            got = float(table["params"].iloc[0]) * 1e6
            _ensure(math.isclose(got, n_params, rel_tol=0, abs_tol=0.5), f"complexity params {got} != {n_params}")

    def complexity() -> None:
        table = space.complexity(archs, **cfg)
        _ensure(len(table) == len(archs), f"complexity has {len(table)} rows for {len(archs)} architectures")
        _ensure(list(table.columns) == list(info.cost_columns), f"complexity columns {list(table.columns)}")

    def supernet() -> None:
        if not info.has_supernet:
            return
        import torch

        torch.manual_seed(seed)
        sn = space.supernet(**cfg)
        sn.eval()
        x = torch.randn(2, cfg["in_channels"], cfg["input_size"], cfg["input_size"])
        for a in archs[:build_archs]:
            sn.check_arch(a)
            st = sn.to_standalone(a)
            st.eval()
            with torch.no_grad():
                out, ref = sn(x, a), st(x)
            _ensure(tuple(out.shape) == (2, cfg["num_classes"]), f"supernet logits shape {tuple(out.shape)}")
            _ensure(torch.allclose(out, ref, atol=1e-5, rtol=1e-4), "supernet path != to_standalone() output")
            _ensure(len(list(sn.path_parameters(a))) > 0, "path_parameters() is empty")

    def supernet_modes() -> None:
        modes = info.supernet_modes
        if modes:
            _ensure(("path" in modes) == info.has_supernet, f"has_supernet={info.has_supernet} but modes {modes}")
            try:
                space.supernet("no-such-mode", **cfg)
            except NetConfigError:
                pass
            else:
                raise AssertionError("supernet() accepted an unknown mode instead of raising NetConfigError")

    def mixed_supernet() -> None:
        if "mixed" in info.supernet_modes:
            _check_mixed_supernet(space, cfg, archs[:build_archs], seed)

    for name, fn in (
        ("names", names),
        ("sample", sampling),
        ("round_trip", round_trip),
        ("encodings", encodings),
        ("enumerate", enumeration),
        ("neighbors", neighbours),
        ("canonical", canonical),
        ("net_config", net_configs),
        ("build", build),
        ("complexity", complexity),
        ("supernet", supernet),
        ("supernet_modes", supernet_modes),
        ("mixed_supernet", mixed_supernet),
    ):
        run(name, fn)
    if failures:
        raise SpaceCheckError(f"space {info.name!r} fails {len(failures)} check(s):\n  " + "\n  ".join(failures))
    return passed


def _check_mixed_supernet(space: Any, cfg: dict[str, Any], archs: list[Any], seed: int) -> None:
    """The mixed-op supernet contract (see the module docstring)."""
    import torch

    from naslens.spaces._protocol import MixedState, MixedSupernet

    info = space.info
    torch.manual_seed(seed)
    mx = space.supernet("mixed", **cfg)
    _ensure(isinstance(mx, MixedSupernet) and isinstance(mx, torch.nn.Module), "mixed supernet lacks the protocol")
    _ensure(tuple(mx.positions) == info.positions, f"mixed positions {mx.positions} != {info.positions}")
    _ensure(tuple(map(tuple, mx.choices)) == info.choices, f"mixed choices {mx.choices} != {info.choices}")
    mx.eval()
    x = torch.randn(2, cfg["in_channels"], cfg["input_size"], cfg["input_size"])
    with torch.no_grad():
        full = mx(x)
    _ensure(tuple(full.shape) == (2, cfg["num_classes"]), f"mixed supernet logits shape {tuple(full.shape)}")
    torch.manual_seed(seed)
    twin = space.supernet("mixed", **cfg).eval()
    with torch.no_grad():
        _ensure(torch.equal(twin(x), full), "the mixed supernet is not deterministic per torch seed")

    saved = mx.state()
    _ensure(MixedState.parse(saved.key()) == saved, "MixedState.parse(state.key()) != state")
    calls: dict[tuple[int, int], int] = {}

    def counter(k: tuple[int, int]) -> Callable[..., None]:
        def hook(*_: Any) -> None:
            calls[k] = calls.get(k, 0) + 1

        return hook

    hooks = [
        m.register_forward_hook(counter((p, o)))
        for p, row in enumerate(mx.choices)
        for o in range(len(row))
        for m in mx.op_modules(p, o)
    ]
    try:
        with torch.no_grad():
            mx(x)
        runnable = [k for k in sorted(calls) if len(mx.choices[k[0]]) > 1]
        _ensure(bool(runnable), "no op module of the mixed supernet is called in a forward")
        p, o = runnable[0]
        before = mx.arch_weights()
        mx.remove(p, o)
        after = mx.arch_weights()
        _ensure(after[p][o] == 0.0, f"removed op ({p}, {o}) has weight {after[p][o]}")
        kept = [after[p][i] == before[p][i] for i in range(len(before[p])) if i != o]
        _ensure(all(kept), "removing an op changed the other weights (they must not be renormalised)")
        calls.clear()
        with torch.no_grad():
            mx(x)
        _ensure((p, o) not in calls, f"removed op ({p}, {o}) was still executed")
        for bad in ((p, o), (len(mx.positions), 0), (p, len(mx.choices[p]))):
            _raises(mx.discretise, bad, f"discretise{bad} (removed or out of range) did not raise")
        mx.set_state(saved)
        with torch.no_grad():
            _ensure(torch.equal(mx(x), full), "set_state() of the saved state does not restore the outputs")
        mx.discretise(p, o)
        _raises(mx.remove, (p, o), "removing the last alive op did not raise")
        mx.set_state(saved)
    finally:
        for h in hooks:
            h.remove()

    if "path" not in info.supernet_modes:
        return
    torch.manual_seed(seed)
    path = space.supernet("path", **cfg).eval()
    with torch.no_grad():
        for m in path.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.running_mean is not None:
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)  # type: ignore[union-attr]
    mx.load_path_weights(path.state_dict())
    for a in archs:
        mx.set_state(saved)
        for p, c in enumerate(np.asarray(space.encode(a, "codes")).tolist()):
            mx.discretise(p, mx.choices[p].index(info.choices[p][c]))
        w = mx.arch_weights()
        _ensure(all(sorted(row)[-1] == 1.0 and sum(row) == 1.0 for row in w), "discretised weights are not one-hot")
        _ensure(mx.to_arch() == a, f"to_arch() {mx.to_arch()} != {space.key(a)}")
        with torch.no_grad():
            out, ref = mx(x), path(x, a)
        _ensure(torch.allclose(out, ref, atol=1e-5, rtol=1e-4), f"discretised mixed != path for {space.key(a)}")
    mx.set_state(saved)


def _raises(fn: Callable[..., Any], args: tuple[Any, ...], message: str) -> None:
    try:
        fn(*args)
    except ValueError:
        return
    raise AssertionError(message)


def _check_edge_graph(graph: Any) -> tuple[str, ...]:
    """Check one ``edge_graph`` encoding ``(N, M, labels)``; returns the labels."""
    n, ops, labels = graph
    ops = np.asarray(ops)
    labels = tuple(labels)
    _ensure(bool(isinstance(n, (int, np.integer)) and n >= 2), f"edge_graph needs at least 2 nodes, got {n!r}")
    _ensure(ops.shape == (n, n), f"edge_graph matrix shape {ops.shape}, expected ({n}, {n})")
    _ensure(np.issubdtype(ops.dtype, np.integer), f"edge_graph matrix must hold integers, got {ops.dtype}")
    _ensure(bool(labels) and all(isinstance(x, str) for x in labels), "edge_graph op labels must be strings")
    _ensure(bool(np.all((ops >= -1) & (ops < len(labels)))), f"edge_graph entries must be -1 or 0..{len(labels) - 1}")
    _ensure(bool(np.all(np.tril(ops + 1) == 0)), "edge_graph edges must go from a lower to a higher node (a DAG)")
    return labels


def _ensure(cond: bool, message: str) -> None:
    if not cond:
        raise AssertionError(message)
