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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", default="runs/zeroshot-nb-macro")
    ap.add_argument("--out", default="docs/results/zeroshot-nb-macro.md")
    ap.add_argument("--eval-out", default="docs/results/zeroshot-nb-macro")
    ap.add_argument("--nb201-doc", default="docs/results/zeroshot-nb201.md")
    args = ap.parse_args()
    sp = get_space("nb-macro")
    gt = load_ground_truth("nb-macro-cifar10")
    with ScoreStore(args.store, create=False) as st:
        table = st.table()
    table = table[table["space"] == sp.name]
    proxies = sorted(table["estimator"].unique())
    keys = set.intersection(*(set(table.loc[table["estimator"] == p, "arch"]) for p in proxies))
    ordered = [k for k in gt.keys if k in keys]
    reps = {sp.canonical(sp.parse(k)) for k in ordered}
    if len(reps) != len(ordered):
        raise SystemExit("the store holds isomorphic duplicates; expected one architecture per class")
    sub = gt.subset(ordered)
    ev = evaluate(ground_truth=sub, estimators=[*proxies, *BASELINES], subset="all", ks=[0.05], store=args.store,
                  out=args.eval_out, progress=False)  # fmt: skip
    frame = ev.scores_table()
    orientation = {name: bool(r["estimator"]["info"]["higher_is_better"]) for name, r in ev.results.items()}
    picks = budget_picks(frame, orientation, cost="flops", n_budgets=5, space=sp.name)
    mbr = mbr_table(picks)
    mbr_by = dict(zip(mbr["estimator"], mbr["mbr"], strict=True))
    kd201 = nb201_kd(Path(args.nb201_doc))
    rows = []
    for name, r in ev.results.items():
        rows.append({
            "estimator": name, "archs": r["n_archs"], "nonfinite": r["n_nonfinite"], "KD": r["kendall_tau"],
            "Spearman": r["spearman"], "P@top5%": r["precision_at_top"].get("0.05", np.nan),
            "P@bottom5%": r["precision_at_bottom"].get("0.05", np.nan), "BR@5%": r["best_ranking"].get("0.05", np.nan),
            "mBR (5 FLOPs budgets)": mbr_by.get(name, np.nan), "KD on NB201 (cifar10)": kd201.get(name, np.nan),
        })  # fmt: skip
    table = pd.DataFrame(rows).sort_values("KD", ascending=False)
    prov = ev.ground_truth
    tau = gt.extra["seed_to_seed_kendall_tau"]
    lo, hi = gt.extra["seed_to_seed_kendall_tau_ci95"]
    one = next(iter(ev.results.values()))["estimator"]["config"]
    data = one.get("data", {})
    lines = [
        "# Zero-shot proxies on NAS-Bench-Macro",
        "",
        f"Ground truth: `nb-macro-cifar10` ({prov['source']['path']}, sha256 `{prov['source']['sha256'][:12]}…`), "
        f"{prov['description']}, {prov['seed_aggregation']}, {prov['epochs']} epochs. Seed-to-seed Kendall τ of "
        f"the benchmark's runs over its 3,969 classes: {tau:.3f} (95 % bootstrap {lo:.3f}–{hi:.3f}): the noise "
        "ceiling is far above every proxy here.",
        "",
        f"Architectures: the {len(ordered):,} of a seeded sample (`--subset deiso --sample 1000 --seed 0`: one "
        "representative per isomorphism class, 1,000 of the 3,969 classes) that every proxy scored. Networks: the "
        "benchmark network (stem 32, head 1280, CIFAR-10 head), PyTorch default init after `torch.manual_seed(0)`. "
        f"Inputs: {data.get('source', 'cifar10')} images, one batch of {data.get('batch_size', '?')} (seed 0), "
        "identical for every architecture — the NB201 evidence's harness. Criteria from `naslens.criteria` "
        "(K = 5 % of the row's architectures, ties as expected values); mBR over 5 FLOPs budgets evenly spaced "
        "between the cheapest and the dearest architecture (`naslens.analysis.mbr_table`, lower is better).",
        "",
        "Commands:",
        "",
        "```bash",
        "scripts/zeroshot_run_nb_macro.sh        # scoring, resumable (store under runs/, not committed)",
        "PYTHONPATH=src .venv/bin/python scripts/zeroshot_nb_macro.py --store runs/zeroshot-nb-macro",
        "```",
        "",
        "| estimator | archs | non-finite | KD | Spearman | P@top5% | P@bottom5% | BR@5% | mBR (5 FLOPs budgets) "
        "| KD on NB201 (cifar10) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def f(v: float, fmt: str) -> str:
        return "–" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, fmt)

    for r in table.to_dict("records"):
        lines.append(
            f"| {r['estimator']} | {r['archs']} | {r['nonfinite']} | {f(r['KD'], '+.3f')} | {f(r['Spearman'], '+.3f')} "
            f"| {f(r['P@top5%'], '.3f')} | {f(r['P@bottom5%'], '.3f')} | {f(r['BR@5%'], '.4f')} "
            f"| {f(r['mBR (5 FLOPs budgets)'], '.3f')} | {f(r['KD on NB201 (cifar10)'], '+.3f')} |"
        )
    lines += [
        "",
        f"Per-architecture scores and the full criteria: `{args.eval_out}/` (evaluation.json, scores.csv).",
        "",
    ]
    out = Path(args.out)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
