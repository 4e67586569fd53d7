"""Application features: cleaned Kaggle application columns plus domain ratios (``APP_*``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl

DAYS_PER_YEAR = 365.25


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, missing when the denominator is zero or missing."""
    return pl.when(denominator != 0).then(numerator / denominator).otherwise(None)


def application_features(application_train: pd.DataFrame, application_test: pd.DataFrame, parameters: dict[str, Any]) -> pd.DataFrame:
    """Train and test applicants in one table (TARGET missing for test), sentinels cleared, ratios added.

    ``DAYS_EMPLOYED = days_sentinel`` (pensioners, unemployed) becomes missing with a flag
    ``APP_DAYS_EMPLOYED_SENTINEL``; ``XNA`` labels (e.g. ``CODE_GENDER``) become missing.
    """
    sentinel = int(parameters["days_sentinel"])
    unknown = list(parameters["unknown_labels"])
    frame = pl.concat([pl.from_pandas(application_train), pl.from_pandas(application_test)], how="diagonal_relaxed")
    labels = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    documents = [name for name in frame.columns if name.startswith("FLAG_DOCUMENT_")]
    ext_sources = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]
    age_days = -pl.col("DAYS_BIRTH")
    frame = frame.with_columns(
        (pl.col("DAYS_EMPLOYED") == sentinel).cast(pl.Int8).alias("APP_DAYS_EMPLOYED_SENTINEL"),
        pl.when(pl.col("DAYS_EMPLOYED") == sentinel).then(None).otherwise(pl.col("DAYS_EMPLOYED")).alias("DAYS_EMPLOYED"),
        *[pl.when(pl.col(name).is_in(unknown)).then(None).otherwise(pl.col(name)).alias(name) for name in labels],
    ).with_columns(
        _ratio(pl.col("AMT_CREDIT"), pl.col("AMT_INCOME_TOTAL")).alias("APP_CREDIT_INCOME_RATIO"),
        _ratio(pl.col("AMT_ANNUITY"), pl.col("AMT_INCOME_TOTAL")).alias("APP_ANNUITY_INCOME_RATIO"),
        _ratio(pl.col("AMT_ANNUITY"), pl.col("AMT_CREDIT")).alias("APP_PAYMENT_RATE"),
        _ratio(pl.col("AMT_CREDIT"), pl.col("AMT_ANNUITY")).alias("APP_CREDIT_TERM_MONTHS"),
        _ratio(pl.col("AMT_CREDIT"), pl.col("AMT_GOODS_PRICE")).alias("APP_CREDIT_GOODS_RATIO"),
        (pl.col("AMT_CREDIT") - pl.col("AMT_GOODS_PRICE")).alias("APP_CREDIT_GOODS_DIFF"),
        _ratio(pl.col("AMT_INCOME_TOTAL"), pl.col("CNT_FAM_MEMBERS")).alias("APP_INCOME_PER_PERSON"),
        _ratio(pl.col("CNT_CHILDREN"), pl.col("CNT_FAM_MEMBERS")).alias("APP_CHILDREN_RATIO"),
        (age_days / DAYS_PER_YEAR).alias("APP_AGE_YEARS"),
        _ratio(-pl.col("DAYS_EMPLOYED"), age_days).alias("APP_EMPLOYED_AGE_RATIO"),
        _ratio(-pl.col("DAYS_REGISTRATION"), age_days).alias("APP_REGISTRATION_AGE_RATIO"),
        _ratio(-pl.col("DAYS_ID_PUBLISH"), age_days).alias("APP_ID_PUBLISH_AGE_RATIO"),
        _ratio(-pl.col("DAYS_LAST_PHONE_CHANGE"), age_days).alias("APP_PHONE_CHANGE_AGE_RATIO"),
        _ratio(pl.col("OWN_CAR_AGE") * DAYS_PER_YEAR, age_days).alias("APP_CAR_AGE_RATIO"),
        pl.mean_horizontal(ext_sources).alias("APP_EXT_SOURCE_MEAN"),
        pl.min_horizontal(ext_sources).alias("APP_EXT_SOURCE_MIN"),
        pl.max_horizontal(ext_sources).alias("APP_EXT_SOURCE_MAX"),
        pl.concat_list(ext_sources).list.drop_nulls().list.std().alias("APP_EXT_SOURCE_STD"),
        (pl.col("EXT_SOURCE_1") * pl.col("EXT_SOURCE_2") * pl.col("EXT_SOURCE_3")).alias("APP_EXT_SOURCE_PRODUCT"),
        pl.sum_horizontal(documents).alias("APP_DOCUMENT_COUNT"),
        pl.sum_horizontal([pl.col(name).is_null() for name in ext_sources]).cast(pl.Int64).alias("APP_EXT_SOURCE_MISSING_COUNT"),
    )
    return frame.sort("SK_ID_CURR").to_pandas()
