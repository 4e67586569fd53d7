"""Previous Home Credit applications (``PREV_*``), split by outcome and recency."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl

from .aggregation import aggregate_by_applicant, category_shares, numeric_columns, statistics_by_subset, string_columns

SENTINEL_DAY_COLUMNS = ["DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION", "DAYS_LAST_DUE", "DAYS_TERMINATION"]


def previous_application_features(previous_application: pd.DataFrame, parameters: dict[str, Any]) -> pd.DataFrame:
    """Per applicant: statistics over all, approved, refused and recent applications, and label shares.

    ``365243`` in the ``DAYS_*`` date columns means "no date" and becomes missing.
    """
    statistics, max_levels = parameters["statistics"], int(parameters["max_category_levels"])
    sentinel = int(parameters["days_sentinel"])
    recent = -int(parameters["recent_days"])
    frame = pl.from_pandas(previous_application).with_columns(
        pl.when(pl.col(name) == sentinel).then(None).otherwise(pl.col(name)).alias(name) for name in SENTINEL_DAY_COLUMNS
    ).with_columns(
        pl.when(pl.col("AMT_CREDIT") > 0).then(pl.col("AMT_APPLICATION") / pl.col("AMT_CREDIT")).alias("APPLICATION_CREDIT_RATIO"),
        (pl.col("AMT_APPLICATION") - pl.col("AMT_CREDIT")).alias("APPLICATION_CREDIT_DIFF"),
        pl.when(pl.col("AMT_CREDIT") > 0).then(pl.col("AMT_ANNUITY") / pl.col("AMT_CREDIT")).alias("PAYMENT_RATE"),
        (pl.col("DAYS_LAST_DUE_1ST_VERSION") - pl.col("DAYS_LAST_DUE")).alias("LAST_DUE_DIFF"),
    )
    numeric = numeric_columns(frame, exclude=("SK_ID_CURR", "SK_ID_PREV"))
    subsets = {
        "PREV": None,
        "PREV_APPROVED": pl.col("NAME_CONTRACT_STATUS") == "Approved",
        "PREV_REFUSED": pl.col("NAME_CONTRACT_STATUS") == "Refused",
        "PREV_RECENT": pl.col("DAYS_DECISION") >= recent,
    }
    expressions = [
        *statistics_by_subset(numeric, statistics, subsets),
        *category_shares(frame, string_columns(frame), "PREV", max_levels),
    ]
    return aggregate_by_applicant(frame, expressions).to_pandas()
