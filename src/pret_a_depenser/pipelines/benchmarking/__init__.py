"""Six classifiers cross-validated on the same folds of the training set and compared on business cost."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
