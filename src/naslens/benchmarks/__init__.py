"""Ground truth: benchmark tables with provenance, and the builder that trains architectures into new ones."""

from naslens.benchmarks.ground_truth import GroundTruth, GroundTruthError, MetricInfo, Source
from naslens.benchmarks.resolve import available, load_ground_truth

__all__ = ["GroundTruth", "GroundTruthError", "MetricInfo", "Source", "available", "load_ground_truth"]
