"""Supernet checkpoints: atomic writes, discovery and loading.

A training run folder holds ``epoch-XXXX.pt`` every ``checkpoint_every`` epochs (kept; the scores and the criteria
trend are computed per checkpoint) and ``last.pt`` rewritten after every epoch (what ``--resume`` continues from,
so a kill loses at most the epoch in progress). Each file holds the model, optimizer, scheduler, sampler and RNG
states, the training configuration and the per-epoch history. Writes go to a temporary file renamed into place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from naslens.types import UserError

FORMAT = "naslens-supernet/1"
LAST = "last.pt"
_EPOCH_RE = re.compile(r"^epoch-(\d{4,})\.pt$")


class CheckpointError(UserError, RuntimeError):
    """A checkpoint is missing or not a naslens supernet checkpoint."""


@dataclass(frozen=True)
class CheckpointRef:
    """A checkpoint file and the epoch it was written after (1-based: ``epoch`` epochs completed)."""

    path: Path
    epoch: int

    @property
    def label(self) -> str:
        """The checkpoint label used as the score store's ``checkpoint`` field, e.g. ``epoch-0010``."""
        return f"epoch-{self.epoch:04d}"


def epoch_file(run_dir: str | os.PathLike[str], epoch: int) -> Path:
    return Path(run_dir) / f"epoch-{epoch:04d}.pt"


def save_checkpoint(path: str | os.PathLike[str], payload: dict[str, Any]) -> Path:
    """Write ``payload`` (plus the format tag) atomically to ``path``."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    torch.save({"format": FORMAT, **payload}, tmp)
    os.replace(tmp, p)
    return p


def load_checkpoint(path: str | os.PathLike[str], map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (``torch.load(weights_only=True)``: checkpoints are
    data, not code).

    Raises:
        CheckpointError: the file is missing, is not a naslens supernet checkpoint, or holds more than tensors and
            plain containers (a pickle that would run code).
    """
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"checkpoint not found: {p}")
    try:
        # data, not code: only tensors and plain containers load (a pickle that would run code is refused)
        data = torch.load(p, map_location=map_location, weights_only=True)
    except Exception as e:  # torch raises many types for corrupt files
        raise CheckpointError(f"cannot read checkpoint {p}: {e}") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{p} is not a naslens supernet checkpoint (format {FORMAT})")
    return data


def list_checkpoints(run_dir: str | os.PathLike[str]) -> list[CheckpointRef]:
    """The kept ``epoch-XXXX.pt`` checkpoints of a run folder, by epoch."""
    d = Path(run_dir)
    if not d.is_dir():
        raise CheckpointError(f"not a training run folder: {d}")
    refs = []
    for f in d.iterdir():
        m = _EPOCH_RE.match(f.name)
        if m:
            refs.append(CheckpointRef(f, int(m.group(1))))
    return sorted(refs, key=lambda r: r.epoch)


def resolve_checkpoints(specs: list[str]) -> list[CheckpointRef]:
    """Expand checkpoint specs: a ``.pt`` file, or a run folder (all its kept checkpoints), or
    ``FOLDER:last-K`` (its K latest kept checkpoints). Duplicates (the same file, or ``last.pt`` and the kept
    checkpoint of the same epoch) are dropped; order is kept.

    Raises:
        CheckpointError: a spec names nothing usable.
    """
    out: dict[tuple[Path, int], CheckpointRef] = {}
    for spec in specs:
        # a spec that exists as a path is taken whole (paths may contain ':'); else the last ':' starts a selector
        base, suffix = (spec, "") if Path(spec).exists() or ":" not in spec else spec.rsplit(":", 1)
        p = Path(base)
        if p.is_dir():
            refs = list_checkpoints(p)
            if not refs:
                raise CheckpointError(f"no epoch-XXXX.pt checkpoints in {p}")
            if suffix:
                m = re.fullmatch(r"last-(\d+)", suffix)
                if not m or int(m.group(1)) < 1:
                    raise CheckpointError(f"bad checkpoint selector {suffix!r} in {spec!r} (expected last-K)")
                refs = refs[-int(m.group(1)) :]
        elif p.is_file():
            if suffix:
                raise CheckpointError(f"selector {suffix!r} in {spec!r} applies to run folders only, not to a file")
            m = _EPOCH_RE.match(p.name)
            epoch = int(m.group(1)) if m else int(load_checkpoint(p)["epoch"])
            refs = [CheckpointRef(p, epoch)]
        else:
            raise CheckpointError(f"checkpoint spec {spec!r}: no such file or folder")
        for r in refs:  # one checkpoint per (run, epoch): last.pt and epoch-XXXX.pt of the same epoch are one
            out.setdefault((r.path.resolve().parent, r.epoch), r)
    return list(out.values())
