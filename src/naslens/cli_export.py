"""``naslens export``: a score store's results as a tidy table (CSV, Parquet or JSON) with their configurations.

The table has one row per stored result, columns :data:`COLUMNS` (``value`` is empty/``null`` where the result is
``nan``, ``inf`` or ``failed: …``; ``status`` says which). Each ``config_hash`` is explained by the configurations:
for CSV and Parquet they are written beside the table as ``<name>.configs.json``; JSON embeds them. The store is
opened read-only, so a store on a read-only disk can be exported. Every file is written to a temporary name and
renamed when complete.

Example::

    naslens export --store runs/zs --format csv --out runs/zs.csv            # + runs/zs.configs.json
    naslens export --store runs/zs --format json --out - --estimator synflow --space nb201 | jq '.rows | length'

In Python: ``ScoreStore(DIR, readonly=True).table()`` (and ``.configs()``).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from naslens.types import UserError

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("space", "arch", "estimator", "config_hash", "seed", "checkpoint", "value", "status", "seconds")
"""The columns of the exported table, in this order."""
FORMATS = ("csv", "parquet", "json")
JSON_FORMAT = "naslens-scores/1"
"""The ``format`` field of a JSON export."""
PARQUET_ENGINES = ("pyarrow", "fastparquet")


class ExportError(UserError, ValueError):
    """An ``export`` request that cannot be met (unknown format, missing Parquet engine, nothing selected, …)."""


def parquet_engine() -> str | None:
    """The first Parquet engine pandas can use here, or ``None``."""
    return next((e for e in PARQUET_ENGINES if importlib.util.find_spec(e) is not None), None)


def check_request(fmt: str, out: str | None) -> Path | None:
    """Validate the format and the output path before anything is read or written; returns the output path
    (``None`` for stdout).

    Raises:
        ExportError: unknown format, Parquet without an engine or to stdout, or an output path that cannot be
            written (a folder, or in a missing folder).
    """
    if fmt not in FORMATS:
        raise ExportError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "parquet" and parquet_engine() is None:
        raise ExportError("--format parquet needs pyarrow or fastparquet: pip install pyarrow (or use csv/json)")
    if out == "-":
        if fmt == "parquet":
            raise ExportError("--format parquet cannot be written to stdout: give --out FILE")
        return None
    path = Path(out if out is not None else f"scores.{fmt}")
    if path.is_dir():
        raise ExportError(f"--out {path}: is a folder; give a file name (e.g. {path / ('scores.' + fmt)})")
    if not path.parent.is_dir():
        raise ExportError(f"--out {path}: folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ExportError(f"--out {path}: folder {path.parent} is not writable")
    return path


def select(
    table: pd.DataFrame, configs: pd.DataFrame, estimators: list[str], space: str | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows of ``table`` for ``estimators`` (names, ensemble specs or shell patterns; all when empty) and
    ``space``, sorted, in :data:`COLUMNS`; and ``{config_hash: {"estimator", "info", "config"}}`` for those rows.

    Raises:
        ExportError: a space or estimator the store does not hold (the message lists what it holds).
    """
    import pandas as pd

    from naslens.estimators.ensemble import ensemble_name, is_ensemble_spec

    if space is not None:
        have = sorted(set(table["space"]))
        if space not in have:
            raise ExportError(
                f"--space {space}: the store holds no scores for it (it has: {', '.join(have) or 'none'})"
            )
        table = table[table["space"] == space]
    if estimators:
        have = sorted(set(table["estimator"]))
        keep: list[str] = []
        for spec in estimators:
            hits = [spec] if spec in have else fnmatch.filter(have, spec)  # a name or a pattern (``vote:*``)
            if not hits and is_ensemble_spec(spec):  # another spelling of a stored ensemble (``vote:a,b``)
                wanted = ensemble_name(spec)
                hits = [wanted] if wanted in have else []
            if not hits:
                where = f" for space {space}" if space is not None else ""
                raise ExportError(
                    f"--estimator {spec}: no such estimator in the store{where} (it has: {', '.join(have) or 'none'})"
                )
            keep += [h for h in hits if h not in keep]
        table = table[table["estimator"].isin(keep)]
    table = table.loc[:, list(COLUMNS)].sort_values(["space", "estimator", "config_hash", "seed", "checkpoint", "arch"])
    table = table.reset_index(drop=True)
    value = pd.to_numeric(table["value"], errors="coerce").astype(float)
    table["value"] = value.where(value.abs() != float("inf"))  # the status says inf; the value column stays numeric
    used = set(table["config_hash"])
    explained = {
        str(r.config_hash): {
            "estimator": r.estimator,
            "info": json.loads(r.info_json),
            "config": json.loads(r.config_json),
        }
        for r in configs.sort_values("config_hash").itertuples()
        if r.config_hash in used
    }
    return table, explained


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts (NaN → ``None``, numpy scalars → Python numbers)."""

    def clean(v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, float) or hasattr(v, "dtype"):
            f = v.item() if hasattr(v, "item") else v
            return None if isinstance(f, float) and not math.isfinite(f) else f
        return v

    return [{k: clean(v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def json_document(table: pd.DataFrame, configs: dict[str, Any], store: Path) -> dict[str, Any]:
    """The JSON export: ``{"format", "store", "columns", "rows": [{column: value}], "configs"}``."""
    return {
        "format": JSON_FORMAT,
        "store": str(store),
        "columns": list(COLUMNS),
        "rows": _records(table),
        "configs": configs,
    }


def configs_path(out: Path) -> Path:
    """Where the configurations of a CSV/Parquet export go: ``runs/zs.csv`` → ``runs/zs.configs.json``."""
    return out.with_name(out.stem + ".configs.json")


def _atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)``, then rename the temporary file to ``path`` (removed if writing fails)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_export(table: pd.DataFrame, configs: dict[str, Any], fmt: str, out: Path | None, store: Path) -> list[Path]:
    """Write the export (``out`` ``None``: stdout); returns the files written."""
    if fmt == "json":
        text = json.dumps(json_document(table, configs, store), allow_nan=False) + "\n"
        if out is None:
            sys.stdout.write(text)
            return []
        _atomic_write(out, lambda p: p.write_text(text))
        return [out]
    if out is None:  # csv to stdout: the configurations cannot go beside it
        table.to_csv(sys.stdout, index=False)
        return []
    conf = configs_path(out)
    conf_text = json.dumps({"format": JSON_FORMAT, "store": str(store), "configs": configs}, indent=1) + "\n"
    if fmt == "csv":
        _atomic_write(out, lambda p: table.to_csv(p, index=False))
    else:
        engine = parquet_engine()
        _atomic_write(out, lambda p: table.to_parquet(p, index=False, engine=engine))
    _atomic_write(conf, lambda p: p.write_text(conf_text))
    return [out, conf]


def export(
    store: Path = typer.Option(..., "--store", help="Score store folder (opened read-only)."),
    fmt: str = typer.Option("csv", "--format", "-f", help="csv | parquet (needs pyarrow or fastparquet) | json."),
    out: str = typer.Option(
        None,
        "--out",
        "-o",
        help="Output file (default scores.FORMAT here); '-' writes csv/json to stdout. CSV and Parquet get their "
        "configurations beside them as NAME.configs.json; JSON embeds them.",
    ),
    estimator: list[str] = typer.Option(
        [], "--estimator", "-e", help="Only this estimator (repeatable; a name, an ensemble spec or a shell pattern)."
    ),
    space: str = typer.Option(None, "--space", help="Only this search space."),
) -> None:
    """Export a score store as a tidy table: space, arch, estimator, config_hash, seed, checkpoint, value, status,
    seconds (one row per stored result), plus the configuration behind every config_hash."""
    from naslens.store import ScoreStore

    path = check_request(fmt, out)
    with ScoreStore(store, readonly=True) as st:
        table, configs = select(st.table(), st.configs(), estimator, space)
    written = write_export(table, configs, fmt, path, store)
    if written:
        n_est = table["estimator"].nunique()
        typer.echo(f"wrote {len(table)} results of {n_est} estimators to {', '.join(map(str, written))}", err=True)
    elif fmt == "csv":
        typer.echo("(csv on stdout: no configurations; use --format json to embed them)", err=True)
