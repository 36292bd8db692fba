"""Where an evaluation's scores come from: the score store (by estimator name, one run per stored configuration,
seed and checkpoint) or estimators computed on the fly (fused when they can share work), and the display labels of
the runs."""

from __future__ import annotations

from typing import Any

import numpy as np

from naslens.store import ScoreStore
from naslens.types import RunId, Scores


def _canonical_estimator(name: str) -> str:
    """The registered name behind an alias (``relu_logdet`` → ``nwot``); other names unchanged."""
    from naslens.estimators.base import ESTIMATORS, load_builtin_estimators

    load_builtin_estimators()
    return ESTIMATORS.canonical(name) if name in ESTIMATORS else name


def _stored_scores(
    store: ScoreStore, space: str, name: str, keys: list[str], checkpoint: str | None, seed: int | None
) -> list[tuple[RunId, Scores]]:
    """One Scores per stored (config, seed, checkpoint) of ``name``, with the run it is."""
    combos = [
        c
        for c in store.combos(space, name)
        if (checkpoint is None or c[2] == checkpoint) and (seed is None or c[1] == seed)
    ]
    if not combos:
        raise ValueError(f"store {store.path} has no scores for {name!r} with checkpoint={checkpoint} seed={seed}")
    configs = {c[0] for c in combos}
    if len(configs) > 1:
        raise ValueError(
            f"store {store.path} holds {len(configs)} configurations of {name!r} ({sorted(configs)}); "
            "use one store per configuration or remove the others"
        )
    return [
        (RunId.from_stored(name, sd, ck), store.scores(space, name, keys, config_hash_=h, seed=sd, checkpoint=ck))
        for h, sd, ck in combos
    ]


def _score_live(sp: Any, archs: list[Any], live: dict[int, Any], *, progress: bool) -> dict[int, Scores]:
    """Score the estimators computed on the fly. Estimators that can share work (a ``fuse_key`` and a
    ``score_group``, e.g. zero-shot proxies of one run context: one network and one set of shared passes per
    architecture) are scored together, with a progress display; the others one by one."""
    out: dict[int, Scores] = {}
    groups: dict[Any, list[int]] = {}
    for i, est in live.items():
        key = est.fuse_key(sp) if hasattr(est, "fuse_key") and hasattr(est, "score_group") else ("alone", i)
        groups.setdefault(key, []).append(i)
    for idx in groups.values():
        first = live[idx[0]]
        if hasattr(first, "score_group"):
            for i, sc in zip(idx, first.score_group([live[i] for i in idx], sp, archs, progress=progress), strict=True):
                out[i] = sc
        else:
            out[idx[0]] = first.score(sp, archs)
    return out


def _live_run(name: str, sc: Scores) -> RunId:
    """The run of a live estimator: its registered name and the seed its configuration records (if any)."""
    seed = sc.config.get("seed", sc.config.get("init_seed"))
    return RunId(name, int(seed) if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None)


def _labels(runs: list[RunId]) -> list[str]:
    """Display labels: ``<estimator>[@<ensemble>][@<checkpoint>]`` plus ``#seed<s>`` when a stored name has
    several seeds (today's labels, so outputs keep their keys)."""
    seeds: dict[str, set[int | None]] = {}
    for r in runs:
        seeds.setdefault(r.stored_name, set()).add(r.seed)
    return [r.label(with_seed=len(seeds[r.stored_name]) > 1) for r in runs]
