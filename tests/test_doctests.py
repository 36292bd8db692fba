"""The docstring examples of naslens modules run and give what they show; public APIs export what they list."""

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
    "naslens.analysis.complexity_groups",
    "naslens.analysis.complexity_bias",
    "naslens.analysis.mutation_pairs",
    "naslens.analysis.stability",
    "naslens.analysis.kendall_matrix",
    "naslens.analysis.pareto",
    "naslens.analysis.cell_depth",
    "naslens.analysis.forgetting",
    "naslens.analysis.gradient_similarity",
    "naslens.report.scatter",
    "naslens.spaces.nb201",
    "naslens.spaces.nb201_complexity",
    "naslens.nn.nb201_network",
    "naslens.store",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0


@pytest.mark.parametrize("package", ["naslens.criteria", "naslens.analysis", "naslens.report"])
def test_public_api_is_exported(package: str) -> None:
    mod = importlib.import_module(package)
    for name in mod.__all__:
        assert hasattr(mod, name), name


def test_report_entry_point_is_callable() -> None:
    import naslens.report as report

    assert callable(report.build_report)
