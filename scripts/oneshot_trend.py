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

import pandas as pd

LABEL = re.compile(
    r"^(?P<score>oneshot_(?:acc|loss))(?P<avg>@seeds)?@(?P<ck>epoch-(?P<epoch>\d+))(?:#seed(?P<seed>-?\d+))?$"
)
K = "0.05"
COLUMNS = {
    "kendall_tau": "KD",
    f"precision_at_top@{K}": "P@top5%",
    f"precision_at_bottom@{K}": "P@bottom5%",
    f"best_ranking@{K}": "BR@5%",
}


def parse(csv: Path) -> pd.DataFrame:
    """One row per (score, seed or 'mean of seeds' supernet, epoch) with the four criteria."""
    df = pd.read_csv(csv)
    rows = []
    for _, r in df.iterrows():
        m = LABEL.match(str(r["estimator"]))
        if not m:
            continue
        seed = "avg" if m["avg"] else (m["seed"] if m["seed"] is not None else "single")
        rows.append({"score": m["score"], "supernet": seed, "epoch": int(m["epoch"]),
                     **{v: r.get(k, float("nan")) for k, v in COLUMNS.items()}, "archs": r.get("n_archs")})
    if not rows:
        raise SystemExit(f"{csv}: no one-shot estimator rows (labels like oneshot_acc@epoch-0020#seed0)")
    return pd.DataFrame(rows).sort_values(["score", "supernet", "epoch"])


def markdown(df: pd.DataFrame) -> str:
    out = ["| score | supernet | epoch | archs | " + " | ".join(COLUMNS.values()) + " |",
           "|---|---|---:|---:|" + "---:|" * len(COLUMNS)]
    for _, r in df.iterrows():
        vals = " | ".join(f"{r[c]:+.3f}" if c == "KD" else f"{r[c]:.3f}" for c in COLUMNS.values())
        name = {"avg": "scores averaged over seeds", "single": "one seed"}.get(r["supernet"], f"seed {r['supernet']}")
        out.append(f"| {r['score'].removeprefix('oneshot_')} | {name} | {r['epoch']} | {r['archs']} | {vals} |")
    return "\n".join(out)


def wall_times(runs_dir: Path, run: str) -> str:
    parts = []
    for hist in sorted((runs_dir / run).glob("s*/history.csv")):
        h = pd.read_csv(hist)
        if "seconds" in h:
            parts.append(f"{hist.parent.name}: {len(h)} epochs, {h['seconds'].sum() / 60:.1f} min of epoch time")
    return "; ".join(parts) or "no history.csv found"


def figure(frames: dict[str, pd.DataFrame], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for col, score in enumerate(("oneshot_acc", "oneshot_loss")):
        for row, crit in enumerate(("KD", "P@top5%")):
            ax = axes[row][col]
            for run, df in frames.items():
                d = df[(df["score"] == score) & (df["supernet"] != "avg")]
                for i, (_seed, g) in enumerate(d.groupby("supernet")):
                    ax.plot(g["epoch"], g[crit], marker="o", ms=3, alpha=0.8, label=run if i == 0 else None,
                            color=f"C{list(frames).index(run)}", ls="-" if i == 0 else "--")
            ax.set_title(f"{crit} of {score.removeprefix('oneshot_')} (solid: seed 0, dashed: seed 1)", fontsize=9)
            ax.grid(alpha=0.3)
            if row == 1:
                ax.set_xlabel("supernet epoch")
    axes[0][0].legend(fontsize=8)
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
    for run in [r.strip() for r in args.runs.split(",") if r.strip()]:
        d = args.results / f"oneshot-{run}"
        frames[run] = df = parse(d / "evaluation.csv")
        doc = json.loads((d / "evaluation.json").read_text())
        g = doc.get("ground_truth", {})
        src = g.get("source", {})
        rec = g.get("extra", {}).get("recipe", {})
        gt_line = gt_line or (
            f"ground truth: {g.get('dataset')} {g.get('split')} accuracy after {g.get('epochs')} epochs "
            f"({g.get('seed_aggregation')}), recipe `{rec.get('name')}`, file sha256 `{str(src.get('sha256'))[:12]}`; "
            f"subset `{doc.get('subset')}`, {doc.get('n_archs')} architectures"
        )
        sections.append(f"## {run}\n\nTraining wall time: {wall_times(args.runs_dir, run)}.\n\n{markdown(df)}\n")
    fig_path = args.out.with_suffix(".png")
    figure(frames, fig_path)
    text = [
        "# One-shot criteria over supernet training on `nb201-fmnist` (issue #5)",
        "",
        f"Generated by `scripts/oneshot_trend.py` from the runs of [oneshot-plan.md](oneshot-plan.md); {gt_line}.",
        "KD = Kendall τ, P@top/bottom5% = precision among the top/bottom 5 %, BR@5% = normalised best rank of the",
        "estimator's top 5 % (lower is better). Loss scores are ranked lower-is-better (the sign is handled by the",
        "evaluator, so a positive KD means the ranking agrees with the ground truth for both scores).",
        "",
        f"![criteria trend]({fig_path.name})",
        "",
        *sections,
    ]
    args.out.write_text("\n".join(text))
    print(f"wrote {args.out} and {fig_path}")


if __name__ == "__main__":
    main()
