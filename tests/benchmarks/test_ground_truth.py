"""Ground-truth loaders, provenance, the naslens JSON format, and clear errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from naslens.benchmarks import GroundTruth, GroundTruthError, MetricInfo, Source, load_ground_truth
from naslens.benchmarks.nb201_loaders import load_naslib_zc, load_nb201_12ep, load_nb201_200ep, load_nb201_naswot
from naslens.spaces.nb201 import NB201Arch


@pytest.mark.needs_shared_data
def test_200ep_loader_provenance_and_values(nb201_csv: Path) -> None:
    gt = load_nb201_200ep(nb201_csv)
    assert len(gt) == 15625 and list(gt.metrics) == ["cifar10", "cifar100", "imagenet16-120"]
    raw = pd.read_csv(nb201_csv)
    key9930 = NB201Arch.from_index(9930).to_string()
    assert gt.values.loc[key9930, "cifar10"] == raw.loc[9930, "CIFAR10TestAccuracy200Epochs"]
    prov = gt.provenance("cifar100")
    assert prov["dataset"] == "cifar100" and prov["epochs"] == 200 and prov["split"] == "x-test"
    assert prov["source"]["sha256"] == hashlib.sha256(nb201_csv.read_bytes()).hexdigest()
    assert prov["source"]["sha256"].startswith("cb5d777e")
    assert gt.metric_for("CIFAR10") == "cifar10"


@pytest.mark.needs_shared_data
def test_named_ground_truths_resolve(shared_data: Path) -> None:
    assert len(load_ground_truth("nb201-12ep", shared_data)) == 15625
    naswot = load_ground_truth("nb201-naswot", shared_data)
    assert set(naswot.metrics) == {"cifar10", "cifar10-valid", "cifar10-valid-test"}
    zc = load_ground_truth("naslib-zc-nb201", shared_data)
    assert len(zc) == 491 and zc.metrics["imagenet16-120"].dataset == "imagenet16-120"
    # a path works too, with format detection
    assert len(load_ground_truth(shared_data / "nb201" / "nb201_12epoch_accs.csv")) == 15625
    with pytest.raises(GroundTruthError, match="several metrics"):
        load_ground_truth("nb201-12ep", shared_data).metric_for("cifar100")


def test_missing_files_and_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(GroundTruthError, match="neither a known ground truth"):
        load_ground_truth(tmp_path / "nope.csv")
    with pytest.raises(GroundTruthError, match="does not exist; set NASLENS_DATA"):
        load_ground_truth("nb201-200ep", tmp_path)
    with pytest.raises(GroundTruthError, match="not found"):
        load_nb201_200ep(tmp_path / "x.csv")


def test_wrong_shape_and_unknown_archs(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(GroundTruthError, match="unknown ground-truth format"):
        load_ground_truth(p)
    with pytest.raises(GroundTruthError, match="missing columns"):
        load_nb201_200ep(p)
    cols = "CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs,ImageNetTestAccuracy200Epochs,ArchitectureString"
    p.write_text(cols + "\n1,2,3,|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|\n")
    with pytest.raises(GroundTruthError, match="row 2: unknown architecture"):
        load_nb201_200ep(p)
    p.write_text(cols + f"\n1,2,3,{NB201Arch.from_index(0)}\n")
    with pytest.raises(GroundTruthError, match="expected 15625 rows"):
        load_nb201_200ep(p)
    j = tmp_path / "zc.json"
    j.write_text(json.dumps({"nasbench201": {"cifar10": {"(9, 9, 9, 9, 9, 9)": {"val_accuracy": 1.0}}}}))
    with pytest.raises(GroundTruthError, match="bad entry"):
        load_naslib_zc(j)
    j.write_text("{not json")
    with pytest.raises(GroundTruthError, match="not a NAS-Bench-Suite-Zero"):
        load_naslib_zc(j)


def _toy() -> GroundTruth:
    keys = [NB201Arch.from_index(i).to_string() for i in range(4)]
    values = pd.DataFrame({"fmnist": [90.0, 91.5, np.nan, 88.0]}, index=pd.Index(keys, name="arch"))
    return GroundTruth(
        "nb201",
        values,
        {"fmnist": MetricInfo("fashion-mnist", "test", 10, "mean of seeds 0,1")},
        Source("<built>", "", "naslens-json"),
        {"recipe": {"epochs": 10}},
    )


def test_json_round_trip_keeps_values_nan_and_provenance(tmp_path: Path) -> None:
    gt = _toy()
    p = gt.save(tmp_path / "gt.json")
    back = load_ground_truth(p)
    pd.testing.assert_frame_equal(back.values, gt.values)
    assert back.metrics == gt.metrics and back.extra == gt.extra
    assert back.source.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert back.provenance("fmnist")["n_archs"] == 3
    assert back.subset([gt.keys[1]]).values.iloc[0, 0] == 91.5
    with pytest.raises(GroundTruthError, match="not in the ground truth"):
        back.subset(["nope"])


def test_invalid_tables_raise() -> None:
    gt = _toy()
    with pytest.raises(GroundTruthError, match="without metric info"):
        GroundTruth("nb201", gt.values.assign(extra=1.0), gt.metrics, gt.source)
    dup = pd.concat([gt.values, gt.values.iloc[:1]])
    with pytest.raises(GroundTruthError, match="duplicate"):
        GroundTruth("nb201", dup, gt.metrics, gt.source)
    with pytest.raises(GroundTruthError, match="unknown metric"):
        gt.metric_for(metric="acc")
    with pytest.raises(GroundTruthError, match="no ground truth for dataset"):
        gt.metric_for("cifar10")
    with pytest.raises(GroundTruthError, match="malformed"):
        GroundTruth.from_dict({"format": "naslens-ground-truth/1", "space": "nb201"})


@pytest.mark.needs_shared_data
def test_12ep_and_naswot_loaders(shared_data: Path) -> None:
    g12 = load_nb201_12ep(shared_data / "nb201" / "nb201_12epoch_accs.csv")
    assert g12.metrics["cifar10-valid-12ep"].epochs == 12
    nw = load_nb201_naswot(shared_data / "nb201" / "nb201_naswot_scores_and_accs.csv")
    g200 = load_nb201_200ep(shared_data / "nb201" / "nats_tss_test_acc_200ep.csv")
    # both files hold a 200-epoch cifar10 test accuracy, but not from the same export: they agree almost exactly
    # in rank, and differ by up to ~2.2 points for about 2,400 architectures (see the loader's docstring)
    a, b = nw.values["cifar10"].to_numpy(), g200.values["cifar10"].to_numpy()
    assert np.corrcoef(a, b)[0, 1] > 0.999
    assert 1000 < int((np.abs(a - b) > 1e-6).sum()) < 5000
