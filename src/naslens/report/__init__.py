"""The naslens report: ``build_report(evaluation_dir, out_dir, store=None)`` writes one self-contained HTML page
with every table as CSV/JSON and every figure as PNG/SVG."""

from naslens.report.build import REPORT_FILE, build_report
from naslens.report.evaluation_data import EvaluationData, ReportError, load_evaluation

__all__ = ["REPORT_FILE", "EvaluationData", "ReportError", "build_report", "load_evaluation"]
