"""Previous Home Credit applications (``PREV_*``), split by outcome and recency."""

from __future__ import annotations

from typing import Any

import polars as pl

from pret_a_depenser.raw_contract import PREVIOUS_APPLICATION_COLUMNS

from .aggregation import APPLICANT_KEY, aggregate_by_applicant, numeric_columns

SENTINEL_DAY_COLUMNS = ["DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION", "DAYS_LAST_DUE", "DAYS_TERMINATION"]
SHARE_COLUMNS = {"previous_application": [name for name, kind in PREVIOUS_APPLICATION_COLUMNS.items() if kind == "str"]}


def previous_application_features(previous_application: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """Per applicant: statistics over all, approved, refused and recent applications, and label shares.

    ``365243`` in the ``DAYS_*`` date columns means "no date" and becomes missing.
    """
    parameters, levels = spec["parameters"], spec["category_levels"]
    sentinel = int(parameters["days_sentinel"])
    recent = -int(parameters["previous_application"]["recent_days"])
    applications = previous_application.lazy().with_columns(
        pl.when(pl.col(name) == sentinel).then(None).otherwise(pl.col(name)).alias(name) for name in SENTINEL_DAY_COLUMNS
    ).with_columns(
        pl.when(pl.col("AMT_CREDIT") > 0).then(pl.col("AMT_APPLICATION") / pl.col("AMT_CREDIT")).alias("APPLICATION_CREDIT_RATIO"),
        (pl.col("AMT_APPLICATION") - pl.col("AMT_CREDIT")).alias("APPLICATION_CREDIT_DIFF"),
        pl.when(pl.col("AMT_CREDIT") > 0).then(pl.col("AMT_ANNUITY") / pl.col("AMT_CREDIT")).alias("PAYMENT_RATE"),
        (pl.col("DAYS_LAST_DUE_1ST_VERSION") - pl.col("DAYS_LAST_DUE")).alias("LAST_DUE_DIFF"),
    ).sort(APPLICANT_KEY, "SK_ID_PREV").collect(engine="in-memory")
    subsets = {
        "PREV": None,
        "PREV_APPROVED": pl.col("NAME_CONTRACT_STATUS") == "Approved",
        "PREV_REFUSED": pl.col("NAME_CONTRACT_STATUS") == "Refused",
        "PREV_RECENT": pl.col("DAYS_DECISION") >= recent,
    }
    numeric = numeric_columns(applications.schema, exclude=(APPLICANT_KEY, "SK_ID_PREV"))
    return aggregate_by_applicant(applications, numeric, parameters["statistics"], subsets, shares=levels["previous_application"])
