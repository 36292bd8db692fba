from typer.testing import CliRunner

from naslens.cli_report import app

from .conftest import write_synthetic_evaluation


def test_cli_writes_the_report(tmp_path):
    evaluation = write_synthetic_evaluation(tmp_path / "ev", n=300)
    out = tmp_path / "rep"
    result = CliRunner().invoke(
        app, ["--evaluation", str(evaluation), "--out", str(out), "--groups", "3", "--budgets", "4", "--top-k", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "report written to" in result.output
    assert (out / "report.html").exists() and (out / "tables" / "top_ranked.csv").exists()
    import pandas as pd

    top = pd.read_csv(out / "tables" / "top_ranked.csv")
    assert top.groupby("estimator").size().max() == 5
    assert pd.read_csv(out / "tables" / "mbr_flops.csv")["n_budgets"].eq(4).all()
    assert pd.read_csv(out / "tables" / "complexity_bias_flops.csv")["group"].max() <= 2


def test_cli_reports_a_bad_folder(tmp_path):
    result = CliRunner().invoke(app, ["--evaluation", str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
