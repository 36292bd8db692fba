"""``fisher``: the empirical Fisher information of activation channels (Turner et al.; zero-cost-nas)."""

from __future__ import annotations

from naslens.estimators.zeroshot._proxy import Proxy, ProxyInfo, register_proxy
from naslens.estimators.zeroshot.passes import CEBackwardResult

_INFO = dict(
    higher_is_better=True,
    needs_data=True,
    needs_labels=True,
    bn_mode="train",
    precision="float32",
    pass_kind="ce_backward",
    requires=frozenset({"act_grad"}),
)


def _channel_fisher(result: CEBackwardResult, weighted: bool) -> float:
    total = 0.0
    for g_nk, fan in zip(result.act_stats, result.layer_fan_in, strict=True):
        f_k = 0.5 * g_nk.double().pow(2).mean(0)
        total += float(f_k.sum()) * (fan if weighted else 1)
    return total


@register_proxy(
    ProxyInfo(
        name="fisher",
        description="Σ_layers Σ_k ½·mean_n (Σ_spatial a·∂L/∂a)², a = Conv/Linear output channel k (pre-BN)",
        **_INFO,  # type: ignore[arg-type]
    )
)
class Fisher(Proxy):
    """``score = Σ_l Σ_k F_lk``, ``F_lk = ½ · mean_n g_nk²``, ``g_nk = Σ_{h,w} a_nkhw · ∂L/∂a_nkhw``.

    ``a`` is the output of each Conv/Linear layer (the pre-BatchNorm activation of a ReLU-Conv-BN op), ``L`` the
    mean cross-entropy. Each channel is counted once (naslens convention); ``fisher_weighted`` reproduces the
    zero-cost-nas broadcast that counts each channel ``C_in/groups · k_h · k_w`` times.
    """

    def reduce(self, result: CEBackwardResult) -> float:
        return _channel_fisher(result, weighted=False)


@register_proxy(
    ProxyInfo(
        name="fisher_weighted",
        description="fisher with each channel's F_k counted fan-in (C_in/groups·k_h·k_w) times, as zero-cost-nas sums",
        **_INFO,  # type: ignore[arg-type]
    )
)
class FisherWeighted(Proxy):
    """``score = Σ_l fan_in_l · Σ_k F_lk``: zero-cost-nas's fisher, whose per-channel values are broadcast to the
    weight tensor's shape before summing (an implementation artefact kept under its own name)."""

    def reduce(self, result: CEBackwardResult) -> float:
        return _channel_fisher(result, weighted=True)
