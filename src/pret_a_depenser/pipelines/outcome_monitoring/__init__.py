"""How the served model's decisions turn out once outcomes are known."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
