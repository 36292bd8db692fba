"""The CLI error contract: a malformed input gives exit code 2, one line on stderr naming the problem, no traceback
and no new files — for every command, through the one conversion point (naslens.cli_errors)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from naslens.cli import app
from naslens.cli_errors import guard_app, one_line
from naslens.types import ArchFormatError, UserError


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def _setup(tmp: Path) -> dict[str, str]:
    """Malformed inputs, written before the snapshot of the folder is taken."""
    (tmp / "bad_op.txt").write_text(
        "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|\n"
        "|nor_conv_5x5~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|\n"
    )
    (tmp / "latin1.txt").write_bytes("|caf\xe9~0|\n".encode("latin-1"))
    (tmp / "a_file").write_text("x")
    corrupt = tmp / "corrupt"
    corrupt.mkdir()
    (corrupt / "scores.sqlite").write_bytes(b"definitely not sqlite" * 64)
    foreign = tmp / "foreign"
    foreign.mkdir()
    sqlite3.connect(foreign / "scores.sqlite").execute("CREATE TABLE t (x)").connection.close()
    (tmp / "empty.yaml").write_text("")
    files = {
        "bad_op": "bad_op.txt",
        "latin1": "latin1.txt",
        "a_file": "a_file",
        "corrupt": "corrupt",
        "foreign": "foreign",
    }
    return {k: str(tmp / v) for k, v in {**files, "empty_yaml": "empty.yaml"}.items()}


SCORE = ["score", "--proxies", "synflow", "--batch-size", "2", "--n-batches", "1"]
ONE = ["--archs", "gt:nb201-fmnist", "--sample", "1"]
CASES: list[tuple[str, list[str], str]] = [
    (
        "oneshot train: ground truth and recipe together",
        ["oneshot", "train", "--ground-truth", "nb201-fmnist", "--recipe", "{tmp}/r.yaml", "--out", "{out}"],
        "not both",
    ),
    ("score: unknown op, with its line", [*SCORE, "--archs", "{bad_op}", "--store", "{out}"], "bad_op.txt:2"),
    ("score: archs file missing", [*SCORE, "--archs", "{tmp}/nope.txt", "--store", "{out}"], "nope.txt"),
    ("score: archs file not UTF-8", [*SCORE, "--archs", "{latin1}", "--store", "{out}"], "UTF-8"),
    ("score: unknown space", [*SCORE, "--space", "nb999", "--store", "{out}"], "nb999"),
    ("score: unknown proxy", ["score", "--proxies", "synflw", "--store", "{out}"], "synflw"),
    ("score: store is a file", [*SCORE, *ONE, "--store", "{a_file}"], "file"),
    (
        "score: corrupt store",
        [*SCORE, *ONE, "--store", "{corrupt}"],
        "corrupt",
    ),
    ("score: device", [*SCORE, "--device", "tpu", "--store", "{out}"], "tpu"),
    ("evaluate: unknown ground truth", ["evaluate", "-g", "nope-gt", "-e", "params"], "nope-gt"),
    ("evaluate: unknown estimator", ["evaluate", "-g", "nb201-fmnist", "-e", "parms"], "parms"),
    ("evaluate: bad K", ["evaluate", "-g", "nb201-fmnist", "-e", "params", "--k", "abc"], "abc"),
    ("evaluate: --report needs --out", ["evaluate", "-g", "nb201-fmnist", "-e", "params", "--report"], "--out"),
    ("evaluate: foreign store", ["evaluate", "-g", "nb201-fmnist", "-e", "params", "--store", "{foreign}"], "store"),
    ("report: missing folder", ["report", "--evaluation", "{tmp}/missing", "--out", "{out}"], "does not exist"),
    ("oneshot: missing checkpoint", ["oneshot", "score", "--checkpoints", "{tmp}/no.pt", "--store", "{out}"], "no.pt"),
    (
        "predictor: unknown predictor",
        ["predictor", "fit-eval", "-g", "nb201-fmnist", "-p", "gatez", "-o", "{out}"],
        "gatez",
    ),
    (
        "predictor: training set larger than the ground truth",
        ["predictor", "fit-eval", "-g", "nb201-fmnist", "-p", "mlp", "--train-size", "100000", "-o", "{out}"],
        "100000",
    ),
    ("predictor: bad loss", ["predictor", "fit-eval", "-g", "nb201-fmnist", "--loss", "hinge", "-o", "{out}"], "hinge"),
    (
        "predictor: unknown hyperparameter",
        ["predictor", "fit-eval", "-g", "nb201-fmnist", "--set", "epochz=3", "-o", "{out}"],
        "epochz",
    ),
    ("export: no store there", ["export", "--store", "{tmp}/nostore", "--out", "{tmp}/x.csv"], "nostore"),
    ("export: corrupt store", ["export", "--store", "{corrupt}", "--out", "{tmp}/x.csv"], "corrupt"),
    ("evaluate: bad coverage", ["evaluate", "-g", "nb201-fmnist", "-e", "params", "--coverage", "some"], "some"),
    ("bench build: empty recipe", ["bench", "build", "--recipe", "{empty_yaml}", "--out", "{out}"], "empty.yaml"),
]


@pytest.mark.parametrize(("what", "argv", "needle"), CASES, ids=[c[0] for c in CASES])
def test_user_errors_are_one_line_exit_2_and_leave_nothing(
    tmp_path: Path, what: str, argv: list[str], needle: str
) -> None:
    names = _setup(tmp_path)
    before = _files(tmp_path)
    fill = {"tmp": str(tmp_path), "out": str(tmp_path / "out"), **names}
    result = CliRunner().invoke(app, [a.format(**fill) for a in argv])
    assert result.exit_code == 2, (what, result.exit_code, result.output, result.exception)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, (what, result.stderr)
    assert "error:" in lines[0] and needle.lower() in lines[0].lower(), (what, lines[0])
    assert "Traceback" not in result.output
    assert _files(tmp_path) == before, (what, sorted(map(str, _files(tmp_path) - before)))


def test_a_bug_keeps_its_traceback() -> None:
    demo = typer.Typer()

    @demo.command()
    def boom() -> None:
        raise ZeroDivisionError("a bug, not a user error")

    @demo.command()
    def bad_arch() -> None:
        raise ArchFormatError("line 3 of archs.txt: unknown op 'x'\n  (choose one of a, b)")

    guard_app(demo, "demo")
    result = CliRunner().invoke(demo, ["boom"])
    assert result.exit_code == 1 and isinstance(result.exception, ZeroDivisionError)
    result = CliRunner().invoke(demo, ["bad-arch"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "demo bad-arch: error: line 3 of archs.txt: unknown op 'x' (choose one of a, b)"


def test_every_layer_error_is_a_user_error() -> None:
    from naslens.benchmarks.ground_truth import GroundTruthError
    from naslens.benchmarks.recipe import RecipeError
    from naslens.estimators.base import EstimatorConfigError
    from naslens.registry import Registry
    from naslens.selection import SelectionError
    from naslens.store import StoreError

    for cls in (GroundTruthError, RecipeError, EstimatorConfigError, SelectionError, StoreError):
        assert issubclass(cls, UserError), cls
    with pytest.raises(UserError) as info:
        Registry[int]("widget").get("nope")
    assert isinstance(info.value, KeyError) and one_line(info.value) == "unknown widget 'nope'; known: (none)"
