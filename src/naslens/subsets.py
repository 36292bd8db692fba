"""Which architectures an evaluation uses: ``all``, ``deiso`` or ``deiso-mean``.

NB201 has 15,625 architectures but only 6,466 isomorphism classes; an estimator that scores isomorphic copies
alike is rewarded or punished many times for the same cell. naslens therefore says which subset it used:

- ``all``: every architecture that has a ground-truth value;
- ``deiso``: one representative per isomorphism class — the member with the smallest benchmark index among
  those that have a ground-truth value (deterministic);
- ``deiso-mean``: one row per class, ground truth *and* scores averaged over the class's members present in the
  ground truth (the seeds' "iso2deiso" setting). A class mean is non-finite when any member's score is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SUBSETS = ("all", "deiso", "deiso-mean")


@dataclass(frozen=True)
class SubsetPlan:
    """Rows of an evaluation: ``rows[i]`` is the representative key, ``members[i]`` the keys averaged into it."""

    name: str
    rows: list[str]
    members: list[list[str]]
    class_ids: np.ndarray
    class_sizes: np.ndarray  # size of each row's class in the whole space

    @property
    def needed_keys(self) -> list[str]:
        """All keys whose scores are needed (members of every row)."""
        return [k for group in self.members for k in group]

    def aggregate(self, values_by_key: dict[str, float]) -> np.ndarray:
        """Per-row value: the member's value, or the mean over members (``deiso-mean``)."""
        if all(len(g) == 1 for g in self.members):
            return np.array([values_by_key[g[0]] for g in self.members], dtype=np.float64)
        return np.array([sum(values_by_key[k] for k in g) / len(g) for g in self.members], dtype=np.float64)


def plan_subset(space: Any, keys: Sequence[str], subset: str) -> SubsetPlan:
    """Plan the rows of an evaluation over ``keys`` (architectures with ground truth), in benchmark order."""
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    archs = [space.parse(k) for k in keys]
    canon = [space.canonical(a) for a in archs]
    order = _space_order(space, archs)
    space_class_size = _space_class_sizes(space)
    sorted_pos = sorted(range(len(keys)), key=lambda i: order[i])
    ids: dict[Any, int] = {}
    for i in sorted_pos:
        ids.setdefault(canon[i], len(ids))
    cls = np.array([ids[c] for c in canon], dtype=np.int64)
    sizes = np.array([space_class_size.get(c, 0) for c in canon], dtype=np.int64)
    if subset == "all":
        rows = [keys[i] for i in sorted_pos]
        return SubsetPlan(subset, rows, [[r] for r in rows], cls[sorted_pos], sizes[sorted_pos])
    groups: dict[int, list[int]] = {}
    for i in sorted_pos:
        groups.setdefault(int(cls[i]), []).append(i)
    reps = [g[0] for g in groups.values()]
    rows = [keys[i] for i in reps]
    members = [[keys[i] for i in g] if subset == "deiso-mean" else [keys[g[0]]] for g in groups.values()]
    return SubsetPlan(subset, rows, members, cls[reps], sizes[reps])


def _space_order(space: Any, archs: Sequence[Any]) -> list[int]:
    """Benchmark index where the space has one, else the input position."""
    try:
        return [int(a.index) for a in archs]
    except AttributeError:
        return list(range(len(archs)))


def _space_class_sizes(space: Any) -> dict[Any, int]:
    """Class size in the whole space, keyed by canonical form (empty when the space is not enumerable)."""
    try:
        all_archs = space.enumerate()
    except (AttributeError, NotImplementedError):
        return {}
    sizes: dict[Any, int] = {}
    for a in all_archs:
        c = space.canonical(a)
        sizes[c] = sizes.get(c, 0) + 1
    return sizes
