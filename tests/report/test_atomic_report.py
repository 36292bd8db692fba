"""A report is published only when complete: a failed build leaves nothing behind and keeps a previous report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.report.conftest import write_synthetic_evaluation

from naslens.report import build_report, sections_bias, sections_overview, sections_runs
from naslens.report.evaluation_data import ReportError

SLOW_SECTIONS = (
    (sections_overview, "scatter"),
    (sections_overview, "kendall"),
    (sections_bias, "complexity"),
    (sections_bias, "mutations"),
    (sections_bias, "isomorphism"),
    (sections_bias, "top_lists"),
    (sections_bias, "budgets"),
    (sections_bias, "pareto"),
    (sections_runs, "oneshot"),
)


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_evaluation(tmp_path_factory.mktemp("evaluation"), n=150)


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the overview and criteria sections run (they write tables); the others are skipped, for speed."""
    for module, name in SLOW_SECTIONS:
        monkeypatch.setattr(module, name, lambda *a, **k: None)


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom: a section failed")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _old_report(out: Path) -> dict[str, bytes]:
    """A previous report (its page, manifest, one table, one figure) and a file of the user's beside it."""
    (out / "tables").mkdir(parents=True)
    (out / "figures").mkdir()
    (out / "report.html").write_text("<html>the previous report</html>")
    (out / "report.json").write_text("{}")
    (out / "tables" / "stale_table.csv").write_text("a\n1\n")
    (out / "figures" / "stale_figure.png").write_bytes(b"png")
    (out / "notes.txt").write_text("the user's own notes")
    return _snapshot(out)


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_build_leaves_no_folder(
    evaluation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick: None, error: type[BaseException]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error("interrupted mid-way")

    monkeypatch.setattr(sections_bias, "complexity", fail)  # after overview and criteria wrote their tables
    out = tmp_path / "new" / "nested" / "report"
    with pytest.raises(error, match="mid-way"):
        build_report(evaluation, out)
    assert list(tmp_path.iterdir()) == []  # no report folder, no temporary folder, not even the parents


def test_a_failed_rebuild_keeps_the_previous_report(
    evaluation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick: None
) -> None:
    out = tmp_path / "report"
    before = _old_report(out)
    monkeypatch.setattr(sections_bias, "mutations", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        build_report(evaluation, out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_rebuild_replaces_the_report_and_keeps_other_files(evaluation: Path, tmp_path: Path, quick: None) -> None:
    out = tmp_path / "report"
    _old_report(out)
    page = build_report(evaluation, out)
    assert page == out / "report.html"
    assert "the previous report" not in page.read_text()
    assert (out / "notes.txt").read_text() == "the user's own notes"
    assert not (out / "tables" / "stale_table.csv").exists()  # the old report went as a whole
    assert not (out / "figures").exists() or not (out / "figures" / "stale_figure.png").exists()
    assert (out / "report.json").stat().st_size > 2 and any((out / "tables").glob("*.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_new_report_folder_is_complete(evaluation: Path, tmp_path: Path, quick: None) -> None:
    page = build_report(evaluation, tmp_path / "a" / "b" / "report")
    assert page.exists() and (page.parent / "report.json").exists()
    assert sorted(p.name for p in page.parent.parent.iterdir()) == ["report"]


@pytest.mark.skipif(os.name != "posix", reason="stale folders are recognised by asking for their process (POSIX)")
def test_the_temporary_folder_of_a_killed_build_is_removed_next_time(
    evaluation: Path, tmp_path: Path, quick: None
) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # that process has exited
    leftover = tmp_path / f".report.partial-{pid}"
    (leftover / "tables").mkdir(parents=True)
    other = tmp_path / f".other.partial-{pid}"  # another output's: not ours to remove
    other.mkdir()
    build_report(evaluation, tmp_path / "report")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([other.name, "report"])


def test_an_out_path_that_is_a_file_is_refused_before_any_work(evaluation: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.write_text("not a folder")
    with pytest.raises(ReportError, match="is a file"):
        build_report(evaluation, out)
    assert out.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
