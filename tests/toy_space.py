"""A small search space defined outside naslens, registered only by the tests: the proof that a user can add a
space and get every layer (check_space, score, evaluate, report) with no change to naslens.

``toy-chain``: a stem, three searchable layers each one of ``conv3x3`` / ``conv1x1`` (Conv-BN-ReLU) or ``skip``
(identity), global average pooling and a Linear head. 27 architectures; ``skip`` layers are identities, so
architectures with the same sequence of non-skip layers are one network: 15 classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from naslens.spaces import SPACES, CodedSpace, SpaceInfo
from naslens.types import ArchFormatError

CHOICES = ("conv3x3", "conv1x1", "skip")
INFO = SpaceInfo(
    name="toy-chain",
    description="test-only toy space: 3 layers x {conv3x3, conv1x1, skip}",
    size=27,
    enumerable=True,
    has_isomorphism=True,
    num_classes=15,
    datasets=("toy10",),
    default_dataset="toy10",
    cost_columns=("params", "flops", "n_conv"),
    positions=("layer1", "layer2", "layer3"),
    choices=(CHOICES,) * 3,
    net_keys=("width", "num_classes", "in_channels", "input_size"),
    thin_net={"width": 2},
    key_format="three choices joined by '-', e.g. conv3x3-skip-conv1x1",
)


class ToyChainSpace(CodedSpace):
    info = INFO
    net_defaults: ClassVar[dict[str, Any]] = {"width": 8, "in_channels": 3}
    dataset_configs: ClassVar[dict[str, dict[str, Any]]] = {"toy10": {"num_classes": 10, "input_size": 8}}

    def from_codes(self, codes: Sequence[int]) -> tuple[str, ...]:
        return tuple(CHOICES[c] for c in self.check_codes(codes))

    def to_codes(self, arch: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(CHOICES.index(o) for o in arch)

    def key(self, arch: tuple[str, ...]) -> str:
        return "-".join(arch)

    def parse(self, text: Any) -> tuple[str, ...]:
        if isinstance(text, tuple) and all(t in CHOICES for t in text) and len(text) == 3:
            return text
        parts = str(text).strip().split("-")
        if len(parts) != 3 or any(p not in CHOICES for p in parts):
            raise ArchFormatError(f"not a toy-chain architecture (three of {CHOICES} joined by '-'): {text!r}")
        return tuple(parts)

    def canonical(self, arch: tuple[str, ...]) -> str:
        return "-".join(o for o in arch if o != "skip") or "identity"

    def build(self, arch: tuple[str, ...], **net: Any) -> Any:
        import torch.nn as nn

        cfg = self.net_config(None, **net)
        w = cfg["width"]
        layers: list[nn.Module] = [nn.Conv2d(cfg["in_channels"], w, 3, padding=1, bias=False), nn.BatchNorm2d(w)]
        layers.append(nn.ReLU())
        for op in arch:
            if op == "skip":
                layers.append(nn.Identity())
            else:
                k = 3 if op == "conv3x3" else 1
                layers += [nn.Conv2d(w, w, k, padding=k // 2, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(w, cfg["num_classes"])]
        return nn.Sequential(*layers)

    def complexity(self, archs: Sequence[tuple[str, ...]] | None = None, **net: Any) -> pd.DataFrame:
        cfg = self.net_config(None, **net)
        w, c, k, h = cfg["width"], cfg["in_channels"], cfg["num_classes"], cfg["input_size"]
        codes = self.codes_array(archs)
        n3, n1 = (codes == 0).sum(1), (codes == 1).sum(1)
        params = c * w * 9 + 2 * w + n3 * (9 * w * w + 2 * w) + n1 * (w * w + 2 * w) + w * k + k
        flops = c * w * 9 * h * h + n3 * 9 * w * w * h * h + n1 * w * w * h * h + w * k
        return pd.DataFrame({"params": params / 1e6, "flops": flops / 1e6, "n_conv": n3 + n1})


def register() -> None:
    """Register ``toy-chain`` once per test session."""
    if "toy-chain" not in SPACES:
        SPACES.register("toy-chain")(ToyChainSpace)


def toy_ground_truth() -> Any:
    """A synthetic ground truth for ``toy-chain``: deeper and wider-kernel chains score higher, isomorphs alike."""
    from naslens.benchmarks import GroundTruth, MetricInfo, Source

    space = ToyChainSpace()
    keys = [space.key(a) for a in space.enumerate()]
    cx = space.complexity()
    rng = np.random.default_rng(0)
    noise = {c: rng.normal(0, 0.5) for c in sorted({space.canonical(a) for a in space.enumerate()})}
    acc = 60 + 5 * cx["n_conv"].to_numpy() + 10 * cx["params"].to_numpy() * 1e2
    acc = acc + np.array([noise[space.canonical(a)] for a in space.enumerate()])
    values = pd.DataFrame({"toy10": acc}, index=pd.Index(keys, name="arch"))
    metrics = {"toy10": MetricInfo("toy10", "test", 1, "synthetic, one value per class")}
    return GroundTruth("toy-chain", values, metrics, Source("<synthetic>", "", "toy", "tests/toy_space.py"))
