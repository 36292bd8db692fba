"""Write docs/results/zeroshot-nb-macro.md from the NAS-Bench-Macro zero-shot store (scripts/zeroshot_run_nb_macro.sh).

Evaluates every stored proxy next to params and FLOPs on the architectures the store holds for all of them (one
representative per isomorphism class; the benchmark gives every member of a class the same runs), against
``nb-macro-cifar10`` (mean of the three runs): KD, Spearman, P@top/bottom 5 %, BR@5 %, and mBR over 5 FLOPs
budgets; beside it, the same proxies' KD on NB201 CIFAR-10 from docs/results/zeroshot-nb201.md.

Run: ``PYTHONPATH=src .venv/bin/python scripts/zeroshot_nb_macro.py --store runs/zeroshot-nb-macro``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

from naslens import evaluate
from naslens.analysis import budget_picks, mbr_table
from naslens.benchmarks import load_ground_truth
from naslens.selection import select_archs
from naslens.spaces import get_space
from naslens.store import ScoreStore

BASELINES = ("params", "flops")


def nb201_kd(doc: Path) -> dict[str, float]:
    """KD of each proxy on NB201 CIFAR-10 (1,000 de-isomorphic architectures) from the committed NB201 doc."""
    out: dict[str, float] = {}
    if not doc.exists():
        return out
    for line in doc.read_text().splitlines():
        m = re.match(r"\| (\w+) \| cifar10 \| 1000 \| ([+-][0-9.]+) \|", line)
        if m:
            out.setdefault(m.group(1), float(m.group(2)))
    return out


def criteria_rows(gt, keys, names, store, eval_out, kd201):  # type: ignore[no-untyped-def]
    """Criteria of ``names`` (stored proxies and the baselines) on the architectures ``keys``, one row each."""
    sp = get_space("nb-macro")
    sub = gt.subset([k for k in gt.keys if k in keys])
    ev = evaluate(ground_truth=sub, estimators=[*names, *BASELINES], subset="all", ks=[0.05], store=store,
                  out=eval_out, progress=False)  # fmt: skip
    frame = ev.scores_table()
    orientation = {name: bool(r["estimator"]["info"]["higher_is_better"]) for name, r in ev.results.items()}
    picks = budget_picks(frame, orientation, cost="flops", n_budgets=5, space=sp.name)
    mbr = mbr_table(picks)
    mbr_by = dict(zip(mbr["estimator"], mbr["mbr"], strict=True))
    from naslens.criteria import kendall_tau

    flops = frame["flops"].to_numpy(dtype=float)
    rows = []
    for name, r in ev.results.items():
        col = frame[name].to_numpy(dtype=float) * (1.0 if orientation[name] else -1.0)  # oriented: higher = better
        ok = np.isfinite(col)
        tau_flops = kendall_tau(flops[ok], col[ok]) if ok.sum() > 2 and np.ptp(col[ok]) > 0 else np.nan
        rows.append({
            "τ(score, FLOPs)": tau_flops,
            "estimator": name, "archs": r["n_archs"], "nonfinite": r["n_nonfinite"], "KD": r["kendall_tau"],
            "Spearman": r["spearman"], "P@top5%": r["precision_at_top"].get("0.05", np.nan),
            "P@bottom5%": r["precision_at_bottom"].get("0.05", np.nan), "BR@5%": r["best_ranking"].get("0.05", np.nan),
            "mBR (5 FLOPs budgets)": mbr_by.get(name, np.nan), "KD on NB201 (cifar10)": kd201.get(name, np.nan),
        })  # fmt: skip
    return pd.DataFrame(rows).sort_values("KD", ascending=False), ev


def markdown(table: pd.DataFrame) -> list[str]:
    def f(v: float, fmt: str) -> str:
        return "–" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, fmt)

    lines = [
        "| estimator | archs | non-finite | KD | Spearman | P@top5% | P@bottom5% | BR@5% | mBR (5 FLOPs budgets) "
        "| τ(score, FLOPs) | KD on NB201 (cifar10) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in table.to_dict("records"):
        lines.append(
            f"| {r['estimator']} | {r['archs']} | {r['nonfinite']} | {f(r['KD'], '+.3f')} | {f(r['Spearman'], '+.3f')} "
            f"| {f(r['P@top5%'], '.3f')} | {f(r['P@bottom5%'], '.3f')} | {f(r['BR@5%'], '.4f')} "
            f"| {f(r['mBR (5 FLOPs budgets)'], '.3f')} | {f(r['τ(score, FLOPs)'], '+.3f')} "
            f"| {f(r['KD on NB201 (cifar10)'], '+.3f')} |"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", default="runs/zeroshot-nb-macro")
    ap.add_argument("--out", default="docs/results/zeroshot-nb-macro.md")
    ap.add_argument("--eval-out", default="docs/results/zeroshot-nb-macro")
    ap.add_argument("--nb201-doc", default="docs/results/zeroshot-nb201.md")
    ap.add_argument("--sample", type=int, default=1000, help="the run's --sample (of the de-isomorphic classes)")
    ap.add_argument("--reading", default=None, help="a Markdown file with the reading, appended to the document")
    args = ap.parse_args()
    sp = get_space("nb-macro")
    gt = load_ground_truth("nb-macro-cifar10")
    planned = {sp.key(a) for a in select_archs(sp, subset="deiso", sample=args.sample, seed=0)}
    with ScoreStore(args.store, create=False) as st:
        stored = st.table()
    stored = stored[(stored["space"] == sp.name) & stored["arch"].isin(planned)]
    coverage = {p: set(stored.loc[stored["estimator"] == p, "arch"]) for p in sorted(stored["estimator"].unique())}
    full = [p for p, ks in coverage.items() if ks == planned]
    partial = [p for p, ks in coverage.items() if ks != planned]
    kd201 = nb201_kd(Path(args.nb201_doc))
    table, ev = criteria_rows(gt, planned, full, args.store, args.eval_out, kd201)
    prov = ev.ground_truth
    tau = gt.extra["seed_to_seed_kendall_tau"]
    lo, hi = gt.extra["seed_to_seed_kendall_tau_ci95"]
    data = next(iter(ev.results.values()))["estimator"]["config"].get("data", {})
    lines = [
        "# Zero-shot proxies on NAS-Bench-Macro",
        "",
        f"Ground truth: `nb-macro-cifar10` ({prov['source']['path']}, sha256 `{prov['source']['sha256'][:12]}…`), "
        f"{prov['description']}, {prov['seed_aggregation']}, {prov['epochs']} epochs. Seed-to-seed Kendall τ of "
        f"the benchmark's runs over its 3,969 classes: {tau:.3f} (95 % bootstrap {lo:.3f}–{hi:.3f}): the noise "
        "ceiling is far above every proxy here.",
        "",
        f"Architectures: a seeded sample of {len(planned):,} of the 3,969 isomorphism classes (`--subset deiso "
        f"--sample {args.sample} --seed 0`, one representative each; the benchmark gives every member of a class the "
        "same runs, so this is the de-isomorphic evaluation). Networks: the benchmark network (stem 32, head 1280, "
        "CIFAR-10 head), PyTorch default init after `torch.manual_seed(0)`; `linear_regions` on the space's thin copy "
        f"(stem 4, head 16). Inputs: {data.get('source', 'cifar10')} images (the shared CIFAR-10 subset), one batch of "
        f"{data.get('batch_size', '?')} (seed 0), identical for every architecture — the NB201 evidence's harness. "
        "Criteria from `naslens.criteria` (K = 5 % of the row's architectures, ties as expected values); mBR over 5 "
        "FLOPs budgets evenly spaced between the cheapest and the dearest architecture of the row "
        "(`naslens.analysis.budget_picks`, lower is better). The last column is the same proxy's KD on the 1,000 "
        "de-isomorphic NB201 architectures against CIFAR-10 (`docs/results/zeroshot-nb201.md`); the one before it is "
        "the Kendall τ between the proxy (oriented, higher = predicted better) and FLOPs on the row's architectures "
        "(does the proxy track model size?).",
        "",
        "Commands:",
        "",
        "```bash",
        "scripts/zeroshot_run_nb_macro.sh        # scoring, resumable (store under runs/, not committed)",
        "PYTHONPATH=src .venv/bin/python scripts/zeroshot_nb_macro.py --store runs/zeroshot-nb-macro",
        "```",
        "",
        f"## Every proxy scored on all {len(planned):,} architectures",
        "",
        *markdown(table),
        "",
        f"Per-architecture scores and the full criteria: `{args.eval_out}/` (evaluation.json, scores.csv).",
        "",
    ]
    groups: dict[frozenset[str], list[str]] = {}
    for p in partial:
        groups.setdefault(frozenset(coverage[p]), []).append(p)
    for ks, names in groups.items():
        if len(ks) < 20:
            lines += [f"`{', '.join(names)}`: {len(ks)} of {len(planned)} scored so far (too few to evaluate).", ""]
            continue
        t, _ = criteria_rows(gt, ks, names, args.store, f"{args.eval_out}-{names[0]}", kd201)
        lines += [
            f"## Partial: {', '.join(names)} on the {len(ks):,} of the {len(planned):,} scored so far",
            "",
            "Run still under way (resumable); params and FLOPs are given on the same architectures, so this table's "
            "rows are comparable with each other, not with the table above.",
            "",
            *markdown(t),
            "",
        ]
    if args.reading:
        lines += [Path(args.reading).read_text().rstrip(), ""]
    out = Path(args.out)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
