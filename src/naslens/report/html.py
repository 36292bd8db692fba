"""A tiny self-contained HTML page builder: sections of text, tables and embedded figures.

Everything the page needs is inside it (CSS inline, images as ``data:`` URIs), so the single file can be mailed or
archived. Text is escaped; tables come from DataFrames.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1d1d1f;
       background: #fafafa; }
header { background: #22313f; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 24px; }
header p { margin: 2px 0; font-size: 13px; color: #d6dde4; }
nav { padding: 8px 32px; background: #e9eef2; font-size: 13px; position: sticky; top: 0; z-index: 2; }
nav a { margin-right: 14px; color: #22313f; text-decoration: none; white-space: nowrap; }
main { padding: 8px 32px 40px 32px; max-width: 1500px; }
section { background: #fff; border: 1px solid #dde3e8; border-radius: 6px; margin: 18px 0; padding: 10px 20px; }
h2 { font-size: 19px; border-bottom: 2px solid #22313f; padding-bottom: 4px; }
h3 { font-size: 15px; margin-bottom: 4px; }
p.note { font-size: 13px; color: #444; max-width: 1100px; }
p.labels { font-size: 12px; color: #5a6570; background: #f3f6f8; padding: 4px 8px; border-left: 3px solid #7a8a99; }
div.tablewrap { overflow-x: auto; max-height: 560px; overflow-y: auto; margin: 6px 0 12px 0; }
table.tbl { border-collapse: collapse; font-size: 12px; font-variant-numeric: tabular-nums; }
table.tbl th { background: #eef2f5; position: sticky; top: 0; text-align: left; padding: 4px 8px;
               border-bottom: 1px solid #b8c4ce; }
table.tbl td { padding: 3px 8px; border-bottom: 1px solid #eceff1; white-space: nowrap; }
table.tbl caption { caption-side: top; text-align: left; font-size: 12px; color: #5a6570; padding: 2px 0; }
table.kv td:first-child { font-weight: 600; color: #34495e; }
table.kv td { white-space: normal; max-width: 1100px; word-break: break-word; }
figure { margin: 10px 0 18px 0; }
figure img { max-width: 100%; border: 1px solid #e3e7ea; background: #fff; }
figcaption { font-size: 12px; color: #5a6570; }
code { font-size: 12px; background: #f1f3f5; padding: 1px 3px; }
"""


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if np.isnan(v):
            return "NaN"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        return f"{v:.4g}"
    return str(value)


def table_html(frame: pd.DataFrame, caption: str = "", index: bool = False, max_rows: int | None = 300) -> str:
    """An escaped HTML table of ``frame`` (floats to 4 significant digits, NaN written out)."""
    shown = frame if max_rows is None or len(frame) <= max_rows else frame.head(max_rows)
    head_cells = ([html.escape(str(frame.index.name or ""))] if index else []) + [
        html.escape(str(c)) for c in frame.columns
    ]
    out = ['<div class="tablewrap"><table class="tbl">']
    cap = caption
    if len(shown) < len(frame):
        cap = f"{caption} (first {len(shown)} of {len(frame)} rows; all rows in the CSV)".strip()
    if cap:
        out.append(f"<caption>{html.escape(cap)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{c}</th>" for c in head_cells) + "</tr></thead><tbody>")
    for idx, row in zip(shown.index, shown.itertuples(index=False), strict=True):
        cells = ([_fmt(idx)] if index else []) + [_fmt(v) for v in row]
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def key_value_html(items: dict[str, Any]) -> str:
    """A two-column table of labelled values (provenance, configuration)."""
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td></tr>" for k, v in items.items())
    return f'<div class="tablewrap"><table class="tbl kv"><tbody>{rows}</tbody></table></div>'


def image_html(png: bytes, alt: str, caption: str = "") -> str:
    """An ``<img>`` with the PNG embedded as a base64 data URI, in a captioned figure."""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{uri}" alt="{html.escape(alt)}">{cap}</figure>'


@dataclass
class Section:
    """One titled section of the page; ``blocks`` are HTML fragments in order."""

    id: str
    title: str
    blocks: list[str] = field(default_factory=list)

    def text(self, text: str, css: str = "note") -> None:
        self.blocks.append(f'<p class="{css}">{html.escape(text)}</p>')

    def raw(self, fragment: str) -> None:
        self.blocks.append(fragment)


@dataclass
class Page:
    """The report page: a header (title + labelled lines) and sections linked from a navigation bar."""

    title: str
    header_lines: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section(self, id: str, title: str) -> Section:
        sec = Section(id, title)
        self.sections.append(sec)
        return sec

    def render(self) -> str:
        nav = " ".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in self.sections)  # spaces: may wrap
        header = "".join(f"<p>{html.escape(line)}</p>" for line in self.header_lines)
        body = "".join(
            f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>{"".join(s.blocks)}</section>' for s in self.sections
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{html.escape(self.title)}</h1>{header}</header><nav>{nav}</nav>"
            f"<main>{body}</main></body></html>\n"
        )
