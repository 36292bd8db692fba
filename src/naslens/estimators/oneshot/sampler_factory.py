"""``make_sampler``: build a supernet-training sampler by kind (the fixed-distribution samplers of
:mod:`naslens.estimators.oneshot.samplers` and the controller-driven ``evolutionary`` one of
:mod:`naslens.estimators.oneshot.prune_evo`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from naslens.estimators.oneshot.prune_evo import EvolutionarySampler
from naslens.estimators.oneshot.samplers import (
    DEFAULT_SPACE,
    SAMPLERS,
    DeisoSampler,
    FairNASSampler,
    RejectionDeisoSampler,
    Sampler,
    UniformSampler,
)
from naslens.estimators.oneshot.subspace import SamplerError
from naslens.spaces import SearchSpace

_KINDS: dict[str, type[Sampler]] = {
    "uniform": UniformSampler,
    "deiso": DeisoSampler,
    "deiso-rejection": RejectionDeisoSampler,
    "fairnas": FairNASSampler,
    "evolutionary": EvolutionarySampler,
}


_CONTROLLED = {"evolutionary": EvolutionarySampler}
"""Samplers that take controller settings."""


def make_sampler(
    kind: str,
    samples: int = 1,
    *,
    space: SearchSpace | str = DEFAULT_SPACE,
    ops: Sequence[str] | None = None,
    archs: Sequence[Any] | None = None,
    require_conv: bool = False,
    controller: dict[str, Any] | None = None,
) -> Sampler:
    """Build a sampler by kind (one of :data:`SAMPLERS`); ``controller`` holds the ``evolutionary`` sampler's
    settings (:class:`~naslens.estimators.oneshot.prune_evo.EvoSettings`) and is refused by the others.

    Raises:
        SamplerError: unknown kind or bad settings.
        SpaceCapabilityError: the space does not offer what the sampler needs (isomorphism classes, an enumeration
            for the ``deiso`` table, ``is_trivial`` for ``require_conv``).

    Example:
        >>> import numpy as np
        >>> len(make_sampler("fairnas").step(np.random.default_rng(0)))
        5
        >>> [len(make_sampler(k, space="nb-macro").step(np.random.default_rng(0))) for k in ("uniform", "fairnas")]
        [1, 3]
    """
    if kind not in _KINDS:
        raise SamplerError(f"unknown sampler {kind!r}; choose one of {', '.join(SAMPLERS)}")
    if kind in _CONTROLLED:
        return _CONTROLLED[kind](samples, space=space, ops=ops, archs=archs, require_conv=require_conv,
                                 controller=controller)  # fmt: skip
    if controller:
        raise SamplerError(f"controller settings apply to the evolutionary sampler only, not to {kind!r}")
    return _KINDS[kind](samples, space=space, ops=ops, archs=archs, require_conv=require_conv)
