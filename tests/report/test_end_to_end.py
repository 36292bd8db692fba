"""``naslens.evaluate`` on the shared NB201 ground truth with structural estimators, then the report."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from naslens.report import build_report

from .conftest import decode_data_uri, parse_page
from .test_build_report import ALWAYS


@pytest.fixture(scope="module")
def nb201_report(nb201_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    evaluation = pytest.importorskip("naslens.evaluation")
    base = tmp_path_factory.mktemp("e2e")
    evaluation.evaluate(
        ground_truth=str(nb201_csv),
        dataset="cifar10",
        estimators=["params", "relu", "random"],
        subset="deiso",
        out=base / "eval",
    )
    return build_report(base / "eval", base / "report")


@pytest.mark.needs_shared_data
def test_report_on_shared_nb201(nb201_report: Path, nb201_csv: Path):
    from naslens.benchmarks.ground_truth import sha256_file

    html = nb201_report.read_text(encoding="utf-8")
    page = parse_page(html)
    assert all(s in page.sections for s in ALWAYS)
    manifest = json.loads((nb201_report.parent / "report.json").read_text())
    assert manifest["errors"] == {}
    for name in manifest["figures"]:
        kind, data = decode_data_uri(page.images[name])
        assert kind == "png" and data[:4] == b"\x89PNG"
    assert sha256_file(nb201_csv) in page.text and "deiso" in page.text and "ori-test" in page.text
    crit = pd.read_csv(nb201_report.parent / "tables" / "criteria.csv").set_index("estimator")
    assert crit.loc["params", "kendall_tau"] == pytest.approx(0.609, abs=0.002)  # reference fact, 6,466 classes
    assert crit.loc["params", "n_archs"] == 6466
    mbr = pd.read_csv(nb201_report.parent / "tables" / "mbr_flops.csv").set_index("estimator")
    assert mbr.loc["oracle", "mbr"] < mbr.loc["params", "mbr"] < mbr.loc["random", "mbr"]
    spread = pd.read_csv(nb201_report.parent / "tables" / "isomorphism_spread.csv")
    assert (spread["n_multi_classes"] == 0).all()  # one architecture per class in a de-isomorphic subset


@pytest.mark.slow
@pytest.mark.needs_shared_data
def test_report_renders_in_headless_chromium(nb201_report: Path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed")
    with tempfile.TemporaryDirectory() as profile:
        shot = Path(profile) / "shot.png"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={shot}",
                "--window-size=1400,3000",
                nb201_report.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        from PIL import Image

        with Image.open(shot) as im:
            assert im.size == (1400, 3000)
            colours = im.convert("RGB").resize((140, 300)).getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 50  # a rendered page, not a blank one
