"""Which architectures a command works on: one grammar for every command.

- ``--archs``: a file with one architecture per line (any encoding the space parses; blank lines and lines
  starting with ``#`` ignored), ``gt:NAME`` (the architectures of a ground truth, e.g. ``gt:nb201-fmnist``) or an
  inline list separated by ``;`` (``"02012100;11111221"``). Without it: the whole space.
- ``--subset``: ``all`` or ``deiso`` (one representative per isomorphism class: the first member in the
  candidates' order — for the whole space, the space's own representatives). Default: ``deiso`` for the whole space
  of a space with isomorphism, else ``all``.
- ``--sample N --seed S``: a seeded random sample of N of those, kept in the candidates' order. By default the
  sample is ``numpy.random.default_rng(S).choice(M, N, replace=False)``; ``nested=True`` takes the first N of
  ``default_rng(S).permutation(M)`` instead, so that a larger N extends a smaller one (benchmark builds use it).

Example:
    >>> from naslens.spaces import get_space
    >>> sp = get_space("nb-macro")
    >>> len(select_archs(sp)), len(select_archs(sp, subset="all"))
    (3969, 6561)
    >>> [sp.key(a) for a in select_archs(sp, archs="02012100;11111221")]
    ['02012100', '11111221']
    >>> len(select_archs(sp, sample=100, seed=0))
    100
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from naslens.types import ArchFormatError, SpaceCapabilityError, UserError

SUBSETS = ("all", "deiso")


class SelectionError(UserError, ValueError):
    """The architecture selection is malformed (the message names the file and line, or the option)."""


def read_arch_file(space: Any, path: str | os.PathLike[str]) -> list[Any]:
    """Architectures listed in a file, one per line; errors name the file and line; duplicates are refused."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SelectionError(f"{p}: no such architecture file") from None
    except IsADirectoryError:
        raise SelectionError(f"{p}: is a folder, not an architecture file") from None
    except UnicodeDecodeError as e:
        raise SelectionError(f"{p}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise SelectionError(f"{p}: cannot read ({e.strerror})") from None
    items = [(no, raw.strip()) for no, raw in enumerate(text.splitlines(), start=1)]
    items = [(no, line) for no, line in items if line and not line.startswith("#")]
    return _parse_items(
        space,
        items,
        where=lambda no: f"{p}:{no}",
        duplicate=lambda first, no, key: f"{p}:{no}: duplicate of line {first} ({key})",
        empty=f"{p}: lists no architecture",
    )


def _inline(space: Any, text: str) -> list[Any]:
    items = list(enumerate((t.strip() for t in text.split(";") if t.strip()), start=1))
    hint = " (and no file of that name exists)" if ";" not in text else ""
    return _parse_items(
        space,
        items,
        where=lambda pos: f"--archs item {pos}",
        duplicate=lambda first, pos, key: f"--archs items {first} and {pos} are the same architecture ({key})",
        empty="--archs lists no architecture",
        hint=hint,
    )


def _parse_items(
    space: Any,
    items: list[tuple[int, str]],
    *,
    where: Any,
    duplicate: Any,
    empty: str,
    hint: str = "",
) -> list[Any]:
    """Parse numbered items; errors say where (file:line or item number); duplicates are refused."""
    archs: list[Any] = []
    first: dict[str, int] = {}
    for no, text in items:
        try:
            arch = space.parse(text)
        except (ArchFormatError, ValueError) as e:
            raise SelectionError(f"{where(no)}: {e}{hint}") from None
        key = space.key(arch)
        if key in first:
            raise SelectionError(duplicate(first[key], no, key))
        first[key] = no
        archs.append(arch)
    if not archs:
        raise SelectionError(empty)
    return archs


def _is_file(text: str) -> bool:
    """Whether ``text`` names an existing file (``False`` for what cannot be a path: too long, a NUL byte)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def candidates(space: Any, archs: str | os.PathLike[str] | Sequence[Any] | None) -> list[Any] | None:
    """The explicitly given architectures (``None``: the whole space)."""
    if archs is None:
        return None
    if isinstance(archs, os.PathLike):
        return read_arch_file(space, archs)
    if isinstance(archs, str):
        if archs.startswith("gt:"):
            from naslens.benchmarks import load_ground_truth

            gt = load_ground_truth(archs[3:])
            if gt.space != space.name:
                raise SelectionError(
                    f"--archs {archs}: that ground truth is for space {gt.space!r}, not {space.name!r}"
                )
            return [space.parse(k) for k in gt.keys]
        if _is_file(archs) or (os.sep in archs and ";" not in archs):
            return read_arch_file(space, archs)
        return _inline(space, archs)
    out = [a if not isinstance(a, str) else space.parse(a) for a in archs]
    keys = [space.key(a) for a in out]
    if len(set(keys)) != len(keys):
        raise SelectionError("the architecture list has duplicates")
    return out


def select_archs(
    space: Any,
    *,
    archs: str | os.PathLike[str] | Sequence[Any] | None = None,
    subset: str | None = None,
    sample: int | None = None,
    seed: int = 0,
    nested: bool = False,
) -> list[Any]:
    """The architectures of a command (see the module docstring for the grammar).

    Raises:
        SelectionError: a malformed file or list, an unknown subset, a sample larger than what there is.
        SpaceCapabilityError: the whole space of a space that is not enumerable, ``deiso`` without isomorphism.
    """
    given = candidates(space, archs)
    info = space.info
    if subset is None:
        subset = "deiso" if given is None and info.has_isomorphism else "all"
    if subset not in SUBSETS:
        raise SelectionError(f"--subset must be one of {', '.join(SUBSETS)}, got {subset!r}")
    if subset == "deiso" and not info.has_isomorphism:
        raise SpaceCapabilityError(f"space {space.name!r} has no isomorphism classes: use --subset all")
    if given is None:
        if not info.enumerable:
            raise SpaceCapabilityError(
                f"space {space.name!r} is not enumerable: give --archs (a file or list) to choose architectures"
            )
        pool = list(space.representatives() if subset == "deiso" else space.enumerate())
    elif subset == "deiso":
        seen: set[Any] = set()
        pool = []
        for a in given:
            c = space.canonical(a)
            if c not in seen:
                seen.add(c)
                pool.append(a)
    else:
        pool = given
    if sample is None:
        return pool
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not 1 <= sample <= len(pool):
        raise SelectionError(f"--sample must be an integer in 1..{len(pool)} (architectures selected), got {sample!r}")
    rng = np.random.default_rng(seed)
    if nested:
        return [pool[int(i)] for i in rng.permutation(len(pool))[:sample]]
    idx = np.sort(rng.choice(len(pool), size=int(sample), replace=False))
    return [pool[int(i)] for i in idx]
