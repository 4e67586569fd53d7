"""Monthly credit card snapshots (``CC_*``): utilisation, drawings and payments."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl

from .aggregation import aggregate_by_applicant, category_shares, numeric_columns, statistics_by_subset


def credit_card_features(credit_card_balance: pd.DataFrame, parameters: dict[str, Any]) -> pd.DataFrame:
    """Per applicant: utilisation (balance / limit), payment vs minimum, days past due; all and recent months."""
    statistics, max_levels = parameters["statistics"], int(parameters["max_category_levels"])
    recent = -int(parameters["recent_months"])
    frame = pl.from_pandas(credit_card_balance).with_columns(
        pl.when(pl.col("AMT_CREDIT_LIMIT_ACTUAL") > 0).then(pl.col("AMT_BALANCE") / pl.col("AMT_CREDIT_LIMIT_ACTUAL")).alias("UTILISATION"),
        pl.when(pl.col("AMT_INST_MIN_REGULARITY") > 0).then(pl.col("AMT_PAYMENT_TOTAL_CURRENT") / pl.col("AMT_INST_MIN_REGULARITY")).alias("PAYMENT_MIN_RATIO"),
        (pl.col("SK_DPD") > 0).cast(pl.Int8).alias("DPD_POSITIVE"),
    )
    numeric = numeric_columns(frame, exclude=("SK_ID_CURR", "SK_ID_PREV"))
    expressions = [
        *statistics_by_subset(numeric, statistics, {"CC": None, "CC_RECENT": pl.col("MONTHS_BALANCE") >= recent}),
        *category_shares(frame, ["NAME_CONTRACT_STATUS"], "CC", max_levels),
    ]
    return aggregate_by_applicant(frame, expressions).to_pandas()
