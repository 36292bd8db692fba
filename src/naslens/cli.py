"""The ``naslens`` command line: a thin shell over the Python API (every command is one Python call)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from naslens.cli_errors import fail, guard_app

app = typer.Typer(
    name="naslens",
    help=(
        "naslens: how good are your NAS performance estimators?\n\n"
        "Score architectures with estimators (structural baselines, zero-shot proxies, one-shot supernets), compare "
        "the scores with benchmark ground truth using NAS-oriented criteria (Kendall tau, Spearman, P@top/bottom-K, "
        "best/worst ranking@K), and say exactly which ground truth, subset and estimator configuration every number "
        "comes from."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 150)


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _estimator_list(text: str, store: Path | None) -> list[str]:
    """``evaluate -e``: estimator names and ensemble specs, split as ``score --ensemble`` reads them
    (:func:`naslens.estimators.ensemble.split_estimators`); ensembles are read from ``--store`` and must be there."""
    from naslens.estimators.ensemble import EnsembleSpecError, is_ensemble_spec, split_estimators
    from naslens.store import ScoreStore

    names = split_estimators(text)
    ensembles = [n for n in names if is_ensemble_spec(n)]
    if ensembles:
        stored: set[str] = set()
        if store is not None:
            with ScoreStore(store, readonly=True) as st:
                stored = set(st.estimators())
        missing = [n for n in ensembles if n not in stored]
        if missing:
            where = f"--store {store} does not hold it" if store is not None else "no --store given"
            raise EnsembleSpecError(
                f"-e {missing[0]}: ensembles are read from a score store and {where}; store it first with "
                f"`naslens score --proxies <its proxy members> --ensemble {missing[0]} --store DIR`"
            )
    return names


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "-"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if f != f:
        return "nan"
    return f"{f:.{digits}f}"


def print_evaluation(ev: Any, show_k: list[str], con: Console | None = None) -> None:
    """Print an evaluation as a table headed by what the numbers are: the ground truth (and the architectures it
    left out), the subset and the coverage (M, what each estimator lacked), warnings, then one row per result
    with its ``n``, ``not scored`` and ``failed`` counts; refused criteria are listed with their reason."""
    con = con or console
    gt = ev.ground_truth
    src = gt.get("source", {})
    con.print(
        f"[bold]ground truth[/bold]: {escape(str(gt.get('metric')))} — dataset {escape(str(gt.get('dataset')))}, "
        f"split {escape(str(gt.get('split')))}, {gt.get('epochs')} epochs, {escape(str(gt.get('seed_aggregation')))}"
    )
    con.print(
        f"  file {escape(str(src.get('path')))} (sha256 {str(src.get('sha256', ''))[:12]}…, loader {src.get('loader')})"
    )
    left = gt.get("left_out")
    if left:
        con.print(
            f"  left out: {left['n']:,} architectures — {escape(left['reason'])} (e.g. "
            + escape(", ".join(left["examples"][:3]))
            + ")"
        )
    extra = gt.get("extra") or {}
    tau, ci = extra.get("seed_to_seed_kendall_tau"), extra.get("seed_to_seed_kendall_tau_ci95")
    if tau is not None:
        ci_txt = f" (95% bootstrap {ci[0]:.3f}–{ci[1]:.3f})" if ci else ""
        con.print(f"  noise ceiling: seed-to-seed Kendall τ of the ground truth's runs = {tau:.3f}{ci_txt}")
    cov = getattr(ev, "coverage", None) or {}
    mode = cov.get("mode", "each")
    m = cov.get("M") if mode == "common" else len(ev.rows)
    con.print(
        f"[bold]architectures[/bold]: space {ev.space}, subset [bold]{ev.subset}[/bold], {len(ev.rows):,} rows; "
        f"coverage [bold]{mode}[/bold], M = {m:,}; K as ratio of M: "
        + (", ".join(f"{k}→{n}" for k, n in ev.k_counts.items()) or "none")
    )
    if cov:
        _print_coverage(cov, con)
    if ev.skipped_ks:
        con.print(f"  refused K (empty top-K set): {', '.join(ev.skipped_ks)}")
    for w in getattr(ev, "warnings", None) or []:
        con.print(f"[yellow]warning[/yellow]: {escape(w)}")
    table = Table(
        title=f"criteria vs. {escape(str(gt.get('metric')))} ({ev.subset}, coverage {mode})", show_lines=False
    )
    table.add_column("estimator", style="bold", overflow="fold")  # long stored names (seeds) wrap, never cut
    from naslens.criteria import get_criterion

    chosen = [get_criterion(c).info for c in getattr(ev, "criteria", [])] or []
    plain = [c for c in chosen if not c.needs_k]
    per_k = [c for c in chosen if c.needs_k]
    for c in plain:
        table.add_column(c.short, justify="right")
    for k in show_k:
        for c in per_k:
            table.add_column(f"{c.short}@{k}", justify="right")
    for title in ("n", "not scored", "failed"):
        table.add_column(title, justify="right")
    table.add_column("config", justify="left")
    for name, r in ev.results.items():
        cells = [escape(name), *(_fmt(r.get(c.name)) for c in plain)]
        for k in show_k:
            cells += [_fmt((r.get(c.name) or {}).get(k), 3 if c.higher_is_better else 4) for c in per_k]
        cells += [f"{r['n_archs']:,}", f"{r.get('n_not_scored', 0):,}", f"{r['n_nonfinite']:,}"]
        table.add_row(*cells, r["estimator"]["config_hash"])
    con.print(table)
    for name, r in ev.results.items():
        if r.get("error"):
            con.print(f"  [bold]{escape(name)}[/bold]: refused — {escape(str(r['error']))}")
        elif r.get("k_counts"):
            own = ", ".join(f"{k}→{n}" for k, n in r["k_counts"].items())
            con.print(f"  {escape(name)}: n = {r['n_archs']:,}, its own K: {own}")
    con.print(
        "[dim]n = architectures the row is judged on; not scored = rows with no score in the store; failed = NaN / "
        "inf / failed scores. KD τ = Kendall tau-b; P@top/bot K = precision of the estimator's top/bottom-K among "
        "the true top/bottom-K; BR/WR@K = best/worst true rank / M among the estimator's top-K (lower is better). "
        "Ties: expected value under random tie-breaking.[/dim]"
    )


def _print_coverage(cov: dict[str, Any], con: Console) -> None:
    """What each estimator lacked, and what the rows of the table are judged on."""
    lacking = {k: v for k, v in (cov.get("lacking") or {}).items() if v.get("not_scored") or v.get("failed")}
    if cov.get("mode") == "common":
        head = f"  every estimator is judged on the {cov.get('M', 0):,} rows all of them have a finite score for"
    else:
        head = "  each estimator on its own rows with a finite score: rows with different n are not comparable"
    hint = "; --coverage each judges each on its own" if cov.get("mode") == "common" and lacking else ""
    con.print(head + hint)
    for label, v in lacking.items():
        bits = [f"{v[w]:,} {w.replace('_', ' ')}" for w in ("not_scored", "failed") if v.get(w)]
        con.print(f"    {escape(label)} lacked {' + '.join(bits)} of {cov.get('n_rows', 0):,} rows")


@app.command()
def evaluate(
    ground_truth: str = typer.Option(
        "nb201-200ep", "--ground-truth", "-g", help="Registered name (see `naslens ground-truths`) or file path."
    ),
    dataset: str = typer.Option(
        None, "--dataset", "-d", help="Ground-truth dataset: cifar10, cifar100, imagenet16-120…"
    ),
    metric: str = typer.Option(None, "--metric", help="Ground-truth column, when a dataset has several."),
    estimators: str = typer.Option(
        "params,flops,relu",
        "--estimators",
        "-e",
        help="Comma-separated estimator names and stored ensembles (`naslens score --ensemble`, same syntax): "
        "hybrid:zen+flops, vote:synflow+jacob_cov+snip, or vote:synflow,jacob_cov,snip written last.",
    ),
    subset: str = typer.Option(
        "all", "--subset", "-s", help="all | deiso | deiso-mean | deiso-gtmean (see naslens.subsets)."
    ),
    space: str = typer.Option(None, "--space", help="Search space (default: the ground truth's)."),
    criteria: str = typer.Option(
        None, "--criteria", help="Comma-separated criteria to compute (default: all of `naslens criteria`)."
    ),
    k: str = typer.Option(
        "0.005,0.01,0.05,0.1,0.2,0.5", "--k", help="Top-K values: ratios (0.05 or 5%) or counts (50), comma-separated."
    ),
    show_k: str = typer.Option("0.05", "--show-k", help="Which K columns to print (all are written to --out)."),
    store: Path = typer.Option(None, "--store", help="Score store folder holding stored estimators' scores."),
    checkpoint: str = typer.Option(None, "--checkpoint", help="Only this stored checkpoint (default: each one)."),
    seed: int = typer.Option(0, "--seed", help="Seed of seeded estimators (random)."),
    data_dir: Path = typer.Option(
        None, "--data-dir", help="Shared benchmark data folder (default $NASLENS_DATA or ../shared/data)."
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Write evaluation.json, evaluation.csv and scores.csv here."),
    report: bool = typer.Option(
        False, "--report", help="Also write the HTML report (diagnoses, figures) to OUT/report (needs --out)."
    ),
    batch_size: int = typer.Option(
        None, "--batch-size", min=1, help="Images per batch of zero-shot proxies computed here (default 128)."
    ),
    n_batches: int = typer.Option(
        None, "--n-batches", min=1, help="Batches per architecture of zero-shot proxies computed here (default 3)."
    ),
    threads: int = typer.Option(1, "--threads", min=1, help="Torch CPU threads for estimators computed here."),
    coverage: str = typer.Option(
        "common",
        "--coverage",
        help="common: every estimator on the architectures all of them have a finite score for (M rows, the same "
        "K: comparable rows); each: every estimator on its own scored architectures (n per row). Criteria over "
        "fewer than 10 architectures are refused (nan, with the reason).",
    ),
) -> None:
    """Compare estimators with a benchmark ground truth and print the criteria table.

    Estimators not in --store are computed here: structural ones instantly, zero-shot proxies on the network the
    ground truth was trained with (fused: one network and one set of shared passes per architecture, with a
    progress bar). For long runs use `naslens score` (resumable, stored) and pass its --store.

    Example: naslens evaluate -g nb201-200ep -d cifar10 -e params,flops,relu -s deiso -o runs/eval
    """
    from naslens.criteria import parse_k
    from naslens.evaluation import evaluate as run

    if report and out is None:
        fail("--report needs --out DIR", "naslens evaluate")
    from naslens.config import set_threads

    set_threads(threads)
    try:
        ks = [parse_k(t) for t in _split(k)]
        ev = run(
            space=space,
            ground_truth=ground_truth,
            dataset=dataset,
            metric=metric,
            estimators=_estimator_list(estimators, store),
            subset=subset,
            ks=ks,
            criteria=_split(criteria) if criteria else None,
            store=store,
            checkpoint=checkpoint,
            seed=seed,
            data_dir=data_dir,
            out=out,
            batch_size=batch_size,
            n_batches=n_batches,
            coverage=coverage,
        )
    except (ValueError, KeyError, RuntimeError) as e:  # criteria and K specs raise plain ValueErrors
        fail(e, "naslens evaluate")
    print_evaluation(ev, [parse_k_label(t) for t in _split(show_k)])
    if out is not None:
        console.print(f"wrote {out}/evaluation.json, evaluation.csv, scores.csv")
    if report and out is not None:
        from naslens.report import build_report

        page = build_report(out, out / "report", store=store)
        console.print(f"wrote the report: {page}")


def parse_k_label(text: str) -> str:
    from naslens.criteria import k_label, parse_k

    return k_label(parse_k(text))


def _mount_subcommands() -> None:
    """Command groups living in their own modules (each a thin shell over its Python API)."""
    from naslens import (
        cli_bench,
        cli_export,
        cli_listings,
        cli_oneshot,
        cli_predictor,
        cli_report,
        cli_score,
        cli_search,
    )

    app.command("ground-truths")(cli_listings.ground_truths)
    app.command("estimators")(cli_listings.list_estimators_cmd)
    app.command("criteria")(cli_listings.list_criteria_cmd)
    app.command("spaces")(cli_listings.spaces_cmd)
    app.command("score")(cli_score.score)
    app.command("report")(cli_report.report)
    app.command("export")(cli_export.export)
    app.add_typer(cli_oneshot.app, name="oneshot")
    app.add_typer(cli_bench.app, name="bench")
    app.add_typer(cli_predictor.app, name="predictor")
    app.add_typer(cli_search.search_app, name="search")
    guard_app(app)  # every command: user errors as one line on stderr, exit 2 (naslens.cli_errors)


_mount_subcommands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
