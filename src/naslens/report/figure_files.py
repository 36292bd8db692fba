"""Save a matplotlib figure as PNG and SVG and keep the PNG bytes for embedding."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DPI = 110


@dataclass(frozen=True)
class FigureFiles:
    """Where one figure was written, and its PNG bytes."""

    name: str
    png_path: Path
    svg_path: Path
    png: bytes


def save_figure(fig: Any, folder: Path, name: str) -> FigureFiles:
    """Write ``folder/name.png`` and ``folder/name.svg``, close the figure and return the files."""
    import matplotlib
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        png = buffer.getvalue()
        png_path = folder / f"{name}.png"
        png_path.write_bytes(png)
        svg_path = folder / f"{name}.svg"
        # text stays text (smaller, faster, searchable); fixed ids and no date make the SVG reproducible
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "naslens"}):
            fig.savefig(svg_path, format="svg", bbox_inches="tight", metadata={"Date": None})
    finally:
        plt.close(fig)
    return FigureFiles(name, png_path, svg_path, png)
