"""Public APIs export what they list. (Docstring examples run through ``--doctest-modules`` over the package.)"""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["naslens.criteria", "naslens.analysis", "naslens.report"])
def test_public_api_is_exported(package: str) -> None:
    mod = importlib.import_module(package)
    for name in mod.__all__:
        assert hasattr(mod, name), name


def test_report_entry_point_is_callable() -> None:
    import naslens.report as report

    assert callable(report.build_report)
