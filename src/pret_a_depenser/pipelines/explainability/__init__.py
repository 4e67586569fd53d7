"""SHAP explanations of the final model: global (beeswarm, mean |SHAP|) and local (waterfalls)."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
