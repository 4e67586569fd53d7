"""Optuna study of CatBoost on the kept features, minimising the cross-validated business cost."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
