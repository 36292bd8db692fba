"""Export of a build folder's results as a :class:`~naslens.benchmarks.ground_truth.GroundTruth`, with the
recipe, data split, seeds, code version and seed-to-seed τ as provenance."""

from __future__ import annotations

import json
import os
import subprocess
import time
from importlib import metadata
from pathlib import Path

import pandas as pd
import torch

from naslens.benchmarks.build_folder import GT_FILE, LOG_FILE, PLAN_FILE, SPLIT_FILE, read_results
from naslens.benchmarks.build_plan import BuildError
from naslens.benchmarks.ground_truth import GroundTruth, MetricInfo, Source, sha256_file
from naslens.benchmarks.noise import seed_tau
from naslens.benchmarks.recipe import Recipe
from naslens.benchmarks.train import recipe_data

__all__ = ["code_version", "export_ground_truth"]


def code_version() -> dict[str, str]:
    """naslens version (package metadata or pyproject) and the git commit of the working tree when available."""
    out: dict[str, str] = {}
    try:
        import naslens

        out["naslens"] = str(naslens.__version__)
    except (ImportError, AttributeError):
        try:
            out["naslens"] = metadata.version("naslens")
        except metadata.PackageNotFoundError:
            for parent in Path(__file__).resolve().parents:
                pp = parent / "pyproject.toml"
                if pp.exists():
                    for line in pp.read_text().splitlines():
                        if line.startswith("version"):
                            out["naslens"] = line.split("=", 1)[1].strip().strip('"')
                            break
                    break
    try:
        git = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=10
        )
        if git.returncode == 0:
            out["git_commit"] = git.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def export_ground_truth(
    out: str | os.PathLike[str], dest: str | os.PathLike[str] | None = None, *, origin: str = ""
) -> GroundTruth:
    """Turn a build folder's results into a :class:`GroundTruth` and save it (default ``out/ground_truth.json``).

    Columns: ``fashion-mnist`` (test accuracy %, mean over the seeds an architecture was trained with),
    ``fashion-mnist-valid`` (validation accuracy %, same mean), and ``fashion-mnist-seed<s>`` (test accuracy of
    seed ``s`` alone). ``extra`` records the recipe, data split, seeds, code version and the seed-to-seed τ.
    """
    d = Path(out)
    if not (d / PLAN_FILE).exists():
        raise BuildError(f"{d} is not a build folder (no {PLAN_FILE}); run 'naslens bench build' first")
    plan_doc = json.loads((d / PLAN_FILE).read_text())
    recipe = Recipe.from_dict(plan_doc["recipe"])
    records = read_results(d / LOG_FILE)
    if not records:
        raise BuildError(f"{d} has no finished training runs yet")
    df = pd.DataFrame(records).drop_duplicates(subset=["arch", "seed"], keep="first")
    order = list(dict.fromkeys(df["arch"]))
    test = df.pivot(index="arch", columns="seed", values="test_acc").reindex(order)
    val = df.pivot(index="arch", columns="seed", values="val_acc").reindex(order)
    seeds = sorted(int(s) for s in test.columns)
    ds = recipe.dataset
    n_seeds = test.notna().sum(axis=1)
    agg = f"mean over the seeds trained for each architecture (seeds {seeds}; see extra.seed_counts)"
    values = pd.DataFrame(index=pd.Index(order, name="arch"))
    metrics: dict[str, MetricInfo] = {}
    values[ds] = test.mean(axis=1)
    metrics[ds] = MetricInfo(ds, "test", recipe.epochs, agg, description=f"test accuracy, recipe {recipe.name}")
    values[f"{ds}-valid"] = val.astype(float).mean(axis=1)
    metrics[f"{ds}-valid"] = MetricInfo(f"{ds}-valid", "val", recipe.epochs, agg, description="validation accuracy")
    for s in seeds:
        col = f"{ds}-seed{s}"
        values[col] = test[s]
        metrics[col] = MetricInfo(col, "test", recipe.epochs, f"seed {s} only", description=f"test accuracy, seed {s}")
    pairs = [(a, b) for i, a in enumerate(seeds) for b in seeds[i + 1 :]]
    taus = {f"{a}-{b}": seed_tau(test, a, b) for a, b in pairs}
    first_tau = next(iter(taus.values()), (None, 0, None))
    split_file = d / SPLIT_FILE
    meta = json.loads(split_file.read_text()) if split_file.exists() else dict(recipe_data(recipe).meta)
    extra = {
        "builder": "naslens bench build",
        "default_metric": ds,
        "recipe": recipe.to_dict(),
        "recipe_fingerprint": recipe.fingerprint,
        "data_split": meta,
        "plan": plan_doc,
        "seeds": seeds,
        "seed_counts": {str(k): int(v) for k, v in n_seeds.value_counts().sort_index().items()},
        "n_archs": len(order),
        "n_archs_two_seeds": int((n_seeds >= 2).sum()),
        "seed_to_seed_kendall_tau": first_tau[0],
        "seed_to_seed_kendall_tau_ci95": first_tau[2],
        "seed_to_seed_kendall_tau_pairs": {k: {"tau": t, "n": n, "ci95": ci} for k, (t, n, ci) in taus.items()},
        "runs": len(df),
        "diverged_runs": int((df["status"] != "ok").sum()),
        "train_seconds_total": float(df["seconds"].sum()),
        "train_seconds_mean": float(df["seconds"].mean()),
        "devices": sorted(df["device"].unique().tolist()),
        "code_version": code_version(),
        "torch": torch.__version__,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    log = d / LOG_FILE
    log_sha = sha256_file(log)
    extra["results_log"] = {"path": str(log), "sha256": log_sha, "records": len(records)}
    src = Source(str(log), log_sha, "naslens-builder", origin or f"naslens bench build ({d})")
    gt = GroundTruth(plan_doc["space"], values, metrics, src, extra)
    gt.save(Path(dest) if dest is not None else d / GT_FILE)
    return gt
