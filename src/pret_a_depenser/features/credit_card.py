"""Monthly credit card snapshots (``CC_*``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from .aggregation import APPLICANT_KEY, aggregate_by_applicant, numeric_columns

SHARE_COLUMNS = {"credit_card_balance": ["NAME_CONTRACT_STATUS"]}


def credit_card_features(credit_card_balance: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """Per applicant: utilisation (balance / limit), payment vs minimum, days past due; all and recent months."""
    parameters, levels = spec["parameters"], spec["category_levels"]
    recent = -int(parameters["credit_card"]["recent_months"])
    months = credit_card_balance.lazy().with_columns(
        pl.when(pl.col("AMT_CREDIT_LIMIT_ACTUAL") > 0).then(pl.col("AMT_BALANCE") / pl.col("AMT_CREDIT_LIMIT_ACTUAL")).alias("UTILISATION"),
        pl.when(pl.col("AMT_INST_MIN_REGULARITY") > 0).then(pl.col("AMT_PAYMENT_TOTAL_CURRENT") / pl.col("AMT_INST_MIN_REGULARITY")).alias("PAYMENT_MIN_RATIO"),
        (pl.col("SK_DPD") > 0).cast(pl.Int8).alias("DPD_POSITIVE"),
    ).sort(APPLICANT_KEY, "SK_ID_PREV", "MONTHS_BALANCE").collect(engine="in-memory")
    numeric = numeric_columns(months.schema, exclude=(APPLICANT_KEY, "SK_ID_PREV"))
    subsets = {"CC": None, "CC_RECENT": pl.col("MONTHS_BALANCE") >= recent}
    return aggregate_by_applicant(months, numeric, parameters["statistics"], subsets, shares=levels["credit_card_balance"])
