"""``EvoSettings``: the settings of the evolutionary supernet-training controller (soft pruning), a leaf module so
that the training configuration can validate them without importing the sampler (see
:mod:`naslens.estimators.oneshot.prune_evo` for what they mean)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from naslens.estimators.oneshot.subspace import SamplerError

OBJECTIVES = ("single", "pareto")
REWARDS = ("acc", "loss")


@dataclass(frozen=True)
class EvoSettings:
    """Settings of the evolutionary controller (see the module docstring).

    Attributes:
        population: population size (paper: 100).
        warmup: epochs of uniform training before the first controller update (≥ 1).
        every: Tc, epochs between controller updates.
        candidates: Sc, new architectures per update (after the first).
        mix: shares of the candidates made by (uniform draw, crossover, mutation); non-negative, sum 1.
        tournament: members drawn per parent selection.
        objective: ``single`` (reward) or ``pareto`` (reward × path parameters).
        population_share: probability that a trained architecture comes from the population.
        reward: ``acc`` (higher is better) or ``loss`` (lower is better) of the path.
        score_batches, score_batch_size: validation batches (and their size) the controller scores on.
        rescore: rescore the members at every update (else they keep the reward they were admitted with).
    """

    population: int = 100
    warmup: int = 10
    every: int = 5
    candidates: int = 50
    mix: tuple[float, float, float] = (0.2, 0.4, 0.4)
    tournament: int = 10
    objective: str = "single"
    population_share: float = 0.5
    reward: str = "acc"
    score_batches: int = 2
    score_batch_size: int = 256
    rescore: bool = True

    def __post_init__(self) -> None:
        for name in ("population", "warmup", "every", "candidates", "tournament", "score_batches"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise SamplerError(f"controller {name} must be a positive integer, got {v!r}")
        b = self.score_batch_size
        if isinstance(b, bool) or not isinstance(b, int) or b < 2:
            raise SamplerError(f"controller score_batch_size must be an integer ≥ 2 (BatchNorm), got {b!r}")
        if self.objective not in OBJECTIVES:
            raise SamplerError(f"controller objective must be one of {OBJECTIVES}, got {self.objective!r}")
        if self.reward not in REWARDS:
            raise SamplerError(f"controller reward must be one of {REWARDS}, got {self.reward!r}")
        try:
            mix = tuple(float(m) for m in self.mix)
        except (TypeError, ValueError):
            raise SamplerError(
                f"controller mix must be three numbers (random, crossover, mutation), got {self.mix!r}"
            ) from None
        if len(mix) != 3 or any(not math.isfinite(m) or m < 0 for m in mix) or abs(sum(mix) - 1.0) > 1e-6:
            raise SamplerError(f"controller mix (random, crossover, mutation) must be ≥ 0 and sum to 1, got {self.mix}")
        object.__setattr__(self, "mix", mix)
        p = self.population_share
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= float(p) <= 1.0:
            raise SamplerError(f"controller population_share must be in [0, 1], got {p!r}")
        object.__setattr__(self, "population_share", float(p))
        if not isinstance(self.rescore, bool):
            raise SamplerError(f"controller rescore must be true or false, got {self.rescore!r}")

    def updates_at(self, epoch: int) -> bool:
        """Whether the controller updates at the end of ``epoch`` (1-based)."""
        return epoch >= self.warmup and (epoch - self.warmup) % self.every == 0

    def split(self) -> tuple[int, int, int]:
        """How many of the ``candidates`` are (random, crossover, mutation): rounded shares, mutation takes the rest.

        Example:
            >>> EvoSettings(candidates=10).split()
            (2, 4, 4)
        """
        n_rand = round(self.mix[0] * self.candidates)
        n_cross = min(round(self.mix[1] * self.candidates), self.candidates - n_rand)
        return n_rand, n_cross, self.candidates - n_rand - n_cross

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["mix"] = list(self.mix)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EvoSettings:
        """Read :meth:`to_dict` (missing keys take the defaults).

        Raises:
            SamplerError: an unknown key or an invalid value.
        """
        d = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise SamplerError(f"unknown controller setting(s) {unknown}; valid: {sorted(known)}")
        if "mix" in d and isinstance(d["mix"], list):
            d["mix"] = tuple(d["mix"])
        return cls(**d)
