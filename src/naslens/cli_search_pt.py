"""``naslens search zc-pt`` and ``naslens search opscore``: operation scoring on an untrained mixed-op supernet.

Examples::

    naslens search zc-pt --space nb201 --proxy nwot --order random --proposals 10 --validation 100 \\
        --batch-size 256 --seeds 0,1,2,3 -g nb201-200ep --out runs/zcpt-nwot
    naslens search zc-pt --score disc-zc --proxy synflow --order fixed --seeds 0 -g nb201-200ep --out runs/disc
    naslens search opscore --space nb201 --proxies nwot,synflow -g nb201-200ep -d cifar10 --seeds 0,1,2,3 \\
        --out runs/opscore

Every option is checked before any work is done; a bad one is a one-line error on stderr (exit 2). Every
perturbation and validation batch is kept in the journal of ``--store`` (default ``OUT/store``): rerun the same
command after a kill and it resumes where it stopped.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from naslens.search._base import SearchError

console = Console(width=None if sys.stdout.isatty() else 150)

RESULT_DATASETS = ("cifar10", "cifar100", "imagenet16-120")
"""The ground-truth datasets ``zc-pt`` reports (a column of NaN where the ground truth has no such dataset)."""


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _ints(text: str, option: str) -> list[int]:
    try:
        out = [int(t) for t in _names(text)]
    except ValueError:
        raise SearchError(f"{option}: expected comma-separated integers, got {text!r}") from None
    if not out:
        raise SearchError(f"{option}: give at least one")
    return out


def _net(items: list[str] | None) -> dict[str, Any]:
    from naslens.config import parse_settings

    try:
        return parse_settings([p for item in items or [] for p in item.split(",")], "--net")
    except ValueError as e:
        raise SearchError(str(e)) from None


def _space_and_truth(space: str, ground_truth: str, data_dir: Path | None) -> tuple[Any, Any]:
    from naslens.benchmarks.resolve import load_ground_truth
    from naslens.spaces import get_space

    sp = get_space(space)
    gt = load_ground_truth(ground_truth, data_dir)
    if gt.space != sp.name:
        raise SearchError(f"ground truth {ground_truth!r} is for space {gt.space!r}, not {sp.name!r}")
    return sp, gt


def _truth_line(gt: Any, metrics: list[str]) -> str:
    src = gt.source
    parts = []
    for m in metrics:
        i = gt.metrics[m]
        parts.append(f"{m} ({i.dataset} {i.split}, {i.epochs} epochs, {i.seed_aggregation})")
    return f"ground truth: {src.path} (sha256 {src.sha256[:16]}…, {len(gt)} architectures): " + "; ".join(parts)


def _result_metrics(gt: Any) -> dict[str, str]:
    """``{dataset: metric}``: CIFAR-10, CIFAR-100, ImageNet16-120 where the ground truth has them, then each other
    dataset it has one metric for."""
    out: dict[str, str] = {}
    extra = [i.dataset.lower() for i in gt.metrics.values() if i.dataset.lower() not in RESULT_DATASETS]
    for ds in [*RESULT_DATASETS, *dict.fromkeys(extra)]:
        try:
            out[ds] = gt.metric_for(ds)
        except ValueError:
            continue
    return out


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)


def _mean_std(values: Any) -> str:
    v = np.asarray(values, dtype=float)
    ok = v[np.isfinite(v)]
    bad = len(v) - len(ok)
    text = "nan" if not len(ok) else f"{ok.mean():.2f} ± {ok.std(ddof=1) if len(ok) > 1 else 0.0:.2f}"
    return text + (f" ({bad} non-finite left out)" if bad else "")


def zc_pt_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="output folder (results.csv; rerun to resume)"),
    space: str = typer.Option("nb201", "--space", help="search space (needs a mixed-op supernet)"),
    proxy: str = typer.Option("nwot", "--proxy", help="zero-shot proxy scoring the perturbations and candidates"),
    order: str = typer.Option(
        "random",
        "--order",
        help="edge order: fixed, random, global-op-iter, global-op-once, global-edge-iter, global-edge-once",
    ),
    score: str = typer.Option("zc-pt", "--score", help="zc-pt (Zero-Cost-PT, A − (e,o)) or disc-zc (Zero-Cost-DISC)"),
    proposals: int = typer.Option(10, "--proposals", help="N, stage-1 proposals"),
    validation: int = typer.Option(100, "--validation", help="V, stage-2 batches per candidate"),
    batch_size: int = typer.Option(256, "--batch-size", help="images per batch (both stages)"),
    seeds: str = typer.Option("0", "--seeds", help="comma-separated seeds (supernet, batches, candidates)"),
    ground_truth: str = typer.Option("nb201-200ep", "--ground-truth", "-g", help="registered name or file"),
    dataset: str | None = typer.Option(
        None, "--dataset", "-d", help="dataset of the network settings (default the space's)"
    ),
    data: str | None = typer.Option(None, "--data", help="input images: cifar10, fashion-mnist, noise, uniform"),
    net: list[str] | None = typer.Option(None, "--net", help="network overrides KEY=VALUE (e.g. C=8,N=1)"),
    store: Path | None = typer.Option(None, "--store", help="journal store (default OUT/store)"),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda or auto"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="shared data folder (default $NASLENS_DATA)"),
    threads: int = typer.Option(1, "--threads", min=1, help="torch CPU threads"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
) -> None:
    """Zero-Cost-PT / Zero-Cost-DISC: N proposals from a freshly seeded mixed supernet, V-batch validation; prints
    each seed's architecture with its ground truth and writes OUT/results.csv."""
    from naslens.config import set_threads
    from naslens.search.zc_pt import ZeroCostPT
    from naslens.store import ScoreStore

    set_threads(threads)
    seed_list = _ints(seeds, "--seeds")
    sp, gt = _space_and_truth(space, ground_truth, data_dir)
    search = ZeroCostPT(
        proxy,
        order,
        proposals,
        validation,
        batch_size,
        score=score,
        dataset=dataset,
        data=data,
        net=_net(net),
        data_root=None if data_dir is None else str(data_dir),
        device=device,
    )
    cfg = search.config(sp, seed_list[0])  # dataset, network and data settings are checked by the space now
    metrics = _result_metrics(gt)
    console.print(_truth_line(gt, list(metrics.values())), highlight=False, soft_wrap=True)
    console.print(
        f"{search.name}: proxy {cfg['proxy']}, score {score}, order {order}, N={proposals} proposals, V={validation} "
        f"validation batches of {batch_size} ({cfg['data']['source']} {cfg['data']['shape']}), network "
        f"{cfg['net']}, seeds {seed_list}",
        highlight=False,
        soft_wrap=True,
    )
    out.mkdir(parents=True, exist_ok=True)
    st = ScoreStore(store or out / "store")
    rows = []
    try:
        for seed in seed_list:
            res = search.run(sp, seed=seed, store=st, progress=not quiet)
            row = {"seed": seed, "arch": res.arch}
            for ds in [*RESULT_DATASETS, *metrics]:
                row[ds] = float(gt.series(metrics[ds]).get(res.arch, math.nan)) if ds in metrics else math.nan
            row.update(seconds=res.seconds, evaluations=res.evaluations)
            rows.append(row)
            per = res.extra["perturbations_per_proposal"]
            console.print(
                f"seed {seed}: {res.arch}  test accuracy "
                + ", ".join(f"{ds} {row[ds]:.2f}" for ds in metrics)
                + f"  | {res.extra['candidates']} distinct of {proposals} proposals, {per[0]} perturbations per "
                f"proposal, {res.evaluations} proxy evaluations, {res.seconds:.1f} s of evaluation",
                highlight=False,
                soft_wrap=True,
            )
            _write_csv(pd.DataFrame(rows), out / "results.csv")
    finally:
        st.close()
    df = pd.DataFrame(rows)
    for ds in metrics:
        console.print(
            f"{ds} test accuracy of the found architectures (ground truth {metrics[ds]}), mean ± std "
            f"over {len(df)} seeds: {_mean_std(df[ds])}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"search time per seed (proxy evaluation seconds): {_mean_std(df['seconds'])}; proxy evaluations "
        f"per seed: {_mean_std(df['evaluations'])}; wrote {out}/results.csv",
        highlight=False,
        soft_wrap=True,
    )


def opscore_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="output folder (opscore.csv, picks.csv, opscore.png)"),
    space: str = typer.Option("nb201", "--space", help="search space (enumerable, with a mixed-op supernet)"),
    proxies: str = typer.Option("nwot,synflow", "--proxies", help="comma-separated zero-shot proxies"),
    scores: str = typer.Option(
        "auto",
        "--scores",
        help="auto (zc-pt, disc-zc; best-zc with --proxy-store; darts-pt, "
        "disc-acc with --checkpoint) or a comma-separated list",
    ),
    ground_truth: str = typer.Option("nb201-200ep", "--ground-truth", "-g", help="registered name or file"),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="ground-truth dataset (also the network's)"),
    metric: str | None = typer.Option(None, "--metric", help="ground-truth column, when a dataset has several"),
    seeds: str = typer.Option("0", "--seeds", help="comma-separated seeds"),
    batch_size: int = typer.Option(256, "--batch-size", help="images per batch"),
    data: str | None = typer.Option(None, "--data", help="input images: cifar10, fashion-mnist, noise, uniform"),
    net: list[str] | None = typer.Option(None, "--net", help="network overrides KEY=VALUE"),
    proxy_store: Path | None = typer.Option(None, "--proxy-store", help="store of whole-space proxy scores (best-zc)"),
    checkpoint: Path | None = typer.Option(None, "--checkpoint", help="trained supernet checkpoint (darts-pt, ...)"),
    store: Path | None = typer.Option(None, "--store", help="journal store (default OUT/store)"),
    device: str = typer.Option("cpu", "--device", help="cpu, cuda or auto"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="shared data folder (default $NASLENS_DATA)"),
    threads: int = typer.Option(1, "--threads", min=1, help="torch CPU threads"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
) -> None:
    """Spearman ρ per position between each operation score and the oracles, at iteration 0 and as the supernet is
    discretised; the architecture each score picks; a table and a plot."""
    from naslens.config import set_threads
    from naslens.search.op_scores import op_score_info
    from naslens.search.opscore import OpScoreSetup, run_opscore, write_opscore
    from naslens.store import ScoreStore

    set_threads(threads)
    seed_list = _ints(seeds, "--seeds")
    sp, gt = _space_and_truth(space, ground_truth, data_dir)
    m = gt.metric_for(dataset, metric)
    if scores.strip() == "auto":
        chosen = (
            ["zc-pt", "disc-zc"]
            + (["best-zc"] if proxy_store else [])
            + (["darts-pt", "disc-acc"] if checkpoint else [])
        )
    else:
        chosen = _names(scores)
        for s in chosen:
            op_score_info(s)
    if batch_size < 2:
        raise SearchError(f"--batch-size must be ≥ 2, got {batch_size}")
    pstore = ScoreStore(proxy_store, readonly=True) if proxy_store else None
    setup = OpScoreSetup(
        space=sp,
        truth=gt,
        metric=m,
        proxies=_names(proxies),
        scores=chosen,
        seeds=seed_list,
        batch_size=batch_size,
        dataset=dataset if (dataset or "").lower() in {d.lower() for d in sp.info.datasets} else None,
        data=data,
        net=_net(net),
        data_root=None if data_dir is None else str(data_dir),
        device=device,
        proxy_store=pstore,
        checkpoint=None if checkpoint is None else str(checkpoint),
    )
    setup.check()
    console.print(_truth_line(gt, [m]), highlight=False, soft_wrap=True)
    console.print(
        f"opscore: scores {', '.join(setup.columns())}; proxies {setup.proxies}; seeds {seed_list}; "
        f"batch {batch_size}; discretised along the best-acc oracle in a seeded random position order",
        highlight=False,
        soft_wrap=True,
    )
    out.mkdir(parents=True, exist_ok=True)
    setup.store = ScoreStore(store or out / "store")
    try:
        res = run_opscore(setup, progress=not quiet)
    finally:
        setup.store.close()
    paths = write_opscore(res, out, title=f"{sp.name}, ground truth {m}, seeds {seed_list}")
    it0 = res.summary[res.summary["iteration"] == 0]
    console.print("Spearman ρ at iteration 0 (mean over positions, mean ± std over seeds):", highlight=False)
    for _, r in it0.iterrows():
        console.print(
            f"  {r['score']:>18} vs {r['oracle']}: {r['mean']:.3f} ± {0.0 if r['std'] != r['std'] else r['std']:.3f}",
            highlight=False,
        )
    for _, r in res.picks.iterrows():
        console.print(
            f"  pick {r['score']:>18} seed {r['seed']}: {r['arch']} ground truth {r['gt_accuracy']:.2f} "
            f"(rank {r['gt_rank']} of {int(gt.series(m).notna().sum())})",
            highlight=False,
        )
    console.print(
        f"{res.evaluations} perturbation evaluations, {res.seconds:.1f} s; wrote " + ", ".join(str(p) for p in paths),
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``zc-pt`` and ``opscore`` to ``app`` (the ``naslens search`` group)."""
    app.command("zc-pt")(zc_pt_cmd)
    app.command("opscore")(opscore_cmd)
