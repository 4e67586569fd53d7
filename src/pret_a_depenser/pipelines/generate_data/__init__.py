"""Writes the shipped default data: Home-Credit-shaped tables from the seeded generator."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
