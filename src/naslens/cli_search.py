"""``naslens search``: search a space with any estimator, reproducibly, and report the ground truth of what was found.

Example::

    naslens search list
    naslens search run evolution --space nb201 -e nwot --seeds 0,1,2 --budget 300 -g nb201-200ep -d cifar10 \\
        --store runs/search --out runs/search/rea-nwot
    naslens search run naswot-sampling --space nb201 -e nwot --budget 1000 --option runs=100 -g nb201-200ep \\
        --store runs/search --out runs/search/naswot
    naslens search run random-search --space nb201 -e gt:nb201-12ep --budget 100 --constraint 'flops<=50' \\
        -g nb201-200ep --out runs/search/rs-12ep
    naslens search run random-search --space nb201 -e synflow --objectives flops:min --budget 200 -g nb201-200ep \\
        --out runs/search/pareto
    naslens search show --store runs/search

Every option is checked before any work; an error is one line on stderr and exit status 2. With ``--store`` a killed
run resumes where it stopped (the trajectory and the scores are kept there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from naslens.cli_errors import fail, guard_app
from naslens.search._base import SearchError

search_app = typer.Typer(
    help="Search spaces with estimators (naswot sampling, random search, evolution, ...).", no_args_is_help=True
)

MAX_ROWS = 20
"""Result rows printed (all of them are in results.csv)."""


def _settings(items: list[str], option: str) -> dict[str, Any]:
    from naslens.config import parse_settings

    try:
        return parse_settings([p for i in items for p in i.split(",")], option)
    except ValueError as e:
        raise SearchError(str(e)) from None


def parse_seeds(text: str) -> list[int]:
    """``"0,1,2"`` → ``[0, 1, 2]``.

    Raises:
        SearchError: an item that is not an integer.
    """
    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise SearchError(f"--seeds: expected comma-separated integers, got {text!r}") from None


@search_app.command("list")
def list_cmd() -> None:
    """The registered searches and what each needs."""
    from rich.console import Console
    from rich.table import Table

    from naslens.search import list_searches

    table = Table("search", "kind", "multi-objective only", "needs enumerable", "needs mixed supernet", "description")
    for name, i in list_searches().items():
        yes = {True: "yes", False: "no"}
        table.add_row(
            name, i.kind, yes[i.multi_objective], yes[i.needs_enumerable], yes[i.needs_mixed_supernet], i.description
        )
    Console().print(table)


@search_app.command("run")
def run_cmd(
    name: str = typer.Argument(..., help="a registered search (naslens search list)"),
    space: str = typer.Option("nb201", help="search space"),
    estimator: str = typer.Option(
        ...,
        "-e",
        "--estimator",
        help="estimator name, gt:NAME or ref:TABLE:DATASET:FIELD (published scores); suffix :min/:max",
    ),
    estimator_option: list[str] = typer.Option([], help="estimator option KEY=VALUE (repeatable)"),
    seeds: str = typer.Option("0", help="search seeds, comma-separated"),
    budget: int | None = typer.Option(None, help="estimator evaluations (NASWOT sampling: N per run)"),
    option: list[str] = typer.Option([], "--option", "-o", help="search option KEY=VALUE (repeatable)"),
    constraint: list[str] = typer.Option([], help="budget constraint, e.g. 'flops<=50' or 'raspi4_latency<=20'"),
    objectives: str | None = typer.Option(None, help="further objective(s) for a Pareto set, e.g. flops:min"),
    ground_truth: str | None = typer.Option(None, "-g", "--ground-truth", help="ground truth of what is found"),
    dataset: str | None = typer.Option(None, "-d", "--dataset", help="dataset of the curve and the run settings"),
    store: Path | None = typer.Option(None, help="score store folder: trajectories and scores, reruns resume"),
    out: Path | None = typer.Option(None, help="folder for results.csv, trajectories.csv, summary.json, a plot"),
    estimator_seed: int = typer.Option(0, help="the estimator's seed (network init, batches), same for all seeds"),
    chunk: int = typer.Option(16, min=1, help="architectures per estimator call (each chunk stored at once)"),
    data_dir: Path | None = typer.Option(None, help="shared data folder (default $NASLENS_DATA or ../shared/data)"),
    quiet: bool = typer.Option(False, help="no progress display"),
) -> None:
    """Run a search for each seed; print and write what each found, with its ground truth and cost."""
    from naslens.search.constraints import parse_constraints
    from naslens.search.runner import run_search

    opts = _settings(option, "--option")
    if budget is not None:
        if "budget" in opts:
            raise SearchError("--budget and --option budget=... both given")
        opts["budget"] = budget
    spec = ",".join(constraint) or None
    parse_constraints(spec)  # a bad spec fails before any work
    if out is not None and out.exists() and not out.is_dir():
        raise SearchError(f"--out {out}: is a file, not a folder")
    if store is not None and store.exists() and not store.is_dir():
        raise SearchError(f"--store {store}: is a file, not a store folder")
    try:
        run = run_search(
            name,
            space=space,
            estimator=estimator,
            estimator_options=_settings(estimator_option, "--estimator-option"),
            objectives=[s.strip() for s in (objectives or "").split(",") if s.strip()],
            seeds=parse_seeds(seeds),
            options=opts,
            constraints=spec,
            ground_truth=ground_truth,
            dataset=dataset,
            store=store,
            data_dir=data_dir,
            estimator_seed=estimator_seed,
            chunk=chunk,
            progress=not quiet,
        )
    except (ValueError, KeyError) as e:  # run settings refused by a lower layer (a device, a data source)
        fail(e, f"naslens search run {name}")
    if out is not None:
        run.save(out)
    _print_run(run, out)


def _print_run(run: Any, out: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    s = run.summary
    est, gt = s["estimator"], s["ground_truth"]
    con = Console(width=max(Console().width, 200))  # full keys and column names, also in a log
    head = f"{run.search} on {run.space}, estimator {est['label']} (config {est['config_hash']}, "
    head += f"{'maximised' if est['maximize'] else 'minimised'})"
    if s["constraints"]:
        head += f", constraints {s['constraints']['spec']}"
    con.print(head, highlight=False, markup=False)
    if gt:
        con.print(
            f"ground truth: {gt['name']} ({gt['path']}, sha256 {gt['sha256'][:12]}); columns "
            + ", ".join(f"{m} = {i['split']} {i['unit']} after {i['epochs']} epochs" for m, i in gt["metrics"].items()),
            highlight=False,
            markup=False,
        )
    cols = [c for c in run.table.columns]
    table = Table(*[c if c != "value" else f"value ({est['label']})" for c in cols])
    for column in table.columns:
        column.overflow = "fold"  # architecture keys in full
    for _, row in run.table.head(MAX_ROWS).iterrows():
        table.add_row(*[_fmt(row[c]) for c in cols])
    con.print(table)
    if len(run.table) > MAX_ROWS:
        con.print(f"… {len(run.table) - MAX_ROWS} more rows in results.csv", highlight=False)
    for c, m in s["mean_std"].items():
        what = f"ground truth {gt['name']} {c}" if gt and c in gt["metrics"] else c
        what = {
            "value": f"{est['label']} value",
            "evaluations": "estimator evaluations (distinct architectures)",
            "seconds": "estimator seconds (first-computed)",
            "rejections": "constraint rejections",
        }.get(c, what)
        con.print(
            f"mean ± std over {m['n']} rows ({m['n_missing']} missing) of {what}: {m['mean']:.4g} ± {m['std']:.3g}",
            highlight=False,
            markup=False,
        )
    if out is not None:
        con.print(f"wrote {out}/results.csv, trajectories.csv, summary.json, best_so_far.png", highlight=False)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


@search_app.command("show")
def show_cmd(store: Path = typer.Option(..., help="score store folder")) -> None:
    """The search runs a store holds: search, space, seed, steps, and the result of finished ones."""
    from rich.console import Console
    from rich.table import Table

    from naslens.search import stored_runs
    from naslens.store import ScoreStore

    with ScoreStore(store, readonly=True) as st:
        runs = stored_runs(st)
    if runs.empty:
        Console().print(f"{store}: no search runs", highlight=False)
        return
    table = Table("search", "space", "seed", "run", "steps", "finished", "arch", "value", "evaluations", "seconds")
    for _, r in runs.iterrows():
        res = json.loads(r["result_json"]) if isinstance(r["result_json"], str) else {}
        table.add_row(
            r["search"],
            r["space"],
            str(r["seed"]),
            r["run_hash"],
            str(r["steps"]),
            "yes" if res else "no",
            str(res.get("arch", "")),
            _fmt(res.get("value", "")),
            str(res.get("evaluations", "")),
            _fmt(res.get("seconds", "")),
        )
    Console().print(table)


from naslens import cli_search_pt  # noqa: E402  (the operation-scoring commands: zc-pt, opscore)

cli_search_pt.register(search_app)
guard_app(search_app, "naslens search")  # user errors: one line on stderr, exit 2 (naslens.cli_errors)
