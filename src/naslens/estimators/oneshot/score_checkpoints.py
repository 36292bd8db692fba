"""Score architectures at every supernet checkpoint into a resumable :class:`~naslens.store.ScoreStore`.

Each checkpoint's scores are stored under the checkpoint label (``epoch-0010``) with the training seed, for the
estimators ``oneshot_acc`` and ``oneshot_loss``; their configuration is the training configuration (less seed
and length) plus the evaluation settings, so ``naslens evaluate`` reports the criteria for every checkpoint —
the criteria trend over training. Results are committed in chunks; a rerun skips what is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.checkpoint import CheckpointRef, load_checkpoint
from naslens.estimators.oneshot.ensembles import average_state_dicts
from naslens.estimators.oneshot.scoring import ScoreConfig, metric_info, score_paths
from naslens.estimators.oneshot.subspace import SubSpace
from naslens.estimators.oneshot.train_config import SupernetTrainConfig
from naslens.estimators.oneshot.trainer import build_supernet, load_data, resolve_device
from naslens.spaces import SearchSpace, get_space
from naslens.store import ScoreStore


@dataclass
class ScoredCheckpoint:
    """Summary of one checkpoint's scoring."""

    label: str
    seed: int
    scored: int
    skipped: int
    mean_acc: float
    mean_loss: float
    outside: int = 0  # architectures using an op the supernet does not hold (trained with ops removed): not scored


def store_config(train: SupernetTrainConfig, score: ScoreConfig, metric: str, weight_average: int) -> dict[str, Any]:
    """The store configuration of one one-shot estimator: what was trained and how it is evaluated."""
    cfg: dict[str, Any] = {
        "estimator": f"oneshot_{metric}",
        "train": train.identity(),
        "train_hash": train.hash,
        "score": score.to_dict(),
    }
    if weight_average > 1:
        cfg["ensemble"] = {"kind": "weight-average", "window": weight_average}
    return cfg


def score_checkpoints(
    refs: Sequence[CheckpointRef],
    archs: Sequence[Any],
    store: ScoreStore,
    score: ScoreConfig | None = None,
    *,
    space: SearchSpace | str | None = None,
    weight_average: int = 1,
    device: str | torch.device | None = None,
    data: ImageSplits | None = None,
    chunk: int = 200,
    progress: bool = True,
) -> list[ScoredCheckpoint]:
    """Score ``archs`` with each checkpoint and append the results to ``store``.

    Args:
        refs: checkpoints, in training order (one run, or several runs/seeds).
        archs: architectures to score; those using an op the supernet was built without (``ops`` removed for a
            pruning study) are left out and counted in :attr:`ScoredCheckpoint.outside`.
        store: the score store (resumable: stored keys are skipped).
        score: evaluation settings.
        space: the space of ``archs`` (default: the first checkpoint's); every checkpoint must be a supernet of it.
        weight_average: k > 1 scores the weight average of each checkpoint and its k − 1 predecessors of the
            same run (a temporal ensemble; checkpoints with fewer predecessors are skipped), stored as
            ``oneshot_acc@wavg<k>``.
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.
        data: preloaded splits matching the checkpoints' configuration (default: loaded from it).
        chunk: architectures per store transaction.
        progress: show progress bars.
    """
    score = score or ScoreConfig()
    dev = resolve_device(device)
    expected = None if space is None else get_space(space).name
    out = []
    by_run: dict[str, list[CheckpointRef]] = {}
    for ref in refs:
        by_run.setdefault(str(ref.path.parent.resolve()), []).append(ref)
    cached: dict[str, ImageSplits] = {}
    for run_refs in by_run.values():
        run_refs = sorted(run_refs, key=lambda r: r.epoch)
        for i, ref in enumerate(run_refs):
            if weight_average > 1 and i < weight_average - 1:
                continue
            ck = load_checkpoint(ref.path, map_location="cpu")
            train = SupernetTrainConfig.from_dict(ck["config"])
            expected = expected or train.space
            if train.space != expected:
                raise ValueError(f"{ref.path} is a supernet of space {train.space!r}, not {expected!r}")
            sp = train.search_space()
            if weight_average > 1:
                window = [
                    load_checkpoint(r.path, map_location="cpu")["model"] for r in run_refs[i - weight_average + 1 : i]
                ]
                state = average_state_dicts([*window, ck["model"]])
            else:
                state = ck["model"]
            suffix = f"@wavg{weight_average}" if weight_average > 1 else ""
            infos = {m: metric_info(m, score, name=f"oneshot_{m}{suffix}") for m in ("acc", "loss")}
            cfgs = {m: store_config(train, score, m, weight_average) for m in ("acc", "loss")}
            sub = SubSpace(sp, ops=train.ops)
            held = [a for a in archs if sub.holds(a)]
            if not held:
                raise ValueError(
                    f"{ref.path}: none of the {len(archs)} architectures can be scored, the supernet holds only "
                    f"the ops {list(train.ops)}"
                )
            keys = [sp.key(a) for a in held]
            done = set.intersection(
                *[
                    store.done(sp.name, infos[m].name, cfgs[m], seed=train.seed, checkpoint=ref.label)
                    for m in ("acc", "loss")
                ]
            )
            todo = [a for a, k in zip(held, keys, strict=True) if k not in done]
            accs, losses = [], []
            if todo:
                data_key = repr((train.n_train, train.n_val, train.data_seed, train.input_size, train.channels))
                if data is None and data_key not in cached:
                    cached[data_key] = load_data(train)
                splits = data if data is not None else cached[data_key]
                model = build_supernet(train)
                model.load_state_dict(state)
                model.to(dev)
                for start in range(0, len(todo), chunk):
                    part = todo[start : start + chunk]
                    acc, loss, secs = score_paths(
                        model, part, splits.val_x, splits.val_y, score, calib_x=splits.train_x, progress=progress
                    )
                    pkeys = [sp.key(a) for a in part]
                    for m, vals in (("acc", acc), ("loss", loss)):
                        store.put_many(
                            sp.name,
                            [(k, float(v), None, float(s)) for k, v, s in zip(pkeys, vals, secs, strict=True)],
                            infos[m],
                            cfgs[m],
                            seed=train.seed,
                            checkpoint=ref.label,
                        )
                    accs.extend(acc.tolist())
                    losses.extend(loss.tolist())
            out.append(
                ScoredCheckpoint(
                    ref.label,
                    train.seed,
                    len(todo),
                    len(held) - len(todo),
                    float(np.mean(accs)) if accs else float("nan"),
                    float(np.mean(losses)) if losses else float("nan"),
                    len(archs) - len(held),
                )
            )
    return out


def checkpoint_space(refs: Sequence[CheckpointRef]) -> str:
    """The space of the first checkpoint's supernet (what the architectures to score must come from).

    Raises:
        ValueError: no checkpoint given.
    """
    if not refs:
        raise ValueError("no checkpoint given")
    return SupernetTrainConfig.from_dict(load_checkpoint(refs[0].path)["config"]).space
