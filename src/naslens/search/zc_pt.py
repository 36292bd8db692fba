"""Zero-Cost-PT and Zero-Cost-DISC (Xiang et al., "Zero-Cost Operation Scoring in Differentiable Architecture
Search"): discretise an untrained mixed-op supernet with a zero-shot proxy, then validate the proposals end to end.

Stage 1, ``proposals`` times from the same freshly seeded supernet (``torch.manual_seed(seed)`` before
``space.supernet(mode="mixed")``), each proposal starting from its initial state: discretise the positions one at a
time in the chosen edge order (:mod:`naslens.search.edge_orders`), each time keeping the op of highest importance
under ``zc-pt`` (score of A − (p, o): Zero-Cost-PT) or ``disc-zc`` (score of A + (p, o): Zero-Cost-DISC). As in the
reference code, every decision round draws one fresh batch (batch ``r`` of the seeded stage-1 stream) and all the
perturbations it compares are scored on it.

Stage 2: every distinct proposal is built with ``space.build`` (``torch.manual_seed(seed)`` first) and scored with
the proxy on the same ``validation`` batches (the seeded stage-2 stream); the proposal of best total wins (NaN totals
never win). Every perturbation and every validation batch is one journal step in the score store, so a killed run
resumes where it stopped and a finished one replays without computing.

DARTS-style spaces add the paper's top-2 input-edge selection per node; that is not built here (a later issue).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from naslens.search._base import SearchError, SearchInfo, SearchResult, register_search
from naslens.search.edge_orders import ORDERS, check_order, perturbations_per_proposal, run_order
from naslens.search.journal import SearchJournal
from naslens.search.mixed import (
    BatchStream,
    Measure,
    PerturbationRunner,
    ProxyMeasure,
    alive_choices,
    bound_context,
    build_mixed,
    check_mixed_space,
    derived_seed,
    undecided,
)
from naslens.search.op_scores import OP_SCORES, perturbation_scores

STAGE_SCORES = {"zc-pt": "remove", "disc-zc": "discretise"}
"""The scores a Zero-Cost search can discretise with, and their perturbation."""


class ZeroCostPT:
    """Zero-Cost-PT (``score="zc-pt"``) or Zero-Cost-DISC (``score="disc-zc"``) with one zero-shot proxy.

    Args:
        proxy: a registered zero-shot proxy (``nwot``, ``synflow``…).
        order: an edge order of :data:`~naslens.search.edge_orders.ORDERS`.
        proposals: N, the stage-1 proposals.
        validation: V, the stage-2 batches per candidate.
        batch_size: images per batch (both stages).
        score: ``zc-pt`` or ``disc-zc``.
        dataset: the dataset whose network settings the space uses (default the space's).
        data: input source (``cifar10``, ``fashion-mnist``, ``noise``, ``uniform``; default the dataset's images).
        net: network overrides (``{"C": 16, "N": 5}``), validated by the space.
        data_root: shared data folder.
        device: ``cpu``, ``cuda`` or ``auto``.
        measure: a custom measure instead of ``proxy`` (Python API; its first name is the score used).

    Raises:
        SearchError: an unknown proxy, order or score, or a count out of range.
    """

    def __init__(
        self,
        proxy: str = "nwot",
        order: str = "random",
        proposals: int = 10,
        validation: int = 100,
        batch_size: int = 256,
        *,
        score: str = "zc-pt",
        dataset: str | None = None,
        data: str | None = None,
        net: dict[str, Any] | None = None,
        data_root: str | None = None,
        device: str = "cpu",
        measure: Measure | None = None,
    ) -> None:
        if score not in STAGE_SCORES:
            valid = ", ".join(STAGE_SCORES)
            raise SearchError(
                f"a Zero-Cost search discretises with one of {valid}, not {score!r}"
                + ("" if score in OP_SCORES else f" (operation scores: {', '.join(OP_SCORES)})")
            )
        check_order(order)
        for name, v, low in (("proposals", proposals, 1), ("validation", validation, 1), ("batch_size", batch_size, 2)):
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise SearchError(f"{name} must be an integer ≥ {low}, got {v!r}")
        self.measure: Measure = measure if measure is not None else ProxyMeasure([proxy], seed=0)
        self.proxy = self.measure.names[0] if measure is not None else proxy
        self.order, self.proposals, self.validation, self.batch_size = order, proposals, validation, batch_size
        self.score, self.kind = score, STAGE_SCORES[score]
        self.dataset, self.data, self.net, self.data_root = dataset, data, dict(net or {}), data_root
        self.device = device

    @property
    def name(self) -> str:
        return "zc-pt" if self.score == "zc-pt" else "zc-disc"

    # ------------------------------------------------------------------ configuration
    def context(self, space: Any, seed: int) -> Any:
        return bound_context(
            space,
            seed=seed,
            dataset=self.dataset,
            data=self.data,
            batch_size=self.batch_size,
            net=self.net,
            data_root=self.data_root,
            device=self.device,
        )

    def config(self, space: Any, seed: int = 0) -> dict[str, Any]:
        """What keys the run (its journal): everything that changes what it computes."""
        ctx = self.context(space, seed)
        spec = ctx.batch_spec(space)
        return {
            "score": self.score,
            "proxy": self.proxy,
            "proxy_options": getattr(getattr(self.measure, "scorer", None), "describe", lambda: {})(),
            "order": self.order,
            "proposals": self.proposals,
            "validation": self.validation,
            "batch_size": self.batch_size,
            "dataset": ctx.dataset_name(space),
            "net": {k: v for k, v in ctx.network(space).items()},
            "data": {"source": spec.source, "shape": list(spec.shape), "split": spec.split},
            "device": _device_type(ctx.device),  # float results differ between devices: another run
        }

    # ------------------------------------------------------------------ the search
    def run(self, space: Any, *, seed: int = 0, store: Any = None, progress: bool = True) -> SearchResult:
        """Search ``space`` with seed ``seed``; steps go to (and resume from) ``store`` (``None``: memory only)."""
        from naslens.estimators.zeroshot.run_context import resolve_device
        from naslens.progress import Tracker

        check_mixed_space(space)
        ctx = self.context(space, seed)
        net, spec = ctx.network(space), ctx.batch_spec(space)
        dev = resolve_device(self.device)
        if isinstance(self.measure, ProxyMeasure):
            self.measure.seed = int(seed)
        config = self.config(space, seed)
        journal = SearchJournal(store, self.name, space.name, config, seed=seed)
        sn = build_mixed(space, seed, net, dev)
        initial = sn.state()
        todo = undecided(initial)
        expected = perturbations_per_proposal(self.order, [len(alive_choices(initial, p)) for p in todo])
        runner = PerturbationRunner(
            sn, self.measure, journal, BatchStream(spec, seed=seed, stream=1, device=dev), label="stage1"
        )
        rng = np.random.default_rng(derived_seed(seed, 3))
        head = self.measure.names[0]
        pos = {"step": 0, "round": 0}

        def score_round(ps: Any) -> dict[int, list[float]]:
            imps, pos["step"] = perturbation_scores(runner, self.kind, ps, pos["round"], step0=pos["step"])
            pos["round"] += 1
            return imps[head]

        proposals, traces = [], []
        with Tracker(
            self.proposals, f"{self.name} proposals", enabled=progress, note=f"{self.proxy}, {self.order}"
        ) as bar:
            for _ in range(self.proposals):
                sn.set_state(initial)
                trace = run_order(
                    self.order, todo, lambda p: alive_choices(sn.state(), p), score_round, sn.discretise, rng
                )
                proposals.append(sn.to_arch())
                traces.append(trace)
                bar.advance()
        sn.set_state(initial)
        keys = [space.key(a) for a in proposals]
        distinct = list(dict.fromkeys(keys))
        arch_of = dict(zip(keys, proposals, strict=True))
        totals, stage2_evals, stage2_secs = self._validate(
            space,
            distinct,
            arch_of,
            net,
            seed,
            journal,
            pos["step"],
            BatchStream(spec, seed=seed, stream=2, device=dev),
            dev,
            progress,
        )
        sign = 1.0 if self.measure.higher_is_better[head] else -1.0
        signed = [sign * totals[k] for k in distinct]
        best_i = _finite_argmax(signed)
        if best_i is None:
            raise SearchError(
                f"{self.name}: no candidate has a finite validation total ({len(distinct)} candidates: NaN or inf)"
            )
        best = distinct[best_i]
        result = SearchResult(
            search=self.name,
            space=space.name,
            seed=seed,
            config=config,
            arch=best,
            value=totals[best],
            evaluations=runner.evaluations + stage2_evals,
            seconds=runner.seconds + stage2_secs,
            trajectory=journal.steps(),
            extra={
                "proposals": keys,
                "candidates": len(distinct),
                "validation_totals": {k: _num(totals[k]) for k in distinct},
                "nonfinite_totals": sum(not math.isfinite(totals[k]) for k in distinct),
                "perturbations_per_proposal": [t.perturbations for t in traces],
                "expected_perturbations_per_proposal": expected,
                "rounds_per_proposal": [t.rounds for t in traces],
                "all_nan_positions": [t.all_nan for t in traces],
                "decisions": [t.decisions for t in traces],
                "stage1_evaluations": runner.evaluations,
                "stage2_evaluations": stage2_evals,
                "data": runner.stream.provenance,
            },
        )
        journal.finish(result.summary())
        return result

    def _validate(
        self,
        space: Any,
        distinct: list[str],
        arch_of: dict[str, Any],
        net: dict[str, Any],
        seed: int,
        journal: SearchJournal,
        step: int,
        stream: BatchStream,
        dev: Any,
        progress: bool,
    ) -> tuple[dict[str, float], int, float]:
        from naslens.progress import Tracker

        head = self.measure.names[0]
        nets: dict[str, Any] = {}
        totals = dict.fromkeys(distinct, 0.0)
        evals, secs = 0, 0.0
        with Tracker(
            self.validation, f"{self.name} validation", enabled=progress, note=f"{len(distinct)} candidates"
        ) as bar:
            for v in range(self.validation):
                for key in distinct:

                    def compute(key: str = key, v: int = v) -> tuple[float, float, dict[str, Any]]:
                        import time

                        if key not in nets:
                            torch.manual_seed(int(seed))
                            nets[key] = space.build(arch_of[key], **net).to(dev)
                        batch = stream.batch(v)
                        t0 = time.perf_counter()
                        value, status = self.measure(nets[key], batch)[head]
                        return value, time.perf_counter() - t0, {"status": status}

                    st = journal.replay(step, f"stage2 {key} batch {v}", compute)
                    step += 1
                    evals += st.evaluations
                    secs += st.seconds
                    totals[key] += st.value  # a NaN batch makes the total NaN, as the reference's sum does
                bar.advance()
        return totals, evals, secs


OPTIONS = (
    "proxy",
    "order",
    "proposals",
    "validation",
    "batch_size",
    "dataset",
    "data",
    "net",
    "data_root",
    "device",
    "measure",
)
"""The options of ``zc-pt`` / ``zc-disc`` (anything else is an error)."""


def _checked(name: str, options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise SearchError(f"{name} takes no option(s) {unknown}; its options: {', '.join(OPTIONS)}")
    return options


def _finite_argmax(values: list[float]) -> int | None:
    """Index of the largest finite value (first on ties); a NaN or infinite validation total (an overflowing
    proxy) is never chosen. ``None`` when no value is finite."""
    from naslens.search.mixed import nan_argmax

    return nan_argmax([v if math.isfinite(v) else math.nan for v in values])


def _num(v: float) -> float | str:
    return float(v) if math.isfinite(v) else str(v)


@register_search(
    SearchInfo(
        "zc-pt",
        "operation-scoring",
        "Zero-Cost-PT: discretise a mixed supernet by the proxy score of A − (p, o), validate the proposals",
        needs_mixed_supernet=True,
    )
)
def zc_pt(**options: Any) -> ZeroCostPT:
    """Zero-Cost-PT (see :class:`ZeroCostPT`; ``score`` is ``zc-pt``)."""
    return ZeroCostPT(**_checked("zc-pt", options), score="zc-pt")


@register_search(
    SearchInfo(
        "zc-disc",
        "operation-scoring",
        "Zero-Cost-DISC: discretise a mixed supernet by the proxy score of A + (p, o), validate the proposals",
        needs_mixed_supernet=True,
    )
)
def zc_disc(**options: Any) -> ZeroCostPT:
    """Zero-Cost-DISC (see :class:`ZeroCostPT`; ``score`` is ``disc-zc``)."""
    return ZeroCostPT(**_checked("zc-disc", options), score="disc-zc")


__all__ = ["ORDERS", "STAGE_SCORES", "ZeroCostPT", "zc_disc", "zc_pt"]


def _device_type(device: Any) -> str:
    """``cpu`` or ``cuda`` as the run resolves ``device`` (``None``/``auto``: CUDA when present)."""
    from naslens.estimators.zeroshot.run_context import resolve_device

    return resolve_device(device).type
