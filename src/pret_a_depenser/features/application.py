"""Application features: cleaned Kaggle application columns plus domain ratios (``APP_*``)."""

from __future__ import annotations

from typing import Any

import polars as pl

from .aggregation import is_label

DAYS_PER_YEAR = 365.25
EXT_SOURCES = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, missing when the denominator is zero or missing."""
    return pl.when(denominator != 0).then(numerator / denominator).otherwise(None)


def application_features(application: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """One row per applicant (TARGET kept when present), sentinels cleared, ratios added, sorted by SK_ID_CURR.

    ``DAYS_EMPLOYED = days_sentinel`` (pensioners, unemployed) becomes missing with a flag
    ``APP_DAYS_EMPLOYED_SENTINEL``; unknown labels (``XNA``, ``Unknown``) become missing. Labels are
    returned as strings: they are the model's categorical features.
    """
    parameters = spec["parameters"]
    sentinel = int(parameters["days_sentinel"])
    unknown = list(parameters["unknown_labels"])
    labels = [name for name, dtype in application.schema.items() if is_label(dtype)]
    documents = [name for name in application.columns if name.startswith("FLAG_DOCUMENT_")]
    age_days = -pl.col("DAYS_BIRTH")
    plan = application.lazy().with_columns(
        (pl.col("DAYS_EMPLOYED") == sentinel).cast(pl.Int8).alias("APP_DAYS_EMPLOYED_SENTINEL"),
        pl.when(pl.col("DAYS_EMPLOYED") == sentinel).then(None).otherwise(pl.col("DAYS_EMPLOYED")).alias("DAYS_EMPLOYED"),
        *[pl.when(pl.col(name).cast(pl.String).is_in(unknown)).then(None).otherwise(pl.col(name).cast(pl.String)).alias(name) for name in labels],
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
        pl.mean_horizontal(EXT_SOURCES).alias("APP_EXT_SOURCE_MEAN"),
        pl.min_horizontal(EXT_SOURCES).alias("APP_EXT_SOURCE_MIN"),
        pl.max_horizontal(EXT_SOURCES).alias("APP_EXT_SOURCE_MAX"),
        pl.concat_list(EXT_SOURCES).list.drop_nulls().list.std().alias("APP_EXT_SOURCE_STD"),
        (pl.col("EXT_SOURCE_1") * pl.col("EXT_SOURCE_2") * pl.col("EXT_SOURCE_3")).alias("APP_EXT_SOURCE_PRODUCT"),
        pl.sum_horizontal(documents).cast(pl.Int64).alias("APP_DOCUMENT_COUNT"),
        pl.sum_horizontal([pl.col(name).is_null() for name in EXT_SOURCES]).cast(pl.Int64).alias("APP_EXT_SOURCE_MISSING_COUNT"),
    )
    floats = [name for name, dtype in plan.collect_schema().items() if dtype.is_float()]
    return plan.with_columns(pl.col(floats).cast(pl.Float32)).sort("SK_ID_CURR").collect(engine="in-memory")
