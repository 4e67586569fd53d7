"""Nodes around the feature engine: all applicants' features, and the train / test model input."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from pret_a_depenser.features import (
    ApplicationFeatures,
    FeatureBlock,
    application_features,
    assemble_features,
    stack_applications,
)


def all_application_features(
    application_train: pl.DataFrame, application_test: pl.DataFrame, feature_spec: dict[str, Any]
) -> tuple[ApplicationFeatures, np.ndarray]:
    """Train then test applicants (each by SK_ID_CURR; TARGET unknown for test), and that applicant
    order, in which every source's features are laid out so that the train and test tables are two
    ranges of the same columns."""
    features = stack_applications(
        [application_features(application_train, feature_spec), application_features(application_test, feature_spec)]
    )
    return features, features.numbers.applicants


def model_input_tables(
    application_features: ApplicationFeatures,
    bureau_features: FeatureBlock,
    previous_application_features: FeatureBlock,
    pos_cash_features: FeatureBlock,
    installments_features: FeatureBlock,
    credit_card_features: FeatureBlock,
    feature_spec: dict[str, Any],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Train (with TARGET as Int8) and test tables with the spec's columns."""
    rows = assemble_features(
        application_features,
        [bureau_features, previous_application_features, pos_cash_features, installments_features, credit_card_features],
        feature_spec,
    )
    known = ~np.isnan(application_features.target)
    training = int(known.sum())
    if not known[:training].all():
        raise ValueError("model_input_tables: the application features must list the train applicants (known TARGET) first")
    return rows.to_frame(slice(0, training)), rows.to_frame(slice(training, None), with_target=False)
