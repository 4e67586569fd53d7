"""Packs the final model for serving into the BentoML model store (the default run's last node)."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
