"""The operation-scoring analysis (Xiang et al., "Zero-Cost Operation Scoring in Differentiable Architecture
Search", section 3): how well each scoring function ranks the ops of each position against the oracles.

Per seed, a freshly seeded mixed supernet (``torch.manual_seed(seed)``) is discretised one position at a time, in a
seeded random order (``default_rng(derived_seed(seed, 4))``), each position to the op the ``best-acc`` oracle prefers
— the trajectory every score is judged along, so all scores see the same partially discretised supernets. At
iteration ``t`` (``t`` positions decided, ``t = 0 … P−1``), every scoring function scores every alive op of every
undecided position; per position the Spearman ρ between the score's and each oracle's importances is computed over
the position's alive ops, and averaged over positions (NaN ρ — a constant score on a position — are counted in
``n_nan_edges`` and left out of the mean) and, in the summary, over seeds. Perturbation scores of one iteration share
one fresh batch (batch ``t`` of the seeded stream); every perturbation is a journal step, so a rerun resumes.

Picks: at iteration 0, each score's best op per position taken independently gives one architecture, reported with
its ground truth and rank (1 = best of the ground truth's finite values).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.search._base import SearchError
from naslens.search.journal import SearchJournal
from naslens.search.mixed import (
    AccuracyMeasure,
    BatchStream,
    PerturbationRunner,
    ProxyMeasure,
    bound_context,
    build_mixed,
    check_mixed_space,
    derived_seed,
    nan_argmax,
    undecided,
)
from naslens.search.op_scores import (
    OP_SCORES,
    PROXY_SCORES,
    ArchTable,
    darts_scores,
    load_trained,
    op_score_info,
    perturbation_scores,
    stored_values,
)

ORACLES = ("best-acc", "avg-acc")
DIRECTING_ORACLE = "best-acc"
"""The oracle whose best op each iteration discretises."""


@dataclass
class OpScoreSetup:
    """Everything one analysis needs (see :func:`run_opscore`).

    Attributes:
        space: the space (enumerable, with a mixed supernet).
        truth: the ground truth and ``metric``, its column.
        proxies: zero-shot proxies (the proxy scores are computed for each).
        scores: scoring functions (:data:`~naslens.search.op_scores.OP_SCORES`); the oracles are always added.
        seeds: supernet / batch seeds.
        batch_size, dataset, data, net, data_root, device: the proxies' run settings (as for zero-shot scoring).
        proxy_store: a score store with whole-space scorings of the proxies (for ``best-zc``).
        checkpoint: a trained supernet checkpoint (for ``darts-pt``, ``disc-acc``, ``darts``).
        store: where the journal goes (``None``: memory only).
    """

    space: Any
    truth: Any
    metric: str
    proxies: list[str]
    scores: list[str]
    seeds: list[int]
    batch_size: int = 64
    dataset: str | None = None
    data: str | None = None
    net: dict[str, Any] = field(default_factory=dict)
    data_root: str | None = None
    device: str = "cpu"
    proxy_store: Any = None
    checkpoint: str | None = None
    store: Any = None

    def check(self) -> None:
        check_mixed_space(self.space)
        if not self.space.info.enumerable:
            raise SearchError(f"space {self.space.name!r} is not enumerable: the oracles need every architecture")
        for s in self.scores:
            info = op_score_info(s)
            if "proxy" in info.needs and not self.proxies:
                raise SearchError(f"score {s} needs --proxies")
            if "store" in info.needs and self.proxy_store is None:
                raise SearchError(f"score {s} needs a store of whole-space proxy scores (--proxy-store)")
            if "checkpoint" in info.needs and self.checkpoint is None:
                raise SearchError(f"score {s} needs a trained supernet checkpoint (--checkpoint)")
        if not self.seeds:
            raise SearchError("give at least one seed")
        if self.proxies:
            ProxyMeasure(self.proxies, seed=0)  # an unknown proxy fails now, before any work

    def columns(self) -> list[str]:
        """The score columns: ``name:proxy`` for proxy scores, the name otherwise; oracles last."""
        cols = []
        for s in self.scores:
            if s in ORACLES:
                continue
            cols += [f"{s}:{p}" for p in self.proxies] if s in PROXY_SCORES else [s]
        return cols + list(ORACLES)


@dataclass
class OpScoreResult:
    correlations: pd.DataFrame
    summary: pd.DataFrame
    picks: pd.DataFrame
    evaluations: int
    seconds: float


def _spearman(a: Sequence[float], b: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 2 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(spearmanr(x[ok], y[ok]).statistic)


def run_opscore(setup: OpScoreSetup, *, progress: bool = True) -> OpScoreResult:
    """Run the analysis for every seed (see the module docstring)."""
    from naslens.estimators.zeroshot.run_context import resolve_device
    from naslens.progress import Tracker

    setup.check()
    space = setup.space
    table = ArchTable.of_space(space)
    gt = setup.truth.series(setup.metric).reindex(table.keys).to_numpy(dtype=np.float64)
    stored = {}
    if any(s == "best-zc" for s in setup.scores):
        stored = {p: stored_values(setup.proxy_store, space, p, table.keys)[0] for p in setup.proxies}
    dev = resolve_device(setup.device)
    cols = setup.columns()
    rows, picks = [], []
    evaluations, seconds = 0, 0.0
    P = len(space.info.positions)
    with Tracker(len(setup.seeds) * P, "opscore iterations", enabled=progress, note=", ".join(cols)) as bar:
        for seed in setup.seeds:
            ctx = bound_context(
                space,
                seed=seed,
                dataset=setup.dataset,
                data=setup.data,
                batch_size=setup.batch_size,
                net=setup.net,
                data_root=setup.data_root,
                device=setup.device,
            )
            net, spec = ctx.network(space), ctx.batch_spec(space)
            config = {
                "scores": cols,
                "proxies": setup.proxies,
                "net": net,
                "batch_size": setup.batch_size,
                "data": {"source": spec.source, "shape": list(spec.shape)},
                "metric": setup.metric,
                "truth": setup.truth.source.sha256,
                "checkpoint": setup.checkpoint,
                "dataset": ctx.dataset_name(space),
                "device": _device_type(setup.device),
            }
            journal = SearchJournal(setup.store, "opscore", space.name, config, seed=seed)
            sn = build_mixed(space, seed, net, dev)
            runners = {}
            if setup.proxies and any(
                op_score_info(s).perturbation and "proxy" in op_score_info(s).needs for s in setup.scores
            ):
                runners["proxy"] = PerturbationRunner(
                    sn,
                    ProxyMeasure(setup.proxies, seed=seed),
                    journal,
                    BatchStream(spec, seed=seed, stream=1, device=dev),
                    label="zc",
                )
            trained = None
            if setup.checkpoint is not None:
                trained = load_trained(space, setup.checkpoint, seed=seed, device=dev)
                tspec = _trained_spec(trained, setup.batch_size, setup.data_root)
                runners["trained"] = PerturbationRunner(
                    trained.supernet,
                    AccuracyMeasure(),
                    journal,
                    BatchStream(tspec, seed=seed, stream=5, device=dev),
                    label="trained",
                )
            order = list(np.random.default_rng(derived_seed(seed, 4)).permutation(P))
            step = 0
            for t in range(P):
                state = sn.state()
                left = undecided(state)
                if not left:
                    break
                if trained is not None:
                    trained.supernet.set_state(state)
                imps, step = _iteration(setup, state, left, t, step, runners, table, gt, stored, trained)
                for s in cols:
                    for o in ORACLES:
                        if s == o:
                            continue
                        rho = [_spearman(imps[s][p], imps[o][p]) for p in left]
                        finite = [r for r in rho if r == r]
                        rows.append(
                            {
                                "score": s,
                                "oracle": o,
                                "iteration": t,
                                "seed": seed,
                                "spearman_mean_over_edges": float(np.mean(finite)) if finite else math.nan,
                                "n_edges": len(left),
                                "n_nan_edges": len(rho) - len(finite),
                            }
                        )
                if t == 0:
                    picks += [_pick(s, seed, imps[s], left, table, gt) for s in cols]
                nxt = next(p for p in order if p in left)
                choice = nan_argmax(imps[DIRECTING_ORACLE][nxt])
                if choice is None:
                    raise SearchError(
                        f"seed {seed}: no architecture with a ground-truth value is consistent with "
                        f"the supernet state at iteration {t}"
                    )
                sn.discretise(nxt, choice)
                bar.advance()
            for r in runners.values():
                evaluations += r.evaluations
                seconds += r.seconds
            journal.finish({"evaluations": sum(r.evaluations for r in runners.values())})
    corr = pd.DataFrame(rows)
    summary = (
        corr.groupby(["score", "oracle", "iteration"], sort=False)["spearman_mean_over_edges"]
        .agg(mean="mean", std="std", n_seeds="count")
        .reset_index()
    )
    return OpScoreResult(corr, summary, pd.DataFrame(picks), evaluations, seconds)


def _trained_spec(trained: Any, batch_size: int, data_root: str | None) -> Any:
    from naslens.data.batches import SOURCES, BatchSpec

    src = trained.dataset.lower()
    if src not in SOURCES:
        raise SearchError(
            f"the checkpoint's supernet was trained on {trained.dataset!r}, for which naslens has no "
            f"images ({', '.join(SOURCES)}): its accuracy cannot be measured"
        )
    n = trained.net
    return BatchSpec(
        source=src,
        batch_size=batch_size,
        shape=(int(n["in_channels"]), int(n["input_size"]), int(n["input_size"])),
        num_classes=int(n["num_classes"]),
        split="test",
        data_root=data_root,
    )


def _iteration(
    setup: OpScoreSetup,
    state: Any,
    left: list[int],
    t: int,
    step: int,
    runners: dict[str, Any],
    table: ArchTable,
    gt: np.ndarray,
    stored: dict[str, np.ndarray],
    trained: Any,
) -> tuple[dict[str, dict[int, list[float]]], int]:
    imps: dict[str, dict[int, list[float]]] = {}
    for s in setup.scores:
        info = OP_SCORES[s]
        if info.perturbation and "proxy" in info.needs:
            got, step = perturbation_scores(runners["proxy"], info.perturbation, left, t, step0=step)
            for p in setup.proxies:
                imps[f"{s}:{p}"] = got[p]
        elif info.perturbation:
            got, step = perturbation_scores(runners["trained"], info.perturbation, left, t, step0=step)
            imps[s] = got["accuracy"]
        elif s == "best-zc":
            for p in setup.proxies:
                imps[f"{s}:{p}"] = table.consistent(state, left, stored[p], "max")
        elif s == "darts":
            imps[s] = darts_scores(trained, state, left, str(setup.checkpoint))
    imps["best-acc"] = table.consistent(state, left, gt, "max")
    imps["avg-acc"] = table.consistent(state, left, gt, "mean")
    return imps, step


def _pick(
    score: str, seed: int, imp: dict[int, list[float]], left: list[int], table: ArchTable, gt: np.ndarray
) -> dict[str, Any]:
    codes = []
    for p in range(table.codes.shape[1]):
        o = nan_argmax(imp[p]) if p in imp else None
        codes.append(-1 if o is None else o)
    hit = np.nonzero((table.codes == np.asarray(codes)).all(1))[0]
    if not hit.size:
        return {"score": score, "seed": seed, "arch": "", "gt_accuracy": math.nan, "gt_rank": math.nan}
    i = int(hit[0])
    v = gt[i]
    finite = gt[~np.isnan(gt)]
    rank = int(1 + (finite > v).sum()) if v == v else math.nan
    return {"score": score, "seed": seed, "arch": table.keys[i], "gt_accuracy": float(v), "gt_rank": rank}


def write_opscore(result: OpScoreResult, out: Path, *, title: str = "") -> list[Path]:
    """``out/opscore.csv`` (per seed), ``opscore_summary.csv`` (mean ± std over seeds), ``picks.csv`` and
    ``opscore.png`` (mean ρ per iteration, one panel per oracle)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "opscore.csv", out / "opscore_summary.csv", out / "picks.csv", out / "opscore.png"]
    result.correlations.to_csv(paths[0], index=False)
    result.summary.to_csv(paths[1], index=False)
    result.picks.to_csv(paths[2], index=False)
    fig, axes = plt.subplots(1, len(ORACLES), figsize=(5 * len(ORACLES), 3.6), sharey=True)
    for ax, o in zip(np.atleast_1d(axes), ORACLES, strict=True):
        sub = result.summary[result.summary["oracle"] == o]
        for s, g in sub.groupby("score", sort=False):
            ax.errorbar(g["iteration"], g["mean"], yerr=g["std"].fillna(0), marker="o", capsize=2, label=str(s))
        ax.set_title(f"vs {o}")
        ax.set_xlabel("iteration (positions decided)")
        ax.axhline(0, color="grey", lw=0.5)
    np.atleast_1d(axes)[0].set_ylabel("Spearman ρ, mean over positions (± std over seeds)")
    np.atleast_1d(axes)[-1].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(paths[3], dpi=120)
    plt.close(fig)
    return paths


def _device_type(device: Any) -> str:
    """``cpu`` or ``cuda`` as the run resolves ``device`` (``None``/``auto``: CUDA when present)."""
    from naslens.estimators.zeroshot.run_context import resolve_device

    return resolve_device(device).type
