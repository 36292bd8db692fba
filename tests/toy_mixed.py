"""Toy mixed-op supernets with the API of ``space.supernet(mode="mixed")`` (the NB201 / nb-macro ones arrive with the
space layer), for the operation-scoring tests.

- :class:`ChainMixedSupernet`: positions in a chain, each the weighted sum of its alive ops.
- :func:`scale_supernet`: two edges whose ops multiply by a constant (``zero`` 0, ``half`` 0.5, ``one`` 1,
  ``two`` 2), identity stem and head: the output is ``(Σ w₀ₒ aₒ)(Σ w₁ₒ aₒ)·x`` over the alive ops, so every
  perturbation's score is known by hand.
- :class:`ToyMixedSpace`: the test space ``toy-chain`` (tests/toy_space.py) under the name ``toy-mixed``, declaring
  ``supernet_modes=("mixed",)``; its mixed supernet's ops are the standalone network's layers (conv3x3 / conv1x1
  Conv-BN-ReLU, skip identity), so a fully discretised supernet computes what ``build`` computes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from tests.toy_space import INFO, ToyChainSpace, toy_ground_truth
from torch import nn


@dataclass(frozen=True)
class MixedState:
    alive: tuple[tuple[bool, ...], ...]
    decided: tuple[int | None, ...]

    def key(self) -> str:
        parts = []
        for al, d in zip(self.alive, self.decided, strict=True):
            parts.append("".join("1" if a else "0" for a in al) + ("" if d is None else f"={d}"))
        return "|".join(parts)


class Scale(nn.Module):
    def __init__(self, a: float) -> None:
        super().__init__()
        self.a = a

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a * x


class ChainMixedSupernet(nn.Module):
    """``head(mix_P(… mix_1(stem(x))))`` with ``mix_p(h) = Σ_{o alive} w[p][o]·op_{p,o}(h)`` (removed ops never run)."""

    def __init__(
        self,
        positions: Sequence[str],
        choices: Sequence[Sequence[str]],
        make_op: Callable[[int, str], nn.Module],
        stem: nn.Module,
        head: nn.Module,
        to_arch: Callable[[tuple[int, ...]], Any],
        config: dict[str, Any],
    ) -> None:
        super().__init__()
        self.positions = tuple(positions)
        self.choices = tuple(tuple(c) for c in choices)
        self.config = dict(config)
        self.stem, self.head = stem, head
        self.ops = nn.ModuleList(nn.ModuleList(make_op(p, c) for c in cs) for p, cs in enumerate(self.choices))
        self._weights = [torch.softmax(1e-3 * torch.randn(len(cs)), 0).tolist() for cs in self.choices]
        self._to_arch = to_arch
        self._alive = [[True] * len(cs) for cs in self.choices]
        self._decided: list[int | None] = [None] * len(self.choices)
        self.calls: dict[tuple[int, int], int] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)
        for p, ops in enumerate(self.ops):
            out = None
            for o, op in enumerate(ops):
                if not self._alive[p][o]:
                    continue
                self.calls[(p, o)] = self.calls.get((p, o), 0) + 1
                w = 1.0 if self._decided[p] is not None else self._weights[p][o]
                term = w * op(h)
                out = term if out is None else out + term
            assert out is not None, "a position with no alive op"
            h = out
        return self.head(h)

    def state(self) -> MixedState:
        return MixedState(tuple(tuple(a) for a in self._alive), tuple(self._decided))

    def set_state(self, s: MixedState) -> None:
        self._alive = [list(a) for a in s.alive]
        self._decided = list(s.decided)

    def remove(self, position: int, choice: int) -> None:
        if not self._alive[position][choice] or sum(self._alive[position]) < 2:
            raise ValueError(f"cannot remove choice {choice} of position {position}")
        self._alive[position][choice] = False

    def discretise(self, position: int, choice: int) -> None:
        if not self._alive[position][choice]:
            raise ValueError(f"choice {choice} of position {position} is not alive")
        self._alive[position] = [o == choice for o in range(len(self.choices[position]))]
        self._decided[position] = choice

    def arch_weights(self) -> list[list[float]]:
        return [list(w) for w in self._weights]

    def to_arch(self) -> Any:
        codes = []
        for p, al in enumerate(self._alive):
            if sum(al) != 1:
                raise ValueError(f"position {p} has {sum(al)} alive ops")
            codes.append(al.index(True))
        return self._to_arch(tuple(codes))


SCALES = {"zero": 0.0, "half": 0.5, "one": 1.0, "two": 2.0}


def scale_supernet(choices: Sequence[str] = tuple(SCALES), weights: Sequence[Sequence[float]] | None = None) -> Any:
    """The two-edge scale supernet (``weights`` overrides the architecture weights, for hand computations)."""
    sn = ChainMixedSupernet(
        ("e0", "e1"),
        (tuple(choices), tuple(choices)),
        lambda _p, c: Scale(SCALES[c]),
        nn.Flatten(),
        nn.Identity(),
        lambda codes: tuple(choices[c] for c in codes),
        {"kind": "scale"},
    )
    if weights is not None:
        sn._weights = [list(map(float, w)) for w in weights]
    return sn


class SumMeasure:
    """A fake measure: the mean of the network's output (``higher_is_better`` as given)."""

    def __init__(self, higher_is_better: bool = True, name: str = "outsum") -> None:
        self.names = [name]
        self.higher_is_better = {name: higher_is_better}

    def __call__(self, module: Any, batch: Any) -> dict[str, tuple[float, str]]:
        with torch.no_grad():
            v = float(module(batch.x).mean())
        return {self.names[0]: (v, "ok")}


MIXED_INFO = dataclasses.replace(INFO, name="toy-mixed", has_supernet=True, supernet_modes=("mixed",))


class ToyMixedSpace(ToyChainSpace):
    info = MIXED_INFO

    def supernet(self, *, mode: str = "path", **net: Any) -> Any:
        if mode != "mixed":
            raise ValueError(f"toy-mixed has only a mixed supernet, not {mode!r}")
        cfg = self.net_config(None, **net)
        w = cfg["width"]

        def op(_p: int, c: str) -> nn.Module:
            if c == "skip":
                return nn.Identity()
            k = 3 if c == "conv3x3" else 1
            return nn.Sequential(nn.Conv2d(w, w, k, padding=k // 2, bias=False), nn.BatchNorm2d(w), nn.ReLU())

        stem = nn.Sequential(nn.Conv2d(cfg["in_channels"], w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU())
        head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(w, cfg["num_classes"]))
        return ChainMixedSupernet(
            self.info.positions, self.info.choices, op, stem, head, self.from_codes, {**cfg, "mode": "mixed"}
        )


def toy_mixed_ground_truth() -> Any:
    """``toy_ground_truth()`` of tests/toy_space.py for the space ``toy-mixed``."""
    gt = toy_ground_truth()
    gt.space = "toy-mixed"
    return gt


def toy_store_scores(space: Any, store: Any, estimator: str = "synflow", higher_is_better: bool = True) -> Any:
    """A whole-space stored score of ``estimator`` for ``toy-mixed`` (a synthetic value: n_conv plus noise)."""
    from naslens.types import EstimatorInfo

    archs = space.enumerate()
    keys = [space.key(a) for a in archs]
    rng = np.random.default_rng(1)
    vals = space.complexity()["n_conv"].to_numpy(dtype=float) + rng.normal(0, 0.3, len(keys))
    info = EstimatorInfo(
        name=estimator, family="zeroshot", higher_is_better=higher_is_better, needs_data=True, needs_labels=False
    )
    rows = [(k, float(v), "ok", 0.0) for k, v in zip(keys, vals, strict=True)]
    store.put_many(space.name, rows, info, {"estimator": estimator, "synthetic": True}, seed=0)
    return pd.Series(vals, index=keys)
