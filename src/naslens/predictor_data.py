"""What predictor runs learn from and are judged against: the ground truth, the target and the training sets.

- :class:`Truth`: one ground-truth metric of a space, its architectures with a value (sorted keys) and its
  provenance (file, sha256, dataset, split, epochs).
- :class:`Target`: what a predictor is fitted on: the ground truth itself, or the scores of any stored estimator
  (the *one-shot oracle*: ``store:PATH:ESTIMATOR[:config=HASH][:seed=S][:checkpoint=C]``). A target that is
  lower-is-better (a loss) is negated, so predictors always learn "higher is better".
- :func:`train_set`: training set ``s`` of size ``n`` is ``n`` keys drawn without replacement from the sorted pool
  by ``numpy.random.default_rng((s, n))``. Sets of different sizes are drawn independently (the set 0 of 78 is
  not a subset of the set 0 of 390), and they do not depend on the predictor or its seed: every predictor of a
  run trains on the same sets. The pool is the architectures with a ground-truth value, and with a stored target
  also a finite target score.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from naslens.benchmarks import GroundTruth, load_ground_truth
from naslens.store import ScoreStore, StoreError
from naslens.types import UserError


class PredictorRunError(UserError, ValueError):
    """Bad input to a predictor run (fit-eval or multistage); the message names the option."""


@dataclass
class Truth:
    """One ground-truth metric: ``keys`` (sorted, every one with a finite value), ``values`` aligned with them."""

    space: str
    name: str
    metric: str
    keys: list[str]
    values: np.ndarray
    provenance: dict[str, Any]

    def __post_init__(self) -> None:
        self.index = {k: i for i, k in enumerate(self.keys)}

    def of(self, keys: list[str]) -> np.ndarray:
        return self.values[[self.index[k] for k in keys]]

    def restrict(self, keys: list[str], label: str) -> Truth:
        """This ground truth on ``keys`` only (those with a value; ``label`` says where the list comes from).

        The provenance records the restriction (``restricted_to``: the label, how many keys were given, how many
        have a value, and the sha256 of the sorted kept keys), so a run on a sub-pool never reads as one on the
        whole ground truth.

        Raises:
            PredictorRunError: fewer than 2 of ``keys`` with a ground-truth value.
        """
        given = set(keys)  # duplicates are refused where the list is read (naslens.selection)
        kept = sorted(k for k in given if k in self.index)
        if len(kept) < 2:
            raise PredictorRunError(
                f"--archs {label}: {len(kept)} of its {len(given)} architectures have a value of {self.metric!r}; "
                "need at least 2"
            )
        digest = hashlib.sha256("\n".join(kept).encode()).hexdigest()
        prov = dict(self.provenance)
        prov["restricted_to"] = {
            "archs": label,
            "n_given": len(given),
            "n_with_value": len(kept),
            "keys_sha256": digest,
        }
        return Truth(self.space, self.name, self.metric, kept, self.of(kept), prov)


def load_truth(
    ground_truth: str | os.PathLike[str] | GroundTruth,
    *,
    space: str | None = None,
    dataset: str | None = None,
    metric: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Truth:
    """The ground truth ``ground_truth`` (a name, a file or a :class:`GroundTruth`), one metric of it.

    Raises:
        PredictorRunError: the ground truth is for another space, or has fewer than 2 values.
        GroundTruthError: unknown ground truth, dataset or metric.
    """
    gt = ground_truth if isinstance(ground_truth, GroundTruth) else load_ground_truth(ground_truth, data_dir)
    if space is not None and gt.space != space:
        raise PredictorRunError(f"ground truth {_gt_name(ground_truth, gt)!r} is for space {gt.space!r}, not {space!r}")
    col = gt.metric_for(dataset, metric)
    series = gt.values[col]
    finite = series[np.isfinite(series.to_numpy(dtype=np.float64))]
    if len(finite) < 2:
        raise PredictorRunError(f"ground truth {col!r} has {len(finite)} architectures with values; need at least 2")
    keys = sorted(str(k) for k in finite.index)
    values = np.array([float(finite[k]) for k in keys])
    prov = gt.provenance(col)
    prov["name"] = _gt_name(ground_truth, gt)
    prov["n_archs_without_value"] = int(len(series) - len(finite))
    return Truth(gt.space, prov["name"], col, keys, values, prov)


def _gt_name(spec: Any, gt: GroundTruth) -> str:
    return gt.source.path if isinstance(spec, GroundTruth) else str(spec)


@dataclass
class Target:
    """What predictors are fitted on: ``values`` by key (finite only) and the record of where they come from."""

    label: str
    values: dict[str, float]
    provenance: dict[str, Any]
    is_truth: bool = False
    higher_is_better: bool = True
    n_nonfinite: int = 0
    selectors: dict[str, Any] = field(default_factory=dict)

    def pool(self, truth: Truth) -> list[str]:
        """Sorted keys with a ground-truth value and a target value: the architectures training sets come from."""
        return [k for k in truth.keys if k in self.values]

    def of(self, keys: list[str]) -> np.ndarray:
        return np.array([self.values[k] for k in keys], dtype=np.float64)


def truth_target(truth: Truth) -> Target:
    """The ground truth as the target (the default)."""
    src = truth.provenance.get("source", {})
    prov = {"kind": "ground-truth", "name": truth.name, "metric": truth.metric, "sha256": src.get("sha256", "")}
    return Target("ground truth", dict(zip(truth.keys, truth.values.tolist(), strict=True)), prov, is_truth=True)


def parse_target_spec(spec: str) -> tuple[Path, str, dict[str, Any]]:
    """``store:PATH:ESTIMATOR[:config=HASH][:seed=S][:checkpoint=C]`` → (path, estimator, selectors).

    Example:
        >>> parse_target_spec("store:runs/os/store:oneshot_acc@savg3:seed=0:checkpoint=epoch-0120")
        (PosixPath('runs/os/store'), 'oneshot_acc@savg3', {'seed': 0, 'checkpoint': 'epoch-0120'})
    """
    parts = spec.split(":")
    if len(parts) < 3 or parts[0] != "store" or not parts[1] or not parts[2]:
        raise PredictorRunError(
            f"--target {spec!r}: expected 'ground-truth' or store:PATH:ESTIMATOR[:config=HASH][:seed=S][:checkpoint=C]"
        )
    selectors: dict[str, Any] = {}
    for item in parts[3:]:
        key, eq, value = item.partition("=")
        if not eq or key not in ("config", "seed", "checkpoint"):
            raise PredictorRunError(f"--target {spec!r}: {item!r} is not config=HASH, seed=S or checkpoint=C")
        if key == "seed":
            try:
                selectors[key] = int(value)
            except ValueError:
                raise PredictorRunError(f"--target {spec!r}: seed must be an integer, got {value!r}") from None
        else:
            selectors[key] = value
    return Path(parts[1]), parts[2], selectors


def store_target(spec: str, truth: Truth) -> Target:
    """The scores of a stored estimator (on the ground truth's architectures) as the target.

    Raises:
        PredictorRunError: no store there, the store holds no such estimator, the selectors leave several runs,
            or fewer than 2 ground-truth architectures have a finite stored score.
    """
    path, estimator, sel = parse_target_spec(spec)
    try:
        st = ScoreStore(path, readonly=True)  # only read: a store on a read-only disk works, nothing is written
    except StoreError as e:
        raise PredictorRunError(f"--target: {e}") from None
    try:
        sc = st.scores(
            truth.space,
            estimator,
            truth.keys,
            config_hash_=sel.get("config"),
            seed=sel.get("seed"),
            checkpoint=sel.get("checkpoint"),
        )
    except StoreError as e:
        raise PredictorRunError(f"--target: {e}") from None
    finally:
        st.close()
    finite = sc.finite
    sign = 1.0 if sc.info.higher_is_better else -1.0
    values = {k: sign * float(v) for k, v, ok in zip(sc.keys, sc.values, finite, strict=True) if ok}
    if len(values) < 2:
        raise PredictorRunError(
            f"--target {spec!r}: {len(values)} of the {len(truth.keys)} ground-truth architectures have a finite score"
        )
    prov = {
        "kind": "store",
        "store": str(path),
        "estimator": estimator,
        "config_hash": sc.config_hash,
        "seed": int(sc.extra["seed"]),
        "checkpoint": sc.extra["checkpoint"],
        "higher_is_better": sc.info.higher_is_better,
        "negated": sign < 0,
    }
    return Target(
        f"{estimator} ({path})",
        values,
        prov,
        higher_is_better=sc.info.higher_is_better,
        n_nonfinite=int((~finite).sum()),
        selectors=sel,
    )


def resolve_target(spec: str | None, truth: Truth) -> Target:
    """``None`` / ``ground-truth``: the ground truth; ``store:…``: a stored estimator (see :func:`store_target`)."""
    if spec is None or spec == "ground-truth":
        return truth_target(truth)
    return store_target(spec, truth)


def train_set(pool: list[str], n: int, s: int) -> list[str]:
    """Training set ``s`` of size ``n`` from the sorted ``pool`` (see the module docstring), sorted.

    Example:
        >>> pool = [f"a{i:02d}" for i in range(20)]
        >>> train_set(pool, 5, 0) == train_set(list(reversed(pool)), 5, 0)
        True
        >>> train_set(pool, 5, 0) != train_set(pool, 5, 1)
        True
    """
    ordered = sorted(pool)
    if not 2 <= n <= len(ordered):
        raise PredictorRunError(f"training size {n} must be between 2 and the {len(ordered)} architectures available")
    rng = np.random.default_rng((int(s), int(n)))
    pick = rng.choice(len(ordered), size=int(n), replace=False)
    return sorted(ordered[i] for i in pick)
