"""The listing commands print every metadata field and user text literally; help texts render as written."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
import typer.main
from typer.testing import CliRunner

from naslens.cli import app
from naslens.estimators import base
from naslens.types import EstimatorInfo

FORMULA = "mean over [a, b] of x[i]; [bold]not bold[/bold]"


def _invoke(*args: str, **kw):
    res = CliRunner().invoke(app, list(args), **kw)
    assert res.exit_code == 0, res.output
    return res.stdout


def _flat(text: str) -> str:
    """Table text with the borders and line breaks taken out (cells may wrap)."""
    return re.sub(r"\s+", " ", re.sub(r"[│┃┏┓┗┛┡┩└┘━─╇╈┳┻┼╋┴┬├┤]", " ", text))


@pytest.fixture()
def bracket_estimator():
    base.load_builtin_estimators()
    name = "zz_bracket_probe"
    info = EstimatorInfo(
        name, "zeroshot", False, True, True, False, bn_mode="eval", precision="float64", description=FORMULA
    )
    base.add_estimator(name, lambda: None, info=info)
    yield name
    del base.ESTIMATORS._entries[name]
    del base._ENTRIES[name]


def test_estimator_descriptions_print_literally_with_every_field(bracket_estimator):
    out = _flat(_invoke("estimators", bracket_estimator))
    assert "[a, b]" in out and "x[i]" in out and "[bold]not bold[/bold]" in out
    for header in ("family", "higher is better", "needs", "BN mode", "precision", "description"):
        assert header in out
    assert "zeroshot" in out and "False" in out and "data, labels" in out and "eval" in out and "float64" in out


def test_estimators_json_has_every_metadata_field(bracket_estimator):
    rows = json.loads(_invoke("estimators", "--json", bracket_estimator))
    assert len(rows) == 1
    info = rows[0]["info"]
    assert set(info) == {f.name for f in dataclasses.fields(EstimatorInfo)}
    assert info["description"] == FORMULA and info["needs_labels"] is True and info["bn_mode"] == "eval"


def test_builtin_proxies_show_bn_mode_and_precision():
    rows = {r["name"]: r["info"] for r in json.loads(_invoke("estimators", "--json", "syn*"))}
    assert rows["synflow"]["bn_mode"] == "removed" and rows["synflow"]["precision"] == "float64"
    out = _flat(_invoke("estimators", "synflow"))
    assert "removed" in out and "float64" in out


def test_criteria_ranges_and_descriptions_print_literally(monkeypatch):
    import naslens.criteria as crit

    real = crit.list_criteria

    def with_brackets(pattern: str = "*"):
        found = real(pattern)
        return {n: dataclasses.replace(i, description=f"{i.description} over [a, b]") for n, i in found.items()}

    monkeypatch.setattr(crit, "list_criteria", with_brackets)
    out = _flat(_invoke("criteria", "kendall_tau"))
    assert "[-1, 1]" in out and "over [a, b]" in out
    rows = json.loads(_invoke("criteria", "--json", "kendall_tau"))
    assert rows[0]["name"] == "kendall_tau" and rows[0]["range"] == [-1, 1] and rows[0]["default"] is True


def test_space_descriptions_print_literally(monkeypatch):
    import naslens.spaces as spaces

    real = spaces.list_spaces
    monkeypatch.setattr(
        spaces,
        "list_spaces",
        lambda pattern="*": {n: dataclasses.replace(i, description="cells [a, b]") for n, i in real(pattern).items()},
    )
    out = _flat(_invoke("spaces"))
    assert out.count("cells [a, b]") == len(real()) >= 2


def test_evaluate_help_shows_percent_once():
    out = _invoke("evaluate", "--help", env={"COLUMNS": "200"})
    assert "5%" in out and "5%%" not in out


def _walk(cmd, path):
    yield path, "help", cmd.help or ""
    for p in cmd.params:
        yield path, p.name, getattr(p, "help", None) or ""
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from _walk(sub, f"{path} {name}")


def test_no_help_text_has_a_doubled_percent_or_text_that_rich_would_swallow():
    markup = re.compile(r"(?<!\\)\[[a-z#/@][^\[\]]*\]")  # what Rich would read as a style tag
    bad = [
        (path, name, text[:80])
        for path, name, text in _walk(typer.main.get_command(app), "naslens")
        if "%%" in text or markup.search(text)
    ]
    assert bad == []
