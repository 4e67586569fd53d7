"""Bureau features: credits at other institutions and their monthly statuses (``BUREAU_*``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl

from .aggregation import aggregate_by_applicant, category_shares, numeric_columns, statistics_by_subset

OVERDUE_STATUSES = ["1", "2", "3", "4", "5"]


def bureau_balance_by_credit(bureau_balance: pl.DataFrame, max_levels: int) -> pl.DataFrame:
    """One row per bureau credit: months reported, status shares, months overdue and worst status."""
    status = pl.col("STATUS").cast(pl.String)
    expressions = [
        pl.len().cast(pl.Int64).alias("BB_MONTHS_COUNT"),
        pl.col("MONTHS_BALANCE").min().alias("BB_MONTHS_BALANCE_MIN"),
        pl.col("MONTHS_BALANCE").max().alias("BB_MONTHS_BALANCE_MAX"),
        status.is_in(OVERDUE_STATUSES).mean().alias("BB_OVERDUE_SHARE"),
        pl.when(status.is_in(OVERDUE_STATUSES)).then(status.cast(pl.Int64, strict=False)).otherwise(0).max().alias("BB_WORST_STATUS"),
        *category_shares(bureau_balance, ["STATUS"], "BB", max_levels),
    ]
    return aggregate_by_applicant(bureau_balance, expressions, key="SK_ID_BUREAU")


def bureau_features(bureau: pd.DataFrame, bureau_balance: pd.DataFrame, parameters: dict[str, Any]) -> pd.DataFrame:
    """Per applicant: statistics over all, active, closed and recent credits, and type/status shares.

    Day offsets older than ``max_days_back`` (the real file has credits "ending" 115 years ago) are
    treated as missing.
    """
    statistics, max_levels = parameters["statistics"], int(parameters["max_category_levels"])
    oldest = -int(parameters["max_days_back"])
    recent = -int(parameters["recent_days"])
    balance = bureau_balance_by_credit(pl.from_pandas(bureau_balance), max_levels)
    credits = pl.from_pandas(bureau).join(balance, on="SK_ID_BUREAU", how="left")
    day_columns = [name for name in credits.columns if name.startswith("DAYS_")]
    credits = credits.with_columns(
        *[pl.when(pl.col(name) < oldest).then(None).otherwise(pl.col(name)).alias(name) for name in day_columns],
    ).with_columns(
        (pl.col("DAYS_CREDIT_ENDDATE") - pl.col("DAYS_CREDIT")).alias("CREDIT_DURATION"),
        (pl.col("DAYS_CREDIT_ENDDATE") - pl.col("DAYS_ENDDATE_FACT")).alias("ENDDATE_DIFF"),
        pl.when(pl.col("AMT_CREDIT_SUM") > 0).then(pl.col("AMT_CREDIT_SUM_DEBT") / pl.col("AMT_CREDIT_SUM")).alias("DEBT_CREDIT_RATIO"),
        pl.when(pl.col("AMT_CREDIT_SUM") > 0).then(pl.col("AMT_CREDIT_SUM_OVERDUE") / pl.col("AMT_CREDIT_SUM")).alias("OVERDUE_CREDIT_RATIO"),
    )
    numeric = numeric_columns(credits, exclude=("SK_ID_CURR", "SK_ID_BUREAU"))
    subsets = {
        "BUREAU": None,
        "BUREAU_ACTIVE": pl.col("CREDIT_ACTIVE") == "Active",
        "BUREAU_CLOSED": pl.col("CREDIT_ACTIVE") == "Closed",
        "BUREAU_RECENT": pl.col("DAYS_CREDIT") >= recent,
    }
    expressions = [
        *statistics_by_subset(numeric, statistics, subsets),
        *category_shares(credits, ["CREDIT_ACTIVE", "CREDIT_CURRENCY", "CREDIT_TYPE"], "BUREAU", max_levels),
    ]
    return aggregate_by_applicant(credits, expressions).to_pandas()
