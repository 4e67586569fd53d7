"""The model input: one row per applicant joining every source's features."""

from __future__ import annotations

import pandas as pd
import polars as pl


def model_input_tables(
    application_features: pd.DataFrame,
    bureau_features: pd.DataFrame,
    previous_application_features: pd.DataFrame,
    pos_cash_features: pd.DataFrame,
    installments_features: pd.DataFrame,
    credit_card_features: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train (with TARGET) and test tables; an applicant absent from a source gets 0 in its counts.

    Application floats are stored as float32 like the aggregates. Each source is aligned to the
    applicants' order and the parts are concatenated side by side, train and test separately, and
    handed over Arrow-backed: the ~2,000-column table of the full Kaggle data is built exactly once.
    """
    applications = pl.from_pandas(application_features)
    applications = applications.with_columns(pl.col(name).cast(pl.Float32) for name, dtype in applications.schema.items() if dtype.is_float())
    sources = [
        pl.from_pandas(frame)
        for frame in (bureau_features, previous_application_features, pos_cash_features, installments_features, credit_card_features)
    ]
    counts = [name for source in sources for name in source.columns if name.endswith("_COUNT")]

    def assemble(rows: pl.DataFrame) -> pd.DataFrame:
        keys = rows.select("SK_ID_CURR")
        aligned = [keys.join(source, on="SK_ID_CURR", how="left", validate="1:1", maintain_order="left").drop("SK_ID_CURR") for source in sources]
        frame = pl.concat([rows, *aligned], how="horizontal").with_columns(pl.col(counts).fill_null(0))
        return frame.to_pandas(use_pyarrow_extension_array=True)

    has_target = pl.col("TARGET").is_not_null()
    train = assemble(applications.filter(has_target).with_columns(pl.col("TARGET").cast(pl.Int8)))
    test = assemble(applications.filter(~has_target).drop("TARGET"))
    return train, test
