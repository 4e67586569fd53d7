"""Refit on every non-holdout applicant with the tuned parameters; evaluate once on the holdout."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
