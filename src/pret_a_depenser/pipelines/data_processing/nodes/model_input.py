"""The model input: one row per applicant joining every source's features."""

from __future__ import annotations

import pandas as pd
import polars as pl


def _as_float32(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The columns as float32 with infinities (ratios over zero) turned into missing values."""
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.Float32).is_infinite()).then(None).otherwise(pl.col(name).cast(pl.Float32)).alias(name)
        for name in columns
    )


def model_input_tables(
    application_features: pd.DataFrame,
    bureau_features: pd.DataFrame,
    previous_application_features: pd.DataFrame,
    pos_cash_features: pd.DataFrame,
    installments_features: pd.DataFrame,
    credit_card_features: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train (with TARGET) and test tables; an applicant absent from a source gets 0 in its counts.

    Aggregates and application floats are stored as float32 (half the memory at full Kaggle scale);
    row counts and the application's integer columns stay integers.
    """
    frame = pl.from_pandas(application_features)
    frame = _as_float32(frame, [name for name, dtype in frame.schema.items() if dtype.is_float()])
    sources = (bureau_features, previous_application_features, pos_cash_features, installments_features, credit_card_features)
    for source in sources:
        features = pl.from_pandas(source)
        counts = [name for name in features.columns if name.endswith("_COUNT")]
        aggregates = [name for name in features.columns if name not in counts and name != "SK_ID_CURR"]
        features = _as_float32(features, aggregates)
        frame = frame.join(features, on="SK_ID_CURR", how="left").with_columns(pl.col(counts).fill_null(0))
    has_target = pl.col("TARGET").is_not_null()
    train = frame.filter(has_target).with_columns(pl.col("TARGET").cast(pl.Int8))
    test = frame.filter(~has_target).drop("TARGET")
    return train.to_pandas(), test.to_pandas()
