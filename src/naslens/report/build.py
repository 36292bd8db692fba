"""``build_report``: one self-contained HTML page, plus every table (CSV, JSON) and figure (PNG, SVG).

A report is built in a hidden sibling folder (``.<name>.partial-<pid>``) and moved into place only when complete
(:func:`staged_report`), so a failed or interrupted build leaves nothing behind and never half-replaces a previous
report.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from naslens.report import sections_bias, sections_overview, sections_runs
from naslens.report.context import ReportContext
from naslens.report.evaluation_data import EvaluationData, ReportError, load_evaluation
from naslens.report.html import Page

REPORT_FILE = "report.html"
REPORT_ENTRIES = ("tables", "figures", "report.json", REPORT_FILE)
"""What a report consists of in its folder, in the order a new one is moved in (the page last)."""


def build_report(
    evaluation_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    store: str | os.PathLike[str] | None = None,
    *,
    runs: Sequence[str | os.PathLike[str]] = (),
    n_groups: int = 5,
    n_budgets: int = 5,
    top_k: int = 10,
    criteria: Sequence[str] | None = None,
) -> Path:
    """Write the report of an evaluation folder (``naslens evaluate --out DIR``) into ``out_dir``.

    Output: ``report.html`` (self-contained: CSS inline, figures as PNG data URIs), ``report.json`` (manifest of
    sections, tables, figures and any analysis that failed, with the reason), ``tables/*.csv|json`` and
    ``figures/*.png|svg``. Sections: what was evaluated (ground-truth provenance, estimator configurations, status
    counts), criteria (and their trend over checkpoints), ground truth vs score, Kendall-τ matrix, complexity bias,
    mutation pairs, isomorphism, top-K lists, budgets (mBR), Pareto view; plus one-shot diagnostics when
    ``forgetting.csv`` / ``gradient_similarity.csv`` lie in a ``runs`` folder, the evaluation or the store folder
    (the first found is used), and the store's
    contents and seed stability when ``store`` is given.

    Atomic: the inputs are checked before any file is created; the report is written into a temporary sibling folder
    and moved into ``out_dir`` only once complete (see :func:`staged_report`). If the build fails or is interrupted,
    nothing is left behind and a previous report in ``out_dir`` stays intact; a successful rebuild replaces the
    previous report as a whole (stale tables and figures go) and keeps every other file of ``out_dir``.

    Args:
        evaluation_dir: Folder with ``evaluation.json`` and ``scores.csv``.
        out_dir: Folder to write (created with its parents; a previous report there is replaced, other files kept).
        store: Optional score-store folder (``ScoreStore``).
        runs: One-shot run folders to search for ``forgetting.csv`` / ``gradient_similarity.csv``.
        n_groups: Complexity groups for the bias and Pareto analyses.
        n_budgets: Budgets for mBR.
        top_k: Length of the top lists.
        criteria: Criteria shown, by name (``naslens.criteria.list_criteria()``; default: the standard set).

    Returns:
        Path of ``report.html``.

    Raises:
        ReportError: If the evaluation folder or the store is unusable, or ``out_dir`` is a file.
    """
    from naslens.criteria import resolve_criteria

    try:
        resolve_criteria(criteria)
    except ValueError as e:
        raise ReportError(str(e)) from e
    data = load_evaluation(evaluation_dir)
    store_dir = Path(store) if store is not None else None
    if store_dir is not None and not (store_dir / "scores.sqlite").exists():
        raise ReportError(f"no score store at {store_dir} (expected {store_dir / 'scores.sqlite'})")
    final = Path(out_dir)
    with staged_report(final) as out:
        _build(data, out, evaluation_dir, store_dir, runs, n_groups, n_budgets, top_k, criteria)
    return final / REPORT_FILE


def _build(
    data: EvaluationData,
    out: Path,
    evaluation_dir: str | os.PathLike[str],
    store_dir: Path | None,
    runs: Sequence[str | os.PathLike[str]],
    n_groups: int,
    n_budgets: int,
    top_k: int,
    criteria: Sequence[str] | None,
) -> None:
    prov = data.provenance
    page = Page(
        title=f"naslens report — {data.meta.get('space', '?')}, {prov.get('metric', '?')}",
        header_lines=[
            data.gt_label(),
            f"Estimators: {', '.join(data.orientation)}",
            f"Evaluation folder: {Path(evaluation_dir).resolve()} · generated "
            f"{_dt.datetime.now(_dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} "
            f"by naslens {data.meta.get('naslens_version', '?')}",
        ],
    )
    ctx = ReportContext(data=data, out=out, page=page)
    ctx.manifest["evaluation"] = str(Path(evaluation_dir).resolve())
    ctx.manifest["ground_truth"] = prov
    ctx.manifest["subset"] = data.meta.get("subset")
    search = [*map(Path, runs), Path(evaluation_dir), *([store_dir] if store_dir else [])]
    steps: list[tuple[str, Callable[[], None]]] = [
        ("overview", lambda: sections_overview.overview(ctx)),
        ("criteria", lambda: sections_overview.criteria(ctx, criteria)),
        ("scatter", lambda: sections_overview.scatter(ctx)),
        ("kendall-matrix", lambda: sections_overview.kendall(ctx)),
        ("complexity-bias", lambda: sections_bias.complexity(ctx, n_groups)),
        ("mutations", lambda: sections_bias.mutations(ctx, n_groups)),
        ("isomorphism", lambda: sections_bias.isomorphism(ctx)),
        ("top-ranked", lambda: sections_bias.top_lists(ctx, top_k)),
        ("budgets", lambda: sections_bias.budgets(ctx, n_budgets)),
        ("pareto", lambda: sections_bias.pareto(ctx, n_groups)),
        ("oneshot", lambda: sections_runs.oneshot(ctx, search)),
    ]
    if store_dir is not None:
        steps.append(("store", lambda: sections_runs.store(ctx, store_dir)))
    for name, step in steps:
        n_before = len(page.sections)
        try:
            step()
        except (ValueError, KeyError) as exc:  # an analysis that cannot run on this input is shown, not hidden
            section = page.sections[-1] if len(page.sections) > n_before else ctx.section(name, name, False)
            ctx.error(section, name, exc)
    ctx.write_manifest()
    (out / REPORT_FILE).write_text(page.render(), encoding="utf-8")


@contextlib.contextmanager
def staged_report(out: Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``out`` to build a report in, published into ``out`` when the block ends.

    On success the previous report's entries (:data:`REPORT_ENTRIES`) are set aside, the new ones moved in (the
    page last) and the old ones deleted; other files of ``out`` are kept. When ``out`` does not exist the whole
    folder is renamed into place (atomic). On any exception (Ctrl-C included) the temporary folder and any parent
    folders created for it are removed and ``out`` is left as it was. A temporary folder left by a killed build
    (its process gone) is removed by the next build of the same ``out``.

    Raises:
        ReportError: ``out`` is an existing file.
    """
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out}: is a file, not a folder")
    parent = out.parent
    created = next((p for p in reversed((parent, *parent.parents)) if not p.exists()), None)
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    stage = parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
        _publish(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_empty_parents(parent, created)
        raise


def _publish(stage: Path, out: Path) -> None:
    if not out.exists():
        with contextlib.suppress(OSError):  # created meanwhile: publish entry by entry below
            os.rename(stage, out)
            return
    old = out.parent / f".{out.name}.previous-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    old.mkdir()
    set_aside: list[str] = []
    moved_in: list[str] = []
    try:
        for name in REPORT_ENTRIES:
            if os.path.lexists(out / name):
                os.rename(out / name, old / name)
                set_aside.append(name)
        for name in REPORT_ENTRIES:
            if os.path.lexists(stage / name):
                os.rename(stage / name, out / name)
                moved_in.append(name)
    except BaseException:  # put the previous report back as it was
        for name in moved_in:
            with contextlib.suppress(OSError):
                os.rename(out / name, stage / name)
        for name in set_aside:
            with contextlib.suppress(OSError):
                os.rename(old / name, out / name)
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)


def _remove_stale(out: Path) -> None:
    """Remove temporary folders of ``out`` whose build process is gone (POSIX: asked with signal 0)."""
    if os.name != "posix":
        return
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(?:partial|previous)-(\d+)$")
    for p in out.parent.iterdir():
        m = pattern.match(p.name)
        if m is None or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
        except OSError:  # alive, another user's
            continue


def _remove_empty_parents(parent: Path, created: Path | None) -> None:
    """Remove ``parent`` and its ancestors up to ``created`` (the topmost folder this build created), if empty."""
    if created is None:
        return
    p = parent
    while True:
        try:
            p.rmdir()
        except OSError:
            return
        if p == created or p == p.parent:
            return
        p = p.parent
