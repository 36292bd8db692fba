"""``naslens export``: a score store as a tidy table (CSV / JSON / Parquet) with its configurations."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from naslens import cli_export
from naslens.cli import app
from naslens.store import ScoreStore
from naslens.types import EstimatorInfo

SYN = EstimatorInfo("synflow", "zeroshot", description="sum |θ ⊙ ∂R/∂θ| over [weights]")
PAR = EstimatorInfo("params", "structural")
VOTE = EstimatorInfo("vote:synflow+params", "ensemble")


@pytest.fixture()
def store(tmp_path):
    path = tmp_path / "st"
    with ScoreStore(path) as st:
        rows = [("a", 3.0, None, 0.5), ("b", float("nan"), None, 0.4), ("c", float("inf"), None, 0.3)]
        st.put_many("nb201", rows, SYN, {"estimator": "synflow", "batch": 4}, seed=0)
        st.put_many("nb201", [("a", None, "failed: out of memory", None)], SYN, {"estimator": "synflow"}, seed=1)
        st.put_many("nb201", [("a", 1.0, None, None), ("b", 2.0, None, None)], PAR, {"estimator": "params"}, seed=0)
        st.put_many("nb201", [("a", 2.0, None, None)], VOTE, {"estimator": "vote"}, seed=0)
        st.put_many("nb-macro", [("01200121", 7.0, None, 1.5)], SYN, {"estimator": "synflow"}, seed=0, checkpoint="e5")
    return path


def _run(*args: str):
    return CliRunner().invoke(app, ["export", *args])


def _one_error_line(res) -> str:
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("naslens export: error:"), res.stderr
    return lines[0]


def test_csv_round_trips_every_stored_result_with_its_configurations(store, tmp_path):
    out = tmp_path / "scores.csv"
    res = _run("--store", str(store), "--format", "csv", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "wrote 8 results of 3 estimators" in res.stderr
    got = pd.read_csv(out, dtype={"arch": str, "checkpoint": str}, keep_default_na=False, na_values=[""])
    assert list(got.columns) == list(cli_export.COLUMNS)
    with ScoreStore(store, readonly=True) as st:
        stored = st.table()
    assert len(got) == len(stored) == 8
    key = ["space", "estimator", "config_hash", "seed", "checkpoint", "arch"]
    merged = got.merge(stored, on=key, suffixes=("", "_store"), validate="one_to_one")
    assert (merged["status"] == merged["status_store"]).all()
    ok = merged["status"] == "ok"
    assert (merged.loc[ok, "value"] == merged.loc[ok, "value_store"]).all()
    assert merged.loc[~ok, "value"].isna().all()  # nan, inf and failures: an empty value, the status says which
    assert set(got["status"]) == {"ok", "nan", "inf", "failed: out of memory"}
    assert "01200121" in set(got["arch"])  # codes keep their leading zero
    conf = json.loads((tmp_path / "scores.configs.json").read_text())
    assert set(conf["configs"]) == set(got["config_hash"])
    one = conf["configs"][got.loc[got["seed"] == 1, "config_hash"].iloc[0]]
    assert one["estimator"] == "synflow" and one["config"] == {"estimator": "synflow"}
    assert one["info"]["description"] == SYN.description
    assert not [p.name for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_json_on_stdout_embeds_configs_and_selects_by_estimator_space_and_ensemble_spec(store):
    res = _run("--store", str(store), "--format", "json", "--out", "-", "--estimator", "syn*", "--space", "nb201")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["format"] == cli_export.JSON_FORMAT and doc["columns"] == list(cli_export.COLUMNS)
    assert {r["estimator"] for r in doc["rows"]} == {"synflow"} and {r["space"] for r in doc["rows"]} == {"nb201"}
    assert len(doc["rows"]) == 4 and set(doc["configs"]) == {r["config_hash"] for r in doc["rows"]}
    by_arch_seed = {(r["arch"], r["seed"]): r for r in doc["rows"]}
    assert by_arch_seed[("a", 0)]["value"] == 3.0
    assert by_arch_seed[("b", 0)]["value"] is None and by_arch_seed[("c", 0)]["status"] == "inf"
    res = _run("--store", str(store), "-f", "json", "-o", "-", "-e", "vote:synflow,params", "-e", "params")
    assert res.exit_code == 0, res.output
    assert {r["estimator"] for r in json.loads(res.stdout)["rows"]} == {"vote:synflow+params", "params"}
    res = _run("--store", str(store), "-f", "json", "-o", "-", "-e", "vote:*")
    assert res.exit_code == 0, res.output
    assert {r["estimator"] for r in json.loads(res.stdout)["rows"]} == {"vote:synflow+params"}


def test_csv_on_stdout(store):
    res = _run("--store", str(store), "--out", "-", "--space", "nb-macro")
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert lines[0] == ",".join(cli_export.COLUMNS) and len(lines) == 2 and lines[1].startswith("nb-macro,01200121")


def test_parquet_without_an_engine_says_what_to_install_and_writes_nothing(store, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_export, "parquet_engine", lambda: None)
    out = tmp_path / "x.parquet"
    line = _one_error_line(_run("--store", str(store), "--format", "parquet", "--out", str(out)))
    assert "pip install pyarrow" in line
    assert not out.exists() and not (tmp_path / "x.configs.json").exists()


def test_parquet_round_trip_when_an_engine_is_installed(store, tmp_path):
    if cli_export.parquet_engine() is None:
        pytest.skip("neither pyarrow nor fastparquet is installed")
    out = tmp_path / "x.parquet"
    assert _run("--store", str(store), "--format", "parquet", "--out", str(out)).exit_code == 0
    assert len(pd.read_parquet(out)) == 8 and (tmp_path / "x.configs.json").exists()


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(store, tmp_path, monkeypatch):
    out = tmp_path / "scores.csv"
    out.write_text("previous\n")

    def half_written(self, path, **kwargs):
        with open(path, "w") as f:
            f.write("space,arch\n")
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_written)
    res = _run("--store", str(store), "--out", str(out))
    assert res.exit_code == 2
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv", "st"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--estimator", "zen"], "--estimator zen: no such estimator in the store (it has: params, synflow, vote:"),
        (["--space", "nb999"], "--space nb999: the store holds no scores for it (it has: nb-macro, nb201)"),
        (["--space", "nb-macro", "-e", "params"], "no such estimator in the store for space nb-macro"),
        (["--format", "xlsx"], "--format must be one of csv, parquet, json"),
        (["--out", "missing/x.csv"], "folder missing does not exist"),
        (["-e", "mix:a+b"], "ensemble spec must look like"),
    ],
)
def test_bad_requests_are_one_line_errors_and_write_nothing(store, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    line = _one_error_line(_run("--store", str(store), *args))
    assert message in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_missing_store_is_not_created(tmp_path):
    line = _one_error_line(_run("--store", str(tmp_path / "nope")))
    assert "no score store at" in line and not (tmp_path / "nope").exists()


def test_the_python_one_liner_gives_the_same_rows(store, tmp_path):
    table = ScoreStore(store, readonly=True).table()
    out = tmp_path / "s.json"
    assert _run("--store", str(store), "-f", "json", "-o", str(out)).exit_code == 0
    rows = json.loads(out.read_text())["rows"]
    assert len(rows) == len(table)
    finite = table[table["status"] == "ok"]
    exported = {(r["space"], r["arch"], r["estimator"], r["seed"]): r["value"] for r in rows}
    for r in finite.itertuples():
        assert math.isclose(exported[(r.space, r.arch, r.estimator, r.seed)], r.value)
