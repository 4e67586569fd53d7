"""Instalment repayment behaviour (``INSTAL_*``): delay and shortfall per due instalment."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl

from .aggregation import aggregate_by_applicant, numeric_columns, statistics_by_subset

INSTALMENT_KEY = ["SK_ID_CURR", "SK_ID_PREV", "NUM_INSTALMENT_VERSION", "NUM_INSTALMENT_NUMBER"]


def instalments_due(installments_payments: pl.DataFrame) -> pl.DataFrame:
    """One row per due instalment: a payment can be split over several rows of the Kaggle file.

    DPD = days paid after the due day (0 if on time), DBD = days paid before it; the shortfall is
    what was due minus the total paid.
    """
    due = installments_payments.group_by(INSTALMENT_KEY).agg(
        pl.col("DAYS_INSTALMENT").first(),
        pl.col("AMT_INSTALMENT").first(),
        pl.col("DAYS_ENTRY_PAYMENT").max(),
        pl.col("AMT_PAYMENT").sum(),
        pl.len().cast(pl.Int64).alias("PAYMENTS_COUNT"),
    )
    delay = pl.col("DAYS_ENTRY_PAYMENT") - pl.col("DAYS_INSTALMENT")
    shortfall = pl.col("AMT_INSTALMENT") - pl.col("AMT_PAYMENT")
    return due.with_columns(
        delay.clip(lower_bound=0).alias("DPD"),
        (-delay).clip(lower_bound=0).alias("DBD"),
        (delay > 0).cast(pl.Int8).alias("LATE"),
        shortfall.alias("PAYMENT_DIFF"),
        pl.when(pl.col("AMT_INSTALMENT") > 0).then(pl.col("AMT_PAYMENT") / pl.col("AMT_INSTALMENT")).alias("PAYMENT_RATIO"),
        (shortfall > 0).cast(pl.Int8).alias("SHORT"),
    )


def installments_features(installments_payments: pd.DataFrame, parameters: dict[str, Any]) -> pd.DataFrame:
    """Per applicant: statistics of payment delay and shortfall, over all and over the last days."""
    statistics = parameters["statistics"]
    recent = -int(parameters["recent_days"])
    due = instalments_due(pl.from_pandas(installments_payments))
    numeric = numeric_columns(due, exclude=("SK_ID_CURR", "SK_ID_PREV"))
    subsets = {"INSTAL": None, "INSTAL_RECENT": pl.col("DAYS_INSTALMENT") >= recent}
    return aggregate_by_applicant(due, statistics_by_subset(numeric, statistics, subsets)).to_pandas()
