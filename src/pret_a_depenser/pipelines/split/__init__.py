"""The one holdout and the cross-validation folds, and the training and holdout sets every modelling pipeline reads."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
