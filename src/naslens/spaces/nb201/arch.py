"""NAS-Bench-201 (NATS-Bench topology) search space.

A cell is a DAG of 4 nodes; each of the 6 edges ``j → i`` (j < i) carries one of 5 operations. 5⁶ = 15,625
architectures, 6,466 isomorphism classes as the benchmark defines them.

Encodings (all round-trip; see ``docs/reference-facts`` in the shared folder):

- benchmark string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``; edges in *string order* e01, e02, e12, e03, e13, e23;
- benchmark index 0..15624: the 5⁶ op combinations in string order, last edge fastest, op codes none=0,
  skip_connect=1, nor_conv_1x1=2, nor_conv_3x3=3, avg_pool_3x3=4, shuffled with ``random.seed(88)`` — computed
  here, no data file needed;
- NASLib / NAS-Bench-Suite-Zero op-index tuple: edges e01, e02, e03, e12, e13, e23 and op codes skip=0, none=1,
  conv3×3=2, conv1×1=3, avg_pool=4;
- a 4×4 edge-op matrix (``to_edge_matrix``), the operation-on-edge graph (``to_edge_graph``: the 4 cell nodes,
  op codes on the edges, ``none`` = no edge; what GATES consumes) and an operation-on-node graph
  (``to_node_graph``: 8 nodes = input, the 6 edge ops, output; what op-on-node graph predictors consume).
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from naslens.types import ArchFormatError

OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
"""Operation names in the benchmark's op-code order."""

EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
"""(source, target) of each edge, in benchmark string order."""

NUM_NODES = 4
NUM_EDGES = len(EDGES)
SIZE = len(OPS) ** NUM_EDGES

NASLIB_OPS: tuple[str, ...] = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
NASLIB_EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
_NASLIB_FROM_STRING = tuple(EDGES.index(e) for e in NASLIB_EDGES)  # NASLib position → string position

_OP_CODE = {op: i for i, op in enumerate(OPS)}
_STRING_RE = re.compile(r"^\|(.+)\|\+\|(.+)\|\+\|(.+)\|$")


def _int_codes(codes: object, what: str) -> list[int]:
    """``codes`` as a list of ints (integers, integral floats or digit strings), or an ArchFormatError naming it."""
    try:
        items = list(codes)  # type: ignore[call-overload]
        out = [int(c) for c in items]
    except (TypeError, ValueError, OverflowError):
        raise ArchFormatError(f"{what} must be a sequence of integers, got {codes!r}") from None
    if any(not isinstance(c, (str, bytes)) and o != c for o, c in zip(out, items, strict=True)):
        raise ArchFormatError(f"{what} must be integers, got {codes!r}")
    return out


@dataclass(frozen=True, slots=True)
class NB201Arch:
    """One NB201 cell: the operation name on each edge, in benchmark string order (e01, e02, e12, e03, e13, e23).

    Example:
        >>> a = NB201Arch.from_string("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|")
        >>> a.op(0, 1), a.op(2, 3)
        ('nor_conv_3x3', 'avg_pool_3x3')
        >>> NB201Arch.from_index(a.index) == a
        True
    """

    ops: tuple[str, ...]
    _codes: tuple[int, ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.ops, tuple):
            object.__setattr__(self, "ops", tuple(self.ops))
        if len(self.ops) != NUM_EDGES:
            raise ArchFormatError(f"an NB201 cell has {NUM_EDGES} edges, got {len(self.ops)} ops: {self.ops!r}")
        for pos, op in enumerate(self.ops):
            if op not in _OP_CODE:
                src, dst = EDGES[pos]
                raise ArchFormatError(f"unknown op {op!r} on edge {src}->{dst}; known ops: {', '.join(OPS)}")
        object.__setattr__(self, "_codes", tuple(_OP_CODE[o] for o in self.ops))

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_codes(cls, codes: Sequence[int]) -> NB201Arch:
        """From benchmark op codes in string edge order (none=0 … avg_pool_3x3=4)."""
        codes = _int_codes(codes, "op codes")
        bad = [c for c in codes if not 0 <= c < len(OPS)]
        if bad:
            raise ArchFormatError(f"op codes must be in 0..{len(OPS) - 1}, got {bad}")
        return cls(tuple(OPS[c] for c in codes))

    @classmethod
    def from_string(cls, text: str) -> NB201Arch:
        """Parse the benchmark string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``."""
        if not isinstance(text, str):
            raise ArchFormatError(f"expected a benchmark string, got {type(text).__name__}")
        known = _string_lookup().get(text)
        if known is not None:
            return known
        m = _STRING_RE.match(text.strip())
        if m is None:
            raise ArchFormatError(f"not an NB201 string (expected '|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'): {text!r}")
        ops: list[str] = []
        for node, group in enumerate(m.groups(), start=1):
            tokens = group.split("|")
            if len(tokens) != node:
                raise ArchFormatError(f"node {node} must have {node} input(s), got {len(tokens)} in {text!r}")
            for src, token in enumerate(tokens):
                op, sep, inp = token.partition("~")
                if not sep or inp != str(src):
                    raise ArchFormatError(f"bad edge token {token!r} for node {node} (expected 'op~{src}') in {text!r}")
                ops.append(op)
        # string order is node-major: node1 (e01), node2 (e02, e12), node3 (e03, e13, e23) == EDGES order
        return cls(tuple(ops))

    @classmethod
    def from_index(cls, index: int) -> NB201Arch:
        """The architecture at benchmark index ``index`` (0..15624)."""
        idx = int(index)
        if not 0 <= idx < SIZE or idx != index:
            raise ArchFormatError(f"NB201 index must be an integer in 0..{SIZE - 1}, got {index!r}")
        return _index_table()[idx]

    @classmethod
    def from_naslib(cls, codes: Sequence[int] | str) -> NB201Arch:
        """From the NASLib / NAS-Bench-Suite-Zero tuple, e.g. ``(4, 3, 3, 3, 2, 3)`` or its string form."""
        if isinstance(codes, str):
            parts = codes.strip().strip("()[]").split(",")
            try:
                codes = [int(p) for p in parts if p.strip()]
            except ValueError:
                raise ArchFormatError(f"not a NASLib op-index tuple: {codes!r}") from None
        ints = _int_codes(codes, "a NASLib op-index tuple")
        if len(ints) != NUM_EDGES:
            raise ArchFormatError(f"a NASLib NB201 tuple has {NUM_EDGES} entries, got {len(ints)}: {codes!r}")
        ops = [""] * NUM_EDGES
        for naslib_pos, code in enumerate(ints):
            if not 0 <= code < len(NASLIB_OPS):
                raise ArchFormatError(f"NASLib op codes must be in 0..{len(NASLIB_OPS) - 1}, got {code!r}")
            ops[_NASLIB_FROM_STRING[naslib_pos]] = NASLIB_OPS[code]
        return cls(tuple(ops))

    @classmethod
    def from_edge_matrix(cls, matrix: np.ndarray) -> NB201Arch:
        """Inverse of :meth:`to_edge_matrix`; entries below the diagonal and the diagonal must be 0."""
        m = np.asarray(matrix)
        if m.shape != (NUM_NODES, NUM_NODES):
            raise ArchFormatError(f"edge matrix must be {NUM_NODES}x{NUM_NODES}, got shape {m.shape}")
        if np.any(np.tril(m) != 0):
            raise ArchFormatError("edge matrix must be strictly upper triangular (edges go from lower to higher node)")
        return cls.from_codes([int(m[s, d]) for s, d in EDGES])

    @classmethod
    def from_node_graph(cls, adjacency: np.ndarray, ops: Sequence[str]) -> NB201Arch:
        """Inverse of :meth:`to_node_graph` (checks the adjacency is the NB201 node graph)."""
        ops = list(ops)
        if len(ops) != NUM_EDGES + 2 or ops[0] != "input" or ops[-1] != "output":
            raise ArchFormatError(f"node-graph ops must be ['input', 6 edge ops, 'output'], got {ops!r}")
        if not np.array_equal(np.asarray(adjacency), _node_graph_adjacency()):
            raise ArchFormatError("adjacency is not the NB201 operation-on-node graph")
        return cls(tuple(ops[1:-1]))

    # ---------------------------------------------------------------- encodings
    @property
    def codes(self) -> tuple[int, ...]:
        """Benchmark op codes in string edge order."""
        return self._codes

    def op(self, src: int, dst: int) -> str:
        """Operation on edge ``src → dst``."""
        try:
            return self.ops[EDGES.index((src, dst))]
        except ValueError:
            raise ArchFormatError(f"no edge {src}->{dst} in an NB201 cell") from None

    def to_string(self) -> str:
        o = self.ops
        return f"|{o[0]}~0|+|{o[1]}~0|{o[2]}~1|+|{o[3]}~0|{o[4]}~1|{o[5]}~2|"

    @property
    def index(self) -> int:
        """Benchmark index 0..15624."""
        return _index_lookup()[self.codes]

    def to_naslib(self) -> tuple[int, ...]:
        return tuple(NASLIB_OPS.index(self.ops[p]) for p in _NASLIB_FROM_STRING)

    def to_edge_matrix(self) -> np.ndarray:
        """4×4 int matrix, ``M[src, dst]`` = benchmark op code of edge src→dst (0 = none / no edge)."""
        m = np.zeros((NUM_NODES, NUM_NODES), dtype=np.int64)
        for (s, d), c in zip(EDGES, self.codes, strict=True):
            m[s, d] = c
        return m

    def to_edge_graph(self) -> tuple[int, np.ndarray, tuple[str, ...]]:
        """Operation-on-edge DAG: ``(4, M, OPS)`` with ``M[src, dst]`` the op code of edge src→dst and ``-1`` where
        there is no edge (below the diagonal, and on ``none`` edges: a ``none`` op is no connection). ``OPS`` lists
        ``none`` too (so that an entry is the benchmark op code), but its code never appears in ``M``.

        Example:
            >>> a = NB201Arch.from_string("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|")
            >>> a.to_edge_graph()[1]
            array([[-1,  3, -1, -1],
                   [-1, -1,  1, -1],
                   [-1, -1, -1,  4],
                   [-1, -1, -1, -1]])
        """
        m = np.full((NUM_NODES, NUM_NODES), -1, dtype=np.int64)
        for (s, d), c in zip(EDGES, self.codes, strict=True):
            if c != _OP_CODE["none"]:
                m[s, d] = c
        return NUM_NODES, m, OPS

    def to_node_graph(self) -> tuple[np.ndarray, list[str]]:
        """Operation-on-node DAG: nodes [input, e01, e02, e12, e03, e13, e23, output] and an 8×8 adjacency.

        Op node (j→i) feeds every op node leaving node i, or the output when i = 3; the input feeds every op node
        leaving node 0. ``none`` ops stay as nodes (label ``none``) so that the graph has a fixed shape.
        """
        return _node_graph_adjacency().copy(), ["input", *self.ops, "output"]

    def __str__(self) -> str:
        return self.to_string()


@lru_cache(maxsize=1)
def _index_table() -> tuple[NB201Arch, ...]:
    combos = list(itertools.product(range(len(OPS)), repeat=NUM_EDGES))
    shuffler = random.Random(88)
    shuffler.shuffle(combos)
    return tuple(NB201Arch(tuple(OPS[c] for c in combo)) for combo in combos)


@lru_cache(maxsize=1)
def _index_lookup() -> dict[tuple[int, ...], int]:
    return {a.codes: i for i, a in enumerate(_index_table())}


@lru_cache(maxsize=1)
def _string_lookup() -> dict[str, NB201Arch]:
    return {a.to_string(): a for a in _index_table()}


@lru_cache(maxsize=1)
def _node_graph_adjacency() -> np.ndarray:
    n = NUM_EDGES + 2
    adj = np.zeros((n, n), dtype=np.int64)
    for k, (s, d) in enumerate(EDGES):
        if s == 0:
            adj[0, k + 1] = 1
        if d == NUM_NODES - 1:
            adj[k + 1, n - 1] = 1
        for k2, (s2, _) in enumerate(EDGES):
            if s2 == d:
                adj[k + 1, k2 + 1] = 1
    adj.setflags(write=False)
    return adj


def canonical(arch: NB201Arch) -> str:
    """Isomorphism-class key, identical to NATS-Bench's ``UniqueString``.

    Node strings are built in topological order: ``S_0 = "0"``; each input edge j→i contributes ``#`` when its op
    is ``none`` or ``S_j`` is exactly ``#`` (a dead single-input node), ``S_j`` itself for ``skip_connect``, and
    ``(S_j)@op`` otherwise; ``S_i`` is the sorted contributions joined by ``+`` (inputs are an unordered multiset);
    the key is ``S_3``. Nodes that do not reach the output never appear in ``S_3``. This reproduces the benchmark's
    partition exactly (6,466 classes). It is the benchmark's notion of isomorphism, not a complete functional
    equivalence: e.g. ``x + 0`` and ``x`` stay distinct because every ``none`` input leaves a ``#``.
    """
    strings = ["0"]
    for node in range(1, NUM_NODES):
        parts = []
        for src in range(node):
            op = arch.ops[EDGES.index((src, node))]
            if op == "none" or strings[src] == "#":
                parts.append("#")
            elif op == "skip_connect":
                parts.append(strings[src])
            else:
                parts.append(f"({strings[src]})@{op}")
        strings.append("+".join(sorted(parts)))
    return strings[-1]


CONV_OPS: frozenset[str] = frozenset({"nor_conv_1x1", "nor_conv_3x3"})


def live_edges(arch: NB201Arch) -> tuple[bool, ...]:
    """For each edge (string order), whether it lies on an input→output path of non-``none`` edges, i.e. whether
    its op can influence the cell's output.

    Example:
        >>> live_edges(NB201Arch(("nor_conv_3x3", "none", "none", "none", "none", "skip_connect")))
        (False, False, False, False, False, False)
    """
    reach_in = [True] + [False] * (NUM_NODES - 1)
    for (s, d), op in zip(EDGES, arch.ops, strict=True):  # EDGES is topologically ordered by destination
        if op != "none" and reach_in[s]:
            reach_in[d] = True
    reach_out = [False] * (NUM_NODES - 1) + [True]
    for (s, d), op in sorted(zip(EDGES, arch.ops, strict=True), key=lambda e: -e[0][0]):
        if op != "none" and reach_out[d]:
            reach_out[s] = True
    return tuple(op != "none" and reach_in[s] and reach_out[d] for (s, d), op in zip(EDGES, arch.ops, strict=True))


def has_effective_conv(arch: NB201Arch) -> bool:
    """Whether some convolution lies on an input→output path (aw_nas' supernet samplers reject cells without one:
    their output is a fixed pooling/identity/zero function of the input).

    Example:
        >>> has_effective_conv(NB201Arch.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"))
        False
    """
    return any(live and op in CONV_OPS for live, op in zip(live_edges(arch), arch.ops, strict=True))
