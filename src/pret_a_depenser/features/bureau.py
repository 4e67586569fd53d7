"""Bureau features: credits at other institutions and their monthly statuses (``BUREAU_*``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pret_a_depenser.constants import APPLICANT_KEY

from .aggregation import (
    FeatureBlock,
    aggregate_by_applicant,
    applicant_chunks,
    combine_chunks,
    feature_level_name,
    float_columns,
    in_canonical_order,
    is_compact,
    key_positions,
    label_code_table,
    label_codes,
    level_table,
    missing_where,
    numeric_columns,
    planned_columns,
    planned_shares,
    position_table,
    ratio_when_positive,
    wanted_inputs,
)
from .column_table import RawTable
from .kernels import credit_months

# bureau_balance STATUS: months overdue bucket (1-5); 0, C (closed) and X (unknown) are not overdue.
OVERDUE_STATUSES = ["1", "2", "3", "4", "5"]
SHARE_COLUMNS = {"bureau_balance": ["STATUS"], "bureau": ["CREDIT_ACTIVE", "CREDIT_CURRENCY", "CREDIT_TYPE"]}
CREDIT_KEY = "SK_ID_BUREAU"
SUBSET_PREFIXES = ("BUREAU", "BUREAU_ACTIVE", "BUREAU_CLOSED", "BUREAU_RECENT")


def balance_feature_names(status_levels: list[str]) -> list[str]:
    """The per-credit columns ``bureau_balance_by_credit`` adds, in order."""
    fixed = ["BB_MONTHS_COUNT", "BB_MONTHS_BALANCE_MIN", "BB_MONTHS_BALANCE_MAX", "BB_OVERDUE_SHARE", "BB_WORST_STATUS"]
    return fixed + [f"BB_STATUS_{feature_level_name(level)}_SHARE" for level in status_levels]


def bureau_balance_by_credit(bureau_balance: RawTable, credits: np.ndarray, status_levels: list[str]) -> dict[str, np.ndarray]:
    """For each credit of ``credits`` (SK_ID_BUREAU): months reported, first and last month, share of
    months overdue, worst overdue bucket and the share of months in each status level; all missing for
    a credit without monthly rows. Monthly rows of other credits are ignored.

    Every value is a count, a ratio of counts or a min/max: exact in any row order, so the 27 M monthly
    rows are reduced in one pass without sorting.
    """
    credit_ids = bureau_balance[CREDIT_KEY].to_numpy()
    if not len(credits) or is_compact(credits):
        low, position_of_id = position_table(credits)
    else:
        credit_ids, (low, position_of_id) = key_positions(credit_ids, credits), (0, np.arange(len(credits)))
    codes, labels = label_code_table(bureau_balance["STATUS"])
    counts, first, last, overdue, worst, level_counts = credit_months(
        credit_ids,
        low,
        position_of_id,
        bureau_balance["MONTHS_BALANCE"].to_numpy(),  # Int64, or float64 with NaN if missing
        codes,
        level_table(labels, status_levels),
        level_table(labels, OVERDUE_STATUSES, start=1, default=0),
        len(credits),
        len(status_levels),
    )
    none = counts == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        features = {
            "BB_MONTHS_COUNT": missing_where(counts.astype(np.float64), none),
            "BB_MONTHS_BALANCE_MIN": missing_where(first, none),
            "BB_MONTHS_BALANCE_MAX": missing_where(last, none),
            "BB_OVERDUE_SHARE": overdue / counts,
            "BB_WORST_STATUS": missing_where(worst.astype(np.float64), none),
        }
        for index, level in enumerate(status_levels):
            features[f"BB_STATUS_{feature_level_name(level)}_SHARE"] = level_counts[:, index] / counts
    return features


def _credit_features(credits: RawTable, balance: dict[str, np.ndarray], spec: dict[str, Any]) -> FeatureBlock:
    parameters, levels = spec["parameters"], spec["category_levels"]
    oldest = -int(parameters["bureau"]["max_days_back"])
    recent = -int(parameters["bureau"]["recent_days"])
    columns = float_columns(credits, numeric_columns(credits, exclude=(APPLICANT_KEY, CREDIT_KEY)))
    for name in columns:
        if name.startswith("DAYS_"):
            columns[name] = missing_where(columns[name], columns[name] < oldest)
    columns.update(balance)
    columns["CREDIT_DURATION"] = columns["DAYS_CREDIT_ENDDATE"] - columns["DAYS_CREDIT"]
    columns["ENDDATE_DIFF"] = columns["DAYS_CREDIT_ENDDATE"] - columns["DAYS_ENDDATE_FACT"]
    columns["DEBT_CREDIT_RATIO"] = ratio_when_positive(columns["AMT_CREDIT_SUM_DEBT"], columns["AMT_CREDIT_SUM"])
    columns["OVERDUE_CREDIT_RATIO"] = ratio_when_positive(columns["AMT_CREDIT_SUM_OVERDUE"], columns["AMT_CREDIT_SUM"])
    activity = label_codes(credits["CREDIT_ACTIVE"], ["Active", "Closed"])
    subsets = dict(zip(SUBSET_PREFIXES, (None, activity == 0, activity == 1, columns["DAYS_CREDIT"] >= recent), strict=True))
    wanted = planned_columns(spec)
    shares = planned_shares(wanted, "BUREAU", levels["bureau"], credits.get_column)
    return aggregate_by_applicant(
        "bureau", credits[APPLICANT_KEY].to_numpy(), columns, parameters["statistics"], subsets, shares=shares, wanted=wanted
    )


def bureau_features(
    bureau: RawTable, bureau_balance: RawTable, spec: dict[str, Any], applicants: np.ndarray | None = None
) -> FeatureBlock:
    """Per applicant: statistics over all, active, closed and recent credits, and type/status shares.

    Day offsets older than ``max_days_back`` (the real file has credits "ending" 115 years ago) are
    treated as missing. A credit without monthly statuses has missing ``BB_*`` values.

    With ``applicants``, the block has one column per applicant of it, in its order (an applicant
    without rows: counts 0, the rest missing); otherwise one per applicant with rows, ascending.
    """
    credits = in_canonical_order(bureau, [APPLICANT_KEY, CREDIT_KEY])
    status_levels = spec["category_levels"]["bureau_balance"]["STATUS"]
    planned = wanted_inputs(
        planned_columns(spec), SUBSET_PREFIXES, balance_feature_names(status_levels), spec["parameters"]["statistics"]
    )
    # a plan that reads no monthly status skips bureau_balance (27 M rows at Kaggle size)
    balance = bureau_balance_by_credit(bureau_balance, credits[CREDIT_KEY].to_numpy(), status_levels) if planned else {}
    chunks = applicant_chunks(credits, credits.width + len(balance), spec, "bureau")
    starts = np.cumsum([0] + [chunk.height for chunk in chunks])
    return combine_chunks(
        (
            _credit_features(chunk, {name: values[start : start + chunk.height] for name, values in balance.items()}, spec)
            for chunk, start in zip(chunks, starts, strict=False)
        ),
        applicants,
    )
