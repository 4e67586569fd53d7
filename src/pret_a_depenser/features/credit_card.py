"""Monthly credit card snapshots (``CC_*``)."""

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

SHARE_COLUMNS = {"credit_card_balance": ["NAME_CONTRACT_STATUS"]}


def credit_card_features(
    credit_card_balance: RawTable, spec: dict[str, Any], applicants: np.ndarray | None = None
) -> FeatureBlock:
    """Per applicant: utilisation (balance / limit), payment vs minimum, days past due; all and recent months.

    With ``applicants``, the block has one column per applicant of it, in its order (an applicant
    without rows: counts 0, the rest missing); otherwise one per applicant with rows, ascending.
    """
    return features_by_chunk(
        credit_card_balance, [APPLICANT_KEY, "SK_ID_PREV", "MONTHS_BALANCE"], 3, spec, "credit_card", _card_features, applicants
    )


def _card_features(months: RawTable, spec: dict[str, Any]) -> FeatureBlock:
    parameters, levels = spec["parameters"], spec["category_levels"]
    recent = -int(parameters["credit_card"]["recent_months"])
    columns = float_columns(months, numeric_columns(months, exclude=(APPLICANT_KEY, "SK_ID_PREV")))
    columns["UTILISATION"] = ratio_when_positive(columns["AMT_BALANCE"], columns["AMT_CREDIT_LIMIT_ACTUAL"])
    columns["PAYMENT_MIN_RATIO"] = ratio_when_positive(columns["AMT_PAYMENT_TOTAL_CURRENT"], columns["AMT_INST_MIN_REGULARITY"])
    columns["DPD_POSITIVE"] = where_known(columns["SK_DPD"] > 0, columns["SK_DPD"])
    wanted = planned_columns(spec)
    shares = planned_shares(wanted, "CC", levels["credit_card_balance"], months.get_column)
    return aggregate_by_applicant(
        "credit_card",
        months[APPLICANT_KEY].to_numpy(),
        columns,
        parameters["statistics"],
        {"CC": None, "CC_RECENT": columns["MONTHS_BALANCE"] >= recent},
        shares=shares,
        wanted=wanted,
    )
