import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from naslens.report import ReportError, load_evaluation
from naslens.report.scatter import axis_scale


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_orientation_and_result_keys(synthetic_evaluation):
    data = load_evaluation(synthetic_evaluation)
    assert list(data.orientation) == ["params", "synth", "wide", "loss@epoch1", "loss@epoch5", "loss@epoch20"]
    assert data.orientation["loss@epoch5"] is False and data.orientation["params"] is True
    assert data.result_key["loss@epoch5"] == "loss@epoch5"
    assert "subset all" in data.gt_label() and "abababababab" in data.gt_label()
    assert data.notes == []


def test_checkpoint_column_falls_back_to_the_estimator_entry(synthetic_evaluation, tmp_path):
    folder = _copy(synthetic_evaluation, tmp_path / "ev")
    meta = json.loads((folder / "evaluation.json").read_text())
    meta["results"]["loss"] = meta["results"].pop("loss@epoch5")
    meta["results"].pop("wide")
    (folder / "evaluation.json").write_text(json.dumps(meta))
    data = load_evaluation(folder)
    assert data.result_key["loss@epoch5"] == "loss" and data.orientation["loss@epoch5"] is False
    assert data.orientation["wide"] is True and any("'wide'" in n for n in data.notes)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "evaluation.json").unlink(), "evaluation.json not found"),
        (lambda f: (f / "scores.csv").unlink(), "scores.csv not found"),
        (lambda f: (f / "evaluation.json").write_text("{nope"), "not valid JSON"),
        (lambda f: (f / "evaluation.json").write_text('{"space": "nb201"}'), "lacks key"),
        (lambda f: (f / "scores.csv").write_text("arch,x\na,1\n"), "no 'ground_truth' column"),
    ],
)
def test_clear_errors(synthetic_evaluation, tmp_path, damage, message):
    folder = _copy(synthetic_evaluation, tmp_path / "ev")
    damage(folder)
    with pytest.raises(ReportError, match=message):
        load_evaluation(folder)


def test_missing_folder():
    with pytest.raises(ReportError, match="does not exist"):
        load_evaluation("/nonexistent/evaluation")


def test_axis_scale():
    rng = np.random.default_rng(0)
    assert axis_scale(rng.random(1000)) == "linear"  # uniform in (0, 1): a few tiny values do not force log
    assert axis_scale(np.exp(rng.normal(0, 5, 1000))) == "log"
    assert axis_scale(np.concatenate([-np.exp(rng.normal(0, 5, 500)), np.exp(rng.normal(0, 5, 500))])) == "symlog"
    assert axis_scale(rng.normal(0, 1, 1000) + 10) == "linear"
    assert axis_scale(np.array([np.nan, 1.0])) == "linear"


def test_old_evaluation_files_load_with_their_runs() -> None:
    """Committed one-shot evidence (written before results carried a 'run' record) loads, and a temporal
    ensemble is its own series in the checkpoint trends (regression for the split_checkpoint bug)."""
    from naslens.report.criteria_view import checkpoint_trends, criteria_table
    from naslens.types import RunId

    folder = Path(__file__).resolve().parents[2] / "docs" / "results" / "oneshot-deiso"
    data = load_evaluation(folder)
    assert data.runs["oneshot_acc@savg3@epoch-0060#seed0"] == RunId("oneshot_acc", 0, "epoch-0060", "savg3")
    assert data.runs["oneshot_acc@epoch-0060#seed0"] == RunId("oneshot_acc", 0, "epoch-0060", "")
    assert data.runs["oneshot_acc@seeds@epoch-0020"] == RunId("oneshot_acc", None, "epoch-0020", "seeds")
    trends = checkpoint_trends(criteria_table(data.results))
    sizes = trends.groupby("base_estimator").size().to_dict()
    assert sizes["oneshot_acc#seed0"] == 6 and sizes["oneshot_acc@savg3#seed0"] == 4
    plain = trends[trends["base_estimator"] == "oneshot_acc#seed0"]
    assert (plain["ensemble"] == "").all() and plain["checkpoint"].is_monotonic_increasing
