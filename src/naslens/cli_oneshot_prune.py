"""``naslens oneshot prune op|hard|soft``: the supernet pruning workflows (sharing-extent reduction), thin shells
over :mod:`naslens.estimators.oneshot.pruning`. Each works in one ``--out`` folder and is resumable: rerun the same
command after a kill."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from naslens.cli_errors import fail

app = typer.Typer(
    help="Supernet pruning workflows: operation, hard (top fraction) and soft (evolutionary) pruning, each compared "
    "with the unpruned supernet against a ground truth.",
    no_args_is_help=True,
)
console = Console()

GroundTruthOpt = Annotated[str, typer.Option("--ground-truth", "-g", help="ground truth (name or file)")]
DatasetOpt = Annotated[str | None, typer.Option("--dataset", "-d", help="its dataset (e.g. fashion-mnist)")]
MetricOpt = Annotated[str | None, typer.Option(help="its metric column (instead of --dataset)")]
ArchsOpt = Annotated[
    str | None, typer.Option(help="compared architectures: a file or 'a;b;c' (default: the ground truth's)")
]
ScoreOpt = Annotated[str, typer.Option(help="one-shot score compared: acc | loss")]
NBatchesOpt = Annotated[int, typer.Option(help="validation batches per architecture")]
BatchOpt = Annotated[int, typer.Option(help="images per validation batch")]
BnOpt = Annotated[str, typer.Option(help="train | recalibrate")]
KOpt = Annotated[str, typer.Option(help="K of P@topK: a ratio (0.1) or a count (10)")]
DeviceOpt = Annotated[str, typer.Option(help="auto | cpu | cuda")]
ThreadsOpt = Annotated[int | None, typer.Option(help="torch CPU threads")]


def _fail(message: str) -> NoReturn:
    fail(message, "naslens oneshot prune")


def _setup(
    checkpoint: Path, ground_truth: str, dataset: str | None, metric: str | None, archs: str | None,
    score: str, n_batches: int, batch_size: int, bn_mode: str, k: str, threads: int | None,
) -> tuple[Any, list[Any] | None]:  # fmt: skip
    """The evaluation settings and the given architectures (validated before any work)."""
    import torch

    from naslens.criteria import parse_k
    from naslens.estimators.oneshot.checkpoint import load_checkpoint
    from naslens.estimators.oneshot.prune_compare import PruneError, PruneEval, truth_from_ground_truth
    from naslens.estimators.oneshot.scoring import ScoreConfig
    from naslens.estimators.oneshot.train_config import SupernetTrainConfig
    from naslens.selection import select_archs

    if threads:
        torch.set_num_threads(threads)
    if dataset and metric:
        raise PruneError("give --dataset or --metric, not both")
    cfg = ScoreConfig(n_batches=n_batches, batch_size=batch_size, bn_mode=bn_mode)
    ev = PruneEval(truth_from_ground_truth(ground_truth, dataset, metric), cfg, score, parse_k(k))
    chosen = None
    if archs is not None:
        space = SupernetTrainConfig.from_dict(load_checkpoint(checkpoint)["config"]).search_space()
        chosen = select_archs(space, archs=archs, subset="all")
    return ev, chosen


def _show(result: Any) -> None:
    t = result.table
    table = Table("setting", "archs", "n", "supernet", "trained on", "epoch", "KD", "Spearman", "P@top", "NaN")
    for r in t.itertuples():
        table.add_row(
            r.setting, r.archs, str(r.n_archs), r.supernet, r.trained_on, str(r.epoch),
            f"{r.kendall_tau:.3f}", f"{r.spearman:.3f}", f"{r.p_at_top:.3f}", str(r.n_nan),
        )  # fmt: skip
    console.print(table)
    if len(t):
        row = t.iloc[0]
        console.print(f"{row.estimator} against {row.truth}; P@top K = {row.k} of each set → {result.path}")


_ERRORS = (ValueError, OSError, KeyError, RuntimeError)  # UserErrors are ValueErrors/RuntimeErrors too
# (typer.Exit is a RuntimeError: never call _fail inside a try that catches these)


@app.command("op")
def op_cmd(
    full: Annotated[Path, typer.Option(help="checkpoint of the unpruned (full-space) supernet")],
    op: Annotated[list[str], typer.Option(help="choice to prune (repeatable: one pruned supernet per op)")],
    out: Annotated[Path, typer.Option(help="workflow folder (supernets, store, comparison CSV)")],
    ground_truth: GroundTruthOpt,
    dataset: DatasetOpt = None,
    metric: MetricOpt = None,
    archs: ArchsOpt = None,
    score: ScoreOpt = "acc",
    n_batches: NBatchesOpt = 4,
    batch_size: BatchOpt = 256,
    bn_mode: BnOpt = "train",
    k: KOpt = "0.1",
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
) -> None:
    """Operation pruning: retrain without each op (same settings and epochs), compare on the sub-space."""
    from naslens.estimators.oneshot.pruning import prune_op

    try:
        ev, chosen = _setup(full, ground_truth, dataset, metric, archs, score, n_batches, batch_size, bn_mode, k,
                            threads)  # fmt: skip
        result = prune_op(full, op, out, ev, archs=chosen, device=device)
    except _ERRORS as e:
        _fail(str(e.args[0] if isinstance(e, KeyError) else e))
    _show(result)


@app.command("hard")
def hard_cmd(
    checkpoint: Annotated[Path, typer.Option(help="checkpoint whose scores rank the architectures")],
    out: Annotated[Path, typer.Option(help="workflow folder (supernets, store, comparison CSV)")],
    ground_truth: GroundTruthOpt,
    fractions: Annotated[str, typer.Option(help="comma-separated fractions kept")] = "0.1,0.25,0.5",
    epochs: Annotated[int, typer.Option(help="fine-tuning epochs")] = 10,
    lr: Annotated[float | None, typer.Option(help="fine-tuning learning rate (default: the checkpoint's last)")] = None,
    control: Annotated[bool, typer.Option(help="also fine-tune as long on the whole space")] = True,
    dataset: DatasetOpt = None,
    metric: MetricOpt = None,
    archs: ArchsOpt = None,
    score: ScoreOpt = "acc",
    n_batches: NBatchesOpt = 4,
    batch_size: BatchOpt = 256,
    bn_mode: BnOpt = "train",
    k: KOpt = "0.1",
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
) -> None:
    """Hard pruning: keep the top fractions by one-shot score, fine-tune on each kept set, compare on it."""
    from naslens.estimators.oneshot.pruning import prune_hard

    try:
        fr = [float(x) for x in fractions.split(",") if x.strip()]
    except ValueError:
        _fail(f"--fractions must be comma-separated numbers in (0, 1], got {fractions!r}")
    try:
        ev, chosen = _setup(checkpoint, ground_truth, dataset, metric, archs, score, n_batches, batch_size, bn_mode,
                            k, threads)  # fmt: skip
        result = prune_hard(
            checkpoint, out, ev, fractions=fr, epochs=epochs, lr=lr, control=control, archs=chosen, device=device
        )
    except _ERRORS as e:
        _fail(str(e.args[0] if isinstance(e, KeyError) else e))
    _show(result)


@app.command("soft")
def soft_cmd(
    full: Annotated[Path, typer.Option(help="checkpoint of the unpruned supernet (its settings are reused)")],
    out: Annotated[Path, typer.Option(help="workflow folder (supernets, store, comparison CSV)")],
    ground_truth: GroundTruthOpt,
    objective: Annotated[str, typer.Option(help="single (score) | pareto (score × path parameters)")] = "single",
    population: Annotated[int, typer.Option(help="population size")] = 100,
    warmup: Annotated[int, typer.Option(help="uniform epochs before the first controller update")] = 10,
    every: Annotated[int, typer.Option(help="Tc: epochs between controller updates")] = 5,
    candidates: Annotated[int, typer.Option(help="Sc: new architectures per update")] = 50,
    mix: Annotated[str, typer.Option(help="shares of candidates: random,crossover,mutation")] = "0.2,0.4,0.4",
    tournament: Annotated[int, typer.Option(help="members drawn per parent selection")] = 10,
    population_share: Annotated[float, typer.Option(help="share of trained archs drawn from the population")] = 0.5,
    reward: Annotated[str, typer.Option(help="controller reward: acc | loss")] = "acc",
    score_batches: Annotated[int, typer.Option(help="validation batches the controller scores on")] = 2,
    score_batch_size: Annotated[int, typer.Option(help="images per controller batch")] = 256,
    rescore: Annotated[bool, typer.Option(help="rescore the members at every update")] = True,
    dataset: DatasetOpt = None,
    metric: MetricOpt = None,
    archs: ArchsOpt = None,
    score: ScoreOpt = "acc",
    n_batches: NBatchesOpt = 4,
    batch_size: BatchOpt = 256,
    bn_mode: BnOpt = "train",
    k: KOpt = "0.1",
    device: DeviceOpt = "auto",
    threads: ThreadsOpt = None,
) -> None:
    """Soft pruning: train with the evolutionary sampler (same settings and epochs), compare with the unpruned."""
    from naslens.estimators.oneshot.prune_evo import EvoSettings
    from naslens.estimators.oneshot.pruning import prune_soft

    try:
        shares = tuple(float(x) for x in mix.split(","))
    except ValueError:
        _fail(f"--mix must be three comma-separated shares (random,crossover,mutation), got {mix!r}")
    try:
        settings = EvoSettings(
            population=population, warmup=warmup, every=every, candidates=candidates, mix=shares,  # type: ignore[arg-type]
            tournament=tournament, objective=objective, population_share=population_share, reward=reward,
            score_batches=score_batches, score_batch_size=score_batch_size, rescore=rescore,
        )  # fmt: skip
        ev, chosen = _setup(full, ground_truth, dataset, metric, archs, score, n_batches, batch_size, bn_mode, k,
                            threads)  # fmt: skip
        result = prune_soft(full, out, ev, settings, archs=chosen, device=device)
    except _ERRORS as e:
        _fail(str(e.args[0] if isinstance(e, KeyError) else e))
    _show(result)
