"""Soft pruning: the ``evolutionary`` sampler, a supernet sampler steered by an evolutionary controller.

Soft pruning reduces the sharing extent without removing architectures for good (Ning et al., "Evaluating Efficient
Performance Estimators of Neural Architectures", NeurIPS 2021, §"sharing extent"; code: aw_nas, whose
``EvoController`` / ``ParetoEvoController`` are the model of the controller here). A controller keeps a *population*
of architectures ranked by their one-shot score on the current supernet; part of each step's architectures come from
it, the rest uniformly from the sub-space, so the shared weights are pulled towards the architectures that look good
while every architecture keeps being trained.

Mechanics (each a setting of :class:`EvoSettings`; what the paper does not fix is a documented choice):

- **Warm-up**: until the end of epoch ``warmup`` the population is empty and every architecture is uniform.
- **Controller update** at the end of epochs ``warmup``, ``warmup + every``, ``warmup + 2·every``… (``every`` = Tc).
  The first update fills the population with ``population`` distinct uniform draws. Later updates make ``candidates``
  (Sc) new distinct architectures, not already in the population: ``mix`` gives the shares made by uniform draws, by
  crossover of two parents (each position's choice from either parent, 50/50) and by mutation of one parent (one
  position with more than one allowed choice changed to another allowed choice). Parents are tournament winners:
  ``tournament`` members drawn without replacement, the best by reward (Pareto mode: by Pareto level, then reward).
- **Scoring**: every candidate and, with ``rescore`` (default; the weights moved since they were scored), every
  member is scored with the supernet as in :func:`~naslens.estimators.oneshot.scoring.score_paths`: accuracy (or
  loss, ``reward="loss"``) of its path on the first ``score_batches`` validation batches of ``score_batch_size``
  images, BatchNorm in train mode, the supernet left unchanged. NaN rewards rank last.
- **Selection** from members ∪ candidates: ``single`` keeps the ``population`` best by reward (aw_nas' ``perf``
  elimination); ``pareto`` keeps the non-dominated architectures of (reward high, path parameters low) first, then
  the next non-dominated level, …, the last level that does not fit whole cut by reward. Path parameters = the
  number of supernet parameters the architecture's path uses (``path_parameters``).
- **Training draws**: each architecture of a step comes from the population with probability
  ``population_share`` (uniformly over its members) and else uniformly from the sub-space (50 % / 50 % by default).

The controller's state (population with rewards and parameters, update epochs, draw counts) is sampler state, saved
in every checkpoint, so a resumed run continues exactly; it uses the sampler's numpy generator only.

Example:
    >>> s = EvoSettings(population=4, warmup=1, every=1, candidates=2)
    >>> [s.updates_at(e) for e in (1, 2, 3)]
    [True, True, True]
    >>> select_population([0.5, 0.9, 0.1, 0.7], [1.0, 3.0, 0.5, 2.0], 2, "single")
    [1, 3]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.analysis.pareto import pareto_levels
from naslens.estimators.oneshot.evo_settings import OBJECTIVES, REWARDS, EvoSettings
from naslens.estimators.oneshot.samplers import DEFAULT_SPACE, Sampler
from naslens.estimators.oneshot.subspace import SamplerError
from naslens.spaces import SearchSpace

_TRIES = 50  # redraws allowed per candidate before it is skipped (a near-exhausted sub-space)

__all__ = ["OBJECTIVES", "REWARDS", "EvoSettings", "EvolutionarySampler", "select_population"]


def select_population(
    rewards: Sequence[float], params: Sequence[float], size: int, objective: str = "single"
) -> list[int]:
    """Indices of the architectures kept (best first within the rules of the module docstring).

    ``single``: the ``size`` highest rewards (stable: earlier indices win ties). ``pareto``: whole non-dominated
    levels of (params low, reward high) in order, the level that does not fit cut by reward. NaN rewards come last.

    Example:
        >>> select_population([0.9, 0.5, 0.8, 0.4], [3.0, 1.0, 4.0, 2.0], 2, "pareto")  # front: 0 and 1
        [0, 1]
    """
    r = np.asarray(rewards, dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(r))
    bad = [int(i) for i in np.flatnonzero(~np.isfinite(r))]
    by_reward = sorted(ok.tolist(), key=lambda i: (-r[i], i))
    if objective == "single" or not ok.size:
        order = by_reward
    elif objective == "pareto":
        levels = pareto_levels(np.asarray(params, dtype=np.float64)[ok], r[ok])
        level_of = {int(i): int(lv) for i, lv in zip(ok, levels, strict=True)}
        order = sorted(by_reward, key=lambda i: level_of[i])  # stable: reward order within a level
    else:
        raise SamplerError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    return [*order, *bad][:size]


class EvolutionarySampler(Sampler):
    """Population (``population_share``) / uniform mix of architectures; an evolutionary controller updates the
    population at epoch ends (the trainer calls :meth:`end_epoch`). See the module docstring.

    Args:
        samples: architectures per step.
        space, ops, require_conv: the sub-space (``archs=`` lists are refused: candidates are built from choices).
        controller: :class:`EvoSettings` or its dict.
    """

    kind = "evolutionary"

    def __init__(
        self,
        samples: int = 1,
        *,
        space: SearchSpace | str = DEFAULT_SPACE,
        ops: Sequence[str] | None = None,
        archs: Sequence[Any] | None = None,
        require_conv: bool = False,
        controller: EvoSettings | dict[str, Any] | None = None,
    ) -> None:
        if archs is not None:
            raise SamplerError("the evolutionary sampler builds candidates from choices; restrict it with ops=")
        super().__init__(samples, space=space, ops=ops, require_conv=require_conv)
        self.settings = controller if isinstance(controller, EvoSettings) else EvoSettings.from_dict(controller)
        self.members: list[tuple[Any, float, float]] = []  # (arch, reward, path parameters)
        self.updates: list[int] = []
        self.drawn_population = 0
        self.drawn_uniform = 0
        self.skipped = 0  # candidates given up (no new distinct architecture in _TRIES draws)

    # ------------------------------------------------------------------ training draws
    def config(self) -> dict[str, Any]:
        return {**super().config(), "controller": self.settings.to_dict()}

    def step(self, rng: np.random.Generator) -> list[Any]:
        out = []
        for _ in range(self.samples):
            if self.members and rng.random() < self.settings.population_share:
                out.append(self.members[int(rng.integers(len(self.members)))][0])
                self.drawn_population += 1
            else:
                out.append(self.draw_one(rng))
                self.drawn_uniform += 1
        return out

    # ------------------------------------------------------------------ controller
    def begin(self, n_val: int) -> None:
        """Refuse, before training starts, a validation split too small for the controller's scoring."""
        need = self.settings.score_batches * self.settings.score_batch_size
        if n_val < need:
            raise SamplerError(
                f"the controller scores on {self.settings.score_batches} validation batches of "
                f"{self.settings.score_batch_size} ({need} images); the validation split has {n_val}"
            )

    def end_epoch(self, model: Any, epoch: int, val_x: Any, val_y: Any, rng: np.random.Generator) -> dict[str, Any]:
        """Update the population when :meth:`EvoSettings.updates_at` ``epoch``; returns the history columns."""
        if self.settings.updates_at(epoch):
            self._update(model, val_x, val_y, rng)
            self.updates.append(epoch)
        rewards = [m[1] for m in self.members]
        finite = [v for v in rewards if math.isfinite(v)]
        return {
            "controller_update": int(bool(self.updates) and self.updates[-1] == epoch),
            "population": len(self.members),
            "population_mean_reward": float(np.mean(finite)) if finite else float("nan"),
            "population_nan": len(rewards) - len(finite),
            "drawn_population": self.drawn_population,
            "drawn_uniform": self.drawn_uniform,
        }

    def _update(self, model: Any, val_x: Any, val_y: Any, rng: np.random.Generator) -> None:
        s = self.settings
        key = self.space.key
        seen = {key(m[0]) for m in self.members}
        new: list[Any] = []
        if not self.members:
            plan = ["random"] * s.population
        else:
            n_rand, n_cross, n_mut = s.split()
            plan = ["random"] * n_rand + ["crossover"] * n_cross + ["mutation"] * n_mut
        for how in plan:
            for _ in range(_TRIES):
                a = self._make(how, rng)
                if key(a) not in seen and not (self.require_conv and self.sub.trivial(a)):
                    seen.add(key(a))
                    new.append(a)
                    break
            else:
                self.skipped += 1
        old = [m[0] for m in self.members]
        to_score = [*old, *new] if s.rescore else new
        scored = self._score(model, to_score, val_x, val_y)
        if s.rescore:
            pool = scored
        else:
            pool = [*self.members, *scored]
        keep = select_population([p[1] for p in pool], [p[2] for p in pool], s.population, s.objective)
        self.members = [pool[i] for i in keep]

    def _score(self, model: Any, archs: list[Any], val_x: Any, val_y: Any) -> list[tuple[Any, float, float]]:
        from naslens.estimators.oneshot.scoring import ScoreConfig, score_paths

        if not archs:
            return []
        cfg = ScoreConfig(n_batches=self.settings.score_batches, batch_size=self.settings.score_batch_size)
        acc, loss, _ = score_paths(model, archs, val_x, val_y, cfg)
        reward = acc if self.settings.reward == "acc" else -loss
        params = [float(sum(p.numel() for _, p in model.path_parameters(a))) for a in archs]
        return [(a, float(r), n) for a, r, n in zip(archs, reward, params, strict=True)]

    def _parent(self, rng: np.random.Generator) -> Any:
        n = len(self.members)
        idx = rng.choice(n, size=min(self.settings.tournament, n), replace=False)
        rewards = [self.members[int(i)][1] for i in idx]
        params = [self.members[int(i)][2] for i in idx]
        best = select_population(rewards, params, 1, self.settings.objective)[0]
        return self.members[int(idx[best])][0]

    def _make(self, how: str, rng: np.random.Generator) -> Any:
        if how == "random" or not self.members:
            return self.draw_one(rng)
        codes = [int(c) for c in self.space.encode(self._parent(rng), "codes")]
        if how == "crossover":
            other = [int(c) for c in self.space.encode(self._parent(rng), "codes")]
            pick = rng.random(len(codes)) < 0.5
            return self.sub.from_codes([b if p else a for a, b, p in zip(codes, other, pick, strict=True)])
        free = [p for p, allowed in enumerate(self.sub.allowed) if len(allowed) > 1]
        if not free:
            return self.sub.from_codes(codes)
        pos = free[int(rng.integers(len(free)))]
        choices = [c for c in self.sub.allowed[pos] if c != codes[pos]]
        codes[pos] = choices[int(rng.integers(len(choices)))]
        return self.sub.from_codes(codes)

    # ------------------------------------------------------------------ checkpointed state
    def state_dict(self) -> dict[str, Any]:
        return {
            "population": [[self.space.key(a), r, n] for a, r, n in self.members],
            "updates": list(self.updates),
            "drawn_population": self.drawn_population,
            "drawn_uniform": self.drawn_uniform,
            "skipped": self.skipped,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.members = [(self.space.parse(k), float(r), float(n)) for k, r, n in state.get("population", [])]
        self.updates = [int(e) for e in state.get("updates", [])]
        self.drawn_population = int(state.get("drawn_population", 0))
        self.drawn_uniform = int(state.get("drawn_uniform", 0))
        self.skipped = int(state.get("skipped", 0))

    def population_keys(self) -> list[str]:
        """The members' keys, best first (the selection order)."""
        return [self.space.key(a) for a, _, _ in self.members]
