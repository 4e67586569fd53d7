"""Monthly POS and cash loan snapshots (``POS_*``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from .aggregation import APPLICANT_KEY, aggregate_by_applicant, numeric_columns

SHARE_COLUMNS = {"POS_CASH_balance": ["NAME_CONTRACT_STATUS"]}


def pos_cash_features(pos_cash_balance: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """Per applicant: days-past-due behaviour and loan progress, over all and over the last months."""
    parameters, levels = spec["parameters"], spec["category_levels"]
    recent = -int(parameters["pos_cash"]["recent_months"])
    months = pos_cash_balance.lazy().with_columns(
        (pl.col("SK_DPD") > 0).cast(pl.Int8).alias("DPD_POSITIVE"),
        (pl.col("SK_DPD_DEF") > 0).cast(pl.Int8).alias("DPD_DEF_POSITIVE"),
        pl.when(pl.col("CNT_INSTALMENT") > 0).then(pl.col("CNT_INSTALMENT_FUTURE") / pl.col("CNT_INSTALMENT")).alias("REMAINING_SHARE"),
    ).sort(APPLICANT_KEY, "SK_ID_PREV", "MONTHS_BALANCE").collect(engine="in-memory")
    numeric = numeric_columns(months.schema, exclude=(APPLICANT_KEY, "SK_ID_PREV"))
    first_month_of_loan = (pl.col("SK_ID_PREV") != pl.col("SK_ID_PREV").shift(1)) | (pl.col(APPLICANT_KEY) != pl.col(APPLICANT_KEY).shift(1))
    return aggregate_by_applicant(
        months, numeric, parameters["statistics"], {"POS": None, "POS_RECENT": pl.col("MONTHS_BALANCE") >= recent},
        shares=levels["POS_CASH_balance"], counted={"POS_LOANS_COUNT": first_month_of_loan.fill_null(True)},
    )
