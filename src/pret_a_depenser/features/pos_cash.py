"""Monthly POS and cash loan snapshots (``POS_*``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pret_a_depenser.constants import APPLICANT_KEY

from .aggregation import (
    FeatureBlock,
    aggregate_by_applicant,
    features_by_chunk,
    float_columns,
    numeric_columns,
    planned_columns,
    planned_shares,
    ratio_when_positive,
    where_known,
)
from .column_table import RawTable

SHARE_COLUMNS = {"POS_CASH_balance": ["NAME_CONTRACT_STATUS"]}


def first_row_of_each(*keys: np.ndarray) -> np.ndarray:
    """Whether each row of rows sorted by ``keys`` starts a new key combination."""
    first = np.ones(len(keys[0]), dtype=bool)
    if len(first):
        first[1:] = np.logical_or.reduce([key[1:] != key[:-1] for key in keys])
    return first


def pos_cash_features(pos_cash_balance: RawTable, spec: dict[str, Any], applicants: np.ndarray | None = None) -> FeatureBlock:
    """Per applicant: days-past-due behaviour and loan progress, over all and over the last months.

    With ``applicants``, the block has one column per applicant of it, in its order (an applicant
    without rows: counts 0, the rest missing); otherwise one per applicant with rows, ascending.
    """
    return features_by_chunk(
        pos_cash_balance, [APPLICANT_KEY, "SK_ID_PREV", "MONTHS_BALANCE"], 3, spec, "pos_cash", _monthly_features, applicants
    )


def _monthly_features(months: RawTable, spec: dict[str, Any]) -> FeatureBlock:
    parameters, levels = spec["parameters"], spec["category_levels"]
    recent = -int(parameters["pos_cash"]["recent_months"])
    columns = float_columns(months, numeric_columns(months, exclude=(APPLICANT_KEY, "SK_ID_PREV")))
    columns["DPD_POSITIVE"] = where_known(columns["SK_DPD"] > 0, columns["SK_DPD"])
    columns["DPD_DEF_POSITIVE"] = where_known(columns["SK_DPD_DEF"] > 0, columns["SK_DPD_DEF"])
    columns["REMAINING_SHARE"] = ratio_when_positive(columns["CNT_INSTALMENT_FUTURE"], columns["CNT_INSTALMENT"])
    applicants, loans = months[APPLICANT_KEY].to_numpy(), months["SK_ID_PREV"].to_numpy()
    wanted = planned_columns(spec)
    shares = planned_shares(wanted, "POS", levels["POS_CASH_balance"], months.get_column)
    return aggregate_by_applicant(
        "pos_cash",
        applicants,
        columns,
        parameters["statistics"],
        {"POS": None, "POS_RECENT": columns["MONTHS_BALANCE"] >= recent},
        shares=shares,
        counted={"POS_LOANS_COUNT": first_row_of_each(applicants, loans)},
        wanted=wanted,
    )
