"""One ensemble spec syntax: ``score --ensemble`` and ``evaluate -e`` read the same specs, on both spaces."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from naslens.cli import app
from naslens.estimators.ensemble import EnsembleSpecError, ensemble_name, split_estimators
from naslens.spaces import get_space

FAST = ["--data", "noise", "--batch-size", "4", "--n-batches", "1", "--quiet", "--seed", "0"]


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("params,flops,relu", ["params", "flops", "relu"]),
        ("params, vote:synflow,jacob_cov,snip", ["params", "vote:synflow+jacob_cov+snip"]),
        ("vote:synflow+jacob_cov+snip,params", ["vote:synflow+jacob_cov+snip", "params"]),
        ("hybrid:zen*2+flops,params,vote:a,b", ["hybrid:zen*2+flops", "params", "vote:a+b"]),
        ("vote:a,b,hybrid:c+d", ["vote:a+b", "hybrid:c+d"]),
        ("vote:a,b,params", ["vote:a+b+params"]),  # a comma-written spec takes what follows: write it last
        (" hybrid : zen + flops ,", ["hybrid:zen+flops"]),
    ],
)
def test_split_keeps_specs_whole(text, items):
    assert split_estimators(text, canonical=False) == items


def test_both_spellings_and_aliases_are_one_stored_name():
    assert ensemble_name("vote:synflow,jacob_cov,snip") == ensemble_name("vote:synflow+jacob_cov+snip")
    assert ensemble_name("hybrid:relu_logdet*2,flops") == "hybrid:nwot*2+flops"
    assert split_estimators("params,vote:relu_logdet,snip") == ["params", "vote:nwot+snip"]
    assert ensemble_name("params") == "params"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("params,mix:a+b", "ensemble spec must look like"),
        ("vote:a+a", "duplicate members"),
        ("hybrid:a*x+b", "bad weight 'x'"),
        ("hybrid:a*inf+b", "not a finite number"),
        ("vote:nwot,relu_logdet", "after resolving aliases"),
        ("hybrid:zen", "at least two members"),
    ],
)
def test_bad_specs_are_estimator_config_errors(text, message):
    with pytest.raises(EnsembleSpecError, match=message):
        split_estimators(text)


def _ground_truth_csv(tmp_path, space_name: str, n: int):
    """A hand-written ground truth of the first ``n`` architectures (accuracy = index, so params/FLOPs rank it
    in some order; the test is about the plumbing, not the numbers)."""
    sp = get_space(space_name)
    keys = [sp.key(a) for a in sp.enumerate()[:: len(sp.enumerate()) // n][:n]]
    p = tmp_path / f"{space_name}.csv"
    p.write_text("space,arch,accuracy\n" + "".join(f"{space_name},{k},{i + 50.5}\n" for i, k in enumerate(keys)))
    return p, keys


@pytest.mark.parametrize(
    ("space_name", "stored_as", "evaluated_as"),
    [
        ("nb201", "vote:synflow,nwot", "vote:synflow+nwot"),
        ("nb-macro", "hybrid:synflow+flops", "hybrid:synflow,flops"),
    ],
)
def test_score_and_evaluate_read_the_same_spec(tmp_path, space_name, stored_as, evaluated_as):
    gt, keys = _ground_truth_csv(tmp_path, space_name, 5)
    store = tmp_path / "store"
    archs = tmp_path / "archs.txt"
    archs.write_text("\n".join(keys) + "\n")
    score = ["score", "--space", space_name, "--proxies", "synflow,nwot", "--archs", str(archs), *FAST]
    res = CliRunner().invoke(app, [*score, "--store", str(store), "--ensemble", stored_as])
    assert res.exit_code == 0, res.output
    name = ensemble_name(stored_as)
    assert name in res.stdout
    out = tmp_path / "eval"
    for spelling in (stored_as, evaluated_as):  # both spellings, in a list with a plain estimator before them
        res = CliRunner().invoke(
            app, ["evaluate", "-g", str(gt), "-e", f"params,{spelling}", "--store", str(store), "-o", str(out)]
        )
        assert res.exit_code == 0, res.output
        results = json.loads((out / "evaluation.json").read_text())["results"]
        assert set(results) == {"params", name}
        assert results[name]["n_archs"] == 5 and results[name]["estimator"]["info"]["name"] == name


def test_score_takes_several_specs_in_one_option_and_refuses_plain_names(tmp_path):
    sp = get_space("nb-macro")
    archs = ";".join(sp.key(a) for a in sp.enumerate()[:3])
    base = ["score", "--space", "nb-macro", "--proxies", "synflow,nwot", "--archs", archs, *FAST]
    store = tmp_path / "store"
    res = CliRunner().invoke(
        app, [*base, "--store", str(store), "--ensemble", "hybrid:synflow+params,vote:synflow,nwot"]
    )
    assert res.exit_code == 0, res.output
    assert "hybrid:synflow+params" in res.stdout and "vote:synflow+nwot" in res.stdout
    other = tmp_path / "other"
    res = CliRunner().invoke(app, [*base, "--store", str(other), "--ensemble", "hybrid:synflow+params,flops"])
    assert res.exit_code == 2 and "hybrid:synflow+params" not in res.stdout
    assert "'flops' is not an ensemble spec" in res.stderr and not other.exists()


def test_evaluate_refuses_an_ensemble_the_store_does_not_hold(tmp_path):
    gt, _ = _ground_truth_csv(tmp_path, "nb-macro", 4)
    for extra in ([], ["--store", str(tmp_path / "empty")]):
        if extra:
            from naslens.store import ScoreStore

            ScoreStore(extra[1]).close()
        res = CliRunner().invoke(app, ["evaluate", "-g", str(gt), "-e", "params,vote:synflow,nwot", *extra])
        assert res.exit_code == 2, res.output
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "-e vote:synflow+nwot: ensembles are read from a score store" in lines[0]
        assert "naslens score" in lines[0] and "--ensemble vote:synflow+nwot" in lines[0]
