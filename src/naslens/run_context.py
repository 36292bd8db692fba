"""The run settings an evaluation hands to every estimator, read from the ground truth it compares with.

A benchmark ground truth (``nb201-200ep``, ``nb-macro-cifar10``) names a dataset the space has benchmark network
settings for; estimators then use ``space.net_config(dataset)``. A ground truth naslens built with its own recipe
(``nb201-fmnist``) was trained on a network of its own: its settings come from ``extra["net"]`` (``net_config``
keys of the space, the preferred record) or from the recipe (``Recipe.net_config`` plus its ``input_size``), and
its dataset and data source from the recipe. The result is one explicit
:class:`~naslens.types.ScoringContext`; every estimator factory takes the fields it declares.
"""

from __future__ import annotations

from typing import Any

from naslens.benchmarks import GroundTruth
from naslens.types import NetConfigError, ScoringContext


def ground_truth_dataset(space: Any, gt: GroundTruth, metric: str) -> str:
    """The dataset the ground truth's metric was measured on, spelled as the space spells it when it knows it
    (``imagenet16-120`` → ``ImageNet16-120``); a naslens-built ground truth's recipe dataset wins over the
    metric's label (``fashion-mnist-seed0`` → ``fashion-mnist``)."""
    recipe = gt.extra.get("recipe")
    ds = str(recipe["dataset"]) if isinstance(recipe, dict) and recipe.get("dataset") else gt.metrics[metric].dataset
    known = {d.lower(): d for d in space.info.datasets}
    return known.get(ds.lower(), ds)


def ground_truth_net(space: Any, gt: GroundTruth) -> dict[str, Any] | None:
    """Network settings the ground truth was trained with (``None`` for a benchmark ground truth).

    Raises:
        NetConfigError: the recorded settings are not settings of ``space`` (the message names them).
    """
    recorded = gt.extra.get("net")
    if isinstance(recorded, dict):
        net = dict(recorded)
    else:
        recipe = gt.extra.get("recipe")
        if not isinstance(recipe, dict):
            return None
        from naslens.benchmarks.recipe import Recipe, RecipeError

        try:
            r = Recipe.from_dict(recipe, where="ground-truth recipe")
        except RecipeError as e:
            raise NetConfigError(f"cannot read the network of ground truth {gt.source.path}: {e}") from e
        split = gt.extra.get("data_split")
        num_classes = int(split.get("num_classes", 10)) if isinstance(split, dict) else 10
        net = r.net_config(num_classes, space)
    try:
        space.net_config(None, **net)
    except NetConfigError as e:
        raise NetConfigError(
            f"ground truth {gt.source.path} was trained with network settings {net} that space {space.name!r} "
            f"does not accept: {e}"
        ) from e
    return net


def ground_truth_context(space: Any, gt: GroundTruth, metric: str, *, seed: int = 0) -> ScoringContext:
    """The run settings for scoring ``space`` against ``gt[metric]``: dataset, seed, network and data source.

    Example:
        >>> from naslens.benchmarks import load_ground_truth
        >>> from naslens.spaces import get_space
        >>> ctx = ground_truth_context(get_space("nb201"), load_ground_truth("nb201-fmnist"), "fashion-mnist")
        >>> ctx.dataset, ctx.data, ctx.net["C"], ctx.net["in_channels"], ctx.net["input_size"]
        ('fashion-mnist', 'fashion-mnist', 8, 1, 16)

    A ground truth on a dataset the space has no benchmark network for, and that records no network of its own,
    is scored on the space's default benchmark network (``dataset`` is then the space's default dataset;
    :func:`network_note` says so for the record).
    """
    net = ground_truth_net(space, gt)
    dataset = ground_truth_dataset(space, gt, metric)
    if net is None and dataset not in space.info.datasets:
        dataset = space.info.default_dataset
    return ScoringContext(dataset=dataset, seed=seed, net=net, data=dataset if net is not None else None)


def network_note(space: Any, gt: GroundTruth, metric: str, ctx: ScoringContext) -> str:
    """One line saying which network the estimators were given, when it is not the ground truth's own."""
    ds = ground_truth_dataset(space, gt, metric)
    if ctx.net is None and ctx.dataset != ds:
        return (
            f"ground-truth dataset {ds!r} has no benchmark network in space {space.name!r} and the ground truth "
            f"records none: network-based estimators used the {ctx.dataset!r} benchmark network"
        )
    return ""
