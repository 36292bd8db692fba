"""``naslens oneshot``: train supernets of any space with one, score checkpoints into a store, combine scores,
gradient conflicts, pruning workflows (``prune``, :mod:`naslens.cli_oneshot_prune`). Every command takes
``--space`` (train: default the ground truth's or recipe's space, else ``nb201``; the others: default the space of
the checkpoint or store; ``prune``: the checkpoint's)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any, NoReturn

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from naslens.cli_errors import fail, guard_app
from naslens.cli_oneshot_prune import app as prune_app

app = typer.Typer(help="One-shot (weight-sharing supernet) estimators.", no_args_is_help=True)
console = Console()


def _fail(message: str) -> NoReturn:
    fail(message, "naslens oneshot")


@app.command()
def train(
    out: Annotated[Path, typer.Option(help="run folder (checkpoints, config.json, history.csv)")],
    ground_truth: Annotated[
        str | None, typer.Option(help="take network/data settings from this ground truth's recipe (e.g. nb201-fmnist)")
    ] = None,
    recipe: Annotated[Path | None, typer.Option(help="take network/data settings from a recipe YAML")] = None,
    space: Annotated[
        str | None, typer.Option(help="search space (default: the ground truth's / recipe's, else nb201)")
    ] = None,
    net: Annotated[
        list[str] | None,
        typer.Option(help="network setting KEY=VALUE of the space, repeatable (nb201: C=8; nb-macro: init_channels=8)"),
    ] = None,
    sampler: Annotated[
        str, typer.Option(help="uniform | deiso | deiso-rejection | fairnas (evolutionary: oneshot prune soft)")
    ] = "uniform",
    samples: Annotated[int, typer.Option(help="architectures per step (Monte-Carlo S)")] = 1,
    ops: Annotated[str | None, typer.Option(help="comma-separated choices allowed at every position")] = None,
    subspace: Annotated[Path | None, typer.Option(help="file with the architectures to sample from")] = None,
    require_conv: Annotated[
        bool, typer.Option(help="leave out the space's trivial architectures (nb201: no effective convolution)")
    ] = False,
    grad_averaging: Annotated[str, typer.Option(help="per-param | mean")] = "per-param",
    input_size: Annotated[int | None, typer.Option(help="image side in pixels")] = None,
    channels: Annotated[int | None, typer.Option(help="image channels (1 or 3)")] = None,
    n_train: Annotated[int | None, typer.Option(help="training images")] = None,
    n_val: Annotated[int | None, typer.Option(help="validation images")] = None,
    data_seed: Annotated[int | None, typer.Option(help="train/validation split seed")] = None,
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
    from naslens.estimators.oneshot.samplers import DEFAULT_SPACE
    from naslens.estimators.oneshot.train_config import (
        SupernetTrainConfig,
        TrainConfigError,
        config_from_recipe,
        parse_net_items,
        recipe_from_ground_truth,
    )
    from naslens.estimators.oneshot.trainer import train_supernet
    from naslens.selection import read_arch_file
    from naslens.spaces import get_space

    if threads:
        torch.set_num_threads(threads)
    try:
        if ground_truth and recipe:
            _fail("give --ground-truth or --recipe, not both")
        rec = recipe_from_ground_truth(ground_truth) if ground_truth else Recipe.from_yaml(recipe) if recipe else None
        if ground_truth:
            from naslens.benchmarks import load_ground_truth

            gt_space = load_ground_truth(ground_truth).space  # its recipe trained networks of that space
            if space is not None and get_space(space).name != gt_space:
                _fail(f"ground truth {ground_truth!r} trains {gt_space} networks, not {space} networks")
            space = gt_space
        overrides: dict[str, Any] = {
            k: v
            for k, v in {
                "space": space,
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
            sp = get_space(space or DEFAULT_SPACE)
            sub = tuple(sp.key(a) for a in read_arch_file(sp, subspace))
        settings: dict[str, Any] = dict(
            **overrides,
            net=parse_net_items(net),
            sampler=sampler,
            samples=samples,
            subspace=sub,
            require_conv=require_conv,
            grad_averaging=grad_averaging,
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
        cfg = config_from_recipe(rec, **settings) if rec is not None else SupernetTrainConfig.from_dict(settings)
        result = train_supernet(
            cfg, out, resume=resume, device=device, stop_after=stop_after, forgetting_images=forgetting_images
        )
    except typer.Exit:  # a message already printed by _fail inside the try (click's Exit is a RuntimeError)
        raise
    except FloatingPointError as e:  # diverged: the last checkpoint before it is kept
        _fail(f"{e}; the run folder keeps the last finished epoch (lower --lr or --grad-clip and use another folder)")
    except (TrainConfigError, RecipeError, ValueError, OSError, RuntimeError, KeyError) as e:  # RuntimeError:
        _fail(str(e.args[0] if isinstance(e, KeyError) else e))  # CheckpointError, torch errors (out of memory)
    h = result.history[-1] if result.history else None
    done = f"epoch {h['epoch']}: train loss {h['train_loss']:.4f}, acc {h['train_acc']:.3f}" if h else "nothing to do"
    console.print(f"[green]trained[/green] {out} ({cfg.space} supernet, config {cfg.hash}); {done}")


@app.command()
def score(
    checkpoints: Annotated[list[str], typer.Option(help="checkpoint .pt, run folder, or FOLDER:last-K (repeatable)")],
    store: Annotated[Path, typer.Option(help="score store folder")],
    space: Annotated[str | None, typer.Option(help="search space (default: the checkpoints' space)")] = None,
    archs: Annotated[
        str | None, typer.Option(help="architectures: a file (one per line), gt:<ground truth>, or 'a;b;c'")
    ] = None,
    subset: Annotated[
        str | None,
        typer.Option(
            help="deiso | all (default: deiso for the whole space, else all); a file or gt:<ground truth> here "
            "is read as --archs (the form earlier versions took)"
        ),
    ] = None,
    sample: Annotated[int | None, typer.Option(help="score a seeded random sample of this size")] = None,
    seed: Annotated[int, typer.Option(help="seed of --sample")] = 0,
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
    from naslens.estimators.oneshot.score_checkpoints import checkpoint_space, score_checkpoints
    from naslens.estimators.oneshot.scoring import ScoreConfig
    from naslens.selection import SUBSETS, select_archs
    from naslens.spaces import get_space
    from naslens.store import ScoreStore

    if threads:
        torch.set_num_threads(threads)
    if subset is not None and subset not in SUBSETS and archs is None:
        archs, subset = subset, None  # earlier versions took files and gt:NAME as --subset
    try:
        refs = resolve_checkpoints(checkpoints)
        sp = get_space(space or checkpoint_space(refs))
        chosen = select_archs(sp, archs=archs, subset=subset, sample=sample, seed=seed)
        cfg = ScoreConfig(n_batches=n_batches, batch_size=batch_size, bn_mode=bn_mode, calib_batches=calib_batches)
        with ScoreStore(store) as st:
            rows = score_checkpoints(refs, chosen, st, cfg, space=sp, weight_average=weight_average, device=device)
    except (CheckpointError, ValueError, OSError, KeyError) as e:
        _fail(str(e.args[0] if isinstance(e, KeyError) else e))
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
    what = archs or subset or "default subset"
    console.print(f"{len(chosen)} {sp.name} architectures ({what}) × {len(rows)} checkpoints in {store}")


@app.command()
def combine(
    store: Annotated[Path, typer.Option(help="score store folder")],
    kind: Annotated[str, typer.Option(help="savg (last-k checkpoints) | seeds | classmean")],
    space: Annotated[str | None, typer.Option(help="search space (default: the one the store holds)")] = None,
    estimator: Annotated[list[str], typer.Option(help="estimator(s) to combine")] = ["oneshot_acc", "oneshot_loss"],  # noqa: B006
    k: Annotated[int, typer.Option(help="window of savg")] = 3,
    seed: Annotated[list[int] | None, typer.Option(help="seed(s): the run of savg, the seeds of 'seeds'")] = None,
    config_hash: Annotated[str | None, typer.Option(help="configuration hash when a store holds several")] = None,
) -> None:
    """Variance reduction on stored scores: temporal / seed ensembles and post-de-isomorphism class means."""
    from naslens.estimators.oneshot.ensembles import class_average, seed_average, stored_space, temporal_score_average
    from naslens.spaces import get_space
    from naslens.store import ScoreStore, StoreError

    if kind not in ("savg", "seeds", "classmean"):
        _fail(f"kind must be savg, seeds or classmean, got {kind!r}")
    try:
        with ScoreStore(store, create=False) as st:
            sp = get_space(space).name if space else stored_space(st, estimator)
            for est in estimator:
                if kind == "savg":
                    for s in seed or [0]:
                        labels = temporal_score_average(st, sp, est, k=k, seed=s, config_hash_=config_hash)
                        console.print(f"{est}@savg{k} seed {s}: {len(labels)} checkpoints")
                elif kind == "seeds":
                    labels = seed_average(st, sp, est, seeds=seed, config_hash_=config_hash)
                    console.print(f"{est}@seeds: {len(labels)} checkpoints")
                else:
                    n = class_average(st, sp, est, config_hash_=config_hash)
                    console.print(f"{est}@classmean: {n} (seed, checkpoint) combinations")
    except (StoreError, ValueError, KeyError) as e:
        _fail(str(e.args[0] if isinstance(e, KeyError) else e))


@app.command()
def gradcos(
    checkpoint: Annotated[Path, typer.Option(help="supernet checkpoint .pt")],
    out: Annotated[Path, typer.Option(help="CSV: pair, arch_a, arch_b, parameter, cosine")],
    space: Annotated[str | None, typer.Option(help="search space (default: the checkpoint's; must match it)")] = None,
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
    from naslens.spaces import get_space

    if pairs < 1 or batch_size < 2:
        _fail(f"pairs must be ≥ 1 and batch-size ≥ 2, got {pairs} and {batch_size}")
    rows = []
    try:
        ck = load_checkpoint(checkpoint, map_location="cpu")
        cfg = SupernetTrainConfig.from_dict(ck["config"])
        if space and get_space(space).name != cfg.space:
            raise ValueError(f"{checkpoint} is a supernet of space {cfg.space!r}, not {space!r}")
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
        key = sampler.space.key
        for i in range(pairs):
            a, b = sampler.step(rng)
            for name, cos in gradient_cosine(model, a, b, x, y).items():
                rows.append({"pair": i, "arch_a": key(a), "arch_b": key(b), "parameter": name, "cosine": cos})
    except (CheckpointError, ValueError, RuntimeError, OSError, KeyError) as e:
        _fail(str(e.args[0] if isinstance(e, KeyError) else e))
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["pair", "arch_a", "arch_b", "parameter", "cosine"])
        w.writeheader()
        w.writerows(rows)
    vals = np.array([r["cosine"] for r in rows], dtype=float)
    console.print(f"{pairs} pairs, {len(rows)} shared tensors, mean cosine {np.nanmean(vals):.3f} → {out}")


app.add_typer(prune_app, name="prune")  # naslens oneshot prune op|hard|soft (naslens.cli_oneshot_prune)
guard_app(app, "naslens oneshot")  # user errors: one line on stderr, exit 2 (naslens.cli_errors)
