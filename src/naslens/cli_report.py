"""``naslens report``: turn an evaluation folder into one self-contained HTML page (plus CSV/JSON/PNG/SVG).

Thin shell over :func:`naslens.report.build_report`; the lead's ``naslens`` app registers :func:`report`
(``app.command("report")(report)``), and ``app`` here runs it standalone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from naslens.cli_errors import guard_app

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command("report")
def report(
    evaluation: Annotated[
        Path, typer.Option("--evaluation", "-e", help="Folder written by `naslens evaluate --out DIR`.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write report.html, tables/ and figures/.")] = Path(
        "report"
    ),
    store: Annotated[
        Path | None, typer.Option("--store", help="Score-store folder: adds its contents and seed stability.")
    ] = None,
    run: Annotated[
        list[Path] | None,
        typer.Option("--run", help="One-shot run folder with forgetting.csv / gradient_similarity.csv (repeatable)."),
    ] = None,
    groups: Annotated[int, typer.Option("--groups", min=1, help="Complexity groups (bias, Pareto).")] = 5,
    budgets: Annotated[int, typer.Option("--budgets", min=1, help="Number of budgets for mBR.")] = 5,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="Length of the top-ranked lists.")] = 10,
    criteria: Annotated[
        str | None, typer.Option("--criteria", help="Comma-separated criteria to show (see `naslens criteria`).")
    ] = None,
) -> None:
    """Write the HTML report of an evaluation: criteria with ground-truth provenance, bias diagnoses, mBR, top lists.

    Example: naslens report --evaluation runs/eval --out runs/report
    """
    from naslens.report import build_report

    names = [c.strip() for c in criteria.split(",") if c.strip()] if criteria else None
    path = build_report(  # a ReportError (a UserError) becomes one line on stderr, exit 2 (naslens.cli_errors)
        evaluation, out, store, runs=run or (), n_groups=groups, n_budgets=budgets, top_k=top_k, criteria=names
    )
    typer.echo(f"report written to {path} (tables in {path.parent / 'tables'}, figures in {path.parent / 'figures'})")


guard_app(app, "naslens")  # user errors: one line on stderr, exit 2 (naslens.cli_errors)


if __name__ == "__main__":  # pragma: no cover
    app()
