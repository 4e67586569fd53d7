"""Nodes of the data_processing pipeline: validation, and the feature engine's fit and transform."""

from .examples import example_applicants
from .model_input import all_application_features, model_input_tables
from .validation import RawDataValidationError, validate_raw_tables, validate_table

__all__ = ["RawDataValidationError", "all_application_features", "example_applicants", "model_input_tables", "validate_raw_tables", "validate_table"]
