"""Pilot for choosing the recipe of the embedded ``nb201-fmnist`` benchmark (see docs/nb201-fmnist.md).

Every candidate recipe gets its own build folder with *the real build's plan* (``sample:600``, sample seed 0,
seeds 0,1, the first 150 architectures with both seeds). The pilot trains the first ``--n-archs`` architectures of
that plan with both seeds, alternating between candidates run by run so that all advance together, and prints per
candidate: CPU seconds per training, the seed-to-seed Kendall τ of test accuracy and the accuracy spread. Because
the plan is the real one, the chosen candidate's folder is continued by ``naslens bench build`` with no run wasted.

Usage (resumable; rerun to continue):
    PYTHONPATH=src python bench/nb201_fmnist_pilot.py recipes/pilot-b.yaml recipes/pilot-e.yaml --n-archs 40
    PYTHONPATH=src python bench/nb201_fmnist_pilot.py recipes/pilot-b.yaml recipes/pilot-e.yaml --summary-only
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from naslens.benchmarks.builder import LOG_FILE, pending_jobs, plan_from, read_results, run_build, seed_tau
from naslens.benchmarks.recipe import Recipe

SPACE, ARCHS, SEEDS, SAMPLE_SEED, MULTI_SEED = "nb201", "sample:600", "0,1", 0, 150


def summarise(folders: dict[str, Path]) -> pd.DataFrame:
    rows = []
    for name, d in folders.items():
        recs = read_results(d / LOG_FILE)
        if not recs:
            continue
        df = pd.DataFrame(recs)
        wide = df.pivot(index="arch", columns="seed", values="test_acc")
        tau, n = seed_tau(wide, 0, 1)
        both = wide.dropna()
        mean = wide.mean(axis=1)
        rows.append(
            {
                "recipe": name,
                "runs": len(df),
                "cpu_s_per_run": round(float(df["cpu_seconds"].mean()), 2),
                "wall_s_per_run": round(float(df["seconds"].mean()), 2),
                "tau_seed0_seed1": None if tau is None else round(tau, 3),
                "n_pairs": n,
                "acc_min": round(float(mean.min()), 2),
                "acc_p10": round(float(mean.quantile(0.1)), 2),
                "acc_median": round(float(mean.median()), 2),
                "acc_p90": round(float(mean.quantile(0.9)), 2),
                "acc_max": round(float(mean.max()), 2),
                "seed_absdiff_median": round(float((both[0] - both[1]).abs().median()), 2) if n else np.nan,
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recipes", nargs="+", type=Path)
    ap.add_argument("--n-archs", type=int, default=40, help="first N architectures of the plan, both seeds")
    ap.add_argument("--root", type=Path, default=Path("bench/results/pilot"))
    ap.add_argument("--summary-only", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    recipes = {p.stem: Recipe.from_yaml(p) for p in args.recipes}
    folders = {name: args.root / name for name in recipes}
    plans = {
        name: plan_from(SPACE, ARCHS, SEEDS, r, sample_seed=SAMPLE_SEED, multi_seed=MULTI_SEED)
        for name, r in recipes.items()
    }
    if not args.summary_only:
        budget = {name: plan.jobs()[: 2 * args.n_archs] for name, plan in plans.items()}
        while True:
            progressed = False
            for name, plan in plans.items():
                todo = [j for j in pending_jobs(folders[name], plan) if j in budget[name]]
                if not todo:
                    continue
                run_build(folders[name], plan, limit=1)
                progressed = True
                recs = read_results(folders[name] / LOG_FILE)
                last = recs[-1]
                print(f"{name} [{len(recs)}] seed {last['seed']} test {last['test_acc']:.2f}% "
                      f"cpu {last['cpu_seconds']:.1f}s wall {last['seconds']:.1f}s", flush=True)  # fmt: skip
            if not progressed:
                break
    print(summarise(folders).to_string(index=False))


if __name__ == "__main__":
    main()
