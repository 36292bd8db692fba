"""``jacob_cov``: the spectrum of the correlation of input Jacobians across a batch (Mellor et al., v1)."""

from __future__ import annotations

import numpy as np

from naslens.estimators.zeroshot._proxy import Proxy, ProxyError, ce_info, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult

K_EPS = 1e-5


def jacobian_correlation(J: np.ndarray) -> np.ndarray:
    """Pearson correlation between the rows of ``J`` (n × D); raises if a row is constant."""
    J = np.asarray(J, dtype=np.float64)
    std = J.std(axis=1)
    if np.any(std == 0):
        raise ProxyError(f"{int(np.sum(std == 0))} input Jacobian(s) are constant: correlation undefined")
    return np.corrcoef(J)


@register_proxy(
    ce_info(
        "jacob_cov",
        {"input_jacobian"},
        "−Σ_i [ln(σ_i + k) + 1/(σ_i + k)], σ = eig(corr(J)), J_n = ∂Σ_c y_nc/∂x_n, k = 1e-5",
        needs_labels=False,
    )
)
class JacobCov(Proxy):
    """``score = −Σ_i [ln(σ_i + k) + (σ_i + k)⁻¹]``, ``k = 1e-5``, σ the eigenvalues (``eigvalsh``) of the n×n
    correlation matrix of the flattened input Jacobians ``J_n = ∂(Σ_c y_nc)/∂x_n`` (BN in train mode).

    Convention (as zero-cost-nas and NASLib): ``J`` is the gradient of the *batch* sum ``Σ_m Σ_c y_mc`` with
    respect to each input, one backward for the whole batch. With BatchNorm in train mode the outputs of one image
    depend on the others through the batch statistics, so ``J_n`` also holds ``Σ_{m≠n} ∂y_m/∂x_n``: the per-sample
    Jacobian of the paper plus a batch-coupling term (small for large batches). The value therefore depends on the
    batch size; compare jacob_cov scores only at one batch size (recorded in every score's configuration)."""

    def reduce(self, result: CEBackwardResult) -> float:
        if result.input_jacobian is None:
            raise ProxyError("jacob_cov needs the input Jacobian")
        C = jacobian_correlation(result.input_jacobian.cpu().numpy())
        sigma = np.linalg.eigvalsh(C)
        if np.any(sigma + K_EPS <= 0):
            raise ProxyError(f"correlation eigenvalue {sigma.min():.3g} ≤ −k: matrix not positive semi-definite")
        return float(-np.sum(np.log(sigma + K_EPS) + 1.0 / (sigma + K_EPS)))
