"""Turn the one-shot evidence runs into docs/results/oneshot-trend.md and a trend figure (issue #5).

Reads, for each sampler run, ``<results>/oneshot-<run>/evaluation.csv`` and ``evaluation.json`` (written by
``naslens evaluate ... --store runs/oneshot/<run>/store -o <results>/oneshot-<run>``) and the training histories
``runs/oneshot/<run>/s<seed>/history.csv`` (wall time per epoch). Estimator labels are those of the evaluator:
``oneshot_acc@epoch-0020#seed0`` (one seed's supernet) and ``oneshot_acc@seeds@epoch-0020`` (scores averaged over
the seeds' supernets).

    python scripts/oneshot_trend.py --runs uniform,deiso,mc3,fairnas --out docs/results/oneshot-trend.md
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

LABEL = re.compile(
    r"^(?P<score>oneshot_(?:acc|loss))(?:@(?P<ens>seeds|savg\d+))?@(?P<ck>epoch-(?P<epoch>\d+))(?:#seed(?P<seed>-?\d+))?$"
)
K = "0.05"
COLUMNS = {
    "kendall_tau": "KD",
    f"precision_at_top@{K}": "P@top5%",
    f"precision_at_bottom@{K}": "P@bottom5%",
    f"best_ranking@{K}": "BR@5%",
}
BASELINES = ("params", "relu")


def supernet_name(ens: str | None, seed: str | None) -> str:
    """Readable name of the scores' source: one seed's supernet, the seed average, or a temporal ensemble."""
    if ens == "seeds":
        return "mean over seeds"
    where = f"seed {seed}" if seed is not None else "one seed"
    return f"{where}, mean of {ens.removeprefix('savg')} checkpoints" if ens else where


def parse(csv: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One-shot rows (score, supernet, epoch, the four criteria) and the structural baselines' rows."""
    df = pd.read_csv(csv)
    # evaluation.csv files written since the tidy-results change carry the display label in ``label`` and the plain
    # estimator name in ``estimator``; older files hold the label in ``estimator``
    label_col = "label" if "label" in df.columns else "estimator"
    rows = []
    for _, r in df.iterrows():
        m = LABEL.match(str(r[label_col]))
        if not m:
            continue
        rows.append(
            {
                "score": m["score"],
                "ensemble": m["ens"] or "",
                "seed": m["seed"] or "",
                "supernet": supernet_name(m["ens"], m["seed"]),
                "epoch": int(m["epoch"]),
                **{v: r.get(k, float("nan")) for k, v in COLUMNS.items()},
                "archs": r.get("n_archs"),
                "non-finite": r.get("n_nonfinite", 0),
            }
        )
    if not rows:
        raise SystemExit(f"{csv}: no one-shot estimator rows (labels like oneshot_acc@epoch-0020#seed0)")
    base = df[df[label_col].isin(BASELINES)].rename(columns=COLUMNS)
    if label_col == "label":
        base = base.drop(columns="estimator").rename(columns={"label": "estimator"})
    order = {"": 0, "seeds": 1}
    out = pd.DataFrame(rows)
    out["_o"] = out["ensemble"].map(lambda e: order.get(e, 2))
    out = out.sort_values(["score", "_o", "seed", "epoch"]).drop(columns="_o")
    return out, base


def fmt(r: pd.Series) -> str:
    return " | ".join(f"{r[c]:+.3f}" if c == "KD" else f"{r[c]:.3f}" for c in COLUMNS.values())


def markdown(df: pd.DataFrame) -> str:
    out = [
        "| score | supernet | epoch | archs | non-finite | " + " | ".join(COLUMNS.values()) + " |",
        "|---|---|---:|---:|---:|" + "---:|" * len(COLUMNS),
    ]
    for _, r in df.iterrows():
        out.append(
            f"| {r['score'].removeprefix('oneshot_')} | {r['supernet']} | {r['epoch']} | {r['archs']} | "
            f"{r['non-finite']} | {fmt(r)} |"
        )
    return "\n".join(out)


def summary(frames: dict[str, pd.DataFrame], base: pd.DataFrame) -> str:
    """Last checkpoint of every sampler side by side (and the best checkpoint by KD), with the baselines."""
    out = [
        "| sampler | score | supernet | epoch | " + " | ".join(COLUMNS.values()) + " | best KD (epoch) |",
        "|---|---|---|---:|" + "---:|" * len(COLUMNS) + "---:|",
    ]
    for run, df in frames.items():
        last = df["epoch"].max()
        for (score, sup), g in df.groupby(["score", "supernet"], sort=False):
            r = g[g["epoch"] == last]
            if r.empty:
                continue
            best = g.loc[g["KD"].idxmax()]
            out.append(
                f"| {run} | {score.removeprefix('oneshot_')} | {sup} | {last} | {fmt(r.iloc[0])} | "
                f"{best['KD']:+.3f} ({best['epoch']}) |"
            )
    for _, r in base.iterrows():
        out.append(f"| structural baseline | {r['estimator']} | – | – | {fmt(r)} | |")
    return "\n".join(out)


def _tau(a: pd.Series, b: pd.Series) -> tuple[float, int]:
    """Kendall τ-b over the architectures where both are finite, and how many were left out."""
    from naslens.criteria.correlation import kendall_tau  # τ-b, checked against scipy in the tests

    ok = np.isfinite(a.to_numpy(dtype=float)) & np.isfinite(b.to_numpy(dtype=float))
    return kendall_tau(a[ok], b[ok]), int((~ok).sum())


def diagnostics(scores: pd.DataFrame, run: str) -> list[dict[str, object]]:
    """Per checkpoint: rank agreement of the two seeds' supernets (one-shot ranking stability), of consecutive
    checkpoints of the same supernet, and of the score with the parameter count (complexity bias)."""
    rows = []
    for score in ("oneshot_acc", "oneshot_loss"):
        cols: dict[str, dict[str, str]] = {}  # checkpoint -> seed -> column of one supernet's scores
        for c in scores.columns:
            m = LABEL.match(c)
            if m and m["score"] == score and not m["ens"] and m["seed"] is not None:
                cols.setdefault(m["ck"], {})[m["seed"]] = c
        labels = sorted(cols)
        for i, ck in enumerate(labels):
            seeds = cols[ck]
            row: dict[str, object] = {"run": run, "score": score.removeprefix("oneshot_"), "epoch": int(ck[6:])}
            sd = sorted(seeds)
            if len(sd) >= 2:
                row["τ(seed a, seed b)"], row["left out"] = _tau(scores[seeds[sd[0]]], scores[seeds[sd[1]]])
            prev = cols[labels[i - 1]] if i else {}
            common = sorted(set(prev) & set(seeds))
            if common:
                row["τ(previous checkpoint)"] = sum(_tau(scores[prev[s]], scores[seeds[s]])[0] for s in common) / len(
                    common
                )
            sign = -1.0 if score == "oneshot_loss" else 1.0
            row["τ(score, params)"] = sum(_tau(sign * scores[seeds[s]], scores["params"])[0] for s in sd) / len(sd)
            rows.append(row)
    return rows


def diagnostics_markdown(rows: list[dict[str, object]]) -> str:
    cols = ["run", "score", "epoch", "τ(seed a, seed b)", "τ(previous checkpoint)", "τ(score, params)", "left out"]
    out = ["| " + " | ".join(cols) + " |", "|---|---|" + "---:|" * (len(cols) - 2)]
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c, "–")
            cells.append(f"{v:+.3f}" if isinstance(v, float) else str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def _group(parameter: str) -> str:
    if ".edges." in parameter:
        return "cell ops"
    if parameter.startswith("classifier"):
        return "classifier"
    return "skeleton"  # stem, reduction blocks, last BatchNorm


def gradcos_markdown(runs_dir: Path, runs: list[str]) -> str:
    """Mean per-tensor gradient cosine of the same architecture pairs, per sampler and parameter group."""
    out = []
    for run in runs:
        files = sorted((runs_dir / "gradcos").glob(f"{run}-s*.csv"))
        if not files:
            continue
        d = pd.concat([pd.read_csv(f) for f in files])
        d["group"] = d["parameter"].map(_group)
        cells = []
        for g in ("cell ops", "skeleton", "classifier"):
            v = d.loc[d["group"] == g, "cosine"].dropna()
            cells.append(f"{v.mean():+.3f} ({(v < 0).mean():.0%})" if len(v) else "–")
        v = d["cosine"].dropna()
        out.append(f"| {run} | {len(files)} | {d['pair'].nunique()} | {' | '.join(cells)} | {v.mean():+.3f} |")
    if not out:
        return ""
    head = [
        "| sampler | supernets | pairs | cell ops | skeleton | classifier | all tensors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    return "\n".join(head + out)


def wall_times(runs_dir: Path, run: str) -> str:
    parts = []
    for hist in sorted((runs_dir / run).glob("s*/history.csv")):
        h = pd.read_csv(hist)
        if "seconds" in h:
            parts.append(f"{hist.parent.name}: {len(h)} epochs, {h['seconds'].sum() / 60:.1f} min of epoch time")
    return "; ".join(parts) or "no history.csv found"


def figure(frames: dict[str, pd.DataFrame], base: pd.DataFrame, ceiling: float | None, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    for col, score in enumerate(("oneshot_acc", "oneshot_loss")):
        for row, crit in enumerate(("KD", "P@top5%")):
            ax = axes[row][col]
            for j, (run, df) in enumerate(frames.items()):
                d = df[(df["score"] == score) & (df["ensemble"] == "")]
                for i, (_seed, g) in enumerate(d.groupby("seed")):
                    ax.plot(
                        g["epoch"],
                        g[crit],
                        marker="o",
                        ms=3,
                        alpha=0.5,
                        color=f"C{j}",
                        lw=1,
                        ls="-" if i == 0 else "--",
                    )
                m = df[(df["score"] == score) & (df["ensemble"] == "seeds")]
                ax.plot(m["epoch"], m[crit], marker="s", ms=4, lw=2.2, color=f"C{j}", label=f"{run} (mean over seeds)")
            for k, (_, b) in enumerate(base.iterrows()):
                ax.axhline(
                    b[crit],
                    color=("0.35", "tab:brown")[k % 2],
                    ls=(":", "--")[k % 2],
                    lw=1,
                    label=f"{b['estimator']} (structural)",
                )
            if crit == "KD" and ceiling is not None:
                ax.axhline(ceiling, color="k", ls="-.", lw=1, label="seed-to-seed τ of the ground truth")
            ax.set_title(
                f"{crit} of OS {score.removeprefix('oneshot_')} (thin: single supernets, seed 0 solid, seed 1 dashed)",
                fontsize=8.5,
            )
            ax.grid(alpha=0.3)
            if row == 1:
                ax.set_xlabel("supernet epoch")
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", default="uniform,deiso,mc3,fairnas")
    ap.add_argument("--results", type=Path, default=Path("docs/results"))
    ap.add_argument("--runs-dir", type=Path, default=Path("runs/oneshot"))
    ap.add_argument("--out", type=Path, default=Path("docs/results/oneshot-trend.md"))
    args = ap.parse_args()
    frames: dict[str, pd.DataFrame] = {}
    sections = []
    gt_line = ""
    base = pd.DataFrame()
    ceiling = None
    ceiling_txt = ""
    diag_rows: list[dict[str, object]] = []
    for run in [r.strip() for r in args.runs.split(",") if r.strip()]:
        d = args.results / f"oneshot-{run}"
        frames[run], b = parse(d / "evaluation.csv")
        base = base if len(base) else b
        doc = json.loads((d / "evaluation.json").read_text())
        g = doc.get("ground_truth", {})
        src = g.get("source", {})
        extra = g.get("extra", {})
        rec = extra.get("recipe", {})
        if ceiling is None and "seed_to_seed_kendall_tau" in extra:
            ceiling = float(extra["seed_to_seed_kendall_tau"])
            ci = extra.get("seed_to_seed_kendall_tau_ci95")
            ceiling_txt = f"{ceiling:.3f}" + (f" (95 % bootstrap interval {ci[0]:.3f}–{ci[1]:.3f})" if ci else "")
        gt_line = gt_line or (
            f"ground truth: {g.get('dataset')} {g.get('split')} accuracy after {g.get('epochs')} epochs "
            f"({g.get('seed_aggregation')}), recipe `{rec.get('name')}`, file sha256 `{str(src.get('sha256'))[:12]}`; "
            f"subset `{doc.get('subset')}`, {doc.get('n_archs')} architectures"
        )
        diag_rows.extend(diagnostics(pd.read_csv(d / "scores.csv"), run))
        sections.append(
            f"## {run}\n\nTraining wall time: {wall_times(args.runs_dir, run)}.\n\n{markdown(frames[run])}\n"
        )
    fig_path = args.out.with_suffix(".png")
    figure(frames, base, ceiling, fig_path)
    text = [
        "# One-shot criteria over supernet training on `nb201-fmnist` (issue #5)",
        "",
        f"Generated by `scripts/oneshot_trend.py` from the runs of [oneshot-plan.md](oneshot-plan.md); {gt_line}.",
        "KD = Kendall τ, P@top/bottom5% = precision among the top/bottom 5 %, BR@5% = normalised best rank of the",
        "estimator's top 5 % (lower is better). Loss scores are ranked lower-is-better (the sign is handled by the",
        "evaluator, so a positive KD means the ranking agrees with the ground truth for both scores).",
        "Supernets: `seed s` = the supernet trained with seed s; `mean over seeds` = each architecture's score",
        "averaged over the seeds' supernets; `mean of 3 checkpoints` = its score averaged over this and the 2",
        "previous checkpoints of the same supernet (temporal ensemble). Structural baselines (`params`, `relu`) are",
        "scored on the same architectures and ground truth.",
        "",
        *(
            [f"Noise ceiling: Kendall τ between two standalone training seeds of the ground truth = {ceiling_txt}."]
            if ceiling is not None
            else []
        ),
        "",
        f"![criteria trend]({fig_path.name})",
        "",
        "## Summary: last checkpoint of each sampler",
        "",
        summary(frames, base),
        "",
        "## Stability and complexity bias of the one-shot rankings",
        "",
        "Kendall τ between the two seeds' supernets' scores of the same architectures (`τ(seed a, seed b)`, the",
        "one-shot counterpart of the ground truth's seed-to-seed τ), between a supernet's scores at this and its",
        "previous scored checkpoint (mean over seeds), and between the score and the parameter count (mean over",
        "seeds; loss negated so that positive = larger networks score better).",
        f"The ground truth's own τ with params is {base.set_index('estimator').loc['params', 'KD']:+.3f}.",
        "`left out`: architectures with a non-finite score in either seed.",
        "",
        diagnostics_markdown(diag_rows),
        "",
        *(
            [
                "## Gradient similarity between architectures (last checkpoint)",
                "",
                "`naslens oneshot gradcos`: 50 random architecture pairs (the same pairs for every supernet), one",
                "validation batch of 256; cosine between the two architectures' gradients of each weight tensor they",
                "share, averaged per group (in brackets: share of negative cosines, i.e. conflicting updates).",
                "Skeleton = stem, reduction blocks and last BatchNorm, used by every path.",
                "",
                gc,
                "",
            ]
            if (gc := gradcos_markdown(args.runs_dir, list(frames)))
            else []
        ),
        *sections,
    ]
    args.out.write_text("\n".join(text))
    print(f"wrote {args.out} and {fig_path}")


if __name__ == "__main__":
    main()
