"""``naslens oneshot``: train NB201 supernets, score checkpoints into a store, combine scores, gradient conflicts."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any, NoReturn

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="One-shot (weight-sharing supernet) estimators on NB201.", no_args_is_help=True)
console = Console()


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


@app.command()
def train(
    out: Annotated[Path, typer.Option(help="run folder (checkpoints, config.json, history.csv)")],
    ground_truth: Annotated[
        str | None, typer.Option(help="take network/data settings from this ground truth's recipe (e.g. nb201-fmnist)")
    ] = None,
    recipe: Annotated[Path | None, typer.Option(help="take network/data settings from a recipe YAML")] = None,
    sampler: Annotated[str, typer.Option(help="uniform | deiso | deiso-rejection | fairnas")] = "uniform",
    samples: Annotated[int, typer.Option(help="architectures per step (Monte-Carlo S)")] = 1,
    ops: Annotated[str | None, typer.Option(help="comma-separated ops allowed on every edge")] = None,
    subspace: Annotated[Path | None, typer.Option(help="file with the architectures to sample from")] = None,
    require_conv: Annotated[
        bool, typer.Option(help="sample only architectures with an effective convolution (aw_nas)")
    ] = False,
    grad_averaging: Annotated[str, typer.Option(help="per-param | mean")] = "per-param",
    C: Annotated[int | None, typer.Option("--C", help="channels of the first stage")] = None,
    N: Annotated[int | None, typer.Option("--N", help="cells per stage")] = None,
    input_size: Annotated[int | None, typer.Option(help="image side in pixels")] = None,
    channels: Annotated[int | None, typer.Option(help="image channels (1 or 3)")] = None,
    n_train: Annotated[int | None, typer.Option(help="training images")] = None,
    n_val: Annotated[int | None, typer.Option(help="validation images")] = None,
    data_seed: Annotated[int | None, typer.Option(help="train/validation split seed")] = None,
    bn_affine: Annotated[bool, typer.Option(help="learnable γ/β in cell BatchNorms")] = False,
    dropout: Annotated[float, typer.Option(help="dropout before the classifier")] = 0.1,
    epochs: Annotated[int, typer.Option(help="training epochs")] = 10,
    batch_size: Annotated[int, typer.Option(help="images per step")] = 256,
    lr: Annotated[float, typer.Option(help="SGD learning rate")] = 0.05,
    weight_decay: Annotated[float, typer.Option(help="SGD weight decay")] = 5e-4,
    grad_clip: Annotated[float, typer.Option(help="gradient-norm clip")] = 5.0,
    scheduler: Annotated[str, typer.Option(help="plateau | cosine")] = "plateau",
    patience: Annotated[int, typer.Option(help="ReduceLROnPlateau patience (epochs)")] = 30,
    factor: Annotated[float, typer.Option(help="ReduceLROnPlateau factor")] = 0.5,
    seed: Annotated[int, typer.Option(help="training seed")] = 0,
    checkpoint_every: Annotated[int, typer.Option(help="keep a checkpoint every k epochs")] = 1,
    resume: Annotated[bool, typer.Option(help="continue the run in --out from last.pt")] = False,
    stop_after: Annotated[int | None, typer.Option(help="stop after this epoch (continue later with --resume)")] = None,
    forgetting_images: Annotated[int, typer.Option(help="record forgetting values on this many val images")] = 0,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda")] = "auto",
    threads: Annotated[int | None, typer.Option(help="torch CPU threads")] = None,
) -> None:
    """Train a supernet; checkpoints every k epochs; --resume continues exactly."""
    import torch

    from naslens.benchmarks.recipe import Recipe, RecipeError
    from naslens.estimators.oneshot.train_config import TrainConfigError, config_from_recipe, recipe_from_ground_truth
    from naslens.estimators.oneshot.trainer import train_supernet
    from naslens.spaces.nb201 import NB201Arch

    if threads:
        torch.set_num_threads(threads)
    try:
        if ground_truth and recipe:
            _fail("give --ground-truth or --recipe, not both")
        rec = (
            recipe_from_ground_truth(ground_truth) if ground_truth else Recipe.from_yaml(recipe) if recipe else Recipe()
        )
        overrides: dict[str, Any] = {
            k: v
            for k, v in {
                "C": C,
                "N": N,
                "input_size": input_size,
                "channels": channels,
                "n_train": n_train,
                "n_val": n_val,
                "data_seed": data_seed,
            }.items()
            if v is not None
        }
        sub: tuple[str, ...] = ()
        if subspace is not None:
            lines = [ln.strip() for ln in subspace.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
            sub = tuple(
                NB201Arch.from_string(ln).to_string()
                if ln.startswith("|")
                else NB201Arch.from_index(int(ln)).to_string()
                for ln in lines
            )
        cfg = config_from_recipe(
            rec,
            **overrides,
            sampler=sampler,
            samples=samples,
            subspace=sub,
            require_conv=require_conv,
            grad_averaging=grad_averaging,
            bn_affine=bn_affine,
            dropout=dropout,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            weight_decay=weight_decay,
            grad_clip=grad_clip,
            scheduler=scheduler,
            patience=patience,
            factor=factor,
            seed=seed,
            checkpoint_every=checkpoint_every,
            **({"ops": tuple(o.strip() for o in ops.split(","))} if ops else {}),
        )
        result = train_supernet(
            cfg, out, resume=resume, device=device, stop_after=stop_after, forgetting_images=forgetting_images
        )
    except FloatingPointError as e:  # diverged: the last checkpoint before it is kept
        _fail(f"{e}; the run folder keeps the last finished epoch (lower --lr or --grad-clip and use another folder)")
    except (TrainConfigError, RecipeError, ValueError, OSError, RuntimeError) as e:  # RuntimeError: CheckpointError,
        _fail(str(e))  # sampler errors, torch errors (e.g. out of memory)
    h = result.history[-1] if result.history else None
    done = f"epoch {h['epoch']}: train loss {h['train_loss']:.4f}, acc {h['train_acc']:.3f}" if h else "nothing to do"
    console.print(f"[green]trained[/green] {out} (config {cfg.hash}); {done}")


@app.command()
def score(
    checkpoints: Annotated[list[str], typer.Option(help="checkpoint .pt, run folder, or FOLDER:last-K (repeatable)")],
    store: Annotated[Path, typer.Option(help="score store folder")],
    subset: Annotated[str, typer.Option(help="deiso | all | gt:<ground truth> | file of architectures")] = "deiso",
    sample: Annotated[int | None, typer.Option(help="score a seeded random subset of this size")] = None,
    sample_seed: Annotated[int, typer.Option(help="seed of --sample")] = 0,
    n_batches: Annotated[int, typer.Option(help="validation batches per architecture")] = 5,
    batch_size: Annotated[int, typer.Option(help="images per validation batch")] = 256,
    bn_mode: Annotated[str, typer.Option(help="train | recalibrate")] = "train",
    calib_batches: Annotated[int, typer.Option(help="training batches for BN recalibration")] = 4,
    weight_average: Annotated[int, typer.Option(help="temporal ensemble: average the weights of k checkpoints")] = 1,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda")] = "auto",
    threads: Annotated[int | None, typer.Option(help="torch CPU threads")] = None,
) -> None:
    """Score architectures (accuracy and loss) at every checkpoint into a resumable store."""
    import torch

    from naslens.estimators.oneshot.checkpoint import CheckpointError, resolve_checkpoints
    from naslens.estimators.oneshot.score_checkpoints import score_checkpoints, select_archs
    from naslens.estimators.oneshot.scoring import ScoreConfig
    from naslens.store import ScoreStore

    if threads:
        torch.set_num_threads(threads)
    try:
        refs = resolve_checkpoints(checkpoints)
        archs = select_archs(subset, sample=sample, seed=sample_seed)
        cfg = ScoreConfig(n_batches=n_batches, batch_size=batch_size, bn_mode=bn_mode, calib_batches=calib_batches)
        with ScoreStore(store) as st:
            rows = score_checkpoints(refs, archs, st, cfg, weight_average=weight_average, device=device)
    except (CheckpointError, ValueError, OSError) as e:
        _fail(str(e))
    table = Table("checkpoint", "seed", "scored", "skipped (stored)", "outside its ops", "mean acc %", "mean loss")
    for r in rows:
        table.add_row(
            r.label,
            str(r.seed),
            str(r.scored),
            str(r.skipped),
            str(r.outside),
            f"{r.mean_acc:.2f}",
            f"{r.mean_loss:.4f}",
        )
    console.print(table)
    console.print(f"{len(archs)} architectures ({subset}) × {len(rows)} checkpoints in {store}")


@app.command()
def combine(
    store: Annotated[Path, typer.Option(help="score store folder")],
    kind: Annotated[str, typer.Option(help="savg (last-k checkpoints) | seeds | classmean")],
    estimator: Annotated[list[str], typer.Option(help="estimator(s) to combine")] = ["oneshot_acc", "oneshot_loss"],  # noqa: B006
    k: Annotated[int, typer.Option(help="window of savg")] = 3,
    seed: Annotated[list[int] | None, typer.Option(help="seed(s): the run of savg, the seeds of 'seeds'")] = None,
    config_hash: Annotated[str | None, typer.Option(help="configuration hash when a store holds several")] = None,
) -> None:
    """Variance reduction on stored scores: temporal / seed ensembles and post-de-isomorphism class means."""
    from naslens.estimators.oneshot.ensembles import class_average, seed_average, temporal_score_average
    from naslens.store import ScoreStore, StoreError

    if kind not in ("savg", "seeds", "classmean"):
        _fail(f"kind must be savg, seeds or classmean, got {kind!r}")
    try:
        with ScoreStore(store, create=False) as st:
            for est in estimator:
                if kind == "savg":
                    for s in seed or [0]:
                        labels = temporal_score_average(st, "nb201", est, k=k, seed=s, config_hash_=config_hash)
                        console.print(f"{est}@savg{k} seed {s}: {len(labels)} checkpoints")
                elif kind == "seeds":
                    labels = seed_average(st, "nb201", est, seeds=seed, config_hash_=config_hash)
                    console.print(f"{est}@seeds: {len(labels)} checkpoints")
                else:
                    n = class_average(st, "nb201", est, config_hash_=config_hash)
                    console.print(f"{est}@classmean: {n} (seed, checkpoint) combinations")
    except (StoreError, ValueError) as e:
        _fail(str(e))


@app.command()
def gradcos(
    checkpoint: Annotated[Path, typer.Option(help="supernet checkpoint .pt")],
    out: Annotated[Path, typer.Option(help="CSV: pair, arch_a, arch_b, parameter, cosine")],
    pairs: Annotated[int, typer.Option(help="random architecture pairs")] = 20,
    batch_size: Annotated[int, typer.Option(help="images of the shared batch")] = 256,
    seed: Annotated[int, typer.Option(help="seed of the pairs")] = 0,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda")] = "auto",
) -> None:
    """Per-layer gradient cosine similarity between random architecture pairs on the same validation batch."""
    from naslens.estimators.oneshot.checkpoint import CheckpointError, load_checkpoint
    from naslens.estimators.oneshot.instrumentation import gradient_cosine
    from naslens.estimators.oneshot.train_config import SupernetTrainConfig
    from naslens.estimators.oneshot.trainer import build_sampler, build_supernet, load_data, resolve_device

    if pairs < 1 or batch_size < 2:
        _fail(f"pairs must be ≥ 1 and batch-size ≥ 2, got {pairs} and {batch_size}")
    rows = []
    try:
        ck = load_checkpoint(checkpoint, map_location="cpu")
        cfg = SupernetTrainConfig.from_dict(ck["config"])
        dev = resolve_device(device)
        model = build_supernet(cfg)
        model.load_state_dict(ck["model"])
        model.to(dev)
        data = load_data(cfg)
        if len(data.val_y) < batch_size:
            raise ValueError(f"the validation split has {len(data.val_y)} images, batch-size asks for {batch_size}")
        x, y = data.val_x[:batch_size].to(dev), data.val_y[:batch_size].to(dev)
        rng = np.random.default_rng(seed)
        # pairs from the space the supernet was trained on (its ops / sub-space / require_conv), uniformly
        sampler = build_sampler(cfg.replace(sampler="uniform", samples=2))
        for i in range(pairs):
            a, b = sampler.step(rng)
            for name, cos in gradient_cosine(model, a, b, x, y).items():
                rows.append(
                    {"pair": i, "arch_a": a.to_string(), "arch_b": b.to_string(), "parameter": name, "cosine": cos}
                )
    except (CheckpointError, ValueError, RuntimeError, OSError) as e:
        _fail(str(e))
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["pair", "arch_a", "arch_b", "parameter", "cosine"])
        w.writeheader()
        w.writerows(rows)
    vals = np.array([r["cosine"] for r in rows], dtype=float)
    console.print(f"{pairs} pairs, {len(rows)} shared tensors, mean cosine {np.nanmean(vals):.3f} → {out}")
