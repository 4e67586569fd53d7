"""Monthly POS and cash loan snapshots (``POS_*``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl

from .aggregation import aggregate_by_applicant, category_shares, numeric_columns, statistics_by_subset


def pos_cash_features(pos_cash_balance: pd.DataFrame, parameters: dict[str, Any]) -> pd.DataFrame:
    """Per applicant: days-past-due behaviour and loan progress, over all and over the last months."""
    statistics, max_levels = parameters["statistics"], int(parameters["max_category_levels"])
    recent = -int(parameters["recent_months"])
    frame = pl.from_pandas(pos_cash_balance).with_columns(
        (pl.col("SK_DPD") > 0).cast(pl.Int8).alias("DPD_POSITIVE"),
        (pl.col("SK_DPD_DEF") > 0).cast(pl.Int8).alias("DPD_DEF_POSITIVE"),
        pl.when(pl.col("CNT_INSTALMENT") > 0).then(pl.col("CNT_INSTALMENT_FUTURE") / pl.col("CNT_INSTALMENT")).alias("REMAINING_SHARE"),
    )
    numeric = numeric_columns(frame, exclude=("SK_ID_CURR", "SK_ID_PREV"))
    expressions = [
        *statistics_by_subset(numeric, statistics, {"POS": None, "POS_RECENT": pl.col("MONTHS_BALANCE") >= recent}),
        pl.col("SK_ID_PREV").n_unique().cast(pl.Int64).alias("POS_LOANS_COUNT"),
        *category_shares(frame, ["NAME_CONTRACT_STATUS"], "POS", max_levels),
    ]
    return aggregate_by_applicant(frame, expressions).to_pandas()
