"""batch_scoring with the registry's champion (`models:/credit_scoring@champion`) instead of the
BentoML store's latest model: `kedro run --pipelines batch_scoring_champion`."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
