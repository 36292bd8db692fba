"""Shared fixtures: where the shared benchmark data is, and skipping cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from naslens.config import data_dir


def _shared_root() -> Path:
    d = data_dir()
    if not d.exists():  # tests may be run from another cwd: try beside the repository
        alt = Path(__file__).resolve().parents[1].parent / "shared" / "data"
        if alt.exists():
            return alt
    return d


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; skips the test when it (or NASLENS_DATA) is absent."""
    d = _shared_root()
    if not (d / "nb201").exists():
        pytest.skip(f"shared benchmark data not found at {d} (set NASLENS_DATA)")
    return d


@pytest.fixture(scope="session")
def nb201_csv(shared_data: Path) -> Path:
    p = shared_data / "nb201" / "nats_tss_test_acc_200ep.csv"
    if not p.exists():
        pytest.skip(f"{p} missing")
    return p


@pytest.fixture(scope="session")
def naslib_zc(shared_data: Path) -> Path:
    p = shared_data / "naslib-zc" / "zc_nasbench201.json"
    if not p.exists():
        pytest.skip(f"{p} missing")
    return p


@pytest.fixture(scope="session")
def nb_macro_json(shared_data: Path) -> Path:
    p = shared_data / "nb-macro" / "nas_bench_macro_cifar10.json"
    if not p.exists():
        pytest.skip(f"{p} missing (NAS-Bench-Macro table of the shared data)")
    return p


REFERENCE = Path(__file__).resolve().parent / "reference"


def reference(name: str) -> dict:
    """A golden-value file of ``tests/reference/`` (values from outside naslens, with their source recorded)."""
    import json

    return json.loads((REFERENCE / name).read_text())


def pytest_configure(config: pytest.Config) -> None:
    """Register the test-only toy space, so that every test over the registered spaces includes it."""
    from tests.toy_space import register

    register()
