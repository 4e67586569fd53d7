"""Nodes of the data_processing pipeline, one module per source table."""

from .application import application_features
from .bureau import bureau_features
from .credit_card import credit_card_features
from .installments import installments_features
from .model_input import model_input_tables
from .pos_cash import pos_cash_features
from .previous_application import previous_application_features
from .validation import RawDataValidationError, validate_raw_tables

__all__ = [
    "RawDataValidationError",
    "application_features",
    "bureau_features",
    "credit_card_features",
    "installments_features",
    "model_input_tables",
    "pos_cash_features",
    "previous_application_features",
    "validate_raw_tables",
]
