"""The predictor example of docs/extending.md runs and passes the contract (a doc that rots fails here)."""

from __future__ import annotations

from pathlib import Path

from naslens.estimators.predictors import PREDICTORS

DOC = Path(__file__).resolve().parents[3] / "docs" / "extending.md"


def test_the_documented_predictor_passes_check_predictor() -> None:
    section = DOC.read_text().split("# Add a predictor", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    try:
        namespace: dict[str, object] = {}
        exec(compile(code, str(DOC), "exec"), namespace)  # runs check_predictor(…, "nb-macro") itself
        assert "ridge_onehot" in PREDICTORS
    finally:
        PREDICTORS._entries.pop("ridge_onehot", None)  # registered by the example; keep the registry as it was
