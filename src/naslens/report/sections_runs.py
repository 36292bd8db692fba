"""Report sections from beyond the evaluation folder: one-shot training diagnostics and the score store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from naslens.analysis import (
    forgetting_summary,
    gradient_similarity_summary,
    plot_forgetting,
    plot_gradient_similarity,
    stability_between,
)
from naslens.report.context import ReportContext

FORGETTING_FILE = "forgetting.csv"
GRADIENT_FILE = "gradient_similarity.csv"


def find_file(name: str, folders: list[Path]) -> Path | None:
    """The first ``folder/name`` that exists."""
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    return None


def oneshot(ctx: ReportContext, folders: list[Path]) -> None:
    """Forgetting and gradient similarity when ``forgetting.csv`` / ``gradient_similarity.csv`` are present."""
    forgetting = find_file(FORGETTING_FILE, folders)
    gradients = find_file(GRADIENT_FILE, folders)
    if forgetting is None and gradients is None:
        return
    sec = ctx.section("oneshot", "One-shot training diagnostics", with_labels=False)
    if forgetting is not None:
        _csv_block(
            ctx,
            sec,
            forgetting,
            "Forgetting",
            "forgetting",
            "forgetting = accuracy right after the architecture's own supernet step − accuracy at the end of "
            "that epoch (> 0: later steps undid what its step taught).",
            forgetting_summary,
            plot_forgetting,
            "forgetting per epoch",
            "forgetting per epoch (mean and quartiles)",
        )
    if gradients is not None:
        _csv_block(
            ctx,
            sec,
            gradients,
            "Gradient similarity",
            "gradient_similarity",
            "cosine similarity of the gradients two architectures send to each shared layer (< 0: they pull "
            "the shared weights apart).",
            gradient_similarity_summary,
            plot_gradient_similarity,
            "gradient cosine per layer",
            "gradient cosine per layer",
        )


def _csv_block(
    ctx: ReportContext,
    sec: Any,
    path: Path,
    title: str,
    key: str,
    what: str,
    summarize: Callable[[pd.DataFrame], pd.DataFrame],
    plot: Callable[[pd.DataFrame], Any],
    table_caption: str,
    figure_caption: str,
) -> None:
    """A sub-section from one run CSV: its summary table and figure, or the error that prevented them."""
    sec.raw(f"<h3>{title}</h3>")
    sec.text(f"From {path}: {what}")
    try:
        summary = summarize(pd.read_csv(path))
        ctx.table(sec, key, summary, table_caption)
        ctx.figure(sec, key, plot(summary), figure_caption)
    except ValueError as exc:
        ctx.error(sec, title.lower(), exc)


def store(ctx: ReportContext, store_dir: Path) -> None:
    """What the score store holds, and the stability between seeds of each stored configuration."""
    from naslens.store import ScoreStore

    sec = ctx.section("store", "Score store", with_labels=False)
    sec.text(
        f"Contents of the score store {store_dir}: one row per (estimator, configuration, seed, checkpoint), "
        "with the number of results by status and the mean seconds per architecture."
    )
    with ScoreStore(store_dir, readonly=True) as st:
        table = st.table()
        configs = st.configs()
    if table.empty:
        sec.text("The store is empty.")
        return
    status = table["status"].where(~table["status"].str.startswith("failed"), "failed")
    counts = (
        table.assign(status=status)
        .groupby(["estimator", "config_hash", "seed", "checkpoint", "status"])
        .size()
        .unstack(fill_value=0)
    )
    seconds = table.groupby(["estimator", "config_hash", "seed", "checkpoint"])["seconds"].mean().rename("mean_s")
    summary = counts.join(seconds).reset_index()
    ctx.table(sec, "store_summary", summary, "stored results by status")
    orientation = {
        str(r.config_hash): bool(json.loads(r.info_json).get("higher_is_better", True)) for r in configs.itertuples()
    }
    keys = [str(a) for a in ctx.data.frame["arch"]]
    tables = []
    for (est, h, ckpt), group in table.groupby(["estimator", "config_hash", "checkpoint"]):
        seeds = sorted(group["seed"].unique())
        if len(seeds) < 2:
            continue
        wide = group.drop_duplicates(["arch", "seed"]).pivot(index="arch", columns="seed", values="value")
        wide = wide.reindex(index=keys, columns=seeds)
        cols = {f"seed{s}": wide[s].to_numpy(dtype=np.float64) for s in seeds}
        frame = pd.DataFrame(cols)
        result = stability_between(frame, {c: orientation.get(str(h), True) for c in cols}, list(cols), ctx.data.ks)
        result.insert(0, "estimator", f"{est}@{ckpt}" if ckpt else str(est))
        tables.append(result)
    if tables:
        sec.text(
            "Relative criteria between consecutive seeds of the same configuration (the later seed is the "
            "reference), on this evaluation's architectures (for deiso-mean: the class representatives)."
        )
        ctx.table(sec, "seed_stability", pd.concat(tables, ignore_index=True), "stability between seeds")
