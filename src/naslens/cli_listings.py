"""``naslens ground-truths | estimators | criteria | spaces``: the listings of what is registered (thin shells over
the registries' Python API; mounted by :mod:`naslens.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(width=None if sys.stdout.isatty() else 150)


def ground_truths(data_dir: Path = typer.Option(None, "--data-dir")) -> None:
    """List the registered ground truths and whether their files are present."""
    from naslens.benchmarks.resolve import EMBEDDED, NAMED
    from naslens.config import data_dir as ddir

    table = Table("name", "where", "present")
    for name, (rel, _) in sorted(NAMED.items()):
        p = ddir(data_dir) / rel
        table.add_row(name, str(p), "yes" if p.exists() else "no")
    for name, fname in sorted(EMBEDDED.items()):
        table.add_row(name, f"embedded ({fname})", "yes")
    console.print(table)


def _literal_table(*columns: str) -> Table:
    """A table whose cells wrap (folding long words) instead of being cut with an ellipsis; fill it with
    :func:`_literal_row` so user text is printed literally (Rich markup such as ``[a, b]`` is not interpreted)."""
    table = Table(show_lines=False)
    for c in columns:
        table.add_column(escape(c), overflow="fold")
    return table


def _literal_row(table: Table, *cells: Any) -> None:
    table.add_row(*(escape(str(c)) for c in cells))


def list_estimators_cmd(
    pattern: str = typer.Argument("*", help="Shell-style pattern of estimator names."),
    as_json: bool = typer.Option(False, "--json", help="Print the metadata as JSON."),
) -> None:
    """List registered estimators with every metadata field (family, direction, needs, BatchNorm mode, precision,
    description), their options and the spaces they apply to (nothing is built). Descriptions print literally."""
    import json
    from dataclasses import asdict

    from naslens.estimators import ESTIMATORS
    from naslens.estimators.base import list_estimators
    from naslens.spaces import list_spaces

    spaces = list_spaces()
    rows: list[dict[str, Any]] = []
    for name, entry in list_estimators(pattern).items():
        info, note = entry.info, ""
        if info is None:  # registered without metadata: build it with no options to read its info
            try:
                info = entry.factory().info
            except (ValueError, TypeError) as e:  # needs a run artefact (e.g. a supernet checkpoint)
                note = f"needs configuration: {e}"
        applies = [s for s, i in spaces.items() if entry.not_applicable(i) is None]
        rows.append(
            {
                "name": name,
                "info": asdict(info) if info is not None else None,
                "options": None if entry.schema is None else {k: repr(v) for k, v in entry.options().items()},
                "run_settings": list(entry.context) if entry.schema is not None else "all (old-style entry)",
                "spaces": applies,
                "aliases": [a for a, t in ESTIMATORS.aliases().items() if t == name],
                "note": note,
            }
        )
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = _literal_table(
        "name", "family", "higher is better", "needs", "BN mode", "precision", "options", "spaces", "description"
    )
    for r in rows:
        i = r["info"] or {}
        needs = [w for w in ("data", "labels", "training") if i.get(f"needs_{w}")]
        options = "-" if r["options"] is None else (", ".join(f"{k}={v}" for k, v in r["options"].items()) or "none")
        desc = (i.get("description") or r["note"]) + (f" (also: {', '.join(r['aliases'])})" if r["aliases"] else "")
        _literal_row(
            table,
            r["name"],
            i.get("family", "-"),
            i.get("higher_is_better", "-"),
            ", ".join(needs) or "nothing",
            i.get("bn_mode", "-"),
            i.get("precision", "-"),
            options,
            ", ".join(r["spaces"]) or "none registered",
            desc,
        )
    console.print(table)
    console.print(
        "[dim]needs: what computing the score takes (data, labels, training); BN mode: BatchNorm while scoring; "
        "`naslens estimators --json` prints every field.[/dim]"
    )


def list_criteria_cmd(
    pattern: str = typer.Argument("*", help="Shell-style pattern of criterion names."),
    as_json: bool = typer.Option(False, "--json", help="Print the metadata as JSON."),
) -> None:
    """List the registered criteria (what `evaluate --criteria` and the report choose from)."""
    import json
    from dataclasses import asdict

    from naslens.criteria import DEFAULT_CRITERIA, list_criteria

    found = list_criteria(pattern)
    if as_json:
        print(json.dumps([{**asdict(i), "default": n in DEFAULT_CRITERIA} for n, i in found.items()], indent=2))
        return
    table = _literal_table("name", "short", "needs K", "range", "higher is better", "default", "description")
    for name, i in found.items():
        _literal_row(
            table,
            name,
            i.short,
            "yes" if i.needs_k else "no",
            f"[{i.range[0]:g}, {i.range[1]:g}]",
            i.higher_is_better,
            "yes" if name in DEFAULT_CRITERIA else "no",
            i.description,
        )
    console.print(table)


def spaces_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the SpaceInfo records as JSON."),
) -> None:
    """List the registered search spaces with their capabilities (SpaceInfo)."""
    import json

    from naslens.spaces import list_spaces

    infos = list_spaces()
    if as_json:
        print(json.dumps({n: i.summary() for n, i in infos.items()}, indent=2))
        return
    table = _literal_table(
        "space", "size", "classes", "positions", "datasets", "cost columns", "supernets", "description"
    )
    for name, i in infos.items():
        card = sorted(set(i.cardinalities))
        _literal_row(
            table,
            name,
            "not enumerable" if i.size is None else f"{i.size:,}",
            "-" if not i.has_isomorphism else (f"{i.num_classes:,}" if i.num_classes else "yes"),
            f"{len(i.positions)} x {'/'.join(map(str, card))}",
            ", ".join(i.datasets),
            ", ".join(i.cost_columns),
            ", ".join(i.supernet_modes) or ("path" if i.has_supernet else "no"),
            i.description,
        )
    console.print(table)
