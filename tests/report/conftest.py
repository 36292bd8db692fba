"""Fixtures: a synthetic evaluation folder in the layout of ``naslens evaluate --out DIR``, and an HTML parser."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from naslens import criteria
from naslens.estimators.base import EstimatorInfo, config_hash
from naslens.spaces import get_space

KS = (0.01, 0.05, 0.1)
SHA = "ab" * 32


def _result(y: np.ndarray, s: np.ndarray, info: EstimatorInfo, config: dict[str, Any], ckpt: str | None) -> dict:
    ok = np.isfinite(s)
    hib = info.higher_is_better
    status = {"ok": int(ok.sum())}
    if (~ok).any():
        status["nan"] = int(np.isnan(s).sum())
        if np.isinf(s).any():
            status["inf"] = int(np.isinf(s).sum())
    entry: dict[str, Any] = {
        "n_archs": int(ok.sum()),
        "n_nonfinite": int((~ok).sum()),
        "status_counts": status,
        "estimator": {"info": info.__dict__, "config": config, "config_hash": config_hash(config)},
        "checkpoint": ckpt,
        "kendall_tau": criteria.kendall_tau(y[ok], s[ok], hib),
        "spearman": criteria.spearman(y[ok], s[ok], hib),
        "pearson": criteria.pearson(y[ok], s[ok], hib),
    }
    for name, fn in (
        ("precision_at_top", criteria.precision_at_top),
        ("precision_at_bottom", criteria.precision_at_bottom),
        ("best_ranking", criteria.best_ranking),
        ("worst_ranking", criteria.worst_ranking),
    ):
        entry[name] = {criteria.k_label(k): fn(y[ok], s[ok], k, hib) for k in KS}
    return entry


def write_synthetic_evaluation(folder: Path, n: int = 1200, seed: int = 0) -> Path:
    """An evaluation folder over the first ``n`` NB201 architectures with a synthetic ground truth.

    Estimators: ``params`` (structural), ``synth`` (truth + noise, 7 NaN and 2 inf scores), ``wide`` (positive,
    spanning orders of magnitude), and a one-shot ``loss`` at three checkpoints (lower is better).
    """
    space = get_space("nb201")
    archs = list(space.enumerate()[:n])
    cx = space.complexity(archs, **space.net_config("cifar10"))
    rng = np.random.default_rng(seed)
    params = cx["params"].to_numpy()
    y = 80 + 10 * params / params.max() + rng.normal(0, 1.5, n)
    frame = pd.DataFrame(
        {
            "arch": [space.key(a) for a in archs],
            "ground_truth": y,
            "index": [a.index for a in archs],
            "class_id": space.class_ids[:n],
            "class_size": space.class_sizes[space.class_ids[:n]],
            "n_members": 1,
            "params": params,
            "flops": cx["flops"].to_numpy(),
        }
    )
    synth = y + rng.normal(0, 2, n)
    synth[:7] = np.nan
    synth[7:9] = np.inf
    scores = {
        "params": (params, EstimatorInfo("params", "structural"), None),
        "synth": (synth, EstimatorInfo("synth", "zeroshot", bn_mode="train", precision="float64"), None),
        "wide": (np.exp((y - 80) * 1.2), EstimatorInfo("wide", "zeroshot"), None),
    }
    for epoch, noise in ((1, 6.0), (5, 3.0), (20, 1.0)):
        loss = -(y + rng.normal(0, noise, n)) / 10
        scores[f"loss@epoch{epoch}"] = (
            loss,
            EstimatorInfo("loss", "oneshot", higher_is_better=False, needs_training=True),
            f"epoch{epoch}",
        )
    results = {}
    for name, (values, info, ckpt) in scores.items():
        cfg = {"estimator": info.name, "seed": 0}
        results[name] = _result(y, values, info, cfg, ckpt)
        if name != "params":
            frame[name] = np.where(np.isfinite(values), values, np.nan)
    meta = {
        "naslens_version": "test",
        "space": "nb201",
        "subset": "all",
        "n_archs": n,
        "ground_truth": {
            "space": "nb201",
            "metric": "cifar10",
            "dataset": "cifar10",
            "split": "ori-test",
            "epochs": 200,
            "seed_aggregation": "synthetic mean over seeds",
            "unit": "accuracy %",
            "source": {"path": "synthetic.csv", "sha256": SHA, "loader": "test", "origin": "tests"},
            "n_archs": n,
        },
        "ks": [criteria.k_label(k) for k in KS],
        "k_counts": {criteria.k_label(k): criteria.resolve_k(k, n) for k in KS},
        "tie_policy": "expected",
        "results": results,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evaluation.json").write_text(json.dumps(meta, indent=1))
    frame.to_csv(folder / "scores.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def synthetic_evaluation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_evaluation(tmp_path_factory.mktemp("evaluation"))


@dataclass
class ParsedPage:
    """What a reader sees: section ids, images (alt → src), tables (name → number of body rows), text."""

    sections: list[str] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = ParsedPage()
        self._table: str | None = None
        self._in_body = False
        self._chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self.page.sections.append(str(a.get("id")))
        elif tag == "img":
            self.page.images[str(a.get("alt"))] = str(a.get("src"))
        elif tag == "div" and a.get("data-name"):
            self._table = str(a["data-name"])
            self.page.tables[self._table] = 0
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table is not None:
            self.page.tables[self._table] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
            self._table = None

    def handle_data(self, data: str) -> None:
        self._chunks.append(data)


def parse_page(html_text: str) -> ParsedPage:
    parser = _Parser()
    parser.feed(html_text)
    parser.page.text = " ".join(parser._chunks)
    return parser.page


def decode_data_uri(src: str) -> tuple[str, bytes]:
    head, _, payload = src.partition(",")
    assert head.startswith("data:image/") and head.endswith(";base64"), head[:40]
    return head[len("data:image/") : -len(";base64")], base64.b64decode(payload, validate=True)


@pytest.fixture
def parse() -> Callable[[str], ParsedPage]:
    return parse_page


@pytest.fixture
def decode() -> Callable[[str], tuple[str, bytes]]:
    return decode_data_uri
