"""Bookkeeping while a report is built: where tables and figures go, and the manifest that lists them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from naslens.report.evaluation_data import EvaluationData
from naslens.report.figure_files import save_figure
from naslens.report.html import Page, Section, image_html, table_html


@dataclass
class ReportContext:
    """Writes each table as CSV + JSON and each figure as PNG + SVG under ``out``, and embeds them in ``page``."""

    data: EvaluationData
    out: Path
    page: Page
    manifest: dict[str, Any] = field(
        default_factory=lambda: {"sections": [], "tables": {}, "figures": {}, "errors": {}}
    )

    @property
    def tables_dir(self) -> Path:
        return self.out / "tables"

    @property
    def figures_dir(self) -> Path:
        return self.out / "figures"

    def section(self, id: str, title: str, with_labels: bool = True) -> Section:
        """A new page section; by default it opens with the ground-truth / subset label line."""
        sec = self.page.section(id, title)
        self.manifest["sections"].append({"id": id, "title": title})
        if with_labels:
            sec.text(self.data.gt_label(), css="labels")
        return sec

    def table(
        self,
        section: Section,
        name: str,
        frame: pd.DataFrame,
        caption: str,
        index: bool = False,
        max_rows: int | None = 300,
        show: bool = True,
    ) -> None:
        """Write ``tables/<name>.csv`` and ``.json``; embed the table in ``section`` unless ``show`` is False."""
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        csv = self.tables_dir / f"{name}.csv"
        js = self.tables_dir / f"{name}.json"
        frame.to_csv(csv, index=index)
        js.write_text((frame.reset_index() if index else frame).to_json(orient="records", indent=1) + "\n")
        self.manifest["tables"][name] = {
            "section": section.id,
            "csv": str(csv.relative_to(self.out)),
            "json": str(js.relative_to(self.out)),
            "rows": len(frame),
            "caption": caption,
        }
        if show:
            section.raw(f'<div class="table" data-name="{name}">')
            section.raw(table_html(frame, caption=caption, index=index, max_rows=max_rows))
            section.raw("</div>")

    def figure(self, section: Section, name: str, fig: Any, caption: str) -> None:
        """Write ``figures/<name>.png`` and ``.svg`` and embed the PNG in ``section``."""
        files = save_figure(fig, self.figures_dir, name)
        self.manifest["figures"][name] = {
            "section": section.id,
            "png": str(files.png_path.relative_to(self.out)),
            "svg": str(files.svg_path.relative_to(self.out)),
            "caption": caption,
        }
        section.raw(image_html(files.png, alt=name, caption=caption))

    def error(self, section: Section, what: str, exc: Exception) -> None:
        """Show (never hide) why part of a section could not be computed."""
        message = f"{what} could not be computed: {type(exc).__name__}: {exc}"
        self.manifest["errors"].setdefault(section.id, []).append(message)
        section.text(message, css="note")

    def write_manifest(self) -> Path:
        path = self.out / "report.json"
        path.write_text(json.dumps(self.manifest, indent=1, default=str) + "\n")
        return path
