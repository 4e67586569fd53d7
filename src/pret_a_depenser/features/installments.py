"""Instalment repayment behaviour (``INSTAL_*``): delay and shortfall per due instalment."""

from __future__ import annotations

from typing import Any

import numpy as np

from pret_a_depenser.constants import APPLICANT_KEY

from .aggregation import (
    FeatureBlock,
    aggregate_by_applicant,
    features_by_chunk,
    float_columns,
    group_bounds,
    planned_columns,
    ratio_when_positive,
    where_known,
)
from .column_table import RawTable
from .kernels import instalment_payments

INSTALMENT_KEY = [APPLICANT_KEY, "SK_ID_PREV", "NUM_INSTALMENT_VERSION", "NUM_INSTALMENT_NUMBER"]
PAYMENT_COLUMNS = ["DAYS_INSTALMENT", "AMT_INSTALMENT", "DAYS_ENTRY_PAYMENT", "AMT_PAYMENT"]


def instalments_due(payments: RawTable) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One row per due instalment (its applicant, and its columns) of payment rows in canonical order
    (``INSTALMENT_KEY``): a payment can be split over several rows of the Kaggle file.

    The due day is the earliest and the amount due the largest of the instalment's rows (one value in
    practice; a row's "first" would depend on file order); the instalment is paid on the day of its
    last payment, payments are summed in ascending amount order, and an instalment with no recorded
    payment counts as paid 0. DPD = days paid after the due
    day (0 if on time), DBD = days paid before it; the shortfall is what was due minus the total paid.
    """
    keys = float_columns(payments, INSTALMENT_KEY[2:])
    applicants, loans = payments[APPLICANT_KEY].to_numpy(), payments["SK_ID_PREV"].to_numpy()
    new_instalment = np.zeros(payments.height, dtype=bool)
    if payments.height:
        new_instalment[1:] = (applicants[1:] != applicants[:-1]) | (loans[1:] != loans[:-1])
        for values in keys.values():  # missing equals missing
            new_instalment[1:] |= (values[1:] != values[:-1]) & ~(np.isnan(values[1:]) & np.isnan(values[:-1]))
    bounds, _ = group_bounds(np.cumsum(new_instalment))
    payment = float_columns(payments, PAYMENT_COLUMNS)
    due_day, due_amount, paid_day, paid = instalment_payments(bounds, *payment.values())
    starts = bounds[:-1]
    due = {name: values[starts] for name, values in keys.items()}
    due.update(DAYS_INSTALMENT=due_day, AMT_INSTALMENT=due_amount, DAYS_ENTRY_PAYMENT=paid_day, AMT_PAYMENT=paid)
    due["PAYMENTS_COUNT"] = np.diff(bounds).astype(np.float64)
    delay = paid_day - due_day
    shortfall = due_amount - paid
    due["DPD"] = np.maximum(delay, 0)
    due["DBD"] = np.maximum(-delay, 0)
    due["LATE"] = where_known(delay > 0, delay)
    due["PAYMENT_DIFF"] = shortfall
    due["PAYMENT_RATIO"] = ratio_when_positive(paid, due_amount)
    due["SHORT"] = where_known(shortfall > 0, shortfall)
    return applicants[starts], due


def installments_features(
    installments_payments: RawTable, spec: dict[str, Any], applicants: np.ndarray | None = None
) -> FeatureBlock:
    """Per applicant: statistics of payment delay and shortfall, over all and over the last days.

    With ``applicants``, the block has one column per applicant of it, in its order (an applicant
    without rows: counts 0, the rest missing); otherwise one per applicant with rows, ascending.
    """
    return features_by_chunk(
        installments_payments, INSTALMENT_KEY, installments_payments.width, spec, "installments", _instalment_features, applicants
    )


def _instalment_features(payments: RawTable, spec: dict[str, Any]) -> FeatureBlock:
    parameters = spec["parameters"]
    recent = -int(parameters["installments"]["recent_days"])
    applicants, due = instalments_due(payments)
    subsets = {"INSTAL": None, "INSTAL_RECENT": due["DAYS_INSTALMENT"] >= recent}
    return aggregate_by_applicant(
        "installments", applicants, due, parameters["statistics"], subsets, wanted=planned_columns(spec)
    )
