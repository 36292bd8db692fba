"""Read an evaluation folder (``naslens evaluate --out DIR``) into what the report needs.

The folder holds ``evaluation.json`` (run description, ground-truth provenance, criteria per estimator) and
``scores.csv`` (one row per architecture: ``arch``, ``index``, ``class_id``, ``class_size``, ``ground_truth``,
``params``, ``flops``, then one raw-score column per result label). Which run each label is (estimator, seed,
checkpoint, ensemble) is read from the result entry's ``run`` record; files written before it existed are read from
the entry's stored estimator name and checkpoint, and the label's ``#seed<s>`` (see :func:`run_of_entry`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from naslens.criteria import DEFAULT_K_RATIOS, KValue, parse_k
from naslens.types import RunId, UserError

FIXED_COLUMNS = ("arch", "index", "class_id", "class_size", "n_members", "ground_truth", "params", "flops")
REQUIRED_KEYS = ("space", "subset", "ground_truth", "results")


class ReportError(UserError, ValueError):
    """The evaluation folder is missing something the report needs; the message says what."""


@dataclass
class EvaluationData:
    """One evaluation: its description, the per-architecture score frame and each score column's orientation.

    Attributes:
        path: The evaluation folder.
        meta: Parsed ``evaluation.json``.
        frame: Parsed ``scores.csv``.
        orientation: ``{score column: higher_is_better}`` for every estimator column of ``frame``.
        result_key: ``{score column: key of its entry in meta["results"]}``.
        runs: ``{score column: RunId}``: the estimator, seed, checkpoint and ensemble of each column.
        notes: Problems found while reading (shown on the page).
    """

    path: Path
    meta: dict[str, Any]
    frame: pd.DataFrame
    orientation: dict[str, bool]
    result_key: dict[str, str]
    runs: dict[str, RunId] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def space(self) -> str | None:
        """The evaluation's search space (``None`` when the file does not say)."""
        sp = self.meta.get("space")
        return str(sp) if sp else None

    @property
    def complexity_network(self) -> dict[str, Any] | None:
        """Network settings the complexity columns were computed for (``None`` in files that predate it)."""
        net = (self.meta.get("run_context") or {}).get("complexity_network")
        return dict(net) if isinstance(net, dict) else None

    @property
    def results(self) -> dict[str, Any]:
        return dict(self.meta.get("results", {}))

    @property
    def ks(self) -> list[KValue]:
        """The evaluation's K values (``meta["ks"]``, parsed), or naslens' defaults when absent."""
        return [parse_k(str(k)) for k in self.meta.get("ks") or []] or list(DEFAULT_K_RATIOS)

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(self.meta.get("ground_truth", {}))

    def gt_label(self) -> str:
        """One line saying which ground truth and subset every number on the page refers to."""
        p = self.provenance
        source = p.get("source", {}) if isinstance(p.get("source"), dict) else {}
        sha = str(source.get("sha256", ""))
        return (
            f"Ground truth: {p.get('metric', '?')} (dataset {p.get('dataset', '?')}, split {p.get('split', '?')}, "
            f"{p.get('epochs', '?')} epochs, seeds: {p.get('seed_aggregation', '?')}; file sha256 {sha[:12] or '?'}…)"
            f" · space {self.meta.get('space', '?')} · subset {self.meta.get('subset', '?')} "
            f"({len(self.frame)} architectures{self._coverage_label()})"
        )

    def _coverage_label(self) -> str:
        """``; criteria over the common M = …`` when the criteria are over fewer rows than the frame holds."""
        cov = self.meta.get("coverage") or {}
        if cov.get("mode") == "common" and cov.get("M") is not None and cov.get("M") != len(self.frame):
            return f"; criteria over the M = {cov['M']} every estimator has a finite score for"
        if cov.get("mode") == "each":
            return "; criteria over each estimator's own scored architectures"
        return ""


def _load_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ReportError(f"{path} not found: is {path.parent} the --out folder of `naslens evaluate`?")
    try:
        doc = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ReportError(f"{path} is not valid JSON ({e})") from e
    if not isinstance(doc, dict):
        raise ReportError(f"{path} must hold a JSON object, got {type(doc).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in doc]
    if missing:
        raise ReportError(f"{path} lacks key(s) {missing}")
    return doc


def run_of_entry(label: str, entry: dict[str, Any] | None) -> RunId:
    """The run of a result: its ``run`` record, else (older files) the stored estimator name
    (``estimator.info.name``, e.g. ``oneshot_acc@savg3``), the entry's checkpoint and the label's ``#seed<s>``."""
    if entry is not None and isinstance(entry.get("run"), dict):
        r = entry["run"]
        seed = r.get("seed")
        return RunId(
            str(r["estimator"]), None if seed is None else int(seed), r.get("checkpoint") or "", r.get("ensemble") or ""
        )
    from_label = RunId.from_label(label)
    name = ((entry or {}).get("estimator") or {}).get("info", {}).get("name")
    if not name:
        return from_label
    return RunId.from_stored(str(name), from_label.seed, str((entry or {}).get("checkpoint") or ""))


def _result_key(col: str, results: dict[str, Any]) -> str:
    """The result entry of a score column: the column itself, else its run without seed and checkpoint."""
    if col in results:
        return col
    try:
        r = RunId.from_label(col)
    except ValueError:
        return col
    return r.stored_name


def load_evaluation(path: str | os.PathLike[str]) -> EvaluationData:
    """Load and cross-check an evaluation folder.

    A score column's result entry is ``results[column]``, else ``results[<estimator>]`` for a checkpoint column;
    its orientation is that entry's ``estimator.info.higher_is_better``. A column without a result entry is assumed
    higher-is-better and noted. ``params``/``flops`` are estimator columns too when the results list them.

    Raises:
        ReportError: On a missing folder or file, malformed JSON, or a scores.csv without the ground truth.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ReportError(f"evaluation folder {folder} does not exist")
    meta = _load_json(folder / "evaluation.json")
    csv = folder / "scores.csv"
    if not csv.exists():
        raise ReportError(f"{csv} not found: is {folder} the --out folder of `naslens evaluate`?")
    frame = pd.read_csv(csv, dtype={"arch": str})  # keys such as nb-macro's "00000012" stay text
    for col in ("ground_truth", "arch"):
        if col not in frame.columns:
            raise ReportError(f"{csv} has no {col!r} column (columns: {list(frame.columns)})")
    results: dict[str, Any] = meta["results"]
    notes: list[str] = []
    for col in list(frame.columns):
        if col.endswith(".1") and col[:-2] in FIXED_COLUMNS:  # an estimator named like a fixed column
            frame = frame.drop(columns=col)
    candidates = [c for c in frame.columns if c not in FIXED_COLUMNS] + [
        c for c in FIXED_COLUMNS if c in results and c in frame.columns and c not in ("arch", "ground_truth")
    ]
    order = {key: i for i, key in enumerate(results)}  # the evaluation's estimator order, then the CSV's
    candidates.sort(key=lambda c: order.get(c, order.get(_result_key(c, results), len(order))))
    orientation: dict[str, bool] = {}
    result_key: dict[str, str] = {}
    runs: dict[str, RunId] = {}
    for col in candidates:
        key = _result_key(col, results)
        entry = results.get(key)
        try:
            runs[col] = run_of_entry(col, entry if key == col else None)
        except ValueError:
            runs[col] = RunId(col.replace("@", "_").replace("#", "_"))
        if entry is None:
            notes.append(f"score column {col!r} has no entry in evaluation.json; read as higher-is-better")
            orientation[col] = True
            continue
        info = entry.get("estimator", {}).get("info", {})
        if "higher_is_better" not in info:
            notes.append(f"{key!r}: evaluation.json does not say higher_is_better; assumed True")
        orientation[col] = bool(info.get("higher_is_better", True))
        result_key[col] = key
    if not orientation:
        raise ReportError(f"{csv} has no estimator score column (columns: {list(frame.columns)})")
    notes.extend(_evaluation_notes(meta))
    return EvaluationData(folder, meta, frame, orientation, result_key, runs, notes)


def _evaluation_notes(meta: dict[str, Any]) -> list[str]:
    """What ``naslens evaluate`` warned about and left out, for the page: its warnings (scores of another
    dataset), ground-truth rows without a value, and rows the criteria are not over (coverage)."""
    notes = [f"warning: {w}" for w in meta.get("warnings") or []]
    left = (meta.get("ground_truth") or {}).get("left_out")
    if isinstance(left, dict) and left.get("n"):
        notes.append(f"{left['n']} architectures left out of the ground truth: {left.get('reason', '')}")
    cov = meta.get("coverage") or {}
    lacking = {k: v for k, v in (cov.get("lacking") or {}).items() if isinstance(v, dict) and any(v.values())}
    if cov.get("mode") == "common" and lacking:
        notes.append(
            f"criteria are over the common set: M = {cov.get('M')} of {cov.get('n_rows')} rows, where every "
            "estimator has a finite score; per-architecture analyses use each estimator's own scored rows"
        )
    for label, v in lacking.items():
        notes.append(f"{label} lacked {v.get('not_scored', 0)} rows not scored and {v.get('failed', 0)} failed")
    return notes
