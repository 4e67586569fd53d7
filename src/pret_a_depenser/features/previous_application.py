"""Previous Home Credit applications (``PREV_*``), split by outcome and recency."""

from __future__ import annotations

from typing import Any

import numpy as np

from pret_a_depenser.constants import APPLICANT_KEY
from pret_a_depenser.raw_contract import PREVIOUS_APPLICATION_COLUMNS

from .aggregation import (
    FeatureBlock,
    aggregate_by_applicant,
    features_by_chunk,
    float_columns,
    label_codes,
    missing_where,
    numeric_columns,
    planned_columns,
    planned_shares,
    ratio_when_positive,
)
from .column_table import RawTable

SENTINEL_DAY_COLUMNS = ["DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION", "DAYS_LAST_DUE", "DAYS_TERMINATION"]
SHARE_COLUMNS = {"previous_application": [name for name, kind in PREVIOUS_APPLICATION_COLUMNS.items() if kind == "str"]}


def previous_application_features(
    previous_application: RawTable, spec: dict[str, Any], applicants: np.ndarray | None = None
) -> FeatureBlock:
    """Per applicant: statistics over all, approved, refused and recent applications, and label shares.

    ``365243`` in the ``DAYS_*`` date columns means "no date" and becomes missing.

    With ``applicants``, the block has one column per applicant of it, in its order (an applicant
    without rows: counts 0, the rest missing); otherwise one per applicant with rows, ascending.
    """
    return features_by_chunk(
        previous_application, [APPLICANT_KEY, "SK_ID_PREV"], 4, spec, "previous_application", _previous_features, applicants
    )


def _previous_features(applications: RawTable, spec: dict[str, Any]) -> FeatureBlock:
    parameters, levels = spec["parameters"], spec["category_levels"]
    sentinel = int(parameters["days_sentinel"])
    recent = -int(parameters["previous_application"]["recent_days"])
    columns = float_columns(applications, numeric_columns(applications, exclude=(APPLICANT_KEY, "SK_ID_PREV")))
    for name in SENTINEL_DAY_COLUMNS:
        columns[name] = missing_where(columns[name], columns[name] == sentinel)
    columns["APPLICATION_CREDIT_RATIO"] = ratio_when_positive(columns["AMT_APPLICATION"], columns["AMT_CREDIT"])
    columns["APPLICATION_CREDIT_DIFF"] = columns["AMT_APPLICATION"] - columns["AMT_CREDIT"]
    columns["PAYMENT_RATE"] = ratio_when_positive(columns["AMT_ANNUITY"], columns["AMT_CREDIT"])
    columns["LAST_DUE_DIFF"] = columns["DAYS_LAST_DUE_1ST_VERSION"] - columns["DAYS_LAST_DUE"]
    status = label_codes(applications["NAME_CONTRACT_STATUS"], ["Approved", "Refused"])
    subsets = {
        "PREV": None,
        "PREV_APPROVED": status == 0,
        "PREV_REFUSED": status == 1,
        "PREV_RECENT": columns["DAYS_DECISION"] >= recent,
    }
    wanted = planned_columns(spec)
    shares = planned_shares(wanted, "PREV", levels["previous_application"], applications.get_column)
    return aggregate_by_applicant(
        "previous_application",
        applications[APPLICANT_KEY].to_numpy(),
        columns,
        parameters["statistics"],
        subsets,
        shares=shares,
        wanted=wanted,
    )
