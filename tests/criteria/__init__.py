"""Tests of naslens.criteria."""
