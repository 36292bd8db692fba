"""``nwot`` (NASWOT, Mellor et al. 2021): log-determinant of the ReLU activation-code kernel."""

from __future__ import annotations

import torch

from naslens.estimators.zeroshot._proxy import PROXIES, Proxy, ProxyError, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import ReluCodesResult


def relu_logdet(K: torch.Tensor) -> float:
    """``ln|det K|`` via ``slogdet`` in float64; raises on a singular kernel or a negative determinant."""
    K = K.double()
    if int(torch.linalg.matrix_rank(K)) < K.shape[0]:
        raise ProxyError(
            f"singular NASWOT kernel (rank {int(torch.linalg.matrix_rank(K))} < {K.shape[0]}): "
            "some inputs share one activation code"
        )
    sign, logabs = torch.linalg.slogdet(K)
    if float(sign) == 0:
        raise ProxyError("singular NASWOT kernel (determinant 0)")
    if float(sign) < 0:
        raise ProxyError("NASWOT kernel has a negative determinant (it is a sum of Gram matrices: numerical failure)")
    return float(logabs)


@register_proxy(
    ProxyInfo(
        name="nwot",
        higher_is_better=True,
        needs_data=True,
        needs_labels=False,
        bn_mode="train",
        precision="float64",
        pass_kind="relu_codes",
        description="ln|det K|, K = Σ_ReLU c cᵀ + (1−c)(1−c)ᵀ = N_A − Hamming distance of binary ReLU codes",
    )
)
class ReluLogdet(Proxy):
    """NASWOT: for each input n a binary code ``c_n = 1[input of each ReLU unit > 0]`` over every ``nn.ReLU`` call
    (BN in train mode); ``K_nm = N_A − d_H(c_n, c_m) = c_n·c_m + (1−c_n)·(1−c_m)``; ``score = ln|det K|``
    (``slogdet``, sign checked). Identical inputs give a singular K, reported as a failure, never a number.
    No backward pass: every ReLU executed in the forward counts (the original counted only those reached by a
    preceding backward, which on NB201 is every executed ReLU as well)."""

    def reduce(self, result: ReluCodesResult) -> float:
        return relu_logdet(result.K)


PROXIES.alias("relu_logdet", "nwot")
