"""Registry: registration, lookup errors, aliases."""

from __future__ import annotations

import pytest

from naslens.registry import Registry


def test_alias_resolves_and_is_not_listed():
    reg: Registry[type] = Registry("thing")
    reg.add("nwot", dict)
    reg.alias("relu_logdet", "nwot")
    assert reg.get("relu_logdet") is dict and reg.create("relu_logdet") == {}
    assert "relu_logdet" in reg and reg.canonical("relu_logdet") == "nwot" and reg.canonical("nwot") == "nwot"
    assert reg.list() == ["nwot"] and reg.aliases() == {"relu_logdet": "nwot"}
    reg.alias("relu_logdet", "nwot")  # idempotent
    with pytest.raises(ValueError, match="already registered"):
        reg.add("relu_logdet", list)
    with pytest.raises(ValueError, match="already registered"):
        reg.alias("nwot", "nwot")
    with pytest.raises(KeyError, match="unknown thing 'x'"):
        reg.alias("y", "x")
    with pytest.raises(KeyError, match="known: nwot"):
        reg.canonical("nope")


def test_relu_logdet_is_the_nwot_proxy_and_estimator(tmp_path):
    from naslens.cli_score import resolve_proxies
    from naslens.estimators import create_estimator
    from naslens.estimators.zeroshot import create_proxy

    assert type(create_proxy("relu_logdet")) is type(create_proxy("nwot"))
    assert resolve_proxies("relu_logdet,snip") == ["nwot", "snip"]
    est = create_estimator(
        "relu_logdet", data="noise", dataset="ImageNet16-120", batch_size=4, n_batches=1, net={"C": 4, "N": 1}
    )
    assert est.info.name == "nwot"
