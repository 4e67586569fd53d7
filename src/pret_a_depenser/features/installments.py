"""Instalment repayment behaviour (``INSTAL_*``): delay and shortfall per due instalment."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from .aggregation import APPLICANT_KEY, aggregate_by_applicant, group_bounds, numeric_columns
from .kernels import segment_statistics

INSTALMENT_KEY = [APPLICANT_KEY, "SK_ID_PREV", "NUM_INSTALMENT_VERSION", "NUM_INSTALMENT_NUMBER"]
PAYMENT_COLUMNS = ["DAYS_INSTALMENT", "AMT_INSTALMENT", "DAYS_ENTRY_PAYMENT", "AMT_PAYMENT"]


def instalments_due(installments_payments: pl.DataFrame) -> pl.DataFrame:
    """One row per due instalment: a payment can be split over several rows of the Kaggle file.

    The due day is the earliest and the amount due the largest of the instalment's rows (one value in
    practice; a row's "first" would depend on file order); payments are summed in canonical order, and
    an instalment with no recorded payment counts as paid 0. DPD = days paid after the due day (0 if on
    time), DBD = days paid before it; the shortfall is what was due minus the total paid.
    """
    payments = installments_payments.sort(*INSTALMENT_KEY, "AMT_PAYMENT", "DAYS_ENTRY_PAYMENT", nulls_last=True)
    instalment = payments.select(
        pl.any_horizontal(pl.col(name) != pl.col(name).shift(1) for name in INSTALMENT_KEY).fill_null(True)
    ).to_series().to_numpy()
    bounds, _ = group_bounds(np.cumsum(instalment))
    values = payments.select(pl.col(PAYMENT_COLUMNS).cast(pl.Float64)).to_numpy(order="fortran")
    # Rows of the result: min, max, sum of each payment column in turn.
    statistics, _ = segment_statistics(values, bounds, np.ones(payments.height, dtype=np.bool_), ("min", "max", "sum"), np.float64)
    due = payments[bounds[:-1]].select(INSTALMENT_KEY).with_columns(
        pl.Series("DAYS_INSTALMENT", statistics[0]),
        pl.Series("AMT_INSTALMENT", statistics[4]),
        pl.Series("DAYS_ENTRY_PAYMENT", statistics[7]),
        pl.Series("AMT_PAYMENT", np.nan_to_num(statistics[11], nan=0.0)),
        pl.Series("PAYMENTS_COUNT", np.diff(bounds)),
    ).fill_nan(None)
    delay = pl.col("DAYS_ENTRY_PAYMENT") - pl.col("DAYS_INSTALMENT")
    shortfall = pl.col("AMT_INSTALMENT") - pl.col("AMT_PAYMENT")
    return due.with_columns(
        delay.clip(lower_bound=0).alias("DPD"),
        (-delay).clip(lower_bound=0).alias("DBD"),
        (delay > 0).cast(pl.Int8).alias("LATE"),
        shortfall.alias("PAYMENT_DIFF"),
        pl.when(pl.col("AMT_INSTALMENT") > 0).then(pl.col("AMT_PAYMENT") / pl.col("AMT_INSTALMENT")).alias("PAYMENT_RATIO"),
        (shortfall > 0).cast(pl.Int8).alias("SHORT"),
    )


def installments_features(installments_payments: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """Per applicant: statistics of payment delay and shortfall, over all and over the last days."""
    parameters = spec["parameters"]
    recent = -int(parameters["installments"]["recent_days"])
    due = instalments_due(installments_payments)
    numeric = numeric_columns(due.schema, exclude=(APPLICANT_KEY, "SK_ID_PREV"))
    subsets = {"INSTAL": None, "INSTAL_RECENT": pl.col("DAYS_INSTALMENT") >= recent}
    return aggregate_by_applicant(due, numeric, parameters["statistics"], subsets)
