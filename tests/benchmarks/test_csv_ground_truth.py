"""The hand-written ground truth: ``space,arch,accuracy[,dataset][,metric…]`` CSV, on nb201 and nb-macro."""

from __future__ import annotations

import hashlib
import math

import pytest

from naslens.benchmarks import GroundTruthError, load_ground_truth
from naslens.spaces import get_space

NB201 = get_space("nb201")
MACRO = get_space("nb-macro")
A = [NB201.key(NB201.enumerate()[i]) for i in (0, 5, 77, 15624)]


def _write(tmp_path, text: str, name: str = "mine.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_nb201_with_dataset_extra_metric_and_missing_values(tmp_path):
    p = _write(
        tmp_path,
        "space,arch,accuracy,dataset,valid\n"
        f"nb201,{A[0]},91.5,cifar10,90.0\n"
        f"nb201,{A[1]},nan,cifar10,80.5\n"
        "\n"  # blank lines are skipped
        f"nb201,77,70.25,cifar10,\n"  # an index is an architecture too (the space's parse reads it)
        f"nb201, {A[3]} ,88,cifar10,87\n",
    )
    gt = load_ground_truth(p)
    assert gt.space == "nb201" and gt.keys == [A[0], A[1], A[2], A[3]]
    assert list(gt.values.columns) == ["accuracy", "valid"]
    acc = gt.series("accuracy")
    assert acc[A[0]] == 91.5 and math.isnan(acc[A[1]]) and acc[A[2]] == 70.25 and acc[A[3]] == 88.0
    assert math.isnan(gt.series("valid")[A[2]])
    assert gt.extra["n_missing"] == {"accuracy": 1, "valid": 1}
    info = gt.metrics["accuracy"]
    assert (info.dataset, info.split, info.epochs) == ("cifar10", "unknown", None)
    assert gt.source.path == str(p) and gt.source.loader == "naslens-csv"
    assert gt.source.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert gt.metric_for() == "accuracy"  # the default metric, although there are two
    prov = gt.provenance("accuracy")
    assert prov["n_archs"] == 3 and prov["source"]["sha256"] == gt.source.sha256


def test_nb_macro_codes_keep_their_leading_zeros_and_dataset_defaults_to_unknown(tmp_path):
    p = _write(tmp_path, "arch,space,accuracy\n00000021,nb-macro,92.0\n01200121,nb-macro,93.5\n22222222,nb-macro,90\n")
    gt = load_ground_truth(p)
    assert gt.space == "nb-macro" and gt.keys == ["00000021", "01200121", "22222222"]
    assert [MACRO.key(MACRO.parse(k)) for k in gt.keys] == gt.keys
    assert gt.series("accuracy").tolist() == [92.0, 93.5, 90.0]
    assert gt.metrics["accuracy"].dataset == "unknown" and gt.extra["n_missing"] == {"accuracy": 0}


def test_a_utf8_bom_from_a_spreadsheet_is_accepted(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes("\ufeffspace,arch,accuracy\nnb-macro,00000000,1\nnb-macro,11111111,2\n".encode())
    assert load_ground_truth(p).keys == ["00000000", "11111111"]


BAD = [
    (f"{A[0]},91.5\n", "needs the header 'space,arch,accuracy'"),
    (f"{A[0]},arch,91.5\n", "line 1: header lacks required column(s) space, accuracy"),
    ("space,arch\nnb201,0\n", "lacks required column(s) accuracy"),
    ("arch,accuracy\n0,1\n", "lacks required column(s) space"),
    ("space,arch,accuracy,accuracy\nnb201,0,1,2\n", "accuracy named twice"),
    ("space,arch,accuracy\n", "header only"),
    ("", "empty file"),
    ("space,arch,accuracy\nnb201,0,1\nnb201,1,2,3\n", "line 3: 4 fields, but the header has 3"),
    ("space,arch,accuracy\nnb201,0,1\nnb201,|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|,2\n", "line 3"),
    ("space,arch,accuracy\nnb201,0,1\nnb201,1,2\nnb201," + A[0] + ",3\n", "lines 2 and 4 are the same architecture"),
    ("space,arch,accuracy\nnb201,0,1\n\nnb201,1,high\n", "line 4, column 'accuracy': 'high' is not a number"),
    ("space,arch,accuracy\nnb201,0,inf\n", "line 2, column 'accuracy': 'inf' is not a finite number"),
    ("space,arch,accuracy\nnb201,0,1\nnb-macro,00000000,2\n", "line 3, column 'space': 'nb-macro' differs"),
    ("space,arch,accuracy\nnb999,0,1\n", "line 2, column 'space': unknown search space 'nb999'"),
    ("space,arch,accuracy,dataset\nnb201,0,1,cifar10\nnb201,1,2,cifar100\n", "line 3, column 'dataset'"),
    ("space,arch,accuracy\nnb-macro,0120012,1\n", "line 2, column 'arch': not a NAS-Bench-Macro key"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_malformed_files_are_refused_naming_the_line(tmp_path, text, message):
    p = _write(tmp_path, text)
    with pytest.raises(GroundTruthError) as e:
        load_ground_truth(p)
    assert message in str(e.value) and str(p) in str(e.value)


def test_the_arch_error_carries_the_spaces_own_message(tmp_path):
    bad = "|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    p = _write(tmp_path, f"space,arch,accuracy\nnb201,{bad},1\n")
    with pytest.raises(GroundTruthError, match=r"line 2, column 'arch': .*nor_conv_5x5"):
        load_ground_truth(p)


def test_the_loader_itself_asks_for_a_header(tmp_path):
    from naslens.benchmarks.csv_loader import load_plain_csv

    p = _write(tmp_path, f"nb201,{A[0]},91.5\n")
    with pytest.raises(GroundTruthError, match="line 1: the first line must be a header naming the columns"):
        load_plain_csv(p)


def test_not_utf8_and_unknown_csv_are_one_clear_error(tmp_path):
    p = tmp_path / "latin1.csv"
    p.write_bytes(b"space,arch,accuracy\nnb201,0,1\xe9\n")
    with pytest.raises(GroundTruthError, match="not UTF-8"):
        load_ground_truth(p)
    q = _write(tmp_path, "name,score\nx,1\n", "other.csv")
    with pytest.raises(GroundTruthError, match="needs the header 'space,arch,accuracy'"):
        load_ground_truth(q)
