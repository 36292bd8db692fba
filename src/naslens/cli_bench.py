"""``naslens bench``: build a ground truth by training architectures standalone (mounted by ``naslens.cli``).

Commands: ``build`` (train and export, resumable), ``export`` (table from a build folder), ``status`` (progress of
a build folder) and ``train`` (one architecture, epoch by epoch).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from naslens.cli_errors import guard_app, one_line

if TYPE_CHECKING:  # torch-heavy modules load inside the commands, so `naslens --help` stays fast
    from naslens.benchmarks.ground_truth import GroundTruth
    from naslens.benchmarks.train import EpochRecord, TrainResult

app = typer.Typer(help="Build ground truth by training architectures standalone.", no_args_is_help=True)
console = Console(stderr=True)


def _errors() -> tuple[type[Exception], ...]:
    """Errors reported as a one-line message (evaluated only when an exception is being matched)."""
    from naslens.benchmarks.builder import BuildError
    from naslens.benchmarks.recipe import RecipeError
    from naslens.benchmarks.train import TrainingError
    from naslens.data.fashion_mnist import FashionMNISTError

    return (BuildError, RecipeError, TrainingError, FashionMNISTError, ValueError)


def _fail(e: Exception) -> typer.Exit:
    typer.echo(f"naslens bench: error: {one_line(e)}", err=True)
    return typer.Exit(2)


def _duration(seconds: float) -> str:
    """``3h07m12s`` style."""
    s = round(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m{s % 60:02d}s"


def _print_gt_summary(gt: GroundTruth, dest: Path) -> None:
    x = gt.extra
    tau = x.get("seed_to_seed_kendall_tau")
    ci = x.get("seed_to_seed_kendall_tau_ci95")
    ci_txt = f" (95% bootstrap interval {ci[0]:.3f}–{ci[1]:.3f})" if ci else ""
    console.print(
        f"wrote {dest}: {x['n_archs']} architectures, {x['runs']} runs, {x['n_archs_two_seeds']} with two seeds, "
        f"seed-to-seed Kendall τ (test accuracy) = {'n/a' if tau is None else f'{tau:.3f}'}{ci_txt}"
    )


@app.command()
def build(
    recipe: Annotated[Path, typer.Option(help="recipe YAML (see recipes/)")],
    out: Annotated[Path, typer.Option(help="build folder (created; rerun the same command to resume)")],
    space: Annotated[str, typer.Option(help="search space")] = "nb201",
    data: Annotated[str, typer.Option(help="dataset; must match the recipe's")] = "fashion-mnist",
    archs: Annotated[
        str | None,
        typer.Option(help="gt:NAME (a ground truth's architectures), or the spec all | deiso | sample:N"),
    ] = None,
    subset: Annotated[str | None, typer.Option(help="all | deiso (the whole space, or one per class)")] = None,
    sample: Annotated[
        int | None,
        typer.Option(help="a seeded sample of N de-isomorphic architectures (nested: a larger N extends a build)"),
    ] = None,
    sample_seed: Annotated[int, typer.Option(help="seed of --sample")] = 0,
    seeds: Annotated[str, typer.Option(help="training seeds, e.g. 0,1")] = "0",
    multi_seed: Annotated[
        int | None, typer.Option(help="train seeds after the first only on the first N sampled architectures")
    ] = None,
    workers: Annotated[int, typer.Option(help="parallel worker processes")] = 1,
    threads: Annotated[int, typer.Option(help="torch threads per worker")] = 1,
    device: Annotated[str | None, typer.Option(help="cpu / cuda (default: cuda when present)")] = None,
    limit: Annotated[int | None, typer.Option(help="stop after this many new runs")] = None,
    export: Annotated[bool, typer.Option(help="write ground_truth.json when done")] = True,
) -> None:
    """Train every (architecture, seed) pair of the plan, appending each result; rerun to resume after a kill."""
    from naslens.benchmarks.builder import BuildError, build_summary, export_ground_truth, plan_from, run_build
    from naslens.benchmarks.recipe import Recipe

    try:
        if archs is not None and (subset is not None or sample is not None):
            raise BuildError("give --archs, or --subset / --sample, not both")
        if sample is not None and subset not in (None, "deiso"):
            raise BuildError("--sample draws de-isomorphic architectures; it takes no --subset all")
        spec = archs or (f"sample:{sample}" if sample is not None else subset or "sample:100")
        rec = Recipe.from_yaml(recipe)
        if rec.dataset != data:
            raise BuildError(f"--data {data!r} differs from the recipe's dataset {rec.dataset!r}")
        plan = plan_from(space, spec, seeds, rec, sample_seed=sample_seed, multi_seed=multi_seed)
        summary = build_summary(out) if (out / "build.json").exists() else None
    except _errors() as e:
        raise _fail(e) from e
    n_jobs = len(plan.jobs())
    done_before = summary["finished"] if summary else 0
    console.print(f"build {out}: {n_jobs} runs planned, {done_before} already finished; recipe {rec.name}")
    start = time.perf_counter()
    progress = Progress(
        TextColumn("[bold]training"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[last]}"),
        console=console,
        disable=not console.is_terminal,
    )
    task = progress.add_task("train", total=None, last="")

    def on_result(res: TrainResult, finished: int, total: int) -> None:
        progress.update(task, total=total, completed=finished, last=f"{res.test_acc:.2f}% {res.seconds:.1f}s")
        if not console.is_terminal:
            elapsed = time.perf_counter() - start
            eta = elapsed / finished * (total - finished)
            console.print(
                f"[{finished}/{total}] seed {res.seed} test {res.test_acc:.2f}% {res.seconds:.1f}s "
                f"ETA {_duration(eta)} {res.arch}",
                highlight=False,
                soft_wrap=True,
            )

    try:
        with progress:
            n = run_build(out, plan, workers=workers, threads=threads, device=device, limit=limit, on_result=on_result)
        console.print(f"{n} runs finished in {time.perf_counter() - start:.0f} s")
        if export:
            gt = export_ground_truth(out)
            _print_gt_summary(gt, out / "ground_truth.json")
    except _errors() as e:
        raise _fail(e) from e


@app.command("export")
def export_cmd(
    out: Annotated[Path, typer.Argument(help="build folder")],
    dest: Annotated[Path | None, typer.Option(help="where to write (default OUT/ground_truth.json)")] = None,
    origin: Annotated[str, typer.Option(help="free text recorded as the table's origin")] = "",
) -> None:
    """Write the ground-truth table of everything a build folder has finished so far."""
    from naslens.benchmarks.builder import export_ground_truth

    try:
        gt = export_ground_truth(out, dest, origin=origin)
    except _errors() as e:
        raise _fail(e) from e
    _print_gt_summary(gt, dest or out / "ground_truth.json")


@app.command()
def status(out: Annotated[Path, typer.Argument(help="build folder")]) -> None:
    """How far a build folder is."""
    from naslens.benchmarks.builder import build_summary

    try:
        s = build_summary(out)
    except _errors() as e:
        raise _fail(e) from e
    eta = s["pending"] * s["mean_seconds"] if s["mean_seconds"] else None
    table = Table(title=str(out))
    for col in ("planned", "finished", "pending", "s/run", "ETA (1 worker)"):
        table.add_column(col, justify="right")
    table.add_row(
        str(s["planned"]),
        str(s["finished"]),
        str(s["pending"]),
        "-" if s["mean_seconds"] is None else f"{s['mean_seconds']:.1f}",
        "-" if eta is None else _duration(eta),
    )
    Console().print(table)


@app.command()
def train(
    arch: Annotated[str, typer.Argument(help="architecture (benchmark string or index)")],
    recipe: Annotated[Path, typer.Option(help="recipe YAML")],
    seed: Annotated[int, typer.Option(help="training seed")] = 0,
    space: Annotated[str, typer.Option(help="search space")] = "nb201",
    device: Annotated[str | None, typer.Option(help="cpu / cuda (default: cuda when present)")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="also write the result as JSON")] = None,
) -> None:
    """Train one architecture and print train loss, validation and test accuracy per epoch."""
    from naslens.benchmarks.recipe import Recipe
    from naslens.benchmarks.train import train_architecture

    table = Table("epoch", "lr", "train loss", "train acc %", "val acc %", "test acc %", "s")

    def fmt(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}"

    def on_epoch(r: EpochRecord) -> None:
        table.add_row(
            str(r.epoch), f"{r.lr:.4f}", f"{r.train_loss:.4f}", fmt(r.train_acc), fmt(r.val_acc), fmt(r.test_acc),
            f"{r.seconds:.1f}",
        )  # fmt: skip
        console.print(f"epoch {r.epoch}: loss {r.train_loss:.4f}", highlight=False)

    try:
        if json_out is not None and (json_out.is_dir() or not json_out.parent.is_dir()):
            why = "is a folder" if json_out.is_dir() else "its folder does not exist"
            raise ValueError(f"--json {json_out}: {why}")
        rec = Recipe.from_yaml(recipe)
        res = train_architecture(arch, rec, seed, space=space, device=device, on_epoch=on_epoch)
    except _errors() as e:
        raise _fail(e) from e
    Console().print(table)
    Console().print(f"{res.arch} seed {seed}: test {res.test_acc:.2f}%, {res.params} params, {res.seconds:.1f} s")
    if json_out is not None:  # written whole or not at all: a temporary file, then a rename
        tmp = json_out.with_name(f".{json_out.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(res.to_dict(), indent=2) + "\n")
            os.replace(tmp, json_out)
        finally:
            tmp.unlink(missing_ok=True)


guard_app(app, "naslens bench")  # user errors: one line on stderr, exit 2 (naslens.cli_errors)


if __name__ == "__main__":
    app()
