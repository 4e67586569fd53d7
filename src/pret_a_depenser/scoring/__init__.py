"""Scoring as the service and the batch pipeline run it: one bundle format, one scorer."""

from .bundle import ModelSourceError, ServingBundle, load_bundle, read_bundle_directory, write_bundle_directory
from .scorer import CreditScorer

__all__ = ["CreditScorer", "ModelSourceError", "ServingBundle", "load_bundle", "read_bundle_directory", "write_bundle_directory"]
