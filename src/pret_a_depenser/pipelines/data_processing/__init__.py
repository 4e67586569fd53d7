"""Raw Kaggle tables -> validated tables -> per-source features -> one model input row per applicant."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
