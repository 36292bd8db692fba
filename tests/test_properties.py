"""Property-based tests (Hypothesis) over the parsers users feed text to.

Every registered space (the test-only toy space included): keys, indices, codes and one-hot vectors round-trip, and
any text or value given to ``parse`` either is an architecture or raises :class:`~naslens.types.ArchFormatError`;
``--k`` values (``parse_k``); architecture selections and subsets (``select_archs``, ``plan_subset``); ensemble
specs (``parse_ensemble``). Garbage never leaks an ``IndexError``/``KeyError``/``TypeError``/``OverflowError``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from naslens.criteria import k_label, parse_k
from naslens.estimators.ensemble import HybridEstimator, VoteEstimator, parse_ensemble
from naslens.selection import SelectionError, select_archs
from naslens.spaces import get_space, list_spaces
from naslens.subsets import SUBSETS, plan_subset
from naslens.types import ArchFormatError, UserError

SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FEW = settings(SETTINGS, max_examples=60)
SPACES = sorted(list_spaces())


def _arch(space: Any) -> st.SearchStrategy[Any]:
    """An architecture of ``space`` drawn through the protocol (``sample`` with a seeded generator)."""
    return st.integers(0, 2**32 - 1).map(lambda s: space.sample(np.random.default_rng(s)))


def _parse_or_format_error(space: Any, value: Any) -> None:
    """``parse(value)`` is an architecture of the space (whose key round-trips) or an ArchFormatError."""
    try:
        arch = space.parse(value)
    except ArchFormatError as e:
        assert str(e), "an ArchFormatError without a message"
        return
    assert space.parse(space.key(arch)) == arch


NEAR_TEXT = st.text(alphabet="|+~()[],;: 0123456789-_abcdefghijklmnopqrstuvwxyz²٣\x00\n", max_size=60)
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=10),
    st.lists(st.one_of(st.integers(), st.floats(), st.text(max_size=8), st.none()), max_size=10),
    st.tuples(*[st.one_of(st.integers(-2, 6), st.floats(0, 5)) for _ in range(6)]),
    st.tuples(*[st.one_of(st.integers(-2, 6), st.floats(0, 5)) for _ in range(8)]),
)


# ---------------------------------------------------------------------------------------------------- spaces
@pytest.mark.parametrize("name", SPACES)
def test_keys_codes_and_onehot_round_trip(name: str) -> None:
    space = get_space(name)
    card = space.info.cardinalities

    @SETTINGS
    @given(_arch(space), st.sampled_from(["", " ", "\t", "\n"]))
    def check(arch: Any, pad: str) -> None:
        key = space.key(arch)
        assert isinstance(key, str)
        assert space.parse(key) == arch and space.key(space.parse(key)) == key
        assert space.parse(f"{pad}{key}{pad}") == arch  # surrounding whitespace is ignored
        assert space.parse(arch) == arch
        codes = space.encode(arch, "codes")
        assert codes.shape == (len(card),) and all(0 <= c < n for c, n in zip(codes, card, strict=True))
        if hasattr(space, "from_codes"):
            assert space.from_codes(codes.tolist()) == arch
        onehot = space.encode(arch, "onehot")
        assert onehot.shape == (sum(card),) and onehot.sum() == len(card)
        segments = np.split(onehot, np.cumsum(card)[:-1])
        assert [int(np.argmax(s)) for s in segments] == codes.tolist()
        if space.info.enumerable:
            assert space.enumerate()[space.index(arch)] == arch

    check()


@pytest.mark.parametrize("name", SPACES)
def test_parse_of_any_text_is_an_arch_or_an_arch_format_error(name: str) -> None:
    space = get_space(name)

    @SETTINGS
    @given(st.one_of(st.text(max_size=80), NEAR_TEXT))
    def check(text: str) -> None:
        _parse_or_format_error(space, text)

    check()


@pytest.mark.parametrize("name", SPACES)
def test_parse_of_a_mangled_key_is_an_arch_or_an_arch_format_error(name: str) -> None:
    space = get_space(name)

    @SETTINGS
    @given(_arch(space), st.data())
    def check(arch: Any, data: st.DataObject) -> None:
        key = space.key(arch)
        i = data.draw(st.integers(0, len(key)))
        j = data.draw(st.integers(i, min(len(key), i + 4)))
        insert = data.draw(st.text(alphabet="|+~0123456789_-,()xz ", max_size=3))
        _parse_or_format_error(space, key[:i] + insert + key[j:])

    check()


@pytest.mark.parametrize("name", SPACES)
def test_parse_of_any_value_is_an_arch_or_an_arch_format_error(name: str) -> None:
    space = get_space(name)

    @SETTINGS
    @given(ANY_VALUE)
    def check(value: Any) -> None:
        _parse_or_format_error(space, value)

    check()


def test_nb201_encodings_round_trip() -> None:
    space = get_space("nb201")
    from naslens.spaces.nb201.arch import NB201Arch

    @SETTINGS
    @given(_arch(space))
    def check(arch: NB201Arch) -> None:
        assert space.parse(arch.index) == arch and space.parse(f" {arch.index} ") == arch
        assert space.parse(np.int64(arch.index)) == arch
        naslib = arch.to_naslib()
        assert space.parse(naslib) == arch and space.parse(str(naslib)) == arch and space.parse(list(naslib)) == arch
        assert NB201Arch.from_edge_matrix(arch.to_edge_matrix()) == arch
        assert NB201Arch.from_node_graph(*arch.to_node_graph()) == arch
        assert NB201Arch.from_codes(arch.codes) == arch

    check()


def test_nb_macro_encodings_round_trip() -> None:
    space = get_space("nb-macro")

    @SETTINGS
    @given(_arch(space), st.sampled_from([",", ", ", " ,"]))
    def check(arch: Any, sep: str) -> None:
        codes = list(arch.codes)
        assert space.parse(space.index(arch)) == arch
        assert space.parse(codes) == arch and space.parse(tuple(codes)) == arch
        assert space.parse(list(arch.ops)) == arch
        assert space.parse(sep.join(map(str, codes))) == arch and space.parse(f"({sep.join(arch.ops)})") == arch

    check()


@pytest.mark.parametrize("name", SPACES)
def test_out_of_range_and_fractional_codes_are_refused(name: str) -> None:
    space = get_space(name)
    card = space.info.cardinalities
    if not hasattr(space, "from_codes"):
        pytest.skip("the space has no from_codes")

    @SETTINGS
    @given(st.data())
    def check(data: st.DataObject) -> None:
        codes: list[Any] = [data.draw(st.integers(0, n - 1)) for n in card]
        pos = data.draw(st.integers(0, len(card) - 1))
        codes[pos] = data.draw(
            st.one_of(
                st.integers(max_value=-1),
                st.integers(min_value=card[pos]),
                st.floats(0, card[pos] - 1).filter(lambda f: not f.is_integer()),
                st.just(math.inf),
                st.just(math.nan),
            )
        )
        with pytest.raises(ArchFormatError):
            space.from_codes(codes)

    check()


# ---------------------------------------------------------------------------------------------------- --k
@SETTINGS
@given(st.floats(min_value=0.0, max_value=1.0, exclude_min=True), st.sampled_from(["", " "]))
def test_parse_k_reads_a_ratio(ratio: float, pad: str) -> None:
    text = repr(ratio)
    assume("." in text or "e" in text)
    value = parse_k(f"{pad}{text}{pad}")
    assert isinstance(value, float) and value == ratio
    assert parse_k(k_label(ratio)) == ratio


@SETTINGS
@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100), places=3))
def test_parse_k_reads_a_percentage(percent: Decimal) -> None:
    value = parse_k(f"{percent}%")
    assert isinstance(value, float)
    assert value == float(Fraction(str(percent)) / 100)


@SETTINGS
@given(st.integers(min_value=1, max_value=10**12), st.sampled_from(["{}", "n={}", " {} ", "N={}", "n= {}"]))
def test_parse_k_reads_a_count(count: int, form: str) -> None:
    value = parse_k(form.format(count))
    assert isinstance(value, int) and not isinstance(value, bool) and value == count
    assert parse_k(k_label(count)) == count


@SETTINGS
@given(
    st.one_of(
        st.integers(max_value=0).map(str),
        st.integers(max_value=0).map("n={}".format),
        st.floats(min_value=1.0, exclude_min=True, allow_infinity=False).map(repr),
        st.floats(max_value=0.0).map(repr),
        st.decimals(min_value=Decimal("100.001"), max_value=Decimal("1e500"), allow_nan=False).map("{}%".format),
        st.just("1e400%"),
        st.just("-5%"),
    )
)
def test_parse_k_refuses_values_out_of_range(text: str) -> None:
    with pytest.raises(ValueError, match=r"k"):
        parse_k(text)


@SETTINGS
@given(st.one_of(st.text(max_size=30), st.text(alphabet="0123456789.e%n=+- _", max_size=12)))
def test_parse_k_of_any_text_is_a_k_or_a_value_error(text: str) -> None:
    try:
        value = parse_k(text)
    except ValueError as e:
        assert repr(text) in str(e)  # the message names what was given
        return
    assert (isinstance(value, int) and value >= 1) or (isinstance(value, float) and 0 < value <= 1)


# ---------------------------------------------------------------------------------------------------- selection
@pytest.mark.parametrize("name", SPACES)
def test_an_inline_list_reads_back_its_architectures(name: str) -> None:
    space = get_space(name)

    @FEW
    @given(st.lists(_arch(space), min_size=1, max_size=40), st.sampled_from([";", "; ", " ;\n"]), st.booleans())
    def check(archs: list[Any], sep: str, trailing: bool) -> None:
        keys = list(dict.fromkeys(space.key(a) for a in archs))
        text = sep.join(keys) + (sep if trailing else "")
        assume(";" in text)  # one item without a separator is read as a file name first
        got = select_archs(space, archs=text, subset="all")
        assert [space.key(a) for a in got] == keys

    check()


@pytest.mark.parametrize("name", SPACES)
def test_duplicates_in_an_inline_list_name_both_items(name: str) -> None:
    space = get_space(name)

    @FEW
    @given(st.lists(_arch(space), min_size=1, max_size=10, unique_by=space.key), st.data())
    def check(archs: list[Any], data: st.DataObject) -> None:
        keys = [space.key(a) for a in archs]
        i = data.draw(st.integers(0, len(keys) - 1))
        j = data.draw(st.integers(0, len(keys)))
        items = [*keys[:j], keys[i], *keys[j:]]
        first, second = sorted((i + (i >= j), j))
        with pytest.raises(SelectionError, match=rf"items {first + 1} and {second + 1} are the same architecture"):
            select_archs(space, archs=";".join(items), subset="all")

    check()


@pytest.mark.parametrize("name", SPACES)
def test_any_selection_text_gives_architectures_or_a_user_error(name: str) -> None:
    space = get_space(name)

    @FEW
    @given(
        st.one_of(st.text(max_size=40), NEAR_TEXT, st.text(alphabet="a;", min_size=256, max_size=400)),
        st.one_of(st.none(), st.sampled_from(["all", "deiso"]), st.text(max_size=8)),
        st.one_of(st.none(), st.integers(-3, 30)),
    )
    def check(text: str, subset: str | None, sample: int | None) -> None:
        try:
            got = select_archs(space, archs=text, subset=subset, sample=sample)
        except UserError as e:
            assert str(e)
            return
        assert got and all(space.parse(space.key(a)) == a for a in got)

    check()


@pytest.mark.parametrize("name", SPACES)
def test_subset_plans_cover_the_architectures_once(name: str) -> None:
    space = get_space(name)

    @settings(SETTINGS, max_examples=30)  # each plan counts the classes of the whole space
    @given(st.lists(_arch(space), min_size=1, max_size=60, unique_by=space.key), st.sampled_from(SUBSETS))
    def check(archs: list[Any], subset: str) -> None:
        keys = [space.key(a) for a in archs]
        if subset != "all" and not space.info.has_isomorphism:
            with pytest.raises(UserError):
                plan_subset(space, keys, subset)
            return
        plan = plan_subset(space, keys, subset)
        covered = plan.truth_members if subset == "deiso-gtmean" and plan.truth_members else plan.members
        if subset in ("all", "deiso-mean", "deiso-gtmean"):
            assert sorted(k for g in covered for k in g) == sorted(keys)
        classes = {space.canonical(space.parse(k)) for k in keys}
        assert len(plan.rows) == (len(keys) if subset == "all" else len(classes))
        assert len(set(plan.rows)) == len(plan.rows) and set(plan.rows) <= set(keys)

    check()


@SETTINGS
@given(st.text(max_size=20))
def test_an_unknown_subset_is_a_user_error(subset: str) -> None:
    assume(subset not in SUBSETS)
    space = get_space("nb-macro")
    with pytest.raises(UserError, match="subset"):
        plan_subset(space, ["02012100"], subset)


# ---------------------------------------------------------------------------------------------------- ensembles
MEMBER = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=10)
WEIGHT = st.floats(allow_nan=False, allow_infinity=False)  # repr of big ones has an exponent: 1e+16


@SETTINGS
@given(
    st.sampled_from(["vote", "hybrid"]),
    st.lists(st.tuples(MEMBER, st.one_of(st.none(), WEIGHT)), min_size=1, max_size=6, unique_by=lambda m: m[0]),
    st.sampled_from(["+", ",", " + ", ", "]),
)
def test_an_ensemble_spec_reads_back_its_members_and_weights(kind: str, members: list, sep: str) -> None:
    parts = [name if w is None else f"{name}*{w!r}" for name, w in members]
    got = parse_ensemble(f"{kind}:{sep.join(parts)}")
    assert got == (kind, [n for n, _ in members], [1.0 if w is None else w for _, w in members])


@SETTINGS
@given(
    st.sampled_from([HybridEstimator, VoteEstimator]),
    st.lists(MEMBER, min_size=2, max_size=5, unique=True),
    st.lists(st.floats(min_value=1e-9, max_value=1e9), min_size=5, max_size=5),
)
def test_an_ensemble_name_parses_back_to_the_same_ensemble(cls: type, names: list[str], weights: list[float]) -> None:
    ens = cls(names, weights[: len(names)])
    kind, members, parsed = parse_ensemble(ens.name)
    assert (kind, members, parsed) == (cls.kind, names, ens.weights)


@SETTINGS
@given(st.one_of(st.text(max_size=40), st.text(alphabet="votehybrid:+,*.0123456789e- nainf", max_size=30)))
def test_any_ensemble_spec_text_gives_a_spec_or_a_user_error(text: str) -> None:
    try:
        kind, members, weights = parse_ensemble(text)
    except UserError as e:
        assert repr(text) in str(e) or text in str(e)
        return
    assert kind in ("vote", "hybrid") and members and len(members) == len(weights) == len(set(members))
    assert all(m and m == m.strip() for m in members) and all(math.isfinite(w) for w in weights)


@pytest.mark.parametrize("weight", ["nan", "inf", "-inf", "1e999", "", "x", "2*3"])
def test_an_ensemble_weight_must_be_a_finite_number(weight: str) -> None:
    with pytest.raises(UserError, match="weight"):
        parse_ensemble(f"hybrid:zen*{weight}+flops")
