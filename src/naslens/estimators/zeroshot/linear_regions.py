"""``linear_regions`` (TE-NAS): number of distinct ReLU activation patterns over a batch of small inputs."""

from __future__ import annotations

from typing import Any

import torch

from naslens.estimators.zeroshot._proxy import Proxy, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import ReluCodesResult


def count_patterns(K: torch.Tensor, n_units: int) -> int:
    """Distinct codes among the batch: inputs n, m share a pattern iff ``K_nm = N_A`` (Hamming distance 0)."""
    same = torch.eq(K, float(n_units)).cpu()
    seen = torch.zeros(K.shape[0], dtype=torch.bool)
    count = 0
    for i in range(K.shape[0]):
        if not bool(seen[i]):
            count += 1
            seen |= same[i]
    return count


@register_proxy(
    ProxyInfo(
        name="linear_regions",
        higher_is_better=True,
        needs_data=True,
        needs_labels=False,
        bn_mode="train",
        precision="float32",
        pass_kind="relu_codes",
        description="distinct ReLU activation patterns of 1,000 random 3×3 crops, on the space's thin network",
        network="thin",
    )
)
class LinearRegions(Proxy):
    """TE-NAS's linear-region count: ``score = Σ_i 1/|{j : c_j = c_i}|``, the number of distinct activation
    patterns (linear pieces of the network) hit by ``samples`` random ``crop × crop`` patches of the batch's images.

    As in TE-NAS, the estimator scores a *thin* copy of the architecture (``network="thin"``: the space's
    ``SpaceInfo.thin_net``, NB201's C=1, N=1; NAS-Bench-Macro's init_channels=4, head_channels=16): on the full-width
    network every input falls in its own region and the count saturates at the number of inputs. A space that
    defines no thin network cannot run it (a clear error before any work).

    On 3×3 crops (TE-NAS' setting) the NB201 reduction block's two branches disagree in size: the conv branch (stride
    2, padding 1) gives 2×2 maps, the shortcut (2×2 average pooling, stride 2) gives 1×1, and the residual sum
    broadcasts the 1×1 map over the 2×2 one. TE-NAS runs exactly this (PyTorch broadcasts silently) and so does
    naslens, to stay comparable; with ``crop ≥ 4`` (even) the branches agree and the network is the benchmark's.

    Args:
        crop: patch side in pixels (``None``: the batch's images as they are).
        samples: number of patches.
    """

    def __init__(self, crop: int | None = 3, samples: int = 1000) -> None:
        if crop is not None and (not isinstance(crop, int) or crop < 1):
            raise ValueError(f"crop must be a positive integer or None, got {crop!r}")
        if not isinstance(samples, int) or samples < 2:
            raise ValueError(f"samples must be an integer ≥ 2, got {samples!r}")
        self.crop = crop
        self.samples = samples

    def options(self) -> dict[str, Any]:
        return {"crop": self.crop, "samples": self.samples}

    def pass_options(self) -> dict[str, Any]:
        return {"crop": self.crop, "samples": self.samples}

    def reduce(self, result: ReluCodesResult) -> float:
        return float(count_patterns(result.K, result.n_units))
