"""The feature engine: a feature spec fitted once on training applicants, and a pure transform from
Kaggle-format raw tables to one feature row per applicant, for any number of applicants."""

from .aggregation import FeatureBlock
from .application import ApplicationFeatures, application_features, planned_application_inputs, stack_applications
from .bureau import bureau_features
from .column_table import ColumnTable, RawTable
from .credit_card import credit_card_features
from .engine import (
    SECONDARY_SOURCES,
    TABLE_FILES,
    assemble_features,
    build_features,
    fit_feature_spec,
    secondary_features,
    secondary_tables,
    transform,
    unseen_category_levels,
    with_empty_tables,
)
from .installments import installments_features
from .pos_cash import pos_cash_features
from .previous_application import previous_application_features
from .rows import FeatureRows
from .spec import FeatureSpecError, feature_plan, spec_version

__all__ = [
    "SECONDARY_SOURCES",
    "TABLE_FILES",
    "ApplicationFeatures",
    "ColumnTable",
    "FeatureBlock",
    "FeatureRows",
    "FeatureSpecError",
    "RawTable",
    "application_features",
    "assemble_features",
    "build_features",
    "bureau_features",
    "credit_card_features",
    "feature_plan",
    "fit_feature_spec",
    "installments_features",
    "planned_application_inputs",
    "pos_cash_features",
    "previous_application_features",
    "secondary_features",
    "secondary_tables",
    "spec_version",
    "stack_applications",
    "transform",
    "unseen_category_levels",
    "with_empty_tables",
]
