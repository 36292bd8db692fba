"""Network settings given on the command line (``--net KEY=VALUE``): one parser for every command."""

from __future__ import annotations

import pytest

from naslens.config import parse_settings


def test_values_are_typed() -> None:
    assert parse_settings(["C=8", "lr=0.5", "bn_affine=false", "mode=fast", ""]) == {
        "C": 8, "lr": 0.5, "bn_affine": False, "mode": "fast"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("items", "message"), [(["C"], "KEY=VALUE"), (["C=1", "C=2"], "given twice"), (["=3"], "KEY=VALUE")]
)
def test_bad_items(items: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_settings(items)
