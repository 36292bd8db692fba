"""Supernet pruning workflows: does reducing the sharing extent make one-shot rankings better?

After Ning et al., "Evaluating Efficient Performance Estimators of Neural Architectures" (NeurIPS 2021; code:
aw_nas), three ways to share the weights among fewer architectures, each compared with the unpruned supernet on the
same architectures against the same ground truth (:mod:`~naslens.estimators.oneshot.prune_compare`):

- :func:`prune_op` — **operation pruning**: train the supernet (same settings, same seed, same epochs) on the
  sub-space without one choice (``SubSpace(ops=...)``), and compare it with the full-space supernet on the
  architectures of that sub-space.
- :func:`prune_hard` — **per-architecture hard pruning**: rank the architectures by a checkpoint's one-shot scores,
  keep the top fraction (10 / 25 / 50 %), fine-tune that supernet on the kept architectures only (an ``archs``
  sub-space) and compare on the kept set: unpruned checkpoint, fine-tuned on the kept set (pruned), and a control
  fine-tuned as long on the whole space (separates pruning from extra training).
- :func:`prune_soft` — **soft pruning**: train with the ``evolutionary`` sampler
  (:mod:`~naslens.estimators.oneshot.prune_evo`) and compare with the unpruned supernet on all compared
  architectures and on the final population.

Each workflow works in one folder (``out``): its supernets in sub-folders, every score in ``out/store``, the table
in ``out/<workflow>-comparison.csv``. Everything is resumable: training continues from ``last.pt``, the store skips
what it holds, so rerunning the same call after a kill finishes the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.data.fashion_mnist import ImageSplits
from naslens.estimators.oneshot.checkpoint import LAST, epoch_file, load_checkpoint
from naslens.estimators.oneshot.prune_compare import PruneError, PruneEval, Supernet, compare_rows, score_on, write_rows
from naslens.estimators.oneshot.prune_evo import EvolutionarySampler, EvoSettings
from naslens.estimators.oneshot.subspace import SubSpace
from naslens.estimators.oneshot.train_config import SupernetTrainConfig, TrainConfigError, finetune_label
from naslens.estimators.oneshot.trainer import build_sampler, load_data, train_supernet
from naslens.progress import Tracker
from naslens.store import ScoreStore

__all__ = ["HARD_FRACTIONS", "PruneResult", "hard_keep_count", "prune_hard", "prune_op", "prune_soft"]

HARD_FRACTIONS = (0.1, 0.25, 0.5)


@dataclass
class PruneResult:
    """The comparison table of a workflow and where it was written."""

    table: pd.DataFrame
    path: Path


def hard_keep_count(fraction: float, n: int) -> int:
    """Architectures kept by hard pruning: ``round(fraction · n)``, at least 2 (a ranking needs two).

    Example:
        >>> [hard_keep_count(f, 600) for f in (0.1, 0.25, 0.5)]
        [60, 150, 300]
    """
    if not 0.0 < fraction <= 1.0:
        raise PruneError(f"fractions must be in (0, 1], got {fraction}")
    return min(n, max(2, round(fraction * n)))


def _parent(checkpoint: str | Path) -> tuple[SupernetTrainConfig, dict[str, Any], Path]:
    path = Path(checkpoint)
    ck = load_checkpoint(path, map_location="cpu")
    cfg = SupernetTrainConfig.from_dict(ck["config"])
    return cfg, ck, path


def _candidates(cfg: SupernetTrainConfig, ev: PruneEval, archs: Sequence[Any] | None) -> list[Any]:
    """The compared architectures: ``archs`` (default: the ground truth's), those with a ground-truth value."""
    space = cfg.search_space()
    keys = ev.truth.values.index
    if archs is None:
        return [space.parse(k) for k in keys]
    chosen = [a for a in archs if space.key(a) in keys]
    if len(chosen) < 2:
        raise PruneError(f"only {len(chosen)} of the {len(archs)} architectures have a value in {ev.truth.label}")
    return chosen


def _at_epoch(run: Path, epoch: int) -> Path:
    """The checkpoint of ``run`` after ``epoch`` epochs (kept epoch file, else ``last.pt`` when it is that epoch)."""
    kept = epoch_file(run, epoch)
    if kept.exists():
        return kept
    last = run / LAST
    if last.exists() and int(load_checkpoint(last)["epoch"]) == epoch:
        return last
    raise TrainConfigError(f"{run} holds no checkpoint of epoch {epoch} (it was trained further or not at all)")


def _train_like(
    cfg: SupernetTrainConfig, run: Path, epoch: int, data: ImageSplits, device: Any, progress: bool, **kw: Any
) -> Path:
    train_supernet(cfg, run, resume=True, data=data, device=device, stop_after=epoch, progress=progress, **kw)
    return _at_epoch(run, epoch)


def _from_scratch(cfg: SupernetTrainConfig, what: str) -> None:
    if cfg.finetune_from:
        raise TrainConfigError(f"{what} retrains the supernet from scratch: give a checkpoint of a run from scratch")


def prune_op(
    full: str | Path,
    ops: Sequence[str],
    out: str | Path,
    ev: PruneEval,
    *,
    archs: Sequence[Any] | None = None,
    device: Any = None,
    data: ImageSplits | None = None,
    progress: bool = True,
) -> PruneResult:
    """Operation pruning: for each op of ``ops``, train ``out/no-<op>`` (the configuration of ``full`` without that
    op, up to the epoch of ``full``) and compare both supernets on the architectures without it.

    Raises:
        TrainConfigError: ``full`` is a fine-tuning checkpoint or restricted to an architecture list.
        SamplerError: an op the supernet does not hold, or one whose removal leaves a position without a choice.
    """
    cfg, ck, path = _parent(full)
    _from_scratch(cfg, "operation pruning")
    if cfg.subspace:
        raise TrainConfigError("operation pruning needs a supernet trained on choices (ops), not an architecture list")
    unknown = [o for o in ops if o not in cfg.ops]
    if unknown or not ops:
        raise PruneError(f"ops to prune must be among the supernet's {list(cfg.ops)}, got {list(ops)}")
    epoch, root = int(ck["epoch"]), Path(out)
    data = data if data is not None else load_data(cfg)
    space = cfg.search_space()
    cands = _candidates(cfg, ev, archs)
    unpruned = Supernet("unpruned", path, f"{SubSpace(space, ops=cfg.ops).size} archs (ops {','.join(cfg.ops)})")
    rows: list[dict[str, Any]] = []
    with ScoreStore(root / "store") as store, Tracker(len(ops), "operation pruning", enabled=progress) as bar:
        for op in ops:
            kept_ops = tuple(o for o in cfg.ops if o != op)
            sub = SubSpace(space, ops=kept_ops)  # refuses a position left without a choice
            pruned_cfg = cfg.replace(ops=kept_ops)
            ck_path = _train_like(pruned_cfg, root / f"no-{op}", epoch, data, device, progress)
            pruned = Supernet("pruned", ck_path, f"{sub.size} archs (without {op})")
            held = [a for a in cands if sub.holds(a)]
            if len(held) < 2:
                raise PruneError(f"fewer than 2 compared architectures lack {op}; nothing to compare")
            scores = [(n, score_on(n, held, store, ev, device=device, data=data)) for n in (unpruned, pruned)]
            keys = [space.key(a) for a in held]
            rows += compare_rows("op", f"without {op}", f"compared archs without {op}", keys, scores, ev)
            bar.advance()
    return _result(rows, root / "op-comparison.csv")


def prune_hard(
    checkpoint: str | Path,
    out: str | Path,
    ev: PruneEval,
    *,
    fractions: Sequence[float] = HARD_FRACTIONS,
    epochs: int = 10,
    lr: float | None = None,
    control: bool = True,
    archs: Sequence[Any] | None = None,
    device: Any = None,
    data: ImageSplits | None = None,
    progress: bool = True,
) -> PruneResult:
    """Hard pruning: rank the compared architectures by ``checkpoint``'s scores (``ev.metric``; NaN last, ties in
    the ground truth's order), keep the top :func:`hard_keep_count` of each fraction (``out/top-<pct>/kept.txt``),
    fine-tune the checkpoint's supernet on them for ``epochs`` epochs (``out/top-<pct>``: uniform sampler over the
    kept list, learning rate ``lr``, default the checkpoint's last one) and compare on the kept set. With
    ``control``, the same fine-tuning over the whole space of the supernet's ops (``out/control``) is compared too.
    """
    cfg, ck, path = _parent(checkpoint)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise TrainConfigError(f"fine-tuning epochs must be a positive integer, got {epochs!r}")
    counts = [hard_keep_count(f, 2) for f in fractions]  # validates the fractions before any work
    if not counts or len(set(fractions)) != len(fractions):
        raise PruneError(f"give distinct fractions, got {list(fractions)}")
    root = Path(out)
    data = data if data is not None else load_data(cfg)
    space = cfg.search_space()
    held = [a for a in _candidates(cfg, ev, archs) if SubSpace(space, ops=cfg.ops).holds(a)]
    last_lr = float(ck["history"][-1]["lr"]) if ck.get("history") else cfg.lr
    base = cfg.replace(
        sampler="uniform",
        samples=cfg.samples if cfg.sampler == "uniform" else 1,
        controller={},
        epochs=epochs,
        checkpoint_every=epochs,
        lr=last_lr if lr is None else lr,
        finetune_from=finetune_label(ck),
    )
    unpruned = Supernet("unpruned", path, f"its training space ({cfg.sampler})")
    rows: list[dict[str, Any]] = []
    with ScoreStore(root / "store") as store, Tracker(len(fractions) + 1, "hard pruning", enabled=progress) as bar:
        parent_scores = score_on(unpruned, held, store, ev, device=device, data=data, progress=progress)
        oriented = parent_scores if ev.metric == "acc" else -parent_scores
        order = sorted(range(len(held)), key=lambda i: (not np.isfinite(oriented[i]), -np.nan_to_num(oriented[i])))
        ctl = None
        if control:
            ctl_path = _train_like(base, root / "control", epochs, data, device, progress, init_from=path)
            ctl = Supernet("control", ctl_path, f"whole space, +{epochs} epochs")
        bar.advance()
        for f in fractions:
            n_keep = hard_keep_count(f, len(held))
            kept = [held[i] for i in order[:n_keep]]
            keys = [space.key(a) for a in kept]
            run = root / f"top-{f * 100:g}"  # top-10, top-25, top-50
            run.mkdir(parents=True, exist_ok=True)
            (run / "kept.txt").write_text("".join(k + "\n" for k in keys))
            ft = _train_like(base.replace(subspace=tuple(keys)), run, epochs, data, device, progress, init_from=path)
            pruned = Supernet("pruned", ft, f"its top {f:.0%} ({n_keep} archs), +{epochs} epochs")
            nets = [unpruned, *([ctl] if ctl else []), pruned]
            scores = [(n, score_on(n, kept, store, ev, device=device, data=data)) for n in nets]
            label = f"top {n_keep} of {len(held)} by the unpruned scores"
            rows += compare_rows("hard", f"top {f:.0%}", label, keys, scores, ev)
            bar.advance()
    return _result(rows, root / "hard-comparison.csv")


def prune_soft(
    full: str | Path,
    out: str | Path,
    ev: PruneEval,
    controller: EvoSettings | dict[str, Any] | None = None,
    *,
    archs: Sequence[Any] | None = None,
    device: Any = None,
    data: ImageSplits | None = None,
    progress: bool = True,
) -> PruneResult:
    """Soft pruning: train ``out/soft-<objective>`` (the configuration of ``full`` with the ``evolutionary`` sampler
    and ``controller``, up to the epoch of ``full``) and compare both supernets on all compared architectures and on
    the compared architectures of the final population (matched by isomorphism class where the space has them);
    the population is written to ``out/soft-<objective>/population.txt``, best first."""
    cfg, ck, path = _parent(full)
    _from_scratch(cfg, "soft pruning")
    if cfg.subspace:
        raise TrainConfigError("soft pruning needs a supernet trained on choices (ops), not an architecture list")
    settings = controller if isinstance(controller, EvoSettings) else EvoSettings.from_dict(controller)
    epoch, root = int(ck["epoch"]), Path(out)
    if epoch < settings.warmup:
        raise PruneError(f"the controller's warm-up ({settings.warmup}) ends after the compared epoch {epoch}")
    data = data if data is not None else load_data(cfg)
    space = cfg.search_space()
    soft_cfg = cfg.replace(
        sampler="evolutionary", samples=cfg.samples if cfg.sampler == "uniform" else 1, controller=settings.to_dict()
    )
    cands = _candidates(cfg, ev, archs)
    unpruned = Supernet("unpruned", path, f"its training space ({cfg.sampler})")
    with ScoreStore(root / "store") as store, Tracker(2, "soft pruning", enabled=progress) as bar:
        run = root / f"soft-{settings.objective}"
        soft = Supernet(
            "pruned", _train_like(soft_cfg, run, epoch, data, device, progress), f"evolutionary {settings.objective}"
        )
        bar.advance()
        sampler = build_sampler(soft_cfg)
        assert isinstance(sampler, EvolutionarySampler)
        sampler.load_state_dict(load_checkpoint(soft.path)["sampler_state"])
        (run / "population.txt").write_text("".join(k + "\n" for k in sampler.population_keys()))
        keys = [space.key(a) for a in cands]
        scores = {n.role: score_on(n, cands, store, ev, device=device, data=data) for n in (unpruned, soft)}
        pairs = [(unpruned, scores["unpruned"]), (soft, scores["pruned"])]
        rows = compare_rows("soft", settings.objective, f"all {len(keys)} compared archs", keys, pairs, ev)
        members = _in_population(space, sampler, keys)
        if len(members) >= 2:
            sel = [keys.index(k) for k in members]
            pop_pairs = [(n, s[sel]) for n, s in pairs]
            label = f"compared archs in the final population ({len(members)} of {len(sampler.members)} members)"
            rows += compare_rows("soft", settings.objective, label, members, pop_pairs, ev)
        bar.advance()
    return _result(rows, root / f"soft-{settings.objective}-comparison.csv")


def _in_population(space: Any, sampler: EvolutionarySampler, keys: list[str]) -> list[str]:
    """The compared keys whose architecture (or, where the space has isomorphism classes, class) is a member."""
    if space.info.has_isomorphism:
        classes = {space.canonical(a) for a, _, _ in sampler.members}
        return [k for k in keys if space.canonical(space.parse(k)) in classes]
    members = set(sampler.population_keys())
    return [k for k in keys if k in members]


def _result(rows: list[dict[str, Any]], path: Path) -> PruneResult:
    return PruneResult(pd.DataFrame(rows), write_rows(path, rows))
