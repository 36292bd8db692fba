"""``naslens score``: score architectures of a space with zero-shot proxies into a resumable score store.

Example::

    naslens score --space nb201 --proxies all --data cifar10 --subset deiso --sample 1000 --seed 0 --store runs/zs
    naslens score --proxies snip,synflow,nwot --data noise --archs my_archs.txt --store runs/zs --workers 2
    naslens score --proxies zen --ensemble hybrid:zen+flops --sample 200 --store runs/zs

Killed and rerun with the same arguments, it computes only what the store lacks.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import numpy as np
import typer

app = typer.Typer(help="Zero-shot scoring of search spaces.", no_args_is_help=True)


def resolve_proxies(spec: str) -> list[str]:
    """``all``, or comma-separated names / shell patterns (``grad_*``), in registry order, no duplicates."""
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
            raise typer.BadParameter(f"no proxy matches {part!r}; known: {', '.join(known)}", param_hint="--proxies")
        out += [h for h in hits if h not in out]
    if not out:
        raise typer.BadParameter("no proxy given", param_hint="--proxies")
    return out


def select_archs(space: Any, subset: str, sample: int | None, seed: int, archs_file: Path | None) -> list[Any]:
    """The architectures to score: a file (one per line, any encoding the space parses), or the ``all`` /
    ``deiso`` subset, optionally a seeded sample of ``sample`` of them (``np.random.default_rng(seed)``)."""
    if archs_file is not None:
        lines = [ln.strip() for ln in Path(archs_file).read_text().splitlines()]
        archs = [space.parse(ln) for ln in lines if ln and not ln.startswith("#")]
    elif subset == "all":
        archs = list(space.enumerate())
    elif subset == "deiso":
        archs = list(space.deiso_representatives())
    else:
        raise typer.BadParameter(f"subset must be 'all' or 'deiso', got {subset!r}", param_hint="--subset")
    if sample is not None:
        if not 1 <= sample <= len(archs):
            raise typer.BadParameter(f"--sample must be in 1..{len(archs)}", param_hint="--sample")
        idx = np.random.default_rng(seed).choice(len(archs), size=sample, replace=False)
        archs = [archs[i] for i in idx]
    return archs


def score(
    space: str = typer.Option("nb201", help="search space"),
    proxies: str = typer.Option("all", help="'all', or comma-separated proxy names / patterns"),
    data: str = typer.Option("cifar10", help="input source: cifar10 | fashion-mnist | noise | uniform"),
    dataset: str = typer.Option("cifar10", help="benchmark dataset the network is built for (classes, input size)"),
    subset: str = typer.Option("deiso", help="all | deiso (one representative per isomorphism class)"),
    sample: int | None = typer.Option(None, help="score a seeded random sample of this many architectures"),
    seed: int = typer.Option(0, help="seed of the sample, the batches and the network initialisation"),
    archs: Path | None = typer.Option(None, help="file with one architecture per line (instead of --subset)"),
    store: Path = typer.Option(..., help="score store folder (created if missing; reruns resume)"),
    workers: int = typer.Option(1, min=1, help="worker processes"),
    threads: int = typer.Option(1, min=1, help="torch threads per worker"),
    batch_size: int = typer.Option(128, min=2, help="images per batch"),
    n_batches: int = typer.Option(3, min=1, help="batches per architecture (scores averaged)"),
    ntk_samples: int = typer.Option(8, min=2, help="inputs used by ntk / ntk_sumlogits (x outputs = NTK size)"),
    ensemble: list[str] = typer.Option([], help="also store an ensemble, e.g. hybrid:zen+flops, vote:synflow,nwot"),
    data_dir: Path | None = typer.Option(None, help="shared data folder (default $NASLENS_DATA or ../shared/data)"),
    device: str = typer.Option("auto", help="auto | cpu | cuda"),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Score architectures with zero-shot proxies (fused), appending every result to --store."""
    from rich.console import Console
    from rich.table import Table

    from naslens.estimators.zeroshot.estimator import RunContext
    from naslens.estimators.zeroshot.runner import score_space
    from naslens.spaces import get_space
    from naslens.store import ScoreStore

    sp = get_space(space)
    names = resolve_proxies(proxies)
    chosen = select_archs(sp, subset, sample, seed, archs)
    try:
        ctx = RunContext(
            dataset=dataset,
            data=data,
            batch_size=batch_size,
            n_batches=n_batches,
            seed=seed,
            data_root=None if data_dir is None else str(data_dir),
            device=device,
        )
        ctx.batch_spec()
    except ValueError as e:
        raise typer.BadParameter(str(e)) from e
    options = {n: {"samples": ntk_samples} for n in names if n in ("ntk", "ntk_sumlogits")}
    console = Console(stderr=True)
    console.print(
        f"scoring {len(chosen)} {space} architectures with {len(names)} proxies on {data} "
        f"({n_batches}×{batch_size}, seed {seed}) into {store}"
    )
    with ScoreStore(store) as st:
        score_space(
            sp,
            chosen,
            names,
            ctx,
            store=st,
            proxy_options=options,
            workers=workers,
            threads=threads,
            progress=not quiet,
        )
        keys = [sp.key(a) for a in chosen]
        hashes = _config_hashes(names, ctx, options)
        for spec in ensemble:
            _store_ensemble(sp, chosen, spec, st, names, dataset, seed)
        names += list(ensemble)
        table = Table("estimator", "ok", "nan", "inf", "failed", "mean s/arch")
        for n in names:
            sc = st.scores(sp.name, _stored_name(n), keys, seed=seed, config_hash_=hashes.get(n))
            c = sc.status_counts()
            secs = np.nanmean(sc.seconds) if sc.seconds is not None and np.isfinite(sc.seconds).any() else float("nan")
            table.add_row(_stored_name(n), *(str(c.get(k, 0)) for k in ("ok", "nan", "inf", "failed")), f"{secs:.3f}")
        Console().print(table)


def _config_hashes(names: list[str], ctx: Any, options: dict[str, dict[str, Any]]) -> dict[str, str]:
    from naslens.estimators.base import config_hash
    from naslens.estimators.zeroshot import create_proxy
    from naslens.estimators.zeroshot.estimator import BatchCache, estimator_config

    prov = BatchCache(ctx).provenance()
    return {n: config_hash(estimator_config(create_proxy(n, **options.get(n, {})), ctx, prov)) for n in names}


def _stored_name(spec: str) -> str:
    if ":" not in spec:
        return spec
    from naslens.estimators.ensemble import HybridEstimator, VoteEstimator, parse_ensemble

    kind, members, weights = parse_ensemble(spec)
    cls = HybridEstimator if kind == "hybrid" else VoteEstimator
    return cls(members, weights).name


def _store_ensemble(sp: Any, archs: list[Any], spec: str, st: Any, proxies: list[str], dataset: str, seed: int) -> None:
    """Compute members missing from the run (e.g. flops, params) into the store, then the ensemble from it."""
    from naslens.estimators.base import create_estimator
    from naslens.estimators.ensemble import HybridEstimator, VoteEstimator, parse_ensemble

    kind, members, weights = parse_ensemble(spec)
    for m in members:
        if m not in proxies:
            est = create_estimator(m, dataset=dataset, seed=seed)
            if est.info.family == "zeroshot":
                raise typer.BadParameter(
                    f"ensemble member {m!r} is a proxy: add it to --proxies", param_hint="--ensemble"
                )
            sc = est.score(sp, archs)
            st.put_many(
                sp.name,
                zip(sc.keys, sc.values, sc.status, [None] * len(sc.keys), strict=True),
                sc.info,
                sc.config,
                seed=seed,
            )
    cls = HybridEstimator if kind == "hybrid" else VoteEstimator
    ens = cls(members, weights, store=st, seed=seed)
    sc = ens.score(sp, archs)
    st.put_many(
        sp.name, zip(sc.keys, sc.values, sc.status, [None] * len(sc.keys), strict=True), sc.info, sc.config, seed=seed
    )


app.command("score")(score)


if __name__ == "__main__":
    app()
