"""The NAS-Bench-Macro ground truth: columns, provenance, seed-to-seed τ, format detection and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import reference

from naslens.benchmarks import GroundTruthError, load_ground_truth
from naslens.benchmarks.ground_truth import sha256_file
from naslens.benchmarks.nb_macro_loader import load_nb_macro
from naslens.criteria import kendall_tau

EXAMPLES = reference("nb_macro_examples.json")["architectures"]


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc))
    return path


def test_registered_loader_reads_the_shared_table(nb_macro_json: Path) -> None:
    gt = load_ground_truth("nb-macro-cifar10", nb_macro_json.parents[1])
    assert gt.space == "nb-macro" and len(gt) == 6561
    assert gt.metric_for("cifar10") == "cifar10"
    for key, rec in EXAMPLES.items():
        assert gt.values.loc[key, "cifar10"] == pytest.approx(rec["mean_acc"], abs=1e-6)
        assert [gt.values.loc[key, f"cifar10-run{r}"] for r in range(3)] == pytest.approx(rec["test_acc"])
    prov = gt.provenance("cifar10")
    assert prov["source"]["sha256"] == sha256_file(nb_macro_json) and prov["epochs"] == 50
    assert "mean over 3 runs" in prov["seed_aggregation"] and "test set" in prov["description"]
    x = gt.extra
    assert x["trained_classes"] == 3969
    tau = x["seed_to_seed_kendall_tau"]
    lo, hi = x["seed_to_seed_kendall_tau_ci95"]
    assert 0.8 < lo <= tau <= hi < 0.95
    assert set(x["seed_to_seed_kendall_tau_pairs"]) == {"0-1", "0-2", "1-2"}
    # recomputed independently over one representative per class
    from naslens.spaces import get_space

    sp = get_space("nb-macro")
    reps = [sp.key(a) for a in sp.representatives()]
    v = gt.values.loc[reps]
    assert tau == pytest.approx(kendall_tau(v["cifar10-run0"].to_numpy(), v["cifar10-run1"].to_numpy()))


def test_file_format_is_detected(nb_macro_json: Path) -> None:
    assert load_ground_truth(nb_macro_json).space == "nb-macro"


def _record(acc: list[float]) -> dict[str, object]:
    return {"test_acc": acc, "mean_acc": float(np.mean(acc)), "std": float(np.std(acc)), "params": 1, "flops": 1}


def test_small_file_loads(tmp_path: Path) -> None:
    doc = {k: _record([80.0 + i, 81.0 + i, 79.0 + 2 * i]) for i, k in enumerate(["00000000", "12121212", "22220000"])}
    gt = load_nb_macro(_write(tmp_path / "m.json", doc))
    assert list(gt.values.columns) == ["cifar10", "cifar10-run0", "cifar10-run1", "cifar10-run2", "cifar10-std"]
    assert gt.values.loc["12121212", "cifar10"] == pytest.approx(np.mean([81.0, 82.0, 81.0]))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"0000000": _record([1.0, 2.0, 3.0])}, "0000000"),
        ({"00000000": {"test_acc": [1.0, 2.0], "mean_acc": 1.5, "std": 0.5}}, "2 runs"),
        ({"00000000": {"mean_acc": 1.0, "std": 0.0}}, "test_acc"),
        ({"00000000": {**_record([1.0, 2.0, 3.0]), "mean_acc": 9.0}}, "mean_acc"),
        ([], "expected an object"),
    ],
)
def test_malformed_files_name_the_problem(tmp_path: Path, doc: object, message: str) -> None:
    with pytest.raises(GroundTruthError, match=message):
        load_nb_macro(_write(tmp_path / "bad.json", doc))


def test_not_json(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text("{not json")
    with pytest.raises(GroundTruthError, match="not valid JSON"):
        load_nb_macro(p)
