"""Holdout split, then six classifiers cross-validated on the same folds and compared on business cost."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
