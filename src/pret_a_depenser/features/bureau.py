"""Bureau features: credits at other institutions and their monthly statuses (``BUREAU_*``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from .aggregation import APPLICANT_KEY, aggregate_by_applicant, feature_level_name, group_bounds, label_lookup, level_shares, numeric_columns
from .kernels import segment_statistics

# bureau_balance STATUS: months overdue bucket (1-5); 0, C (closed) and X (unknown) are not overdue.
OVERDUE_RANK = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
SHARE_COLUMNS = {"bureau_balance": ["STATUS"], "bureau": ["CREDIT_ACTIVE", "CREDIT_CURRENCY", "CREDIT_TYPE"]}


def bureau_balance_by_credit(bureau_balance: pl.DataFrame, status_levels: list[str]) -> pl.DataFrame:
    """One row per bureau credit: months reported, first and last month, share of months overdue,
    worst overdue bucket and the share of months in each status level.

    Every value is a count, a ratio of counts or a min/max: exact in any row order.
    """
    months = bureau_balance.sort("SK_ID_BUREAU")
    bounds, credits = group_bounds(months["SK_ID_BUREAU"].to_numpy())
    lengths = np.diff(bounds)
    month_values = months.select(pl.col("MONTHS_BALANCE").cast(pl.Float64)).to_numpy(order="fortran")
    month_range, _ = segment_statistics(month_values, bounds, np.ones(months.height, dtype=np.bool_), ("min", "max"), np.float64)
    rank = label_lookup(months["STATUS"], OVERDUE_RANK, default=0)
    starts = bounds[:-1]
    features = {
        "SK_ID_BUREAU": credits,
        "BB_MONTHS_COUNT": lengths.astype(np.int64),
        "BB_MONTHS_BALANCE_MIN": month_range[0],
        "BB_MONTHS_BALANCE_MAX": month_range[1],
        "BB_OVERDUE_SHARE": (np.add.reduceat((rank > 0).astype(np.int64), starts) / lengths) if len(starts) else np.empty(0),
        "BB_WORST_STATUS": np.maximum.reduceat(rank, starts).astype(np.int64) if len(starts) else np.empty(0, dtype=np.int64),
    }
    shares = level_shares(months["STATUS"], status_levels, np.repeat(np.arange(len(lengths)), lengths), lengths, np.float64)
    for index, level in enumerate(status_levels):
        features[f"BB_STATUS_{feature_level_name(level)}_SHARE"] = shares[index]
    return pl.DataFrame(features)


def bureau_features(bureau: pl.DataFrame, bureau_balance: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """Per applicant: statistics over all, active, closed and recent credits, and type/status shares.

    Day offsets older than ``max_days_back`` (the real file has credits "ending" 115 years ago) are
    treated as missing. A credit without monthly statuses has missing ``BB_*`` values.
    """
    parameters, levels = spec["parameters"], spec["category_levels"]
    oldest = -int(parameters["bureau"]["max_days_back"])
    recent = -int(parameters["bureau"]["recent_days"])
    balance = bureau_balance_by_credit(bureau_balance, levels["bureau_balance"]["STATUS"])
    day_columns = [name for name in bureau.columns if name.startswith("DAYS_")]
    credits = bureau.lazy().join(balance.lazy(), on="SK_ID_BUREAU", how="left").with_columns(
        pl.when(pl.col(name) < oldest).then(None).otherwise(pl.col(name)).alias(name) for name in day_columns
    ).with_columns(
        (pl.col("DAYS_CREDIT_ENDDATE") - pl.col("DAYS_CREDIT")).alias("CREDIT_DURATION"),
        (pl.col("DAYS_CREDIT_ENDDATE") - pl.col("DAYS_ENDDATE_FACT")).alias("ENDDATE_DIFF"),
        pl.when(pl.col("AMT_CREDIT_SUM") > 0).then(pl.col("AMT_CREDIT_SUM_DEBT") / pl.col("AMT_CREDIT_SUM")).alias("DEBT_CREDIT_RATIO"),
        pl.when(pl.col("AMT_CREDIT_SUM") > 0).then(pl.col("AMT_CREDIT_SUM_OVERDUE") / pl.col("AMT_CREDIT_SUM")).alias("OVERDUE_CREDIT_RATIO"),
    ).sort(APPLICANT_KEY, "SK_ID_BUREAU").collect(engine="in-memory")
    subsets = {
        "BUREAU": None,
        "BUREAU_ACTIVE": pl.col("CREDIT_ACTIVE") == "Active",
        "BUREAU_CLOSED": pl.col("CREDIT_ACTIVE") == "Closed",
        "BUREAU_RECENT": pl.col("DAYS_CREDIT") >= recent,
    }
    numeric = numeric_columns(credits.schema, exclude=(APPLICANT_KEY, "SK_ID_BUREAU"))
    return aggregate_by_applicant(credits, numeric, parameters["statistics"], subsets, shares=levels["bureau"])
