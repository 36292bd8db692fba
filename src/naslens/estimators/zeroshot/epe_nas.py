"""``epe_nas``: class-wise correlation of input Jacobians (Lopes et al., EPE-NAS), as NAS-Bench-Suite-Zero."""

from __future__ import annotations

import numpy as np

from naslens.estimators.zeroshot._proxy import Proxy, ProxyError, ce_info, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult

K_EPS = 1e-5


def epe_score(J: np.ndarray, labels: np.ndarray, n_classes: int) -> float:
    """EPE-NAS from Jacobians ``J`` (n × D) and labels.

    Per label c present: ``s_c = Σ_{i,j} ln(|corr(J_c)_ij| + k)`` (a single sample gives ``ln(1 + k)``); with
    ``n_classes ≤ 100`` the score is ``Σ_c |s_c|``, otherwise each ``s_c`` is divided by its row count and the score
    is ``Σ_{c,c'} |s_c − s_c'| / (number of labels present)``.
    """
    J = np.asarray(J, dtype=np.float64)
    s: list[float] = []
    for c in np.unique(labels):
        Jc = J[labels == c]
        if Jc.shape[0] == 1:
            corr = np.ones((1, 1))
        else:
            if np.any(Jc.std(axis=1) == 0):
                raise ProxyError(f"constant input Jacobian for label {int(c)}: correlation undefined")
            corr = np.corrcoef(Jc)
        v = float(np.sum(np.log(np.abs(corr) + K_EPS)))
        s.append(v / corr.shape[0] if n_classes > 100 else v)
    arr = np.array(s)
    if n_classes <= 100:
        return float(np.abs(arr).sum())
    return float(np.abs(arr[:, None] - arr[None, :]).sum() / len(arr))


@register_proxy(
    ce_info(
        "epe_nas",
        {"input_jacobian"},
        "Σ_c |Σ ln(|corr(J_c)| + 1e-5)| over labels c (pairwise differences above 100 classes)",
    )
)
class EpeNas(Proxy):
    """EPE-NAS on the input Jacobians of ``jacob_cov`` grouped by label; see :func:`epe_score`. The Jacobians are
    those of the batch sum with BN in train mode (batch-coupled, see :class:`JacobCov`), as NAS-Bench-Suite-Zero."""

    def reduce(self, result: CEBackwardResult) -> float:
        if result.input_jacobian is None or result.labels is None:
            raise ProxyError("epe_nas needs the input Jacobian and labels")
        return epe_score(result.input_jacobian.cpu().numpy(), result.labels.cpu().numpy(), result.n_outputs)
