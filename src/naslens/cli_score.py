"""``naslens score``: score architectures of a space with zero-shot proxies into a resumable score store.

Example::

    naslens score --space nb201 --proxies all --data cifar10 --subset deiso --sample 1000 --seed 0 --store runs/zs
    naslens score --space nb-macro --proxies synflow,nwot --data cifar10 --sample 20 --seed 0 --store runs/zs-macro
    naslens score --proxies snip,synflow,nwot --data noise --archs my_archs.txt --store runs/zs --workers 2
    naslens score --proxies zen --ensemble hybrid:zen+flops --sample 200 --store runs/zs
    naslens score --proxies synflow --net C=8,N=1,in_channels=1,input_size=16 --dataset fashion-mnist --store runs/f

Every option is checked before any work is done or any file is created; a bad one is a one-line error (exit 2).
Killed and rerun with the same arguments, it computes only what the store lacks.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import typer

from naslens.cli_errors import fail as fail_once
from naslens.cli_errors import guard_app
from naslens.types import UserError

app = typer.Typer(help="Zero-shot scoring of search spaces.", no_args_is_help=True)


class ScoreOptionError(UserError, ValueError):
    """A ``naslens score`` option is invalid (the message names it)."""


def fail(message: str) -> NoReturn:
    """Print ``message`` as one line on stderr and exit with status 2."""
    fail_once(message, "naslens score")


def resolve_proxies(spec: str) -> list[str]:
    """``all``, or comma-separated names / shell patterns (``grad_*``), in registry order, no duplicates.

    Raises:
        ScoreOptionError: a part that matches no proxy, or an empty spec.
    """
    from naslens.estimators.zeroshot import PROXIES, list_proxies

    known = list_proxies()
    if spec.strip() == "all":
        return known
    out: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        hits = [PROXIES.canonical(part)] if part in PROXIES.aliases() else fnmatch.filter(known, part)
        if not hits:
            raise ScoreOptionError(f"--proxies: no proxy matches {part!r}; known: {', '.join(known)}")
        out += [h for h in hits if h not in out]
    if not out:
        raise ScoreOptionError("--proxies: no proxy given")
    return out


def parse_net(spec: str | None) -> dict[str, Any]:
    """``"C=8,N=1"`` → ``{"C": 8, "N": 1}`` (integers, floats, ``true``/``false``; the space validates keys).

    Raises:
        ScoreOptionError: an item without ``=``, or a key given twice.
    """
    from naslens.config import parse_settings

    try:
        return parse_settings((spec or "").split(","), "--net")
    except ValueError as e:
        raise ScoreOptionError(str(e)) from None


def parse_ensemble_options(values: list[str]) -> list[str]:
    """The ensemble specs of the ``--ensemble`` options, in the syntax of ``evaluate -e`` (one option may hold
    several, comma-separated: ``hybrid:zen+flops,vote:synflow,nwot,snip``), as written (not yet canonical).

    Raises:
        ScoreOptionError: an item that is a plain estimator name, not an ensemble spec.
        EnsembleSpecError: an unreadable spec.
    """
    from naslens.estimators.ensemble import SPEC_HELP, is_ensemble_spec, split_estimators

    out: list[str] = []
    for value in values:
        for item in split_estimators(value, canonical=False):
            if not is_ensemble_spec(item):
                raise ScoreOptionError(f"--ensemble {value}: {item!r} is not an ensemble spec; write {SPEC_HELP}")
            if item not in out:
                out.append(item)
    return out


def _check_ensembles(specs: list[str], proxies: list[str]) -> list[str]:
    """Check every member of every spec; returns the specs under their canonical (stored) names."""
    from naslens.estimators.base import ESTIMATORS, load_builtin_estimators
    from naslens.estimators.ensemble import ensemble_name, parse_ensemble
    from naslens.estimators.zeroshot import PROXIES

    load_builtin_estimators()
    for spec in specs:
        _, members, _ = parse_ensemble(spec)
        for m in members:
            if m in PROXIES and PROXIES.canonical(m) not in proxies:
                raise ScoreOptionError(f"--ensemble {spec}: member {m!r} is a proxy: add it to --proxies")
            if m not in PROXIES and m not in ESTIMATORS:
                raise ScoreOptionError(f"--ensemble {spec}: unknown member {m!r}")
    return list(dict.fromkeys(ensemble_name(s) for s in specs))


def _check_store_path(store: Path) -> None:
    if store.exists() and not store.is_dir():
        raise ScoreOptionError(f"--store {store}: is a file, not a store folder")
    parent = store if store.exists() else next((p for p in store.parents if p.exists()), Path("."))
    import os

    if not os.access(parent, os.W_OK):
        raise ScoreOptionError(f"--store {store}: {parent} is not writable")


def score(
    space: str = typer.Option("nb201", help="search space (naslens spaces lists them)"),
    proxies: str = typer.Option("all", help="'all', or comma-separated proxy names / patterns"),
    data: str | None = typer.Option(
        None,
        help="input source: cifar10 | fashion-mnist | noise | uniform (default: the dataset's images, else cifar10)",
    ),
    dataset: str | None = typer.Option(
        None, help="benchmark dataset the network is built for (classes, input size; default: the space's)"
    ),
    net: str | None = typer.Option(None, help="network overrides KEY=VALUE,... validated by the space (e.g. C=8,N=1)"),
    archs: str | None = typer.Option(None, help="architectures: a file (one per line), gt:NAME, or a ';' list"),
    subset: str | None = typer.Option(None, help="all | deiso (default: deiso for the whole space when it has one)"),
    sample: int | None = typer.Option(None, help="score a seeded random sample of this many architectures"),
    seed: int = typer.Option(0, help="seed of the sample, the batches and the network initialisation"),
    store: Path = typer.Option(..., help="score store folder (created if missing; reruns resume)"),
    workers: int = typer.Option(1, min=1, help="worker processes"),
    threads: int = typer.Option(1, min=1, help="torch threads per worker"),
    batch_size: int = typer.Option(128, min=2, help="images per batch"),
    n_batches: int = typer.Option(3, min=1, help="batches per architecture (scores averaged)"),
    ntk_samples: int = typer.Option(
        8, min=2, help="inputs of the proxies of the NTK pass (ntk, ntk_sumlogits; x outputs = NTK size)"
    ),
    ensemble: list[str] = typer.Option(
        [],
        help="also store an ensemble (repeatable): hybrid:zen+flops, hybrid:synflow*2+params, vote:synflow+nwot+snip "
        "(or vote:synflow,nwot,snip); the same spec selects it in `naslens evaluate -e ... --store`",
    ),
    data_dir: Path | None = typer.Option(None, help="shared data folder (default $NASLENS_DATA or ../shared/data)"),
    device: str = typer.Option("auto", help="auto | cpu | cuda"),
    checkpoint: Path | None = typer.Option(
        None,
        help="score the paths of this trained supernet checkpoint (naslens oneshot train) instead of fresh networks; "
        "stored under its epoch label and training seed",
    ),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Score architectures with zero-shot proxies (fused), appending every result to --store."""
    from rich.console import Console
    from rich.table import Table

    from naslens.data.cifar10 import CIFAR10Error
    from naslens.data.fashion_mnist import FashionMNISTError
    from naslens.estimators.oneshot.checkpoint import CheckpointError
    from naslens.estimators.zeroshot.catalog import proxies_of_pass
    from naslens.estimators.zeroshot.estimator import RunContext
    from naslens.estimators.zeroshot.runner import prepare_run, score_space
    from naslens.selection import select_archs
    from naslens.spaces import get_space
    from naslens.store import ScoreStore, StoreError

    try:
        try:
            sp = get_space(space)
        except KeyError as e:
            raise ScoreOptionError(f"--space: {str(e).strip(chr(39) + chr(34))}") from None
        names = resolve_proxies(proxies)
        overrides = parse_net(net)
        ctx = RunContext(
            space=sp.name,
            dataset=dataset,
            data=data,
            batch_size=batch_size,
            n_batches=n_batches,
            seed=seed,
            net=overrides,
            data_root=None if data_dir is None else str(data_dir),
            device=device,
            checkpoint=None if checkpoint is None else str(checkpoint),
        )
        chosen = select_archs(sp, archs=archs, subset=subset, sample=sample, seed=seed)
        ensemble = _check_ensembles(parse_ensemble_options(ensemble), names)
        if ensemble and checkpoint is not None:
            raise ScoreOptionError(
                "--ensemble cannot be combined with --checkpoint (its members would mix checkpoints)"
            )
        _check_store_path(store)
        options = {n: {"samples": ntk_samples} for n in proxies_of_pass("ntk", names)}
        plan = prepare_run(sp, names, ctx, options)
    except (ValueError, KeyError, CIFAR10Error, FashionMNISTError, CheckpointError) as e:
        fail(str(e))
    try:  # opened (created if missing) only once every option is valid; a corrupt or foreign store stops here
        st_cm = ScoreStore(store)
    except (OSError, StoreError) as e:
        fail(f"--store {store}: {e}")
    console = Console(stderr=True)
    console.print(
        f"scoring {len(chosen)} {sp.name} architectures with {len(names)} proxies on {plan.ctx.data_source(sp)} "
        f"({n_batches}×{batch_size}, seed {seed})"
        + (f", checkpoint {plan.checkpoint}" if plan.checkpoint else "")
        + f" into {store}",
        highlight=False,
        markup=False,
    )
    with st_cm as st:
        score_space(
            sp,
            chosen,
            names,
            plan.ctx,
            store=st,
            proxy_options=options,
            workers=workers,
            threads=threads,
            progress=not quiet,
            plan=plan,
        )
        keys = [sp.key(a) for a in chosen]
        from naslens.estimators.base import config_hash

        hashes = {n: config_hash(c) for n, c in plan.configs.items()}
        from naslens.estimators.ensemble import ensemble_name, store_ensemble
        from naslens.types import ScoringContext

        structural_ctx = ScoringContext(
            dataset=plan.ctx.dataset_name(sp), seed=seed, net=plan.ctx.network(sp) if overrides else None
        )
        for spec in ensemble:
            store_ensemble(sp, chosen, spec, st, structural_ctx, stored=names)
        table = Table("estimator", "ok", "nan", "inf", "failed", "mean s/arch")
        for n in [*names, *ensemble]:
            sc = st.scores(
                sp.name, ensemble_name(n), keys, seed=plan.seed, checkpoint=plan.checkpoint, config_hash_=hashes.get(n)
            )
            c = sc.status_counts()
            secs = np.nanmean(sc.seconds) if sc.seconds is not None and np.isfinite(sc.seconds).any() else float("nan")
            table.add_row(ensemble_name(n), *(str(c.get(k, 0)) for k in ("ok", "nan", "inf", "failed")), f"{secs:.3f}")
        Console().print(table)


app.command("score")(score)


guard_app(app, "naslens")  # user errors: one line on stderr, exit 2 (naslens.cli_errors)


if __name__ == "__main__":
    app()
