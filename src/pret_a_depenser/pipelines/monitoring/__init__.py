"""Drift of current applicants (audit log or a scoring batch) against the served model's training data."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
