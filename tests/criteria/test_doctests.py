"""The docstring examples of every criteria module run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "naslens.criteria._validate",
    "naslens.criteria.ranks",
    "naslens.criteria.correlation",
    "naslens.criteria.topk",
    "naslens.criteria.membership",
    "naslens.criteria.precision",
    "naslens.criteria.ranking",
    "naslens.criteria.mbr",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0


def test_public_api_is_exported() -> None:
    criteria = importlib.import_module("naslens.criteria")
    for name in criteria.__all__:
        assert hasattr(criteria, name), name
