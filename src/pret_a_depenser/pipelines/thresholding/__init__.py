"""The decision threshold that minimises the business cost, on out-of-fold predictions of the tuned model."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
