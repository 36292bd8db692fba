"""``naslens score`` on every registered space, and its error contract: one line on stderr, exit 2, no file left."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from naslens.cli_score import app, parse_net
from naslens.store import ScoreStore

FAST = ["--data", "noise", "--batch-size", "4", "--n-batches", "1", "--quiet"]


def _run(args: list[str]):
    return CliRunner().invoke(app, args)


def test_score_nb_macro_with_network_overrides(tmp_path):
    store = tmp_path / "zs"
    args = ["--space", "nb-macro", "--proxies", "synflow,nwot", "--sample", "2", "--seed", "0", "--store", str(store)]
    res = _run([*args, *FAST, "--net", "init_channels=4,head_channels=16"])
    assert res.exit_code == 0, res.output
    with ScoreStore(store) as st:
        table = st.table()
    assert set(table["space"]) == {"nb-macro"} and set(table["estimator"]) == {"synflow", "nwot"}
    assert len(table) == 4 and (table["status"] == "ok").all()
    assert all(len(k) == 8 and set(k) <= set("012") for k in table["arch"])


def test_parse_net():
    assert parse_net("C=8, N=1,bn_affine=false,x=0.5") == {"C": 8, "N": 1, "bn_affine": False, "x": 0.5}
    assert parse_net(None) == {}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_net("C")
    with pytest.raises(ValueError, match="twice"):
        parse_net("C=1,C=2")


BAD = [
    (["--space", "nope"], "unknown search space 'nope'"),
    (["--proxies", "zzz"], "no proxy matches 'zzz'"),
    (["--space", "nb-macro", "--net", "C=1"], "no network setting(s) ['C']"),
    (["--net", "C=0"], "C must be a positive integer"),
    (["--net", "C"], "KEY=VALUE"),
    (["--space", "nb-macro", "--dataset", "cifar100"], "no network settings for dataset 'cifar100'"),
    (["--data", "bogus"], "data source must be one of"),
    (["--device", "tpu"], "unknown device 'tpu'"),
    (["--sample", "99999"], "--sample must be an integer in 1..6466"),
    (["--archs", "|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|"], "--archs item 1"),
    (["--subset", "some"], "--subset must be one of"),
    (["--ensemble", "vote:x"], "unknown member 'x'"),
    (["--ensemble", "hybrid:nwot+flops"], "member 'nwot' is a proxy"),
    (["--ensemble", "avg:a"], "ensemble spec must look like"),
    (["--data", "cifar10", "--data-dir", "/nonexistent/shared"], "cifar10"),
]


@pytest.mark.parametrize(("extra", "message"), BAD)
def test_bad_options_are_one_line_errors_and_leave_nothing(tmp_path, extra, message):
    store = tmp_path / "store"
    res = CliRunner().invoke(app, ["--proxies", "synflow", "--store", str(store), "--quiet", *extra])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("naslens score: error:"), res.stderr
    assert message in lines[0]
    assert "Traceback" not in res.output
    assert not store.exists()


def test_store_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    res = _run(["--proxies", "synflow", "--store", str(f), *FAST])
    assert res.exit_code == 2 and "is a file" in res.stderr
