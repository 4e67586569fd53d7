"""Nodes around the feature engine: all applicants' features, and the train / test model input."""

from __future__ import annotations

from typing import Any

import polars as pl

from pret_a_depenser.features import application_features, assemble_features


def all_application_features(application_train: pl.DataFrame, application_test: pl.DataFrame, feature_spec: dict[str, Any]) -> pl.DataFrame:
    """Train and test applicants transformed together (TARGET missing for test): one row each."""
    return application_features(pl.concat([application_train, application_test], how="diagonal_relaxed"), feature_spec)


def model_input_tables(
    application_features: pl.DataFrame,
    bureau_features: pl.DataFrame,
    previous_application_features: pl.DataFrame,
    pos_cash_features: pl.DataFrame,
    installments_features: pl.DataFrame,
    credit_card_features: pl.DataFrame,
    feature_spec: dict[str, Any],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Train (with TARGET as Int8) and test tables with the spec's columns, each assembled once."""
    parts = [bureau_features, previous_application_features, pos_cash_features, installments_features, credit_card_features]
    has_target = pl.col("TARGET").is_not_null()
    train = assemble_features(application_features.filter(has_target).with_columns(pl.col("TARGET").cast(pl.Int8)), parts, feature_spec)
    test = assemble_features(application_features.filter(~has_target).drop("TARGET"), parts, feature_spec)
    return train, test
