"""The run's results in one generated page (data/08_reporting/results.md), the source of every figure quoted."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
