"""``build_report``: one self-contained HTML page, plus every table (CSV, JSON) and figure (PNG, SVG)."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from naslens.report import sections_bias, sections_overview, sections_runs
from naslens.report.context import ReportContext
from naslens.report.evaluation_data import ReportError, load_evaluation
from naslens.report.html import Page

REPORT_FILE = "report.html"


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

    Args:
        evaluation_dir: Folder with ``evaluation.json`` and ``scores.csv``.
        out_dir: Folder to write (created; existing files of the same names are replaced).
        store: Optional score-store folder (``ScoreStore``).
        runs: One-shot run folders to search for ``forgetting.csv`` / ``gradient_similarity.csv``.
        n_groups: Complexity groups for the bias and Pareto analyses.
        n_budgets: Budgets for mBR.
        top_k: Length of the top lists.
        criteria: Criteria shown, by name (``naslens.criteria.list_criteria()``; default: the standard set).

    Returns:
        Path of ``report.html``.

    Raises:
        ReportError: If the evaluation folder or the store is unusable.
    """
    from naslens.criteria import resolve_criteria

    try:
        resolve_criteria(criteria)
    except ValueError as e:
        raise ReportError(str(e)) from e
    data = load_evaluation(evaluation_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    store_dir = Path(store) if store is not None else None
    if store_dir is not None and not (store_dir / "scores.sqlite").exists():
        raise ReportError(f"no score store at {store_dir} (expected {store_dir / 'scores.sqlite'})")
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
    path = out / REPORT_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page.render(), encoding="utf-8")
    os.replace(tmp, path)
    return path
