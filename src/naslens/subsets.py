"""Which architectures an evaluation uses: ``all``, ``deiso`` or ``deiso-mean``.

NB201 has 15,625 architectures but only 6,466 isomorphism classes; an estimator that scores isomorphic copies
alike is rewarded or punished many times for the same cell. naslens therefore says which subset it used:

Rows are in the space's order (``space.index``) when the space is enumerable, else in the order given. ``all`` works
on every space; the de-isomorphic subsets need a space that declares isomorphism classes
(``space.info.has_isomorphism``) and are refused clearly otherwise.

- ``all``: every architecture that has a ground-truth value;
- ``deiso``: one representative per isomorphism class — the member with the smallest benchmark index among
  those that have a ground-truth value (deterministic);
- ``deiso-mean``: one row per class, ground truth *and* scores averaged over the class's members present in the
  ground truth (the seeds' "iso2deiso" setting). A class mean is non-finite when any member's score is;
- ``deiso-gtmean``: one row per class, the ground truth averaged over the class's members present in the ground
  truth, the score of the representative alone (aw_nas' default de-isomorphic evaluation: only the representative
  needs scoring, while its target is the class's mean accuracy, which smooths the training noise of one member).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from naslens.selection import SelectionError
from naslens.types import SpaceCapabilityError

SUBSETS = ("all", "deiso", "deiso-mean", "deiso-gtmean")


@dataclass(frozen=True)
class SubsetPlan:
    """Rows of an evaluation: ``rows[i]`` is the representative key, ``members[i]`` the keys whose scores are
    averaged into it and ``truth_members[i]`` those whose ground truth is (``None``: the same as ``members``)."""

    name: str
    rows: list[str]
    members: list[list[str]]
    class_ids: np.ndarray
    class_sizes: np.ndarray  # size of each row's class in the whole space
    truth_members: list[list[str]] | None = None

    @property
    def needed_keys(self) -> list[str]:
        """All keys whose scores are needed (members of every row)."""
        return [k for group in self.members for k in group]

    def aggregate(self, values_by_key: dict[str, float]) -> np.ndarray:
        """Per-row score: the member's value, or the mean over members (``deiso-mean``)."""
        return _mean_over(self.members, values_by_key)

    def aggregate_truth(self, values_by_key: dict[str, float]) -> np.ndarray:
        """Per-row ground truth: as :meth:`aggregate`, over ``truth_members`` (class mean for ``deiso-gtmean``)."""
        return _mean_over(self.truth_members if self.truth_members is not None else self.members, values_by_key)


def _mean_over(groups: list[list[str]], values_by_key: dict[str, float]) -> np.ndarray:
    if all(len(g) == 1 for g in groups):
        return np.array([values_by_key[g[0]] for g in groups], dtype=np.float64)
    return np.array([sum(values_by_key[k] for k in g) / len(g) for g in groups], dtype=np.float64)


def plan_subset(space: Any, keys: Sequence[str], subset: str) -> SubsetPlan:
    """Plan the rows of an evaluation over ``keys`` (architectures with ground truth), in the space's order.

    Raises:
        SelectionError: unknown subset name (a ``ValueError``).
        SpaceCapabilityError: a de-isomorphic subset on a space without isomorphism classes.
    """
    if subset not in SUBSETS:
        raise SelectionError(f"subset must be one of {', '.join(SUBSETS)}, got {subset!r}")
    info = space.info
    if subset != "all" and not info.has_isomorphism:
        raise SpaceCapabilityError(
            f"subset {subset!r} needs isomorphism classes, and space {space.name!r} declares none "
            "(SpaceInfo.has_isomorphism is false); use subset 'all'"
        )
    archs = [space.parse(k) for k in keys]
    canon: list[Hashable] = [space.canonical(a) for a in archs] if info.has_isomorphism else list(keys)
    order = _space_order(space, archs)
    space_class_size = _space_class_sizes(space)
    sorted_pos = sorted(range(len(keys)), key=lambda i: order[i])
    ids: dict[Any, int] = {}
    for i in sorted_pos:
        ids.setdefault(canon[i], len(ids))
    cls = np.array([ids[c] for c in canon], dtype=np.int64)
    if info.has_isomorphism:
        sizes = np.array([space_class_size.get(c, 0) for c in canon], dtype=np.int64)
    else:  # every architecture is its own class
        sizes = np.ones(len(keys), dtype=np.int64)
    if subset == "all":
        rows = [keys[i] for i in sorted_pos]
        return SubsetPlan(subset, rows, [[r] for r in rows], cls[sorted_pos], sizes[sorted_pos])
    groups: dict[int, list[int]] = {}
    for i in sorted_pos:
        groups.setdefault(int(cls[i]), []).append(i)
    reps = [g[0] for g in groups.values()]
    rows = [keys[i] for i in reps]
    whole = [[keys[i] for i in g] for g in groups.values()]
    members = whole if subset == "deiso-mean" else [[r] for r in rows]
    truth_members = whole if subset == "deiso-gtmean" else None
    return SubsetPlan(subset, rows, members, cls[reps], sizes[reps], truth_members)


def _space_order(space: Any, archs: Sequence[Any]) -> list[int]:
    """``space.index`` (the benchmark index where the space has one) when enumerable, else the input position."""
    if space.info.enumerable:
        return [int(space.index(a)) for a in archs]
    return list(range(len(archs)))


def _space_class_sizes(space: Any) -> dict[Any, int]:
    """Class size in the whole space, keyed by canonical form (empty when the space is not enumerable or has
    no isomorphism classes)."""
    if not (space.info.enumerable and space.info.has_isomorphism):
        return {}
    sizes: dict[Any, int] = {}
    for a in space.enumerate():
        c = space.canonical(a)
        sizes[c] = sizes.get(c, 0) + 1
    return sizes
