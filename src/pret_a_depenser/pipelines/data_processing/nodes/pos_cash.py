"""Monthly POS and cash loan snapshots (``POS_*``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl

from .aggregation import aggregate_by_applicant, category_shares, numeric_columns, numeric_statistics, row_count


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
    last_months = pl.col("MONTHS_BALANCE") >= recent
    expressions = [
        row_count("POS"),
        pl.col("SK_ID_PREV").n_unique().cast(pl.Int64).alias("POS_LOANS_COUNT"),
        *numeric_statistics(numeric, statistics, "POS"),
        *category_shares(frame, ["NAME_CONTRACT_STATUS"], "POS", max_levels),
        row_count("POS_RECENT", last_months),
        *numeric_statistics(numeric, statistics, "POS_RECENT", last_months),
    ]
    return aggregate_by_applicant(frame, expressions).to_pandas()
