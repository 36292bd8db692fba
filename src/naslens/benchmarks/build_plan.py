"""Build plans: which (architecture, seed) pairs a benchmark build trains, and in which order.

A :class:`BuildPlan` is written once into a build folder's ``build.json``
(:mod:`naslens.benchmarks.build_folder`). Architectures are trained in *plan order*: for each selected
architecture (in the sample's random order) its first seed, then its extra seeds if it is among the first
``multi_seed`` architectures. Any prefix of the plan is thus a random sample with a random subset trained twice, so
a build stopped early still exports a sound table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from naslens.benchmarks.recipe import Recipe
from naslens.spaces import get_space

__all__ = ["BuildError", "BuildPlan", "parse_seeds", "plan_from", "plan_from_dict", "select_archs"]


class BuildError(RuntimeError):
    """A build folder or request is inconsistent; the message says what to do."""


@dataclass(frozen=True)
class BuildPlan:
    """What a build trains: ``archs`` spec (``all``, ``deiso``, ``sample:N``), seeds and how many get them all."""

    space: str
    archs: str
    sample_seed: int
    seeds: tuple[int, ...]
    multi_seed: int | None
    recipe: dict[str, Any]

    def jobs(self) -> list[tuple[str, int]]:
        """(arch key, seed) pairs in training order."""
        keys = _select(self.space, self.archs, self.sample_seed)
        n_multi = len(keys) if self.multi_seed is None else self.multi_seed
        out: list[tuple[str, int]] = []
        for i, k in enumerate(keys):
            out.extend((k, s) for s in (self.seeds if i < n_multi else self.seeds[:1]))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seeds": list(self.seeds), "format": "naslens-build/1"}


@lru_cache(maxsize=8)
def _select(space: str, spec: str, seed: int) -> tuple[str, ...]:
    return tuple(select_archs(space, spec, seed))


def select_archs(space: str, spec: str, seed: int = 0) -> list[str]:
    """Architecture keys for ``spec``: ``all`` (every architecture, the space's order), ``deiso`` (one per
    isomorphism class), ``sample:N`` (the first N of a seeded random permutation of the de-isomorphic
    architectures — of all of them in a space without isomorphism — so ``sample:M`` with M > N extends
    ``sample:N``; :func:`naslens.selection.select_archs` with ``nested=True``), or ``gt:NAME`` (the architectures
    of a ground truth, in its order).
    """
    from naslens.selection import SelectionError
    from naslens.selection import select_archs as select
    from naslens.types import SpaceCapabilityError

    sp = get_space(space)
    pool = "deiso" if sp.info.has_isomorphism else "all"
    try:
        if spec in ("all", "deiso"):
            return [sp.key(a) for a in select(sp, subset=spec)]
        if spec.startswith("gt:"):
            return [sp.key(a) for a in select(sp, archs=spec, subset="all")]
        if spec.startswith("sample:"):
            try:
                n = int(spec.split(":", 1)[1])
            except ValueError:
                raise BuildError(f"--archs {spec!r}: expected sample:N with an integer N") from None
            return [sp.key(a) for a in select(sp, subset=pool, sample=n, seed=seed, nested=True)]
    except (SelectionError, SpaceCapabilityError) as e:
        raise BuildError(f"--archs {spec!r}: {e}") from None
    raise BuildError(f"--archs must be all, deiso, sample:N or gt:NAME, got {spec!r}")


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0,1"`` → ``(0, 1)``; seeds must be distinct non-negative integers."""
    try:
        seeds = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise BuildError(f"--seeds must be comma-separated integers, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise BuildError(f"--seeds must be distinct non-negative integers, got {text!r}")
    return seeds


def plan_from_dict(doc: dict[str, Any]) -> BuildPlan:
    """The :class:`BuildPlan` stored in a folder's ``build.json``."""
    try:
        return BuildPlan(
            doc["space"], doc["archs"], int(doc["sample_seed"]), tuple(doc["seeds"]), doc["multi_seed"], doc["recipe"]
        )
    except (KeyError, TypeError, ValueError) as e:
        raise BuildError(f"malformed build plan ({e})") from e


def plan_from(
    space: str, archs: str, seeds: Sequence[int] | str, recipe: Recipe, *, sample_seed: int = 0,
    multi_seed: int | None = None,
) -> BuildPlan:  # fmt: skip
    """Validate the pieces of a build and assemble its :class:`BuildPlan`."""
    s = parse_seeds(seeds) if isinstance(seeds, str) else tuple(int(x) for x in seeds)
    if multi_seed is not None and multi_seed < 0:
        raise BuildError(f"multi_seed must be ≥ 0, got {multi_seed}")
    select_archs(space, archs, sample_seed)  # validates the spec early
    try:
        recipe.net_config(2, space)  # the space validates the recipe's network settings before anything trains
    except ValueError as e:
        raise BuildError(f"recipe {recipe.name!r} does not fit space {space!r}: {e}") from None
    return BuildPlan(space, archs, sample_seed, s, multi_seed, recipe.to_dict())
