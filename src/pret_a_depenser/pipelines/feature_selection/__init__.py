"""From the ~1,800-column table to about 125 features: importance ranking, then decorrelation."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
