"""``naslens predictor``: list predictors, fit and judge them on seeded training sets, multi-stage search.

Examples::

    naslens predictor list
    naslens predictor fit-eval --space nb201 -g nb201-200ep -d cifar10 --predictor mlp,random_forest \\
        --train-size 39,78,390,781 --loss ranking,regression --train-sets 3 --seeds 20,2020,202020 \\
        --eval-on all,heldout --out runs/pred
    naslens predictor fit-eval -g nb201-fmnist --metric fashion-mnist --predictor mlp --train-size 78 \\
        --target store:runs/oneshot/uniform/store:oneshot_acc:seed=0:checkpoint=epoch-0120 --out runs/oracle
    naslens predictor multistage -g nb201-200ep -d cifar10 --predictor mlp --stages 5 --per-stage 78 --out runs/ms

Every option is checked before any work is done or any file is created; a bad one is a one-line error on stderr
(exit 2). Rerun with the same arguments, a command computes only what its --out folder lacks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(help="Predictors fitted on a few measured architectures.", no_args_is_help=True)
console = Console(width=None if sys.stdout.isatty() else 150)

# options that fit-eval and multistage share word for word (the defaults stand in each signature)
GroundTruthOption = Annotated[str, typer.Option("--ground-truth", "-g", help="registered name or file path")]
MetricOption = Annotated[str | None, typer.Option("--metric", help="ground-truth column, when a dataset has several")]
SpaceOption = Annotated[str | None, typer.Option("--space", help="search space (default: the ground truth's)")]
PredictorOption = Annotated[str, typer.Option("--predictor", "-p", help="comma-separated predictor names")]
ThreadsOption = Annotated[int, typer.Option("--threads", min=1, help="torch CPU threads")]
QuietOption = Annotated[bool, typer.Option("--quiet", help="no progress display")]


def fail(message: str) -> NoReturn:
    """Print ``message`` as one line on stderr and exit with status 2."""
    typer.echo(f"naslens predictor: error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(2)


def _errors() -> tuple[type[Exception], ...]:
    from naslens.store import StoreError

    return (ValueError, KeyError, StoreError, FileNotFoundError)


def _message(e: Exception) -> str:
    return str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _ints(text: str, option: str) -> list[int]:
    try:
        return [int(t) for t in _names(text)]
    except ValueError:
        fail(f"{option}: expected comma-separated integers, got {text!r}")


def _settings(items: list[str] | None) -> dict[str, Any]:
    from naslens.config import parse_settings

    parts = [p for item in items or [] for p in item.split(",")]
    return parse_settings(parts, "--set")


def _print_truth(truth: Any, space: str, pool: int | None = None) -> None:
    p = truth.provenance
    src = p.get("source", {})
    console.print(
        f"[bold]ground truth[/bold]: {escape(truth.name)} metric {escape(truth.metric)} — dataset {p.get('dataset')}, "
        f"split {p.get('split')}, {p.get('epochs')} epochs, {escape(str(p.get('seed_aggregation')))}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  file {escape(str(src.get('path')))} (sha256 {str(src.get('sha256', ''))[:12]}…)",
        highlight=False,
        soft_wrap=True,
    )
    pool_txt = "" if pool is None or pool == len(truth.keys) else f"; {pool} of them with a target value (the pool)"
    console.print(
        f"[bold]architectures[/bold]: space {space}, M = {len(truth.keys)} with a ground-truth value"
        f" ({p.get('n_archs_without_value', 0)} without){pool_txt}",
        highlight=False,
        soft_wrap=True,
    )
    r = p.get("restricted_to")
    if r:
        console.print(
            f"  restricted to --archs {escape(str(r['archs']))}: {r['n_with_value']} of its {r['n_given']} "
            f"architectures have a value (keys sha256 {r['keys_sha256'][:12]}…)",
            highlight=False,
            soft_wrap=True,
        )


def _print_params(kinds: dict[str, str], built: dict[str, Any]) -> None:
    for name, pred in built.items():
        params = {k: v for k, v in pred.get_params(deep=False).items() if k not in ("space", "random_state", "loss")}
        text = ", ".join(f"{k}={v}" for k, v in params.items()) or "(no hyperparameters)"
        console.print(f"  [bold]{name}[/bold] ({kinds[name]}): {escape(text)}", highlight=False, soft_wrap=True)


@app.command("list")
def list_cmd(pattern: str = typer.Argument("*", help="shell-style pattern of predictor names")) -> None:
    """List the registered predictors: kind (neural ones take --loss), encoding, hyperparameters and defaults."""
    from naslens.estimators.predictors import create_predictor, list_predictors

    table = Table("name", "kind", "encoding", "hyperparameters (defaults)", "description")
    for name, info in list_predictors(pattern).items():
        params = create_predictor(name).get_params(deep=False)
        text = ", ".join(f"{k}={v!r}" for k, v in params.items())
        table.add_row(name, info.kind, info.encoding, escape(text), escape(info.description))
    console.print(table)


def _fmt(mean: float, std: float, digits: int = 3) -> str:
    if mean != mean:
        return "nan"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _print_summary(summary: Any, oracle: bool) -> None:
    table = Table(title="predictors: mean ± std over training sets × seeds")
    for col in ("predictor", "n", "loss", "eval on", "runs", "KD τ", "Spearman", "P@top 5%", "BR@1%"):
        table.add_column(col, justify="left" if col in ("predictor", "loss", "eval on") else "right")
    if oracle:
        table.add_column("KD τ vs target", justify="right")
        table.add_column("P@top 5% vs target", justify="right")
    table.add_column("non-finite", justify="right")
    table.add_column("fit s", justify="right")
    for _, r in summary.iterrows():
        cells = [str(r["predictor"]), str(r["train_size"]), str(r["loss"]), str(r["eval_on"])]
        cells += [str(r["n_runs"]) + (f" ({r['n_runs_nan']} NaN)" if r.get("n_runs_nan", 0) else "")]
        cells += [_fmt(r[f"{c}_mean"], r[f"{c}_std"], 4 if c == "br_at_1pct" else 3) for c in _crit()]
        if oracle:
            cells += [_fmt(r[f"{c}_target_mean"], r[f"{c}_target_std"]) for c in ("kendall_tau", "p_at_top_5pct")]
        cells += [str(r["n_nonfinite"]), f"{r['fit_seconds_mean']:.2f}"]
        table.add_row(*cells)
    console.print(table)
    console.print(
        "[dim]KD τ = Kendall tau-b; P@top 5% = share of the true top-5% in the predicted top-5% (K = floor(0.05 M)); "
        "BR@1% = best true rank / M among the predicted top-1% (lower is better); M = evaluated architectures "
        "(all: every ground-truth architecture; heldout: those not in the training set) with a finite prediction."
        "[/dim]"
    )


def _crit() -> tuple[str, ...]:
    from naslens.predictor_eval import CRITERIA

    return CRITERIA


@app.command("fit-eval")
def fit_eval_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="output folder (created; rerun the same command to resume)"),
    ground_truth: GroundTruthOption = "nb201-200ep",
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="ground-truth dataset (cifar10, …)"),
    metric: MetricOption = None,
    space: SpaceOption = None,
    predictor: PredictorOption = "mlp",
    train_size: str = typer.Option("78", "--train-size", help="comma-separated training-set sizes"),
    loss: str = typer.Option("ranking", "--loss", help="losses of neural predictors: ranking, regression, bce"),
    train_sets: int = typer.Option(3, "--train-sets", help="training sets per size (seeded by (set, size))"),
    seeds: str = typer.Option("20,2020,202020", "--seeds", help="predictor seeds, comma-separated"),
    eval_on: str = typer.Option("all", "--eval-on", help="all | heldout | all,heldout"),
    set_: list[str] | None = typer.Option(None, "--set", help="hyperparameter KEY=VALUE (repeatable), e.g. epochs=50"),
    target: str | None = typer.Option(
        None, "--target", help="fit on a stored estimator: store:PATH:ESTIMATOR[:config=H][:seed=S][:checkpoint=C]"
    ),
    archs: str | None = typer.Option(
        None,
        "--archs",
        help="restrict the pool and the evaluation to these architectures: a file (one per line) or gt:NAME",
    ),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="shared data folder (default $NASLENS_DATA)"),
    threads: ThreadsOption = 1,
    quiet: QuietOption = False,
) -> None:
    """Fit every (predictor, size, loss, training set, seed), judge it against the ground truth, store its
    predictions (OUT/scores, readable by `naslens evaluate --store`) and print the summary. With --archs, training
    sets are drawn from and predictions judged on those architectures only (recorded in provenance.json)."""
    from naslens.config import set_threads
    from naslens.predictor_data import load_truth, resolve_target
    from naslens.predictor_eval import run_fit_eval
    from naslens.predictor_plan import plan_fit_eval
    from naslens.selection import candidates
    from naslens.spaces import get_space

    set_threads(threads)
    try:
        params = _settings(set_)
        sizes = _ints(train_size, "--train-size")
        seed_list = _ints(seeds, "--seeds")
        truth = load_truth(ground_truth, space=space, dataset=dataset, metric=metric, data_dir=data_dir)
        sp = get_space(space or truth.space)
        if archs is not None:
            truth = truth.restrict([sp.key(a) for a in candidates(sp, archs) or []], archs)
        tgt = resolve_target(target, truth)
        plan = plan_fit_eval(
            sp,
            truth,
            tgt,
            predictors=_names(predictor),
            train_sizes=sizes,
            losses=_names(loss),
            train_sets=train_sets,
            seeds=seed_list,
            eval_on=_names(eval_on),
            out=out,
            params=params,
        )
    except _errors() as e:
        fail(_message(e))
    _print_truth(truth, sp.info.name, len(tgt.pool(truth)))
    tp = tgt.provenance
    console.print(
        "[bold]target[/bold]: "
        + (
            "the ground truth"
            if tgt.is_truth
            else f"stored estimator {escape(tp['estimator'])} (config {tp['config_hash']}, seed {tp['seed']}, "
            f"checkpoint {escape(tp['checkpoint'] or '-')}) in {escape(tp['store'])}"
            + (" — lower is better, negated" if tp["negated"] else "")
            + f"; {tgt.n_nonfinite} non-finite stored scores left out"
        ),
        highlight=False,
        soft_wrap=True,
    )
    first = {p: next(e.predictor for k, e in plan.estimators.items() if k[0] == p) for p in plan.kinds}
    console.print(
        "[bold]predictors[/bold] (hyperparameters; --set overrides applied):", highlight=False, soft_wrap=True
    )
    _print_params(plan.kinds, first)
    console.print(
        f"[bold]grid[/bold]: sizes {sizes}, {train_sets} training set(s) per size (set s of size n drawn by "
        f"default_rng((s, n)), the same for every predictor), seeds {seed_list}, eval on {', '.join(plan.eval_on)}; "
        f"{len(plan.runs)} runs, {len(plan.done)} already in {out}",
        highlight=False,
        soft_wrap=True,
    )
    try:
        result = run_fit_eval(plan, progress=not quiet)
    except _errors() as e:
        fail(_message(e))
    _print_summary(result.summary, plan.oracle)
    bad = int(result.results["n_nonfinite"].sum()) if not result.results.empty else 0
    if bad:
        console.print(f"[yellow]warning[/yellow]: {bad} non-finite predictions (left out of their run's criteria)")
    console.print(
        f"computed {result.computed} run(s); wrote {out}/results.csv, summary.csv, runs.jsonl, provenance.json and "
        f"the predictions to {out}/scores (naslens evaluate --store {out}/scores -e <stored_name>)",
        highlight=False,
        soft_wrap=True,
    )


@app.command("multistage")
def multistage_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="output folder (created; rerun to resume)"),
    ground_truth: GroundTruthOption = "nb201-200ep",
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="ground-truth dataset"),
    metric: MetricOption = None,
    space: SpaceOption = None,
    predictor: PredictorOption = "mlp",
    loss: str = typer.Option("ranking", "--loss", help="loss of neural predictors"),
    stages: int = typer.Option(5, "--stages", help="number of stages"),
    per_stage: int = typer.Option(78, "--per-stage", help="architectures revealed per stage (N)"),
    seeds: str = typer.Option("0", "--seeds", help="seeds (initial set and predictor), comma-separated"),
    k: str = typer.Option("1,7,11", "--k", help="absolute K of BR@K, comma-separated"),
    set_: list[str] | None = typer.Option(None, "--set", help="hyperparameter KEY=VALUE (repeatable)"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="shared data folder"),
    threads: ThreadsOption = 1,
    quiet: QuietOption = False,
) -> None:
    """Predictor-guided search: fit on N random architectures, then each stage reveals the predicted top-N not yet
    known and refits; per-stage figures in OUT/multistage.csv."""
    from naslens.config import set_threads
    from naslens.predictor_data import load_truth
    from naslens.predictor_multistage import check_multistage, check_out, multistage
    from naslens.predictor_plan import check_losses, check_predictors, split_params, takes_loss
    from naslens.spaces import get_space

    set_threads(threads)
    try:
        params = _settings(set_)
        seed_list = _ints(seeds, "--seeds")
        ks = _ints(k, "--k")
        truth = load_truth(ground_truth, space=space, dataset=dataset, metric=metric, data_dir=data_dir)
        sp = get_space(space or truth.space)
        kinds = check_predictors(_names(predictor))
        if takes_loss(list(kinds)):
            check_losses([loss])
        split_params(list(kinds), params)
        check_multistage(truth, stages, per_stage, ks)
        from naslens.predictor_multistage import _settings as ms_settings

        check_out(out, ms_settings(sp.info.name, truth, per_stage, ks, params))
        if not seed_list:
            fail("--seeds: give at least one seed")
    except _errors() as e:
        fail(_message(e))
    _print_truth(truth, sp.info.name)
    console.print(
        f"[bold]multistage[/bold]: {stages} stages × N = {per_stage}; stage 1 fits on a random set (default_rng((seed, "
        f"N))), each later stage reveals the predicted top-{per_stage} not yet known; seeds {seed_list}; BR@K for K = "
        f"{ks} over all M architectures",
        highlight=False,
        soft_wrap=True,
    )
    try:
        result = None
        for name in kinds:
            for seed in seed_list:
                result = multistage(
                    sp.info.name,
                    truth.name,
                    name,
                    stages,
                    per_stage,
                    seed,
                    out=out,
                    loss=loss,
                    params=params,
                    params_for=list(kinds),
                    ks=ks,
                    progress=not quiet,
                    truth=truth,
                )
    except _errors() as e:
        fail(_message(e))
    assert result is not None
    table = Table(title=f"multistage search (N = {per_stage})")
    cols = ["predictor", "seed", "stage", "n_known", "best_found", "best_found_rank", "known_std", "kendall_tau"]
    cols += [f"br_at_{x}" for x in ks] + ["p_at_top_0.1pct"]
    for c in cols:
        table.add_column(c, justify="left" if c == "predictor" else "right")
    df = result.table
    for _, r in df[df["stage"] <= stages].iterrows():
        table.add_row(*(f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    console.print(table)
    console.print(
        "[dim]best_found = best ground truth among the known architectures, best_found_rank its true rank (1 = best); "
        "br_at_K = expected best true rank among the predictor's top-K (ratio columns in the CSV); kendall_tau over "
        "all M.[/dim]"
    )
    console.print(f"wrote {out}/multistage.csv, multistage.jsonl, multistage.json", highlight=False, soft_wrap=True)
