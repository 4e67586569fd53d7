"""Scores the test applicants with the served model: a Kaggle submission and a decisions file."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
