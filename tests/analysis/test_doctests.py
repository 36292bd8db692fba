"""The docstring examples of the analysis and report modules run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
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
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0


def test_public_api_is_exported() -> None:
    import naslens.analysis as analysis
    import naslens.report as report

    for mod in (analysis, report):
        for name in mod.__all__:
            assert hasattr(mod, name), name
    assert callable(report.build_report)
