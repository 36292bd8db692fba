"""K handling: ratio vs count, parsing, labels and errors."""

from __future__ import annotations

import numpy as np
import pytest

from naslens.criteria import DEFAULT_K_RATIOS, k_label, parse_k, resolve_k


@pytest.mark.parametrize(
    ("k", "m", "expected"),
    [
        (0.05, 15625, 781),
        (0.005, 6466, 32),
        (0.5, 7, 3),
        (1.0, 7, 7),
        (0.29, 100, 29),  # the decimal the user wrote, not float(100 * 0.29) = 28.999...
        (50, 15625, 50),
        (1, 2, 1),
        (7, 7, 7),
        (np.int64(3), 10, 3),
        (np.float32(0.5), 10, 5),
    ],
)
def test_resolve_k(k: int | float, m: int, expected: int) -> None:
    got = resolve_k(k, m)
    assert got == expected
    assert type(got) is int


def test_default_ratios_agree_with_aw_nas_int_product() -> None:
    for m in (10, 100, 1000, 6466, 15625):
        for ratio in DEFAULT_K_RATIOS:
            if int(m * ratio) >= 1:
                assert resolve_k(ratio, m) == int(m * ratio)


@pytest.mark.parametrize(
    ("k", "m", "match"),
    [
        (0, 10, "count must be >= 1"),
        (-3, 10, "count must be >= 1"),
        (0.0, 10, r"ratio must be a float in \(0, 1\]"),
        (1.5, 10, r"ratio must be a float in \(0, 1\]"),
        (-0.1, 10, r"ratio must be a float in \(0, 1\]"),
        (float("nan"), 10, r"ratio must be a float in \(0, 1\]"),
        (0.0001, 50, "k=0.0001 with M=50 gives K=0 < 1"),
        (11, 10, "k=11 with M=10 gives K=11 > M"),
        (True, 10, "bool"),
        (np.bool_(True), 10, "bool"),
        ("5", 10, "got str"),
    ],
)
def test_resolve_k_errors(k: object, m: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_k(k, m)  # type: ignore[arg-type]


@pytest.mark.parametrize("m", [0, -1, 2.0, True])
def test_resolve_k_bad_m(m: object) -> None:
    with pytest.raises(ValueError, match="M must be an int"):
        resolve_k(1, m)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.05", 0.05),
        ("5%", 0.05),
        (" 0.5% ", 0.005),
        ("100%", 1.0),
        ("1.0", 1.0),
        ("1e-3", 0.001),
        ("50", 50),
        ("1", 1),
        ("n=50", 50),
    ],
)
def test_parse_k(text: str, expected: int | float) -> None:
    got = parse_k(text)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("text", ["", "abc", "0", "-5", "0%", "150%", "1.5", "n=", "n=0", "n=1.5", "inf", "nan"])
def test_parse_k_errors(text: str) -> None:
    with pytest.raises(ValueError, match="k"):
        parse_k(text)


@pytest.mark.parametrize(
    ("k", "label"), [(0.05, "0.05"), (0.005, "0.005"), (1.0, "1.0"), (50, "n=50"), (np.int32(5), "n=5")]
)
def test_k_label(k: int | float, label: str) -> None:
    assert k_label(k) == label


@pytest.mark.parametrize("k", [*DEFAULT_K_RATIOS, 1e-05, 1.0, 1, 50, 15625])
def test_label_round_trips_through_parse(k: int | float) -> None:
    assert parse_k(k_label(k)) == k


def test_labels_distinguish_ratio_and_count() -> None:
    assert k_label(1) != k_label(1.0)


@pytest.mark.parametrize("k", [0, 1.5, True])
def test_k_label_errors(k: object) -> None:
    with pytest.raises(ValueError):
        k_label(k)  # type: ignore[arg-type]
