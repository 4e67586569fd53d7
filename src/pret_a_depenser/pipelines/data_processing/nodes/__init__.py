"""Nodes of the data_processing pipeline: validation, and the feature engine's fit and transform."""

from .examples import example_applicants
from .lineage import raw_data_lineage
from .model_input import all_application_features, model_input_tables
from .validation import RawDataValidationError, validate_raw_tables, validate_table

__all__ = [
    "RawDataValidationError",
    "all_application_features",
    "example_applicants",
    "model_input_tables",
    "raw_data_lineage",
    "validate_raw_tables",
    "validate_table",
]
