"""Conversions between levels, one file per pair, and the named pipelines."""
