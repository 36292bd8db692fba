"""Rebuild a score store from a committed evaluation folder (``scores.csv`` + ``evaluation.json``).

``runs/`` does not survive between sessions, but the evaluation folders under ``docs/results/`` keep every stored
proxy value per architecture (``scores.csv``, full precision) and every estimator's configuration and info
(``evaluation.json``). This script writes those values back into a score store under the same configuration hashes,
so a resumable scoring run (``naslens score --store``) skips what was already measured and computes only the rest.

Each configuration's hash is recomputed from the JSON and must equal the recorded one (else the script refuses).
A value already in the store is kept (``--overwrite`` replaces it); empty cells become ``failed: no value``, NaN
cells ``nan``. Seconds are not in the tables, so imported rows have none. Structural baselines (params, flops) and
ground truth columns are skipped: they are computed, not scored.

Run: ``PYTHONPATH=src .venv/bin/python scripts/store_from_results.py docs/results/zeroshot-nb-macro
--store runs/zeroshot-nb-macro``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

from naslens.store import ScoreStore
from naslens.types import EstimatorInfo, config_hash


def import_folder(folder: Path, store: ScoreStore, *, overwrite: bool = False) -> dict[str, int]:
    """Write the zero-shot/one-shot values of ``folder`` into ``store``; ``{estimator: rows written}``."""
    doc = json.loads((folder / "evaluation.json").read_text())
    scores = pd.read_csv(folder / "scores.csv", dtype={"arch": str})
    space = doc["space"]
    written: dict[str, int] = {}
    for name, res in doc["results"].items():
        est = res["estimator"]
        info = EstimatorInfo(**est["info"])
        if info.family == "structural" or name not in scores.columns:
            continue
        config = est["config"]
        if config_hash(config) != est["config_hash"]:
            raise SystemExit(f"{folder}: {name}: configuration hash {config_hash(config)} != {est['config_hash']}")
        seed = int(res["run"]["seed"] if res["run"].get("seed") is not None else 0)
        checkpoint = res["run"].get("checkpoint") or ""
        have = set() if overwrite else store.done(space, info.name, config, seed=seed, checkpoint=checkpoint)
        rows = []
        for arch, v in zip(scores["arch"], scores[name], strict=True):
            if arch in have:
                continue
            if pd.isna(v):
                rows.append((arch, None, "failed: no value", None))
            else:
                f = float(v)
                rows.append((arch, f, "ok" if math.isfinite(f) else ("nan" if math.isnan(f) else "inf"), None))
        store.put_many(space, rows, info, config, seed=seed, checkpoint=checkpoint)
        written[name] = len(rows)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path, help="evaluation folders (scores.csv + evaluation.json)")
    ap.add_argument("--store", required=True, type=Path, help="score store folder to write into")
    ap.add_argument("--overwrite", action="store_true", help="replace values the store already holds")
    args = ap.parse_args()
    with ScoreStore(args.store) as st:
        for folder in args.folders:
            for name, n in import_folder(folder, st, overwrite=args.overwrite).items():
                print(f"{folder}: {name}: {n} values written to {args.store}")


if __name__ == "__main__":
    main()
