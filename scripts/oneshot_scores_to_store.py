"""Put one-shot scores of a committed evaluation (``docs/results/oneshot-*/scores.csv``) into a score store, so that
a predictor can be fitted on them (the one-shot oracle of ``naslens predictor fit-eval --target store:…``).

Each chosen column becomes one stored estimator (name = the column without its ``#seed`` suffix, the seed in the
store's seed column), with a configuration recording the source file, its sha256 and the column.

Example:
    python scripts/oneshot_scores_to_store.py docs/results/oneshot-uniform/scores.csv \
        --column 'oneshot_acc@epoch-0120#seed0' --space nb201 --store runs/oneshot-oracle/store
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

import pandas as pd

from naslens.store import ScoreStore
from naslens.types import EstimatorInfo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scores_csv", type=Path)
    ap.add_argument("--column", action="append", required=True, help="column of scores.csv (repeatable)")
    ap.add_argument("--space", default="nb201")
    ap.add_argument("--store", type=Path, required=True)
    args = ap.parse_args()
    table = pd.read_csv(args.scores_csv)
    sha = hashlib.sha256(args.scores_csv.read_bytes()).hexdigest()
    with ScoreStore(args.store) as st:
        for col in args.column:
            if col not in table.columns:
                raise SystemExit(f"error: {args.scores_csv} has no column {col!r}")
            m = re.fullmatch(r"(.*?)(?:#seed(\d+))?", col)
            assert m is not None
            name, seed = m.group(1), int(m.group(2) or 0)
            lower = name.startswith("oneshot_loss")
            info = EstimatorInfo(name, "stored", higher_is_better=not lower, description=f"{col} of {args.scores_csv}")
            config = {"estimator": name, "source": str(args.scores_csv), "sha256": sha, "column": col}
            values = table[col].astype(float)
            st.put_many(args.space, zip(table["arch"], values, [None] * len(table), [None] * len(table), strict=True),
                        info, config, seed=seed)  # fmt: skip
            print(f"stored {len(table)} scores of {col} as {name!r} seed {seed} in {args.store}")


if __name__ == "__main__":
    main()
